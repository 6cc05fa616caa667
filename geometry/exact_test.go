package geometry

import (
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/thresholds"
)

func mustQuadratic(t *testing.T, q []mat.Symmetric, r [][]float64, w []float64) *problems.Quadratic {
	t.Helper()
	quad, err := problems.NewQuadratic(q, r, w)
	if err != nil {
		t.Fatal(err)
	}
	return quad
}

func zeros(n, p int) [][]float64 {
	r := make([][]float64, n)
	for i := range r {
		r[i] = make([]float64, p)
	}
	return r
}

// randBasisPSD returns P A A' P' with A m×rank standard normal and P p×m
// (P = nil means the identity, m = p).
func randBasisPSD(rnd *rand.Rand, p, m, rank int, basis *mat.Dense) *mat.SymDense {
	a := mat.NewDense(m, rank, nil)
	for i := 0; i < m; i++ {
		for j := 0; j < rank; j++ {
			a.Set(i, j, rnd.NormFloat64())
		}
	}
	if basis != nil {
		var pa mat.Dense
		pa.Mul(basis, a)
		a = &pa
	}
	s := mat.NewSymDense(p, nil)
	s.SymOuterK(1, a)
	return s
}

func randOrthonormal(rnd *rand.Rand, p, m int) *mat.Dense {
	a := mat.NewDense(p, m, nil)
	for i := 0; i < p; i++ {
		for j := 0; j < m; j++ {
			a.Set(i, j, rnd.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(a)
	var q mat.Dense
	qr.QTo(&q)
	return mat.DenseCopyOf(q.Slice(0, p, 0, m))
}

// choleskyST computes s and t as the extreme generalized eigenvalues of
// M v = μ H v on a basis B of range(H) (B = nil: H positive definite), by
// Cholesky reduction: with B'HB = LL', μ are the eigenvalues of
// L⁻¹ (B'MB) L⁻ᵀ. It is independent of Exact's eigendecomposition route.
func choleskyST(t *testing.T, h, m mat.Symmetric, basis *mat.Dense) (s, tt float64, eigs []float64) {
	t.Helper()
	hb, mb := mat.DenseCopyOf(h), mat.DenseCopyOf(m)
	if basis != nil {
		var x, y, z mat.Dense
		x.Mul(basis.T(), hb)
		y.Mul(&x, basis)
		x.Reset()
		x.Mul(basis.T(), mb)
		z.Mul(&x, basis)
		hb, mb = &y, &z
	}
	n, _ := hb.Dims()
	hs, ms := mat.NewSymDense(n, nil), mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			hs.SetSym(i, j, (hb.At(i, j)+hb.At(j, i))/2)
			ms.SetSym(i, j, (mb.At(i, j)+mb.At(j, i))/2)
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(hs) {
		t.Fatal("reduced H is not positive definite")
	}
	var l mat.TriDense
	ch.LTo(&l)
	var y, k mat.Dense
	if err := y.Solve(&l, ms); err != nil { // L⁻¹ M
		t.Fatal(err)
	}
	if err := k.Solve(&l, y.T()); err != nil { // L⁻¹ (L⁻¹M)' = L⁻¹ M L⁻ᵀ
		t.Fatal(err)
	}
	ks := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			ks.SetSym(i, j, (k.At(i, j)+k.At(j, i))/2)
		}
	}
	var e mat.EigenSym
	e.Factorize(ks, false)
	v := e.Values(nil)
	var eh mat.EigenSym
	eh.Factorize(hs, false)
	eigs = eh.Values(nil)
	sort.Sort(sort.Reverse(sort.Float64Slice(eigs)))
	return v[0], v[n-1], eigs
}

func TestExactDiagonal(t *testing.T) {
	// Diagonal Q_i: M = diag(h_a Var(q_a)), so the quotient is a weighted
	// average of Var(q_a): s = min_a Var(q_a), t = max_a Var(q_a).
	rnd := rand.New(rand.NewPCG(41, 1))
	const p, n = 4, 7
	qs := make([]mat.Symmetric, n)
	cols := make([][]float64, p)
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 + rnd.Float64()
	}
	floats.Scale(1/floats.Sum(w), w)
	for i := range qs {
		d := make([]float64, p)
		for a := range d {
			d[a] = 3 * rnd.Float64()
			cols[a] = append(cols[a], d[a])
		}
		qs[i] = mat.NewDiagDense(p, d)
	}
	l, err := Exact(mustQuadratic(t, qs, zeros(n, p), w))
	if err != nil {
		t.Fatal(err)
	}
	var wantEigs, vars []float64
	for a := 0; a < p; a++ {
		mean, std := stat.PopMeanStdDev(cols[a], w)
		wantEigs = append(wantEigs, mean)
		vars = append(vars, std*std)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(wantEigs)))
	if !floats.EqualApprox(l.Eigenvalues, wantEigs, 1e-12) {
		t.Errorf("eigenvalues %v, want %v", l.Eigenvalues, wantEigs)
	}
	if !scalar.EqualWithinAbsOrRel(l.S, floats.Min(vars), 1e-12, 1e-10) || !scalar.EqualWithinAbsOrRel(l.T, floats.Max(vars), 1e-12, 1e-10) {
		t.Errorf("s, t = %v, %v; want min, max Var = %v, %v", l.S, l.T, floats.Min(vars), floats.Max(vars))
	}
}

