package geometry_test

import (
	"fmt"
	"testing"

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
