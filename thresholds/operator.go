package thresholds

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry/spectral"
)

// operatorDenseMax is the largest size m(m+1)/2 of the symmetric eigenproblem
// that MeanSquareOperator assembles densely; larger ones use Lanczos.
const operatorDenseMax = 400

// lanczosBudget is the largest number of Lanczos steps MeanSquareOperator
// takes before it reports non-convergence.
const lanczosBudget = 300

// MeanSquareOperator returns the exact mean-square threshold
// C*(k) = sup{C > 0 : ρ(T_C) < 1} of SPEC §8 for a homogeneous stochastic
// quadratic given by its expected Hessian h = E[Q] and its fourth-moment map
// fourth: S ↦ E[Q S Q] (fourth writes E[Q S Q] into dst, p×p, and must not
// modify s). It is the operator form of MeanSquare: a problem whose fourth
// moments are known in closed form (Gaussian least squares:
// E[Q S Q] = 2ΣSΣ + tr(SΣ)Σ) gets C*(k) without sampling or components.
//
// With L(S) = HS + SH and B(S) = (1 − 1/k)HSH + (1/k)E[QSQ], restricted to
// symmetric S on range(H) (eigenvalues of H above RankTol·λ_1),
// C*(k) = 1/λ_max(L^{-1/2} B L^{-1/2}): a symmetric eigenproblem of size
// m(m+1)/2, m = rank(H). In the eigenbasis of H, L^{-1/2} divides entry
// (a, b) by √(h_a + h_b). Problems of size up to 400 are assembled densely
// (m(m+1)/2 applications of fourth) and solved with mat.EigenSym; larger ones
// use the Lanczos solver spectral.Top, applying the operator matrix-free
// (each application costs one call of fourth and O(p³) work), started from
// S = I (the top eigenvector is positive semidefinite, so it overlaps I) and
// converged to a relative Ritz residual of 1e-10. If Lanczos has not
// converged after lanczosBudget = 300 applications, MeanSquareOperator
// returns an error rather than the unconverged Ritz value (a lower bound of
// the top eigenvalue, which would overestimate C*). For Gaussian
// fourth moments at p = 200 it converges in 5 (k = 1) to 43 (k = 1000)
// steps, plus one application that measures the residual.
//
// k is the batch size (k ≥ 1; math.Inf(1) is gradient descent, for which
// C*(∞) = 2/λ_1 and fourth is not called). The restriction to range(H) is
// exact when every Q is positive semidefinite (then null(H) ⊂ null(Q)). If
// λ_max ≤ 0 (no noise can destabilize) the threshold is +Inf.
//
// It returns an error naming the argument when h is not finite and symmetric
// positive semidefinite with a positive eigenvalue, fourth is nil or returns
// a non-finite matrix, or k < 1 or NaN.
func MeanSquareOperator(h mat.Symmetric, fourth func(dst *mat.SymDense, s mat.Symmetric), k float64) (float64, error) {
	if !validK(k) {
		return math.NaN(), fmt.Errorf("thresholds: k = %v must be at least 1 (or +Inf)", k)
	}
	if h == nil {
		return math.NaN(), errors.New("thresholds: h is nil")
	}
	if fourth == nil && !math.IsInf(k, 1) {
		return math.NaN(), errors.New("thresholds: fourth is nil")
	}
	vals, u, err := rangeBasis(h)
	if err != nil {
		return math.NaN(), err
	}
	if math.IsInf(k, 1) {
		return 2 / vals[0], nil
	}
	op := newMSOperator(vals, u, fourth, k)
	var lmax float64
	if op.n <= operatorDenseMax {
		lmax, err = op.denseMax()
	} else {
		lmax, err = op.lanczosMax(1e-10, lanczosBudget)
	}
	if err != nil {
		return math.NaN(), err
	}
	if lmax <= 0 {
		return math.Inf(1), nil
	}
	return 1 / lmax, nil
}

// rangeBasis returns the eigenvalues of h above RankTol·λ_1,
// descending, and their eigenvectors as the columns of a p×m matrix.
func rangeBasis(h mat.Symmetric) ([]float64, *mat.Dense, error) {
	p := h.SymmetricDim()
	if p == 0 {
		return nil, nil, errors.New("thresholds: h is empty")
	}
	for i := 0; i < p; i++ {
		for j := 0; j <= i; j++ {
			if v := h.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("thresholds: h[%d][%d] = %v is not finite", i, j, v)
			}
		}
	}
	var es mat.EigenSym
	if !es.Factorize(h, true) {
		return nil, nil, errors.New("thresholds: eigendecomposition of h failed")
	}
	all := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	l1 := all[p-1]
	if !(l1 > 0) {
		return nil, nil, fmt.Errorf("thresholds: h has no positive eigenvalue (largest %v)", l1)
	}
	if all[0] < -RankTol*l1 {
		return nil, nil, fmt.Errorf("thresholds: h is indefinite (eigenvalue %v, largest %v)", all[0], l1)
	}
	var idx []int
	for j := p - 1; j >= 0; j-- {
		if all[j] > RankTol*l1 {
			idx = append(idx, j)
		}
	}
	vals := make([]float64, len(idx))
	u := mat.NewDense(p, len(idx), nil)
	for c, j := range idx {
		vals[c] = all[j]
		for i := 0; i < p; i++ {
			u.Set(i, c, vecs.At(i, j))
		}
	}
	return vals, u, nil
}

