package spectral_test

import (
	"fmt"
	"math"

	"github.com/flatminima/flatminima/geometry/spectral"
)

// The three largest eigenvalues of a diagonal operator whose top eigenvalue
// 5 is repeated, and Hutchinson's estimate of its trace, exact for a
// diagonal operator.
func ExampleTop() {
	d := []float64{5, 1, 5, 2, 5, 3, 0.5, 4}
	op := spectral.Func{N: len(d), F: func(dst, v []float64) {
		for i, x := range v {
			dst[i] = d[i] * x
		}
	}}
	e, err := spectral.Top(op, 4, spectral.Settings{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for j, l := range e.Values {
		fmt.Printf("λ = %.4g, residual below 1e-9: %v\n", l, e.Residuals[j] < 1e-9)
	}
	low, err := spectral.Bottom(op, 1, spectral.Settings{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("smallest: %.4g\n", low.Values[0])
	tr, err := spectral.Trace(op, spectral.TraceSettings{Probes: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("trace %.4g ± %.4g\n", tr.Value, math.Abs(tr.StdErr))
	// Output:
	// λ = 5, residual below 1e-9: true
	// λ = 5, residual below 1e-9: true
	// λ = 5, residual below 1e-9: true
	// λ = 4, residual below 1e-9: true
	// smallest: 0.5
	// trace 25.5 ± 0
}

// Stochastic Lanczos quadrature of tr log(A) = log det A. For a diagonal
// operator every Rademacher probe sees the uniform spectral measure, so with
// as many steps as distinct eigenvalues the estimate is exact.
func ExampleQuadrature() {
	d := []float64{1, 2, 3, 4}
	op := spectral.Func{N: len(d), F: func(dst, v []float64) {
		for i, x := range v {
			dst[i] = d[i] * x
		}
	}}
	q, err := spectral.Quadrature(op, spectral.TraceSettings{Probes: 5, Steps: 4})
	if err != nil {
		fmt.Println(err)
		return
	}
	logdet := q.Trace(math.Log)
	fmt.Printf("log det = %.4g (log 24 = %.4g), standard error %.2g\n", logdet.Value, math.Log(24), logdet.StdErr)
	// Output:
	// log det = 3.178 (log 24 = 3.178), standard error 0
}
