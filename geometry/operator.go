package geometry

import (
	"errors"
	"fmt"
	"math"

	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems"
)

// HessianOperator returns the expected Hessian H(x) = Σ_i p_i ∇²f_i(x) of p
// at x as a matrix-free spectral.Operator: Apply(dst, v) sets dst = H(x)v by
// the function of problems.ExpectedHessVecAter when p implements it (which
// may reuse work done once for x), else by the problem's ExpectedHessVec
// when it implements problems.ExpectedHessVecer, else by the weighted sum of the component
// products of problems.HessVecOf (structure, HVP, dense Hessian or finite
// differences of the gradient, in that order of preference). No p×p matrix
// is formed unless a component offers only a dense Hessian. x is copied.
// The operator is safe for concurrent use when p's components are (an
// ExpectedHessVecAt function may serialize its calls).
//
// It returns an error naming the argument when p is nil or malformed, or x
// has the wrong length or a non-finite entry.
func HessianOperator(p problems.Problem, x []float64) (spectral.Operator, error) {
	if p == nil {
		return nil, errors.New("geometry: HessianOperator: problem p is nil")
	}
	dim, n := p.Dim(), p.Len()
	if dim < 1 || n < 1 {
		return nil, fmt.Errorf("geometry: HessianOperator: problem p has Dim %d and Len %d, want both ≥ 1", dim, n)
	}
	if len(x) != dim {
		return nil, fmt.Errorf("geometry: HessianOperator: x has length %d, want the problem's dimension %d", len(x), dim)
	}
	for d, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("geometry: HessianOperator: x[%d] = %v is not finite", d, v)
		}
	}
	if a, ok := p.(problems.ExpectedHessVecAter); ok {
		return spectral.Func{N: dim, F: a.ExpectedHessVecAt(x)}, nil
	}
	return &hessOp{hv: problems.ExpectedHessVecOf(p), x: append([]float64(nil), x...)}, nil
}

type hessOp struct {
	hv problems.ExpectedHessVecer
	x  []float64
}

func (h *hessOp) Dim() int { return len(h.x) }

func (h *hessOp) Apply(dst, v []float64) { h.hv.ExpectedHessVec(dst, h.x, v) }
