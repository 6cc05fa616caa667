package thresholds_test

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/thresholds"
)

// msRandomPSD returns A A' for a p×r standard normal A (rank r ≤ p).
func msRandomPSD(rnd *rand.Rand, p, r int) *mat.SymDense {
	a := mat.NewDense(p, r, nil)
	for i := range p {
		for j := range r {
			a.Set(i, j, rnd.NormFloat64())
		}
	}
	var q mat.SymDense
	q.SymOuterK(1, a)
	return &q
}

// msRandomOrthogonal returns a random p×p orthogonal matrix (the
// eigenvectors of a random symmetric matrix).
func msRandomOrthogonal(rnd *rand.Rand, p int) *mat.Dense {
	s := mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			s.SetSym(i, j, rnd.NormFloat64())
		}
	}
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		panic("eigen failed")
	}
	var v mat.Dense
	es.VectorsTo(&v)
	return &v
}

// msProblem draws n PSD components in R^p, all supported on the span of the
// first m columns of v (v = nil: the identity), and random weights.
func msProblem(rnd *rand.Rand, p, m, n int, v *mat.Dense) ([]mat.Symmetric, []float64) {
	hess := make([]mat.Symmetric, n)
	w := make([]float64, n)
	var sum float64
	for i := range n {
		r := 1 + rnd.IntN(m)
		if i == 0 {
			r = m // H has rank m
		}
		b := msRandomPSD(rnd, m, r)
		if v == nil && m == p {
			hess[i] = b
		} else {
			vm := v.Slice(0, p, 0, m)
			var t mat.Dense
			t.Product(vm, b, vm.T())
			q := mat.NewSymDense(p, nil)
			for r := range p {
				for c := r; c < p; c++ {
					q.SetSym(r, c, (t.At(r, c)+t.At(c, r))/2)
				}
			}
			hess[i] = q
		}
		w[i] = 0.2 + rnd.Float64()
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return hess, w
}

// msMean returns H = Σ w_i hess[i].
func msMean(hess []mat.Symmetric, w []float64) *mat.SymDense {
	p := hess[0].SymmetricDim()
	h := mat.NewSymDense(p, nil)
	for i, q := range hess {
		h.AddSym(h, scaledSym(w[i], q))
	}
	return h
}

func scaledSym(a float64, q mat.Symmetric) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(a, q)
	return &s
}

