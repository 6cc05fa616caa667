package thresholds

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Geometry holds the local geometry of a minimizer that the thresholds depend
// on: the nonzero eigenvalues λ_1 ≥ … ≥ λ_m > 0 of the (ball-averaged) Hessian
// and the curvature parameters s ≤ t of (4)–(5) or (50). Build one with
// NewGeometry, which validates it; the formula functions return NaN for a
// Geometry that NewGeometry would refuse.
type Geometry struct {
	Eigenvalues []float64 // λ_1 ≥ … ≥ λ_m > 0, descending
	S, T        float64   // 0 ≤ S ≤ T < ∞
}

// NewGeometry returns the Geometry with eigenvalues eigs (copied and sorted
// descending), S = s and T = t. It returns an error naming the bad argument
// when eigs is empty, an eigenvalue is not finite and positive, s or t is
// NaN, negative or infinite, or s > t (beyond a relative rounding of 1e-12,
// in which case s is set to t).
func NewGeometry(eigs []float64, s, t float64) (Geometry, error) {
	if len(eigs) == 0 {
		return Geometry{}, errors.New("thresholds: eigs is empty: no nonzero eigenvalue")
	}
	e := append([]float64(nil), eigs...)
	for i, v := range e {
		if !(v > 0) || math.IsInf(v, 0) {
			return Geometry{}, fmt.Errorf("thresholds: eigs[%d] = %v is not finite and positive", i, v)
		}
	}
	if !(s >= 0) || math.IsInf(s, 0) {
		return Geometry{}, fmt.Errorf("thresholds: s = %v is not finite and nonnegative", s)
	}
	if !(t >= 0) || math.IsInf(t, 0) {
		return Geometry{}, fmt.Errorf("thresholds: t = %v is not finite and nonnegative", t)
	}
	if s > t {
		if s-t > 1e-12*t {
			return Geometry{}, fmt.Errorf("thresholds: s = %v exceeds t = %v", s, t)
		}
		s = t
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(e)))
	return Geometry{Eigenvalues: e, S: s, T: t}, nil
}

// valid reports whether g is a Geometry that NewGeometry could have returned.
func (g Geometry) valid() bool {
	if len(g.Eigenvalues) == 0 || !(g.S >= 0) || !(g.T >= g.S) || math.IsInf(g.T, 0) {
		return false
	}
	prev := math.Inf(1)
	for _, v := range g.Eigenvalues {
		if !(v > 0) || v > prev {
			return false
		}
		prev = v
	}
	return !math.IsInf(g.Eigenvalues[0], 0)
}

// validK reports whether k is a batch size the formulas accept: k ≥ 1,
// possibly +Inf (gradient descent).
func validK(k float64) bool { return k >= 1 }
