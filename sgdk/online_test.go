package sgdk_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/sgdk"
)

func TestRunSamplerDrawCap(t *testing.T) {
	// A population has no counts to draw: k·N draws are refused above 2^34
	// instead of running for days.
	g, err := learning.NewGaussianLeastSquares(mat.NewSymDense(1, []float64{1}), []float64{0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sgdk.RunSampler(g, []float64{0}, sgdk.Settings{BatchSize: 1 << 30, Step: sgdk.Constant(0.1), Iterations: 1 << 10}, rand.New(rand.NewPCG(1, 99)), nil)
	if err == nil || !strings.Contains(err.Error(), "BatchSize·Iterations") {
		t.Errorf("2^40 draws: error %v, want one naming BatchSize·Iterations", err)
	}
	for _, k := range []int{0, -3} {
		_, err = sgdk.RunSampler(g, []float64{0}, sgdk.Settings{BatchSize: k, Step: sgdk.Constant(0.1), Iterations: 1}, rand.New(rand.NewPCG(1, 99)), nil)
		if err == nil || !strings.Contains(err.Error(), "BatchSize") {
			t.Errorf("BatchSize = %d: error %v, want one naming BatchSize", k, err)
		}
	}
}
