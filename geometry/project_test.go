package geometry_test

import (
	"math"
	"testing"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"gonum.org/v1/gonum/mat"
)

// hideProjector exposes an MLP's components and full-batch products but not
// its problems.HessianProjector, so that the matrix-free path compresses by
// single-sample Hessian-vector products.
type hideProjector struct{ m *learning.MLP }

func (h hideProjector) Dim() int                           { return h.m.Dim() }
func (h hideProjector) Len() int                           { return h.m.Len() }
func (h hideProjector) Weight(i int) float64               { return h.m.Weight(i) }
func (h hideProjector) Component(i int) problems.Component { return h.m.Component(i) }
func (h hideProjector) ExpectedHessVec(dst, x, v []float64) {
	h.m.ExpectedHessVec(dst, x, v)
}

// TestMatrixFreeBatchedCompression: the matrix-free Estimate and Linearize
// of an MLP give the same answers through the batched
// problems.HessianProjector as through per-sample products. Both see the
// same points and the same Lanczos vectors; they differ by the rounding of
// the compressed Hessians (a few ulps of sums of O(N·p) terms), amplified
// in the quotients by the condition of H_c(θ), here below 1e4: 1e-9
// relative.
func TestMatrixFreeBatchedCompression(t *testing.T) {
	x := mat.NewDense(12, 3, nil)
	labels := make([]int, 12)
	for i := range 12 {
		for j := range 3 {
			x.Set(i, j, math.Sin(float64(7*i+3*j+1)))
		}
		labels[i] = i % 3
	}
	m, err := learning.NewMLP(x, labels, learning.MLPConfig{Hidden: []int{4, 3}, L2: 0.05, Activation: learning.Softplus})
	if err != nil {
		t.Fatal(err)
	}
	theta := m.Init(3)
	set := geometry.Settings{Path: geometry.PathMatrixFree, MaxRank: 6, Samples: 8, Seed: 5}
	a, err := geometry.Estimate(m, theta, set)
	if err != nil {
		t.Fatal(err)
	}
	b, err := geometry.Estimate(hideProjector{m}, theta, set)
	if err != nil {
		t.Fatal(err)
	}
	close := func(name string, got, want float64) {
		t.Helper()
		if !(math.Abs(got-want) <= 1e-9*math.Abs(want)) {
			t.Errorf("%s: batched %v, per-sample %v", name, got, want)
		}
	}
	if a.M != b.M {
		t.Fatalf("m: batched %d, per-sample %d", a.M, b.M)
	}
	close("s", a.S, b.S)
	close("t", a.T, b.T)
	close("SErr", a.SErr, b.SErr)
	for j := range a.EigErr {
		close("EigErr", a.EigErr[j], b.EigErr[j])
	}
}
