package sgdk_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
)

// sgdkRandQuad returns a random stochastic quadratic (Problem 3.1) on R^p with
// n components Q_i = A_iA_i'/p (A_i Gaussian, so Q_i ≻ 0 almost surely),
// random positive weights (uniform when uniform is set) and, when homogeneous,
// r_i = −Q_i x* for a random x*, so that x* is a homogeneous minimizer
// (Definition 3.4). It returns the problem, the Q_i, the weights and x*.
func sgdkRandQuad(t testing.TB, rnd *rand.Rand, p, n int, uniform bool) (*problems.Quadratic, []*mat.SymDense, []float64, []float64) {
	t.Helper()
	xs := make([]float64, p)
	for d := range xs {
		xs[d] = rnd.NormFloat64()
	}
	qs := make([]mat.Symmetric, n)
	qd := make([]*mat.SymDense, n)
	r := make([][]float64, n)
	w := make([]float64, n)
	sum := 0.0
	for i := range n {
		a := mat.NewDense(p, p, nil)
		for j := range p {
			for l := range p {
				a.Set(j, l, rnd.NormFloat64())
			}
		}
		q := mat.NewSymDense(p, nil)
		q.SymOuterK(1/float64(p), a)
		qs[i], qd[i] = q, q
		var ri mat.VecDense
		ri.MulVec(q, mat.NewVecDense(p, xs))
		ri.ScaleVec(-1, &ri)
		r[i] = ri.RawVector().Data
		w[i] = 1
		if !uniform {
			w[i] = 0.5 + rnd.Float64()
		}
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	prob, err := problems.NewQuadratic(qs, r, w)
	if err != nil {
		t.Fatal(err)
	}
	for i := range w {
		w[i] = prob.Weight(i)
	}
	return prob, qd, w, xs
}

func TestRunValidation(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	p, _, _, _ := sgdkRandQuad(t, rnd, 2, 3, false)
	pu, _, _, _ := sgdkRandQuad(t, rnd, 2, 3, true)
	good := sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1), Iterations: 3}
	x0 := []float64{0, 0}
	box1, _ := problems.NewBox([]float64{-1}, []float64{1})
	with := func(f func(*sgdk.Settings)) sgdk.Settings { s := good; f(&s); return s }
	for _, tc := range []struct {
		name string
		p    problems.Problem
		x0   []float64
		s    sgdk.Settings
		rnd  *rand.Rand
		want string
	}{
		{"nil problem", nil, x0, good, rnd, "problem"},
		{"short x0", p, []float64{0}, good, rnd, "x0"},
		{"NaN x0", p, []float64{0, math.NaN()}, good, rnd, "x0[1]"},
		{"Inf x0", p, []float64{math.Inf(-1), 0}, good, rnd, "x0[0]"},
		{"negative batch", p, x0, with(func(s *sgdk.Settings) { s.BatchSize = -2 }), rnd, "BatchSize"},
		{"forgotten batch", p, x0, with(func(s *sgdk.Settings) { s.BatchSize = 0 }), rnd, "BatchSize: sgdk.FullBatch"},
		{"huge batch", p, x0, with(func(s *sgdk.Settings) { s.BatchSize = sgdk.MaxBatchSize + 1 }), rnd, "BatchSize"},
		{"negative iterations", p, x0, with(func(s *sgdk.Settings) { s.Iterations = -2 }), rnd, "Iterations"},
		{"MaxInt iterations", p, x0, with(func(s *sgdk.Settings) { s.Iterations = math.MaxInt }), rnd, "Iterations"},
		{"nil step", p, x0, with(func(s *sgdk.Settings) { s.Step = nil }), rnd, "Step"},
		{"nil StepFunc", p, x0, with(func(s *sgdk.Settings) { s.Step = sgdk.StepFunc(nil) }), rnd, "Step"},
		{"negative constant", p, x0, with(func(s *sgdk.Settings) { s.Step = sgdk.Constant(-1) }), rnd, "Step"},
		{"bad decay", p, x0, with(func(s *sgdk.Settings) { s.Step = sgdk.Decay{C0: 1, Tau: -1} }), rnd, "Decay.Tau"},
		{"bounds dim", p, x0, with(func(s *sgdk.Settings) { s.Bounds = box1 }), rnd, "Bounds"},
		{"bad bounds", p, x0, with(func(s *sgdk.Settings) { s.Bounds = &problems.Box{Lower: []float64{1, 1}, Upper: []float64{0, 2}} }), rnd, "Bounds"},
		{"nil rnd", p, x0, good, nil, "rnd"},
		{"without, nonuniform", p, x0, with(func(s *sgdk.Settings) { s.WithoutReplacement = true }), rnd, "uniform"},
		{"without, k > N", pu, x0, with(func(s *sgdk.Settings) { s.WithoutReplacement, s.BatchSize = true, 4 }), rnd, "BatchSize"},
		{"negative step later", p, x0, with(func(s *sgdk.Settings) {
			s.Step = sgdk.StepFunc(func(n int) float64 { return 0.1 - 0.05*float64(n) })
		}), rnd, "Step(3)"},
		{"NaN step", p, x0, with(func(s *sgdk.Settings) { s.Step = sgdk.StepFunc(func(int) float64 { return math.NaN() }) }), rnd, "Step(1)"},
	} {
		_, err := sgdk.Run(tc.p, tc.x0, tc.s, tc.rnd, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "sgdk: ") {
			t.Errorf("%s: error %v, want one naming %q", tc.name, err, tc.want)
		}
	}
	// FullBatch needs no randomness; WithoutReplacement is then ignored.
	s := with(func(s *sgdk.Settings) { s.BatchSize, s.WithoutReplacement = sgdk.FullBatch, true })
	if _, err := sgdk.Run(p, x0, s, nil, nil); err != nil {
		t.Errorf("FullBatch with nil rnd: %v", err)
	}
	// A problem whose weights do not sum to one is refused.
	if _, err := sgdk.Run(badWeights{p}, x0, good, rnd, nil); err == nil || !strings.Contains(err.Error(), "weights") {
		t.Errorf("weights summing to 2: error %v", err)
	}
}

