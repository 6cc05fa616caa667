package stability_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
	"github.com/flatminima/flatminima/thresholds"
)

// twoPoint is the scalar example: q ∈ {1, 3} with probability ½.
func twoPointHess() []mat.Symmetric {
	return []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
}

// twoPointExponent is E log|1 − Cq| for k = 1.
func twoPointExponent(c float64) float64 {
	return 0.5*math.Log(math.Abs(1-c)) + 0.5*math.Log(math.Abs(1-3*c))
}

func TestLyapunovTwoPointExponent(t *testing.T) {
	dim, step, err := stability.MixtureStep(twoPointHess(), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := stability.LyapunovSettings{Replicates: 20, Steps: 4000, Seed: 3}
	for _, c := range []float64{0.5, 0.8, 1.2, 1.6} {
		l, err := stability.LyapunovExponent(dim, step, c, s)
		if err != nil {
			t.Fatal(err)
		}
		// For a scalar recursion the estimate is an average of i.i.d.
		// log|1 − Cq| terms: unbiased, so 4 standard errors suffice.
		if want := twoPointExponent(c); math.Abs(l.Exponent-want) > 4*l.StdErr+1e-12 {
			t.Errorf("C = %v: γ = %.4f ± %.4f, exact %.4f", c, l.Exponent, l.StdErr, want)
		}
	}
}

// TestAlmostSureTwoPoint checks the almost-sure threshold at k = 1 against
// a direct numerical solution of E log|1 − Cq| = 0 (bisection on (1, 2),
// where the left end is −∞ and the right end positive; the root is 4/3).
func TestAlmostSureTwoPoint(t *testing.T) {
	lo, hi := 1.0, 2.0
	for i := 0; i < 100; i++ {
		mid := (lo + hi) / 2
		if twoPointExponent(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	root := (lo + hi) / 2
	dim, step, err := stability.MixtureStep(twoPointHess(), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := stability.LyapunovSettings{Replicates: 16, Steps: 4000, Seed: 1}
	// Start at the mean-square threshold C*(1) = 0.8 (Jensen: stable below).
	as, err := stability.AlmostSureThreshold(dim, step, 0.8, s)
	if err != nil {
		t.Fatal(err)
	}
	// CErr is the Monte Carlo error propagated through the slope; the
	// bisection adds at most RelTol (1e-3) relative.
	if math.Abs(as.C-root) > 4*as.CErr+2e-3*root {
		t.Errorf("almost-sure threshold %.5f ± %.5f, root of E log|1 − Cq| = 0 is %.5f", as.C, as.CErr, root)
	}
	if !(as.Lo <= as.C && as.C <= as.Hi) || as.Hi/as.Lo > 1+1.01e-3 {
		t.Errorf("bracket [%v, %v] around %v", as.Lo, as.Hi, as.C)
	}
	// Reproducible and independent of Workers.
	s.Workers = 1
	a1, _ := stability.AlmostSureThreshold(dim, step, 0.8, s)
	s.Workers = 3
	a3, _ := stability.AlmostSureThreshold(dim, step, 0.8, s)
	if a1.C != a3.C || a1.C != as.C {
		t.Errorf("Workers changed the result: %v, %v, %v", as.C, a1.C, a3.C)
	}
}

func TestLyapunovGradientDescent(t *testing.T) {
	// k = ∞: Q̄ = H is deterministic and γ = log max_l |1 − Cλ_l| exactly
	// (after the burn-in aligns v with the dominant direction). The dense
	// path (non-diagonal components) is exercised.
	h := []mat.Symmetric{
		mat.NewSymDense(2, []float64{2, 1, 1, 2}),
		mat.NewSymDense(2, []float64{1, 0, 0, 1}),
	}
	dim, step, err := stability.MixtureStep(h, []float64{0.5, 0.5}, math.Inf(1))
	if err != nil {
		t.Fatal(err)
	}
	// H = [[1.5, .5], [.5, 1.5]]: eigenvalues 2 and 1.
	for _, c := range []float64{0.3, 0.9, 1.2} {
		l, err := stability.LyapunovExponent(dim, step, c, stability.LyapunovSettings{Replicates: 2, Steps: 2000, Burn: 200})
		if err != nil {
			t.Fatal(err)
		}
		want := math.Log(math.Max(math.Abs(1-2*c), math.Abs(1-c)))
		if math.Abs(l.Exponent-want) > 1e-6 {
			t.Errorf("C = %v: γ = %v, want %v", c, l.Exponent, want)
		}
	}
}

func TestLyapunovErrors(t *testing.T) {
	dim, step, _ := stability.MixtureStep(twoPointHess(), nil, 1)
	if _, err := stability.LyapunovExponent(0, step, 1, stability.LyapunovSettings{}); err == nil {
		t.Error("dim 0 accepted")
	}
	if _, err := stability.LyapunovExponent(dim, nil, 1, stability.LyapunovSettings{}); err == nil {
		t.Error("nil step accepted")
	}
	if _, err := stability.LyapunovExponent(dim, step, math.NaN(), stability.LyapunovSettings{}); err == nil {
		t.Error("NaN c accepted")
	}
	if _, err := stability.LyapunovExponent(dim, step, 1, stability.LyapunovSettings{Steps: -1}); err == nil {
		t.Error("negative Steps accepted")
	}
	if _, err := stability.AlmostSureThreshold(dim, step, 0, stability.LyapunovSettings{}); err == nil {
		t.Error("from = 0 accepted")
	}
	if _, _, err := stability.MixtureStep(twoPointHess(), nil, 1.5); err == nil {
		t.Error("k = 1.5 accepted")
	}
	if _, _, err := stability.MixtureStep(twoPointHess(), []float64{0.5, 0.6}, 1); err == nil {
		t.Error("weights summing to 1.1 accepted")
	}
	if _, _, err := stability.MixtureStep(nil, nil, 1); err == nil {
		t.Error("empty hess accepted")
	}
}

func BenchmarkLyapunovExponent(b *testing.B) {
	dim, step, _ := stability.MixtureStep(twoPointHess(), nil, 16)
	s := stability.LyapunovSettings{Replicates: 16, Steps: 2000, Workers: 1}
	b.Run("p=1/k=16/R=16/N=2000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			stability.LyapunovExponent(dim, step, 1, s)
		}
	})
}

// TestLyapunovNaNIsDivergence: a step that writes NaN (a broken or
// overflowing product) makes its replicate diverge, exponent +Inf, never a
// strongly negative number (a NaN norm used to be treated like 0, adding
// log(smallest float) ≈ −745 per step) and never NaN.
func TestLyapunovNaNIsDivergence(t *testing.T) {
	for _, bad := range []float64{math.NaN(), math.Inf(1)} {
		newStep := func() stability.LinearStep {
			return func(dst, v []float64, c float64, rnd *rand.Rand) {
				for i := range dst {
					dst[i] = 0.5 * v[i]
				}
				if rnd.Float64() < 0.01 {
					dst[0] = bad
				}
			}
		}
		l, err := stability.LyapunovExponent(2, newStep, 0.1, stability.LyapunovSettings{Replicates: 4, Steps: 1000, Seed: 1, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		// With probability 0.01 per step, every replicate of 1100 steps hits
		// the bad entry except with probability 4·0.99^1100 ≈ 6e-5.
		if !math.IsInf(l.Exponent, 1) || l.Diverged != 4 || math.IsNaN(l.StdErr) {
			t.Errorf("bad entry %v: exponent %v ± %v, %d diverged; want +Inf, 4", bad, l.Exponent, l.StdErr, l.Diverged)
		}
	}
	// A finite contraction by ½ has exponent log ½ exactly.
	half := func() stability.LinearStep {
		return func(dst, v []float64, c float64, rnd *rand.Rand) {
			for i := range dst {
				dst[i] = 0.5 * v[i]
			}
		}
	}
	l, err := stability.LyapunovExponent(2, half, 0.1, stability.LyapunovSettings{Replicates: 2, Steps: 100, Seed: 1})
	if err != nil || math.Abs(l.Exponent-math.Log(0.5)) > 1e-12 || l.Diverged != 0 {
		t.Errorf("contraction by ½: %+v, %v; want exponent %v", l, err, math.Log(0.5))
	}
}

// TestSgdkBadInput: functions with an error result return an error naming
// the argument for bad input, and do not panic (each of these used to
// panic: hess[0] was used before its nil check, Compare indexed an empty
// Geometry at k = ∞, RunSampler called a nil component, also inside the
// goroutines of MeasureEscapeSampler, and a nil LinearStep was called).
func TestSgdkBadInput(t *testing.T) {
	tp := twoPointHess()
	good, err := stability.ProblemCase("two-point", twoPointProblem(t), []float64{0}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	caseWith := func(f func(c *stability.Case)) *stability.Case {
		c := *good
		f(&c)
		return &c
	}
	nilSmp := nilSampler{}
	nilStep := func() stability.LinearStep { return nil }
	es := stability.EscapeSettings{StartRadius: 0.1, EscapeRadius: 1, Iterations: 10, Runs: 4, BatchSize: 1, From: 0.5, Seed: 1, Workers: 2}
	for _, c := range []struct {
		name, want string
		run        func() error
	}{
		{"MixtureStep nil hess[0]", "hess[0]", func() error { _, _, err := stability.MixtureStep([]mat.Symmetric{nil, tp[1]}, nil, 1); return err }},
		{"MixtureStep nil hess[1]", "hess[1]", func() error { _, _, err := stability.MixtureStep([]mat.Symmetric{tp[0], nil}, nil, 1); return err }},
		{"MixtureStep 0×0 hess[0]", "hess[0]", func() error { _, _, err := stability.MixtureStep([]mat.Symmetric{&mat.SymDense{}}, nil, 1); return err }},
		{"Compare empty Geometry", "Geometry", func() error {
			_, err := stability.Compare(caseWith(func(c *stability.Case) { c.Geometry = thresholds.Geometry{} }), []float64{1, math.Inf(1)}, stability.CompareSettings{SkipEscape: true})
			return err
		}},
		{"Compare bad eigenvalue", "Geometry.Eigenvalues[0]", func() error {
			_, err := stability.Compare(caseWith(func(c *stability.Case) {
				c.Geometry = thresholds.Geometry{Eigenvalues: []float64{math.NaN()}, S: 1, T: 1}
			}), []float64{math.Inf(1)}, stability.CompareSettings{SkipEscape: true})
			return err
		}},
		{"Compare S > T", "Geometry.T", func() error {
			_, err := stability.Compare(caseWith(func(c *stability.Case) { c.Geometry = thresholds.Geometry{Eigenvalues: []float64{1}, S: 2, T: 1} }), []float64{1}, stability.CompareSettings{SkipEscape: true, SkipAlmostSure: true})
			return err
		}},
		{"Compare NaN Sharpness", "Sharpness", func() error {
			_, err := stability.Compare(caseWith(func(c *stability.Case) { c.Sharpness = math.NaN() }), []float64{1}, stability.CompareSettings{SkipEscape: true, SkipAlmostSure: true})
			return err
		}},
		{"Compare nil Linear", "Linear", func() error {
			_, err := stability.Compare(caseWith(func(c *stability.Case) { c.Linear = nil }), []float64{1}, stability.CompareSettings{SkipEscape: true})
			return err
		}},
		{"Compare empty Minimizer", "Minimizer", func() error {
			_, err := stability.Compare(caseWith(func(c *stability.Case) { c.Minimizer = nil }), []float64{1}, stability.CompareSettings{SkipAlmostSure: true})
			return err
		}},
		{"Compare Linear makes nil step", "nil LinearStep", func() error {
			_, err := stability.Compare(caseWith(func(c *stability.Case) {
				c.Linear = func(k float64) (int, func() stability.LinearStep, error) { return 1, nilStep, nil }
			}), []float64{1}, stability.CompareSettings{SkipEscape: true, Lyapunov: stability.LyapunovSettings{Replicates: 2, Steps: 10}})
			return err
		}},
		{"RunSampler nil component", "smp", func() error {
			_, err := sgdk.RunSampler(nilSmp, []float64{0}, sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1), Iterations: 5}, rand.New(rand.NewPCG(1, 1)), nil)
			return err
		}},
		{"MeasureEscapeSampler nil component", "smp", func() error {
			_, err := stability.MeasureEscapeSampler(nilSmp, []float64{0}, es)
			return err
		}},
		{"EscapeFractionSampler nil component", "smp", func() error {
			_, err := stability.EscapeFractionSampler(nilSmp, []float64{0}, 0.5, es)
			return err
		}},
		{"LyapunovExponent nil step", "nil LinearStep", func() error {
			_, err := stability.LyapunovExponent(1, nilStep, 0.5, stability.LyapunovSettings{Replicates: 3, Steps: 10, Workers: 2})
			return err
		}},
		{"AlmostSureThreshold nil step", "nil LinearStep", func() error {
			_, err := stability.AlmostSureThreshold(1, nilStep, 0.5, stability.LyapunovSettings{Replicates: 3, Steps: 10})
			return err
		}},
		{"HessianStep p = 0", "newStep", func() error {
			_, err := stability.LyapunovExponent(1, stability.HessianStep(0, func(*mat.SymDense, *rand.Rand) {}), 0.5, stability.LyapunovSettings{})
			return err
		}},
	} {
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", c.name, r)
				}
			}()
			err = c.run()
		}()
		if err == nil {
			t.Errorf("%s: no error", c.name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not name %q", c.name, err, c.want)
		}
	}
}

// nilSampler is a broken Sampler whose Sample returns nil.
type nilSampler struct{}

func (nilSampler) Dim() int                             { return 1 }
func (nilSampler) Sample(*rand.Rand) problems.Component { return nil }

func twoPointProblem(t *testing.T) *problems.Quadratic {
	t.Helper()
	p, err := problems.NewQuadratic(twoPointHess(), [][]float64{{0}, {0}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLinearStepNoAlloc: the steps of MixtureStep (diagonal and dense
// paths, finite k and k = ∞) and HessianStep allocate nothing per step.
func TestLinearStepNoAlloc(t *testing.T) {
	dense := []mat.Symmetric{
		mat.NewSymDense(2, []float64{2, 0.5, 0.5, 1}),
		mat.NewSymDense(2, []float64{1, -0.3, -0.3, 3}),
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name string
		hess []mat.Symmetric
		k    float64
	}{
		{"diagonal k=4", twoPointHess(), 4},
		{"dense k=4", dense, 4},
		{"dense k=∞", dense, math.Inf(1)},
	} {
		dim, newStep, err := stability.MixtureStep(c.hess, nil, c.k)
		if err != nil {
			t.Fatal(err)
		}
		step := newStep()
		v, w := make([]float64, dim), make([]float64, dim)
		v[0] = 1
		if a := testing.AllocsPerRun(100, func() { step(w, v, 0.1, rnd) }); a != 0 {
			t.Errorf("MixtureStep %s: %v allocations per step", c.name, a)
		}
	}
	hs := stability.HessianStep(2, func(dst *mat.SymDense, rnd *rand.Rand) {
		dst.SetSym(0, 0, rnd.Float64())
		dst.SetSym(0, 1, 0.1)
		dst.SetSym(1, 1, 1)
	})()
	v, w := []float64{1, 0}, make([]float64, 2)
	if a := testing.AllocsPerRun(100, func() { hs(w, v, 0.1, rnd) }); a != 0 {
		t.Errorf("HessianStep: %v allocations per step", a)
	}
	// And it computes (I − cQ)v: Q = [[q, 0.1], [0.1, 1]], v = e_1.
	r := rand.New(rand.NewPCG(5, 5))
	q := rand.New(rand.NewPCG(5, 5)).Float64()
	hs(w, v, 0.1, r)
	if math.Abs(w[0]-(1-0.1*q)) > 1e-15 || math.Abs(w[1]+0.01) > 1e-15 {
		t.Errorf("HessianStep (I − cQ)e_1 = %v, want [%v −0.01]", w, 1-0.1*q)
	}
}

// ExampleAlmostSureThreshold finds the almost-sure threshold of the
// two-point example at k = 1, where γ(C) = ½ log|1 − C| + ½ log|1 − 3C|
// crosses 0 at C = 4/3, far above the mean-square C*(1) = 0.8.
func ExampleAlmostSureThreshold() {
	dim, newStep, err := stability.MixtureStep(twoPointHess(), nil, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	as, err := stability.AlmostSureThreshold(dim, newStep, 0.8, stability.LyapunovSettings{Replicates: 8, Steps: 4000, Seed: 1, RelTol: 1e-3})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("almost-sure threshold %.3g (exact 4/3 = %.4g)\n", as.C, 4.0/3)
	// Output:
	// almost-sure threshold 1.33 (exact 4/3 = 1.333)
}

// TestMixtureStepHugeBatch: a batch far larger than the mixture is drawn as
// multinomial counts, so k = 2^40 takes no longer than k = n, and its batch
// mean is within 1e-5 of H (the noise has standard deviation of order
// 2^−20), so the exponent equals gradient descent's, log|1 − Cλ| with λ = 2,
// to that accuracy.
func TestMixtureStepHugeBatch(t *testing.T) {
	hess := []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	for _, tc := range []struct {
		name string
		hess []mat.Symmetric
	}{
		{"diagonal", hess},
		{"dense", []mat.Symmetric{mat.NewSymDense(2, []float64{1, 0.5, 0.5, 1}), mat.NewSymDense(2, []float64{3, -0.5, -0.5, 3})}},
	} {
		dim, step, err := stability.MixtureStep(tc.hess, nil, 1<<40)
		if err != nil {
			t.Fatal(err)
		}
		const c = 0.3
		ly, err := stability.LyapunovExponent(dim, step, c, stability.LyapunovSettings{Replicates: 4, Steps: 200, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		// Both examples have H = 2I (the dense off-diagonals cancel).
		want := math.Log(math.Abs(1 - c*2))
		if math.Abs(ly.Exponent-want) > 1e-4 {
			t.Errorf("%s: γ = %.8g at k = 2^40, want gradient descent's %.8g", tc.name, ly.Exponent, want)
		}
	}
	if _, _, err := stability.MixtureStep(hess, nil, 1<<60); err == nil || !strings.Contains(err.Error(), "k =") {
		t.Errorf("k = 2^60 accepted (err %v)", err)
	}
}