func TestExactCounterexample(t *testing.T) {
	// Lemma 3.3(3) fails for Q = diag(q, 1) with random q: the
	// second coordinate has no variance, so s_Q = 0. With q ∈ {1, 3}
	// (probability ½ each): H = diag(2, 1), Var(q) = 1, so t_Q = 1.
	q := []mat.Symmetric{mat.NewDiagDense(2, []float64{1, 1}), mat.NewDiagDense(2, []float64{3, 1})}
	l, err := Exact(mustQuadratic(t, q, zeros(2, 2), nil))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(l.S) > 1e-14 || math.Abs(l.T-1) > 1e-14 || !floats.EqualApprox(l.Eigenvalues, []float64{2, 1}, 1e-14) {
		t.Errorf("diag(q,1): s = %v, t = %v, eigenvalues %v; want 0, 1, [2 1]", l.S, l.T, l.Eigenvalues)
	}
	if _, err := thresholds.NewGeometry(l.Eigenvalues, l.S, l.T); err != nil {
		t.Errorf("s = 0 geometry rejected: %v", err)
	}
}

func TestExactRankOne(t *testing.T) {
	// the worked example: p = 1, q ∈ {1, 3}: λ = 2, s = t = Var(q) = 1.
	l, err := Exact(mustQuadratic(t, []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}, zeros(2, 1), nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Eigenvalues) != 1 || math.Abs(l.Eigenvalues[0]-2) > 1e-15 || math.Abs(l.S-1) > 1e-14 || math.Abs(l.T-1) > 1e-14 {
		t.Errorf("q ∈ {1,3}: eigenvalues %v, s %v, t %v; want [2], 1, 1", l.Eigenvalues, l.S, l.T)
	}
	// m = 1 in R³: Q_i = c_i uu' gives H = E[c]uu', M = E[c]Var(c)uu', so
	// λ_1 = E[c] and s = t = Var(c); the other two directions are null(H).
	u := []float64{1 / math.Sqrt(3), -1 / math.Sqrt(3), 1 / math.Sqrt(3)}
	c := []float64{0.5, 1, 4}
	w := []float64{0.2, 0.5, 0.3}
	qs := make([]mat.Symmetric, 3)
	rs := make([][]float64, 3)
	for i := range qs {
		s := mat.NewSymDense(3, nil)
		s.SymRankOne(s, c[i], mat.NewVecDense(3, u))
		qs[i] = s
		rs[i] = []float64{c[i] * u[0], c[i] * u[1], c[i] * u[2]} // in range(Q_i)
	}
	l, err = Exact(mustQuadratic(t, qs, rs, w))
	if err != nil {
		t.Fatal(err)
	}
	mean, std := stat.PopMeanStdDev(c, w)
	if len(l.Eigenvalues) != 1 || !scalar.EqualWithinRel(l.Eigenvalues[0], mean, 1e-12) ||
		!scalar.EqualWithinRel(l.S, std*std, 1e-10) || !scalar.EqualWithinRel(l.T, std*std, 1e-10) {
		t.Errorf("rank one: eigenvalues %v, s %v, t %v; want [%v], %v, %v", l.Eigenvalues, l.S, l.T, mean, std*std, std*std)
	}
}

