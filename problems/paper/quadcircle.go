package paper

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
)

// QuadCircleComponent is one quadratic-circle function of Appendix A of the
// paper, f(x) = min{g(x), h(x)} (A3) on R², with the quadratic basin (A1)
//
//	g(x) = Q1·(x2 − Q2·x1² − Q3)²
//
// and the circular basin (A2), with r = ‖x‖,
//
//	h(x) = C4                 if r ≤ C2,
//	     = C4 + C1            if r ≥ C3,
//	     = C4 + C1·S(σ)       otherwise, σ = (r − C2)/(C3 − C2),
//
// where S(σ) = σ³(6σ² − 15σ + 10) is the quintic smoothstep.
//
// ERRATUM (A2): the paper prints the middle case as ‖x‖ ≤ C3; the outer
// plateau is r ≥ C3. With C2 ≥ 0 and C3 > C2, h is twice
// continuously differentiable; with C2 = 0 its gradient and Hessian at x = 0
// are the limits, zero.
//
// Ties go to g (Remark 3 of the paper): where g(x) ≤ h(x), Func, Grad and
// Hess are g's; elsewhere they are h's. f is not differentiable on the curve
// g = h; there the derivatives are g's.
//
// The parameters are nonnegative except Q3, with C3 > C2, and finite;
// Validate checks them. Methods have value receivers and do not allocate.
type QuadCircleComponent struct {
	Q1, Q2, Q3     float64
	C1, C2, C3, C4 float64
}

var (
	_ problems.Component = QuadCircleComponent{}
	_ problems.Hessianer = QuadCircleComponent{}
	_ problems.HessVecer = QuadCircleComponent{}
)

// Validate returns an error naming the first parameter that is not finite,
// is negative (all but Q3), or, for C3, does not exceed C2.
func (c QuadCircleComponent) Validate() error { return c.check("QuadCircleComponent ") }

// check is Validate with the parameter names prefixed by name.
func (c QuadCircleComponent) check(name string) error {
	for _, p := range []struct {
		name string
		v    float64
		neg  bool // negative values allowed
	}{
		{"Q1", c.Q1, false}, {"Q2", c.Q2, false}, {"Q3", c.Q3, true},
		{"C1", c.C1, false}, {"C2", c.C2, false}, {"C3", c.C3, false}, {"C4", c.C4, false},
	} {
		if math.IsNaN(p.v) || math.IsInf(p.v, 0) {
			return fmt.Errorf("paper: %s%s = %v is not finite", name, p.name, p.v)
		}
		if !p.neg && p.v < 0 {
			return fmt.Errorf("paper: %s%s = %v is negative", name, p.name, p.v)
		}
	}
	if !(c.C3 > c.C2) {
		return fmt.Errorf("paper: %sC3 = %v does not exceed %sC2 = %v", name, c.C3, name, c.C2)
	}
	return nil
}

// G returns the quadratic basin g(x) of (A1), or NaN if len(x) ≠ 2.
func (c QuadCircleComponent) G(x []float64) float64 {
	if len(x) != 2 {
		return math.NaN()
	}
	u := x[1] - c.Q2*x[0]*x[0] - c.Q3
	return c.Q1 * u * u
}

// H returns the circular basin h(x) of (A2), corrected, or NaN if
// len(x) ≠ 2.
func (c QuadCircleComponent) H(x []float64) float64 {
	if len(x) != 2 {
		return math.NaN()
	}
	r := math.Hypot(x[0], x[1])
	switch {
	case r <= c.C2:
		return c.C4
	case r >= c.C3:
		return c.C4 + c.C1
	}
	s := (r - c.C2) / (c.C3 - c.C2)
	return c.C4 + c.C1*s*s*s*(s*(6*s-15)+10)
}

// Func returns f(x) = min{g(x), h(x)} (A3).
func (c QuadCircleComponent) Func(x []float64) float64 {
	return math.Min(c.G(x), c.H(x))
}