// msGeometry computes (λ, s_Q, t_Q) by the recipe of Problem 3.1 with dense
// eigen-solves: M = E[QHQ] − H³, K = Λ^{-1/2}U'MUΛ^{-1/2} on range(H).
func msGeometry(t *testing.T, hess []mat.Symmetric, w []float64) thresholds.Geometry {
	t.Helper()
	h := msMean(hess, w)
	p := h.SymmetricDim()
	var m mat.Dense
	for i, q := range hess {
		var t1 mat.Dense
		t1.Product(q, h, q)
		t1.Scale(w[i], &t1)
		if i == 0 {
			m.CloneFrom(&t1)
		} else {
			m.Add(&m, &t1)
		}
	}
	var h3 mat.Dense
	h3.Product(h, h, h)
	m.Sub(&m, &h3)
	var es mat.EigenSym
	if !es.Factorize(h, true) {
		t.Fatal("eigen of H failed")
	}
	vals := es.Values(nil)
	var u mat.Dense
	es.VectorsTo(&u)
	var eigs []float64
	var cols []int
	for j := p - 1; j >= 0; j-- {
		if vals[j] > 1e-10*vals[p-1] {
			eigs = append(eigs, vals[j])
			cols = append(cols, j)
		}
	}
	um := mat.NewDense(p, len(cols), nil)
	for jj, j := range cols {
		for r := range p {
			um.Set(r, jj, u.At(r, j)/math.Sqrt(vals[j]))
		}
	}
	var k mat.Dense
	k.Product(um.T(), &m, um)
	ks := mat.NewSymDense(len(cols), nil)
	for r := range len(cols) {
		for c := r; c < len(cols); c++ {
			ks.SetSym(r, c, (k.At(r, c)+k.At(c, r))/2)
		}
	}
	var ek mat.EigenSym
	if !ek.Factorize(ks, false) {
		t.Fatal("eigen of K failed")
	}
	kv := ek.Values(nil)
	s, tt := math.Max(0, kv[0]), math.Max(0, kv[len(kv)-1])
	g, err := thresholds.NewGeometry(eigs, math.Min(s, tt), tt)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// msTransfer returns the matrix of T_C(S) = (I − CH)S(I − CH) +
// (C²/k)(E[QSQ] − HSH) acting on row-major vec(S) of m×m matrices S in the
// basis of the columns of b (p×m; nil: the identity): X S Y has the matrix
// X ⊗ Y. Built from the definition, independently of the package's
// symmetric reduction.
func msTransfer(hess []mat.Symmetric, w []float64, b *mat.Dense, c, k float64) *mat.Dense {
	red := func(q mat.Matrix) *mat.Dense {
		var r mat.Dense
		if b == nil {
			r.CloneFrom(q)
		} else {
			r.Product(b.T(), q, b)
		}
		return &r
	}
	h := red(msMean(hess, w))
	m, _ := h.Dims()
	a := mat.NewDense(m, m, nil)
	for i := range m {
		a.Set(i, i, 1)
	}
	a.Sub(a, scaledDense(c, h))
	var t mat.Dense
	t.Kronecker(a, a)
	if math.IsInf(k, 1) {
		return &t
	}
	var hh mat.Dense
	hh.Kronecker(h, h)
	t.Sub(&t, scaledDense(c*c/k, &hh))
	for i, q := range hess {
		qr := red(q)
		var qq mat.Dense
		qq.Kronecker(qr, qr)
		t.Add(&t, scaledDense(c*c/k*w[i], &qq))
	}
	return &t
}

func scaledDense(a float64, x mat.Matrix) *mat.Dense {
	var s mat.Dense
	s.Scale(a, x)
	return &s
}

// msRadius is the spectral radius by a dense nonsymmetric eigen-solve.
func msRadius(t *testing.T, a *mat.Dense) float64 {
	t.Helper()
	var e mat.Eigen
	if !e.Factorize(a, mat.EigenNone) {
		t.Fatal("mat.Eigen failed")
	}
	r := 0.0
	for _, v := range e.Values(nil) {
		r = math.Max(r, cmplx.Abs(v))
	}
	return r
}

// msBisect finds sup{C > 0: ρ(T_C) < 1} by bisection on [0, 2/λ_1·(1+1e-9)]
// (C* ≤ 2/λ_1 always).
func msBisect(t *testing.T, hess []mat.Symmetric, w []float64, b *mat.Dense, k, hi float64) float64 {
	lo := 0.0
	for range 60 {
		mid := (lo + hi) / 2
		if msRadius(t, msTransfer(hess, w, b, mid, k)) < 1 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func TestMeanSquareWorkedExample(t *testing.T) {
	// one coordinate, q ∈ {1, 3} with probability ½.
	hess := []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	w := []float64{0.5, 0.5}
	g := msGeometry(t, hess, w)
	if len(g.Eigenvalues) != 1 || g.Eigenvalues[0] != 2 || !scalar.EqualWithinRel(g.S, 1, 1e-14) || !scalar.EqualWithinRel(g.T, 1, 1e-14) {
		t.Fatalf("geometry %v, want λ = 2, s = t = 1", g)
	}
	// The same problem embedded in R² along a rotated line: singular H and
	// non-diagonal components, so the general path restricted to range(H).
	v := msRandomOrthogonal(rand.New(rand.NewPCG(8, 8)), 2)
	rot := make([]mat.Symmetric, 2)
	for i, q := range []float64{1, 3} {
		s := mat.NewSymDense(2, nil)
		for r := range 2 {
			for c := r; c < 2; c++ {
				s.SetSym(r, c, q*v.At(r, 0)*v.At(c, 0))
			}
		}
		rot[i] = s
	}
	for _, c := range []struct{ k, want float64 }{{1, 0.8}, {4, 16.0 / 17}, {math.Inf(1), 1}} {
		got, err := thresholds.MeanSquare(hess, w, c.k)
		if err != nil || !scalar.EqualWithinRel(got, c.want, 1e-15) {
			t.Errorf("MeanSquare(k = %v) = %v, %v, want %v", c.k, got, err, c.want)
		}
		got, err = thresholds.MeanSquare(rot, nil, c.k)
		if err != nil || !scalar.EqualWithinRel(got, c.want, 1e-12) {
			t.Errorf("MeanSquare(rotated, k = %v) = %v, %v, want %v", c.k, got, err, c.want)
		}
		// m = 1, s = t: Convergence = Divergence = C*.
		if cv, dv := thresholds.Convergence(g, c.k), thresholds.Divergence(g, c.k); !scalar.EqualWithinRel(cv, c.want, 1e-14) || !scalar.EqualWithinRel(dv, c.want, 1e-14) {
			t.Errorf("k = %v: Convergence = %v, Divergence = %v, want both %v", c.k, cv, dv, c.want)
		}
	}
}

// TestMeanSquareOrdering checks Convergence ≤ C* ≤ Divergence and
// C* ≤ 2/λ_1 on random homogeneous quadratics, some with singular H.
func TestMeanSquareOrdering(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 9))
	// Where the thresholds coincide (m = 1 and s = t, or k = ∞ with m = 1)
	// they are computed along different routes: allow 1e-9 relative.
	const tol = 1e-9
	for range 60 {
		p := 1 + rnd.IntN(5)
		m := 1 + rnd.IntN(p)
		n := 1 + rnd.IntN(6)
		var v *mat.Dense
		if m < p {
			v = msRandomOrthogonal(rnd, p)
		}
		hess, w := msProblem(rnd, p, m, n, v)
		g := msGeometry(t, hess, w)
		if len(g.Eigenvalues) != m {
			t.Fatalf("rank %d, want %d", len(g.Eigenvalues), m)
		}
		for _, k := range batchSizes {
			cs, err := thresholds.MeanSquare(hess, w, k)
			if err != nil {
				t.Fatal(err)
			}
			cv, dv := thresholds.Convergence(g, k), thresholds.Divergence(g, k)
			if cv > cs*(1+tol) || cs > dv*(1+tol) || cs > 2/g.Eigenvalues[0]*(1+tol) {
				t.Errorf("p = %d m = %d N = %d k = %v: Convergence %v ≤ C* %v ≤ Divergence %v (2/λ_1 = %v) fails", p, m, n, k, cv, cs, dv, 2/g.Eigenvalues[0])
			}
		}
	}
}

// TestMeanSquareDense checks C* against a dense nonsymmetric eigen-solve of
// the full p²×p² map T_C and against a bisection on its spectral radius, for
// non-diagonal components with a nonsingular H.
func TestMeanSquareDense(t *testing.T) {
	rnd := rand.New(rand.NewPCG(10, 10))
	for _, p := range []int{2, 3, 4} {
		for _, k := range []float64{1, 3, 10} {
			hess, w := msProblem(rnd, p, p, 3+rnd.IntN(3), nil)
			cs, err := thresholds.MeanSquare(hess, w, k)
			if err != nil {
				t.Fatal(err)
			}
			// The map is continuous in C; its radius crosses one at C* with
			// nonzero slope, so 1e-8 is eigen-solver rounding with margin.
			if r := msRadius(t, msTransfer(hess, w, nil, cs, k)); !scalar.EqualWithinRel(r, 1, 1e-8) {
				t.Errorf("p = %d k = %v: ρ(T_C*) = %v, want 1", p, k, r)
			}
			if r := msRadius(t, msTransfer(hess, w, nil, cs*(1-1e-4), k)); !(r < 1) {
				t.Errorf("p = %d k = %v: ρ just below C* = %v, want < 1", p, k, r)
			}
			if r := msRadius(t, msTransfer(hess, w, nil, cs*(1+1e-4), k)); !(r > 1) {
				t.Errorf("p = %d k = %v: ρ just above C* = %v, want > 1", p, k, r)
			}
			if p <= 3 {
				l1 := msGeometry(t, hess, w).Eigenvalues[0]
				bis := msBisect(t, hess, w, nil, k, 2/l1*(1+1e-9))
				if !scalar.EqualWithinRel(bis, cs, 1e-9) {
					t.Errorf("p = %d k = %v: bisection %v, MeanSquare %v", p, k, bis, cs)
				}
			}
		}
	}
}

// TestMeanSquareSingular uses components supported on a known random
// subspace V_m of R^p, so range(H) = span(V_m) is known independently of the
// package's eigen-decomposition: only range(H) counts.
func TestMeanSquareSingular(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 11))
	for _, c := range []struct{ p, m int }{{2, 1}, {3, 2}, {3, 1}, {4, 2}} {
		for _, k := range []float64{1, 4} {
			v := msRandomOrthogonal(rnd, c.p)
			hess, w := msProblem(rnd, c.p, c.m, 4, v)
			cs, err := thresholds.MeanSquare(hess, w, k)
			if err != nil {
				t.Fatal(err)
			}
			vm := mat.DenseCopyOf(v.Slice(0, c.p, 0, c.m))
			if r := msRadius(t, msTransfer(hess, w, vm, cs, k)); !scalar.EqualWithinRel(r, 1, 1e-8) {
				t.Errorf("p = %d m = %d k = %v: ρ(T_C* on range H) = %v, want 1", c.p, c.m, k, r)
			}
			l1 := msGeometry(t, hess, w).Eigenvalues[0]
			bis := msBisect(t, hess, w, vm, k, 2/l1*(1+1e-9))
			if !scalar.EqualWithinRel(bis, cs, 1e-9) {
				t.Errorf("p = %d m = %d k = %v: bisection %v, MeanSquare %v", c.p, c.m, k, bis, cs)
			}
			// On the full space the null(H) block is frozen (eigenvalue 1
			// exactly), so ρ ≤ 1 below C* and > 1 above it.
			if r := msRadius(t, msTransfer(hess, w, nil, cs*(1-1e-4), k)); r > 1+1e-9 {
				t.Errorf("p = %d m = %d k = %v: full-space ρ below C* = %v", c.p, c.m, k, r)
			}
			if r := msRadius(t, msTransfer(hess, w, nil, cs*(1+1e-4), k)); !(r > 1+1e-7) {
				t.Errorf("p = %d m = %d k = %v: full-space ρ above C* = %v", c.p, c.m, k, r)
			}
		}
	}
}

