package thresholds

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// opMixtureFourth returns S ↦ Σ_i w_i Q_i S Q_i.
func opMixtureFourth(q []*mat.SymDense, w []float64) func(dst *mat.SymDense, s mat.Symmetric) {
	return func(dst *mat.SymDense, s mat.Symmetric) {
		p := s.SymmetricDim()
		var t, u mat.Dense
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				dst.SetSym(a, b, 0)
			}
		}
		for i, qi := range q {
			t.Mul(qi, s)
			u.Mul(&t, qi)
			for a := 0; a < p; a++ {
				for b := a; b < p; b++ {
					dst.SetSym(a, b, dst.At(a, b)+w[i]*0.5*(u.At(a, b)+u.At(b, a)))
				}
			}
		}
	}
}

func opExpected(q []*mat.SymDense, w []float64) *mat.SymDense {
	p := q[0].SymmetricDim()
	h := mat.NewSymDense(p, nil)
	for i, qi := range q {
		h.AddSym(h, opScaledSym(w[i], qi))
	}
	return h
}

func opScaledSym(c float64, a *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(c, a)
	return &s
}

// opRandomPSD returns a p×p PSD matrix G G'/p with G p×r Gaussian.
func opRandomPSD(rnd *rand.Rand, p, r int) *mat.SymDense {
	g := mat.NewDense(p, r, nil)
	for i := 0; i < p; i++ {
		for j := 0; j < r; j++ {
			g.Set(i, j, rnd.NormFloat64())
		}
	}
	s := mat.NewSymDense(p, nil)
	s.SymOuterK(1/float64(p), g)
	return s
}

// opKronRadius returns the spectral radius of T_C acting on all p×p matrices,
// T_C = (I−CH)⊗(I−CH) + (C²/k)(Σ w_i Q_i⊗Q_i − H⊗H), by a general
// (non-symmetric) eigen-solve: an independent computation of the map.
func opKronRadius(q []*mat.SymDense, w []float64, c, k float64) float64 {
	p := q[0].SymmetricDim()
	h := opExpected(q, w)
	n := p * p
	t := mat.NewDense(n, n, nil)
	ich := mat.NewDense(p, p, nil)
	for a := 0; a < p; a++ {
		for b := 0; b < p; b++ {
			v := -c * h.At(a, b)
			if a == b {
				v++
			}
			ich.Set(a, b, v)
		}
	}
	var kr mat.Dense
	kr.Kronecker(ich, ich)
	t.Add(t, &kr)
	if !math.IsInf(k, 1) {
		var hh mat.Dense
		hh.Kronecker(h, h)
		hh.Scale(-c*c/k, &hh)
		t.Add(t, &hh)
		for i, qi := range q {
			var qq mat.Dense
			qq.Kronecker(qi, qi)
			qq.Scale(c*c*w[i]/k, &qq)
			t.Add(t, &qq)
		}
	}
	var e mat.Eigen
	if !e.Factorize(t, mat.EigenNone) {
		panic("eigen failed")
	}
	r := 0.0
	for _, v := range e.Values(nil) {
		r = math.Max(r, cmplx.Abs(v))
	}
	return r
}

