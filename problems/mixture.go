package problems

import (
	"errors"
	"fmt"

	"github.com/flatminima/flatminima/problems/internal/valid"
)

// Mixture is a finite mixture Problem F = Σ_i p_i f_i of user components.
// Build it with NewMixture.
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
// gradient needs no wrapping: code that needs second derivatives falls back
// on finite differences of its gradient (HessVecOf, HessianOf). c and w are copied (the components
// themselves are shared).
func NewMixture(dim int, c []Component, w []float64) (*Mixture, error) {
	if err := valid.Dim("problems", "dim", dim); err != nil {
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
