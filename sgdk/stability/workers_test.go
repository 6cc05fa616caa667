package stability_test

import (
	"fmt"
	"math"
	"reflect"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/sgdk/stability"
	"github.com/flatminima/flatminima/thresholds"
)

// TestParallelEntryPointsWorkersIndependent runs every parallel entry point
// that lacks its own Workers test with Workers = 1, 2 and 3 and requires
// bit-identical results: each derives run or replicate i's stream from
// (Seed, i) alone.
func TestParallelEntryPointsWorkersIndependent(t *testing.T) {
	p := scalarQuadratic(t, 1, 3)
	g, err := learning.NewGaussianLeastSquares(mat.NewSymDense(2, []float64{1, 0.2, 0.2, 0.5}), []float64{1, -1}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	gc, err := stability.GaussianCase("gaussian", g)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := stability.ProblemCase("two-point", p, []float64{0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	dim, step, err := stability.MixtureStep(twoPointHess(), nil, 2)
	if err != nil {
		t.Fatal(err)
	}
	es := func(workers int) stability.EscapeSettings {
		return stability.EscapeSettings{BatchSize: 2, StartRadius: 0.1, EscapeRadius: 1, Iterations: 20, Runs: 24, Seed: 4, From: 0.5, Workers: workers}
	}
	ls := func(workers int) stability.LyapunovSettings {
		return stability.LyapunovSettings{Replicates: 16, Steps: 2000, Seed: 5, Workers: workers}
	}
	for _, tc := range []struct {
		name string
		run  func(workers int) (any, error)
	}{
		{"EscapeFraction", func(w int) (any, error) { return stability.EscapeFraction(p, []float64{0}, 0.9, es(w)) }},
		{"EscapeFractionSampler", func(w int) (any, error) {
			return stability.EscapeFractionSampler(g, g.Minimizer(), 1.5, es(w))
		}},
		{"MeasureEscapeSampler", func(w int) (any, error) { return stability.MeasureEscapeSampler(g, g.Minimizer(), es(w)) }},
		{"EscapeCase", func(w int) (any, error) { return stability.EscapeCase(gc, 1.5, 3, es(w)) }},
		{"LyapunovExponent", func(w int) (any, error) { return stability.LyapunovExponent(dim, step, 0.7, ls(w)) }},
		{"Grid.Run", func(w int) (any, error) {
			geo, err := thresholds.NewGeometry([]float64{2}, 1, 1)
			if err != nil {
				return nil, err
			}
			grid := stability.Grid{
				Sites:   []stability.Site{{Name: "two-point", Problem: p, Minimizer: []float64{0}, Geometry: &geo, EscapeRadius: 10}},
				Batches: []int{1, 4},
				Radii:   []float64{0.1},
				Rates: func(stability.Site, int) ([]stability.Rate, error) {
					return []stability.Rate{{Label: "a", Value: 0.5}, {Label: "b", Value: 0.9}}, nil
				},
				Runs: 16, Iterations: 20, Seed: 6, Workers: w,
			}
			// %v prints every float64 in its shortest exact form, and NaN
			// (an energy on the box boundary) equal to itself.
			var out []string
			err = grid.Run(func(gc stability.GridCell, res *stability.CellResult) error {
				out = append(out, fmt.Sprintf("%v %v", gc, *res))
				return nil
			})
			return out, err
		}},
		{"Compare", func(w int) (any, error) {
			return stability.Compare(pc, []float64{1, 4, math.Inf(1)}, stability.CompareSettings{Lyapunov: ls(w), Escape: es(w)})
		}},
	} {
		first, err := tc.run(1)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, w := range []int{2, 3} {
			got, err := tc.run(w)
			if err != nil {
				t.Fatalf("%s, Workers = %d: %v", tc.name, w, err)
			}
			if !reflect.DeepEqual(first, got) {
				t.Errorf("%s: Workers = %d gives %+v, Workers = 1 %+v", tc.name, w, got, first)
			}
		}
	}
}
