package spectral

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// randSym returns a symmetric matrix with independent N(0, 1) entries on and
// above the diagonal.
func randSym(rnd *rand.Rand, n int) *mat.SymDense {
	a := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			a.SetSym(i, j, rnd.NormFloat64())
		}
	}
	return a
}

// withSpectrum returns Q diag(vals) Q' for a random orthogonal Q.
func withSpectrum(rnd *rand.Rand, vals []float64) *mat.SymDense {
	n := len(vals)
	var es mat.EigenSym
	if !es.Factorize(randSym(rnd, n), true) {
		panic("eigen")
	}
	var q mat.Dense
	es.VectorsTo(&q)
	var a mat.Dense
	a.Product(&q, mat.NewDiagDense(n, vals), q.T())
	s := mat.NewSymDense(n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			s.SetSym(i, j, (a.At(i, j)+a.At(j, i))/2)
		}
	}
	return s
}

// eigDesc returns the eigenvalues of a by mat.EigenSym, descending.
func eigDesc(a mat.Symmetric) []float64 {
	var es mat.EigenSym
	if !es.Factorize(a, false) {
		panic("eigen")
	}
	v := es.Values(nil)
	slices.Reverse(v)
	return v
}

// spectralNorm is max |λ|.
func spectralNorm(vals []float64) float64 {
	return math.Max(math.Abs(vals[0]), math.Abs(vals[len(vals)-1]))
}

// checkPairs verifies an answer of Top (desc) or Bottom (asc) against the
// eigenvalues want (in the same order) of a, independently of the solver:
// it recomputes the residual matrix R = AV − VΘ and the orthonormality of V.
// By Kahan's theorem for orthonormal V, the Ritz values lie within ‖R‖_2 ≤
// ‖R‖_F of distinct eigenvalues, so |θ_j − λ_j| ≤ ‖R‖_F once the pairs are
// the wanted ones; 1e-13·‖A‖ covers the rounding of mat.EigenSym.
func checkPairs(t *testing.T, name string, a mat.Symmetric, e *Eigen, want []float64, tol float64) {
	t.Helper()
	n := a.SymmetricDim()
	r := len(want)
	if len(e.Values) != r || len(e.Residuals) != r {
		t.Fatalf("%s: %d values, %d residuals, want %d", name, len(e.Values), len(e.Residuals), r)
	}
	if rr, c := e.Vectors.Dims(); rr != n || c != r {
		t.Fatalf("%s: Vectors is %d×%d, want %d×%d", name, rr, c, n, r)
	}
	all := eigDesc(a)
	anorm := spectralNorm(all)
	var av mat.Dense
	av.Mul(a, e.Vectors)
	var rf float64
	for j := range r {
		var res float64
		for i := range n {
			d := av.At(i, j) - e.Values[j]*e.Vectors.At(i, j)
			res += d * d
		}
		res = math.Sqrt(res)
		rf += res * res
		// The reported residual is the measured one, up to rounding.
		if math.Abs(res-e.Residuals[j]) > 1e-13*anorm*math.Sqrt(float64(n)) {
			t.Errorf("%s: residual %d reported %.3g, measured %.3g", name, j, e.Residuals[j], res)
		}
		// Residual within the tolerance; √2 covers the deflation by the
		// other locked vectors, whose own residuals add in quadrature.
		if res > math.Sqrt2*tol*anorm+1e-13*anorm {
			t.Errorf("%s: residual %d = %.3g > Tol·‖A‖ = %.3g", name, j, res, tol*anorm)
		}
	}
	rf = math.Sqrt(rf)
	for j := range r {
		if math.Abs(e.Values[j]-want[j]) > rf+1e-13*anorm {
			t.Errorf("%s: value %d = %.15g, want %.15g (‖R‖_F = %.3g)", name, j, e.Values[j], want[j], rf)
		}
	}
	var g mat.Dense
	g.Mul(e.Vectors.T(), e.Vectors)
	for i := range r {
		for j := range r {
			w := 0.0
			if i == j {
				w = 1
			}
			if math.Abs(g.At(i, j)-w) > 1e-12 {
				t.Errorf("%s: V'V[%d][%d] = %v, want %v", name, i, j, g.At(i, j), w)
			}
		}
	}
	if !sameOrder(e.Values, want) {
		t.Errorf("%s: values %v not in the order of %v", name, e.Values, want)
	}
}

