package sgdk_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/sgdk"
)

// twoPoint is SPEC §8's scalar example: q ∈ {1, 3} with probability ½.
func twoPointHess() []mat.Symmetric {
	return []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
}

// twoPointExponent is E log|1 − Cq| for k = 1.
func twoPointExponent(c float64) float64 {
	return 0.5*math.Log(math.Abs(1-c)) + 0.5*math.Log(math.Abs(1-3*c))
}

func TestLyapunovTwoPointExponent(t *testing.T) {
	dim, step, err := sgdk.MixtureStep(twoPointHess(), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := sgdk.LyapunovSettings{Replicates: 20, Steps: 4000, Seed: 3}
	for _, c := range []float64{0.5, 0.8, 1.2, 1.6} {
		l, err := sgdk.LyapunovExponent(dim, step, c, s)
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
	dim, step, err := sgdk.MixtureStep(twoPointHess(), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := sgdk.LyapunovSettings{Replicates: 16, Steps: 4000, Seed: 1}
	// Start at the mean-square threshold C*(1) = 0.8 (Jensen: stable below).
	as, err := sgdk.AlmostSureThreshold(dim, step, 0.8, s)
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
	a1, _ := sgdk.AlmostSureThreshold(dim, step, 0.8, s)
	s.Workers = 3
	a3, _ := sgdk.AlmostSureThreshold(dim, step, 0.8, s)
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
	dim, step, err := sgdk.MixtureStep(h, []float64{0.5, 0.5}, math.Inf(1))
	if err != nil {
		t.Fatal(err)
	}
	// H = [[1.5, .5], [.5, 1.5]]: eigenvalues 2 and 1.
	for _, c := range []float64{0.3, 0.9, 1.2} {
		l, err := sgdk.LyapunovExponent(dim, step, c, sgdk.LyapunovSettings{Replicates: 2, Steps: 2000, Burn: 200})
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
	dim, step, _ := sgdk.MixtureStep(twoPointHess(), nil, 1)
	if _, err := sgdk.LyapunovExponent(0, step, 1, sgdk.LyapunovSettings{}); err == nil {
		t.Error("dim 0 accepted")
	}
	if _, err := sgdk.LyapunovExponent(dim, nil, 1, sgdk.LyapunovSettings{}); err == nil {
		t.Error("nil step accepted")
	}
	if _, err := sgdk.LyapunovExponent(dim, step, math.NaN(), sgdk.LyapunovSettings{}); err == nil {
		t.Error("NaN c accepted")
	}
	if _, err := sgdk.LyapunovExponent(dim, step, 1, sgdk.LyapunovSettings{Steps: -1}); err == nil {
		t.Error("negative Steps accepted")
	}
	if _, err := sgdk.AlmostSureThreshold(dim, step, 0, sgdk.LyapunovSettings{}); err == nil {
		t.Error("from = 0 accepted")
	}
	if _, _, err := sgdk.MixtureStep(twoPointHess(), nil, 1.5); err == nil {
		t.Error("k = 1.5 accepted")
	}
	if _, _, err := sgdk.MixtureStep(twoPointHess(), []float64{0.5, 0.6}, 1); err == nil {
		t.Error("weights summing to 1.1 accepted")
	}
	if _, _, err := sgdk.MixtureStep(nil, nil, 1); err == nil {
		t.Error("empty hess accepted")
	}
}

func BenchmarkLyapunovExponent(b *testing.B) {
	dim, step, _ := sgdk.MixtureStep(twoPointHess(), nil, 16)
	s := sgdk.LyapunovSettings{Replicates: 16, Steps: 2000, Workers: 1}
	b.Run("p=1/k=16/R=16/N=2000", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sgdk.LyapunovExponent(dim, step, 1, s)
		}
	})
}
