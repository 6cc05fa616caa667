package problems

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/internal/valid"
)

// CheckSettings controls CheckDerivatives. The zero value of a field means
// its documented default; a negative or NaN value is an error.
type CheckSettings struct {
	// Step is the relative finite-difference step: at a point x the step is
	// Step·max(1, max_j |x_j|). The default, 6e-6 (gonum's fd.Central step,
	// ≈ ε^{1/3}), gives central-difference errors of order 1e-10 relative to
	// the scale of the function's third derivatives and values.
	Step float64
}

// DerivativeError is a worst-case error of a derivative check and where it
// was attained. Err is the mixed error in the max norm,
//
//	max_j |a_j − b_j| / max(1, max_j |b_j|),
//
// of the tested derivative a against the reference b (absolute for
// references below one in size, relative above). Err is NaN, and then
// counts as the worst possible error, when a or b had a non-finite entry.
type DerivativeError struct {
	Err       float64
	Component int // component index; -1 for a problem-level check
	Point     int // index into the points
}

// DerivativeReport is the result of CheckDerivatives. Per-component slices
// have one entry per component; the problem-level and optional-interface
// entries are nil when the problem or its components do not implement the
// interface being checked.
type DerivativeReport struct {
	// Grad[i]: ∇f_i against fd.Gradient of f_i (central differences).
	Grad []DerivativeError
	// Hess[i]: ∇²f_i against fd.Jacobian of ∇f_i (central differences),
	// with ∇²f_i from HessianOf (the component's dense Hessian when it has
	// one, else built from its structure or products).
	Hess []DerivativeError
	// HessVec[i]: the component's HessVec against the finite-difference
	// Hessian times v, for v = (1, 2, …, p)/p and every unit vector e_j.
	// Nil unless some component implements HessVecer; then the entries of
	// components that do not implement it are zero.
	HessVec []DerivativeError
	// DiagonalHess[i]: DiagonalHess of f_i against the diagonal of its Hess,
	// with the off-diagonal entries of Hess counted as errors (which must be
	// zero). Nil unless some component implements DiagonalHessianer; then
	// the entries of components that do not implement it are zero.
	DiagonalHess []DerivativeError
	// ExpectedGrad: the problem's ExpectedGrad against Σ_i p_i ∇f_i.
	ExpectedGrad *DerivativeError
	// ExpectedHess: the problem's ExpectedHess against Σ_i p_i ∇²f_i.
	ExpectedHess *DerivativeError
	// ExpectedHessVec: the problem's ExpectedHessVec against
	// (Σ_i p_i ∇²f_i)v for the same vectors as HessVec.
	ExpectedHessVec *DerivativeError
	// DiagonalMoments: the problem's DiagonalMoments against the dense H(x)
	// and M(x) = Σ_i p_i ∇²f_i H ∇²f_i − H³ summed from the
	// component Hessians, with off-diagonal entries counted as errors.
	DiagonalMoments *DerivativeError
}

// Worst returns the largest error in r (a NaN error is the largest).
func (r *DerivativeReport) Worst() DerivativeError {
	w := DerivativeError{Component: -1, Point: -1}
	for _, s := range [][]DerivativeError{r.Grad, r.Hess, r.HessVec, r.DiagonalHess} {
		for _, e := range s {
			w = worse(w, e)
		}
	}
	for _, e := range []*DerivativeError{r.ExpectedGrad, r.ExpectedHess, r.ExpectedHessVec, r.DiagonalMoments} {
		if e != nil {
			w = worse(w, *e)
		}
	}
	return w
}

// WorstGrad returns the largest gradient error over the components.
func (r *DerivativeReport) WorstGrad() DerivativeError { return worstOf(r.Grad) }

// WorstHess returns the largest Hessian error over the components.
func (r *DerivativeReport) WorstHess() DerivativeError { return worstOf(r.Hess) }

func worstOf(s []DerivativeError) DerivativeError {
	w := DerivativeError{Component: -1, Point: -1}
	for _, e := range s {
		w = worse(w, e)
	}
	return w
}

// worse returns the worse of a and b; NaN is worst, ties keep a.
func worse(a, b DerivativeError) DerivativeError {
	if math.IsNaN(a.Err) {
		return a
	}
	if math.IsNaN(b.Err) || b.Err > a.Err {
		return b
	}
	return a
}

