package geometry_test

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
)

// TestExactScaleLaw: scaling every Q_i by α scales λ by α and s_Q, t_Q by
// α² (M is cubic, H linear). Exact works on a copy scaled by a power of two,
// so for α a power of two the results must scale bit for bit, however large
// or small α is; before the rescaling, entries of 1e103 made M overflow and
// s_Q = t_Q = NaN.
func TestExactScaleLaw(t *testing.T) {
	base := []*mat.SymDense{
		mat.NewSymDense(2, []float64{2, 0.3, 0.3, 1}),
		mat.NewSymDense(2, []float64{1, -0.2, -0.2, 3}),
		mat.NewSymDense(2, []float64{0.5, 0, 0, 0.5}),
	}
	build := func(alpha float64) *geometry.Local {
		t.Helper()
		qs := make([]mat.Symmetric, len(base))
		for i, b := range base {
			var s mat.SymDense
			s.ScaleSym(alpha, b)
			qs[i] = &s
		}
		q, err := problems.NewQuadratic(qs, nil, nil)
		if err != nil {
			t.Fatalf("α = %v: %v", alpha, err)
		}
		loc, err := geometry.Exact(q)
		if err != nil {
			t.Fatalf("α = %v: %v", alpha, err)
		}
		return loc
	}
	ref := build(1)
	for _, e := range []int{-340, -100, 100, 340} {
		alpha := math.Ldexp(1, e)
		loc := build(alpha)
		for j, l := range loc.Eigenvalues {
			if l != math.Ldexp(ref.Eigenvalues[j], e) {
				t.Errorf("α = 2^%d: λ_%d = %v, want %v", e, j+1, l, math.Ldexp(ref.Eigenvalues[j], e))
			}
		}
		if loc.S != math.Ldexp(ref.S, 2*e) || loc.T != math.Ldexp(ref.T, 2*e) {
			t.Errorf("α = 2^%d: s, t = %v, %v, want %v, %v", e, loc.S, loc.T, math.Ldexp(ref.S, 2*e), math.Ldexp(ref.T, 2*e))
		}
	}
	// A decimal scale is not exact, but must agree to rounding (relative
	// 1e-12 covers the few ulps of two eigen-solves).
	loc := build(1e103)
	if !(math.Abs(loc.T/1e206-ref.T) <= 1e-12*ref.T) || !(math.Abs(loc.S/1e206-ref.S) <= 1e-12*ref.T) {
		t.Errorf("α = 1e103: s, t = %v, %v, want %v, %v times 1e206", loc.S, loc.T, ref.S, ref.T)
	}
	// At 1e200, t_Q ≈ 1e400 is not representable: an error, not Inf or NaN.
	qs := make([]mat.Symmetric, len(base))
	for i, b := range base {
		var s mat.SymDense
		s.ScaleSym(1e200, b)
		qs[i] = &s
	}
	q, err := problems.NewQuadratic(qs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := geometry.Exact(q); err == nil || !strings.Contains(err.Error(), "t_Q") {
		t.Errorf("entries of 1e200: err = %v, want one naming t_Q", err)
	}
}
