package paper_test

import (
	"math"
	"testing"

	"github.com/flatminima/flatminima/problems/paper"
)

// FuzzNewQuadCircle: one fuzzed component beside a valid one. The
// constructor refuses bad parameters with an error, and an accepted problem
// evaluates to finite values and gradients at a finite point (or the box).
func FuzzNewQuadCircle(f *testing.F) {
	f.Add(1.0, 0.1, -15.0, 1.0, 0.0, 1.0, 0.01, 0.3, -2.0)
	f.Add(1.0, 0.1, -15.0, 1.0, 2.0, 1.0, 0.01, 0.0, 0.0) // C3 < C2
	f.Add(math.NaN(), 0.1, -15.0, 1.0, 0.0, 1.0, 0.01, 0.0, 0.0)
	f.Add(1e300, 1e300, -15.0, 1e300, 0.0, 1e-300, 0.01, 5.0, 5.0)
	f.Fuzz(func(t *testing.T, q1, q2, q3, c1, c2, c3, c4, x0, x1 float64) {
		ok := paper.QuadCircleComponent{Q1: 1, Q2: 0.1, Q3: -15, C1: 1, C2: 0, C3: 1, C4: 0.01}
		c := paper.QuadCircleComponent{Q1: q1, Q2: q2, Q3: q3, C1: c1, C2: c2, C3: c3, C4: c4}
		p, err := paper.NewQuadCircle([]paper.QuadCircleComponent{ok, c}, nil)
		if err != nil {
			return
		}
		if math.IsNaN(x0) || math.IsNaN(x1) || math.IsInf(x0, 0) || math.IsInf(x1, 0) {
			return
		}
		x := []float64{x0, x1}
		p.Box().Project(x)
		g := make([]float64, 2)
		for i := range p.Len() {
			v := p.Component(i).Func(x)
			p.Component(i).Grad(g, x)
			if math.IsNaN(v) || math.IsNaN(g[0]) || math.IsNaN(g[1]) {
				t.Fatalf("component %d at %v: f = %v, ∇f = %v", i, x, v, g)
			}
		}
	})
}

// FuzzNewStyblinskiTang: one fuzzed coordinate's coefficients; the
// constructor refuses what (54) forbids or what has no two wells, and an
// accepted problem has finite sharpest and flattest minimizers in its box.
func FuzzNewStyblinskiTang(f *testing.F) {
	f.Add(1.0, -16.0, 5.0, 1.0, -16.0, 5.0)
	f.Add(-1.0, -16.0, 5.0, 1.0, -16.0, 5.0)
	f.Add(1.0, 16.0, 5.0, 1.0, -16.0, 5.0)
	f.Add(1e300, -1e300, 1e300, 1.0, -16.0, 5.0)
	f.Fuzz(func(t *testing.T, a1, a2, a3, b1, b2, b3 float64) {
		c := []paper.STComponent{{C1: []float64{a1}, C2: []float64{a2}, C3: []float64{a3}}, {C1: []float64{b1}, C2: []float64{b2}, C3: []float64{b3}}}
		st, err := paper.NewStyblinskiTang(c, nil)
		if err != nil {
			return
		}
		for _, x := range [][]float64{st.Sharpest(), st.Flattest()} {
			if len(x) != 1 || math.IsNaN(x[0]) || math.IsInf(x[0], 0) {
				t.Fatalf("minimizer %v", x)
			}
		}
	})
}
