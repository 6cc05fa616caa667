package geometry

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
)

// Exact returns the exact local geometry of the stochastic quadratic q
// (Problem 3.1): the nonzero eigenvalues λ_1 ≥ … ≥ λ_m > 0 of H = E[Q] and
// the curvature parameters
//
//	t_Q = sup { v'Mv / v'Hv : v'Hv ≠ 0 },   s_Q = inf { v'Mv / v'Hv : v'Hv ≠ 0 }
//
// of (4) and (5), with M = E[Q H Q] − H³. An eigenvalue of H counts
// as nonzero when it exceeds problems.QuadraticRankTol·λ_1 (the rule of
// q.Minimizer). On range(H), with H = UΛU' restricted to those m
// eigenpairs, the quotient is the Rayleigh quotient of
// K = Λ^{-1/2} U'MU Λ^{-1/2} (null(H) ⊂ null(M) by Lemma 3.3, so directions
// in null(H) do not change it), hence s_Q = λ_min(K) and t_Q = λ_max(K).
// Lemma 3.3 gives 0 ≤ s_Q ≤ t_Q; a rounding-level negative λ_min(K) is
// returned as 0. s_Q = 0 does occur (Lemma 3.3(3) of the paper is
// false, e.g. Q = diag(q, 1)).
//
// The result has Center = q.Minimizer() (the minimum-norm minimizer),
// Hessian = H, and SErr = TErr = 0. Exact returns an error naming q when q is
// nil or H = 0 (no nonzero eigenvalue, m = 0).
func Exact(q *problems.Quadratic) (*Local, error) {
	if q == nil {
		return nil, errors.New("geometry: Exact: q is nil")
	}
	h := q.Hessian()
	p := h.SymmetricDim()
	// Work on the problem scaled by a power of two α that brings the largest
	// entry of the Q_i near one: λ scales as α and s, t as α², exactly, so
	// the cubic moments cannot overflow or underflow when the answer itself
	// is representable.
	n := q.Len()
	qs := make([]*mat.SymDense, n)
	big := 0.0
	for i := range n {
		qs[i] = q.Q(i)
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				big = math.Max(big, math.Abs(qs[i].At(a, b)))
			}
		}
	}
	if !(big > 0) {
		return nil, errors.New("geometry: Exact: every Q_i of q is zero, so H has no nonzero eigenvalue (m = 0)")
	}
	_, e := math.Frexp(big)
	alpha := math.Ldexp(1, -e)
	hs := mat.NewSymDense(p, nil)
	for i, qi := range qs {
		qi.ScaleSym(alpha, qi)
		hs.AddSym(hs, scaledSymDense(q.Weight(i), qi))
	}
	var eh mat.EigenSym
	if !eh.Factorize(hs, true) {
		return nil, errors.New("geometry: Exact: eigendecomposition of the expected Hessian H of q failed")
	}
	vals := eh.Values(nil) // ascending
	var vecs mat.Dense
	eh.VectorsTo(&vecs)
	lmax := vals[p-1]
	if !(lmax > 0) {
		return nil, fmt.Errorf("geometry: Exact: the expected Hessian H of q has no nonzero eigenvalue (largest %v), so m = 0", math.Ldexp(lmax, e))
	}
	eigs, w := whiten(vals, &vecs, problems.QuadraticRankTol)
	m := len(eigs)
	// K = W'MW with M = Σ_i p_i (Q_i − H) H (Q_i − H), which equals
	// E[QHQ] − H³ and loses no digits to cancellation when the Q_i nearly
	// agree.
	ks := mat.NewSymDense(m, nil)
	var d, dw, hdw, t mat.Dense
	for i, qi := range qs {
		d.Sub(qi, hs)
		dw.Mul(&d, w)
		hdw.Mul(hs, &dw)
		t.Mul(dw.T(), &hdw)
		for a := 0; a < m; a++ {
			for b := a; b < m; b++ {
				ks.SetSym(a, b, ks.At(a, b)+q.Weight(i)*(t.At(a, b)+t.At(b, a))/2)
			}
		}
	}
	var ek mat.EigenSym
	if !ek.Factorize(ks, false) {
		return nil, errors.New("geometry: Exact: eigendecomposition of K failed")
	}
	kv := ek.Values(nil)
	for j := range eigs {
		eigs[j] = math.Ldexp(eigs[j], e)
	}
	sq, tq := math.Ldexp(math.Max(kv[0], 0), 2*e), math.Ldexp(math.Max(kv[m-1], 0), 2*e)
	if math.IsInf(tq, 0) {
		return nil, fmt.Errorf("geometry: Exact: t_Q of q is about 2^%d, beyond the float64 range (the Q_i have entries up to %v)", int(math.Log2(kv[m-1]))+2*e, big)
	}
	return &Local{
		Center:      q.Minimizer(),
		Hessian:     h,
		Eigenvalues: eigs,
		M:           len(eigs),
		S:           sq,
		T:           tq,
	}, nil
}

// scaledSymDense returns f·a as a new matrix.
func scaledSymDense(f float64, a *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(f, a)
	return &s
}

// whiten takes the eigenvalues vals (ascending) and eigenvectors vecs of a
// positive semidefinite H and returns the eigenvalues above tol·λ_max in
// descending order with W = UΛ^{-1/2} (p×m) for their eigenvectors U. Then
// W'HW = I_m, and the extreme values of v'Mv/v'Hv over range(H) are the
// extreme eigenvalues of K = W'MW.
func whiten(vals []float64, vecs *mat.Dense, tol float64) (eigs []float64, w *mat.Dense) {
	p := len(vals)
	lmax := vals[p-1]
	var idx []int // descending
	for j := p - 1; j >= 0; j-- {
		if vals[j] > tol*lmax {
			idx = append(idx, j)
		}
	}
	eigs = make([]float64, len(idx))
	w = mat.NewDense(p, len(idx), nil)
	for c, j := range idx {
		eigs[c] = vals[j]
		s := 1 / math.Sqrt(vals[j])
		for a := 0; a < p; a++ {
			w.Set(a, c, vecs.At(a, j)*s)
		}
	}
	return eigs, w
}
