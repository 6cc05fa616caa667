package geometry

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems"
)

// TestHessianOperator: the operator applied to the unit vectors gives the
// dense expected Hessian (to rounding, 1e-12 relative), for a problem with
// its own ExpectedHessVec and for a mixture summed from components; its top
// eigenvalues by spectral.Top equal mat.EigenSym's (Lanczos tolerance 1e-10
// relative to ‖H‖).
func TestHessianOperator(t *testing.T) {
	lg, x := randLogistic(t, 50, 6, 0.05, 4)
	for _, p := range []problems.Problem{lg, ridgeMixture(t, lg)} {
		op, err := HessianOperator(p, x)
		if err != nil {
			t.Fatal(err)
		}
		n := p.Dim()
		want := mat.NewSymDense(n, nil)
		h := mat.NewSymDense(n, nil)
		for i := range p.Len() {
			problems.HessianOf(p.Component(i)).Hess(h, x)
			want.AddSym(want, scaledSym(p.Weight(i), h))
		}
		e := make([]float64, n)
		col := make([]float64, n)
		for j := range n {
			clear(e)
			e[j] = 1
			op.Apply(col, e)
			for a := range n {
				if d := math.Abs(col[a] - want.At(a, j)); d > 1e-12*math.Max(1, math.Abs(want.At(a, j))) {
					t.Fatalf("H[%d][%d] = %v, want %v", a, j, col[a], want.At(a, j))
				}
			}
		}
		top, err := spectral.Top(op, 3, spectral.Settings{})
		if err != nil {
			t.Fatal(err)
		}
		var es mat.EigenSym
		es.Factorize(want, false)
		vals := es.Values(nil)
		for j := range 3 {
			if d := math.Abs(top.Values[j] - vals[n-1-j]); d > 1e-9*vals[n-1] {
				t.Errorf("λ_%d = %v, want %v", j+1, top.Values[j], vals[n-1-j])
			}
		}
	}
	if _, err := HessianOperator(lg, []float64{1}); err == nil {
		t.Error("wrong length: no error")
	}
	if _, err := HessianOperator(nil, x); err == nil {
		t.Error("nil problem: no error")
	}
}

func scaledSym(f float64, a *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(f, a)
	return &s
}
