package problems

import (
	"math/rand/v2"
	"sync"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// genericOf returns q as a Mixture: the same components and weights without
// the ExpectedGrader/ExpectedHessianer fast paths.
func genericOf(t testing.TB, q *Quadratic) *Mixture {
	t.Helper()
	c := make([]Component, q.Len())
	w := make([]float64, q.Len())
	for i := range c {
		c[i] = q.Component(i)
		w[i] = q.Weight(i)
	}
	m, err := NewMixture(q.Dim(), c, w)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestObjective(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 1))
	const p = 4
	quad := randQuadratic(t, rnd, p, 5, 3, nil)
	h := quad.Hessian()
	er := quad.MeanR()
	for name, prob := range map[string]Problem{"fast": quad, "generic": genericOf(t, quad)} {
		obj := Objective(prob)
		for trial := 0; trial < 4; trial++ {
			x := randVec(rnd, p, 2)
			xv := mat.NewVecDense(p, append([]float64(nil), x...))
			// Closed forms: F = ½x'Hx + E[r]'x, ∇F = Hx + E[r], ∇²F = H.
			wantF := 0.5*mat.Inner(xv, h, xv) + floats.Dot(er, x)
			if got := obj.Func(x); !scalar.EqualWithinAbsOrRel(got, wantF, 1e-12, 1e-12) {
				t.Errorf("%s: Func = %v, want %v", name, got, wantF)
			}
			var hx mat.VecDense
			hx.MulVec(h, xv)
			wantG := floats.AddTo(make([]float64, p), hx.RawVector().Data, er)
			g := make([]float64, p)
			obj.Grad(g, x)
			if !floats.EqualApprox(g, wantG, 1e-12*(1+floats.Norm(wantG, 2))) {
				t.Errorf("%s: Grad = %v, want %v", name, g, wantG)
			}
			// Against central differences of Func (exact up to rounding ≈ 1e-9).
			gfd := fd.Gradient(nil, obj.Func, x, &fd.Settings{Formula: fd.Central})
			if !floats.EqualApprox(g, gfd, 1e-6) {
				t.Errorf("%s: Grad = %v, fd %v", name, g, gfd)
			}
			var hs mat.SymDense // empty: Hess must allocate it
			obj.Hess(&hs, x)
			if !mat.EqualApprox(&hs, h, 1e-12) {
				t.Errorf("%s: Hess =\n%v\nwant\n%v", name, mat.Formatted(&hs), mat.Formatted(h))
			}
			// Hess overwrites, not accumulates.
			obj.Hess(&hs, x)
			if !mat.EqualApprox(&hs, h, 1e-12) {
				t.Errorf("%s: second Hess call accumulated", name)
			}
		}
	}
}

func TestObjectiveMinimize(t *testing.T) {
	rnd := rand.New(rand.NewPCG(12, 1))
	quad := randQuadratic(t, rnd, 3, 4, 3, nil)
	for _, method := range []optimize.Method{&optimize.Newton{}} {
		res, err := optimize.Minimize(Objective(genericOf(t, quad)), make([]float64, 3), nil, method)
		if err != nil {
			t.Fatalf("%T: %v", method, err)
		}
		if !floats.EqualApprox(res.X, quad.Minimizer(), 1e-6) {
			t.Errorf("%T: minimum at %v, Minimizer %v", method, res.X, quad.Minimizer())
		}
	}
}

func TestObjectiveConcurrent(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 1))
	const p, workers, evals = 5, 4, 50
	obj := Objective(genericOf(t, randQuadratic(t, rnd, p, 6, p, nil)))
	xs := make([][]float64, workers*evals)
	want := make([][]float64, len(xs))
	wantH := make([]*mat.SymDense, len(xs))
	for k := range xs {
		xs[k] = randVec(rnd, p, 1)
		want[k] = make([]float64, p)
		obj.Grad(want[k], xs[k])
		wantH[k] = mat.NewSymDense(p, nil)
		obj.Hess(wantH[k], xs[k])
	}
	got := make([][]float64, len(xs))
	gotH := make([]*mat.SymDense, len(xs))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := w; k < len(xs); k += workers {
				got[k] = make([]float64, p)
				obj.Grad(got[k], xs[k])
				gotH[k] = mat.NewSymDense(p, nil)
				obj.Hess(gotH[k], xs[k])
			}
		}(w)
	}
	wg.Wait()
	for k := range xs {
		if !floats.Equal(got[k], want[k]) || !mat.Equal(gotH[k], wantH[k]) {
			t.Fatalf("point %d: concurrent result differs from serial", k)
		}
	}
}

// raceEnabled is set by race_test.go when testing with -race.
var raceEnabled bool

func TestObjectiveNoAlloc(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	rnd := rand.New(rand.NewPCG(14, 1))
	const p = 6
	obj := Objective(genericOf(t, randQuadratic(t, rnd, p, 5, p, nil)))
	x := randVec(rnd, p, 1)
	g := make([]float64, p)
	h := mat.NewSymDense(p, nil)
	obj.Grad(g, x) // fill the pools
	obj.Hess(h, x)
	if a := testing.AllocsPerRun(100, func() { obj.Grad(g, x); obj.Hess(h, x) }); a != 0 {
		t.Errorf("generic Grad and Hess allocate %v times per call", a)
	}
}

func BenchmarkObjectiveGrad(b *testing.B) {
	for _, c := range []struct{ p, n int }{{10, 50}, {100, 10}} {
		b.Run(sizeName(c.p)+",N="+sizeName(c.n)[2:], func(b *testing.B) {
			rnd := rand.New(rand.NewPCG(15, 1))
			quad := randQuadratic(b, rnd, c.p, c.n, c.p, nil)
			x := randVec(rnd, c.p, 1)
			g := make([]float64, c.p)
			for name, prob := range map[string]Problem{"fast": quad, "generic": genericOf(b, quad)} {
				obj := Objective(prob)
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; i < b.N; i++ {
						obj.Grad(g, x)
					}
				})
			}
		})
	}
}
