package problems

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Component is one component function f_i of a stochastic problem: a value
// and a gradient. Its methods must not modify x; Grad writes ∇f_i(x) into
// grad (len(grad) == len(x)), as in gonum/optimize. Second derivatives are
// optional capabilities: Hessianer (dense), HessVecer (Hessian-vector
// products), DiagonalHessianer and RankOneHessianer (structure). Code that
// needs them picks the fastest one a component has (HessVecOf, HessianOf)
// and falls back on finite differences of Grad.
type Component interface {
	Func(x []float64) float64
	Grad(grad, x []float64)
}

// Hessianer is an optional interface of a Component that writes its dense
// Hessian ∇²f(x) into hess (len(x)×len(x); an empty hess is resized). It must
// not modify x.
type Hessianer interface {
	Hess(hess *mat.SymDense, x []float64)
}

// HessVecer is an optional interface of a Component that computes the
// Hessian-vector product dst = ∇²f(x)v without forming ∇²f(x). dst, x and v
// have length Dim; dst must not alias x or v, and x and v are not modified.
type HessVecer interface {
	HessVec(dst, x, v []float64)
}

// ExpectedHessVecer is an optional interface of a Problem that computes the
// product of the expected Hessian with a vector, dst = H(x)v =
// Σ_i p_i ∇²f_i(x)v, faster than summing component products. dst must not
// alias x or v, and x and v are not modified.
type ExpectedHessVecer interface {
	ExpectedHessVec(dst, x, v []float64)
}

// RankOneHessianer is an optional interface of a Component whose Hessian is
// rank one plus a multiple of the identity: ∇²f(x) = scale·aa' + Ridge()·I.
// RankOneHess returns scale and a (a is shared and must not be modified by
// the caller); Ridge is constant. Least-squares and logistic-regression rows
// implement it, so that products with ∇²f(x) cost O(p) and no p×p matrix is
// formed per component.
type RankOneHessianer interface {
	RankOneHess(x []float64) (scale float64, a []float64)
	Ridge() float64
}

// RankOneDiagHessianer is an optional interface of a Component whose Hessian
// is rank one plus a constant diagonal: ∇²f(x) = scale·aa' + diag(d), with
// d = RidgeDiag() (len Dim, the same at every x). It generalizes
// RankOneHessianer (d = Ridge()·1) to penalties that leave coordinates
// free, as logistic regression with an unpenalized intercept
// (learning.NewLogisticIntercept). RankOneHess is as for
// RankOneHessianer; RidgeDiag returns a slice the caller may keep but must
// not modify. A component implementing both is read as a RankOneHessianer.
type RankOneDiagHessianer interface {
	RankOneHess(x []float64) (scale float64, a []float64)
	RidgeDiag() []float64
}

// Problem is a finite mixture F(x) = Σ_i Weight(i)·f_i(x) of Len components on
// R^Dim (Problems 3.1, 3.13, 4.1 and 5.1 of the paper). The weights
// are positive and sum to one; Component(i) is f_i.
type Problem interface {
	Dim() int
	Len() int
	Weight(i int) float64
	Component(i int) Component
}

// ExpectedGrader is an optional interface of a Problem that computes the
// expected gradient ∇F(x) = Σ_i p_i ∇f_i(x) faster than summing the
// components. SGD-k with k = ∞ (gradient descent) and Objective use it when
// present. ExpectedGrad writes into grad and must not modify x.
type ExpectedGrader interface {
	ExpectedGrad(grad, x []float64)
}

// BatchGrader is an optional interface of a Problem that evaluates the mean
// gradient of a batch of components in one pass, (1/|idx|) Σ_{i∈idx} ∇f_i(x)
// with repeated indices counted as often as they occur, faster than |idx|
// separate Grad calls (a neural network evaluates a mini-batch with matrix
// products). SGD-k uses it for its batches when present. BatchGrad writes
// into grad and must modify neither x nor idx; idx is never empty and its
// indices are in 0..Len()−1.
type BatchGrader interface {
	BatchGrad(grad, x []float64, idx []int)
}

