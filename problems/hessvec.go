package problems

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/internal/valid"
)

// FDHessVecStep is the relative step of the finite-difference
// Hessian-vector product of FDHessVec: along a direction v the point is
// moved by ±h·v with
//
//	h = FDHessVecStep·max(1, ‖x‖)/‖v‖,
//
// so that the displacement h‖v‖ = FDHessVecStep·max(1, ‖x‖) is relative to
// the size of x and does not depend on the scale of v. The central
// difference (∇f(x + hv) − ∇f(x − hv))/(2h) has a truncation error of
// (h²/6)·∇⁴f(x)[v, v, v] (order h², zero when f is quadratic) and a
// rounding error of order ε‖∇f‖/h (ε the machine epsilon); the step, close
// to ε^{1/3}, balances them, so that ∇²f(x)v is obtained with an error of
// order 1e-10 relative to ‖v‖ times the scale of the gradient and its third
// derivatives.
const FDHessVecStep = 6e-6

// FDHessianStep is the relative step of FDHessian: coordinate j is perturbed
// by h_j = FDHessianStep·max(1, |x_j|). It is close to ε^{1/3} (ε the machine
// epsilon), which balances the O(h²) truncation error of central differences
// against the O(ε/h) rounding error, so that each Hessian entry has an error
// of order 1e-10 relative to the gradient's and third derivatives' scale.
const FDHessianStep = 6e-6

// FDHessVec returns a Component whose Func and Grad are c's and which
// implements HessVecer by the central difference of the gradient along v,
//
//	∇²f(x)v ≈ (∇f(x + hv) − ∇f(x − hv)) / (2h),
//
// with the step h of FDHessVecStep (accuracy O(h²); see there). It costs
// two gradient evaluations per product, and v = 0 gives 0 exactly. The
// returned component is safe for concurrent use when c is; its scratch space
// comes from a sync.Pool.
func FDHessVec(c Component) Component {
	return &fdHessVec{c: c}
}

type fdHessVec struct {
	c    Component
	pool sync.Pool // *fdScratch
}

type fdScratch struct {
	xh, gp, gm []float64
}

func getScratch(pool *sync.Pool, n int) *fdScratch {
	s, _ := pool.Get().(*fdScratch)
	if s == nil || len(s.xh) != n {
		s = &fdScratch{xh: make([]float64, n), gp: make([]float64, n), gm: make([]float64, n)}
	}
	return s
}

func (f *fdHessVec) Func(x []float64) float64 { return f.c.Func(x) }

func (f *fdHessVec) Grad(grad, x []float64) { f.c.Grad(grad, x) }

// HessVec writes the central-difference approximation of ∇²f(x)v into dst.
func (f *fdHessVec) HessVec(dst, x, v []float64) {
	fdHessVecOf(f.c, &f.pool, dst, x, v)
}

func fdHessVecOf(c Component, pool *sync.Pool, dst, x, v []float64) {
	n := len(x)
	if len(dst) != n || len(v) != n {
		panic(fmt.Sprintf("problems: finite-difference HessVec: len(dst) = %d, len(v) = %d, want len(x) = %d", len(dst), len(v), n))
	}
	nv := floats.Norm(v, 2)
	if nv == 0 {
		clear(dst)
		return
	}
	h := FDHessVecStep * math.Max(1, floats.Norm(x, 2)) / nv
	s := getScratch(pool, n)
	floats.AddScaledTo(s.xh, x, h, v)
	c.Grad(s.gp, s.xh)
	floats.AddScaledTo(s.xh, x, -h, v)
	c.Grad(s.gm, s.xh)
	floats.SubTo(dst, s.gp, s.gm)
	floats.Scale(1/(2*h), dst)
	pool.Put(s)
}

// FDHessian returns a Component whose Func and Grad are c's and which
// implements Hessianer by the central difference of the gradient,
//
//	H[:, j] = (∇f(x + h_j e_j) − ∇f(x − h_j e_j)) / (2 h_j),
//
// symmetrised as (H + H')/2, with the step h_j of FDHessianStep. It costs 2p
// gradient evaluations per Hessian. The returned component is safe for
// concurrent use when c is; Hess takes its scratch space from a sync.Pool
// and allocates hess when it is empty.
func FDHessian(c Component) Component {
	return &fdHessian{c: c}
}

type fdHessian struct {
	c    Component
	pool sync.Pool // *fdScratch
}

func (f *fdHessian) Func(x []float64) float64 { return f.c.Func(x) }

func (f *fdHessian) Grad(grad, x []float64) { f.c.Grad(grad, x) }