// msOperator applies A = L^{-1/2} B L^{-1/2} on vectors of length
// n = m(m+1)/2 that hold symmetric m×m matrices in the eigenbasis of H:
// diagonal entries first, then √2·S_ab for a < b, so that the Euclidean inner
// product is the Frobenius one and A is a symmetric matrix.
type msOperator struct {
	m, p, n int
	vals    []float64
	u       *mat.Dense
	fourth  func(dst *mat.SymDense, s mat.Symmetric)
	k       float64

	s, tmp, y  *mat.Dense // m×m, p×m scratch, m×m
	big        *mat.Dense // p×p
	sym, fsym  *mat.SymDense
	scale      []float64 // 1/√(h_a + h_b) in vector order
	ia, ib     []int
	badFourth  bool
	badFourthV float64
}

func newMSOperator(vals []float64, u *mat.Dense, fourth func(*mat.SymDense, mat.Symmetric), k float64) *msOperator {
	p, m := u.Dims()
	n := m * (m + 1) / 2
	op := &msOperator{
		m: m, p: p, n: n, vals: vals, u: u, fourth: fourth, k: k,
		s: mat.NewDense(m, m, nil), tmp: mat.NewDense(p, m, nil), y: mat.NewDense(m, m, nil),
		big: mat.NewDense(p, p, nil), sym: mat.NewSymDense(p, nil), fsym: mat.NewSymDense(p, nil),
		scale: make([]float64, n), ia: make([]int, n), ib: make([]int, n),
	}
	idx := 0
	for a := 0; a < m; a++ {
		op.ia[idx], op.ib[idx] = a, a
		idx++
	}
	for a := 0; a < m; a++ {
		for b := a + 1; b < m; b++ {
			op.ia[idx], op.ib[idx] = a, b
			idx++
		}
	}
	for i := range op.scale {
		op.scale[i] = 1 / math.Sqrt(vals[op.ia[i]]+vals[op.ib[i]])
	}
	return op
}

// apply sets dst = A v.
func (op *msOperator) apply(dst, v []float64) {
	for i, x := range v {
		a, b := op.ia[i], op.ib[i]
		x *= op.scale[i]
		if a == b {
			op.s.Set(a, a, x)
		} else {
			x /= math.Sqrt2
			op.s.Set(a, b, x)
			op.s.Set(b, a, x)
		}
	}
	// X = U S U' in the original coordinates.
	op.tmp.Mul(op.u, op.s)
	op.big.Mul(op.tmp, op.u.T())
	for i := 0; i < op.p; i++ {
		for j := i; j < op.p; j++ {
			op.sym.SetSym(i, j, 0.5*(op.big.At(i, j)+op.big.At(j, i)))
		}
	}
	op.fourth(op.fsym, op.sym)
	// Y = U' E[QXQ] U.
	op.tmp.Mul(op.fsym, op.u)
	op.y.Mul(op.u.T(), op.tmp)
	w := 1 / op.k
	for i := range dst {
		a, b := op.ia[i], op.ib[i]
		y := 0.5 * (op.y.At(a, b) + op.y.At(b, a))
		if math.IsNaN(y) || math.IsInf(y, 0) {
			op.badFourth, op.badFourthV = true, y
		}
		r := (1-w)*op.vals[a]*op.vals[b]*op.s.At(a, b) + w*y
		if a != b {
			r *= math.Sqrt2
		}
		dst[i] = r * op.scale[i]
	}
}

// psdStart returns the vector of Y = L^{1/2}I (S = I on range(H)). T_C
// maps positive semidefinite matrices to positive semidefinite ones, so its
// top eigenvector is a positive semidefinite S (Perron–Frobenius for cones,
// SPEC §8); I overlaps every such S (⟨I, S⟩ = tr S > 0), which a random
// start in the n-dimensional space barely does (overlap of order 1/√n).
func (op *msOperator) psdStart() []float64 {
	v := make([]float64, op.n)
	for i := range v {
		if op.ia[i] == op.ib[i] {
			v[i] = 1 / op.scale[i]
		}
	}
	return v
}

