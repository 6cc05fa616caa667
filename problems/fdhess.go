package problems

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// GradOnly is a component function with a value and a gradient but no
// Hessian. FDHessian turns it into a Component. Its methods must not modify x;
// Grad writes ∇f(x) into grad (len(grad) == len(x)).
type GradOnly interface {
	Func(x []float64) float64
	Grad(grad, x []float64)
}

// FDHessianStep is the relative step of FDHessian: coordinate j is perturbed
// by h_j = FDHessianStep·max(1, |x_j|). It is close to ε^{1/3} (ε the machine
// epsilon), which balances the O(h²) truncation error of central differences
// against the O(ε/h) rounding error, so that each Hessian entry has an error
// of order 1e-10 relative to the gradient's and third derivatives' scale.
const FDHessianStep = 6e-6

// FDHessian returns a Component whose Func and Grad are c's and whose Hess is
// the central difference of the gradient,
//
//	H[:, j] = (∇f(x + h_j e_j) − ∇f(x − h_j e_j)) / (2 h_j),
//
// symmetrised as (H + H')/2, with the step h_j of FDHessianStep. It costs 2p
// gradient evaluations per Hessian. This lets a user start with gradients
// alone. The returned component is safe for concurrent use when c is; Hess
// takes its scratch space from a sync.Pool and allocates hess when it is empty.
func FDHessian(c GradOnly) Component {
	return &fdHessian{c: c}
}

type fdHessian struct {
	c    GradOnly
	pool sync.Pool // *fdScratch
}

type fdScratch struct {
	xh, gp, gm []float64
}

func (f *fdHessian) Func(x []float64) float64 { return f.c.Func(x) }

func (f *fdHessian) Grad(grad, x []float64) { f.c.Grad(grad, x) }

func (f *fdHessian) Hess(hess *mat.SymDense, x []float64) {
	n := len(x)
	if hess.IsEmpty() {
		hess.ReuseAsSym(n)
	}
	if hess.SymmetricDim() != n {
		panic("problems: FDHessian: dimension mismatch")
	}
	s, _ := f.pool.Get().(*fdScratch)
	if s == nil || len(s.xh) != n {
		s = &fdScratch{xh: make([]float64, n), gp: make([]float64, n), gm: make([]float64, n)}
	}
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

// Mixture is a finite mixture Problem F = Σ_i p_i f_i of user
// components. Build it with NewMixture.
type Mixture struct {
	dim   int
	comps []Component
	w     []float64
}

var _ Problem = (*Mixture)(nil)

// NewMixture returns the mixture of the components c on R^dim with weights
// w (nil or empty: uniform; otherwise the package's weight rule: positive,
// finite, summing to one within 1e-9, then divided by their sum). Every
// component must accept points of length dim; NewMixture cannot check that
// without evaluating them, so use CheckDerivatives. A component with only a
// gradient can be wrapped with FDHessian. c and w are copied (the components
// themselves are shared).
func NewMixture(dim int, c []Component, w []float64) (*Mixture, error) {
	if err := checkDim("dim", dim); err != nil {
		return nil, err
	}
	if len(c) == 0 {
		return nil, errors.New("problems: c is empty, want at least one component")
	}
	for i, ci := range c {
		if ci == nil {
			return nil, fmt.Errorf("problems: c[%d] is nil", i)
		}
	}
	ws, err := NormalizeWeights(w, len(c))
	if err != nil {
		return nil, err
	}
	return &Mixture{dim: dim, comps: append([]Component(nil), c...), w: ws}, nil
}

// Dim returns the dimension.
func (m *Mixture) Dim() int { return m.dim }

// Len returns the number of components.
func (m *Mixture) Len() int { return len(m.comps) }

// Weight returns p_i.
func (m *Mixture) Weight(i int) float64 { return m.w[i] }

// Component returns f_i.
func (m *Mixture) Component(i int) Component { return m.comps[i] }