// pieces returns u = x2 − Q2·x1² − Q3, r = ‖x‖ and whether g is the active
// piece at x (g(x) ≤ h(x), Remark 3).
func (c QuadCircleComponent) pieces(x []float64) (u, r float64, useG bool) {
	u = x[1] - c.Q2*x[0]*x[0] - c.Q3
	r = math.Hypot(x[0], x[1])
	var h float64
	switch {
	case r <= c.C2:
		h = c.C4
	case r >= c.C3:
		h = c.C4 + c.C1
	default:
		s := (r - c.C2) / (c.C3 - c.C2)
		h = c.C4 + c.C1*s*s*s*(s*(6*s-15)+10)
	}
	return u, r, c.Q1*u*u <= h
}

// Grad writes ∇f(x) into grad: 2·Q1·u·∇u with u = x2 − Q2·x1² − Q3 and
// ∇u = (−2·Q2·x1, 1) where g is active, else ∇h(x) = (C1·S'(σ)/(C3−C2))·x/r.
func (c QuadCircleComponent) Grad(grad, x []float64) {
	if len(grad) != 2 || len(x) != 2 {
		panic("paper: QuadCircleComponent.Grad: dimension mismatch")
	}
	u, r, useG := c.pieces(x)
	if useG {
		a := 2 * c.Q1 * u
		grad[0] = -2 * c.Q2 * x[0] * a
		grad[1] = a
		return
	}
	if r <= c.C2 || r >= c.C3 {
		grad[0], grad[1] = 0, 0
		return
	}
	d := c.C3 - c.C2
	s := (r - c.C2) / d
	ds := 30 * s * s * (s - 1) * (s - 1) // S'(σ)
	k := c.C1 * ds / (d * r)
	grad[0] = k * x[0]
	grad[1] = k * x[1]
}

// Hess writes ∇²f(x) into hess (2×2): 2·Q1·(∇u∇u' + u·diag(−2·Q2, 0)) where
// g is active, else
//
//	∇²h = (C1/(C3−C2))·[(S''(σ)/(C3−C2))·x̂x̂' + (S'(σ)/r)·(I − x̂x̂')],  x̂ = x/r,
//
// which is zero on the plateaus r ≤ C2 and r ≥ C3 (and at x = 0). An empty
// hess is resized to 2×2; another size, or len(x) ≠ 2, is a programming
// error and panics.
func (c QuadCircleComponent) Hess(hess *mat.SymDense, x []float64) {
	if hess.IsEmpty() {
		hess.ReuseAsSym(2)
	}
	if len(x) != 2 || hess.SymmetricDim() != 2 {
		panic("paper: QuadCircleComponent.Hess: dimension mismatch")
	}
	u, r, useG := c.pieces(x)
	if useG {
		u0 := -2 * c.Q2 * x[0]
		a := 2 * c.Q1
		hess.SetSym(0, 0, a*(u0*u0-2*c.Q2*u))
		hess.SetSym(0, 1, a*u0)
		hess.SetSym(1, 1, a)
		return
	}
	if r <= c.C2 || r >= c.C3 {
		hess.SetSym(0, 0, 0)
		hess.SetSym(0, 1, 0)
		hess.SetSym(1, 1, 0)
		return
	}
	d := c.C3 - c.C2
	s := (r - c.C2) / d
	ds := 30 * s * s * (s - 1) * (s - 1) // S'(σ)
	dds := 60 * s * (s - 1) * (2*s - 1)  // S''(σ)
	rad := c.C1 * dds / (d * d)          // radial curvature h''(r)
	tan := c.C1 * ds / (d * r)           // tangential curvature h'(r)/r
	e0, e1 := x[0]/r, x[1]/r
	hess.SetSym(0, 0, tan+(rad-tan)*e0*e0)
	hess.SetSym(0, 1, (rad-tan)*e0*e1)
	hess.SetSym(1, 1, tan+(rad-tan)*e1*e1)
}