// opBisectRadius returns sup{C : ρ(T_C) < 1} by bisection on [0, hi].
func opBisectRadius(q []*mat.SymDense, w []float64, k, hi float64) float64 {
	lo := 0.0
	for i := 0; i < 60; i++ {
		mid := (lo + hi) / 2
		if opKronRadius(q, w, mid, k) < 1 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

func TestMeanSquareOperatorTwoPoint(t *testing.T) {
	// the worked example: q ∈ {1, 3} with probability ½ each.
	q := []*mat.SymDense{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	w := []float64{0.5, 0.5}
	h := opExpected(q, w)
	for _, c := range []struct{ k, want float64 }{{1, 0.8}, {4, 16.0 / 17}, {math.Inf(1), 1}} {
		got, err := MeanSquareOperator(h, opMixtureFourth(q, w), c.k)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-12 {
			t.Errorf("k = %v: C* = %.15g, want %.15g", c.k, got, c.want)
		}
	}
}

func TestMeanSquareOperatorKronecker(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	p := 3
	var q []*mat.SymDense
	var w []float64
	for i := 0; i < 4; i++ {
		q = append(q, opRandomPSD(rnd, p, 2))
		w = append(w, 0.25)
	}
	h := opExpected(q, w)
	var es mat.EigenSym
	es.Factorize(h, false)
	l1 := es.Values(nil)[p-1]
	for _, k := range []float64{1, 2, 7, math.Inf(1)} {
		got, err := MeanSquareOperator(h, opMixtureFourth(q, w), k)
		if err != nil {
			t.Fatal(err)
		}
		want := opBisectRadius(q, w, k, 2/l1*(1+1e-9))
		// Bisection to 2^-60 of the bracket; the eigen-solves agree to
		// about 1e-12 relative.
		if math.Abs(got-want) > 1e-8*want {
			t.Errorf("k = %v: operator C* = %.12g, Kronecker bisection %.12g", k, got, want)
		}
		// ρ(T_C) < 1 just below C* and > 1 just above.
		if r := opKronRadius(q, w, got*(1-1e-6), k); !(r < 1) {
			t.Errorf("k = %v: ρ(T_C) = %v below C*", k, r)
		}
		if !math.IsInf(k, 1) {
			if r := opKronRadius(q, w, got*(1+1e-6), k); !(r > 1) {
				t.Errorf("k = %v: ρ(T_C) = %v above C*", k, r)
			}
		}
	}
}

func TestMeanSquareOperatorEqualsComponentForm(t *testing.T) {
	// The operator form with S ↦ Σ w_i Q_i S Q_i must equal MeanSquare on
	// the same finite problem: dense (p = 6) and Lanczos (p = 30) paths,
	// full rank and rank-deficient H.
	rnd := rand.New(rand.NewPCG(11, 12))
	for _, c := range []struct{ p, r, n int }{{6, 3, 5}, {6, 6, 3}, {30, 30, 4}} {
		var q []*mat.SymDense
		var hs []mat.Symmetric
		var w []float64
		basis := opRandomPSD(rnd, c.p, c.r) // shared range when r < p
		for i := 0; i < c.n; i++ {
			g := opRandomPSD(rnd, c.p, c.p)
			var t1, t2 mat.Dense
			t1.Mul(basis, g)
			t2.Mul(&t1, basis)
			qi := mat.NewSymDense(c.p, nil)
			for a := 0; a < c.p; a++ {
				for b := a; b < c.p; b++ {
					qi.SetSym(a, b, 0.5*(t2.At(a, b)+t2.At(b, a)))
				}
			}
			q = append(q, qi)
			hs = append(hs, qi)
			w = append(w, 1/float64(c.n))
		}
		for _, k := range []float64{1, 5, math.Inf(1)} {
			want, err := MeanSquare(hs, w, k)
			if err != nil {
				t.Fatal(err)
			}
			got, err := MeanSquareOperator(opExpected(q, w), opMixtureFourth(q, w), k)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-want) > 1e-9*want {
				t.Errorf("p = %d, rank %d, k = %v: operator %.14g, component %.14g", c.p, c.r, k, got, want)
			}
		}
	}
}

func TestMeanSquareOperatorSingular(t *testing.T) {
	// Components that share a null direction: the restriction to range(H)
	// must reproduce the threshold of the reduced (1-D) problem.
	q := []*mat.SymDense{
		mat.NewSymDense(2, []float64{1, 0, 0, 0}),
		mat.NewSymDense(2, []float64{3, 0, 0, 0}),
	}
	w := []float64{0.5, 0.5}
	got, err := MeanSquareOperator(opExpected(q, w), opMixtureFourth(q, w), 1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-0.8) > 1e-12 {
		t.Errorf("C*(1) = %v, want 0.8", got)
	}
}

func TestMeanSquareOperatorDiagonal(t *testing.T) {
	// with diagonal Q_i, C*(k) = min_a 2h_a/(h_a² + Var(q_a)/k).
	rnd := rand.New(rand.NewPCG(2, 3))
	p, n := 5, 6
	var q []*mat.SymDense
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
		d := mat.NewSymDense(p, nil)
		for a := 0; a < p; a++ {
			d.SetSym(a, a, 0.5+2*rnd.Float64())
		}
		q = append(q, d)
	}
	for _, k := range []float64{1, 3, 50} {
		want := math.Inf(1)
		for a := 0; a < p; a++ {
			m, m2 := 0.0, 0.0
			for i := range q {
				m += w[i] * q[i].At(a, a)
				m2 += w[i] * q[i].At(a, a) * q[i].At(a, a)
			}
			want = math.Min(want, 2*m/(m*m+(m2-m*m)/k))
		}
		got, err := MeanSquareOperator(opExpected(q, w), opMixtureFourth(q, w), k)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-10*want {
			t.Errorf("k = %v: C* = %.12g, diagonal closed form %.12g", k, got, want)
		}
	}
}

// opGaussianFourth is S ↦ 2ΣSΣ + tr(SΣ)Σ. Its products run on general
// (Dense) copies: gonum multiplies two Symmetric operands entry by entry
// through At, which made this map, not Lanczos, the cost of the p = 200
// benchmarks.
func opGaussianFourth(sigma *mat.SymDense) func(dst *mat.SymDense, s mat.Symmetric) {
	p := sigma.SymmetricDim()
	var t, u mat.Dense
	sd := mat.DenseCopyOf(sigma)
	sc := mat.NewDense(p, p, nil)
	return func(dst *mat.SymDense, s mat.Symmetric) {
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				v := s.At(a, b)
				sc.Set(a, b, v)
				sc.Set(b, a, v)
			}
		}
		t.Mul(sd, sc)
		u.Mul(&t, sd)
		tr := mat.Trace(&t)
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				dst.SetSym(a, b, (u.At(a, b)+u.At(b, a))+tr*sigma.At(a, b))
			}
		}
	}
}

