package learning

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"gonum.org/v1/gonum/floats"
)

// TestMLPRowBlocks: on a batch of several row blocks (150 samples, the last
// block partial) and two hidden layers, every batched result equals the
// mean of the single-sample results up to rounding, so no block reads or
// writes another block's rows, and is bit-identical for any GOMAXPROCS, so
// the elementwise passes spread over goroutines do not change the result.
func TestMLPRowBlocks(t *testing.T) {
	const n = 2*rowBlock + 22
	x, labels := tinyData(n, 6, 4, 21)
	rnd := rand.New(rand.NewPCG(21, 21))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range mlpCases {
		m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{7, 5}, Activation: c.act, Loss: c.loss, L2: 0.01})
		if err != nil {
			t.Fatal(err)
		}
		p := m.Dim()
		theta := randVec(rnd, p, 0.5)
		vs := [][]float64{randVec(rnd, p, 1), randVec(rnd, p, 1)}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = (7 * i) % n // a permutation, so gather is exercised
		}
		eval := func() [][]float64 {
			g, h, hAt := make([]float64, p), make([]float64, p), make([]float64, p)
			proj := make([]float64, n*4)
			m.ExpectedGrad(g, theta)
			m.ExpectedHessVec(h, theta, vs[0])
			m.ExpectedHessVecAt(theta)(hAt, vs[0])
			m.ProjectHessians(proj, theta, vs, idx)
			return [][]float64{g, h, hAt, proj}
		}
		runtime.GOMAXPROCS(1)
		want := eval()
		for _, procs := range []int{2, 5} {
			runtime.GOMAXPROCS(procs)
			for k, got := range eval() {
				if !floats.Equal(got, want[k]) {
					t.Errorf("%v %v: result %d differs between GOMAXPROCS 1 and %d", c.act, c.loss, k, procs)
				}
			}
		}

		// The same means from one sample at a time.
		g, h := make([]float64, p), make([]float64, p)
		sumG, sumH := make([]float64, p), make([]float64, p)
		proj := make([]float64, 4)
		for i := range n {
			ci := m.Component(i).(*MLPComponent)
			ci.Grad(g, theta)
			floats.AddScaled(sumG, 1/float64(n), g)
			ci.HessVec(h, theta, vs[0])
			floats.AddScaled(sumH, 1/float64(n), h)
			m.ProjectHessians(proj, theta, vs, []int{i})
			for k := range n {
				if idx[k] == i {
					checkClose(t, fmt.Sprintf("%v %v: ProjectHessians row of sample %d", c.act, c.loss, i), want[3][4*k:4*k+4], proj)
				}
			}
		}
		checkClose(t, fmt.Sprintf("%v %v: ExpectedGrad", c.act, c.loss), want[0], sumG)
		checkClose(t, fmt.Sprintf("%v %v: ExpectedHessVec", c.act, c.loss), want[1], sumH)
		checkClose(t, fmt.Sprintf("%v %v: ExpectedHessVecAt", c.act, c.loss), want[2], sumH)
	}
}

// checkClose fails when got and want differ by more than rounding: sums of
// at most a few hundred terms of size ‖want‖_∞ give errors of order
// 1e-14·‖want‖_∞, and 1e-12 leaves a margin that no indexing error meets.
func checkClose(t *testing.T, what string, got, want []float64) {
	t.Helper()
	scale := floats.Norm(want, math.Inf(1))
	if d := floats.Distance(got, want, math.Inf(1)); d > 1e-12*scale {
		t.Errorf("%s differs from the single-sample result by %.3g (scale %.3g)", what, d, scale)
	}
}
