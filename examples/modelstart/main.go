// Command modelstart is the README's second quick start: for a minimizer of
// your own model, the mean-square and almost-sure step-size thresholds, the
// noise floor at a chosen step, and what measuring the escape threshold
// would cost.
package main

import (
	"fmt"
	"log"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/sgdk/stability"
)

func main() {
	// Ridge logistic regression on the breast cancer data (569 × 30),
	// standardized, with an intercept column.
	d, err := learning.BreastCancer()
	if err != nil {
		log.Fatal(err)
	}
	d.Standardize()
	n, f := d.X.Dims()
	a := mat.NewDense(n, f+1, nil)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < f; j++ {
			a.Set(i, j, d.X.At(i, j))
		}
		a.Set(i, f, 1)
		y[i] = float64(2*d.Labels[i] - 1)
	}
	p, err := learning.NewLogistic(a, y, nil, 0.01)
	if err != nil {
		log.Fatal(err)
	}
	res, err := optimize.Minimize(problems.Objective(p), make([]float64, f+1), nil, &optimize.Newton{})
	if err != nil {
		log.Fatal(err)
	}
	// Your minimizer: everything below needs only p and x*.
	c, err := stability.ProblemCase("logistic", p, res.X, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	const k, step = 16.0, 0.5
	set := stability.CompareSettings{
		Lyapunov:  stability.LyapunovSettings{Replicates: 4, Steps: 500, Seed: 1},
		Escape:    stability.EscapeSettings{StartRadius: 0.1, Iterations: 100, Runs: 32, Seed: 1},
		LossKappa: stability.DefaultLossKappa, // escape: excess loss above 100·max(start, floor)
	}
	cheap := set
	cheap.SkipEscape = true
	rows, err := stability.Compare(c, []float64{k}, cheap)
	if err != nil {
		log.Fatal(err)
	}
	r := rows[0]
	floor, err := c.NoiseFloor(step, k)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("k = %v: mean-square C* = %.3g, almost-sure threshold = %.3g ± %.1g\n", k, r.MeanSquare, r.AlmostSure, r.AlmostSureErr)
	fmt.Printf("noise floor at C = %v: excess loss %.3g\n", step, floor/2)
	cost, err := set.Cost(c, []float64{k})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("measuring the escape threshold: about %d probes of %.3g component gradients\n", cost.Probes, cost.ProbeGradients[0])
}