func TestMeanSquareGaussianFastVsGeneric(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 8))
	for _, p := range []int{1, 4, 12} {
		sigma := opRandomPSD(rnd, p, p+2)
		var es mat.EigenSym
		es.Factorize(sigma, false)
		eigs := es.Values(nil)
		for _, k := range []float64{1, 4, 64, math.Inf(1)} {
			gen, err := MeanSquareOperator(sigma, opGaussianFourth(sigma), k)
			if err != nil {
				t.Fatal(err)
			}
			fast, err := MeanSquareGaussian(eigs, k)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(gen-fast) > 1e-10*gen {
				t.Errorf("p = %d, k = %v: generic %.14g, secular %.14g", p, k, gen, fast)
			}
		}
	}
}

func TestLanczosMatchesDense(t *testing.T) {
	// p = 30 gives n = 465 > operatorDenseMax: MeanSquareOperator takes the
	// Lanczos path; the secular equation is the independent answer, and the
	// dense path on the same operator a second one.
	rnd := rand.New(rand.NewPCG(7, 7))
	p := 30
	sigma := opRandomPSD(rnd, p, 2*p)
	var es mat.EigenSym
	es.Factorize(sigma, false)
	eigs := es.Values(nil)
	for _, k := range []float64{1, 16} {
		got, err := MeanSquareOperator(sigma, opGaussianFourth(sigma), k)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := MeanSquareGaussian(eigs, k)
		if math.Abs(got-want) > 1e-9*want {
			t.Errorf("k = %v: Lanczos %.14g, secular %.14g", k, got, want)
		}
		vals, u, _ := rangeBasis(sigma)
		op := newMSOperator(vals, u, opGaussianFourth(sigma), k)
		d, err := op.denseMax()
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(1/d-want) > 1e-10*want {
			t.Errorf("k = %v: dense %.14g, secular %.14g", k, 1/d, want)
		}
	}
}

