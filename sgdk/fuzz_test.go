package sgdk_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
)

// fuzzProblem builds a diagonal quadratic on R^dim with n components, drawn
// from seed: Q_i = diag(q), q ∈ (0, 3), r_i ~ N(0, 1), uniform weights or
// weights drawn in (0.1, 1.1) and normalized. n and dim are reduced into
// 1..5 and 1..3.
func fuzzProblem(t *testing.T, seed uint64, n, dim int, uniform bool) *problems.Quadratic {
	n = 1 + (n%5+5)%5
	dim = 1 + (dim%3+3)%3
	rnd := rand.New(rand.NewPCG(seed, 1))
	qs := make([]mat.Symmetric, n)
	r := make([][]float64, n)
	var w []float64
	if !uniform {
		w = make([]float64, n)
	}
	sum := 0.0
	for i := range n {
		d := mat.NewSymDense(dim, nil)
		r[i] = make([]float64, dim)
		for j := range dim {
			d.SetSym(j, j, 3*rnd.Float64()+1e-3)
			r[i][j] = rnd.NormFloat64()
		}
		qs[i] = d
		if w != nil {
			w[i] = 0.1 + rnd.Float64()
			sum += w[i]
		}
	}
	for i := range w {
		w[i] /= sum
	}
	p, err := problems.NewQuadratic(qs, r, w)
	if err != nil {
		t.Fatalf("fuzzProblem: %v", err)
	}
	return p
}

// FuzzRun checks that Run never panics, that its errors name sgdk, and that
// a successful run is reproducible, finite, inside its Bounds and consistent
// in its counts.
func FuzzRun(f *testing.F) {
	// seed, n, dim, uniform, batch, iterations, step, x0, bounded, without
	f.Add(uint64(1), 3, 1, true, 1, 8, 0.3, 0.5, false, true) // the scheduling case of Ensemble
	f.Add(uint64(2), 3, 2, false, 1<<40, 20, 0.2, 1.0, false, false)
	f.Add(uint64(3), 2, 1, false, 0, 5, 0.1, 0.0, false, false)           // forgotten BatchSize
	f.Add(uint64(4), 2, 1, false, -1, 5, 0.1, 0.0, true, false)           // FullBatch
	f.Add(uint64(5), 2, 1, false, 1, math.MaxInt, 0.1, 0.0, false, false) // Iterations = MaxInt
	f.Add(uint64(6), 4, 3, true, 500, 10, 0.5, -2.0, true, false)         // k = 500 > N
	f.Add(uint64(7), 4, 3, true, 3, 10, 1e200, 1e300, false, true)        // overflow
	f.Add(uint64(8), 1, 1, false, 1, 10, math.NaN(), math.Inf(1), false, false)
	f.Fuzz(func(t *testing.T, seed uint64, n, dim int, uniform bool, batch, iters int, c, x0 float64, bounded, without bool) {
		p := fuzzProblem(t, seed, n, dim, uniform || without)
		if iters > 2000 && iters <= sgdk.MaxIterations {
			iters = 2000 // valid but slow: the cap itself is checked above it
		}
		x := make([]float64, p.Dim())
		for i := range x {
			x[i] = x0 * float64(i+1)
		}
		s := sgdk.Settings{BatchSize: batch, Step: sgdk.Constant(c), Iterations: iters, WithoutReplacement: without}
		if bounded {
			lo, hi := make([]float64, p.Dim()), make([]float64, p.Dim())
			for i := range lo {
				lo[i], hi[i] = -1, 1
			}
			s.Bounds = &problems.Box{Lower: lo, Upper: hi}
		}
		a, err := sgdk.Run(p, x, s, rand.New(rand.NewPCG(seed, 2)), nil)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sgdk: ") {
				t.Fatalf("error %q does not name its package", err)
			}
			return
		}
		b, err := sgdk.Run(p, x, s, rand.New(rand.NewPCG(seed, 2)), nil)
		if err != nil {
			t.Fatalf("second run: %v", err)
		}
		if len(a.X) != p.Dim() {
			t.Fatalf("len(X) = %d, Dim = %d", len(a.X), p.Dim())
		}
		for i, v := range a.X {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("X = %v is not finite", a.X)
			}
			if v != b.X[i] {
				t.Fatalf("same seed, different results: %v, %v", a.X, b.X)
			}
			if s.Bounds != nil && a.Iterations > 0 && (v < -1 || v > 1) {
				t.Fatalf("X = %v outside the bounds", a.X)
			}
		}
		if a.Diverged != (a.DivergedAt > 0) || (a.Diverged && a.Iterations != a.DivergedAt-1) || (!a.Diverged && a.Iterations != iters) {
			t.Fatalf("inconsistent result %+v for Iterations = %d", a, iters)
		}
	})
}

// FuzzEnsemble checks that Ensemble never panics, that its errors name
// sgdk, and that Workers = 1 and Workers = 3 give bit-identical results.
func FuzzEnsemble(f *testing.F) {
	// seed, n, dim, uniform, batch, iterations, runs, step, center, radius, without
	f.Add(uint64(1), 3, 1, true, 1, 6, 8, 0.3, 0.3, 0.5, true) // the scheduling case
	f.Add(uint64(2), 3, 2, false, 1<<40, 10, 4, 0.2, 1.0, 0.1, false)
	f.Add(uint64(3), 3, 1, true, 1, 6, 8, 0.3, 0.0, 1e308, false)          // Radius 1e308
	f.Add(uint64(4), 2, 1, false, 0, 6, 8, 0.3, 0.0, 0.1, false)           // forgotten BatchSize
	f.Add(uint64(5), 2, 1, false, 1, math.MaxInt, 8, 0.3, 0.0, 0.1, false) // Iterations = MaxInt
	f.Add(uint64(6), 2, 1, false, 1, 1000, 100000000, 0.3, 0.0, 0.1, false)
	f.Add(uint64(7), 4, 3, true, 500, 10, 5, 0.5, -2.0, 1.0, false) // k = 500 > N
	f.Fuzz(func(t *testing.T, seed uint64, n, dim int, uniform bool, batch, iters, runs int, c, center, radius float64, without bool) {
		p := fuzzProblem(t, seed, n, dim, uniform || without)
		if iters > 100 && iters <= sgdk.MaxIterations {
			iters = 100 // valid but slow
		}
		if runs > 32 && float64(runs)*float64(iters+1)*8 <= sgdk.EnsembleMemoryBudget {
			runs = 32 // valid but slow; larger ones test the memory budget
		}
		cen := make([]float64, p.Dim())
		for i := range cen {
			cen[i] = center
		}
		e := sgdk.Ensemble{
			Problem:  p,
			Settings: sgdk.Settings{BatchSize: batch, Step: sgdk.Constant(c), Iterations: iters, WithoutReplacement: without},
			Runs:     runs, Seed: seed, Center: cen, Radius: radius,
			Watch:   [][]float64{make([]float64, p.Dim())},
			Measure: func(x []float64) float64 { return x[0] },
		}
		e.Workers = 1
		a, err := e.Run()
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sgdk: ") {
				t.Fatalf("error %q does not name its package", err)
			}
			return
		}
		e.Workers = 3
		b, err := e.Run()
		if err != nil {
			t.Fatalf("Workers = 3 fails where Workers = 1 did not: %v", err)
		}
		if d := sameEnsemble(a, b); d != "" {
			t.Fatalf("Workers = 1 and 3 differ in %s", d)
		}
		for i, x := range a.Starts {
			for _, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("run %d starts at %v", i, x)
				}
			}
		}
	})
}