type badWeights struct{ problems.Problem }

func (b badWeights) Weight(i int) float64 { return 2 * b.Problem.Weight(i) }

func TestRunRecorder(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 3))
	p, _, _, _ := sgdkRandQuad(t, rnd, 3, 4, false)
	x0 := []float64{1, 2, 3}
	var iters []int
	var xs [][]float64
	rec := func(n int, x []float64) bool {
		iters = append(iters, n)
		xs = append(xs, append([]float64(nil), x...))
		return n < 5
	}
	s := sgdk.Settings{BatchSize: 2, Step: sgdk.Constant(0.1), Iterations: 100}
	res, err := sgdk.Run(p, x0, s, rnd, rec)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Stopped || res.Iterations != 5 || res.Diverged {
		t.Errorf("Result = %+v, want Stopped after 5 iterations", res)
	}
	if len(iters) != 6 || iters[0] != 0 || iters[5] != 5 {
		t.Errorf("recorder saw iterations %v, want 0..5", iters)
	}
	if !floats.Equal(xs[0], x0) || !floats.Equal(xs[5], res.X) {
		t.Errorf("recorder saw start %v and last %v; x0 %v, X %v", xs[0], xs[5], x0, res.X)
	}
	// Iterations = 0: only the start.
	s.Iterations = 0
	res, err = sgdk.Run(p, x0, s, rnd, nil)
	if err != nil || res.Iterations != 0 || !floats.Equal(res.X, x0) {
		t.Errorf("zero iterations: %+v, %v", res, err)
	}
	res.X[0] = 99
	if x0[0] != 1 {
		t.Error("Result.X aliases x0")
	}
}

func TestRunDivergence(t *testing.T) {
	// f(x) = x² (Q = 2), C = 1e100: x_n = (1 − 2e100)^n x_0, finite up to
	// n = 3 (≈ −8e300) and +/−Inf at n = 4.
	p, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(1, []float64{2})}, [][]float64{{0}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var seen []float64
	rec := func(n int, x []float64) bool { seen = append(seen, x[0]); return true }
	for _, k := range []int{sgdk.FullBatch, 1} {
		seen = seen[:0]
		s := sgdk.Settings{BatchSize: k, Step: sgdk.Constant(1e100), Iterations: 10}
		res, err := sgdk.Run(p, []float64{1}, s, rand.New(rand.NewPCG(1, 1)), rec)
		if err != nil {
			t.Fatal(err)
		}
		want := math.Pow(1-2e100, 3)
		if !res.Diverged || res.DivergedAt != 4 || res.Iterations != 3 || math.Abs(res.X[0]-want) > 1e-14*math.Abs(want) {
			t.Errorf("k = %d: Result = %+v, want diverged at 4 with X = %v", k, res, want)
		}
		if len(seen) != 4 {
			t.Errorf("k = %d: recorder called %d times, want 4 (never with a non-finite iterate)", k, len(seen))
		}
	}
}