// TestLanczosBudget: a Lanczos run that reaches its step budget before the
// residual test reports an error instead of its last Ritz value (a lower
// bound of λ_max). The operator is the p = 30 Gaussian one of
// TestLanczosMatchesDense at k = 16, which needs more than 3 steps to reach a
// relative residual of 1e-10 (it needs about 10); with the full budget the
// same call converges to the dense answer.
func TestLanczosBudget(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	sigma := opRandomPSD(rnd, 30, 60)
	vals, u, _ := rangeBasis(sigma)
	op := newMSOperator(vals, u, opGaussianFourth(sigma), 16)
	if l, err := op.lanczosMax(1e-10, 3); err == nil {
		t.Errorf("3 Lanczos steps: no error (returned %v)", l)
	} else if !strings.Contains(err.Error(), "did not converge") {
		t.Errorf("3 Lanczos steps: error %q does not say it did not converge", err)
	}
	l, err := op.lanczosMax(1e-10, lanczosBudget)
	if err != nil {
		t.Fatal(err)
	}
	d, err := op.denseMax()
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(l-d) > 1e-10*d {
		t.Errorf("Lanczos %v, dense %v", l, d)
	}
}

func TestMeanSquareOperatorErrors(t *testing.T) {
	h := mat.NewSymDense(2, []float64{1, 0, 0, 1})
	f := func(dst *mat.SymDense, s mat.Symmetric) { dst.CopySym(s) }
	if _, err := MeanSquareOperator(h, f, 0.5); err == nil {
		t.Error("k = 0.5 accepted")
	}
	if _, err := MeanSquareOperator(h, f, math.NaN()); err == nil {
		t.Error("k = NaN accepted")
	}
	if _, err := MeanSquareOperator(h, nil, 1); err == nil {
		t.Error("nil fourth accepted")
	}
	if _, err := MeanSquareOperator(mat.NewSymDense(2, []float64{1, 0, 0, -1}), f, 1); err == nil {
		t.Error("indefinite h accepted")
	}
	if _, err := MeanSquareOperator(mat.NewSymDense(2, nil), f, 1); err == nil {
		t.Error("zero h accepted")
	}
	if _, err := MeanSquareOperator(mat.NewSymDense(1, []float64{math.NaN()}), f, 1); err == nil {
		t.Error("NaN h accepted")
	}
	bad := func(dst *mat.SymDense, s mat.Symmetric) { dst.SetSym(0, 0, math.Inf(1)) }
	if _, err := MeanSquareOperator(h, bad, 1); err == nil {
		t.Error("non-finite fourth accepted")
	}
	for _, s := range [][]float64{nil, {0, 0}, {1, -1}, {math.NaN()}} {
		if _, err := MeanSquareGaussian(s, 1); err == nil {
			t.Errorf("MeanSquareGaussian(%v) accepted", s)
		}
	}
	if _, err := MeanSquareGaussian([]float64{1}, 0); err == nil {
		t.Error("MeanSquareGaussian k = 0 accepted")
	}
}

func BenchmarkMeanSquareOperatorGaussian(b *testing.B) {
	for _, p := range []int{50, 200} {
		rnd := rand.New(rand.NewPCG(1, 2))
		sigma := opRandomPSD(rnd, p, 2*p)
		f := opGaussianFourth(sigma)
		for _, k := range []float64{1, 64, 1000} {
			if k == 1000 && p != 200 {
				continue
			}
			b.Run("p="+strconv.Itoa(p)+"/k="+strconv.Itoa(int(k)), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := MeanSquareOperator(sigma, f, k); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkMeanSquareGaussian(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 2))
	eigs := make([]float64, 200)
	for i := range eigs {
		eigs[i] = rnd.ExpFloat64()
	}
	b.Run("p=200", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MeanSquareGaussian(eigs, 4)
		}
	})
}

