package geometry

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/problems"
)

// noProgressTol is the gradient reduction below which a line search without
// progress counts as convergence.
const noProgressTol = 1e-6

// defaultGradThreshold is gonum's default gradient threshold of
// optimize.Settings, in the infinity norm.
const defaultGradThreshold = 1e-12

// Refine polishes an approximate local minimizer x0 of F = Σ_i p_i f_i by
// minimizing problems.Objective(p) with gonum's optimize.Minimize from x0,
// and returns the point found and ‖∇F‖₂ there. The geometry of Definition
// 3.14 is taken at a minimizer, so a center from a coarse search should be
// refined first.
//
// method nil means Newton's method (&optimize.Newton{}, which uses the
// expected Hessian that every Problem provides and modifies it to be positive
// definite away from a minimizer); &optimize.BFGS{} and the other gradient
// methods of gonum also work. settings nil means gonum's defaults (gradient
// threshold 1e-12 in the infinity norm, or no decrease of F by more than
// 1e-10 in 100 iterations). The search is unconstrained: the problem's box, if
// any, is not enforced, so check the result against it.
//
// A start x0 that already satisfies the gradient threshold
// (‖∇F(x0)‖_∞ ≤ settings.GradientThreshold, default 1e-12, gonum's) is
// returned as it is, with no error: a line search from a converged point has
// no descent direction to follow. Likewise a line search that fails at a
// point satisfying the threshold counts as convergence.
//
// A line search that can no longer decrease F (optimize.ErrNoProgress) at a
// point whose gradient norm is at most 1e-6 times the starting one counts as
// convergence: that is how a quasi-Newton method ends at F's rounding level
// when the gradient threshold is too strict for the problem's scale.
//
// Refine returns an error naming the argument when p is nil, x0 has the wrong
// length or a non-finite entry, or method cannot minimize with a function,
// gradient and Hessian. When the minimization fails or stops early (an
// evaluation limit, a non-finite value) it returns the best point found, its
// gradient norm and an error; x0 is not modified.
func Refine(p problems.Problem, x0 []float64, method optimize.Method, settings *optimize.Settings) (x []float64, gradNorm float64, err error) {
	if p == nil {
		return nil, math.NaN(), errors.New("geometry: Refine: problem p is nil")
	}
	if p.Dim() < 1 {
		return nil, math.NaN(), fmt.Errorf("geometry: Refine: problem p has dimension %d, want at least 1", p.Dim())
	}
	if len(x0) != p.Dim() {
		return nil, math.NaN(), fmt.Errorf("geometry: Refine: x0 has length %d, want the problem's dimension %d", len(x0), p.Dim())
	}
	for d, v := range x0 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, math.NaN(), fmt.Errorf("geometry: Refine: x0[%d] = %v is not finite", d, v)
		}
	}
	if method == nil {
		method = &optimize.Newton{}
	}
	if _, err := method.Uses(optimize.Available{Grad: true, Hess: true}); err != nil {
		return nil, math.NaN(), fmt.Errorf("geometry: Refine: method %T cannot be used: %v", method, err)
	}
	obj := problems.Objective(p)
	grad := make([]float64, len(x0))
	obj.Grad(grad, x0)
	grad0 := floats.Norm(grad, 2)
	gtol := defaultGradThreshold
	if settings != nil && settings.GradientThreshold > 0 {
		gtol = settings.GradientThreshold
	}
	if floats.Norm(grad, math.Inf(1)) <= gtol {
		return append([]float64(nil), x0...), grad0, nil
	}
	res, minErr := optimize.Minimize(obj, append([]float64(nil), x0...), settings, method)
	if res == nil {
		return nil, math.NaN(), fmt.Errorf("geometry: Refine: %w", minErr)
	}
	x = res.X
	if floats.HasNaN(x) {
		return nil, math.NaN(), fmt.Errorf("geometry: Refine: the minimization diverged (status %v)", res.Status)
	}
	obj.Grad(grad, x)
	gradNorm = floats.Norm(grad, 2)
	if minErr != nil && floats.Norm(grad, math.Inf(1)) <= gtol {
		// Converged by the gradient threshold; the failure was the line
		// search's, at a point with no descent left.
		minErr = nil
		res.Status = optimize.GradientThreshold
	}
	if errors.Is(minErr, optimize.ErrNoProgress) && gradNorm <= noProgressTol*grad0 {
		// The line search cannot decrease F any more at a point where the
		// gradient has fallen by orders of magnitude: F's rounding level,
		// the usual end of a quasi-Newton method at a minimizer.
		minErr = nil
		res.Status = optimize.Success
	}
	switch {
	case math.IsNaN(gradNorm) || math.IsInf(gradNorm, 0):
		return x, gradNorm, fmt.Errorf("geometry: Refine: the gradient is not finite at the point found (status %v)", res.Status)
	case minErr != nil:
		return x, gradNorm, fmt.Errorf("geometry: Refine: status %v, ‖∇F‖ = %g: %w", res.Status, gradNorm, minErr)
	case res.Status.Early():
		return x, gradNorm, fmt.Errorf("geometry: Refine: stopped early with status %v, ‖∇F‖ = %g", res.Status, gradNorm)
	}
	return x, gradNorm, nil
}
