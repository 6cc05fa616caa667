package sgdk_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/sgdk"
)

// TestRunBatchGrader: a problem that evaluates its batches in one pass
// (problems.BatchGrader, here the MLP) follows the same draws as the
// per-component sum, so the iterates agree to rounding with the same stream,
// with and without replacement.
func TestRunBatchGrader(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	const n, d = 12, 3
	x := mat.NewDense(n, d, nil)
	labels := make([]int, n)
	for i := range n {
		for j := range d {
			x.Set(i, j, rnd.NormFloat64())
		}
		labels[i] = i % 3
	}
	mlp, err := learning.NewMLP(x, labels, learning.MLPConfig{Hidden: []int{4}, L2: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := problems.Problem(mlp).(problems.BatchGrader); !ok {
		t.Fatal("the MLP does not implement problems.BatchGrader")
	}
	hidden := struct{ problems.Problem }{mlp} // per-component gradients only
	x0 := mlp.Init(3)
	for _, wr := range []bool{false, true} {
		s := sgdk.Settings{BatchSize: 5, Step: sgdk.Constant(0.1), Iterations: 30, WithoutReplacement: wr}
		a, err := sgdk.Run(mlp, x0, s, rand.New(rand.NewPCG(7, 8)), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := sgdk.Run(hidden, x0, s, rand.New(rand.NewPCG(7, 8)), nil)
		if err != nil {
			t.Fatal(err)
		}
		// 30 steps of O(1) updates: summation order alone separates them.
		for j := range a.X {
			if math.Abs(a.X[j]-b.X[j]) > 1e-12*(1+math.Abs(b.X[j])) {
				t.Fatalf("without replacement %v: θ[%d] = %v batched, %v summed", wr, j, a.X[j], b.X[j])
			}
		}
	}
}