// BenchmarkMeanSquareComponentsDense measures the component form MeanSquare
// for p = 50 with 50 dense components (a 1275×1275 symmetric eigenproblem),
// beside the operator form on the same problem.
func BenchmarkMeanSquareComponentsDense(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 3))
	p, n := 50, 50
	var q []*mat.SymDense
	var hs []mat.Symmetric
	var w []float64
	for i := 0; i < n; i++ {
		qi := opRandomPSD(rnd, p, p)
		q = append(q, qi)
		hs = append(hs, qi)
		w = append(w, 1/float64(n))
	}
	b.Run("component/p=50/n=50", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := MeanSquare(hs, w, 4); err != nil {
				b.Fatal(err)
			}
		}
	})
	h, f := opExpected(q, w), opMixtureFourth(q, w)
	b.Run("operator/p=50/n=50", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := MeanSquareOperator(h, f, 4); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestMeanSquareFloor(t *testing.T) {
	// Scalar: T_c(s) = ((1 − ch)² + c²Var(q)/k)s, so
	// e_∞ = h(c²/k)E[b²]/(1 − (1 − ch)² − c²Var(q)/k).
	q := []*mat.SymDense{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	w := []float64{0.5, 0.5}
	noise := mat.NewSymDense(1, []float64{0.7})
	for _, k := range []float64{1, 4} {
		for _, c := range []float64{0.1, 0.5, 0.75} {
			got, err := MeanSquareFloor(opExpected(q, w), opMixtureFourth(q, w), k, c, noise)
			if err != nil {
				t.Fatal(err)
			}
			want := 2 * (c * c / k) * 0.7 / (1 - (1-2*c)*(1-2*c) - c*c/k)
			if math.Abs(got-want) > 1e-10*want {
				t.Errorf("k = %v, c = %v: floor %v, want %v", k, c, got, want)
			}
		}
	}
	if e, _ := MeanSquareFloor(opExpected(q, w), opMixtureFourth(q, w), 1, 0.8, noise); !math.IsInf(e, 1) {
		t.Errorf("floor at C* = %v, want +Inf", e)
	}
	// A dense 3×3 problem: the floor equals the limit of the recursion
	// S ← T_c(S) + (c²/k)N iterated from 0 (it converges geometrically at
	// rate ρ(T_c) < 1).
	rnd := rand.New(rand.NewPCG(21, 22))
	var qs []*mat.SymDense
	w = nil
	for i := 0; i < 4; i++ {
		qs = append(qs, opRandomPSD(rnd, 3, 2))
		w = append(w, 0.25)
	}
	h := opExpected(qs, w)
	f := opMixtureFourth(qs, w)
	n := opRandomPSD(rnd, 3, 3)
	k := 2.0
	cstar, _ := MeanSquareOperator(h, f, k)
	c := 0.6 * cstar
	got, err := MeanSquareFloor(h, f, k, c, n)
	if err != nil {
		t.Fatal(err)
	}
	s := mat.NewSymDense(3, nil)
	fs := mat.NewSymDense(3, nil)
	for it := 0; it < 5000; it++ {
		f(fs, s)
		var a, b mat.Dense
		a.Mul(h, s)
		b.Mul(&a, h)
		var ich mat.Dense
		ich.Scale(-c, h)
		for d := 0; d < 3; d++ {
			ich.Set(d, d, ich.At(d, d)+1)
		}
		var t1, t2 mat.Dense
		t1.Mul(&ich, s)
		t2.Mul(&t1, &ich)
		next := mat.NewSymDense(3, nil)
		for i := 0; i < 3; i++ {
			for j := i; j < 3; j++ {
				v := t2.At(i, j) + c*c/k*(fs.At(i, j)-b.At(i, j)) + c*c/k*n.At(i, j)
				next.SetSym(i, j, v)
			}
		}
		s = next
	}
	var hs mat.Dense
	hs.Mul(h, s)
	want := mat.Trace(&hs)
	if math.Abs(got-want) > 1e-8*want {
		t.Errorf("floor %v, iterated recursion %v", got, want)
	}
	if _, err := MeanSquareFloor(h, f, k, -1, n); err == nil {
		t.Error("c = -1 accepted")
	}
	if _, err := MeanSquareFloor(h, f, k, c, mat.NewSymDense(2, nil)); err == nil {
		t.Error("wrong noise size accepted")
	}
}
