package sgdk_test

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
)

// The example of the paper's Section 2: gradient descent on f(x) = x² with
// C = 1.1 from x_0 = −1 gives x_1 = 1.2, x_2 = −1.44, and |x_N| grows by
// |1 − 2C| = 1.2 per step, because C exceeds 2/λ = 1 (Theorem 2.1).
func ExampleRun() {
	// f(x) = ½·x'Qx + r'x with Q = 2, r = 0, one component.
	f, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(1, []float64{2})}, [][]float64{{0}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	s := sgdk.Settings{BatchSize: sgdk.FullBatch, Step: sgdk.Constant(1.1), Iterations: 10}
	rec := func(n int, x []float64) bool {
		if n <= 2 {
			fmt.Printf("x_%d = %.4g\n", n, x[0])
		}
		return true
	}
	res, err := sgdk.Run(f, []float64{-1}, s, nil, rec)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("growth per step: %.4g\n", math.Pow(math.Abs(res.X[0]), 1.0/float64(res.Iterations)))
	// Output:
	// x_0 = -1
	// x_1 = 1.2
	// x_2 = -1.44
	// growth per step: 1.2
}

// SGD-k with a decaying step on a two-component problem whose minimizer is
// inhomogeneous: the iterates approach x* = 0 as the step decays.
func ExampleRun_decay() {
	// f_1 = ½(x−1)² and f_2 = ½(x+1)² up to constants: x* = 0.
	q := []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{1})}
	f, err := problems.NewQuadratic(q, [][]float64{{-1}, {1}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	s := sgdk.Settings{BatchSize: 1, Step: sgdk.Decay{C0: 0.5, Tau: 10, A: 1}, Iterations: 100000}
	res, err := sgdk.Run(f, []float64{3}, s, rand.New(rand.NewPCG(1, 2)), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("|x_N − x*| < 0.05: %v\n", math.Abs(res.X[0]) < 0.05)
	// Output:
	// |x_N − x*| < 0.05: true
}

// An ensemble of SGD-1 runs started in a small ball around a minimizer:
// well below the threshold every run stays, well above it every run is
// thrown out. Results do not depend on Workers.
func ExampleEnsemble() {
	// Components q ∈ {1, 3} with probability ½ (the worked example):
	// λ = 2, s = t = 1, so Convergence(1) = Divergence(1) = 2·2/(4+1) = 0.8.
	// That is a mean-square threshold: just above it E[x_N²] grows while
	// most single runs still contract (a draw of q = 1 shrinks x strongly).
	// At C = 2.5 both components expand, |1 − Cq| ≥ 1.5.
	q := []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	f, err := problems.NewQuadratic(q, [][]float64{{0}, {0}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range []float64{0.6, 2.5} {
		e := sgdk.Ensemble{
			Problem:  f,
			Settings: sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(c), Iterations: 200},
			Runs:     500,
			Seed:     7,
			Center:   []float64{0},
			Radius:   1e-3,
			Watch:    [][]float64{{0}},
		}
		r, err := e.Run()
		if err != nil {
			log.Fatal(err)
		}
		far := 0
		for _, d := range r.Distances[0] {
			if d[200] > 1 {
				far++
			}
		}
		fmt.Printf("C = %.4g: %d of %d runs farther than 1 from x* after 200 steps\n", c, far, e.Runs)
	}
	// Output:
	// C = 0.6: 0 of 500 runs farther than 1 from x* after 200 steps
	// C = 2.5: 500 of 500 runs farther than 1 from x* after 200 steps
}