// CheckDerivatives compares, at every point, each component's gradient with
// a central finite difference of its value (fd.Gradient) and its Hessian with
// a central finite difference of its gradient (fd.Jacobian, more accurate
// than second differences of the value), and records the worst error per
// component and where it occurred. When p implements ExpectedGrader,
// ExpectedHessianer or DiagonalMomenter, or a component implements
// DiagonalHessianer, those fast paths are checked against the generic sums.
//
// It never skips silently: every component is checked at every point and a
// non-finite derivative is reported as a NaN error. It returns an error only
// for bad arguments (nil p, no points, a point of the wrong length or with a
// non-finite entry, a bad setting), naming the argument. The caller decides
// what error is acceptable; with the default step, correct derivatives of
// well-scaled smooth functions give errors around 1e-9 or smaller.
func CheckDerivatives(p Problem, points [][]float64, settings *CheckSettings) (*DerivativeReport, error) {
	if p == nil {
		return nil, errors.New("problems: CheckDerivatives: p is nil")
	}
	n := p.Dim()
	if err := valid.Dim("problems", "p.Dim()", n); err != nil {
		return nil, err
	}
	if p.Len() < 1 {
		return nil, fmt.Errorf("problems: CheckDerivatives: p.Len() = %d, want at least 1", p.Len())
	}
	if len(points) == 0 {
		return nil, errors.New("problems: CheckDerivatives: points is empty")
	}
	for k, x := range points {
		if err := valid.Vec("problems", fmt.Sprintf("points[%d]", k), x, n); err != nil {
			return nil, err
		}
	}
	step := fd.Central.Step
	if settings != nil {
		switch s := settings.Step; {
		case math.IsNaN(s) || s < 0 || math.IsInf(s, 0):
			return nil, fmt.Errorf("problems: CheckSettings.Step = %v, want a positive finite step (0 for the default)", s)
		case s > 0:
			step = s
		}
	}

	N := p.Len()
	rep := &DerivativeReport{
		Grad: make([]DerivativeError, N),
		Hess: make([]DerivativeError, N),
	}
	for i := range rep.Grad {
		rep.Grad[i] = DerivativeError{Component: i, Point: -1}
		rep.Hess[i] = DerivativeError{Component: i, Point: -1}
	}
	anyDiag, anyHV := false, false
	for i := 0; i < N; i++ {
		if _, ok := p.Component(i).(DiagonalHessianer); ok {
			anyDiag = true
		}
		if _, ok := p.Component(i).(HessVecer); ok {
			anyHV = true
		}
	}
	if anyHV {
		rep.HessVec = make([]DerivativeError, N)
		for i := range rep.HessVec {
			rep.HessVec[i] = DerivativeError{Component: i, Point: -1}
		}
	}
	if anyDiag {
		rep.DiagonalHess = make([]DerivativeError, N)
		for i := range rep.DiagonalHess {
			rep.DiagonalHess[i] = DerivativeError{Component: i, Point: -1}
		}
	}
	eg, hasEG := p.(ExpectedGrader)
	eh, hasEH := p.(ExpectedHessianer)
	dm, hasDM := p.(DiagonalMomenter)
	ehv, hasEHV := p.(ExpectedHessVecer)
	if hasEHV {
		rep.ExpectedHessVec = &DerivativeError{Component: -1, Point: -1}
	}
	// The probe vectors of the HessVec checks: every e_j and one dense v.
	probes := make([][]float64, n+1)
	for j := 0; j < n; j++ {
		probes[j] = make([]float64, n)
		probes[j][j] = 1
	}
	probes[n] = make([]float64, n)
	for j := range probes[n] {
		probes[n][j] = float64(j+1) / float64(n)
	}
	hv := make([]float64, n)
	ref := make([]float64, n)
	if hasEG {
		rep.ExpectedGrad = &DerivativeError{Component: -1, Point: -1}
	}
	if hasEH {
		rep.ExpectedHess = &DerivativeError{Component: -1, Point: -1}
	}
	if hasDM {
		rep.DiagonalMoments = &DerivativeError{Component: -1, Point: -1}
	}

	g := make([]float64, n)
	gfd := make([]float64, n)
	diag := make([]float64, n)
	gsum := make([]float64, n)
	hess := mat.NewSymDense(n, nil)
	jac := mat.NewDense(n, n, nil)
	hs := make([]*mat.SymDense, N)
	xc := make([]float64, n)
	for k, x := range points {
		h := step * math.Max(1, maxAbs(x))
		for j := range gsum {
			gsum[j] = 0
		}
		for i := 0; i < N; i++ {
			c := p.Component(i)
			copy(xc, x)
			c.Grad(g, xc)
			fd.Gradient(gfd, c.Func, xc, &fd.Settings{Formula: fd.Central, Step: h})
			rep.Grad[i] = worse(rep.Grad[i], DerivativeError{Err: mixedErr(g, gfd), Component: i, Point: k})
			for j := range g {
				gsum[j] += p.Weight(i) * g[j]
			}

			hi := mat.NewSymDense(n, nil)
			HessianOf(c).Hess(hi, xc)
			hs[i] = hi
			fd.Jacobian(jac, c.Grad, xc, &fd.JacobianSettings{Formula: fd.Central, Step: h})
			rep.Hess[i] = worse(rep.Hess[i], DerivativeError{Err: mixedErrMat(hi, jac), Component: i, Point: k})
			if hc, ok := c.(HessVecer); ok {
				for _, v := range probes {
					hc.HessVec(hv, xc, v)
					mat.NewVecDense(n, ref).MulVec(jac, mat.NewVecDense(n, v))
					rep.HessVec[i] = worse(rep.HessVec[i], DerivativeError{Err: mixedErr(hv, ref), Component: i, Point: k})
				}
			}

			if d, ok := c.(DiagonalHessianer); ok {
				d.DiagonalHess(diag, xc)
				rep.DiagonalHess[i] = worse(rep.DiagonalHess[i], DerivativeError{Err: diagErr(diag, hi), Component: i, Point: k})
			}
		}
		if hasEG {
			eg.ExpectedGrad(g, xc)
			*rep.ExpectedGrad = worse(*rep.ExpectedGrad, DerivativeError{Err: mixedErr(g, gsum), Component: -1, Point: k})
		}
		hsum := mat.NewSymDense(n, nil)
		for i, hi := range hs {
			hsum.AddSym(hsum, scaledSym(p.Weight(i), hi))
		}
		if hasEH {
			hess.Zero()
			eh.ExpectedHess(hess, xc)
			*rep.ExpectedHess = worse(*rep.ExpectedHess, DerivativeError{Err: mixedErrMat(hess, hsum), Component: -1, Point: k})
		}
		if hasEHV {
			for _, v := range probes {
				ehv.ExpectedHessVec(hv, xc, v)
				mat.NewVecDense(n, ref).MulVec(hsum, mat.NewVecDense(n, v))
				*rep.ExpectedHessVec = worse(*rep.ExpectedHessVec, DerivativeError{Err: mixedErr(hv, ref), Component: -1, Point: k})
			}
		}
		if hasDM {
			hd := make([]float64, n)
			md := make([]float64, n)
			dm.DiagonalMoments(hd, md, xc)
			m := momentFrom(hs, p, hsum)
			e := diagErr(hd, hsum)
			if em := diagErr(md, m); math.IsNaN(em) || em > e {
				e = em
			}
			*rep.DiagonalMoments = worse(*rep.DiagonalMoments, DerivativeError{Err: e, Component: -1, Point: k})
		}
	}
	return rep, nil
}

