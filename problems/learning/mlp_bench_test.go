package learning

import (
	"fmt"
	"testing"
)

// digitsMLP returns the tanh cross-entropy MLP 64-hidden-10 on the
// standardized digits and parameters from Init.
func digitsMLP(b *testing.B, hidden int) (*MLP, []float64) {
	b.Helper()
	d, err := Digits()
	if err != nil {
		b.Fatal(err)
	}
	d.Standardize()
	m, err := NewMLP(d.X, d.Labels, MLPConfig{Hidden: []int{hidden}})
	if err != nil {
		b.Fatal(err)
	}
	return m, m.Init(1)
}

// BenchmarkDigitsMLP measures one full-batch gradient and one full-batch
// Hessian-vector product on the 1797 digits: p = 2410 for 64-32-10 and
// p = 112,510 for 64-1500-10.
func BenchmarkDigitsMLP(b *testing.B) {
	for _, hidden := range []int{32, 1500} {
		m, theta := digitsMLP(b, hidden)
		v := m.Init(2)
		dst := make([]float64, m.Dim())
		name := fmt.Sprintf("64-%d-10/p=%d", hidden, m.Dim())
		b.Run(name+"/Grad", func(b *testing.B) {
			b.ReportAllocs()
			m.ExpectedGrad(dst, theta) // warm the workspace pool
			b.ResetTimer()
			for range b.N {
				m.ExpectedGrad(dst, theta)
			}
		})
		b.Run(name+"/HessVec", func(b *testing.B) {
			b.ReportAllocs()
			m.ExpectedHessVec(dst, theta, v)
			b.ResetTimer()
			for range b.N {
				m.ExpectedHessVec(dst, theta, v)
			}
		})
	}
}