func (op *msOperator) checkFourth() error {
	if op.badFourth {
		return fmt.Errorf("thresholds: fourth returned a non-finite entry (%v)", op.badFourthV)
	}
	return nil
}

// denseMax assembles A column by column, symmetrizes it (the two
// triangles agree up to rounding) and returns its largest eigenvalue.
func (op *msOperator) denseMax() (float64, error) {
	n := op.n
	full := mat.NewDense(n, n, nil)
	e := make([]float64, n)
	col := make([]float64, n)
	for j := 0; j < n; j++ {
		e[j] = 1
		op.apply(col, e)
		e[j] = 0
		full.SetCol(j, col)
	}
	if err := op.checkFourth(); err != nil {
		return math.NaN(), err
	}
	a := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a.SetSym(i, j, 0.5*(full.At(i, j)+full.At(j, i)))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		return math.NaN(), errors.New("thresholds: eigendecomposition of the mean-square operator failed")
	}
	vals := es.Values(nil)
	return vals[n-1], nil
}

// lanczosKrylov is the Lanczos basis size of MeanSquareOperator: large
// enough that the budget is rarely spent on restarts.
const lanczosKrylov = 60

// lanczosMax returns the largest eigenvalue of A by spectral.Top, started
// from psdStart, accepted when its Ritz residual falls below tol times the
// largest Ritz value. Only the value is used, so the multiplicity check is
// skipped. If maxIter applications of A pass without that, it returns an
// error: the last Ritz value is only a lower bound of λ_max (C* = 1/λ_max
// would be overestimated), never to be reported silently.
func (op *msOperator) lanczosMax(tol float64, maxIter int) (float64, error) {
	e, err := spectral.Top(spectral.Func{N: op.n, F: op.apply}, 1, spectral.Settings{
		Tol:                 tol,
		Krylov:              lanczosKrylov,
		MaxSteps:            maxIter,
		Start:               op.psdStart(),
		NoMultiplicityCheck: true,
	})
	if ferr := op.checkFourth(); ferr != nil {
		return math.NaN(), ferr
	}
	if err != nil {
		return math.NaN(), fmt.Errorf("thresholds: mean-square operator: %w; the Ritz value is only a lower bound of λ_max, so C* would be overestimated", err)
	}
	return e.Values[0], nil
}

