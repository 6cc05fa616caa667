package geometry

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/paper"
)

// quartComp is a separable quartic component in the form of the
// Styblinski–Tang component (54): f(x) = ½ Σ_d (c1_d x_d⁴ + c2_d x_d² + c3_d x_d).
type quartComp struct{ c1, c2, c3 []float64 }

func (c quartComp) Func(x []float64) float64 {
	var f float64
	for d, v := range x {
		f += c.c1[d]*v*v*v*v + c.c2[d]*v*v + c.c3[d]*v
	}
	return f / 2
}

func (c quartComp) Grad(grad, x []float64) {
	for d, v := range x {
		grad[d] = 2*c.c1[d]*v*v*v + c.c2[d]*v + c.c3[d]/2
	}
}

func (c quartComp) Hess(hess *mat.SymDense, x []float64) {
	for a := range x {
		for b := a; b < len(x); b++ {
			hess.SetSym(a, b, 0)
		}
		hess.SetSym(a, a, 6*c.c1[a]*x[a]*x[a]+c.c2[a])
	}
}

func (c quartComp) DiagonalHess(diag, x []float64) {
	for d, v := range x {
		diag[d] = 6*c.c1[d]*v*v + c.c2[d]
	}
}

// quartProblem is a mixture of quartComps with the closed forms of a Styblinski–Tang-like sum:
// H_dd(x) = 6ā1_d x_d² + ā2_d and M_dd(x) = H_dd·Var_i(6 c1_{i,d} x_d² + c2_{i,d}),
// from the weighted moments of (c1, c2).
type quartProblem struct {
	comps         []quartComp
	w             []float64
	a1, a2, a3    []float64 // weighted means
	v11, v12, v22 []float64 // weighted central second moments
}

var (
	_ problems.Problem           = (*quartProblem)(nil)
	_ problems.DiagonalMomenter  = (*quartProblem)(nil)
	_ problems.DiagonalHessianer = quartComp{}
)

func (q *quartProblem) Dim() int                           { return len(q.a1) }
func (q *quartProblem) Len() int                           { return len(q.comps) }
func (q *quartProblem) Weight(i int) float64               { return q.w[i] }
func (q *quartProblem) Component(i int) problems.Component { return q.comps[i] }

func (q *quartProblem) DiagonalMoments(h, m, x []float64) {
	for d, v := range x {
		v2 := v * v
		h[d] = 6*q.a1[d]*v2 + q.a2[d]
		m[d] = h[d] * (36*v2*v2*q.v11[d] + 12*v2*q.v12[d] + q.v22[d])
	}
}

// newQuart draws n components on R^p with c1 ~ U(0.5, 1.5), c2 ~ −16 + U(−3, 3),
// c3 ~ 5 + U(−2, 2) and random weights.
func newQuart(p, n int, seed uint64) *quartProblem {
	rnd := rand.New(rand.NewPCG(seed, 7))
	q := &quartProblem{w: make([]float64, n)}
	var sum float64
	for i := range n {
		c := quartComp{make([]float64, p), make([]float64, p), make([]float64, p)}
		for d := range p {
			c.c1[d] = 0.5 + rnd.Float64()
			c.c2[d] = -16 + 6*(rnd.Float64()-0.5)
			c.c3[d] = 5 + 4*(rnd.Float64()-0.5)
		}
		q.comps = append(q.comps, c)
		q.w[i] = 0.5 + rnd.Float64()
		sum += q.w[i]
	}
	for i := range q.w {
		q.w[i] /= sum
	}
	mean := func(f func(c quartComp) float64) float64 {
		var s float64
		for i, c := range q.comps {
			s += q.w[i] * f(c)
		}
		return s
	}
	for d := range p {
		a1 := mean(func(c quartComp) float64 { return c.c1[d] })
		a2 := mean(func(c quartComp) float64 { return c.c2[d] })
		q.a1 = append(q.a1, a1)
		q.a2 = append(q.a2, a2)
		q.a3 = append(q.a3, mean(func(c quartComp) float64 { return c.c3[d] }))
		q.v11 = append(q.v11, mean(func(c quartComp) float64 { return (c.c1[d] - a1) * (c.c1[d] - a1) }))
		q.v12 = append(q.v12, mean(func(c quartComp) float64 { return (c.c1[d] - a1) * (c.c2[d] - a2) }))
		q.v22 = append(q.v22, mean(func(c quartComp) float64 { return (c.c2[d] - a2) * (c.c2[d] - a2) }))
	}
	return q
}