func TestExactAgainstCholesky(t *testing.T) {
	rnd := rand.New(rand.NewPCG(42, 1))
	for trial := 0; trial < 10; trial++ {
		p := 2 + trial%4
		m := p
		var basis *mat.Dense
		if trial%2 == 1 && p > 2 {
			m = p - 1 - trial%2 // singular H: range(H) = span(basis)
			basis = randOrthonormal(rnd, p, m)
		}
		n := 3 + trial
		qs := make([]mat.Symmetric, n)
		rs := make([][]float64, n)
		for i := range qs {
			q := randBasisPSD(rnd, p, m, 1+i%m, basis)
			qs[i] = q
			z := mat.NewVecDense(p, nil)
			for a := 0; a < p; a++ {
				z.SetVec(a, rnd.NormFloat64())
			}
			var r mat.VecDense
			r.MulVec(q, z)
			rs[i] = r.RawVector().Data
		}
		quad := mustQuadratic(t, qs, rs, nil)
		l, err := Exact(quad)
		if err != nil {
			t.Fatal(err)
		}
		s, tt, eigs := choleskyST(t, quad.Hessian(), quad.M(), basis)
		// Both routes are backward stable; with condition numbers of H of
		// order 1e2 here, 1e-9 relative leaves ample room.
		if !scalar.EqualWithinAbsOrRel(l.S, math.Max(s, 0), 1e-10, 1e-8) || !scalar.EqualWithinRel(l.T, tt, 1e-8) {
			t.Errorf("trial %d (p=%d, m=%d): s, t = %v, %v; Cholesky %v, %v", trial, p, m, l.S, l.T, s, tt)
		}
		if len(l.Eigenvalues) != m || !floats.EqualApprox(l.Eigenvalues, eigs, 1e-9*eigs[0]) {
			t.Errorf("trial %d: eigenvalues %v, want %v", trial, l.Eigenvalues, eigs)
		}
		// Lemma 3.3: 0 ≤ s ≤ t; every quotient v'Mv/v'Hv lies in [s, t].
		if !(0 <= l.S && l.S <= l.T) {
			t.Errorf("trial %d: s = %v, t = %v violate 0 ≤ s ≤ t", trial, l.S, l.T)
		}
		mm := quad.M()
		for k := 0; k < 100; k++ {
			v := mat.NewVecDense(p, nil)
			for a := 0; a < p; a++ {
				v.SetVec(a, rnd.NormFloat64())
			}
			vh := mat.Inner(v, l.Hessian, v)
			if vh <= 1e-12 {
				continue
			}
			qv := mat.Inner(v, mm, v) / vh
			if qv < l.S-1e-9*l.T || qv > l.T*(1+1e-9) {
				t.Errorf("trial %d: quotient %v outside [s, t] = [%v, %v]", trial, qv, l.S, l.T)
			}
		}
		if !floats.Equal(l.Center, quad.Minimizer()) || !mat.Equal(l.Hessian, quad.Hessian()) || l.SErr != 0 || l.TErr != 0 {
			t.Errorf("trial %d: Center, Hessian or standard errors wrong", trial)
		}
	}
}

func TestExactRayleighGrid(t *testing.T) {
	// p = 2: the quotient v'Mv/v'Hv over v = (cos θ, sin θ), θ on a fine
	// grid of [0, π). The quotient is smooth in θ, so the grid extremes are
	// within O(Δθ²)·max|q''| ≈ 1e-10·t of s and t.
	rnd := rand.New(rand.NewPCG(43, 1))
	qs := make([]mat.Symmetric, 5)
	for i := range qs {
		qs[i] = randBasisPSD(rnd, 2, 2, 1+i%2, nil)
	}
	quad := mustQuadratic(t, qs, zeros(5, 2), []float64{0.1, 0.2, 0.3, 0.15, 0.25})
	l, err := Exact(quad)
	if err != nil {
		t.Fatal(err)
	}
	h, m := quad.Hessian(), quad.M()
	lo, hi := math.Inf(1), math.Inf(-1)
	const n = 200000
	for k := 0; k < n; k++ {
		th := math.Pi * float64(k) / n
		v := mat.NewVecDense(2, []float64{math.Cos(th), math.Sin(th)})
		q := mat.Inner(v, m, v) / mat.Inner(v, h, v)
		lo, hi = math.Min(lo, q), math.Max(hi, q)
	}
	if !scalar.EqualWithinAbsOrRel(l.S, lo, 1e-8*l.T, 1e-6) || !scalar.EqualWithinRel(l.T, hi, 1e-6) {
		t.Errorf("s, t = %v, %v; grid min, max = %v, %v", l.S, l.T, lo, hi)
	}
}

func TestExactErrors(t *testing.T) {
	if _, err := Exact(nil); err == nil || !strings.Contains(err.Error(), "q is nil") {
		t.Errorf("nil q: %v", err)
	}
	zero := mustQuadratic(t, []mat.Symmetric{mat.NewSymDense(2, nil)}, zeros(1, 2), nil)
	if _, err := Exact(zero); err == nil || !strings.Contains(err.Error(), "no nonzero eigenvalue") {
		t.Errorf("H = 0: %v", err)
	}
}

func BenchmarkExact(b *testing.B) {
	for _, c := range []struct{ p, n int }{{10, 50}, {30, 30}} {
		b.Run("p="+itoa(c.p)+",N="+itoa(c.n), func(b *testing.B) {
			rnd := rand.New(rand.NewPCG(44, 1))
			qs := make([]mat.Symmetric, c.n)
			for i := range qs {
				qs[i] = randBasisPSD(rnd, c.p, c.p, c.p, nil)
			}
			quad, err := problems.NewQuadratic(qs, zeros(c.n, c.p), nil)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := Exact(quad); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func itoa(n int) string {
	s := ""
	for {
		s = string(rune('0'+n%10)) + s
		n /= 10
		if n == 0 {
			return s
		}
	}
}
