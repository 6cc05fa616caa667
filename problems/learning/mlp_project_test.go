package learning

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
)

// plainProblem hides the HessianProjector of an MLP, so that
// problems.ProjectHessians falls back to per-sample Hessian-vector products.
type plainProblem struct{ m *MLP }

func (p plainProblem) Dim() int                           { return p.m.Dim() }
func (p plainProblem) Len() int                           { return p.m.Len() }
func (p plainProblem) Weight(i int) float64               { return p.m.Weight(i) }
func (p plainProblem) Component(i int) problems.Component { return p.m.Component(i) }

// TestMLPProjectHessians checks the batched compression against
// Vᵀ(∇²f_i V) from single-sample R-operator products, and those against the
// dense Hessian from p products, for every activation and loss, with an L2
// term, two hidden layers, chunks of two samples, repeated indices and
// non-orthonormal directions.
func TestMLPProjectHessians(t *testing.T) {
	for _, c := range mlpCases {
		t.Run(fmt.Sprint(c.act, "/", c.loss), func(t *testing.T) {
			x, labels := tinyData(7, 3, 3, 11)
			m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{4, 3}, Activation: c.act, Loss: c.loss, L2: 0.3})
			if err != nil {
				t.Fatal(err)
			}
			// Two samples per chunk: r = 3 directions, Σ d_l = 10, max_{l≥2} d_l = 3.
			m.scratch = 2 * 8 * 3 * (10 + 3)
			rnd := rand.New(rand.NewPCG(3, 4))
			theta := randVec(rnd, m.Dim(), 0.7)
			vs := [][]float64{randVec(rnd, m.Dim(), 1), randVec(rnd, m.Dim(), 1), randVec(rnd, m.Dim(), 2)}
			idx := []int{6, 0, 3, 3, 1}
			r := len(vs)
			got := make([]float64, len(idx)*r*r)
			m.ProjectHessians(got, theta, vs, idx)
			want := make([]float64, len(idx)*r*r)
			problems.ProjectHessians(plainProblem{m}, want, theta, vs, idx)
			// Both are sums of a few hundred products of O(1) terms: 1e-12
			// absolute is a few hundred ulps.
			for k := range got {
				if math.Abs(got[k]-want[k]) > 1e-12*math.Max(1, math.Abs(want[k])) {
					t.Fatalf("entry %d (sample %d): batched %v, per-sample %v", k, idx[k/(r*r)], got[k], want[k])
				}
			}
			// The per-sample path against the dense Hessian.
			h := mat.NewSymDense(m.Dim(), nil)
			problems.HessianOf(m.Component(idx[0])).Hess(h, theta)
			vm := mat.NewDense(m.Dim(), r, nil)
			for j, v := range vs {
				vm.SetCol(j, v)
			}
			var hv, b mat.Dense
			hv.Mul(h, vm)
			b.Mul(vm.T(), &hv)
			for a := range r {
				for j := range r {
					if d := math.Abs(b.At(a, j) - got[a*r+j]); d > 1e-12*math.Max(1, math.Abs(b.At(a, j))) {
						t.Fatalf("B[%d][%d] = %v, dense %v", a, j, got[a*r+j], b.At(a, j))
					}
				}
			}
		})
	}
}

// TestProjectHessiansChunksAgree checks that the chunk size does not change
// the result beyond rounding.
func TestProjectHessiansChunksAgree(t *testing.T) {
	x, labels := tinyData(9, 3, 3, 5)
	m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{5}})
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(8, 9))
	theta := randVec(rnd, m.Dim(), 0.5)
	vs := [][]float64{randVec(rnd, m.Dim(), 1), randVec(rnd, m.Dim(), 1)}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8}
	one := make([]float64, len(idx)*4)
	m.ProjectHessians(one, theta, vs, idx)
	m.scratch = 1 // one sample per chunk
	many := make([]float64, len(idx)*4)
	m.ProjectHessians(many, theta, vs, idx)
	if !floats.EqualApprox(one, many, 1e-13) {
		t.Fatalf("one chunk %v, chunks of one %v", one, many)
	}
}

// TestMLPExpectedHessVecAt: the prepared products equal ExpectedHessVec
// (the same operations on the same forward pass: 1e-14 relative), over
// repeated calls, for every activation and loss, one chunk or many.
func TestMLPExpectedHessVecAt(t *testing.T) {
	for _, c := range mlpCases {
		for _, small := range []bool{false, true} {
			x, labels := tinyData(7, 3, 3, 13)
			m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{4, 3}, Activation: c.act, Loss: c.loss, L2: 0.2})
			if err != nil {
				t.Fatal(err)
			}
			if small {
				m.chunk = 2
			}
			rnd := rand.New(rand.NewPCG(6, 7))
			theta := randVec(rnd, m.Dim(), 0.7)
			f := m.ExpectedHessVecAt(theta)
			got, want := make([]float64, m.Dim()), make([]float64, m.Dim())
			for range 3 {
				v := randVec(rnd, m.Dim(), 1)
				f(got, v)
				m.ExpectedHessVec(want, theta, v)
				if !floats.EqualApprox(got, want, 1e-14*math.Max(1, floats.Norm(want, math.Inf(1)))) {
					t.Fatalf("%v %v chunked %v: prepared %v, direct %v", c.act, c.loss, small, got, want)
				}
			}
		}
	}
}