// sameOrder reports whether got is ordered like want (both descending or both
// ascending).
func sameOrder(got, want []float64) bool {
	desc := len(want) < 2 || want[0] >= want[len(want)-1]
	for i := 1; i < len(got); i++ {
		if desc && got[i] > got[i-1] || !desc && got[i] < got[i-1] {
			return false
		}
	}
	return true
}

func TestTopRandom(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{50, 120, 300} {
		a := randSym(rnd, n)
		all := eigDesc(a)
		for _, r := range []int{1, 4, 10} {
			e, err := Top(NewDense(a), r, Settings{Seed: uint64(n + r)})
			if err != nil {
				t.Fatalf("n = %d, r = %d: %v", n, r, err)
			}
			checkPairs(t, "random top", a, e, all[:r], DefaultTol)
			b, err := Bottom(NewDense(a), r, Settings{Seed: uint64(n + r)})
			if err != nil {
				t.Fatalf("n = %d, r = %d: %v", n, r, err)
			}
			low := slices.Clone(all[n-r:])
			slices.Reverse(low)
			checkPairs(t, "random bottom", a, b, low, DefaultTol)
		}
	}
}

func TestTopClustered(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 2))
	n := 200
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = 5 * rnd.Float64()
	}
	// A tight cluster at the top: 10, 10 − 1e-6, 10 − 2e-6, 10 − 3e-6.
	for i := range 4 {
		vals[i] = 10 - 1e-6*float64(i)
	}
	a := withSpectrum(rnd, vals)
	e, err := Top(NewDense(a), 6, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	checkPairs(t, "clustered", a, e, eigDesc(a)[:6], DefaultTol)
}

func TestTopMultiplicity(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 3))
	for _, n := range []int{60, 250} {
		vals := make([]float64, n)
		for i := range vals {
			vals[i] = 10*rnd.Float64() - 5
		}
		vals[0], vals[1], vals[2] = 7, 7, 7
		vals[3], vals[4], vals[5] = 6, 6, 6 // a second triple
		a := withSpectrum(rnd, vals)
		want := eigDesc(a)[:8]
		e, err := Top(NewDense(a), 8, Settings{Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		checkPairs(t, "multiplicity", a, e, want, DefaultTol)
		for j := range 3 {
			if math.Abs(e.Values[j]-7) > 1e-9 || math.Abs(e.Values[3+j]-6) > 1e-9 {
				t.Errorf("n = %d: values %v, want 7 and 6 three times each", n, e.Values)
			}
		}
		// r = 2 inside the triple: both copies.
		e, err = Top(NewDense(a), 2, Settings{Seed: 4})
		if err != nil {
			t.Fatal(err)
		}
		checkPairs(t, "multiplicity r = 2", a, e, want[:2], DefaultTol)
	}
}

// TestTopMultiplicityTen: an eigenvalue of multiplicity 10 above a
// continuous spectrum is returned ten times (r = 10) and then followed by
// the next eigenvalues (r = 12).
func TestTopMultiplicityTen(t *testing.T) {
	rnd := rand.New(rand.NewPCG(98, 98))
	n := 200
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = rnd.NormFloat64()
	}
	for i := range 10 {
		vals[i] = 4
	}
	a := withSpectrum(rnd, vals)
	all := eigDesc(a)
	for _, r := range []int{10, 12} {
		e, err := Top(NewDense(a), r, Settings{})
		if err != nil {
			t.Fatal(err)
		}
		checkPairs(t, "multiplicity 10", a, e, all[:r], DefaultTol)
	}
}