// TestMeanSquareIndefiniteComponents: component Hessians at a nonconvex
// minimizer need not be semidefinite; with H positive definite C* is still
// where the full map's radius crosses one.
func TestMeanSquareIndefiniteComponents(t *testing.T) {
	rnd := rand.New(rand.NewPCG(12, 12))
	for _, p := range []int{2, 3} {
		hess, w := msProblem(rnd, p, p, 3, nil)
		h := msMean(hess, w)
		// Add ±D to two components with equal weight: H is unchanged.
		d := mat.NewSymDense(p, nil)
		for r := range p {
			for c := r; c < p; c++ {
				d.SetSym(r, c, 3*rnd.NormFloat64())
			}
		}
		a, b := mat.NewSymDense(p, nil), mat.NewSymDense(p, nil)
		a.AddSym(h, d)
		b.AddSym(h, scaledSym(-1, d))
		hess = append(hess, a, b)
		w = append(w, 0.5, 0.5)
		for i := range w {
			w[i] /= 2
		}
		for _, k := range []float64{1, 5} {
			cs, err := thresholds.MeanSquare(hess, w, k)
			if err != nil {
				t.Fatal(err)
			}
			if r := msRadius(t, msTransfer(hess, w, nil, cs, k)); !scalar.EqualWithinRel(r, 1, 1e-8) {
				t.Errorf("p = %d k = %v: ρ(T_C*) = %v with indefinite components", p, k, r)
			}
		}
	}
}

