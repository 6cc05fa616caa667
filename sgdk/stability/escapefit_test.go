package stability

import (
	"math"
	"math/rand/v2"
	"testing"
)

// syntheticEscaper imitates MeasureEscape's probes without SGD: run i has
// its own threshold c_i, log c_i drawn from a logistic distribution with
// location log c0 and scale s, and escapes at C exactly when C > c_i. At
// every probe the outcomes are then independent Bernoulli trials with
// probability σ((log C − log c0)/s), the known logistic curve, and across
// probes they share the run, as the common random numbers of MeasureEscape
// make them.
func syntheticEscaper(c0, s float64, runs int, rnd *rand.Rand) escaper {
	lc := make([]float64, runs)
	for i := range lc {
		u := rnd.Float64()
		lc[i] = math.Log(c0) + s*math.Log(u/(1-u))
	}
	return func(c float64) (EscapeProbe, []bool, error) {
		esc := make([]bool, runs)
		for i, l := range lc {
			esc[i] = math.Log(c) > l
		}
		return newEscapeProbe(c, esc, make([]error, runs), 0.95)
	}
}

// TestEscapeIntervalCoverage: over 200 synthetic data sets with a known
// threshold c0, the 95% profile-likelihood interval of searchEscape covers
// c0 at least 90% of the time. With the nominal 95%, the count of covers is
// Binomial(200, 0.95), whose standard deviation is 3.1 (1.5%): 90% is 3.2
// standard deviations below, so a correct interval fails this test with
// probability below 1e-3, while one that ignores the shared streams (too
// narrow by a factor near √(probes)) or the bisection's Wilson bracket
// falls far below it.
func TestEscapeIntervalCoverage(t *testing.T) {
	for _, tc := range []struct {
		name      string
		c0, scale float64
		runs      int
		from      float64
	}{
		{"steep/64 runs", 1.3, 0.02, 64, 0.8},
		{"shallow/100 runs", 5, 0.3, 100, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.runs != 64 {
				t.Skip("one case in -short")
			}
			const repeats = 200
			rnd := rand.New(rand.NewPCG(11, 12))
			s, err := EscapeSettings{BatchSize: 1, EscapeRadius: 1, Iterations: 1, Runs: tc.runs, From: tc.from}.resolve(true)
			if err != nil {
				t.Fatal(err)
			}
			covered := 0
			var width float64
			for range repeats {
				et, err := searchEscape(syntheticEscaper(tc.c0, tc.scale, tc.runs, rnd), s)
				if err != nil {
					t.Fatal(err)
				}
				if !(et.Lo <= et.C && et.C <= et.Hi) {
					t.Fatalf("estimate %v outside its interval [%v, %v]", et.C, et.Lo, et.Hi)
				}
				if et.Lo <= tc.c0 && tc.c0 <= et.Hi {
					covered++
				}
				width += math.Log(et.Hi/et.Lo) / repeats
			}
			if covered < 180 {
				t.Errorf("95%% interval covered the threshold in %d of %d repeats, want ≥ 180", covered, repeats)
			}
			// The interval is also informative: its mean log-width is below
			// 8 standard errors of the median of log c_i (the asymptotic
			// standard error of the logistic location from n runs is
			// √3·s/√n; 2·1.96·√3·s/√n ≈ 6.8·s/√n), plus the bisection's 2%.
			if lim := 8*tc.scale/math.Sqrt(float64(tc.runs)) + math.Log(1.02); width > lim {
				t.Errorf("mean log-width %.3g, want below %.3g", width, lim)
			}
		})
	}
}

// TestEscapeFitSeparated: when every run's threshold lies between the same
// two adjacent probes, the estimate lies between them and the interval is
// finite and contains them.
func TestEscapeFitSeparated(t *testing.T) {
	cs := []float64{1, 2, 1.5, 1.2, 1.1}
	runs := 50
	esc := make([][]bool, len(cs))
	for j, c := range cs {
		esc[j] = make([]bool, runs)
		for i := range esc[j] {
			esc[j][i] = c >= 1.2
		}
	}
	f := fitEscape(cs, esc, 0.95)
	if !(f.c > 1.1 && f.c <= 1.2) {
		t.Errorf("estimate %v, want in (1.1, 1.2]", f.c)
	}
	// The interval is (1.1, 1.2] up to the bound on the slope b (1e4/span
	// in log C, a transition width near 1e-4·log 2).
	if !(f.lo <= 1.1*(1+1e-3) && f.hi >= 1.2*(1-1e-3)) || math.IsInf(f.hi, 0) || f.lo == 0 {
		t.Errorf("interval [%v, %v]", f.lo, f.hi)
	}
}

// TestCensLogLik checks the stable log(σ(z2) − σ(z1)) against the direct
// formula where that is accurate.
func TestCensLogLik(t *testing.T) {
	sig := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
	for _, r := range []censored{{-0.3, 0.4}, {math.Inf(-1), 0.2}, {0.1, math.Inf(1)}, {1.5, 2}} {
		mu, b := 0.7, 3.0
		want := math.Log(sig(b*(r.hi-mu)) - sig(b*(r.lo-mu)))
		if got := censLogLik([]censored{r}, mu, b); math.Abs(got-want) > 1e-12 {
			t.Errorf("%v: %v, want %v", r, got, want)
		}
	}
	// Far in the tail the direct formula underflows to log 0; the stable
	// one gives log(σ(−40)·(1 − e^{−3})) ≈ −40 + log(1 − e^{−3}).
	got := censLogLik([]censored{{40, 43}}, 0, 1)
	if want := -40 + math.Log1p(-math.Exp(-3)); math.Abs(got-want) > 1e-9 {
		t.Errorf("tail: %v, want %v", got, want)
	}
}
