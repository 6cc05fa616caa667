package problems

import (
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/functions"
)

// maxMixedErr is max|a−b| / max(1, max|b|) over the entries.
func maxMixedErr(a, b mat.Matrix) float64 { return mixedErrMat(a, b) }

func TestFDHessianQuadratic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(31, 1))
	for _, p := range []int{1, 4, 8} {
		quad := randQuadratic(t, rnd, p, 1, p, nil)
		c := FDHessian(quad.Component(0))
		for _, scale := range []float64{0.1, 1, 100} {
			x := randVec(rnd, p, scale)
			var h mat.SymDense
			c.(Hessianer).Hess(&h, x)
			// The gradient is affine, so the central difference is exact up
			// to rounding: ε·|∇f|/h_j with |∇f| ≲ 1e2·max(1,|x|) and
			// h_j = 6e-6·max(1,|x_j|) gives ≲ 1e-8 relative.
			if e := maxMixedErr(&h, quad.Q(0)); !(e < 1e-7) {
				t.Errorf("p=%d |x|≈%v: FD Hessian error %v", p, scale, e)
			}
			if !mat.Equal(&h, h.T()) {
				t.Errorf("p=%d: FD Hessian not symmetric", p)
			}
		}
		// Func and Grad pass through.
		x := randVec(rnd, p, 1)
		g1, g2 := make([]float64, p), make([]float64, p)
		c.Grad(g1, x)
		quad.Component(0).Grad(g2, x)
		if c.Func(x) != quad.Component(0).Func(x) || g1[0] != g2[0] {
			t.Error("FDHessian changed Func or Grad")
		}
	}
}

type watson struct{ functions.Watson }

func TestFDHessianNonQuadratic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(32, 1))
	// gonum's Watson function (value, gradient and exact Hessian), p = 4, at
	// points in [−1, 1]^p. Central differences of the gradient: truncation
	// h²/6·|∇³g| and rounding ε|∇f|/h with h = 6e-6; Watson's third
	// derivatives and gradients here are at most ~1e3–1e4, giving absolute
	// errors ≲ 1e-6 on Hessian entries of size ~1e2–1e3.
	const p = 4
	c := FDHessian(watson{})
	exact := mat.NewSymDense(p, nil)
	for trial := 0; trial < 10; trial++ {
		x := make([]float64, p)
		for i := range x {
			x[i] = 2*rnd.Float64() - 1
		}
		var h mat.SymDense
		c.(Hessianer).Hess(&h, x)
		functions.Watson{}.Hess(exact, x)
		if e := maxMixedErr(&h, exact); !(e < 1e-8) {
			t.Errorf("x = %v: FD Hessian mixed error %v", x, e)
		}
	}
	// A separable quartic, where the error is known: truncation of the
	// central difference of 3a x² + ... is exactly a·h² on the diagonal.
	q := randQuartic(rnd, 3, "")
	fc := FDHessian(q)
	x := []float64{0.5, -2, 3}
	var h, want mat.SymDense
	fc.(Hessianer).Hess(&h, x)
	want.ReuseAsSym(3)
	q.Hess(&want, x)
	for d := 0; d < 3; d++ {
		hd := FDHessianStep * math.Max(1, math.Abs(x[d]))
		if diff := math.Abs(h.At(d, d) - want.At(d, d)); diff > q.a[d]*hd*hd+1e-9 {
			t.Errorf("quartic: diagonal %d error %v exceeds a·h² + rounding = %v", d, diff, q.a[d]*hd*hd+1e-9)
		}
	}
}

func TestFDHessianConcurrent(t *testing.T) {
	rnd := rand.New(rand.NewPCG(33, 1))
	const p, workers, evals = 4, 4, 20
	c := FDHessian(watson{})
	xs := make([][]float64, workers*evals)
	want := make([]*mat.SymDense, len(xs))
	for k := range xs {
		xs[k] = randVec(rnd, p, 1)
		want[k] = mat.NewSymDense(p, nil)
		c.(Hessianer).Hess(want[k], xs[k])
	}
	got := make([]*mat.SymDense, len(xs))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for k := w; k < len(xs); k += workers {
				got[k] = mat.NewSymDense(p, nil)
				c.(Hessianer).Hess(got[k], xs[k])
			}
		}(w)
	}
	wg.Wait()
	for k := range xs {
		if !mat.Equal(got[k], want[k]) {
			t.Fatalf("point %d: concurrent FD Hessian differs", k)
		}
	}
}

func TestNewMixture(t *testing.T) {
	rnd := rand.New(rand.NewPCG(34, 1))
	q := randQuartic(rnd, 2, "")
	m, err := NewMixture(2, []Component{q, FDHessian(q)}, []float64{0.25, 0.75})
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() != 2 || m.Len() != 2 || m.Weight(1) != 0.75 {
		t.Errorf("Mixture: Dim %d Len %d Weight(1) %v", m.Dim(), m.Len(), m.Weight(1))
	}
	for _, c := range []struct {
		name string
		dim  int
		c    []Component
		w    []float64
		want string
	}{
		{"dim", 0, []Component{q}, nil, "dim = 0"},
		{"empty", 2, nil, nil, "c is empty"},
		{"nil component", 2, []Component{q, nil}, nil, "c[1] is nil"},
		{"weights length", 2, []Component{q, q}, []float64{1}, "w has length 1"},
		{"negative weight", 2, []Component{q, q}, []float64{1.5, -0.5}, "w[1] = -0.5"},
		{"weights sum", 2, []Component{q, q}, []float64{0.5, 0.4}, "w sums to 0.9"},
	} {
		_, err := NewMixture(c.dim, c.c, c.w)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func BenchmarkFDHessian(b *testing.B) {
	for _, p := range []int{4, 16} {
		b.Run(sizeName(p), func(b *testing.B) {
			rnd := rand.New(rand.NewPCG(35, 1))
			c := FDHessian(randQuartic(rnd, p, ""))
			x := randVec(rnd, p, 1)
			h := mat.NewSymDense(p, nil)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.(Hessianer).Hess(h, x)
			}
		})
	}
}