// TestMeanSquareDiagonal checks the diagonal fast path against the closed
// form, the general path (the same matrices with a 1e-300 off-diagonal
// entry, and rotated copies) and Theorem 3.8 where they coincide.
func TestMeanSquareDiagonal(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 13))
	for range 20 {
		p := 1 + rnd.IntN(6)
		n := 2 + rnd.IntN(5)
		hess := make([]mat.Symmetric, n)
		nudged := make([]mat.Symmetric, n)
		rotated := make([]mat.Symmetric, n)
		v := msRandomOrthogonal(rnd, p)
		w := make([]float64, n)
		for i := range n {
			w[i] = 1 / float64(n)
			d := make([]float64, p)
			for a := range p {
				d[a] = rnd.Float64() * 3
			}
			dg := mat.NewSymDense(p, nil)
			for a := range p {
				dg.SetSym(a, a, d[a])
			}
			hess[i] = dg
			nu := mat.NewSymDense(p, nil)
			nu.CopySym(dg)
			if p > 1 {
				nu.SetSym(0, 1, 1e-300)
			}
			nudged[i] = nu
			var r mat.Dense
			r.Product(v, dg, v.T())
			rs := mat.NewSymDense(p, nil)
			for a := range p {
				for b := a; b < p; b++ {
					rs.SetSym(a, b, (r.At(a, b)+r.At(b, a))/2)
				}
			}
			rotated[i] = rs
		}
		for _, k := range batchSizes {
			fast, err := thresholds.MeanSquare(hess, w, k)
			if err != nil {
				t.Fatal(err)
			}
			want := math.Inf(1)
			for a := range p {
				var h, h2 float64
				for i := range n {
					q := hess[i].At(a, a)
					h += w[i] * q
					h2 += w[i] * q * q
				}
				want = math.Min(want, 2*h/(h*h+(h2-h*h)/k))
			}
			if !scalar.EqualWithinRel(fast, want, 1e-12) {
				t.Errorf("diagonal closed form %v, fast path %v", want, fast)
			}
			if p > 1 {
				gen, err := thresholds.MeanSquare(nudged, w, k)
				if err != nil || !scalar.EqualWithinRel(gen, fast, 1e-12) {
					t.Errorf("p = %d k = %v: general path %v (%v), fast path %v", p, k, gen, err, fast)
				}
			}
			rot, err := thresholds.MeanSquare(rotated, w, k)
			if err != nil || !scalar.EqualWithinRel(rot, fast, 1e-10) {
				t.Errorf("p = %d k = %v: rotated %v (%v), fast path %v", p, k, rot, err, fast)
			}
		}
	}
	// Equal variances in every coordinate: s = t, and C* = Convergence(k)
	// (the minimum over all λ of 2λ/(λ² + t/k) is at an end).
	hess := []mat.Symmetric{
		mat.NewSymDense(3, []float64{1, 0, 0, 0, 4, 0, 0, 0, 9}),
		mat.NewSymDense(3, []float64{3, 0, 0, 0, 6, 0, 0, 0, 11}),
	}
	g := msGeometry(t, hess, nil2(2))
	for _, k := range batchSizes {
		cs, _ := thresholds.MeanSquare(hess, nil, k)
		if cv := thresholds.Convergence(g, k); !scalar.EqualWithinRel(cs, cv, 1e-13) {
			t.Errorf("equal variances, k = %v: C* = %v, Convergence = %v", k, cs, cv)
		}
	}
}

