package geometry

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/thresholds"
)

// TestLinearizeSubspace: above MatrixFreeDim, Linearize forms no p×p
// matrix and compresses onto the top eigenvectors of H. For least squares
// with 12 rows in p = 210, H has rank 12 < r = 20, so V spans range(H) and
// every answer is exact: it must equal the dense computation in an
// independent orthonormal basis of the row space (a QR factorization), to
// 1e-8 relative (Lanczos' tolerance 1e-10 on eigenvectors, amplified by at
// most the condition number of H on its range, about 1e2 here).
func TestLinearizeSubspace(t *testing.T) {
	const p, n = MatrixFreeDim + 10, 12
	rnd := rand.New(rand.NewPCG(8, 9))
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	for i := range n {
		for j := range p {
			a.Set(i, j, rnd.NormFloat64()/math.Sqrt(p))
		}
		y[i] = rnd.NormFloat64()
	}
	ls, err := learning.NewLeastSquares(a, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, p)
	for j := range x {
		x[j] = 0.1 * rnd.NormFloat64()
	}
	lin, err := Linearize(ls, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lin.Subspace == nil || lin.Hessian != nil || lin.Hessians != nil {
		t.Fatal("Linearize formed p×p matrices above MatrixFreeDim")
	}
	if len(lin.Subspace.Indefinite) != 0 {
		t.Errorf("Indefinite = %v for rank-one semidefinite components", lin.Subspace.Indefinite)
	}
	// Independent reference: Q = orthonormal basis of the row space.
	var qr mat.QR
	qr.Factorize(a.T())
	var qq mat.Dense
	qr.QTo(&qq)
	basis := qq.Slice(0, p, 0, n)
	hs := make([]mat.Symmetric, n)
	h := mat.NewSymDense(n, nil)
	noise := mat.NewSymDense(n, nil)
	for i := range n {
		z := mat.NewVecDense(n, nil)
		z.MulVec(basis.T(), a.RowView(i))
		q := mat.NewSymDense(n, nil)
		q.SymRankOne(q, 1, z)
		hs[i] = q
		h.AddSym(h, scaledSym(1/float64(n), q))
		r := mat.Dot(a.RowView(i), mat.NewVecDense(p, x)) - y[i]
		z.ScaleVec(r, z)
		noise.SymRankOne(noise, 1/float64(n), z)
	}
	for _, k := range []float64{1, 3, math.Inf(1)} {
		want, err := thresholds.MeanSquare(hs, nil, k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := lin.MeanSquare(k)
		if err != nil {
			t.Fatal(err)
		}
		if !scalar.EqualWithinRel(got, want, 1e-8) {
			t.Errorf("k = %v: C* = %v, dense in the row space %v", k, got, want)
		}
		if math.IsInf(k, 1) {
			continue
		}
		fourth := func(dst *mat.SymDense, s mat.Symmetric) {
			dst.Zero()
			var t1, t2 mat.Dense
			for _, q := range hs {
				t1.Mul(q, s)
				t2.Mul(&t1, q)
				for r := range n {
					for c := r; c < n; c++ {
						dst.SetSym(r, c, dst.At(r, c)+(t2.At(r, c)+t2.At(c, r))/(2*float64(n)))
					}
				}
			}
		}
		wantF, err := thresholds.MeanSquareFloor(h, fourth, k, want/2, noise)
		if err != nil {
			t.Fatal(err)
		}
		gotF, err := lin.NoiseFloor(want/2, k)
		if err != nil {
			t.Fatal(err)
		}
		if !scalar.EqualWithinRel(gotF, wantF, 1e-8) {
			t.Errorf("k = %v: noise floor %v, dense %v", k, gotF, wantF)
		}
	}
	loc, err := lin.Local()
	if err != nil {
		t.Fatal(err)
	}
	var es mat.EigenSym
	es.Factorize(h, false)
	vals := es.Values(nil)
	if loc.M != n || loc.Truncated {
		t.Fatalf("m = %d, Truncated %v; want %d, false", loc.M, loc.Truncated, n)
	}
	for j := range n {
		if !scalar.EqualWithinRel(loc.Eigenvalues[j], vals[n-1-j], 1e-8) {
			t.Errorf("λ_%d = %v, dense %v", j+1, loc.Eigenvalues[j], vals[n-1-j])
		}
	}
}
