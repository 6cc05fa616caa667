package thresholds_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/flatminima/flatminima/thresholds"
)

func benchGeometry(b *testing.B, m int) thresholds.Geometry {
	b.Helper()
	eigs := make([]float64, m)
	for i := range eigs {
		eigs[i] = math.Pow(10, 2-3*float64(i)/float64(m))
	}
	g, err := thresholds.NewGeometry(eigs, 0.5, 2)
	if err != nil {
		b.Fatal(err)
	}
	return g
}

var sink float64

func BenchmarkConvergence(b *testing.B) {
	g := benchGeometry(b, 10)
	b.ReportAllocs()
	for b.Loop() {
		sink = thresholds.Convergence(g, 7)
	}
}

func BenchmarkDivergence(b *testing.B) {
	for _, m := range []int{10, 1000} {
		b.Run(fmt.Sprintf("m=%d", m), func(b *testing.B) {
			g := benchGeometry(b, m)
			b.ReportAllocs()
			for b.Loop() {
				sink = thresholds.Divergence(g, 7)
			}
		})
	}
}

func BenchmarkMinBatchForConvergence(b *testing.B) {
	for _, c := range []struct {
		name string
		g    thresholds.Geometry
		c    float64
	}{
		{"ordinary", benchGeometry(b, 10), 0.015},
		// c within an ulp of 2/λ: the closed form is not resolved and the
		// boundary is found by bisection.
		{"resolution", thresholds.Geometry{Eigenvalues: []float64{0.0047619047619047615}, S: 1, T: 2}, 420},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink, _ = thresholds.MinBatchForConvergence(c.g, c.c)
			}
		})
	}
}

func BenchmarkMaxBatchForDivergence(b *testing.B) {
	for _, m := range []int{10, 1000} {
		b.Run(fmt.Sprintf("m=%d", m), func(b *testing.B) {
			g := benchGeometry(b, m)
			c := 1.5 * thresholds.Divergence(g, 1)
			b.ReportAllocs()
			for b.Loop() {
				sink, _ = thresholds.MaxBatchForDivergence(g, c)
			}
		})
	}
}
