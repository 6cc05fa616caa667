package learning_test

import (
	"fmt"
	"log"
	"math"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/problems/learning"
)

// A small network on the breast cancer data: train it to a minimizer by
// L-BFGS with gradients only, then read the curvature there from
// Hessian-vector products, without forming the Hessian.
func ExampleNewMLP() {
	d, err := learning.BreastCancer()
	if err != nil {
		log.Fatal(err)
	}
	d.Standardize()
	m, err := learning.NewMLP(d.X, d.Labels, learning.MLPConfig{Hidden: []int{8}, L2: 1e-2})
	if err != nil {
		log.Fatal(err)
	}
	theta := m.Init(1)
	fmt.Printf("%d samples, %d classes, p = %d\n", m.Len(), len(d.Classes), m.Dim())
	fmt.Printf("F at the initial point: %.4g\n", m.ExpectedFunc(theta))

	res, err := m.Train(theta, &optimize.Settings{
		GradientThreshold: 1e-7,
		MajorIterations:   10000,
		Converger:         optimize.NeverTerminate{},
	})
	if err != nil {
		log.Fatal(err)
	}
	grad := make([]float64, m.Dim())
	m.ExpectedGrad(grad, res.X)
	fmt.Println("‖∇F‖∞ ≤ 1e-7:", floats.Norm(grad, math.Inf(1)) <= 1e-7)

	// At a local minimizer ∇²F is positive semidefinite: the curvature
	// vᵀ∇²F v along any direction is nonnegative.
	v := m.Init(2)
	hv := make([]float64, m.Dim())
	m.ExpectedHessVec(hv, res.X, v)
	fmt.Println("vᵀ∇²F v ≥ 0:", floats.Dot(v, hv) >= 0)
	// Output:
	// 569 samples, 2 classes, p = 266
	// F at the initial point: 0.8512
	// ‖∇F‖∞ ≤ 1e-7: true
	// vᵀ∇²F v ≥ 0: true
}

// Reading a data set with text labels from CSV.
func ExampleReadCSV() {
	const data = `sepal length,sepal width,species
5.1,3.5,setosa
7.0,3.2,versicolor
6.3,3.3,virginica
4.9,3.0,setosa
`
	d, err := learning.ReadCSV(strings.NewReader(data), "species")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.FeatureNames, d.Classes, d.Labels)
	mean, scale := d.Standardize()
	fmt.Printf("mean %.4g, scale %.4g\n", mean, scale)
	// Output:
	// [sepal length sepal width] [setosa versicolor virginica] [0 1 2 0]
	// mean [5.825 3.25], scale [0.8642 0.1803]
}
