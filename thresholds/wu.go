package thresholds

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// The criteria of Wu, Ma and E, "How SGD selects the global minima in
// over-parameterized learning: a dynamical stability perspective" (NeurIPS
// 2018), are conditions on the sharpness a = λ_max(H) and the non-uniformity
// σ = √λ_max(E[Q²] − H²) of a minimizer that SGD with learning rate C and
// batch size k must satisfy to stay: a ≤ 2/C and σ ≤ √k/C. Written as
// learning-rate thresholds they are C ≤ 2/a (WuSharpness) and C ≤ √k/σ
// (WuNonUniformity). They are pure functions of a, λ_max(E[Q²] − H²) and k.
// This library uses 1/k (sampling with replacement) for the batch noise, as
// everywhere else; for sampling without replacement pass
// WithoutReplacement's effective k.

// WuSharpness returns the learning-rate threshold 2/λ_max(H) of the sharpness
// criterion λ_max(H) ≤ 2/C of Wu, Ma and E (2018). It returns +Inf when
// lambdaMax is 0 and NaN when lambdaMax is negative, NaN or +Inf.
func WuSharpness(lambdaMax float64) float64 {
	if !(lambdaMax >= 0) || math.IsInf(lambdaMax, 1) {
		return math.NaN()
	}
	return 2 / lambdaMax
}

// WuNonUniformity returns the learning-rate threshold √k/√v of the
// non-uniformity criterion √λ_max(E[Q²] − H²) ≤ √k/C of Wu, Ma and E (2018),
// where v = λ_max(E[Q²] − H²) (see NonUniformity). It is +Inf for gradient
// descent (k = +Inf) or v = 0, and NaN when v is negative, NaN or +Inf or
// k < 1.
func WuNonUniformity(v, k float64) float64 {
	if !(v >= 0) || math.IsInf(v, 1) || !validK(k) {
		return math.NaN()
	}
	if math.IsInf(k, 1) || v == 0 {
		return math.Inf(1)
	}
	// √(k/v) without overflow of k/v (k up to 1.8e308, v subnormal).
	return xf(k).quo(xf(v)).sqrt().float()
}

// NonUniformity returns λ_max(H) and λ_max(E[Q²] − H²) of the finite mixture
// of symmetric matrices hess with weights w (H = Σ_i w_i Q_i,
// E[Q²] = Σ_i w_i Q_i²): the sharpness and the squared non-uniformity of Wu,
// Ma and E (2018). E[Q²] − H² = E[(Q − H)²] is positive semidefinite; it is
// computed in that form to avoid cancellation. The weights follow
// MeanSquare's rule: nil or empty means uniform 1/N; otherwise len(w) =
// len(hess), every w[i] finite and ≥ 0, and the sum within 1e-9 of 1 (the
// weights are then normalized by their sum). It returns an error naming the
// argument when hess is empty, an entry of hess is nil or 0×0, the
// dimensions differ, a matrix entry is not finite, or w breaks that rule,
// and an error naming hess when the entries of E[(Q − H)²] exceed the
// float64 range (differences Q_i − H above about 1e154).
func NonUniformity(hess []mat.Symmetric, w []float64) (sharpness, v float64, err error) {
	if len(hess) == 0 {
		return math.NaN(), math.NaN(), errors.New("thresholds: hess is empty")
	}
	for i, q := range hess {
		if q == nil {
			return math.NaN(), math.NaN(), fmt.Errorf("thresholds: hess[%d] is nil", i)
		}
		if q.SymmetricDim() == 0 {
			return math.NaN(), math.NaN(), fmt.Errorf("thresholds: hess[%d] is 0×0", i)
		}
	}
	w, err = meanSquareWeights(w, len(hess))
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	p := hess[0].SymmetricDim()
	h := mat.NewSymDense(p, nil)
	for i, q := range hess {
		if q.SymmetricDim() != p {
			return math.NaN(), math.NaN(), fmt.Errorf("thresholds: hess[%d] has dimension %d, want %d", i, q.SymmetricDim(), p)
		}
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				x := q.At(a, b)
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return math.NaN(), math.NaN(), fmt.Errorf("thresholds: hess[%d][%d][%d] = %v is not finite", i, a, b, x)
				}
				h.SetSym(a, b, h.At(a, b)+w[i]*x)
			}
		}
	}
	sharp, err := symMax(h)
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	vm := mat.NewSymDense(p, nil)
	d := mat.NewSymDense(p, nil)
	var d2 mat.Dense
	for i, q := range hess {
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				d.SetSym(a, b, q.At(a, b)-h.At(a, b))
			}
		}
		d2.Mul(d, d)
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				vm.SetSym(a, b, vm.At(a, b)+w[i]*0.5*(d2.At(a, b)+d2.At(b, a)))
			}
		}
	}
	v, err = symMax(vm)
	if err != nil {
		// H is finite, so only the squares of Q_i − H can overflow.
		return math.NaN(), math.NaN(), fmt.Errorf("thresholds: E[(Q − H)²] of hess exceeds the float64 range: %w", err)
	}
	return sharp, math.Max(v, 0), nil
}

// NonUniformityOperator returns λ_max(H) and λ_max(E[Q²] − H²) from H and the
// fourth-moment map of MeanSquareOperator (E[Q²] = fourth(I)). It returns an
// error naming the argument when h is nil, 0×0 or not finite, or fourth is
// nil.
func NonUniformityOperator(h mat.Symmetric, fourth func(dst *mat.SymDense, s mat.Symmetric)) (sharpness, v float64, err error) {
	if h == nil {
		return math.NaN(), math.NaN(), errors.New("thresholds: h is nil")
	}
	if fourth == nil {
		return math.NaN(), math.NaN(), errors.New("thresholds: fourth is nil")
	}
	p := h.SymmetricDim()
	if p == 0 {
		return math.NaN(), math.NaN(), errors.New("thresholds: h is 0×0")
	}
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			if x := h.At(a, b); math.IsNaN(x) || math.IsInf(x, 0) {
				return math.NaN(), math.NaN(), fmt.Errorf("thresholds: h[%d][%d] = %v is not finite", a, b, x)
			}
		}
	}
	id := mat.NewSymDense(p, nil)
	for a := 0; a < p; a++ {
		id.SetSym(a, a, 1)
	}
	eq2 := mat.NewSymDense(p, nil)
	fourth(eq2, id)
	var h2 mat.Dense
	h2.Mul(h, h)
	vm := mat.NewSymDense(p, nil)
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			vm.SetSym(a, b, eq2.At(a, b)-0.5*(h2.At(a, b)+h2.At(b, a)))
		}
	}
	sharp, err := symMax(h)
	if err != nil {
		return math.NaN(), math.NaN(), err
	}
	v, err = symMax(vm)
	if err != nil {
		return math.NaN(), math.NaN(), fmt.Errorf("thresholds: fourth(I): %w", err)
	}
	return sharp, math.Max(v, 0), nil
}

// symMax returns the largest eigenvalue of a finite symmetric matrix.
func symMax(a mat.Symmetric) (float64, error) {
	p := a.SymmetricDim()
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			if x := a.At(i, j); math.IsNaN(x) || math.IsInf(x, 0) {
				return math.NaN(), fmt.Errorf("thresholds: matrix entry [%d][%d] = %v is not finite", i, j, x)
			}
		}
	}
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		return math.NaN(), errors.New("thresholds: eigendecomposition failed")
	}
	vals := es.Values(nil)
	return vals[p-1], nil
}