// momentFrom returns M = Σ_i p_i H_i H H_i − H³.
func momentFrom(hs []*mat.SymDense, p Problem, h *mat.SymDense) *mat.Dense {
	var acc, t, u, h3 mat.Dense
	n := h.SymmetricDim()
	acc.ReuseAs(n, n)
	for i, hi := range hs {
		t.Mul(h, hi)
		u.Mul(hi, &t)
		u.Scale(p.Weight(i), &u)
		acc.Add(&acc, &u)
	}
	t.Mul(h, h)
	h3.Mul(&t, h)
	acc.Sub(&acc, &h3)
	return &acc
}

func scaledSym(f float64, a *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(f, a)
	return &s
}

func maxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		m = math.Max(m, math.Abs(v))
	}
	return m
}

// mixedErr returns max_j |a_j − b_j| / max(1, max_j |b_j|), NaN if any entry
// is not finite.
func mixedErr(a, b []float64) float64 {
	var d, s float64
	for j := range a {
		if !finite(a[j]) || !finite(b[j]) {
			return math.NaN()
		}
		d = math.Max(d, math.Abs(a[j]-b[j]))
		s = math.Max(s, math.Abs(b[j]))
	}
	return d / math.Max(1, s)
}

// mixedErrMat is mixedErr over all entries of two n×n matrices.
func mixedErrMat(a, b mat.Matrix) float64 {
	n, _ := a.Dims()
	var d, s float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			x, y := a.At(i, j), b.At(i, j)
			if !finite(x) || !finite(y) {
				return math.NaN()
			}
			d = math.Max(d, math.Abs(x-y))
			s = math.Max(s, math.Abs(y))
		}
	}
	return d / math.Max(1, s)
}

// diagErr compares diag with the diagonal of the dense matrix a and counts
// the off-diagonal entries of a as errors.
func diagErr(diag []float64, a mat.Matrix) float64 {
	n := len(diag)
	var d, s float64
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			y := a.At(i, j)
			x := 0.0
			if i == j {
				x = diag[i]
			}
			if !finite(x) || !finite(y) {
				return math.NaN()
			}
			d = math.Max(d, math.Abs(x-y))
			s = math.Max(s, math.Abs(y))
		}
	}
	return d / math.Max(1, s)
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
