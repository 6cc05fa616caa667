package geometry

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/thresholds"
)

// TestNoiseFloorLowRank: the noise floor of ridge logistic regression
// (Q_i = w_i a_i a_i' + λI, the low-rank path) equals
// thresholds.MeanSquareFloor with the fourth-moment map summed directly,
// Σ_i p_i Q_i S Q_i, to the solver's tolerance.
func TestNoiseFloorLowRank(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	n, p := 40, 5
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			a.Set(i, j, rnd.NormFloat64())
		}
		y[i] = float64(2*rnd.IntN(2) - 1)
	}
	lg, err := learning.NewLogistic(a, y, nil, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, p)
	for j := range x {
		x[j] = 0.3 * rnd.NormFloat64()
	}
	l, err := Linearize(lg, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.lowRankFourth() == nil {
		t.Fatal("low-rank path not taken for rank-one-plus-ridge Hessians")
	}
	noise := mat.NewSymDense(p, nil)
	for i, b := range l.Grads {
		noise.SymRankOne(noise, l.Weights[i], mat.NewVecDense(p, b))
	}
	direct := func(dst *mat.SymDense, s mat.Symmetric) {
		var t1, t2 mat.Dense
		acc := mat.NewDense(p, p, nil)
		for i, q := range l.Hessians {
			t1.Mul(q, s)
			t2.Mul(&t1, q)
			t2.Scale(l.Weights[i], &t2)
			acc.Add(acc, &t2)
		}
		for r := 0; r < p; r++ {
			for c := r; c < p; c++ {
				dst.SetSym(r, c, 0.5*(acc.At(r, c)+acc.At(c, r)))
			}
		}
	}
	for _, k := range []float64{1, 4} {
		cs, err := l.MeanSquare(k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := l.NoiseFloor(cs/2, k)
		if err != nil {
			t.Fatal(err)
		}
		want, err := thresholds.MeanSquareFloor(l.Hessian, direct, k, cs/2, noise)
		if err != nil {
			t.Fatal(err)
		}
		// Both solve the same system by CG to a relative residual of 1e-12.
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("k = %v: floor %v, direct sum %v", k, got, want)
		}
	}
}