func TestTopNegative(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	n := 80
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = -1 - 9*rnd.Float64()
	}
	a := withSpectrum(rnd, vals)
	all := eigDesc(a)
	e, err := Top(NewDense(a), 3, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	checkPairs(t, "negative top", a, e, all[:3], DefaultTol)
	b, err := Bottom(NewDense(a), 3, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	checkPairs(t, "negative bottom", a, b, []float64{all[n-1], all[n-2], all[n-3]}, DefaultTol)
}

func TestZeroAndRankDeficient(t *testing.T) {
	n := 40
	z := mat.NewSymDense(n, nil)
	e, err := Top(NewDense(z), 3, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	checkPairs(t, "zero", z, e, []float64{0, 0, 0}, DefaultTol)
	for j, v := range e.Values {
		if v != 0 || e.Residuals[j] != 0 {
			t.Errorf("zero matrix: value %v residual %v, want exact zeros", v, e.Residuals[j])
		}
	}

	// PSD of rank 5: the top 5 are positive, then zeros; Bottom finds zeros.
	rnd := rand.New(rand.NewPCG(5, 5))
	b := mat.NewDense(n, 5, nil)
	for i := range n {
		for j := range 5 {
			b.Set(i, j, rnd.NormFloat64())
		}
	}
	var a mat.SymDense
	a.SymOuterK(1, b)
	all := eigDesc(&a)
	e, err = Top(NewDense(&a), 7, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	checkPairs(t, "rank 5 top", &a, e, all[:7], DefaultTol)
	bot, err := Bottom(NewDense(&a), 4, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	low := slices.Clone(all[n-4:])
	slices.Reverse(low)
	checkPairs(t, "rank 5 bottom", &a, bot, low, DefaultTol)
}

func TestSmallDims(t *testing.T) {
	rnd := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{1, 2, 3, 7} {
		a := randSym(rnd, n)
		all := eigDesc(a)
		e, err := Top(NewDense(a), n, Settings{})
		if err != nil {
			t.Fatalf("n = %d: %v", n, err)
		}
		checkPairs(t, "all eigenvalues", a, e, all, DefaultTol)
	}
	// All eigenvalues of a larger matrix, from both ends.
	a := randSym(rnd, 50)
	all := eigDesc(a)
	e, err := Top(NewDense(a), 50, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	checkPairs(t, "all 50", a, e, all, DefaultTol)
	b, err := Bottom(NewDense(a), 50, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(all)
	checkPairs(t, "all 50 bottom", a, b, all, DefaultTol)
	// A non-SymDense Symmetric through the generic path.
	d := mat.NewDiagDense(4, []float64{3, -1, 2, 2})
	e, err = Top(NewDense(d), 3, Settings{})
	if err != nil {
		t.Fatal(err)
	}
	checkPairs(t, "diagonal", d, e, []float64{3, 2, 2}, DefaultTol)
}

// TestSmallKrylov: a basis smaller than r still converges, locking pairs
// one restart after another.
func TestSmallKrylov(t *testing.T) {
	rnd := rand.New(rand.NewPCG(10, 10))
	a := randSym(rnd, 60)
	all := eigDesc(a)
	for _, kr := range []int{2, 3, 8} {
		e, err := Top(NewDense(a), 5, Settings{Krylov: kr, MaxSteps: 100000})
		if err != nil {
			t.Fatalf("Krylov = %d: %v", kr, err)
		}
		checkPairs(t, "small Krylov", a, e, all[:5], DefaultTol)
	}
}

func TestStart(t *testing.T) {
	n := 100
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = float64(i)
	}
	op := Func{N: n, F: func(dst, v []float64) {
		for i := range v {
			dst[i] = vals[i] * v[i]
		}
	}}
	// Start = e_0 is an eigenvector (of 0) orthogonal to the wanted ones;
	// the random part added to it finds them even without the
	// multiplicity check.
	start := make([]float64, n)
	start[0] = 1
	for _, skip := range []bool{false, true} {
		e, err := Top(op, 2, Settings{Start: start, NoMultiplicityCheck: skip})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e.Values[0]-99) > 1e-8 || math.Abs(e.Values[1]-98) > 1e-8 {
			t.Errorf("NoMultiplicityCheck = %v: values %v, want 99, 98", skip, e.Values)
		}
	}
	// A good start (the top eigenvector, plus the random part) saves steps.
	start[0], start[n-1] = 0, 1
	good, err := Top(op, 1, Settings{Start: start, NoMultiplicityCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	rnd, err := Top(op, 1, Settings{NoMultiplicityCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(good.Values[0]-99) > 1e-8 || good.Steps >= rnd.Steps {
		t.Errorf("start at the top eigenvector: value %v after %d steps, %d from a random start", good.Values[0], good.Steps, rnd.Steps)
	}
}

func TestNotConverged(t *testing.T) {
	rnd := rand.New(rand.NewPCG(8, 8))
	n := 200
	a := randSym(rnd, n)
	all := eigDesc(a)
	for _, steps := range []int{1, 5, 30} {
		_, err := Top(NewDense(a), 3, Settings{MaxSteps: steps, Krylov: 20})
		var nc *NotConvergedError
		if !errors.As(err, &nc) {
			t.Fatalf("MaxSteps = %d: error %v, want *NotConvergedError", steps, err)
		}
		if nc.Steps != steps || !strings.Contains(err.Error(), "did not converge") {
			t.Errorf("MaxSteps = %d: Steps = %d, error %q", steps, nc.Steps, err)
		}
		if len(nc.Values) != min(3, steps) || len(nc.Residuals) != len(nc.Values) || len(nc.Converged) != len(nc.Values) {
			t.Fatalf("MaxSteps = %d: partial results %+v", steps, nc)
		}
		// Cauchy interlacing: the j-th Ritz value of a subspace is at most
		// λ_j, and by the residual bound within Residuals[j] of an eigenvalue.
		for j, v := range nc.Values {
			if v > all[j]+1e-12 {
				t.Errorf("MaxSteps = %d: Ritz value %d = %v > λ_%d = %v", steps, j, v, j+1, all[j])
			}
			near := math.Inf(1)
			for _, l := range all {
				near = math.Min(near, math.Abs(l-v))
			}
			if near > nc.Residuals[j]*(1+1e-9)+1e-12 {
				t.Errorf("MaxSteps = %d: Ritz value %v is %v from the spectrum, residual %v", steps, v, near, nc.Residuals[j])
			}
		}
	}
	// A budget that ends during the multiplicity check: the r locked pairs
	// are reported as converged.
	e, err := Top(NewDense(a), 3, Settings{NoMultiplicityCheck: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Top(NewDense(a), 3, Settings{MaxSteps: e.Steps - 3 + 1})
	var ncv *NotConvergedError
	if !errors.As(err, &ncv) {
		t.Fatalf("budget in the check: error %v", err)
	}
	for j := range 3 {
		if !ncv.Converged[j] || math.Abs(ncv.Values[j]-all[j]) > 1e-8 {
			t.Errorf("budget in the check: pair %d = %v (converged %v), want λ = %v", j, ncv.Values[j], ncv.Converged[j], all[j])
		}
	}
	// Bottom negates the partial values.
	_, err = Bottom(NewDense(a), 2, Settings{MaxSteps: 10})
	var nc *NotConvergedError
	if !errors.As(err, &nc) {
		t.Fatalf("Bottom: %v", err)
	}
	for j, v := range nc.Values {
		if v < all[n-1-j]-1e-12 {
			t.Errorf("Bottom: Ritz value %v < λ = %v", v, all[n-1-j])
		}
	}
}

func TestDeterministic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 9))
	a := randSym(rnd, 150)
	e1, err := Top(NewDense(a), 5, Settings{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	e2, err := Top(NewDense(a), 5, Settings{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(e1.Values, e2.Values) || !slices.Equal(e1.Residuals, e2.Residuals) || !mat.Equal(e1.Vectors, e2.Vectors) || e1.Steps != e2.Steps {
		t.Error("two runs with the same seed differ")
	}
	e3, err := Top(NewDense(a), 5, Settings{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	if mat.Equal(e1.Vectors, e3.Vectors) {
		t.Error("different seeds gave bit-identical vectors: the seed is not used")
	}
	if !floats.EqualApprox(e1.Values, e3.Values, 1e-9) {
		t.Errorf("seeds 3 and 4: %v and %v", e1.Values, e3.Values)
	}
}

func TestErrors(t *testing.T) {
	a := NewDense(mat.NewSymDense(3, []float64{1, 0, 0, 0, 2, 0, 0, 0, 3}))
	nanOp := Func{N: 3, F: func(dst, v []float64) {
		for i := range dst {
			dst[i] = v[i]
		}
		dst[1] = math.NaN()
	}}
	cases := []struct {
		name string
		op   Operator
		r    int
		s    Settings
		want string
	}{
		{"nil op", nil, 1, Settings{}, "op is nil"},
		{"nil F", Func{N: 3}, 1, Settings{}, "nil F"},
		{"Dim 0", Func{N: 0, F: func(dst, v []float64) {}}, 1, Settings{}, "Dim"},
		{"r = 0", a, 0, Settings{}, "r = 0"},
		{"r > Dim", a, 4, Settings{}, "r = 4"},
		{"Tol NaN", a, 1, Settings{Tol: math.NaN()}, "Tol"},
		{"Tol < 0", a, 1, Settings{Tol: -1}, "Tol"},
		{"Tol = 1", a, 1, Settings{Tol: 1}, "Tol"},
		{"Krylov 1", a, 1, Settings{Krylov: 1}, "Krylov"},
		{"MaxSteps", a, 1, Settings{MaxSteps: -1}, "MaxSteps"},
		{"MaxBytes", a, 1, Settings{MaxBytes: 10}, "MaxBytes"},
		{"Start length", a, 1, Settings{Start: []float64{1}}, "Start"},
		{"Start NaN", a, 1, Settings{Start: []float64{1, math.NaN(), 0}}, "Start"},
		{"Start zero", a, 1, Settings{Start: []float64{0, 0, 0}}, "Start"},
		{"NaN output", nanOp, 1, Settings{}, "non-finite"},
	}
	for _, c := range cases {
		for _, f := range []func(Operator, int, Settings) (*Eigen, error){Top, Bottom} {
			e, err := f(c.op, c.r, c.s)
			if err == nil || e != nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: result %v, error %v, want an error mentioning %q", c.name, e, err, c.want)
			}
		}
	}
	// A nonsymmetric operator is detected by its residuals.
	rnd := rand.New(rand.NewPCG(16, 16))
	// Symmetric plus a skew part of size 1e-4: Lanczos, which assumes
	// symmetry, accepts its Ritz pairs, but their measured residuals are
	// of the size of the skew part.
	ns := mat.NewDense(30, 30, nil)
	ns.Copy(randSym(rnd, 30))
	for i := range 30 {
		for j := range i {
			x := 1e-4 * rnd.NormFloat64()
			ns.Set(i, j, ns.At(i, j)+x)
			ns.Set(j, i, ns.At(j, i)-x)
		}
	}
	nsOp := Func{N: 30, F: func(dst, v []float64) {
		mat.NewVecDense(30, dst).MulVec(ns, mat.NewVecDense(30, v))
	}}
	if _, err := Top(nsOp, 2, Settings{}); err == nil || !strings.Contains(err.Error(), "symmetric") {
		t.Errorf("nonsymmetric op: error %v, want one about symmetry", err)
	}
	// A memory request above the budget names the size.
	big := Func{N: 1 << 26, F: func(dst, v []float64) {}}
	if _, err := Top(big, 10, Settings{}); err == nil || !strings.Contains(err.Error(), "bytes") {
		t.Errorf("Dim 2^26: error %v, want the memory budget", err)
	}
}

func BenchmarkTop10Dense2000(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 1))
	op := NewDense(randSym(rnd, 2000))
	b.ReportAllocs()
	b.ResetTimer()
	var steps int
	for b.Loop() {
		e, err := Top(op, 10, Settings{})
		if err != nil {
			b.Fatal(err)
		}
		steps = e.Steps
	}
	b.ReportMetric(float64(steps), "applies/op")
}

func BenchmarkTop10Diagonal100000(b *testing.B) {
	n := 100000
	d := make([]float64, n)
	for i := range d {
		// A decaying spectrum like a Hessian's: 1/(1 + i)^0.7.
		d[i] = math.Pow(1+float64(i), -0.7)
	}
	op := Func{N: n, F: func(dst, v []float64) {
		for i, x := range v {
			dst[i] = d[i] * x
		}
	}}
	b.ReportAllocs()
	b.ResetTimer()
	var steps int
	for b.Loop() {
		e, err := Top(op, 10, Settings{})
		if err != nil {
			b.Fatal(err)
		}
		steps = e.Steps
	}
	b.ReportMetric(float64(steps), "applies/op")
}
