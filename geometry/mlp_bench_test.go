package geometry_test

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems/learning"
)

func digitsMLP(b *testing.B, hidden int) (*learning.MLP, []float64) {
	b.Helper()
	d, err := learning.Digits()
	if err != nil {
		b.Fatal(err)
	}
	d.Standardize()
	m, err := learning.NewMLP(d.X, d.Labels, learning.MLPConfig{Hidden: []int{hidden}})
	if err != nil {
		b.Fatal(err)
	}
	return m, m.Init(1)
}

// BenchmarkMLPTopEigen: the top Hessian eigenvalues of the tanh
// cross-entropy MLP on the 1797 digits at its initialization, by Lanczos on
// the full-batch Hessian-vector product (top 10 for 64-32-10, p = 2410;
// top 20 for 64-1500-10, p = 112,510), to a relative residual of 1e-8.
func BenchmarkMLPTopEigen(b *testing.B) {
	for _, c := range []struct{ hidden, k int }{{32, 10}, {1500, 20}} {
		m, theta := digitsMLP(b, c.hidden)
		op, err := geometry.HessianOperator(m, theta)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("64-%d-10/p=%d/top-%d", c.hidden, m.Dim(), c.k), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				top, err := spectral.Top(op, c.k, spectral.Settings{Seed: 1, Tol: 1e-8})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(top.Steps), "HVPs/op")
			}
		})
	}
}

// BenchmarkMLPProjectHessians: the compressed sample Hessians
// Vᵀ∇²f_iV of all 1797 digits onto r = 20 directions, batched, for the
// 64-32-10 MLP.
func BenchmarkMLPProjectHessians(b *testing.B) {
	m, theta := digitsMLP(b, 32)
	const r = 20
	vs := make([][]float64, r)
	for j := range vs {
		vs[j] = m.Init(uint64(10 + j))
	}
	idx := make([]int, m.Len())
	for i := range idx {
		idx[i] = i
	}
	dst := make([]float64, len(idx)*r*r)
	b.ReportAllocs()
	for range b.N {
		m.ProjectHessians(dst, theta, vs, idx)
	}
}

// trainedDigitsMLP is digitsMLP trained by L-BFGS (learning.MLP.Train) for
// at most iters iterations from Init(1): a point near a minimizer, where
// the geometry below is asked for.
func trainedDigitsMLP(b *testing.B, hidden, iters int) (*learning.MLP, []float64) {
	b.Helper()
	m, x := digitsMLP(b, hidden)
	res, err := m.Train(x, &optimize.Settings{MajorIterations: iters, GradientThreshold: 1e-8})
	if res == nil {
		b.Fatal(err)
	}
	return m, res.X
}

// BenchmarkMLPLinearize: the geometry at a trained point x* of the tanh
// cross-entropy MLPs on the 1797 digits, as a researcher asks for it: the
// top r = 20 eigenvalues of ∇²F(x*), s and t of the linearization
// compressed onto their eigenvectors (geometry.Linearize), and C*(k) for
// k = 1, 8, 64 and ∞.
func BenchmarkMLPLinearize(b *testing.B) {
	for _, c := range []struct{ hidden, iters int }{{32, 300}, {1500, 100}} {
		m, x := trainedDigitsMLP(b, c.hidden, c.iters)
		b.Run(fmt.Sprintf("64-%d-10/p=%d", c.hidden, m.Dim()), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				lin, err := geometry.Linearize(m, x, nil)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := lin.Local(); err != nil {
					b.Fatal(err)
				}
				for _, k := range []float64{1, 8, 64, math.Inf(1)} {
					if _, err := lin.MeanSquare(k); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkMLPEstimate: the matrix-free geometry.Estimate (ball average,
// Definition 3.14) at its default Samples on the 64-32-10 MLP at a trained
// point.
func BenchmarkMLPEstimate(b *testing.B) {
	m, x := trainedDigitsMLP(b, 32, 300)
	b.ReportAllocs()
	for range b.N {
		loc, err := geometry.Estimate(m, x, geometry.Settings{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		if loc.Path != geometry.PathMatrixFree {
			b.Fatalf("path %v, want matrix-free", loc.Path)
		}
	}
}
