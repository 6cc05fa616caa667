// Command quickstart is the README's quick start: thresholds of a
// two-component stochastic quadratic and one SGD-1 run.
package main

import (
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/thresholds"
)

func main() {
	// Two equally likely components f_i = ½x'Q_i x on R²: a homogeneous minimizer at 0.
	q := []mat.Symmetric{mat.NewSymDense(2, []float64{1, 0, 0, 0.5}), mat.NewSymDense(2, []float64{3, 0, 0, 1.5})}
	p, err := problems.NewQuadratic(q, nil, nil) // r = 0, uniform weights
	if err != nil {
		log.Fatal(err)
	}
	loc, err := geometry.Exact(p) // λ_1..λ_m, s_Q, t_Q
	if err != nil {
		log.Fatal(err)
	}
	g := loc.Geometry()
	for _, k := range []float64{1, 4, math.Inf(1)} { // k = +Inf is gradient descent
		cs, err := thresholds.MeanSquare(q, nil, k)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("k=%v: converge below %.4g, exact %.4g, diverge above %.4g\n",
			k, thresholds.Convergence(g, k), cs, thresholds.Divergence(g, k))
	}
	s := sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.5), Iterations: 50}
	res, err := sgdk.Run(p, []float64{1, 1}, s, rand.New(rand.NewPCG(1, 2)), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("SGD-1 at C = 0.5: x_50 = %.3g, diverged %v\n", res.X, res.Diverged)
}
