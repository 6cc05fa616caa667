package problems

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
)

// randPSD returns A A' with A a p×rank standard normal matrix, or, when
// basis is non-nil (p×m, orthonormal columns), P B B' P' with B m×rank, so
// that its range lies in span(basis).
func randPSD(rnd *rand.Rand, p, rank int, basis *mat.Dense) *mat.SymDense {
	inner := p
	if basis != nil {
		_, inner = basis.Dims()
	}
	a := mat.NewDense(inner, rank, nil)
	for i := 0; i < inner; i++ {
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

// randRange returns Q z for a standard normal z: a vector in range(Q).
func randRange(rnd *rand.Rand, q *mat.SymDense) []float64 {
	p := q.SymmetricDim()
	z := mat.NewVecDense(p, nil)
	for i := 0; i < p; i++ {
		z.SetVec(i, rnd.NormFloat64())
	}
	var r mat.VecDense
	r.MulVec(q, z)
	return r.RawVector().Data
}

// randOrthonormal returns a p×m matrix with orthonormal columns.
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

// randQuadratic returns a random inhomogeneous quadratic with n components of
// rank `rank` in R^p (ranges inside span(basis) when basis is non-nil) and
// random weights.
func randQuadratic(t testing.TB, rnd *rand.Rand, p, n, rank int, basis *mat.Dense) *Quadratic {
	t.Helper()
	qs := make([]mat.Symmetric, n)
	rs := make([][]float64, n)
	w := make([]float64, n)
	var sum float64
	for i := range qs {
		q := randPSD(rnd, p, rank, basis)
		qs[i] = q
		rs[i] = randRange(rnd, q)
		w[i] = 0.5 + rnd.Float64()
		sum += w[i]
	}
	floats.Scale(1/sum, w)
	quad, err := NewQuadratic(qs, rs, w)
	if err != nil {
		t.Fatalf("NewQuadratic: %v", err)
	}
	return quad
}

func randVec(rnd *rand.Rand, p int, scale float64) []float64 {
	x := make([]float64, p)
	for i := range x {
		x[i] = scale * rnd.NormFloat64()
	}
	return x
}

func TestQuadraticDerivatives(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	for _, p := range []int{1, 3, 6} {
		quad := randQuadratic(t, rnd, p, 5, p, nil)
		for trial := 0; trial < 5; trial++ {
			x := randVec(rnd, p, 2)
			for i := 0; i < quad.Len(); i++ {
				c := quad.Component(i)
				g := make([]float64, p)
				c.Grad(g, x)
				// Central differences are exact for a quadratic up to
				// rounding, ε·|f|/h ≈ 1e-16·1e2/6e-6 ≈ 2e-9.
				want := fd.Gradient(nil, c.Func, x, &fd.Settings{Formula: fd.Central})
				for j := range g {
					if !scalar.EqualWithinAbsOrRel(g[j], want[j], 1e-6, 1e-6) {
						t.Errorf("p=%d comp %d: grad[%d] = %v, fd %v", p, i, j, g[j], want[j])
					}
				}
				var h mat.SymDense
				c.(Hessianer).Hess(&h, x)
				var hfd mat.SymDense
				// Second differences of f (exact for a quadratic up to
				// rounding): error ≈ ε·|f|/h² with h² = 6e-6, about 2e-9 for
				// |f| ≈ 1e2.
				fd.Hessian(&hfd, c.Func, x, &fd.Settings{Formula: fd.Central})
				if !mat.EqualApprox(&h, &hfd, 1e-6) {
					t.Errorf("p=%d comp %d: Hess\n%v\nfd\n%v", p, i, mat.Formatted(&h), mat.Formatted(&hfd))
				}
				// Closed form.
				q := quad.Q(i)
				r := quad.R(i)
				xv := mat.NewVecDense(p, append([]float64(nil), x...))
				wantF := 0.5*mat.Inner(xv, q, xv) + floats.Dot(r, x)
				if got := c.Func(x); !scalar.EqualWithinAbsOrRel(got, wantF, 1e-12, 1e-12) {
					t.Errorf("p=%d comp %d: Func = %v, want %v", p, i, got, wantF)
				}
			}
			// F, ∇F, H of the Quadratic itself.
			h := quad.Hessian()
			xv := mat.NewVecDense(p, append([]float64(nil), x...))
			er := quad.MeanR()
			wantF := 0.5*mat.Inner(xv, h, xv) + floats.Dot(er, x)
			var sumF float64
			for i := 0; i < quad.Len(); i++ {
				sumF += quad.Weight(i) * quad.Component(i).Func(x)
			}
			if got := quad.Func(x); !scalar.EqualWithinAbsOrRel(got, wantF, 1e-12, 1e-12) || !scalar.EqualWithinAbsOrRel(got, sumF, 1e-12, 1e-12) {
				t.Errorf("p=%d: Func = %v, want %v and Σ p_i f_i = %v", p, got, wantF, sumF)
			}
		}
	}
}

func TestQuadraticCheckDerivatives(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 1))
	quad := randQuadratic(t, rnd, 4, 6, 3, nil)
	pts := [][]float64{randVec(rnd, 4, 1), randVec(rnd, 4, 3), make([]float64, 4)}
	rep, err := CheckDerivatives(quad, pts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExpectedGrad == nil || rep.ExpectedHess == nil {
		t.Fatal("Quadratic's ExpectedGrad/ExpectedHess were not checked")
	}
	// Central differences of a quadratic are exact up to rounding ≈ 1e-9.
	if w := rep.Worst(); !(w.Err < 1e-7) {
		t.Errorf("worst error %+v", w)
	}
}

// asym is a mat.Symmetric whose At need not be symmetric, to test the
// symmetry check; its dims may also be non-square.
type asym struct {
	*mat.Dense
	n int
}

func (a asym) SymmetricDim() int { return a.n }

func sym(p int, data ...float64) *mat.SymDense { return mat.NewSymDense(p, data) }

func TestNewQuadraticErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	id := sym(2, 1, 0, 0, 1)
	ok := []mat.Symmetric{id, sym(2, 2, 1, 1, 2)}
	okR := [][]float64{{1, 2}, {0, 1}}
	for _, c := range []struct {
		name string
		q    []mat.Symmetric
		r    [][]float64
		w    []float64
		want string
	}{
		{"empty", nil, nil, nil, "q is empty"},
		{"r length", ok, okR[:1], nil, "r has length 1"},
		{"w length", ok, okR, []float64{1}, "w has length 1"},
		{"nil q", []mat.Symmetric{id, nil}, okR, nil, "q[1] is nil"},
		{"size mismatch", []mat.Symmetric{id, sym(3, 1, 0, 0, 0, 1, 0, 0, 0, 1)}, [][]float64{{1, 2}, {0, 1, 0}}, nil, "q[1] is 3×3"},
		{"non-square", []mat.Symmetric{asym{mat.NewDense(2, 3, nil), 2}}, [][]float64{{0, 0}}, nil, "q[0] is 2×3"},
		{"r dim", ok, [][]float64{{1, 2}, {0}}, nil, "r[1] has length 1"},
		{"nan q", []mat.Symmetric{id, sym(2, 1, nan, nan, 1)}, okR, nil, "q[1][0,1] = NaN"},
		{"inf r", ok, [][]float64{{1, inf}, {0, 1}}, nil, "r[0][1] = +Inf"},
		{"asymmetric", []mat.Symmetric{id, asym{mat.NewDense(2, 2, []float64{2, 1, 1.5, 2}), 2}}, okR, nil, "q[1] is not symmetric"},
		{"not psd", []mat.Symmetric{id, sym(2, 1, 0, 0, -0.2)}, okR, nil, "q[1] is not positive semidefinite (smallest eigenvalue -0.2)"},
		{"r not in range", []mat.Symmetric{sym(2, 1, 0, 0, 0), id}, okR, nil, "r[0] is not in range(q[0])"},
		{"zero q, nonzero r", []mat.Symmetric{id, sym(2, 0, 0, 0, 0)}, okR, nil, "r[1] is not in range(q[1])"},
		{"negative weight", ok, okR, []float64{1.5, -0.5}, "w[1] = -0.5 is not positive"},
		{"zero weight", ok, okR, []float64{1, 0}, "w[1] = 0 is not positive"},
		{"nan weight", ok, okR, []float64{nan, 0.5}, "w[0] = NaN is not finite"},
		{"weights sum", ok, okR, []float64{0.5, 0.6}, "w sums to 1.1"},
		{"weights sum barely", ok, okR, []float64{0.5, 0.5 + 1e-8}, "w sums to"},
	} {
		_, err := NewQuadratic(c.q, c.r, c.w)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		if !strings.HasPrefix(err.Error(), "problems: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestNewQuadraticWeights(t *testing.T) {
	q := []mat.Symmetric{sym(1, 1), sym(1, 3)}
	r := [][]float64{{0}, {0}}
	// Uniform.
	quad, err := NewQuadratic(q, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if quad.Weight(0) != 0.5 || quad.Weight(1) != 0.5 {
		t.Errorf("nil w: weights %v, %v", quad.Weight(0), quad.Weight(1))
	}
	// Within 1e-9: normalised.
	quad, err = NewQuadratic(q, r, []float64{0.25, 0.75 + 5e-10})
	if err != nil {
		t.Fatal(err)
	}
	if s := quad.Weight(0) + quad.Weight(1); math.Abs(s-1) > 1e-15 {
		t.Errorf("weights sum to %v after normalisation", s)
	}
	if !scalar.EqualWithinRel(quad.Weight(0), 0.25/(1+5e-10), 1e-15) {
		t.Errorf("weight 0 = %v", quad.Weight(0))
	}
}

func TestNewQuadraticCopies(t *testing.T) {
	q0 := sym(2, 2, 1, 1, 2)
	r0 := []float64{1, -1}
	w := []float64{1}
	quad, err := NewQuadratic([]mat.Symmetric{q0}, [][]float64{r0}, w)
	if err != nil {
		t.Fatal(err)
	}
	q0.SetSym(0, 0, 100)
	r0[0] = 100
	w[0] = 7
	if quad.Q(0).At(0, 0) != 2 || quad.R(0)[0] != 1 || quad.Weight(0) != 1 {
		t.Error("NewQuadratic did not copy its inputs")
	}
	// Accessors return copies.
	quad.Q(0).SetSym(0, 0, 100)
	quad.R(0)[0] = 100
	quad.Hessian().SetSym(0, 0, 100)
	quad.Minimizer()[0] = 100
	quad.MeanR()[0] = 100
	c := quad.Component(0).(*QuadraticComponent)
	c.Q().SetSym(0, 0, 100)
	c.R()[0] = 100
	if quad.Q(0).At(0, 0) != 2 || quad.R(0)[0] != 1 || quad.Hessian().At(0, 0) != 2 || quad.MeanR()[0] != 1 {
		t.Error("accessors share storage with the Quadratic")
	}
	// x* = −H⁻¹r = −(1/3)[2 −1; −1 2](1, −1) = (−1, 1).
	want := []float64{-1, 1}
	if !floats.EqualApprox(quad.Minimizer(), want, 1e-14) {
		t.Errorf("Minimizer = %v, want %v", quad.Minimizer(), want)
	}
}

func TestMinimizer(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 1))
	// Positive definite H: x* solves H x = −E[r], compared with a dense solve.
	for _, p := range []int{1, 2, 5} {
		quad := randQuadratic(t, rnd, p, 4, p, nil)
		x := quad.Minimizer()
		var want mat.VecDense
		er := mat.NewVecDense(p, quad.MeanR())
		er.ScaleVec(-1, er)
		if err := want.SolveVec(quad.Hessian(), er); err != nil {
			t.Fatal(err)
		}
		if !floats.EqualApprox(x, want.RawVector().Data, 1e-9*math.Max(1, floats.Norm(x, 2))) {
			t.Errorf("p=%d: Minimizer = %v, dense solve %v", p, x, want.RawVector().Data)
		}
	}
	// Singular H: range(H) = span(P) with P 5×2 orthonormal.
	const p, m = 5, 2
	basis := randOrthonormal(rnd, p, m)
	quad := randQuadratic(t, rnd, p, 4, 2, basis)
	x := quad.Minimizer()
	// H x = −E[r].
	var hx mat.VecDense
	hx.MulVec(quad.Hessian(), mat.NewVecDense(p, x))
	res := hx.RawVector().Data
	floats.Add(res, quad.MeanR())
	if n := floats.Norm(res, 2); n > 1e-9*floats.Norm(quad.MeanR(), 2) {
		t.Errorf("singular H: ‖Hx* + E[r]‖ = %v", n)
	}
	// Minimum norm: x* = P (P'HP)⁻¹ (−P'E[r]), computed in the basis.
	var php, ph mat.Dense
	ph.Mul(basis.T(), quad.Hessian())
	php.Mul(&ph, basis)
	var per mat.VecDense
	per.MulVec(basis.T(), mat.NewVecDense(p, quad.MeanR()))
	per.ScaleVec(-1, &per)
	var y, want mat.VecDense
	if err := y.SolveVec(&php, &per); err != nil {
		t.Fatal(err)
	}
	want.MulVec(basis, &y)
	if !floats.EqualApprox(x, want.RawVector().Data, 1e-9*floats.Norm(x, 2)) {
		t.Errorf("singular H: Minimizer = %v, minimum-norm solution %v", x, want.RawVector().Data)
	}
	// Adding a null-space direction keeps the gradient zero and grows the norm.
	n := make([]float64, p)
	var pn mat.VecDense
	z := mat.NewVecDense(p, randVec(rnd, p, 1))
	pn.MulVec(basis.T(), z)
	var ppn mat.VecDense
	ppn.MulVec(basis, &pn)
	floats.SubTo(n, z.RawVector().Data, ppn.RawVector().Data) // z − PP'z ∈ null(H)
	x2 := floats.AddTo(make([]float64, p), x, n)
	g := make([]float64, p)
	quad.ExpectedGrad(g, x2)
	if floats.Norm(g, 2) > 1e-9*floats.Norm(quad.MeanR(), 2) || !(floats.Norm(x2, 2) > floats.Norm(x, 2)) {
		t.Errorf("x* + n: ‖∇F‖ = %v, ‖x*+n‖ = %v, ‖x*‖ = %v", floats.Norm(g, 2), floats.Norm(x2, 2), floats.Norm(x, 2))
	}
}

func TestHomogeneous(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 1))
	build := func(p, rank int, basis *mat.Dense, x0 []float64) *Quadratic {
		qs := make([]mat.Symmetric, 3)
		rs := make([][]float64, 3)
		for i := range qs {
			q := randPSD(rnd, p, rank, basis)
			qs[i] = q
			var r mat.VecDense
			r.MulVec(q, mat.NewVecDense(p, x0))
			r.ScaleVec(-1, &r)
			rs[i] = r.RawVector().Data
		}
		quad, err := NewQuadratic(qs, rs, nil)
		if err != nil {
			t.Fatal(err)
		}
		return quad
	}
	// r_i = −Q_i x0: homogeneous, and x* = x0 for a positive definite H.
	x0 := []float64{1, -2, 3}
	quad := build(3, 2, nil, x0)
	if !quad.Homogeneous() {
		t.Error("r_i = −Q_i x0: Homogeneous() = false")
	}
	if !floats.EqualApprox(quad.Minimizer(), x0, 1e-9) {
		t.Errorf("Minimizer = %v, want %v", quad.Minimizer(), x0)
	}
	// Singular H: still homogeneous; x* is x0's projection on range(H).
	basis := randOrthonormal(rnd, 4, 2)
	quad = build(4, 2, basis, []float64{1, 2, 3, 4})
	if !quad.Homogeneous() {
		t.Error("singular homogeneous: Homogeneous() = false")
	}
	// Random r_i in range(Q_i): inhomogeneous.
	if randQuadratic(t, rnd, 3, 3, 3, nil).Homogeneous() {
		t.Error("random quadratic: Homogeneous() = true")
	}
	// One component: always homogeneous (x* = −Q⁺r solves Qx + r = 0).
	one, err := NewQuadratic([]mat.Symmetric{sym(2, 2, 1, 1, 3)}, [][]float64{{1, 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !one.Homogeneous() {
		t.Error("one component: Homogeneous() = false")
	}
	// Diagonal example: q ∈ {1, 3} with r ∈ {−1, −1}: x* = 1/2, b = (−1/2, 1/2).
	d, err := NewQuadratic([]mat.Symmetric{sym(1, 1), sym(1, 3)}, [][]float64{{-1}, {-1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d.Homogeneous() || d.Minimizer()[0] != 0.5 {
		t.Errorf("diagonal: Homogeneous() = %v, x* = %v; want false, 0.5", d.Homogeneous(), d.Minimizer())
	}
}

func TestQuadraticM(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 1))
	// Diagonal Q_i: M = diag(h_a Var(q_a)).
	qs := []mat.Symmetric{sym(2, 1, 0, 0, 2), sym(2, 3, 0, 0, 2), sym(2, 2, 0, 0, 5)}
	w := []float64{0.25, 0.25, 0.5}
	quad, err := NewQuadratic(qs, [][]float64{{0, 0}, {0, 0}, {0, 0}}, w)
	if err != nil {
		t.Fatal(err)
	}
	// Coordinate 0: q ∈ {1,3,2} → h = 2, Var = 0.5; coordinate 1: q ∈ {2,2,5}
	// → h = 3.5, E[q²] = 0.25·4 + 0.25·4 + 0.5·25 = 14.5, Var = 2.25.
	want := sym(2, 2*0.5, 0, 0, 3.5*2.25)
	if m := quad.M(); !mat.EqualApprox(m, want, 1e-12) {
		t.Errorf("M =\n%v\nwant\n%v", mat.Formatted(m), mat.Formatted(want))
	}
	// Lemma 3.3: M ⪰ 0 and null(H) ⊂ null(M), on a singular random problem.
	basis := randOrthonormal(rnd, 5, 3)
	quad = randQuadratic(t, rnd, 5, 6, 2, basis)
	m := quad.M()
	vals, _, _ := eigSym(m)
	if vals[0] < -1e-10*vals[len(vals)-1] {
		t.Errorf("M has eigenvalue %v < 0", vals[0])
	}
	// A vector orthogonal to span(basis) is in null(H); M must annihilate it.
	z := mat.NewVecDense(5, randVec(rnd, 5, 1))
	var c, pc mat.VecDense
	c.MulVec(basis.T(), z)
	pc.MulVec(basis, &c)
	z.SubVec(z, &pc)
	var mz mat.VecDense
	mz.MulVec(m, z)
	if n := mz.Norm(2); n > 1e-10*mat.Norm(m, 2) {
		t.Errorf("‖M n‖ = %v for n in null(H)", n)
	}
}

func TestQuadraticNoAlloc(t *testing.T) {
	rnd := rand.New(rand.NewPCG(6, 1))
	quad := randQuadratic(t, rnd, 10, 5, 10, nil)
	x := randVec(rnd, 10, 1)
	g := make([]float64, 10)
	allocs := testing.AllocsPerRun(100, func() {
		for i := 0; i < quad.Len(); i++ {
			c := quad.Component(i)
			c.Grad(g, x)
			_ = c.Func(x)
		}
		quad.ExpectedGrad(g, x)
	})
	if allocs != 0 {
		t.Errorf("Component/Grad/Func allocate %v times per run", allocs)
	}
}

func TestCheckWeights(t *testing.T) {
	if _, err := NormalizeWeights(nil, 0); err == nil {
		t.Error("n = 0: no error")
	}
	w, err := NormalizeWeights([]float64{}, 4)
	if err != nil || len(w) != 4 || w[3] != 0.25 {
		t.Errorf("empty w: %v, %v", w, err)
	}
	in := []float64{2, 2}
	if _, err := NormalizeWeights(in, 2); err == nil || !strings.Contains(err.Error(), "w sums to 4") {
		t.Errorf("sum 4: %v", err)
	}
	in = []float64{0.5, 0.5}
	w, _ = NormalizeWeights(in, 2)
	w[0] = 3
	if in[0] != 0.5 {
		t.Error("checkWeights modified its input")
	}
	if _, err := NormalizeWeights([]float64{math.Inf(1), 1}, 2); err == nil || !strings.Contains(err.Error(), "w[0] = +Inf") {
		t.Errorf("Inf: %v", err)
	}
}

func BenchmarkQuadraticGrad(b *testing.B) {
	for _, p := range []int{10, 100} {
		b.Run(sizeName(p), func(b *testing.B) {
			rnd := rand.New(rand.NewPCG(7, 1))
			quad := randQuadratic(b, rnd, p, 4, p, nil)
			x := randVec(rnd, p, 1)
			g := make([]float64, p)
			c := quad.Component(0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c.Grad(g, x)
			}
		})
	}
}

func sizeName(p int) string { return "p=" + strconv.Itoa(p) }

// TestLemma36 checks the exact one-step expectation of Lemma 3.6,
//
//	E[e_{N+1} | x_N] = e − 2C d'H²d + C² d'H³d + (C²/k) d'Md
//	                   + 2(C²/k) d'E[QHb] + (C²/k) E[b'Hb],
//
// with M from Quadratic.M and b_i = Q_i x* + r_i, against exact enumeration
// of every batch of k = 1 and k = 2 indices drawn with replacement (ERRATUM
// (8): the summand is Q_j x_N + r_j).
func TestLemma36(t *testing.T) {
	rnd := rand.New(rand.NewPCG(8, 1))
	const p, n = 3, 4
	quad := randQuadratic(t, rnd, p, n, 2, nil)
	h := quad.Hessian()
	m := quad.M()
	xs := quad.Minimizer()
	x := randVec(rnd, p, 1)
	const c = 0.3
	d := floats.SubTo(make([]float64, p), x, xs)
	dv := mat.NewVecDense(p, d)
	eH := func(v []float64) float64 { vv := mat.NewVecDense(p, v); return mat.Inner(vv, h, vv) }
	grads := make([][]float64, n)
	bs := make([][]float64, n)
	for i := 0; i < n; i++ {
		grads[i] = make([]float64, p)
		quad.Component(i).Grad(grads[i], x)
		bs[i] = make([]float64, p)
		quad.Component(i).Grad(bs[i], xs)
	}
	var hd, h2d, qhb mat.VecDense
	hd.MulVec(h, dv)
	h2d.MulVec(h, &hd)
	dH2d := mat.Dot(dv, &h2d)
	dH3d := mat.Dot(&hd, &h2d)
	dMd := mat.Inner(dv, m, dv)
	eQHb := mat.NewVecDense(p, nil)
	var ebHb float64
	for i := 0; i < n; i++ {
		bv := mat.NewVecDense(p, bs[i])
		var hb mat.VecDense
		hb.MulVec(h, bv)
		qhb.MulVec(quad.Q(i), &hb)
		eQHb.AddScaledVec(eQHb, quad.Weight(i), &qhb)
		ebHb += quad.Weight(i) * eH(bs[i])
	}
	e := eH(d)
	for _, k := range []int{1, 2} {
		kk := float64(k)
		want := e - 2*c*dH2d + c*c*dH3d + c*c/kk*dMd + 2*c*c/kk*mat.Dot(dv, eQHb) + c*c/kk*ebHb
		var got float64
		next := make([]float64, p)
		if k == 1 {
			for i := 0; i < n; i++ {
				floats.AddScaledTo(next, d, -c, grads[i])
				got += quad.Weight(i) * eH(next)
			}
		} else {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					floats.AddScaledTo(next, d, -c/2, grads[i])
					floats.AddScaled(next, -c/2, grads[j])
					got += quad.Weight(i) * quad.Weight(j) * eH(next)
				}
			}
		}
		if !scalar.EqualWithinAbsOrRel(got, want, 1e-10, 1e-10) {
			t.Errorf("k=%d: enumeration %v, Lemma 3.6 %v", k, got, want)
		}
	}
}

// A nil r means every r_i = 0: the minimizer is the origin and homogeneous.
func TestNewQuadraticNilR(t *testing.T) {
	q := []mat.Symmetric{mat.NewSymDense(2, []float64{1, 0, 0, 2}), mat.NewSymDense(2, []float64{3, 1, 1, 2})}
	p, err := NewQuadratic(q, nil, nil)
	if err != nil {
		t.Fatalf("NewQuadratic(q, nil, nil): %v", err)
	}
	for i := 0; i < p.Len(); i++ {
		for j, v := range p.R(i) {
			if v != 0 {
				t.Errorf("R(%d)[%d] = %v, want 0", i, j, v)
			}
		}
	}
	if x := p.Minimizer(); x[0] != 0 || x[1] != 0 || !p.Homogeneous() {
		t.Errorf("Minimizer() = %v, Homogeneous() = %v, want origin and true", x, p.Homogeneous())
	}
	if _, err := NewQuadratic(q, [][]float64{{0, 0}}, nil); err == nil || !strings.Contains(err.Error(), "r ") {
		t.Errorf("short r: error %v, want one naming r", err)
	}
}