// ExpectedHessianer is an optional interface of a Problem that computes the
// expected Hessian H(x) = Σ_i p_i ∇²f_i(x) directly. It writes into hess and
// must not modify x.
type ExpectedHessianer interface {
	ExpectedHess(hess *mat.SymDense, x []float64)
}

// DiagonalHessianer is an optional interface of a Component whose Hessian is
// diagonal at every x. DiagonalHess writes the diagonal of ∇²f(x) into diag
// (len Dim) and must not modify x. Code that finds it may work in O(Dim)
// per component instead of O(Dim²).
type DiagonalHessianer interface {
	DiagonalHess(diag, x []float64)
}

// DiagonalMomenter is an optional interface of a Problem whose component
// Hessians are all diagonal and whose expected Hessian H(x) and curvature
// moment M(x) = Σ_i p_i ∇²f_i(x) H(x) ∇²f_i(x) − H(x)³ (Table 1 of
// the paper) have a closed form cheaper than summing the components.
// DiagonalMoments writes the diagonals of H(x) into h and of M(x) into m
// (each len Dim) and must not modify x.
type DiagonalMomenter interface {
	DiagonalMoments(h, m, x []float64)
}

// Box is the closed box {x : Lower[d] ≤ x[d] ≤ Upper[d]}. The paper's problems
// live on the open box; SGD-k projects its iterates onto the closed one.
type Box struct {
	Lower, Upper []float64
}

// NewBox returns the box [lower, upper] after checking that the bounds have
// equal lengths, are not NaN and satisfy lower[d] < upper[d]. The slices are
// copied.
func NewBox(lower, upper []float64) (*Box, error) {
	b := &Box{Lower: append([]float64(nil), lower...), Upper: append([]float64(nil), upper...)}
	if err := b.Validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// Validate reports whether b is a well-formed box, naming the bad field.
func (b *Box) Validate() error {
	if b == nil {
		return errors.New("problems: box is nil")
	}
	if len(b.Lower) == 0 {
		return errors.New("problems: box Lower is empty")
	}
	if len(b.Lower) != len(b.Upper) {
		return fmt.Errorf("problems: box Lower has length %d, Upper %d", len(b.Lower), len(b.Upper))
	}
	for d := range b.Lower {
		lo, hi := b.Lower[d], b.Upper[d]
		if math.IsNaN(lo) || math.IsNaN(hi) || !(lo < hi) {
			return fmt.Errorf("problems: box bounds Lower[%d] = %v, Upper[%d] = %v do not satisfy Lower < Upper", d, lo, d, hi)
		}
	}
	return nil
}

// Dim returns the dimension of the box.
func (b *Box) Dim() int { return len(b.Lower) }

// Project clips x onto the closed box in place. It panics if len(x) differs
// from the box's dimension (a programming error, not user data).
func (b *Box) Project(x []float64) {
	if len(x) != len(b.Lower) {
		panic("problems: Project: dimension mismatch")
	}
	for d, v := range x {
		if v < b.Lower[d] {
			x[d] = b.Lower[d]
		} else if v > b.Upper[d] {
			x[d] = b.Upper[d]
		}
	}
}

// Contains reports whether x lies in the closed box. A NaN coordinate is not
// contained, nor is an x of the wrong length.
func (b *Box) Contains(x []float64) bool {
	if len(x) != len(b.Lower) {
		return false
	}
	for d, v := range x {
		if !(v >= b.Lower[d] && v <= b.Upper[d]) {
			return false
		}
	}
	return true
}

// OnBoundary reports whether some coordinate of x equals a bound of the box,
// as happens after Project clips an iterate that left it. An x of the wrong
// length is not on the boundary.
func (b *Box) OnBoundary(x []float64) bool {
	if len(x) != len(b.Lower) {
		return false
	}
	for d, v := range x {
		if v == b.Lower[d] || v == b.Upper[d] {
			return true
		}
	}
	return false
}
