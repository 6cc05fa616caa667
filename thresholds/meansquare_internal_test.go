package thresholds

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

// TestMeanSquareLanczos compares the Lanczos solver of large mean-square
// problems with the full symmetric eigen-solve.
func TestMeanSquareLanczos(t *testing.T) {
	rnd := rand.New(rand.NewPCG(15, 15))
	// A matrix with a cluster at the top: λ_max = 10, then 10(1 − 1e-6).
	n := 200
	var u mat.Dense
	{
		s := mat.NewSymDense(n, nil)
		for i := range n {
			for j := i; j < n; j++ {
				s.SetSym(i, j, rnd.NormFloat64())
			}
		}
		var es mat.EigenSym
		es.Factorize(s, true)
		es.VectorsTo(&u)
	}
	d := make([]float64, n)
	for i := range d {
		d[i] = 5 * rnd.Float64()
	}
	d[0], d[1] = 10, 10*(1-1e-6)
	var a mat.Dense
	a.Product(&u, mat.NewDiagDense(n, d), u.T())
	as := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			as.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	top, ok := msLanczosTop(as)
	// Residual 1e-12 relative bounds the eigenvalue error by 1e-11 absolute.
	if !ok || !scalar.EqualWithinRel(top, 10, 1e-11) {
		t.Errorf("Lanczos top = %v (ok %v), want 10", top, ok)
	}

	if testing.Short() {
		return
	}
	// MeanSquare at m = 34 (size 595) by Lanczos and by the full solve.
	p := 34
	hess := make([]mat.Symmetric, 12)
	for i := range hess {
		b := mat.NewDense(p, 3+rnd.IntN(p), nil)
		r, c := b.Dims()
		for x := range r {
			for y := range c {
				b.Set(x, y, rnd.NormFloat64())
			}
		}
		var q mat.SymDense
		q.SymOuterK(1, b)
		hess[i] = &q
	}
	for _, k := range []float64{1, 16} {
		lz, err := MeanSquare(hess, nil, k)
		if err != nil {
			t.Fatal(err)
		}
		save := msDenseMax
		msDenseMax = math.MaxInt
		dense, err := MeanSquare(hess, nil, k)
		msDenseMax = save
		if err != nil {
			t.Fatal(err)
		}
		if !scalar.EqualWithinRel(lz, dense, 1e-11) {
			t.Errorf("k = %v: Lanczos %v, dense %v", k, lz, dense)
		}
	}
}