func TestLemma36OneStep(t *testing.T) {
	// Lemma 3.6 with a homogeneous minimizer x*: from a fixed x_N with
	// d = x_N − x*, E[e_{N+1} | x_N] = e − 2C d'H²d + C² d'H³d + (C²/k) d'Md,
	// e = d'Hd, M = E[QHQ] − H³. Average e_{N+1} over many one-step runs
	// from the same x_N; the sample mean must be within 5 standard errors.
	rnd := rand.New(rand.NewPCG(7, 7))
	const p, n = 3, 4
	prob, qs, w, xs := sgdkRandQuad(t, rnd, p, n, false)
	h, m := sgdkHM(qs, w)
	x := []float64{0.4, -0.3, 0.9}
	d := mat.NewVecDense(p, nil)
	d.SubVec(mat.NewVecDense(p, x), mat.NewVecDense(p, xs))
	e := mat.Inner(d, h, d)
	var hd, h2d mat.VecDense
	hd.MulVec(h, d)
	h2d.MulVec(h, &hd)
	dH2d := mat.Dot(&hd, &hd)
	dH3d := mat.Dot(&hd, &h2d)
	dMd := mat.Inner(d, m, d)
	const c, runs = 0.7, 20000
	for _, k := range []int{1, 3} {
		want := e - 2*c*dH2d + c*c*dH3d + c*c/float64(k)*dMd
		s := sgdk.Settings{BatchSize: k, Step: sgdk.Constant(c), Iterations: 1}
		var sum, sum2 float64
		for range runs {
			res, err := sgdk.Run(prob, x, s, rnd, nil)
			if err != nil {
				t.Fatal(err)
			}
			v := sgdkErr(h, res.X, xs)
			sum += v
			sum2 += v * v
		}
		mean := sum / runs
		se := math.Sqrt((sum2/runs - mean*mean) / runs)
		if math.Abs(mean-want) > 5*se {
			t.Errorf("k = %d: mean e_1 = %.6g ± %.2g, Lemma 3.6 gives %.6g", k, mean, se, want)
		}
	}
}

// sgdkHM returns H = Σ w_i Q_i and M = Σ w_i Q_i H Q_i − H³.
func sgdkHM(qs []*mat.SymDense, w []float64) (h, m *mat.SymDense) {
	p := qs[0].SymmetricDim()
	h = mat.NewSymDense(p, nil)
	for i, q := range qs {
		h.AddSym(h, scaledSym(w[i], q))
	}
	md := mat.NewDense(p, p, nil)
	var t1, t2 mat.Dense
	for i, q := range qs {
		t1.Mul(q, h)
		t2.Mul(&t1, q)
		t2.Scale(w[i], &t2)
		md.Add(md, &t2)
	}
	t1.Mul(h, h)
	t2.Mul(&t1, h)
	md.Sub(md, &t2)
	m = mat.NewSymDense(p, nil)
	for i := range p {
		for j := i; j < p; j++ {
			m.SetSym(i, j, (md.At(i, j)+md.At(j, i))/2)
		}
	}
	return h, m
}

func scaledSym(a float64, q *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(a, q)
	return &s
}

// sgdkErr returns e = (x − x*)'H(x − x*).
func sgdkErr(h mat.Symmetric, x, xs []float64) float64 {
	d := make([]float64, len(x))
	floats.SubTo(d, x, xs)
	v := mat.NewVecDense(len(d), d)
	return mat.Inner(v, h, v)
}

func TestRunAllocationsIndependentOfIterations(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	p, _, _, xs := sgdkRandQuad(t, rnd, 5, 6, true)
	// 1 << 40 > Len draws multinomial counts; the negative k is k = 3
	// without replacement.
	for _, k := range []int{sgdk.FullBatch, 1, 4, 1 << 40, -3} {
		allocs := func(iters int) float64 {
			s := sgdk.Settings{BatchSize: k, Step: sgdk.Constant(0.05), Iterations: iters}
			if k == -3 {
				s.BatchSize, s.WithoutReplacement = 3, true
			}
			return testing.AllocsPerRun(10, func() {
				if _, err := sgdk.Run(p, xs, s, rnd, nil); err != nil {
					t.Fatal(err)
				}
			})
		}
		if a, b := allocs(10), allocs(1000); a != b {
			t.Errorf("k = %d: %v allocations for 10 iterations, %v for 1000: Run allocates per iteration", k, a, b)
		}
	}
}

// BenchmarkRunSGD1P100 runs SGD-1 on a p = 100 quadratic with 10 dense
// components; one benchmark op is one iteration (a single Run with
// b.N iterations), so allocs/op shows the per-iteration allocations (0).
func BenchmarkRunSGD1P100(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 100))
	p, _, _, xs := sgdkRandQuad(b, rnd, 100, 10, false)
	x0 := append([]float64(nil), xs...)
	x0[0] += 1
	b.ReportAllocs()
	b.ResetTimer()
	s := sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.01), Iterations: b.N}
	res, err := sgdk.Run(p, x0, s, rnd, nil)
	if err != nil || res.Diverged {
		b.Fatal(err, res.Diverged)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/iter")
}

// BenchmarkRunK2p40P100 is BenchmarkRunSGD1P100 with k = 2^40: the batch is
// drawn as multinomial counts over the 10 components, so an iteration costs
// about what gradient descent's does, not 2^40 gradients.
func BenchmarkRunK2p40P100(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 100))
	p, _, _, xs := sgdkRandQuad(b, rnd, 100, 10, false)
	x0 := append([]float64(nil), xs...)
	x0[0] += 1
	b.ReportAllocs()
	b.ResetTimer()
	s := sgdk.Settings{BatchSize: 1 << 40, Step: sgdk.Constant(0.01), Iterations: b.N}
	res, err := sgdk.Run(p, x0, s, rnd, nil)
	if err != nil || res.Diverged {
		b.Fatal(err, res.Diverged)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/iter")
}