// mixtureOf returns p's components as a problems.Mixture, which has no
// closed form (DiagonalMomenter).
func mixtureOf(t testing.TB, q *quartProblem) problems.Problem {
	comps := make([]problems.Component, len(q.comps))
	for i, c := range q.comps {
		comps[i] = c
	}
	m, err := problems.NewMixture(q.Dim(), comps, q.w)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// polyComp is a non-separable component
//
//	f(x) = ¼ c (a'x)⁴ + ⅙ b (g'x)³ + ½ x'Qx + r'x,
//	∇²f(x) = 3c (a'x)² aa' + b (g'x) gg' + Q.
//
// With c = 0 its Hessian is affine in x.
type polyComp struct {
	a, g, r []float64
	b, c    float64
	q       *mat.SymDense
}

func dot(x, y []float64) float64 {
	var s float64
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

func (f polyComp) Func(x []float64) float64 {
	ax, gx := dot(f.a, x), dot(f.g, x)
	return f.c*ax*ax*ax*ax/4 + f.b*gx*gx*gx/6 + mat.Inner(mat.NewVecDense(len(x), x), f.q, mat.NewVecDense(len(x), x))/2 + dot(f.r, x)
}

func (f polyComp) Grad(grad, x []float64) {
	ax, gx := dot(f.a, x), dot(f.g, x)
	for i := range grad {
		grad[i] = f.c*ax*ax*ax*f.a[i] + f.b*gx*gx*f.g[i]/2 + f.r[i]
		for j := range x {
			grad[i] += f.q.At(i, j) * x[j]
		}
	}
}

func (f polyComp) Hess(hess *mat.SymDense, x []float64) {
	ax, gx := dot(f.a, x), dot(f.g, x)
	for i := range x {
		for j := i; j < len(x); j++ {
			hess.SetSym(i, j, 3*f.c*ax*ax*f.a[i]*f.a[j]+f.b*gx*f.g[i]*f.g[j]+f.q.At(i, j))
		}
	}
}

func randVec(rnd *rand.Rand, p int) []float64 {
	v := make([]float64, p)
	for i := range v {
		v[i] = rnd.NormFloat64()
	}
	return v
}

// randPSD returns B B' with B p×rank Gaussian.
func randPSD(rnd *rand.Rand, p, rank int) *mat.SymDense {
	b := mat.NewDense(p, rank, nil)
	for i := range p {
		for j := range rank {
			b.Set(i, j, rnd.NormFloat64())
		}
	}
	s := mat.NewSymDense(p, nil)
	s.SymOuterK(1, b)
	return s
}

// newPoly returns a mixture of n polyComps on R^p; quartic = false gives
// c = 0 (affine Hessians).
func newPoly(t testing.TB, p, n int, quartic bool, seed uint64) problems.Problem {
	rnd := rand.New(rand.NewPCG(seed, 3))
	comps := make([]problems.Component, n)
	for i := range comps {
		f := polyComp{a: randVec(rnd, p), g: randVec(rnd, p), r: randVec(rnd, p), b: rnd.NormFloat64(), q: randPSD(rnd, p, p)}
		if quartic {
			f.c = 0.5 + rnd.Float64()
		}
		comps[i] = f
	}
	m, err := problems.NewMixture(p, comps, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reference computes the Monte Carlo estimates of Definition 3.14 directly
// from the formulas of Definition 3.14, at the same points as Estimate (it shares only the
// sampler): the uncentred M(θ) = Σ p_i A_i H A_i − H³, K(θ) on the positive
// eigenspace, pair means, H̄ as the plain mean.
func reference(t *testing.T, p problems.Problem, center []float64, s Settings) (hbar *mat.SymDense, sf, tf float64) {
	cfg, err := s.resolve()
	if err != nil {
		t.Fatal(err)
	}
	dim := p.Dim()
	hbar = mat.NewSymDense(dim, nil)
	smp := newSampler(cfg.seed, cfg.radius)
	u := make([]float64, dim)
	theta := make([]float64, dim)
	var infs, sups []float64
	for k := range cfg.pairs {
		smp.offset(u, k)
		var si, ss float64
		var nv int
		for _, sign := range []float64{1, -1} {
			for d := range theta {
				theta[d] = center[d] + sign*u[d]
			}
			h := mat.NewSymDense(dim, nil)
			as := make([]*mat.SymDense, p.Len())
			for i := range as {
				as[i] = mat.NewSymDense(dim, nil)
				problems.HessianOf(p.Component(i)).Hess(as[i], theta)
				h.AddSym(h, scaled(p.Weight(i), as[i]))
			}
			hbar.AddSym(hbar, scaled(1/float64(2*cfg.pairs), h))
			var m, tmp, hh mat.Dense
			for i, a := range as {
				tmp.Mul(h, a)
				var aha mat.Dense
				aha.Mul(a, &tmp)
				aha.Scale(p.Weight(i), &aha)
				if i == 0 {
					m.CloneFrom(&aha)
				} else {
					m.Add(&m, &aha)
				}
			}
			hh.Mul(h, h)
			tmp.Mul(&hh, h)
			m.Sub(&m, &tmp)
			var eig mat.EigenSym
			if !eig.Factorize(h, true) {
				t.Fatal("eigen")
			}
			vals := eig.Values(nil)
			var vecs mat.Dense
			eig.VectorsTo(&vecs)
			maxAbs := math.Max(math.Abs(vals[0]), math.Abs(vals[dim-1]))
			var cols []int
			for c, v := range vals {
				if v > cfg.pointTol*maxAbs {
					cols = append(cols, c)
				}
			}
			if len(cols) == 0 {
				continue
			}
			v := mat.NewDense(dim, len(cols), nil)
			for j, c := range cols {
				for a := range dim {
					v.Set(a, j, vecs.At(a, c)/math.Sqrt(vals[c]))
				}
			}
			var mv, kd mat.Dense
			mv.Mul(&m, v)
			kd.Mul(v.T(), &mv)
			ks := mat.NewSymDense(len(cols), nil)
			for a := range cols {
				for b := a; b < len(cols); b++ {
					ks.SetSym(a, b, (kd.At(a, b)+kd.At(b, a))/2)
				}
			}
			var ek mat.EigenSym
			ek.Factorize(ks, false)
			kv := ek.Values(nil)
			si += kv[0]
			ss += kv[len(kv)-1]
			nv++
		}
		if nv > 0 {
			infs = append(infs, si/float64(nv))
			sups = append(sups, ss/float64(nv))
		}
	}
	mi, _ := meanSE(infs)
	mt, _ := meanSE(sups)
	return hbar, math.Max(0, mi), mt
}

func scaled(f float64, a mat.Symmetric) *mat.SymDense {
	s := mat.NewSymDense(a.SymmetricDim(), nil)
	s.ScaleSym(f, a)
	return s
}

func symClose(a, b mat.Symmetric, tol float64) bool {
	n := a.SymmetricDim()
	var scale float64
	for i := range n {
		for j := range n {
			scale = math.Max(scale, math.Abs(b.At(i, j)))
		}
	}
	for i := range n {
		for j := range n {
			if math.Abs(a.At(i, j)-b.At(i, j)) > tol*scale {
				return false
			}
		}
	}
	return true
}

// TestEstimateQuadratic: a quadratic has a constant Hessian, so every
// sample gives the same H(θ) = H and K(θ) = K: Estimate must return the
// exact answer of Problem 3.1 (and of Exact) with zero standard errors up to
// rounding. H is made singular (rank 3 of 5) so the rank rule and the
// positive eigenspace are exercised.
func TestEstimateQuadratic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	const p, n = 5, 6
	// Every Q_i lives on the same 3-dimensional subspace span(B), so H has rank 3.
	basis := mat.NewDense(p, 3, nil)
	for i := range p {
		for j := range 3 {
			basis.Set(i, j, rnd.NormFloat64())
		}
	}
	qs := make([]mat.Symmetric, n)
	rs := make([][]float64, n)
	w := make([]float64, n)
	for i := range n {
		c := randPSD(rnd, 3, 3)
		var bc, bcb mat.Dense
		bc.Mul(basis, c)
		bcb.Mul(&bc, basis.T())
		q := mat.NewSymDense(p, nil)
		for a := range p {
			for b := a; b < p; b++ {
				q.SetSym(a, b, (bcb.At(a, b)+bcb.At(b, a))/2)
			}
		}
		qs[i] = q
		var r mat.VecDense
		r.MulVec(q, mat.NewVecDense(p, randVec(rnd, p)))
		rs[i] = r.RawVector().Data
		w[i] = 1 / float64(n)
	}
	quad, err := problems.NewQuadratic(qs, rs, w)
	if err != nil {
		t.Fatal(err)
	}
	// The recipe of (4)–(5), in the test: H, M = E[QHQ] − H³, K on range(H).
	h := mat.NewSymDense(p, nil)
	for i, q := range qs {
		h.AddSym(h, scaled(w[i], q))
	}
	var m, tmp mat.Dense
	for i, q := range qs {
		var qhq mat.Dense
		tmp.Mul(h, q)
		qhq.Mul(q, &tmp)
		qhq.Scale(w[i], &qhq)
		if i == 0 {
			m.CloneFrom(&qhq)
		} else {
			m.Add(&m, &qhq)
		}
	}
	var h2, h3 mat.Dense
	h2.Mul(h, h)
	h3.Mul(&h2, h)
	m.Sub(&m, &h3)
	var eh mat.EigenSym
	eh.Factorize(h, true)
	vals := eh.Values(nil)
	var vecs mat.Dense
	eh.VectorsTo(&vecs)
	v := mat.NewDense(p, 3, nil)
	wantEig := []float64{vals[4], vals[3], vals[2]}
	for j, c := range []int{4, 3, 2} {
		for a := range p {
			v.Set(a, j, vecs.At(a, c)/math.Sqrt(vals[c]))
		}
	}
	var mv, k mat.Dense
	mv.Mul(&m, v)
	k.Mul(v.T(), &mv)
	ks := mat.NewSymDense(3, nil)
	for a := range 3 {
		for b := a; b < 3; b++ {
			ks.SetSym(a, b, (k.At(a, b)+k.At(b, a))/2)
		}
	}
	var ek mat.EigenSym
	ek.Factorize(ks, false)
	kv := ek.Values(nil)
	wantS, wantT := kv[0], kv[2]

	center := randVec(rnd, p)
	got, err := Estimate(quad, center, Settings{Samples: 40, Seed: 5, Radius: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	// Tolerances: rounding of p×p products of O(1) entries, 1e-12 relative.
	if !symClose(got.Hessian, h, 1e-12) {
		t.Errorf("H̄ = %v, want H = %v", mat.Formatted(got.Hessian), mat.Formatted(h))
	}
	if got.M != 3 || len(got.Eigenvalues) != 3 {
		t.Fatalf("m = %d (%v), want 3", got.M, got.AllEigenvalues)
	}
	for j, want := range wantEig {
		if !scalar.EqualWithinRel(got.Eigenvalues[j], want, 1e-12) {
			t.Errorf("λ_%d = %v, want %v", j+1, got.Eigenvalues[j], want)
		}
	}
	if !scalar.EqualWithinRel(got.S, wantS, 1e-9) || !scalar.EqualWithinRel(got.T, wantT, 1e-9) {
		t.Errorf("s, t = %v, %v, want %v, %v", got.S, got.T, wantS, wantT)
	}
	if got.SErr > 1e-12*wantT || got.TErr > 1e-12*wantT {
		t.Errorf("SErr, TErr = %v, %v, want 0 (constant Hessian)", got.SErr, got.TErr)
	}
	for j, e := range got.EigErr {
		if e > 1e-12*wantEig[0] {
			t.Errorf("EigErr[%d] = %v, want 0", j, e)
		}
	}
	if got.Skipped != 0 || got.Indefinite != 0 || got.Samples != 40 || got.Path != PathDense {
		t.Errorf("Skipped %d, Indefinite %d, Samples %d, Path %v; want 0, 0, 40, dense", got.Skipped, got.Indefinite, got.Samples, got.Path)
	}
	if !scalar.EqualWithinRel(got.TMedian, wantT, 1e-9) {
		t.Errorf("TMedian = %v, want %v", got.TMedian, wantT)
	}

	// Exact, the other implementation of Problem 3.1, agrees.
	ex, err := Exact(quad)
	if err != nil {
		t.Fatal(err)
	}
	if !scalar.EqualWithinRel(got.S, ex.S, 1e-9) || !scalar.EqualWithinRel(got.T, ex.T, 1e-9) || len(ex.Eigenvalues) != 3 {
		t.Errorf("Estimate (s, t) = (%v, %v), Exact (%v, %v), Exact m = %d", got.S, got.T, ex.S, ex.T, len(ex.Eigenvalues))
	}
}

// TestEstimateQuarticClosedForm checks H̄ against its closed form
// for the separable quartic, H̄_dd = 6ā1_d(x_d² + ε²/(p+2)) + ā2_d, within 4
// standard errors, and the reported standard errors against their exact
// value: the pair mean of H_dd is 6ā1_d(x_d² + u_d²) + ā2_d (antithetic pairs
// cancel the odd term), so its standard deviation is 6ā1_d·sd(u_d²) with
// E[u_d²] = ε²/(p+2) and E[u_d⁴] = 3ε⁴/((p+2)(p+4)) for u uniform in the p-ball.
func TestEstimateQuarticClosedForm(t *testing.T) {
	const p, n = 5, 30
	q := newQuart(p, n, 11)
	center := []float64{2.7, -2.9, 2.8, -3, 2.6}
	const eps = 0.3
	for _, path := range []Path{PathClosedForm, PathDiagonal} {
		got, err := Estimate(q, center, Settings{Radius: eps, Samples: 4000, Seed: 2, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		pf := float64(p)
		varU2 := eps * eps * eps * eps * (3/((pf+2)*(pf+4)) - 1/((pf+2)*(pf+2)))
		for d := range p {
			want := 6*q.a1[d]*(center[d]*center[d]+eps*eps/(pf+2)) + q.a2[d]
			gotH := got.Hessian.At(d, d)
			j := -1
			for jj, v := range got.AllEigenvalues {
				if v == gotH {
					j = jj
				}
			}
			if j < 0 {
				t.Fatalf("%v: H̄_%d%d = %v is not an eigenvalue %v", path, d, d, gotH, got.AllEigenvalues)
			}
			se := got.EigErr[j]
			if math.Abs(gotH-want) > 4*se {
				t.Errorf("%v: H̄_%d%d = %v, want %v ± 4·%v", path, d, d, gotH, want, se)
			}
			// The sd estimate from 2000 pairs has a relative error of a few
			// percent; allow 15%.
			exact := 6 * q.a1[d] * math.Sqrt(varU2/2000)
			if !scalar.EqualWithinRel(se, exact, 0.15) {
				t.Errorf("%v: standard error of H̄_%d%d = %v, want %v", path, d, d, se, exact)
			}
		}
		if got.M != p || got.Skipped != 0 || got.Indefinite != 0 {
			t.Errorf("%v: m = %d, skipped %d, indefinite %d; want %d, 0, 0", path, got.M, got.Skipped, got.Indefinite, p)
		}
	}
}

// TestEstimateQuarticQuotients recomputes s_f and t_f of the separable
// quartic at Estimate's points from the closed form of the pointwise quotient
// (diagonal, with entries Var_i(6 c1_{i,d} x_d² + c2_{i,d}), here by
// the two-pass weighted variance).
func TestEstimateQuarticQuotients(t *testing.T) {
	const p, n = 4, 25
	q := newQuart(p, n, 12)
	center := []float64{2.7, -2.9, 2.8, -3}
	s := Settings{Radius: 0.2, Samples: 200, Seed: 9}
	cfg, _ := s.resolve()
	smp := newSampler(cfg.seed, cfg.radius)
	u := make([]float64, p)
	var infs, sups []float64
	for k := range cfg.pairs {
		smp.offset(u, k)
		var si, ss float64
		for _, sign := range []float64{1, -1} {
			lo, hi := math.Inf(1), math.Inf(-1)
			for d := range p {
				x := center[d] + sign*u[d]
				var mean, v float64
				for i, c := range q.comps {
					mean += q.w[i] * (6*c.c1[d]*x*x + c.c2[d])
				}
				for i, c := range q.comps {
					e := 6*c.c1[d]*x*x + c.c2[d] - mean
					v += q.w[i] * e * e
				}
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			si += lo / 2
			ss += hi / 2
		}
		infs = append(infs, si)
		sups = append(sups, ss)
	}
	wantS, wantSE := meanSE(infs)
	wantT, wantTE := meanSE(sups)
	for _, path := range []Path{PathClosedForm, PathDiagonal, PathDense} {
		s.Path = path
		got, err := Estimate(q, center, s)
		if err != nil {
			t.Fatal(err)
		}
		const tol = 1e-10
		if !scalar.EqualWithinRel(got.S, wantS, tol) || !scalar.EqualWithinRel(got.T, wantT, tol) ||
			!scalar.EqualWithinRel(got.SErr, wantSE, 1e-8) || !scalar.EqualWithinRel(got.TErr, wantTE, 1e-8) {
			t.Errorf("%v: s = %v ± %v, t = %v ± %v; want %v ± %v, %v ± %v", path, got.S, got.SErr, got.T, got.TErr, wantS, wantSE, wantT, wantTE)
		}
	}
}

// TestEstimatePathsAgree: the diagonal and closed-form paths equal the dense
// path on the same points (within 1e-10 relative, the rounding of different
// summation orders), at a center with positive curvature and at one where
// some coordinates have negative curvature (indefinite H(θ)).
func TestEstimatePathsAgree(t *testing.T) {
	const p, n = 6, 40
	q := newQuart(p, n, 13)
	centers := map[string][]float64{
		"minimizer":  {2.7, -2.9, 2.8, -3, 2.6, 2.75},
		"indefinite": {2.7, 0.1, 2.8, -3, 0, 2.75},
	}
	for name, center := range centers {
		var res []*Local
		for _, path := range []Path{PathDense, PathDiagonal, PathClosedForm} {
			l, err := Estimate(q, center, Settings{Radius: 0.1, Samples: 60, Seed: 4, Path: path})
			if err != nil {
				t.Fatalf("%s %v: %v", name, path, err)
			}
			if l.Path != path {
				t.Errorf("Path = %v, want %v", l.Path, path)
			}
			res = append(res, l)
		}
		// The problem without DiagonalMomenter picks the diagonal path.
		auto, err := Estimate(mixtureOf(t, q), center, Settings{Radius: 0.1, Samples: 60, Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		if auto.Path != PathDiagonal {
			t.Errorf("auto path = %v, want diagonal", auto.Path)
		}
		res = append(res, auto)
		d := res[0]
		if name == "indefinite" && (d.Indefinite == 0 || d.Skipped != 0) {
			t.Errorf("indefinite center: Indefinite %d, Skipped %d; want > 0, 0", d.Indefinite, d.Skipped)
		}
		const tol = 1e-10
		for _, l := range res[1:] {
			if !symClose(l.Hessian, d.Hessian, tol) {
				t.Errorf("%s %v: H̄ differs from the dense path", name, l.Path)
			}
			if l.M != d.M || l.Skipped != d.Skipped || l.Indefinite != d.Indefinite || l.Samples != d.Samples {
				t.Errorf("%s %v: m, skipped, indefinite, samples = %d %d %d %d; dense %d %d %d %d", name, l.Path,
					l.M, l.Skipped, l.Indefinite, l.Samples, d.M, d.Skipped, d.Indefinite, d.Samples)
			}
			for j := range d.AllEigenvalues {
				if !scalar.EqualWithinAbsOrRel(l.AllEigenvalues[j], d.AllEigenvalues[j], tol*d.AllEigenvalues[0], tol) ||
					!scalar.EqualWithinAbsOrRel(l.EigErr[j], d.EigErr[j], tol*d.AllEigenvalues[0], 1e-8) {
					t.Errorf("%s %v: λ_%d = %v ± %v, dense %v ± %v", name, l.Path, j+1, l.AllEigenvalues[j], l.EigErr[j], d.AllEigenvalues[j], d.EigErr[j])
				}
			}
			for _, c := range [][2]float64{{l.S, d.S}, {l.T, d.T}, {l.TMedian, d.TMedian}} {
				if !scalar.EqualWithinAbsOrRel(c[0], c[1], tol*d.T, tol) {
					t.Errorf("%s %v: s, t, median = %v %v %v; dense %v %v %v", name, l.Path, l.S, l.T, l.TMedian, d.S, d.T, d.TMedian)
				}
			}
			for _, c := range [][2]float64{{l.SErr, d.SErr}, {l.TErr, d.TErr}} {
				if !scalar.EqualWithinAbsOrRel(c[0], c[1], tol*d.T, 1e-8) {
					t.Errorf("%s %v: SErr, TErr = %v %v; dense %v %v", name, l.Path, l.SErr, l.TErr, d.SErr, d.TErr)
				}
			}
		}
	}
}

// TestEstimateDenseReference: on a non-separable quartic (dense Hessians that
// vary over the ball), the dense path, which forms M(θ) centred and in H(θ)'s
// eigenbasis, equals the paper's uncentred formulas computed directly.
func TestEstimateDenseReference(t *testing.T) {
	const p, n = 4, 7
	prob := newPoly(t, p, n, true, 21)
	center := []float64{0.3, -0.2, 0.1, 0.5}
	s := Settings{Radius: 0.4, Samples: 40, Seed: 8}
	got, err := Estimate(prob, center, s)
	if err != nil {
		t.Fatal(err)
	}
	hbar, sf, tf := reference(t, prob, center, s)
	if !symClose(got.Hessian, hbar, 1e-12) {
		t.Errorf("H̄ = %v, want %v", mat.Formatted(got.Hessian), mat.Formatted(hbar))
	}
	// Uncentred M loses digits to cancellation: 1e-8 relative.
	if !scalar.EqualWithinRel(got.S, sf, 1e-8) || !scalar.EqualWithinRel(got.T, tf, 1e-8) {
		t.Errorf("s, t = %v, %v; want %v, %v", got.S, got.T, sf, tf)
	}
	if got.S <= 0 || got.SErr <= 0 || got.TErr <= 0 {
		t.Errorf("s = %v ± %v, t ± %v: want varying, positive", got.S, got.SErr, got.TErr)
	}
}

// TestEstimateAntithetic: when every Hessian is affine in x (cubic
// components), the mean of an antithetic pair is exactly ∇²F(center), so H̄
// equals it up to rounding however few the samples, and the eigenvalue
// standard errors vanish.
func TestEstimateAntithetic(t *testing.T) {
	const p, n = 3, 5
	prob := newPoly(t, p, n, false, 22)
	center := []float64{0.2, -0.4, 0.3}
	got, err := Estimate(prob, center, Settings{Radius: 0.5, Samples: 6, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := mat.NewSymDense(p, nil)
	a := mat.NewSymDense(p, nil)
	for i := range n {
		problems.HessianOf(prob.Component(i)).Hess(a, center)
		want.AddSym(want, scaled(prob.Weight(i), a))
	}
	if !symClose(got.Hessian, want, 1e-13) {
		t.Errorf("H̄ = %v, want ∇²F(center) = %v", mat.Formatted(got.Hessian), mat.Formatted(want))
	}
	for j, e := range got.EigErr {
		if e > 1e-13*got.AllEigenvalues[0] {
			t.Errorf("EigErr[%d] = %v, want 0 to rounding", j, e)
		}
	}
}

// TestEstimateRankRule: F = ½q x1² + ¼x2⁴ + c_F(x1⁴ − 6x1²x3² + x3⁴). At the
// origin H̄ has one O(1) eigenvalue (q), a real O(ε²) one (3E[u2²] = 3ε²/5)
// and a noise-only one: the last term is harmonic, so its Hessian has ball
// mean zero (the ball mean of ∇²f for a quartic f is ε²/(2(p+2))·∇²Δf) but
// varies from pair to pair. The Z rule keeps the real eigenvalue and drops
// the noise; a relative RankTol above the O(ε²) eigenvalue drops it too.
func TestEstimateRankRule(t *testing.T) {
	const q = 2.0
	comps := []problems.Component{rankComp{q: q, c: 0.3}, rankComp{q: q, c: -0.1}} // c_F = 0.1
	prob, err := problems.NewMixture(3, comps, nil)
	if err != nil {
		t.Fatal(err)
	}
	const eps = 0.2
	got, err := Estimate(prob, []float64{0, 0, 0}, Settings{Radius: eps, Samples: 2000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got.M != 2 {
		t.Fatalf("m = %d, eigenvalues %v ± %v; want 2", got.M, got.AllEigenvalues, got.EigErr)
	}
	if math.Abs(got.Eigenvalues[0]-q) > 4*got.EigErr[0] || math.Abs(got.Eigenvalues[1]-3*eps*eps/5) > 4*got.EigErr[1] {
		t.Errorf("eigenvalues %v ± %v, want %v, %v", got.Eigenvalues, got.EigErr, q, 3*eps*eps/5)
	}
	if v := got.AllEigenvalues[2]; math.Abs(v) > 3*got.EigErr[2] || got.EigErr[2] == 0 {
		t.Errorf("noise eigenvalue %v ± %v: want nonzero noise within 3 standard errors of 0", v, got.EigErr[2])
	}
	got, err = Estimate(prob, []float64{0, 0, 0}, Settings{Radius: eps, Samples: 2000, Seed: 3, RankTol: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if got.M != 1 {
		t.Errorf("RankTol 0.05: m = %d, want 1", got.M)
	}
}

// rankComp is f(x) = ½q x1² + ¼x2⁴ + c(x1⁴ − 6x1²x3² + x3⁴).
type rankComp struct{ q, c float64 }

func (f rankComp) Func(x []float64) float64 {
	x1, x2, x3 := x[0], x[1], x[2]
	return f.q*x1*x1/2 + x2*x2*x2*x2/4 + f.c*(x1*x1*x1*x1-6*x1*x1*x3*x3+x3*x3*x3*x3)
}

func (f rankComp) Grad(g, x []float64) {
	x1, x2, x3 := x[0], x[1], x[2]
	g[0] = f.q*x1 + f.c*(4*x1*x1*x1-12*x1*x3*x3)
	g[1] = x2 * x2 * x2
	g[2] = f.c * (4*x3*x3*x3 - 12*x1*x1*x3)
}

func (f rankComp) Hess(h *mat.SymDense, x []float64) {
	x1, x2, x3 := x[0], x[1], x[2]
	h.SetSym(0, 0, f.q+12*f.c*(x1*x1-x3*x3))
	h.SetSym(1, 1, 3*x2*x2)
	h.SetSym(2, 2, 12*f.c*(x3*x3-x1*x1))
	h.SetSym(0, 1, 0)
	h.SetSym(0, 2, -24*f.c*x1*x3)
	h.SetSym(1, 2, 0)
}

// TestEstimateSkipped: a one-dimensional cubic F = E[a] x³/6 + ... at the
// origin has H(θ) = E[a]θ: every antithetic pair has one positive point and
// one negative (skipped, indefinite) point, and H̄ = 0 exactly, so there is
// no nonzero eigenvalue.
func TestEstimateSkipped(t *testing.T) {
	comps := []problems.Component{
		polyComp{a: []float64{0}, g: []float64{1}, r: []float64{0}, b: 1, q: mat.NewSymDense(1, []float64{0})},
		polyComp{a: []float64{0}, g: []float64{1}, r: []float64{0}, b: 3, q: mat.NewSymDense(1, []float64{0})},
	}
	prob, err := problems.NewMixture(1, comps, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Estimate(prob, []float64{0}, Settings{Samples: 20})
	if !errors.Is(err, ErrNoCurvature) {
		t.Fatalf("err = %v, want ErrNoCurvature", err)
	}
	if got == nil || got.Skipped != 10 || got.Indefinite != 10 || got.M != 0 {
		t.Fatalf("Local = %+v, want 10 skipped, 10 indefinite, m = 0", got)
	}
	// At the valid point K(θ) = Var(b)θ² ≥ 0.
	if !(got.T >= got.S && got.S > 0) {
		t.Errorf("s = %v, t = %v", got.S, got.T)
	}

	// A center where every H(θ) is negative definite: all points skipped.
	q := newQuart(2, 5, 14)
	_, err = Estimate(q, []float64{0, 0}, Settings{Samples: 20, Radius: 0.1})
	if !errors.Is(err, ErrAllSkipped) {
		t.Errorf("err = %v, want ErrAllSkipped", err)
	}
}

// TestEstimateWorkers: results are bit-identical for any number of workers
// on every path, and depend on the seed.
func TestEstimateWorkers(t *testing.T) {
	q := newQuart(5, 20, 15)
	center := []float64{2.7, -2.9, 2.8, -3, 2.6}
	poly := newPoly(t, 4, 6, true, 23)
	cases := []struct {
		prob   problems.Problem
		center []float64
		path   Path
	}{
		{q, center, PathClosedForm},
		{q, center, PathDiagonal},
		{q, center, PathDense},
		{poly, []float64{0.1, 0.2, -0.3, 0}, PathAuto},
	}
	for _, c := range cases {
		var res []*Local
		for _, w := range []int{1, 3, 4} {
			l, err := Estimate(c.prob, c.center, Settings{Samples: 101, Seed: 7, Workers: w, Path: c.path, Radius: 0.3})
			if err != nil {
				t.Fatal(err)
			}
			res = append(res, l)
		}
		for _, l := range res[1:] {
			if !reflect.DeepEqual(l, res[0]) {
				t.Errorf("%v: results differ between Workers values", c.path)
			}
		}
		other, err := Estimate(c.prob, c.center, Settings{Samples: 101, Seed: 8, Path: c.path, Radius: 0.3})
		if err != nil {
			t.Fatal(err)
		}
		if other.T == res[0].T {
			t.Errorf("%v: seeds 7 and 8 give the same t_f", c.path)
		}
		if res[0].Samples != 102 {
			t.Errorf("Samples = %d, want 102 (101 rounded up to pairs)", res[0].Samples)
		}
	}
}

// TestSampler: the offsets are uniform in the ball: ‖u‖ ≤ ε,
// E[u_d²] = ε²/(p+2), P(‖u‖ < ε/2) = 2^{-p}, each within 4 standard errors.
func TestSampler(t *testing.T) {
	const p, n, eps = 3, 20000, 0.7
	smp := newSampler(1, eps)
	u := make([]float64, p)
	var inner float64
	sq := make([]float64, n)
	for k := range n {
		smp.offset(u, k)
		r := math.Sqrt(dot(u, u))
		if r > eps {
			t.Fatalf("‖u‖ = %v > ε", r)
		}
		if r < eps/2 {
			inner++
		}
		sq[k] = u[k%p] * u[k%p]
	}
	m, se := meanSE(sq)
	if want := eps * eps / (p + 2); math.Abs(m-want) > 4*se {
		t.Errorf("E[u_d²] = %v ± %v, want %v", m, se, want)
	}
	pr := 1.0 / 8
	if f := inner / n; math.Abs(f-pr) > 4*math.Sqrt(pr*(1-pr)/n) {
		t.Errorf("P(‖u‖ < ε/2) = %v, want %v", f, pr)
	}
}

func TestEstimateBadInput(t *testing.T) {
	q := newQuart(2, 3, 16)
	good := []float64{2.7, -2.9}
	cases := []struct {
		name   string
		prob   problems.Problem
		center []float64
		s      Settings
		want   string
	}{
		{"nil problem", nil, good, Settings{}, "problem"},
		{"short center", q, []float64{1}, Settings{}, "center"},
		{"NaN center", q, []float64{math.NaN(), 0}, Settings{}, "center[0]"},
		{"negative radius", q, good, Settings{Radius: -1}, "Radius"},
		{"NaN radius", q, good, Settings{Radius: math.NaN()}, "Radius"},
		{"Inf radius", q, good, Settings{Radius: math.Inf(1)}, "Radius"},
		{"negative samples", q, good, Settings{Samples: -2}, "Samples"},
		{"too few samples", q, good, Settings{Samples: 3}, "Samples"},
		{"negative workers", q, good, Settings{Workers: -1}, "Workers"},
		{"NaN Z", q, good, Settings{Z: math.NaN()}, "Z"},
		{"negative Z", q, good, Settings{Z: -3}, "Z"},
		{"NaN RankTol", q, good, Settings{RankTol: math.NaN()}, "RankTol"},
		{"RankTol 1", q, good, Settings{RankTol: 1}, "RankTol"},
		{"negative PointTol", q, good, Settings{PointTol: -1e-3}, "PointTol"},
		{"bad path", q, good, Settings{Path: 9}, "Path"},
		{"closed form unavailable", mixtureOf(t, q), good, Settings{Path: PathClosedForm}, "DiagonalMomenter"},
		{"diagonal unavailable", newPoly(t, 2, 2, true, 1), good, Settings{Path: PathDiagonal}, "DiagonalHessianer"},
	}
	for _, c := range cases {
		l, err := Estimate(c.prob, c.center, c.s)
		if err == nil || l != nil {
			t.Errorf("%s: got %v, %v; want an error", c.name, l, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "geometry: ") {
			t.Errorf("%s: error %q does not name %q", c.name, err, c.want)
		}
	}
	// A Hessian that is not finite at some point is an error, not NaN.
	nan := polyComp{a: []float64{1}, g: []float64{1}, r: []float64{0}, c: math.NaN(), q: mat.NewSymDense(1, []float64{1})}
	prob, _ := problems.NewMixture(1, []problems.Component{nan}, nil)
	if _, err := Estimate(prob, []float64{0}, Settings{}); err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("NaN Hessian: err = %v", err)
	}
	// center is not modified.
	c := []float64{2.7, -2.9}
	if _, err := Estimate(q, c, Settings{Samples: 10}); err != nil || c[0] != 2.7 || c[1] != -2.9 {
		t.Errorf("center modified or error %v", err)
	}
}

// TestEstimateStyblinskiTang runs the three paths on the library's
// Styblinski–Tang Model 1 (p = 10, N = 200) at its sharpest minimizer: they
// agree (which checks paper.StyblinskiTang's DiagonalMoments against the
// dense definition too), and H̄ matches the closed form within 4
// standard errors.
func TestEstimateStyblinskiTang(t *testing.T) {
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := st.Sharpest()
	s := Settings{Samples: 400, Seed: 1}
	var res []*Local
	for _, path := range []Path{PathClosedForm, PathDiagonal, PathDense} {
		s.Path = path
		l, err := Estimate(st, x, s)
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, l)
	}
	const tol = 1e-10
	for _, l := range res[1:] {
		d := res[0]
		if !symClose(l.Hessian, d.Hessian, tol) || l.M != d.M ||
			!scalar.EqualWithinRel(l.S, d.S, tol) || !scalar.EqualWithinRel(l.T, d.T, tol) ||
			!scalar.EqualWithinRel(l.SErr, d.SErr, 1e-8) || !scalar.EqualWithinRel(l.TErr, d.TErr, 1e-8) {
			t.Errorf("%v: m = %d, s = %v ± %v, t = %v ± %v; closed form: m = %d, s = %v ± %v, t = %v ± %v",
				l.Path, l.M, l.S, l.SErr, l.T, l.TErr, d.M, d.S, d.SErr, d.T, d.TErr)
		}
	}
	a1, a2, _ := st.MeanCoefficients()
	l := res[0]
	p := float64(len(x))
	for d := range x {
		want := 6*a1[d]*(x[d]*x[d]+DefaultRadius*DefaultRadius/(p+2)) + a2[d]
		got := l.Hessian.At(d, d)
		var se float64
		for j, v := range l.AllEigenvalues {
			if v == got {
				se = l.EigErr[j]
			}
		}
		if math.Abs(got-want) > 4*se || se == 0 {
			t.Errorf("H̄_%d%d = %v ± %v, want %v", d, d, got, se, want)
		}
	}
}

// The Styblinski–Tang Model 3 sizes: p = 100, N = 2000, 1000 points.
func benchQuart(b *testing.B, path Path, p, n, samples int) {
	q := newQuart(p, n, 1)
	center := make([]float64, p)
	for d := range center {
		center[d] = 2.75
	}
	s := Settings{Samples: samples, Seed: 1, Path: path}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Estimate(q, center, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEstimateDiagonalP100N2000(b *testing.B) { benchQuart(b, PathDiagonal, 100, 2000, 1000) }
func BenchmarkEstimateClosedFormP100N2000(b *testing.B) {
	benchQuart(b, PathClosedForm, 100, 2000, 1000)
}

// benchST is Estimate at the sharpest minimizer of the library's
// Styblinski–Tang Model 3 (p = 100, N = 2000), 1000 points.
func benchST(b *testing.B, path Path) {
	st, err := paper.StyblinskiTangModel(3, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := st.Sharpest()
	s := Settings{Seed: 1, Path: path}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Estimate(st, x, s); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEstimateDiagonalSTModel3(b *testing.B)   { benchST(b, PathDiagonal) }
func BenchmarkEstimateClosedFormSTModel3(b *testing.B) { benchST(b, PathClosedForm) }

// BenchmarkEstimateDenseP100N200 is the generic dense path at p = 100,
// N = 200 (dense non-separable components), 50 points, with the time per point.
func BenchmarkEstimateDenseP100N200(b *testing.B) {
	const p, n, samples = 100, 200, 50
	prob := newPoly(b, p, n, true, 1)
	center := make([]float64, p)
	s := Settings{Samples: samples, Seed: 1, Radius: 0.1}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Estimate(prob, center, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*samples)/1e6, "ms/point")
}
