package geometry

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
)

// DefaultHomogeneityTol is the tolerance of IsHomogeneous when its tol is 0.
const DefaultHomogeneityTol = 1e-6

// Homogeneity measures how far x is from a homogeneous minimizer
// (Definition 3.4: every component gradient vanishes there, ∇f_i(x*) = 0):
//
//	Homogeneity(x) = max_i ‖∇f_i(x)‖₂ / (ε · max_i ‖∇²f_i(x)‖_F)
//
// with ε = radius (0 means DefaultRadius, the radius of Estimate). The
// denominator is the largest change of a component gradient that the
// component curvature produces over a distance ε, so the ratio is free of
// the scales of f and of x (multiplying every f_i by a, or substituting
// x = b·y and ε = b·ε_y, leaves it unchanged). Near a homogeneous minimizer x*
// it is at most ‖x − x*‖/ε; at an inhomogeneous one it stays of order
// max_i‖∇f_i(x*)‖/(ε‖∇²f_i‖) however well x* is refined. The Frobenius norm
// (an upper bound of the spectral norm, cheap: O(p²) per component, O(p) for a
// problems.DiagonalHessianer) keeps the cost at one pass over the components.
//
// A homogeneous minimizer is thresholded by Theorem 3.8 (thresholds.Convergence
// and thresholds.Divergence), an inhomogeneous one by Theorem 3.12
// (thresholds.InhomogeneousConvergence and thresholds.InhomogeneousDivergence);
// see IsHomogeneous. When every component Hessian is zero the result is 0 if
// every gradient is zero and +Inf otherwise.
//
// Homogeneity returns an error naming the argument when p is nil, x has the
// wrong length or a non-finite entry, radius is negative or not finite, or a
// component gradient or Hessian is not finite at x. x is not modified.
func Homogeneity(p problems.Problem, x []float64, radius float64) (float64, error) {
	if p == nil {
		return math.NaN(), errors.New("geometry: Homogeneity: problem p is nil")
	}
	dim := p.Dim()
	if len(x) != dim {
		return math.NaN(), fmt.Errorf("geometry: Homogeneity: x has length %d, want the problem's dimension %d", len(x), dim)
	}
	for d, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return math.NaN(), fmt.Errorf("geometry: Homogeneity: x[%d] = %v is not finite", d, v)
		}
	}
	switch {
	case math.IsNaN(radius) || math.IsInf(radius, 0) || radius < 0:
		return math.NaN(), fmt.Errorf("geometry: Homogeneity: radius = %v, want a finite ε > 0 (or 0 for the default %g)", radius, float64(DefaultRadius))
	case radius == 0:
		radius = DefaultRadius
	}
	grad := make([]float64, dim)
	diag := make([]float64, dim)
	var hess *mat.SymDense
	var gmax, hmax float64
	for i := range p.Len() {
		c := p.Component(i)
		c.Grad(grad, x)
		g := floats.Norm(grad, 2)
		var h float64
		if dh, ok := c.(problems.DiagonalHessianer); ok {
			dh.DiagonalHess(diag, x)
			h = floats.Norm(diag, 2)
		} else {
			if hess == nil {
				hess = mat.NewSymDense(dim, nil)
			}
			problems.HessianOf(c).Hess(hess, x)
			h = mat.Norm(hess, 2) // Frobenius
		}
		if math.IsNaN(g) || math.IsInf(g, 0) {
			return math.NaN(), fmt.Errorf("geometry: Homogeneity: the gradient of component %d is not finite at x", i)
		}
		if math.IsNaN(h) || math.IsInf(h, 0) {
			return math.NaN(), fmt.Errorf("geometry: Homogeneity: the Hessian of component %d is not finite at x", i)
		}
		gmax = max(gmax, g)
		hmax = max(hmax, h)
	}
	switch {
	case gmax == 0:
		return 0, nil
	case hmax == 0:
		return math.Inf(1), nil
	}
	return gmax / (radius * hmax), nil
}

// IsHomogeneous reports whether Homogeneity(p, x, radius) ≤ tol (tol 0 means
// DefaultHomogeneityTol, 1e-6: a point within 1e-6·ε of a homogeneous
// minimizer passes). When it is true at a minimizer, Theorem 3.8's thresholds
// apply; otherwise Theorem 3.12's. It returns Homogeneity's errors, and an
// error naming tol when tol is negative or NaN.
func IsHomogeneous(p problems.Problem, x []float64, radius, tol float64) (bool, error) {
	switch {
	case math.IsNaN(tol) || tol < 0:
		return false, fmt.Errorf("geometry: IsHomogeneous: tol = %v, want ≥ 0 (0 means %g)", tol, float64(DefaultHomogeneityTol))
	case tol == 0:
		tol = DefaultHomogeneityTol
	}
	h, err := Homogeneity(p, x, radius)
	if err != nil {
		return false, err
	}
	return h <= tol, nil
}
