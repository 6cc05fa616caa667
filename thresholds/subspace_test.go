package thresholds

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry/spectral"
)

// lowRankComponents returns n random positive semidefinite p×p matrices of
// rank 2 inside one m-dimensional subspace, so that H has rank m.
func lowRankComponents(rnd *rand.Rand, p, m, n int) []*mat.SymDense {
	basis := mat.NewDense(p, m, nil)
	for a := range p {
		for c := range m {
			basis.Set(a, c, rnd.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(basis)
	var qq mat.Dense
	qr.QTo(&qq)
	u := qq.Slice(0, p, 0, m)
	out := make([]*mat.SymDense, n)
	for i := range out {
		g := mat.NewDense(m, 2, nil)
		for j := range 2 * m {
			g.Set(j/2, j%2, rnd.NormFloat64())
		}
		var ug mat.Dense
		ug.Mul(u, g)
		s := mat.NewSymDense(p, nil)
		s.SymOuterK(1, &ug)
		out[i] = s
	}
	return out
}

// topVectors returns the eigenvectors of the r largest eigenvalues of h.
func topVectors(h *mat.SymDense, r int) *mat.Dense {
	var es mat.EigenSym
	es.Factorize(h, true)
	var u mat.Dense
	es.VectorsTo(&u)
	p := h.SymmetricDim()
	v := mat.NewDense(p, r, nil)
	for j := range r {
		v.SetCol(j, mat.Col(nil, p-1-j, &u))
	}
	return v
}

// TestSubspaceAndOperatorEqualDense: at p ≤ 30 the subspace form with V
// spanning range(H) and the operator form (FourthOperator, products only)
// equal the dense MeanSquare. Both are exact; 1e-9 relative covers the
// rounding of the eigen-solves of matrices of order m(m+1)/2 ≤ 465 and the
// operator form's Lanczos tolerance.
func TestSubspaceAndOperatorEqualDense(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, c := range []struct{ p, m, n int }{{6, 3, 4}, {12, 5, 7}, {30, 8, 10}} {
		qs := lowRankComponents(rnd, c.p, c.m, c.n)
		w := make([]float64, c.n)
		var wsum float64
		for i := range w {
			w[i] = 0.5 + rnd.Float64()
			wsum += w[i]
		}
		for i := range w {
			w[i] /= wsum
		}
		sym := make([]mat.Symmetric, c.n)
		ops := make([]spectral.Operator, c.n)
		h := mat.NewSymDense(c.p, nil)
		for i, q := range qs {
			sym[i] = q
			ops[i] = spectral.NewDense(q)
			h.AddSym(h, scaleSym(w[i], q))
		}
		sub, err := NewSubspace(ops, w, topVectors(h, c.m), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(sub.Indefinite) != 0 {
			t.Errorf("p = %d: Indefinite = %v for semidefinite components", c.p, sub.Indefinite)
		}
		fourth, err := FourthOperator(ops, w)
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range []float64{1, 4, 64, math.Inf(1)} {
			want, err := MeanSquare(sym, w, k)
			if err != nil {
				t.Fatal(err)
			}
			got, err := sub.MeanSquare(k)
			if err != nil {
				t.Fatal(err)
			}
			if !scalar.EqualWithinRel(got, want, 1e-9) {
				t.Errorf("p = %d, k = %v: subspace C* = %v, dense %v", c.p, k, got, want)
			}
			op, err := MeanSquareOperator(h, fourth, k)
			if err != nil {
				t.Fatal(err)
			}
			if !scalar.EqualWithinRel(op, want, 1e-9) {
				t.Errorf("p = %d, k = %v: operator C* = %v, dense %v", c.p, k, op, want)
			}
			// A smaller subspace can only give a larger threshold.
			small, err := NewSubspace(ops, w, topVectors(h, c.m-1), nil)
			if err != nil {
				t.Fatal(err)
			}
			cs, err := small.MeanSquare(k)
			if err != nil {
				t.Fatal(err)
			}
			if !(cs >= want*(1-1e-12)) {
				t.Errorf("p = %d, k = %v: compressed C* = %v below the full %v", c.p, k, cs, want)
			}
			if !math.IsInf(k, 1) && !(cs > want*(1+1e-6)) {
				t.Logf("p = %d, k = %v: compressed C* = %v equals the full %v", c.p, k, cs, want)
			}
		}
		// The Wu–Ma–E quantities of the compression equal the full ones
		// when V spans range(H), and are at most them on a smaller V.
		s0, v0, err := NonUniformity(sym, w)
		if err != nil {
			t.Fatal(err)
		}
		s1, v1, err := sub.NonUniformity()
		if err != nil {
			t.Fatal(err)
		}
		if !scalar.EqualWithinRel(s1, s0, 1e-10) || v1 > v0*(1+1e-10) {
			t.Errorf("p = %d: NonUniformity compressed (%v, %v), full (%v, %v)", c.p, s1, v1, s0, v0)
		}
	}
}

// TestSubspaceNoiseFloor: with V spanning range(H) and gradients in
// range(H), the projected noise floor equals the full one of
// MeanSquareFloor with the p×p covariance (1e-8: conjugate gradients to a
// relative residual of 1e-12 on both sides).
func TestSubspaceNoiseFloor(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	p, m, n := 10, 4, 6
	qs := lowRankComponents(rnd, p, m, n)
	sym := make([]mat.Symmetric, n)
	ops := make([]spectral.Operator, n)
	h := mat.NewSymDense(p, nil)
	for i, q := range qs {
		sym[i] = q
		ops[i] = spectral.NewDense(q)
		h.AddSym(h, scaleSym(1/float64(n), q))
	}
	v := topVectors(h, m)
	grads := make([][]float64, n)
	noise := mat.NewSymDense(p, nil)
	for i := range grads {
		z := mat.NewVecDense(m, nil)
		for j := range m {
			z.SetVec(j, rnd.NormFloat64())
		}
		g := mat.NewVecDense(p, nil)
		g.MulVec(v, z)
		grads[i] = g.RawVector().Data
		noise.SymRankOne(noise, 1/float64(n), g)
	}
	sub, err := NewSubspace(ops, nil, v, grads)
	if err != nil {
		t.Fatal(err)
	}
	fourth, err := FourthOperator(ops, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []float64{1, 8} {
		cs, err := sub.MeanSquare(k)
		if err != nil {
			t.Fatal(err)
		}
		c := cs / 2
		want, err := MeanSquareFloor(h, fourth, k, c, noise)
		if err != nil {
			t.Fatal(err)
		}
		got, err := sub.NoiseFloor(c, k)
		if err != nil {
			t.Fatal(err)
		}
		if !scalar.EqualWithinRel(got, want, 1e-8) || !(got > 0) {
			t.Errorf("k = %v: projected floor %v, full %v", k, got, want)
		}
	}
}

// TestSubspaceIndefinite flags a component whose compressed Hessian is
// indefinite.
func TestSubspaceIndefinite(t *testing.T) {
	q0 := mat.NewSymDense(2, []float64{2, 0, 0, 1})
	q1 := mat.NewSymDense(2, []float64{1, 0, 0, -0.5})
	ops := []spectral.Operator{spectral.NewDense(q0), spectral.NewDense(q1)}
	sub, err := NewSubspace(ops, nil, mat.NewDense(2, 2, []float64{1, 0, 0, 1}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sub.Indefinite) != 1 || sub.Indefinite[0] != 1 {
		t.Errorf("Indefinite = %v, want [1]", sub.Indefinite)
	}
	if _, err := NewSubspace(ops, nil, mat.NewDense(2, 1, []float64{1, 1}), nil); err == nil {
		t.Error("non-orthonormal v: no error")
	}
}

// TestMeanSquareSizeError: a dense C* request at p = 2000 returns the
// memory error naming the size, without allocating the 32 TB matrix.
func TestMeanSquareSizeError(t *testing.T) {
	const p = 2000
	q := mat.NewSymDense(p, nil)
	for a := range p {
		q.SetSym(a, a, 1)
		if a+1 < p {
			q.SetSym(a, a+1, 0.1)
		}
	}
	_, err := MeanSquare([]mat.Symmetric{q}, nil, 4)
	var se *SizeError
	if !errors.As(err, &se) || !(se.Bytes > 1e13) {
		t.Fatalf("err = %v, want a *SizeError of about 3e13 bytes", err)
	}
	t.Log(err)
}

// TestNewSubspaceBlocks: the subspace built from precompressed blocks
// V'Q_iV (formed densely here) and projected gradients V'b_i gives the
// same thresholds as NewSubspace from operators; both compute the same
// numbers by different sums, 1e-12 relative.
func TestNewSubspaceBlocks(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	p, m, n := 9, 3, 5
	qs := lowRankComponents(rnd, p, m, n)
	ops := make([]spectral.Operator, n)
	h := mat.NewSymDense(p, nil)
	for i, q := range qs {
		ops[i] = spectral.NewDense(q)
		h.AddSym(h, scaleSym(1/float64(n), q))
	}
	v := topVectors(h, m)
	grads := make([][]float64, n)
	blocks := make([]*mat.SymDense, n)
	vgrads := make([][]float64, n)
	for i := range n {
		grads[i] = make([]float64, p)
		for d := range grads[i] {
			grads[i][d] = rnd.NormFloat64()
		}
		var qv, b mat.Dense
		qv.Mul(qs[i], v)
		b.Mul(v.T(), &qv)
		blocks[i] = mat.NewSymDense(m, nil)
		for a := range m {
			for c := a; c < m; c++ {
				blocks[i].SetSym(a, c, (b.At(a, c)+b.At(c, a))/2)
			}
		}
		var g mat.VecDense
		g.MulVec(v.T(), mat.NewVecDense(p, grads[i]))
		vgrads[i] = g.RawVector().Data
	}
	a, err := NewSubspace(ops, nil, v, grads)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSubspaceBlocks(blocks, nil, v, vgrads)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []float64{1, 8, math.Inf(1)} {
		ca, err1 := a.MeanSquare(k)
		cb, err2 := b.MeanSquare(k)
		if err1 != nil || err2 != nil || !scalar.EqualWithinRel(ca, cb, 1e-12) {
			t.Errorf("k = %v: operators %v (%v), blocks %v (%v)", k, ca, err1, cb, err2)
		}
		fa, _ := a.NoiseFloor(ca/2, k)
		fb, _ := b.NoiseFloor(ca/2, k)
		if !scalar.EqualWithinRel(fa, fb, 1e-12) || (!math.IsInf(k, 1) && !(fa > 0)) {
			t.Errorf("k = %v: noise floor, operators %v, blocks %v", k, fa, fb)
		}
	}
	if _, err := NewSubspaceBlocks(blocks, nil, v, vgrads[:2]); err == nil {
		t.Error("short vgrads: no error")
	}
	if _, err := NewSubspaceBlocks(blocks[:1], nil, mat.NewDense(p, m+1, nil), nil); err == nil {
		t.Error("non-orthonormal v: no error")
	}
	bad := mat.NewSymDense(m, nil)
	bad.SetSym(0, 1, math.NaN())
	if _, err := NewSubspaceBlocks([]*mat.SymDense{bad}, nil, v, nil); err == nil {
		t.Error("NaN block: no error")
	}
}
