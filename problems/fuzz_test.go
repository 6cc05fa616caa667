package problems_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
)

// FuzzNewQuadratic: two 2×2 components with fuzzed entries. The constructor
// either refuses them with an error naming an argument or returns a problem
// whose exact geometry is finite or an error: never a panic, never NaN
// without an error (entries of 1e103 once gave s = t = NaN).
func FuzzNewQuadratic(f *testing.F) {
	f.Add(1.0, 0.0, 1.0, 3.0, 0.0, 3.0, 0.0, 0.0, 0.5)
	f.Add(1e103, 0.0, 1e103, 3e103, 0.0, 3e103, 0.0, 0.0, 0.5)
	f.Add(1e-160, 0.0, 1e-160, 3e-160, 0.0, 3e-160, 0.0, 0.0, 0.5)
	f.Add(2.0, 1.0, 2.0, 1.0, 0.0, 0.0, 1.0, -1.0, 0.25)
	f.Add(1.0, 2.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.5) // indefinite
	f.Add(math.NaN(), 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.5)
	f.Fuzz(func(t *testing.T, a00, a01, a11, b00, b01, b11, r0, r1, w0 float64) {
		q := []mat.Symmetric{
			mat.NewSymDense(2, []float64{a00, a01, a01, a11}),
			mat.NewSymDense(2, []float64{b00, b01, b01, b11}),
		}
		r := [][]float64{{r0, r1}, {0, 0}}
		w := []float64{w0, 1 - w0}
		p, err := problems.NewQuadratic(q, r, w)
		if err != nil {
			if p != nil {
				t.Fatalf("problem and error %v", err)
			}
			return
		}
		loc, err := geometry.Exact(p)
		if err != nil {
			return
		}
		for _, v := range append([]float64{loc.S, loc.T}, loc.Eigenvalues...) {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("Exact returned λ = %v, s = %v, t = %v with no error", loc.Eigenvalues, loc.S, loc.T)
			}
		}
		if loc.M != len(loc.Eigenvalues) || !(loc.S <= loc.T*(1+1e-9)) {
			t.Fatalf("M = %d for %d eigenvalues, s = %v > t = %v", loc.M, len(loc.Eigenvalues), loc.S, loc.T)
		}
	})
}

// FuzzNewBox: bounds either make a valid box or an error; Project and
// Contains agree on the result.
func FuzzNewBox(f *testing.F) {
	f.Add(-1.0, 1.0, -2.0, 2.0, 5.0, -5.0)
	f.Add(math.Inf(-1), math.Inf(1), 0.0, 0.0, 1.0, 1.0)
	f.Add(math.NaN(), 1.0, 0.0, 1.0, 0.5, 0.5)
	f.Fuzz(func(t *testing.T, l0, u0, l1, u1, x0, x1 float64) {
		b, err := problems.NewBox([]float64{l0, l1}, []float64{u0, u1})
		if err != nil {
			return
		}
		x := []float64{x0, x1}
		if math.IsNaN(x0) || math.IsNaN(x1) {
			return
		}
		b.Project(x)
		if !b.Contains(x) {
			t.Fatalf("projection %v of (%v, %v) is outside [%v, %v]×[%v, %v]", x, x0, x1, l0, u0, l1, u1)
		}
	})
}
