package problems_test

import (
	"fmt"
	"log"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/problems"
)

// A two-component stochastic quadratic (Problem 3.1) in R²:
// f_1 = ½x'Q_1x + r_1'x and f_2 = ½x'Q_2x, with probabilities ¼ and ¾.
func ExampleNewQuadratic() {
	q := []mat.Symmetric{
		mat.NewSymDense(2, []float64{2, 0, 0, 1}),
		mat.NewSymDense(2, []float64{1, 0, 0, 3}),
	}
	r := [][]float64{{-2, 1}, {0, 0}}
	quad, err := problems.NewQuadratic(q, r, []float64{0.25, 0.75})
	if err != nil {
		log.Fatal(err)
	}
	x := quad.Minimizer()
	h := quad.Hessian()
	fmt.Printf("H = diag(%.4g, %.4g)\n", h.At(0, 0), h.At(1, 1))
	fmt.Printf("x* = (%.4g, %.4g)\n", x[0], x[1])
	fmt.Println("homogeneous:", quad.Homogeneous())

	// Bad input is an error naming the argument.
	_, err = problems.NewQuadratic(q, r, []float64{0.5, 0.6})
	fmt.Println(err)
	// Output:
	// H = diag(1.25, 2.5)
	// x* = (0.4, -0.1)
	// homogeneous: false
	// problems: w sums to 1.1, want 1 (within 1e-09)
}

// rosen is the Rosenbrock function with its gradient but no Hessian.
type rosen struct{}

func (rosen) Func(x []float64) float64 {
	a, b := 1-x[0], x[1]-x[0]*x[0]
	return a*a + 100*b*b
}

func (rosen) Grad(grad, x []float64) {
	b := x[1] - x[0]*x[0]
	grad[0] = -2*(1-x[0]) - 400*x[0]*b
	grad[1] = 200 * b
}

// FDHessian gives a component with only a gradient a Hessian, so that it
// can enter a Mixture; CheckDerivatives then reports the worst errors of
// its derivatives against gonum/diff/fd, and Objective minimizes the mixture.
func ExampleFDHessian() {
	c := problems.FDHessian(rosen{})
	var h mat.SymDense
	c.(problems.Hessianer).Hess(&h, []float64{1, 1})
	fmt.Printf("Hessian at (1,1): [%.4g %.4g; %.4g %.4g]\n", h.At(0, 0), h.At(0, 1), h.At(1, 0), h.At(1, 1))

	mix, err := problems.NewMixture(2, []problems.Component{c}, nil)
	if err != nil {
		log.Fatal(err)
	}
	rep, err := problems.CheckDerivatives(mix, [][]float64{{0, 0}, {-1, 2}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("gradient error below 1e-8:", rep.WorstGrad().Err < 1e-8)
	fmt.Println("Hessian error below 1e-6:", rep.WorstHess().Err < 1e-6)

	res, err := optimize.Minimize(problems.Objective(mix), []float64{-1.2, 1}, nil, &optimize.Newton{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("minimum at (%.4g, %.4g)\n", math.Round(res.X[0]*1e6)/1e6, math.Round(res.X[1]*1e6)/1e6)
	// Output:
	// Hessian at (1,1): [802 -400; -400 200]
	// gradient error below 1e-8: true
	// Hessian error below 1e-6: true
	// minimum at (1, 1)
}