// HessVec writes ∇²f(x)v into dst (the 2×2 Hessian of Hess applied to v).
func (c QuadCircleComponent) HessVec(dst, x, v []float64) {
	if len(dst) != 2 || len(v) != 2 {
		panic("paper: QuadCircleComponent.HessVec: dimension mismatch")
	}
	var h mat.SymDense
	h.ReuseAsSym(2)
	c.Hess(&h, x)
	a, b, d := h.At(0, 0), h.At(0, 1), h.At(1, 1)
	dst[0] = a*v[0] + b*v[1]
	dst[1] = b*v[0] + d*v[1]
}

// QuadCircle is the quadratic-circle sums objective of problems.Problem 4.1,
//
//	F(x) = Σ_i p_i min{g_i(x), h_i(x)}   (53),
//
// restricted in the paper to the open box (−10, 10) × (−20, 15) (problems.Box). It
// implements problems.Problem; it is immutable and safe for concurrent use.
type QuadCircle struct {
	comps []QuadCircleComponent
	w     []float64
}

var _ problems.Problem = (*QuadCircle)(nil)

// NewQuadCircle returns the quadratic-circle sum of the components c with
// weights w (nil or empty: uniform; see the package's weight rule). It
// returns an error naming c[i] and the parameter when a component fails
// Validate, when c is empty, or when w is invalid. c and w are copied.
func NewQuadCircle(c []QuadCircleComponent, w []float64) (*QuadCircle, error) {
	if len(c) == 0 {
		return nil, errors.New("paper: c is empty: a QuadCircle needs at least one component")
	}
	for i, ci := range c {
		if err := ci.check(fmt.Sprintf("c[%d].", i)); err != nil {
			return nil, err
		}
	}
	ww, err := problems.NormalizeWeights(w, len(c))
	if err != nil {
		return nil, err
	}
	return &QuadCircle{comps: append([]QuadCircleComponent(nil), c...), w: ww}, nil
}

// Dim returns 2.
func (q *QuadCircle) Dim() int { return 2 }

// Len returns the number of components N.
func (q *QuadCircle) Len() int { return len(q.comps) }

// Weight returns p_i.
func (q *QuadCircle) Weight(i int) float64 { return q.w[i] }

// Component returns f_i, a QuadCircleComponent.
func (q *QuadCircle) Component(i int) problems.Component { return q.comps[i] }

// Params returns the parameters of component i.
func (q *QuadCircle) Params(i int) QuadCircleComponent { return q.comps[i] }

// Func returns F(x) of (53).
func (q *QuadCircle) Func(x []float64) float64 {
	var f float64
	for i, c := range q.comps {
		f += q.w[i] * c.Func(x)
	}
	return f
}

// Box returns a new copy of the paper's feasible region, the closed box
// [−10, 10] × [−20, 15] (problems.Problem 4.1 states the open box; SGD-k projects onto
// the closed one).
func (q *QuadCircle) Box() *problems.Box {
	return &problems.Box{Lower: []float64{-10, -20}, Upper: []float64{10, 15}}
}

// Circular returns the centre of the circular basins, (0, 0). It is a local
// minimizer of F when every h_i is active near it (h_i(0) = C4_i < g_i(0)),
// as in the paper's models (QuadCircleModel); it is then homogeneous, every
// ∇f_i vanishing there.
func (q *QuadCircle) Circular() []float64 { return []float64{0, 0} }

// Quadratic returns (0, Q3) of the first component: the point where every
// parabola g_i = 0 meets the x2-axis when all Q3_i are equal. It is then a
// homogeneous minimizer of F (F = 0 there) when every g_i is active near it,
// as in the paper's models, where it is (0, −15).
func (q *QuadCircle) Quadratic() []float64 { return []float64{0, q.comps[0].Q3} }

