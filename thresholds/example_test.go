package thresholds_test

import (
	"fmt"
	"log"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/thresholds"
)

func ExampleConvergence() {
	// A minimizer with Hessian eigenvalues 4 and 1 and curvature
	// parameters s = 0.5, t = 2.
	g, err := thresholds.NewGeometry([]float64{4, 1}, 0.5, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("k_conv = %.4g\n", thresholds.CriticalBatchConvergence(g))
	for _, k := range []float64{1, 4, 64, math.Inf(1)} {
		fmt.Printf("k = %v: converge below %.4g, diverge above %.4g\n",
			k, thresholds.Convergence(g, k), thresholds.Divergence(g, k))
	}
	// Output:
	// k_conv = 0.5
	// k = 1: converge below 0.4444, diverge above 1.333
	// k = 4: converge below 0.4848, diverge above 1.778
	// k = 64: converge below 0.499, diverge above 1.984
	// k = +Inf: converge below 0.5, diverge above 2
}

// Theorem 2.1 and the example of Section 2: f(x) = x², λ = 2, gradient
// descent. Both thresholds are 2/λ = 1; at C = 1.1 the error e_N = 2x_N²
// grows by the factor (1 − 2C)² = 1.44 per step (|x_N| by 1.2).
func ExampleDivergence_theorem21() {
	g, err := thresholds.NewGeometry([]float64{2}, 0, 0)
	if err != nil {
		log.Fatal(err)
	}
	gd := math.Inf(1)
	fmt.Printf("Convergence = %.4g, Divergence = %.4g\n", thresholds.Convergence(g, gd), thresholds.Divergence(g, gd))
	lo, hi := thresholds.GrowthBounds(g, 1.1, gd)
	fmt.Printf("growth of e_N at C = 1.1: %.4g ≤ ρ ≤ %.4g\n", lo, hi)
	x := -1.0
	for n := 1; n <= 2; n++ {
		x -= 1.1 * 2 * x
		fmt.Printf("x_%d = %.4g\n", n, x)
	}
	// Output:
	// Convergence = 1, Divergence = 1
	// growth of e_N at C = 1.1: 1.44 ≤ ρ ≤ 1.44
	// x_1 = 1.2
	// x_2 = -1.44
}

// The worked example: one coordinate with curvature q = 1 or 3,
// each with probability ½.
func ExampleMeanSquare() {
	hess := []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	w := []float64{0.5, 0.5}
	for _, k := range []float64{1, 4, math.Inf(1)} {
		c, err := thresholds.MeanSquare(hess, w, k)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("C*(%v) = %.4g\n", k, c)
	}
	// Sampling 2 of 4 equally weighted copies without replacement acts as a
	// with-replacement batch of 3.
	c, _ := thresholds.MeanSquare(hess, w, thresholds.WithoutReplacement(2, 4))
	fmt.Printf("k_eff = %.4g, C* = %.4g\n", thresholds.WithoutReplacement(2, 4), c)
	// Output:
	// C*(1) = 0.8
	// C*(4) = 0.9412
	// C*(+Inf) = 1
	// k_eff = 3, C* = 0.9231
}

func ExampleMinBatchForConvergence() {
	g, err := thresholds.NewGeometry([]float64{4, 1}, 0.5, 2)
	if err != nil {
		log.Fatal(err)
	}
	// Step 0.49 is guaranteed convergent for every batch size above k̲.
	k, ok := thresholds.MinBatchForConvergence(g, 0.49)
	fmt.Printf("k > %.4g (%v)\n", k, ok)
	ki, _ := thresholds.MinIntBatchForConvergence(g, 0.49)
	fmt.Println("smallest integer batch:", ki)
	// Step 1.9 is guaranteed divergent for batch sizes below k̄.
	kb, ok := thresholds.MaxBatchForDivergence(g, 1.9)
	fmt.Printf("k < %.4g (%v)\n", kb, ok)
	// Above 2/λ_1 = 0.5 no batch size guarantees convergence.
	_, ok = thresholds.MinBatchForConvergence(g, 0.6)
	fmt.Println(ok)
	// Output:
	// k > 6.125 (true)
	// smallest integer batch: 7
	// k < 9.5 (true)
	// false
}

func ExampleInhomogeneousDivergence() {
	g, err := thresholds.NewGeometry([]float64{4, 1}, 0.5, 2)
	if err != nil {
		log.Fatal(err)
	}
	// γ must satisfy 0 < 4γ² ≤ s/k = 0.25.
	d, err := thresholds.InhomogeneousDivergence(g, 2, 0.2)
	if err != nil {
		log.Fatal(err)
	}
	ds, _ := thresholds.InhomogeneousDivergenceSharp(g, 2, 0.2)
	fmt.Printf("homogeneous %.4g ≤ sharp %.4g ≤ (35) %.4g\n", thresholds.Divergence(g, 2), ds, d)
	_, err = thresholds.InhomogeneousDivergence(g, 2, 0.3)
	fmt.Println(err != nil)
	// Output:
	// homogeneous 1.6 ≤ sharp 1.662 ≤ (35) 1.92
	// true
}