func nil2(n int) []float64 {
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	return w
}

// asymmetric is a user Symmetric whose At is not symmetric.
type asymmetric struct{ *mat.Dense }

func (a asymmetric) SymmetricDim() int { r, _ := a.Dims(); return r }

// panicky is a user Symmetric that panics.
type panicky struct{}

func (panicky) Dims() (int, int)    { return 2, 2 }
func (panicky) At(i, j int) float64 { panic("boom") }
func (panicky) T() mat.Matrix       { return panicky{} }
func (panicky) SymmetricDim() int   { return 2 }

func TestMeanSquareErrors(t *testing.T) {
	q := mat.NewSymDense(2, []float64{2, 1, 1, 3})
	q3 := mat.NewSymDense(3, nil)
	one := []float64{1}
	for _, c := range []struct {
		hess    []mat.Symmetric
		w       []float64
		k, tol  float64
		contain string
	}{
		{nil, nil, 1, 1e-10, "hess is empty"},
		{[]mat.Symmetric{nil}, one, 1, 1e-10, "hess[0] is nil"},
		{[]mat.Symmetric{q, q3}, nil, 1, 1e-10, "hess[1]"},
		{[]mat.Symmetric{mat.NewSymDense(2, []float64{1, math.NaN(), math.NaN(), 1})}, one, 1, 1e-10, "hess[0]"},
		{[]mat.Symmetric{mat.NewSymDense(2, []float64{1, 0, 0, math.Inf(1)})}, one, 1, 1e-10, "hess[0]"},
		{[]mat.Symmetric{asymmetric{mat.NewDense(2, 2, []float64{1, 2, 0, 1})}}, one, 1, 1e-10, "hess[0] is not symmetric"},
		{[]mat.Symmetric{asymmetric{mat.NewDense(2, 3, nil)}}, one, 1, 1e-10, "hess[0]"},
		{[]mat.Symmetric{panicky{}}, one, 1, 1e-10, "hess[0]"},
		{[]mat.Symmetric{q, q}, one, 1, 1e-10, "w has length"},
		{[]mat.Symmetric{q, q}, []float64{1.5, -0.5}, 1, 1e-10, "w[1]"},
		{[]mat.Symmetric{q, q}, []float64{math.NaN(), 1}, 1, 1e-10, "w[0]"},
		{[]mat.Symmetric{q, q}, []float64{0.5, 0.6}, 1, 1e-10, "w sums to"},
		{[]mat.Symmetric{q}, one, 0.5, 1e-10, "k ="},
		{[]mat.Symmetric{q}, one, math.NaN(), 1e-10, "k ="},
		{[]mat.Symmetric{q}, one, math.Inf(-1), 1e-10, "k ="},
		{[]mat.Symmetric{q}, one, 1, -1, "rankTol"},
		{[]mat.Symmetric{q}, one, 1, math.NaN(), "rankTol"},
		{[]mat.Symmetric{mat.NewSymDense(2, nil)}, one, 1, 1e-10, "no nonzero eigenvalue"},
		{[]mat.Symmetric{mat.NewSymDense(2, []float64{1, 0, 0, -1}), mat.NewSymDense(2, []float64{-1, 0, 0, 1})}, nil, 1, 1e-10, "no nonzero eigenvalue"},
		{[]mat.Symmetric{mat.NewSymDense(2, []float64{1, 0.5, 0.5, -1}), mat.NewSymDense(2, []float64{-1, -0.5, -0.5, 1})}, nil, 1, 1e-10, "no nonzero eigenvalue"},
		{[]mat.Symmetric{mat.NewSymDense(2, []float64{1, 2, 2, 1})}, one, 1, 1e-10, "not a minimizer"},
		{[]mat.Symmetric{mat.NewSymDense(2, []float64{1, 0, 0, -1})}, one, 1, 1e-10, "not a minimizer"},
	} {
		v, err := thresholds.MeanSquareTol(c.hess, c.w, c.k, c.tol)
		if err == nil || !math.IsNaN(v) || !strings.Contains(err.Error(), c.contain) || !strings.HasPrefix(err.Error(), "thresholds: ") {
			t.Errorf("MeanSquareTol(%v, %v, %v, %v) = %v, %v: want NaN and an error containing %q", c.hess, c.w, c.k, c.tol, v, err, c.contain)
		}
	}
	// Weights within 1e-9 of summing to one are normalised; nil is uniform.
	hess := []mat.Symmetric{q, mat.NewSymDense(2, []float64{1, 0, 0, 5})}
	a, err1 := thresholds.MeanSquare(hess, []float64{0.5, 0.5 + 1e-10}, 2)
	b, err2 := thresholds.MeanSquare(hess, nil, 2)
	if err1 != nil || err2 != nil || !scalar.EqualWithinRel(a, b, 1e-9) {
		t.Errorf("near-normalised weights: %v (%v), uniform %v (%v)", a, err1, b, err2)
	}
	// A zero weight drops the component.
	c1, _ := thresholds.MeanSquare(hess[:1], nil, 2)
	c2, err := thresholds.MeanSquare(append(hess[:1:1], mat.NewSymDense(2, []float64{100, 0, 0, 0})), []float64{1, 0}, 2)
	if err != nil || !scalar.EqualWithinRel(c1, c2, 1e-12) {
		t.Errorf("zero weight: %v (%v), want %v", c2, err, c1)
	}
	// Inputs are not modified.
	w := []float64{0.3, 0.7}
	before := mat.NewSymDense(2, nil)
	before.CopySym(q)
	if _, err := thresholds.MeanSquare(hess, w, 3); err != nil || w[0] != 0.3 || w[1] != 0.7 || !mat.Equal(before, q) {
		t.Errorf("inputs modified or error %v", err)
	}
}

func benchmarkMeanSquare(b *testing.B, p, n int) {
	rnd := rand.New(rand.NewPCG(14, 14))
	hess, w := msProblem(rnd, p, p, n, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := thresholds.MeanSquare(hess, w, 4); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMeanSquare(b *testing.B) {
	for _, c := range []struct{ p, n int }{{10, 50}, {30, 30}, {50, 50}} {
		b.Run(fmt.Sprintf("p=%d_N=%d", c.p, c.n), func(b *testing.B) { benchmarkMeanSquare(b, c.p, c.n) })
	}
}
