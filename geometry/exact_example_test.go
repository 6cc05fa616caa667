package geometry_test

import (
	"fmt"
	"log"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
)

// The exact geometry of a homogeneous stochastic quadratic in R²: Q is
// diag(1, 1) or diag(3, 1) with probability ½ each (the
// counterexample to Lemma 3.3(3)). H = diag(2, 1); only the first
// coordinate is random, with Var(q) = 1, so t_Q = 1 and s_Q = 0.
func ExampleExact() {
	q := []mat.Symmetric{
		mat.NewDiagDense(2, []float64{1, 1}),
		mat.NewDiagDense(2, []float64{3, 1}),
	}
	r := [][]float64{{0, 0}, {0, 0}}
	quad, err := problems.NewQuadratic(q, r, nil)
	if err != nil {
		log.Fatal(err)
	}
	l, err := geometry.Exact(quad)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("λ = %.4g, s_Q = %.4g, t_Q = %.4g\n", l.Eigenvalues, l.S, l.T)
	fmt.Printf("x* = %.4g\n", l.Center)
	// Output:
	// λ = [2 1], s_Q = 0, t_Q = 1
	// x* = [0 0]
}