// Hess writes the central-difference Hessian into hess.
func (f *fdHessian) Hess(hess *mat.SymDense, x []float64) {
	n := len(x)
	valid.ResizeSym("problems", hess, n)
	s := getScratch(&f.pool, n)
	copy(s.xh, x)
	for j := 0; j < n; j++ {
		h := FDHessianStep * math.Max(1, math.Abs(x[j]))
		xp, xm := x[j]+h, x[j]-h
		s.xh[j] = xp
		f.c.Grad(s.gp, s.xh)
		s.xh[j] = xm
		f.c.Grad(s.gm, s.xh)
		s.xh[j] = x[j]
		d := xp - xm // the perturbation actually applied, after rounding
		for a := 0; a < n; a++ {
			v := (s.gp[a] - s.gm[a]) / d
			switch {
			case a < j:
				hess.SetSym(a, j, (hess.At(a, j)+v)/2)
			case a > j:
				// Entry (a, j) of the column is completed when column a is
				// computed; store this half now.
				hess.SetSym(a, j, v)
			default:
				hess.SetSym(j, j, v)
			}
		}
	}
	f.pool.Put(s)
}

// HessianForm names a way HessVecOf and HessianOf evaluate a component's
// second derivatives; HessVecFormOf and HessianFormOf give each one's order
// of preference.
type HessianForm int

const (
	// FormHessVec: the component implements HessVecer.
	FormHessVec HessianForm = iota
	// FormRankOne: the component implements RankOneHessianer or
	// RankOneDiagHessianer.
	FormRankOne
	// FormDiagonal: the component implements DiagonalHessianer.
	FormDiagonal
	// FormDense: the component implements Hessianer.
	FormDense
	// FormFiniteDifference: central differences of Grad (FDHessVec,
	// FDHessian).
	FormFiniteDifference
)

// String returns the name of the form.
func (f HessianForm) String() string {
	switch f {
	case FormHessVec:
		return "hessvec"
	case FormRankOne:
		return "rank-one"
	case FormDiagonal:
		return "diagonal"
	case FormDense:
		return "dense"
	case FormFiniteDifference:
		return "finite-difference"
	}
	return fmt.Sprintf("HessianForm(%d)", int(f))
}

// HessVecFormOf returns the form HessVecOf uses for c: the first of
// RankOneHessianer (or RankOneDiagHessianer), DiagonalHessianer, HessVecer (in that order, since the
// structured forms cost O(p) with no dispatch through a general product),
// Hessianer (a dense p×p Hessian per product, p² work) and finite
// differences of Grad (two gradients per product) that c implements.
func HessVecFormOf(c Component) HessianForm {
	switch c.(type) {
	case RankOneHessianer, RankOneDiagHessianer:
		return FormRankOne
	case DiagonalHessianer:
		return FormDiagonal
	case HessVecer:
		return FormHessVec
	case Hessianer:
		return FormDense
	}
	return FormFiniteDifference
}

// HessVecOf returns a HessVecer for c by the form HessVecFormOf(c) names: the
// component's own structure when it has one, a dense Hessian times v, or the
// finite-difference product of FDHessVec. The result is safe for concurrent
// use when c is (its scratch space comes from a sync.Pool).
func HessVecOf(c Component) HessVecer {
	switch HessVecFormOf(c) {
	case FormRankOne:
		return rankOneHV{rankOneOf(c)}
	case FormDiagonal:
		return &diagHV{d: c.(DiagonalHessianer)}
	case FormHessVec:
		return c.(HessVecer)
	case FormDense:
		return &denseHV{h: c.(Hessianer)}
	}
	return &fdHessVec{c: c}
}

// rankOne is a RankOneHessianer or a RankOneDiagHessianer: ∇²f(x) =
// scale·aa' + ρI when d is nil, scale·aa' + diag(d) otherwise.
type rankOne struct {
	hess func(x []float64) (float64, []float64)
	rho  float64
	d    []float64
}

// rankOneOf returns the rank-one form of c, which implements
// RankOneHessianer or RankOneDiagHessianer (the first when both).
func rankOneOf(c Component) rankOne {
	if r, ok := c.(RankOneHessianer); ok {
		return rankOne{hess: r.RankOneHess, rho: r.Ridge()}
	}
	r := c.(RankOneDiagHessianer)
	return rankOne{hess: r.RankOneHess, d: r.RidgeDiag()}
}

// ridge returns the (a, b) entry of the constant part.
func (r rankOne) ridge(a, b int) float64 {
	switch {
	case a != b:
		return 0
	case r.d != nil:
		return r.d[a]
	}
	return r.rho
}

type rankOneHV struct{ r rankOne }

// HessVec writes (scale·a'v)a + ρv (or + d ⊙ v) into dst.
func (r rankOneHV) HessVec(dst, x, v []float64) {
	s, a := r.r.hess(x)
	if r.r.d != nil {
		floats.MulTo(dst, r.r.d, v)
	} else {
		floats.ScaleTo(dst, r.r.rho, v)
	}
	floats.AddScaled(dst, s*floats.Dot(a, v), a)
}

type diagHV struct {
	d    DiagonalHessianer
	pool sync.Pool // *[]float64
}

func (d *diagHV) HessVec(dst, x, v []float64) {
	bp, _ := d.pool.Get().(*[]float64)
	if bp == nil || len(*bp) != len(x) {
		b := make([]float64, len(x))
		bp = &b
	}
	d.d.DiagonalHess(*bp, x)
	floats.MulTo(dst, *bp, v)
	d.pool.Put(bp)
}

