package geometry_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
)

// FuzzEstimate: a two-component quadratic with fuzzed entries and fuzzed
// settings. Estimate either returns an error or a result with no NaN whose
// M counts its eigenvalues, and the result does not depend on Workers.
func FuzzEstimate(f *testing.F) {
	f.Add(1.0, 0.0, 2.0, 3.0, 1.0, 0.5, 0.02, 8, uint64(1))
	f.Add(1e103, 0.0, 1e103, 3e103, 0.0, 3e103, 0.02, 8, uint64(2))
	f.Add(1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1e300, 4, uint64(3))
	f.Add(1.0, 2.0, 1.0, 1.0, 0.0, 1.0, 0.5, 6, uint64(4))
	f.Add(1.0, 0.0, 1.0, 1.0, 0.0, 1.0, -1.0, 4, uint64(5))
	f.Fuzz(func(t *testing.T, a00, a01, a11, b00, b01, b11, radius float64, samples int, seed uint64) {
		if samples < 0 || samples > 64 {
			return // keep each execution fast; size limits are tested elsewhere
		}
		q := []mat.Symmetric{
			mat.NewSymDense(2, []float64{a00, a01, a01, a11}),
			mat.NewSymDense(2, []float64{b00, b01, b01, b11}),
		}
		p, err := problems.NewQuadratic(q, nil, nil)
		if err != nil {
			return
		}
		set := geometry.Settings{Radius: radius, Samples: samples, Seed: seed, Workers: 1}
		l1, err1 := geometry.Estimate(p, []float64{0, 0}, set)
		set.Workers = 3
		l3, err3 := geometry.Estimate(p, []float64{0, 0}, set)
		if (err1 == nil) != (err3 == nil) {
			t.Fatalf("Workers changed the outcome: %v vs %v", err1, err3)
		}
		if err1 != nil {
			return
		}
		if l1.S != l3.S || l1.T != l3.T || len(l1.Eigenvalues) != len(l3.Eigenvalues) {
			t.Fatalf("Workers changed the result: s, t = %v, %v vs %v, %v", l1.S, l1.T, l3.S, l3.T)
		}
		if l1.M != len(l1.Eigenvalues) {
			t.Fatalf("M = %d for %d eigenvalues", l1.M, len(l1.Eigenvalues))
		}
		for _, v := range append([]float64{l1.S, l1.T, l1.SErr, l1.TErr}, l1.Eigenvalues...) {
			if math.IsNaN(v) {
				t.Fatalf("NaN in the result with no error: λ %v, s %v ± %v, t %v ± %v", l1.Eigenvalues, l1.S, l1.SErr, l1.T, l1.TErr)
			}
		}
	})
}
