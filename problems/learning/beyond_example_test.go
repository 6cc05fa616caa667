package learning_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/thresholds"
)

// ExampleGaussianLeastSquares computes the exact mean-square threshold C*(k)
// of Gaussian least squares from its closed-form fourth moments, by the
// generic operator form and by the secular equation, without sampling.
func ExampleGaussianLeastSquares() {
	sigma := mat.NewSymDense(2, []float64{1, 0, 0, 0.25})
	g, err := learning.NewGaussianLeastSquares(sigma, []float64{1, 2}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range []float64{1, 8} {
		op, _ := thresholds.MeanSquareOperator(g.Covariance(), g.FourthMoment, k)
		fast, _ := thresholds.MeanSquareGaussian(g.Eigenvalues(), k)
		fmt.Printf("k = %v: C* = %.4g (operator) = %.4g (secular)\n", k, op, fast)
	}
	// One online draw: a row x ~ N(0, Σ) with y = x'θ*.
	row := g.Sample(rand.New(rand.NewPCG(1, 2))).(*learning.LeastSquaresRow)
	fmt.Printf("residual at θ*: %.4g\n", row.Func(g.Minimizer()))
	// Output:
	// k = 1: C* = 0.6439 (operator) = 0.6439 (secular)
	// k = 8: C* = 1.595 (operator) = 1.595 (secular)
	// residual at θ*: 0
}

// ExampleSampledProblem turns a Sampler into a finite Problem: the empirical
// mixture of 1000 draws, which every function taking a Problem accepts.
func ExampleSampledProblem() {
	g, _ := learning.NewGaussianLeastSquares(mat.NewSymDense(1, []float64{2}), []float64{3}, 0.5)
	p, _ := problems.SampledProblem(g, 1000, 1)
	h := mat.NewSymDense(1, nil)
	// The empirical expected Hessian estimates Σ = 2.
	sum := 0.0
	for i := 0; i < p.Len(); i++ {
		problems.HessianOf(p.Component(i)).Hess(h, []float64{0})
		sum += p.Weight(i) * h.At(0, 0)
	}
	fmt.Printf("components %d, empirical H = %.2f\n", p.Len(), sum)
	// Output:
	// components 1000, empirical H = 1.99
}

// ExampleNewLeastSquares points the library at a data matrix.
func ExampleNewLeastSquares() {
	a := mat.NewDense(4, 2, []float64{
		1, 0,
		0, 1,
		1, 1,
		1, -1,
	})
	y := []float64{1, 2, 3, -1}
	ls, _ := learning.NewLeastSquares(a, y, nil)
	x, _ := ls.Minimizer()
	fmt.Printf("θ* = [%.4g %.4g], homogeneous: %v\n", x[0], x[1], ls.Homogeneous(x, 1e-9))
	hs := make([]mat.Symmetric, ls.Len())
	for i := range hs {
		h := mat.NewSymDense(2, nil)
		problems.HessianOf(ls.Component(i)).Hess(h, x)
		hs[i] = h
	}
	c, _ := thresholds.MeanSquare(hs, nil, 1)
	fmt.Printf("C*(1) = %.4g\n", c)
	// Output:
	// θ* = [1 2], homogeneous: true
	// C*(1) = 1.2
}

// ExampleNewLogistic fits ridge-regularized logistic regression on four
// points and reports the minimizer and its gradient norm; the minimizer is
// inhomogeneous (no component gradient vanishes there).
func ExampleNewLogistic() {
	a := mat.NewDense(4, 2, []float64{
		1, 0.5,
		-1, 0.2,
		0.5, -1,
		-0.3, -0.8,
	})
	y := []float64{1, -1, 1, 0} // 0 is read as −1
	lg, err := learning.NewLogistic(a, y, nil, 0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	x, err := lg.Minimizer()
	if err != nil {
		fmt.Println(err)
		return
	}
	g := make([]float64, 2)
	lg.ExpectedGrad(g, x)
	c := make([]float64, 2)
	lg.Component(0).Grad(c, x)
	fmt.Printf("θ* = [%.4g %.4g]\n", x[0], x[1])
	fmt.Printf("|∇F(θ*)| < 1e-8: %v, ∇f_0(θ*) = [%.4g %.4g]\n", math.Hypot(g[0], g[1]) < 1e-8, c[0], c[1])
	// Output:
	// θ* = [1.555 0.05655]
	// |∇F(θ*)| < 1e-8: true, ∇f_0(θ*) = [-0.01472 -0.07948]
}
