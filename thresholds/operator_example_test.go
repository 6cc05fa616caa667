package thresholds_test

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/thresholds"
)

// ExampleMeanSquareOperator computes C*(k) for Gaussian rows x ~ N(0, Σ) from
// the closed-form fourth moments E[QSQ] = 2ΣSΣ + tr(SΣ)Σ, and compares the
// Wu–Ma–E limits.
func ExampleMeanSquareOperator() {
	sigma := mat.NewSymDense(2, []float64{1, 0, 0, 0.25})
	fourth := func(dst *mat.SymDense, s mat.Symmetric) {
		var t, u mat.Dense
		t.Mul(sigma, s)
		u.Mul(&t, sigma)
		tr := mat.Trace(&t)
		for a := 0; a < 2; a++ {
			for b := a; b < 2; b++ {
				dst.SetSym(a, b, u.At(a, b)+u.At(b, a)+tr*sigma.At(a, b))
			}
		}
	}
	sharp, v, _ := thresholds.NonUniformityOperator(sigma, fourth)
	for _, k := range []float64{1, 4, math.Inf(1)} {
		c, _ := thresholds.MeanSquareOperator(sigma, fourth, k)
		fmt.Printf("k=%v C*=%.4g Wu: %.4g %.4g\n", k, c, thresholds.WuSharpness(sharp), thresholds.WuNonUniformity(v, k))
	}
	// Output:
	// k=1 C*=0.6439 Wu: 2 0.6667
	// k=4 C*=1.321 Wu: 2 1.333
	// k=+Inf C*=2 Wu: 2 +Inf
}

// ExampleMeanSquareGaussian computes the exact C*(k) of Gaussian least
// squares from the eigenvalues of Σ alone (the secular equation), the
// same numbers as ExampleMeanSquareOperator's, in O(p) per bisection step.
func ExampleMeanSquareGaussian() {
	for _, k := range []float64{1, 4, math.Inf(1)} {
		c, err := thresholds.MeanSquareGaussian([]float64{1, 0.25}, k)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("k=%v C*=%.4g\n", k, c)
	}
	// Output:
	// k=1 C*=0.6439
	// k=4 C*=1.321
	// k=+Inf C*=2
}