type denseHV struct {
	h    Hessianer
	pool sync.Pool // *mat.SymDense
}

func (d *denseHV) HessVec(dst, x, v []float64) {
	n := len(x)
	m, _ := d.pool.Get().(*mat.SymDense)
	if m == nil || m.SymmetricDim() != n {
		m = mat.NewSymDense(n, nil)
	}
	d.h.Hess(m, x)
	mat.NewVecDense(n, dst).MulVec(m, mat.NewVecDense(n, v))
	d.pool.Put(m)
}

// HessianFormOf returns the form HessianOf uses for c: Hessianer first (the
// component's own dense Hessian), then RankOneHessianer (or
// RankOneDiagHessianer), DiagonalHessianer,
// HessVecer (p products, one per column) and finite differences of Grad
// (FDHessian, 2p gradients).
func HessianFormOf(c Component) HessianForm {
	switch c.(type) {
	case Hessianer:
		return FormDense
	case RankOneHessianer, RankOneDiagHessianer:
		return FormRankOne
	case DiagonalHessianer:
		return FormDiagonal
	case HessVecer:
		return FormHessVec
	}
	return FormFiniteDifference
}

// HessianOf returns a Hessianer for c by the form HessianFormOf(c) names.
// Built from Hessian-vector products, column j is ∇²f(x)e_j and the result
// is symmetrised as (H + H')/2. The result is safe for concurrent use when c
// is; an empty hess is resized.
func HessianOf(c Component) Hessianer {
	switch HessianFormOf(c) {
	case FormDense:
		return c.(Hessianer)
	case FormRankOne:
		return rankOneH{rankOneOf(c)}
	case FormDiagonal:
		return &diagH{d: c.(DiagonalHessianer)}
	case FormHessVec:
		return &hvH{hv: c.(HessVecer)}
	}
	return &fdHessian{c: c}
}

type rankOneH struct{ r rankOne }

func (r rankOneH) Hess(hess *mat.SymDense, x []float64) {
	s, a := r.r.hess(x)
	n := len(x)
	valid.ResizeSym("problems", hess, n)
	for i, ai := range a {
		for j := i; j < n; j++ {
			hess.SetSym(i, j, s*ai*a[j]+r.r.ridge(i, j))
		}
	}
}

type diagH struct {
	d    DiagonalHessianer
	pool sync.Pool // *[]float64
}

func (d *diagH) Hess(hess *mat.SymDense, x []float64) {
	n := len(x)
	valid.ResizeSym("problems", hess, n)
	bp, _ := d.pool.Get().(*[]float64)
	if bp == nil || len(*bp) != n {
		b := make([]float64, n)
		bp = &b
	}
	d.d.DiagonalHess(*bp, x)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			v := 0.0
			if i == j {
				v = (*bp)[i]
			}
			hess.SetSym(i, j, v)
		}
	}
	d.pool.Put(bp)
}

type hvH struct {
	hv   HessVecer
	pool sync.Pool // *fdScratch: xh = e_j, gp = column
}

func (h *hvH) Hess(hess *mat.SymDense, x []float64) {
	n := len(x)
	valid.ResizeSym("problems", hess, n)
	s := getScratch(&h.pool, n)
	clear(s.xh)
	for j := 0; j < n; j++ {
		s.xh[j] = 1
		h.hv.HessVec(s.gp, x, s.xh)
		s.xh[j] = 0
		for a := 0; a < n; a++ {
			switch {
			case a < j:
				hess.SetSym(a, j, (hess.At(a, j)+s.gp[a])/2)
			default:
				hess.SetSym(a, j, s.gp[a])
			}
		}
	}
	h.pool.Put(s)
}

// ExpectedHessVecOf returns an ExpectedHessVecer for p: p itself when it
// implements ExpectedHessVecer, else the weighted sum Σ_i p_i ∇²f_i(x)v of
// the component products of HessVecOf. The result is safe for concurrent
// use when p's components are.
func ExpectedHessVecOf(p Problem) ExpectedHessVecer {
	if e, ok := p.(ExpectedHessVecer); ok {
		return e
	}
	s := &sumHV{w: make([]float64, p.Len()), hv: make([]HessVecer, p.Len())}
	for i := range s.w {
		s.w[i] = p.Weight(i)
		s.hv[i] = HessVecOf(p.Component(i))
	}
	return s
}

type sumHV struct {
	w    []float64
	hv   []HessVecer
	pool sync.Pool // *[]float64
}

func (s *sumHV) ExpectedHessVec(dst, x, v []float64) {
	bp, _ := s.pool.Get().(*[]float64)
	if bp == nil || len(*bp) != len(x) {
		b := make([]float64, len(x))
		bp = &b
	}
	clear(dst)
	for i, h := range s.hv {
		h.HessVec(*bp, x, v)
		floats.AddScaled(dst, s.w[i], *bp)
	}
	s.pool.Put(bp)
}