// MeanSquareGaussian returns the exact mean-square threshold C*(k) of SPEC §8
// for Gaussian least squares with homogeneous minimizer (rows x ~ N(0, Σ),
// component Hessians Q = xx', so H = Σ and E[QSQ] = 2ΣSΣ + tr(SΣ)Σ), given
// the eigenvalues sigma of Σ (any order; zeros are the null space).
//
// It uses the structure instead of a generic eigen-solve: in the eigenbasis of
// Σ the operator L^{-1/2}BL^{-1/2} of MeanSquareOperator scales each
// off-diagonal entry (a, b) by (1 + 1/k)σ_aσ_b/(σ_a + σ_b), and on the
// diagonal it is diag((1 + 1/k)σ_a/2) plus the rank-one (1/k)vv' with
// v_a = √(σ_a/2). Its largest eigenvalue is the root λ > (1 + 1/k)σ_1/2 of
// the secular equation 1 = (1/k) Σ_a (σ_a/2)/(λ − (1 + 1/k)σ_a/2), found by
// bisection in O(p) per step; C*(k) = 1/λ. For k = ∞ it is 2/σ_1.
//
// It returns an error naming the argument when sigma is empty, has a NaN,
// infinite or negative entry or no positive one, or k < 1 or NaN.
func MeanSquareGaussian(sigma []float64, k float64) (float64, error) {
	if !validK(k) {
		return math.NaN(), fmt.Errorf("thresholds: k = %v must be at least 1 (or +Inf)", k)
	}
	if len(sigma) == 0 {
		return math.NaN(), errors.New("thresholds: sigma is empty")
	}
	smax, sum := 0.0, 0.0
	for i, s := range sigma {
		if !(s >= 0) || math.IsInf(s, 0) {
			return math.NaN(), fmt.Errorf("thresholds: sigma[%d] = %v is not finite and nonnegative", i, s)
		}
		smax = math.Max(smax, s)
		sum += s
	}
	if smax == 0 {
		return math.NaN(), errors.New("thresholds: sigma has no positive entry")
	}
	if math.IsInf(k, 1) {
		return 2 / smax, nil
	}
	c := 1 + 1/k
	dmax := c * smax / 2
	g := func(lambda float64) float64 {
		acc := 0.0
		for _, s := range sigma {
			if s > 0 {
				acc += (s / 2) / (lambda - c*s/2)
			}
		}
		return 1 - acc/k
	}
	lo, hi := dmax, dmax+sum/(2*k)
	for i := 0; i < 200 && hi-lo > 1e-15*hi; i++ {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if g(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return 1 / hi, nil
}

// MeanSquareFloor returns the stationary mean error E[e_∞] = tr(H S_∞) of
// SGD-k with constant step c near an inhomogeneous minimizer (beyond the
// paper): the fixed point of the second-moment recursion of the linearized
// iteration d_{N+1} = (I − cQ̄)d_N − c·b̄ (b = ∇f_ξ(x*), E[b] = 0),
//
//	S_∞ = T_c(S_∞) + (c²/k)·E[bb'],
//
// with T_c the map of SPEC §8 (the cross terms carry E[d_N], which decays as
// (I − cH)^N, and vanish at stationarity). h is H = E[Q], fourth is
// S ↦ E[QSQ] as in MeanSquareOperator, noise is E[bb'] (p×p, positive
// semidefinite). Only its part on range(H) counts (exact for positive
// semidefinite Q; a component of b in null(H) would random-walk). For
// 0 < c < C*(k) the floor is finite: I − T_c = cL − c²B is positive definite
// and S_∞ solves (I − cA)Y = L^{-1/2}(c/k)E[bb'] with Y = L^{1/2}S_∞ and A
// the operator of MeanSquareOperator, by conjugate gradients (matrix-free,
// to a relative residual of 1e-12); for c ≥ C*(k) it is +Inf. For small c,
// E[e_∞] ≈ c·tr(E[bb'])/(2k). k = +Inf (gradient descent) gives 0.
// Errors name the argument (h, fourth, noise, k, c).
func MeanSquareFloor(h mat.Symmetric, fourth func(dst *mat.SymDense, s mat.Symmetric), k, c float64, noise mat.Symmetric) (float64, error) {
	if !validK(k) {
		return math.NaN(), fmt.Errorf("thresholds: k = %v must be at least 1 (or +Inf)", k)
	}
	if !(c > 0) || math.IsInf(c, 0) {
		return math.NaN(), fmt.Errorf("thresholds: c = %v is not finite and positive", c)
	}
	if h == nil || noise == nil {
		return math.NaN(), errors.New("thresholds: h or noise is nil")
	}
	if fourth == nil && !math.IsInf(k, 1) {
		return math.NaN(), errors.New("thresholds: fourth is nil")
	}
	p := h.SymmetricDim()
	if noise.SymmetricDim() != p {
		return math.NaN(), fmt.Errorf("thresholds: noise is %d×%d, h is %d×%d", noise.SymmetricDim(), noise.SymmetricDim(), p, p)
	}
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			if v := noise.At(a, b); math.IsNaN(v) || math.IsInf(v, 0) {
				return math.NaN(), fmt.Errorf("thresholds: noise[%d][%d] = %v is not finite", a, b, v)
			}
		}
	}
	if math.IsInf(k, 1) {
		return 0, nil
	}
	cstar, err := MeanSquareOperator(h, fourth, k)
	if err != nil {
		return math.NaN(), err
	}
	if c >= cstar {
		return math.Inf(1), nil
	}
	vals, u, err := rangeBasis(h)
	if err != nil {
		return math.NaN(), err
	}
	op := newMSOperator(vals, u, fourth, k)
	// Right-hand side L^{-1/2}(c/k)U'E[bb']U in the vector coordinates.
	var t, f mat.Dense
	t.Mul(noise, u)
	f.Mul(u.T(), &t)
	rhs := make([]float64, op.n)
	for i := range rhs {
		a, b := op.ia[i], op.ib[i]
		v := 0.5 * (f.At(a, b) + f.At(b, a)) * c / k
		if a != b {
			v *= math.Sqrt2
		}
		rhs[i] = v * op.scale[i]
	}
	// Conjugate gradients on M = I − cA (symmetric positive definite).
	n := op.n
	y := make([]float64, n)
	r := append([]float64(nil), rhs...)
	d := append([]float64(nil), rhs...)
	md := make([]float64, n)
	rr := floats.Dot(r, r)
	stop := 1e-24 * rr
	for it := 0; it < 10*n+100 && rr > stop; it++ {
		op.apply(md, d)
		for i := range md {
			md[i] = d[i] - c*md[i]
		}
		if err := op.checkFourth(); err != nil {
			return math.NaN(), err
		}
		alpha := rr / floats.Dot(d, md)
		floats.AddScaled(y, alpha, d)
		floats.AddScaled(r, -alpha, md)
		rn := floats.Dot(r, r)
		for i := range d {
			d[i] = r[i] + rn/rr*d[i]
		}
		rr = rn
	}
	// S = L^{-1/2}Y; e = tr(ΛS) = Σ_a λ_a S_aa.
	e := 0.0
	for i, v := range y {
		if a, b := op.ia[i], op.ib[i]; a == b {
			e += vals[a] * v * op.scale[i]
		}
	}
	return e, nil
}