// Parameters of the paper's four quadratic-circle models (QuadCircleModel).
const (
	qcModelN        = 30       // components, uniform weights 1/30
	qcModelFine     = 9        // fine walls: C3 = 10^(−9 + j/2), j = 0..8
	qcModelC4       = 0.01     // floor of every circular basin, h_i(0) = C4
	qcModelQ3       = -15      // every parabola passes through (0, −15)
	qcModelBroadC3  = 1        // radius of the broad walls
	qcModelSharpA   = 1.4e-11  // broad-wall height, Models 1 and 2
	qcModelFlatA    = 3.9e-15  // broad-wall height, Models 3 and 4
	qcModelSharpK   = 1.25e-11 // fine-wall curvature scale C1/C3², Models 1 and 2
	qcModelFlatK    = 1.25e-12 // fine-wall curvature scale, Models 3 and 4
	qcModelSharpQ   = 0.4015   // E[2·Q1], Models 1 and 3
	qcModelSharpVar = 1.3e-4   // Var(2·Q1), Models 1 and 3
	qcModelFlatQ    = 0.002008 // E[2·Q1], Models 2 and 4
	qcModelFlatVar  = 2.84e-9  // Var(2·Q1), Models 2 and 4
)

// QuadCircleModel returns Model 1, 2, 3 or 4 of Section 4 of the paper: a
// quadratic-circle sum (problems.Problem 4.1) of N = 30 components with uniform
// weights, whose two minimizers are the circular one at (0, 0) (Circular) and
// the quadratic one at (0, −15) (problems.Quadratic). Both are homogeneous: every
// component's gradient vanishes at both. The switch g_i = h_i stays far from
// both: at (0, 0) every g_i ≥ 0.2 while h_i ≤ 0.0100001, and within 0.1 of
// (0, −15) every g_i ≤ 3e-3 while h_i ≥ 0.01. Model 1 is sharp at both
// minimizers, Model 2 at the circular one only, Model 3 at the quadratic
// one only, Model 4 at neither. The paper does not give its parameters;
// these are this library's, deterministic and closed-form, chosen to
// reproduce its Tables 2–3 and Figures 5–7. For i = 0..29:
//
//	Q3_i = −15,  Q2_i = 0.5 + (11·i mod 30)/29 ∈ [0.5, 1.5],
//	2·Q1_i = a + √v·z_i,  z_i = ((7·i mod 30) − 14.5)/√((30²−1)/12),
//
// so that E[2·Q1] = a and Var(2·Q1) = v exactly: a = 0.4015, v = 1.3e-4
// (Models 1, 3) and a = 0.002008, v = 2.84e-9 (Models 2, 4), the values
// that the paper's quadratic-minimizer thresholds imply. Every
// C4_i = 0.01 and every C2_i = 0. The circular basins are of two kinds:
//
//   - fine walls, i = 0..8: C3_i = 10^(−9 + i/2) (1e-9 … 1e-5) and
//     C1_i = K·C3_i², a scale-invariant cascade of smoothstep walls whose
//     curvature C1_i·S″(σ)/C3_i² is of order K at every scale from 1e-9 to
//     1e-5; K = 1.25e-11 (Models 1, 2) or 1.25e-12 (Models 3, 4). They let
//     the paper's runs, started uniformly in the disc of radius 1e-8 about
//     (0, 0), move: over 100 runs of 20 iterations, SGD-1 first throws
//     runs out (to 10 times their starting distance) at C = 1e11 and not
//     at 5e10 for Models 1, 2, and at C = 1e12 and not at 5e11 for Models
//     3, 4, as in Figure 5, while gradient descent at 5e10 throws none out
//     (Figure 7). Runs thrown out stop near 1e-5, beyond the last fine wall.
//   - broad walls, i = 9..29 (weight 0.7): C3_i = 1 and C1_i = A, with
//     A = 1.4e-11 (Models 1, 2) or 3.9e-15 (Models 3, 4). Near 0,
//     h_i ≈ 0.01 + 10·A·r³. For radial h_i the ball average of Definition
//     3.14 is exactly H̄ = (Σ_i p_i h_i'(ε)/ε)·I (divergence theorem; the
//     fine walls, all inside the ball, add zero), here 0.7·A·30·ε(1−ε)²·I:
//     its eigenvalues grow in proportion to ε and the circular thresholds
//     fall as 1/ε (at ε = 5e-3, 1e-2, 2e-2, 4e-2 the k = ∞ divergence
//     threshold of Model 1 is 1.4e12, 7.0e11, 3.5e11, 1.9e11).
//
// Thresholds with ε = 2e-2, 1000 antithetic points and RankTol = 1e-3
// (geometry.Estimate; ranges over seeds 1..20). Circular minimizer: m = 2,
// λ_1 ≈ λ_2 ≈ 5.65e-12 (Models 1, 2) and 1.57e-15 (Models 3, 4); divergence
// at k = ∞ 3.47e11–3.65e11 (paper 3.583e11, 3.360e11) and 1.25e15–1.31e15
// (paper 1.273e15, 1.277e15), a sharp/flat ratio of 3600; at k = 1,
// 2.85e11–2.98e11 and 1.02e15–1.07e15 (paper 3.560e11, 3.339e11, 1.266e15,
// 1.269e15): s_f ≈ 0.2·λ² here, because the broad walls carry 70% of the
// weight. Convergence at k = ∞ 3.4e11–3.6e11 and 1.22e15–1.28e15 (paper
// 2.874e11, 3.180e11, 1.226e15, 1.201e15). The paper's k = 1 convergence
// thresholds (8.3e-5, 5.6e-6) imply t_f ≈ 1e15·λ² with s_f ≈ 0.007·λ²,
// which no model whose component Hessians commute (as radial ones about
// one centre do: the pointwise quotients are then variances of curvatures)
// can give; here t_f ≈ 0.85·λ² and the k = 1 convergence thresholds are
// 1.9e11–2.0e11 and 6.8e14–7.0e14. problems.Quadratic minimizer: the Hessian of g_i
// there is 2·Q1_i·e2·e2', so λ_1 = E[2·Q1] exactly; H̄'s second
// eigenvalue, from the spread of Q2 over the ball, is 7.2e-4·λ_1 (∝ ε²),
// which RankTol = 1e-3 discards (m = 1; see the rank rule of package geometry) for ε up to about 0.023;
// s_f ≈ 0.88·v.
// Divergence 4.981 (k = ∞) and 4.978 (k = 1) for Models 1, 3 (paper 4.981,
// 4.977), 996.0 and 995.4 for Models 2, 4 (paper 996.1, 995.4).
//
// The circular basin is shallow: within the unit disc F rises above
// F(0, 0) = 0.01 by about 1e-11 (Models 1, 2) or 3e-15 (Models 3, 4), far
// below what a plot of F shows; F(0, −15) = 0. The box is the paper's, problems.Box.
// An error names model when it is not 1..4.
func QuadCircleModel(model int) (*QuadCircle, error) {
	if model < 1 || model > 4 {
		return nil, fmt.Errorf("paper: model = %d, want 1, 2, 3 or 4", model)
	}
	sharpCircle := model == 1 || model == 2
	sharpQuad := model == 1 || model == 3
	a, v := qcModelFlatQ, qcModelFlatVar
	if sharpQuad {
		a, v = qcModelSharpQ, qcModelSharpVar
	}
	K, A := qcModelFlatK, qcModelFlatA
	if sharpCircle {
		K, A = qcModelSharpK, qcModelSharpA
	}
	const n = qcModelN
	sd := math.Sqrt((n*n - 1) / 12.0)
	c := make([]QuadCircleComponent, n)
	for i := range c {
		z := (float64((7*i)%n) - float64(n-1)/2) / sd
		ci := QuadCircleComponent{
			Q1: (a + math.Sqrt(v)*z) / 2,
			Q2: 0.5 + float64((11*i)%n)/float64(n-1),
			Q3: qcModelQ3,
			C4: qcModelC4,
		}
		if i < qcModelFine {
			ci.C3 = math.Pow(10, -9+float64(i)/2)
			ci.C1 = K * ci.C3 * ci.C3
		} else {
			ci.C3 = qcModelBroadC3
			ci.C1 = A
		}
		c[i] = ci
	}
	return NewQuadCircle(c, nil)
}
