package spectral

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestTraceDiagonal: for a diagonal A, zᵀAz = tr A for every Rademacher z
// (z_i² = 1), so the estimate is exact with zero standard error.
func TestTraceDiagonal(t *testing.T) {
	d := mat.NewDiagDense(5, []float64{1, -2, 3.5, 0, 7})
	e, err := Trace(NewDense(d), TraceSettings{Probes: 7})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(e.Value-9.5) > 1e-14 || e.StdErr != 0 || e.Probes != 7 {
		t.Errorf("diagonal: %+v, want 9.5 exactly", e)
	}
}

// TestTraceCoverage checks Hutchinson's estimator against the exact trace
// over 200 seeds: the standard error must match the closed-form variance of
// zᵀAz, 2·Σ_{i≠j} A_ij², and about 95% of the ±2 s.e. intervals must cover
// tr A.
func TestTraceCoverage(t *testing.T) {
	rnd := rand.New(rand.NewPCG(11, 11))
	n := 60
	a := randSym(rnd, n)
	var tr, off float64
	for i := range n {
		tr += a.At(i, i)
		for j := range n {
			if i != j {
				off += a.At(i, j) * a.At(i, j)
			}
		}
	}
	wantVar := 2 * off
	const seeds, probes = 200, 40
	cover := 0
	var meanVar float64
	for seed := range seeds {
		e, err := Trace(NewDense(a), TraceSettings{Probes: probes, Seed: uint64(seed)})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e.Value-tr) <= 2*e.StdErr {
			cover++
		}
		meanVar += e.StdErr * e.StdErr * probes / seeds
	}
	// The mean of 200 sample variances of 40 nearly Gaussian terms has a
	// relative standard deviation of about √(2/39/200) = 1.6%; 8% is five
	// of them.
	if math.Abs(meanVar-wantVar) > 0.08*wantVar {
		t.Errorf("per-probe variance %v, closed form %v", meanVar, wantVar)
	}
	// Coverage of nominal 95% (t with 39 d.f.: 94.8%); the count over 200
	// seeds is binomial with s.d. 3.1, so 175 is five of them below 190.
	if cover < 175 {
		t.Errorf("±2 s.e. covered tr A in %d of %d seeds", cover, seeds)
	}
}

func TestTraceWorkers(t *testing.T) {
	rnd := rand.New(rand.NewPCG(12, 12))
	a := NewDense(randSym(rnd, 50)) // Dsymv: safe for concurrent use
	s := TraceSettings{Probes: 13, Steps: 8, Seed: 5}
	e1, err := Trace(a, s)
	if err != nil {
		t.Fatal(err)
	}
	q1, err := Quadrature(a, s)
	if err != nil {
		t.Fatal(err)
	}
	s.Workers = 3
	e3, err := Trace(a, s)
	if err != nil {
		t.Fatal(err)
	}
	q3, err := Quadrature(a, s)
	if err != nil {
		t.Fatal(err)
	}
	if e1 != e3 {
		t.Errorf("Trace: 1 worker %+v, 3 workers %+v", e1, e3)
	}
	for i := range q1.Nodes {
		if !slices.Equal(q1.Nodes[i], q3.Nodes[i]) || !slices.Equal(q1.Weights[i], q3.Weights[i]) {
			t.Errorf("Quadrature probe %d differs with 3 workers", i)
		}
	}
}

// TestQuadratureMoments: the Gauss rule of m ≥ 2 steps from z reproduces
// zᵀAz and zᵀA²z = ‖Az‖² exactly (it is exact for polynomials of degree
// below 2m), so tr(A) equals Hutchinson's estimate from the same probes and
// tr(A²) equals the mean of ‖Az‖², computed here directly.
func TestQuadratureMoments(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 13))
	n := 70
	a := randSym(rnd, n)
	s := TraceSettings{Probes: 20, Steps: 5, Seed: 2}
	q, err := Quadrature(NewDense(a), s)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Trace(NewDense(a), s)
	if err != nil {
		t.Fatal(err)
	}
	anorm := spectralNorm(eigDesc(a))
	if got := q.Trace(func(x float64) float64 { return x }); math.Abs(got.Value-h.Value) > 1e-12*anorm*float64(n) {
		t.Errorf("SLQ tr A = %v, Hutchinson %v", got.Value, h.Value)
	}
	z := make([]float64, n)
	var sq float64
	for i := range s.Probes {
		rademacher(z, s.Seed, i)
		var az mat.VecDense
		az.MulVec(a, mat.NewVecDense(n, z))
		sq += mat.Dot(&az, &az) / float64(s.Probes)
	}
	if got := q.Trace(func(x float64) float64 { return x * x }); math.Abs(got.Value-sq) > 1e-12*sq {
		t.Errorf("SLQ tr A² = %v, mean ‖Az‖² = %v", got.Value, sq)
	}
	for i, w := range q.Weights {
		var sum float64
		for _, x := range w {
			sum += x
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Errorf("probe %d: weights sum to %v", i, sum)
		}
	}
}

