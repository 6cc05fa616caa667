package geometry

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems"
)

// BenchmarkEstimateLogistic is ridge logistic regression on a synthetic
// standardized 569 × 31 data set (the size of the Wisconsin diagnostic
// breast cancer data with an intercept column), at its minimizer, with the
// default Settings (1000 points, PathAuto = rank-one) and with the dense
// path forced.
func BenchmarkEstimateLogistic(b *testing.B) {
	lg, x := randLogistic(b, 569, 31, 1.0/569, 5)
	for _, path := range []Path{PathAuto, PathDense} {
		b.Run(path.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Estimate(lg, x, Settings{Path: path}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEstimateRankOneP100N200 is the rank-one path per sample point,
// one worker, on ridge logistic regression with p = 100 and N = 200, at its
// minimizer: the size compared with numpy by examples/torchcompare/dense.py,
// with the dense path (every component Hessian a p×p matrix) for contrast.
func BenchmarkEstimateRankOneP100N200(b *testing.B) {
	lg, x := randLogistic(b, 200, 100, 1e-2, 7)
	for _, c := range []struct {
		path    Path
		samples int
	}{{PathRankOne, 200}, {PathDense, 20}} {
		b.Run(c.path.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Estimate(lg, x, Settings{Path: c.path, Samples: c.samples, Workers: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*c.samples)/1e6, "ms/point")
		})
	}
}

// BenchmarkEstimateDensePoint is the dense path per sample point at
// p = 100, N = 200: a random stochastic quadratic with dense rank-10
// component Hessians (Problem 3.1), 20 points per run.
func BenchmarkEstimateDensePoint(b *testing.B) {
	const p, n = 100, 200
	rnd := rand.New(rand.NewPCG(1, 2))
	qs := make([]mat.Symmetric, n)
	for i := range qs {
		g := mat.NewDense(p, 10, nil)
		for a := range p {
			for c := range 10 {
				g.Set(a, c, rnd.NormFloat64())
			}
		}
		q := mat.NewSymDense(p, nil)
		q.SymOuterK(1.0/10, g)
		qs[i] = q
	}
	quad, err := problems.NewQuadratic(qs, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, p)
	const samples = 20
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Estimate(quad, x, Settings{Samples: samples, Workers: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/samples/1e6, "ms/point")
}

// BenchmarkEstimateMatrixFree is the matrix-free path at its defaults
// (100 points, r = 20) on ridge logistic regression with N = 1000 and
// p = 500 (above MatrixFreeDim, so PathAuto takes it).
func BenchmarkEstimateMatrixFree(b *testing.B) {
	lg, x := randLogistic(b, 1000, 500, 1e-3, 7)
	b.ReportAllocs()
	for b.Loop() {
		l, err := Estimate(lg, x, Settings{})
		if err != nil {
			b.Fatal(err)
		}
		if l.Path != PathMatrixFree {
			b.Fatalf("path %v", l.Path)
		}
	}
}

// BenchmarkHessianOperatorTop is λ_1..λ_20 of ∇²F by spectral.Top on
// HessianOperator for the same problem.
func BenchmarkHessianOperatorTop(b *testing.B) {
	lg, x := randLogistic(b, 1000, 500, 1e-3, 7)
	op, err := HessianOperator(lg, x)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := spectral.Top(op, 20, spectral.Settings{}); err != nil {
			b.Fatal(err)
		}
	}
}
