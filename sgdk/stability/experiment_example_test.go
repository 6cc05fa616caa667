package stability_test

import (
	"fmt"
	"log"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
	"github.com/flatminima/flatminima/thresholds"
)

// ExampleRunCell runs the Section 2 example of the paper as a one-run cell:
// gradient descent on f(x) = x² with C = 1.1 from x0 = −1. The distance grows
// by |1 − 2C| = 1.2 per step and e_N = 2x_N² by 1.44 = ρ_lo = ρ_hi.
func ExampleRunCell() {
	q, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(1, []float64{2})}, [][]float64{{0}}, []float64{1})
	if err != nil {
		log.Fatal(err)
	}
	g, err := thresholds.NewGeometry([]float64{2}, 0, 0)
	if err != nil {
		log.Fatal(err)
	}
	res, err := stability.RunCell(stability.Cell{
		Problem: q, Minimizer: []float64{0}, Hessian: q.Hessian(), Geometry: &g,
		BatchSize: sgdk.FullBatch, Step: 1.1, Start: []float64{-1},
		Iterations: 10, Runs: 1,
	}, 1)
	if err != nil {
		log.Fatal(err)
	}
	st := res.Stats
	fmt.Printf("distances: %.4g\n", res.Distances[0][0][:4])
	fmt.Printf("grew %.4g, converged %.4g\n", st.Grew, st.Converged)
	fmt.Printf("growth_ms %.4g in [%.4g, %.4g], run median %.4g\n", st.GrowthMS, st.GrowthLo, st.GrowthHi, st.GrowthRunMedian)
	// Output:
	// distances: [1 1.2 1.44 1.728]
	// grew 1, converged 0
	// growth_ms 1.44 in [1.44, 1.44], run median 1.2
}

// ExampleGrid runs a small grid on the two-point problem
// (q ∈ {1, 3}: Convergence(k) = Divergence(k) = 16/17 for k = 4 and 1 for
// k = ∞): at 0.4 times the threshold every run converges, at 1.5 times it
// every run grows, and the mean-square growth matches Lemma 3.7's
// ρ_lo = ρ_hi. (At k = 1 and C = 1.2 = 1.5·Divergence(1) the mean square
// grows, ρ = 3.4, yet a typical run converges, E log|1 − Cq| < 0: the
// thresholds are about E[e_N], and growth_run_median shows the difference.)
func ExampleGrid() {
	q, err := problems.NewQuadratic(
		[]mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})},
		[][]float64{{0}, {0}}, []float64{0.5, 0.5})
	if err != nil {
		log.Fatal(err)
	}
	g, err := thresholds.NewGeometry([]float64{2}, 1, 1)
	if err != nil {
		log.Fatal(err)
	}
	grid := stability.Grid{
		Sites:   []stability.Site{{Name: "two-point", Problem: q, Minimizer: []float64{0}, Geometry: &g, EscapeRadius: 10}},
		Batches: []int{4, sgdk.FullBatch},
		Radii:   []float64{1e-3},
		Rates: func(s stability.Site, k int) ([]stability.Rate, error) {
			kf := math.Inf(1)
			if k != sgdk.FullBatch {
				kf = float64(k)
			}
			u, l := thresholds.Convergence(*s.Geometry, kf), thresholds.Divergence(*s.Geometry, kf)
			return []stability.Rate{{Label: "0.4u", Value: 0.4 * u}, {Label: "1.5l", Value: 1.5 * l}}, nil
		},
		Runs: 200, Iterations: 20, Seed: 1,
	}
	err = grid.Run(func(gc stability.GridCell, res *stability.CellResult) error {
		st := res.Stats
		k := fmt.Sprint(gc.BatchSize)
		if gc.BatchSize == sgdk.FullBatch {
			k = "inf"
		}
		fmt.Printf("k=%s %s C=%.4g: converged %.4g, grew %.4g, growth_step %.3f ± %.2f, ρ = %.3f, run median %.3f\n",
			k, gc.Rate.Label, gc.Rate.Value, st.Converged, st.Grew,
			st.GrowthStep, st.GrowthStepStderr, st.GrowthLo, st.GrowthRunMedian)
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// k=4 0.4u C=0.3765: converged 1, grew 0, growth_step 0.099 ± 0.00, ρ = 0.096, run median 0.206
	// k=4 1.5l C=1.412: converged 0, grew 1, growth_step 3.803 ± 0.04, ρ = 3.824, run median 1.659
	// k=inf 0.4u C=0.4: converged 1, grew 0, growth_step 0.040 ± 0.00, ρ = 0.040, run median 0.200
	// k=inf 1.5l C=1.5: converged 0, grew 1, growth_step 4.000 ± 0.00, ρ = 4.000, run median 2.000
}