// TestQuadratureFunction estimates tr exp(A/‖A‖) and checks it against the
// dense eigenvalues within 4 standard errors (the quadrature error of 30
// steps for exp on [−1, 1] is below 1e-30, far under the Monte Carlo error).
func TestQuadratureFunction(t *testing.T) {
	rnd := rand.New(rand.NewPCG(14, 14))
	n := 120
	a := randSym(rnd, n)
	all := eigDesc(a)
	c := 1 / spectralNorm(all)
	var want float64
	for _, l := range all {
		want += math.Exp(c * l)
	}
	for seed := range uint64(5) {
		q, err := Quadrature(NewDense(a), TraceSettings{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		got := q.Trace(func(x float64) float64 { return math.Exp(c * x) })
		if math.Abs(got.Value-want) > 4*got.StdErr || got.StdErr <= 0 {
			t.Errorf("seed %d: tr exp = %v ± %v, want %v", seed, got.Value, got.StdErr, want)
		}
	}
}

// TestDensity: for a spectrum with half its eigenvalues at −1 and half at
// +1 the Gauss rules are exact two-point measures, so the smoothed density
// integrates to 1 and puts mass 1/2 (within Monte Carlo error) below 0.
func TestDensity(t *testing.T) {
	rnd := rand.New(rand.NewPCG(15, 15))
	n := 80
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = 1
		if i%2 == 0 {
			vals[i] = -1
		}
	}
	a := withSpectrum(rnd, vals)
	q, err := Quadrature(NewDense(a), TraceSettings{Probes: 50})
	if err != nil {
		t.Fatal(err)
	}
	for i, nodes := range q.Nodes {
		if len(nodes) != 2 || math.Abs(nodes[0]+1) > 1e-10 || math.Abs(nodes[1]-1) > 1e-10 {
			t.Fatalf("probe %d: nodes %v, want −1 and 1", i, nodes)
		}
	}
	const h = 0.01
	var x []float64
	for v := -3.0; v <= 3; v += h {
		x = append(x, v)
	}
	d := q.Density(x, 0.1)
	var total, below float64
	for i, v := range d {
		total += v * h
		if x[i] < 0 {
			below += v * h
		}
	}
	// The Riemann sum of a Gaussian with σ = 10h is exact to far below 1e-6.
	if math.Abs(total-1) > 1e-6 {
		t.Errorf("density integrates to %v", total)
	}
	// The mass below 0 is the mean over probes of ‖P₋z‖²/n, whose per-probe
	// s.d. is about √(2·(n/2))/n ≈ 0.11; over 50 probes 0.016, and 0.06 is
	// four of them.
	if math.Abs(below-0.5) > 0.06 {
		t.Errorf("mass below 0 is %v, want 1/2", below)
	}
	if got := q.Density([]float64{0}, 0); !math.IsNaN(got[0]) {
		t.Errorf("sigma = 0: %v, want NaN", got)
	}
}

func TestTraceErrors(t *testing.T) {
	a := NewDense(mat.NewSymDense(2, []float64{1, 0, 0, 1}))
	nanOp := Func{N: 2, F: func(dst, v []float64) { dst[0], dst[1] = math.Inf(1), 0 }}
	cases := []struct {
		name string
		op   Operator
		s    TraceSettings
		want string
	}{
		{"nil op", nil, TraceSettings{}, "op is nil"},
		{"Probes 1", a, TraceSettings{Probes: 1}, "Probes"},
		{"Probes < 0", a, TraceSettings{Probes: -3}, "Probes"},
		{"Steps < 0", a, TraceSettings{Steps: -1}, "Steps"},
		{"Workers < 0", a, TraceSettings{Workers: -1}, "Workers"},
		{"Inf output", nanOp, TraceSettings{}, "non-finite"},
	}
	for _, c := range cases {
		if _, err := Trace(c.op, c.s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Trace %s: error %v, want one mentioning %q", c.name, err, c.want)
		}
		if q, err := Quadrature(c.op, c.s); err == nil || q != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Quadrature %s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}
