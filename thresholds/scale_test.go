package thresholds_test

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/flatminima/flatminima/thresholds"
)

// Each case below is an input at which an intermediate of the naive formula
// overflows or underflows although the answer is representable.

func TestHugeEigenvalue(t *testing.T) {
	// λ = 1e200, s = t = 1: 2λ/(λ² + 1/k) = 2e-200 to within 1e-400
	// relative, so the answer is 2e-200 up to the rounding of 2/λ; (34)
	// gives 2λ/((1 + 1/k)λ²) = 2e-200/(1 + 1/k) likewise.
	g := mustGeometry(t, []float64{1e200}, 1, 1)
	for _, k := range []float64{1, 4, math.Inf(1)} {
		for name, v := range map[string]float64{
			"Convergence":           thresholds.Convergence(g, k),
			"Divergence":            thresholds.Divergence(g, k),
			"DirectionalDivergence": thresholds.DirectionalDivergence(g, k)[0],
		} {
			if !scalar.EqualWithinRel(v, 2e-200, tolClosed) {
				t.Errorf("%s(λ = 1e200, k = %v) = %v, want 2e-200", name, k, v)
			}
		}
		if v, want := thresholds.InhomogeneousConvergence(g, k), 2e-200/(1+1/k); !scalar.EqualWithinRel(v, want, tolClosed) {
			t.Errorf("InhomogeneousConvergence(λ = 1e200, k = %v) = %v, want %v", k, v, want)
		}
	}
}

func TestInhomogeneousDivergenceSharpHuge(t *testing.T) {
	// λ = 1e200, s = t = 1e10, k = 1, γ = 0.1: every term but λ and λ² is
	// negligible, so both forms are 2λ/λ² = 2e-200.
	g := mustGeometry(t, []float64{1e200}, 1e10, 1e10)
	for name, f := range map[string]func(thresholds.Geometry, float64, float64) (float64, error){
		"InhomogeneousDivergence":      thresholds.InhomogeneousDivergence,
		"InhomogeneousDivergenceSharp": thresholds.InhomogeneousDivergenceSharp,
	} {
		v, err := f(g, 1, 0.1)
		if err != nil || !scalar.EqualWithinRel(v, 2e-200, tolClosed) {
			t.Errorf("%s = %v, %v, want 2e-200", name, v, err)
		}
	}
}

func TestGrowthBoundsHugeStep(t *testing.T) {
	// λ = 1, s = t = 0, C = 1e155: (1 − C)² = 1e310 is beyond the float64
	// range, so both bounds overflow to +Inf; no noise term makes them NaN.
	g := mustGeometry(t, []float64{1}, 0, 0)
	if lo, hi := thresholds.GrowthBounds(g, 1e155, 1); !math.IsInf(lo, 1) || !math.IsInf(hi, 1) {
		t.Errorf("GrowthBounds(C = 1e155) = %v, %v, want +Inf, +Inf", lo, hi)
	}
	// C = 1e150, λ = 1e-150, s = t = 1e-300: (1 − Cλ)² = 0 and
	// C²s/k = 1: C² overflows alone.
	g = mustGeometry(t, []float64{1e-150}, 1e-300, 1e-300)
	if lo, hi := thresholds.GrowthBounds(g, 1e150, 1); !scalar.EqualWithinRel(lo, 1, tolClosed) || !scalar.EqualWithinRel(hi, 1, tolClosed) {
		t.Errorf("GrowthBounds(C = 1e150, λ = 1e-150, s = t = 1e-300) = %v, %v, want 1, 1", lo, hi)
	}
}

func TestCriticalBatchTiny(t *testing.T) {
	// λ = 1e-170 (λ² underflows): s = t = 0 gives 0, s = t = 1e-300 gives
	// 1e-300/1e-340 = 1e40.
	for _, c := range []struct{ s, want float64 }{{0, 0}, {1e-300, 1e40}} {
		g := mustGeometry(t, []float64{1e-170, 1e-170}, c.s, c.s)
		if k, ok := thresholds.CriticalBatchDivergence(g); !ok || !scalar.EqualWithinRel(k, c.want, tolClosed) {
			t.Errorf("CriticalBatchDivergence(λ = 1e-170, s = %v) = %v, %v, want %v", c.s, k, ok, c.want)
		}
		if k := thresholds.CriticalBatchConvergence(g); !scalar.EqualWithinRel(k, c.want, tolClosed) {
			t.Errorf("CriticalBatchConvergence(λ = 1e-170, t = %v) = %v, want %v", c.s, k, c.want)
		}
	}
}

func TestMinBatchSmallestEigenvalue(t *testing.T) {
	// λ = 5e-324 (the smallest subnormal), t = 0: every step below 2/λ
	// converges at k = 1.
	g := mustGeometry(t, []float64{5e-324}, 0, 0)
	for _, c := range []float64{1, 10, 1e300} {
		if k, ok := thresholds.MinBatchForConvergence(g, c); !ok || k != 1 {
			t.Errorf("MinBatchForConvergence(λ = 5e-324, t = 0, c = %v) = %v, %v, want 1, true", c, k, ok)
		}
	}
}

// TestInverseAtResolution: 2/λ exceeds c = 420 by less than an ulp of c,
// so only batch sizes where t/k is below the resolution of λ converge.
// Whatever k̲ is returned, the inequality must fail at k̲ and hold at every
// larger k.
func TestInverseAtResolution(t *testing.T) {
	g := mustGeometry(t, []float64{0.0047619047619047615}, 1, 2)
	c := 420.0
	k, ok := thresholds.MinBatchForConvergence(g, c)
	if !ok {
		// Floating point could not decide; acceptable only if no finite
		// batch size converges.
		if c < thresholds.Convergence(g, math.MaxFloat64) {
			t.Fatalf("MinBatchForConvergence: ok = false, but Convergence(MaxFloat64) = %v > c", thresholds.Convergence(g, math.MaxFloat64))
		}
		return
	}
	if c < thresholds.Convergence(g, k) {
		t.Errorf("MinBatchForConvergence = %v, but c < Convergence there: not the infimum", k)
	}
	for _, f := range []float64{1 + 1e-15, 1 + 1e-9, 2, 10, 1e10, math.Inf(1)} {
		kk := math.Nextafter(k*f, math.Inf(1))
		if !(c < thresholds.Convergence(g, kk)) {
			t.Errorf("MinBatchForConvergence = %v, but Convergence(%v) = %v ≤ c", k, kk, thresholds.Convergence(g, kk))
		}
	}
	if ki, ok := thresholds.MinIntBatchForConvergence(g, c); ok {
		if !(c < thresholds.Convergence(g, float64(ki))) || c < thresholds.Convergence(g, float64(ki-1)) {
			t.Errorf("MinIntBatchForConvergence = %d is not the smallest integer", ki)
		}
	}
}

func TestWuNonUniformityRange(t *testing.T) {
	// √(k/v) with k/v = 1e600 beyond the float64 range: the answer 1e300
	// is representable.
	if got := thresholds.WuNonUniformity(1e-300, 1e300); !scalar.EqualWithinRel(got, 1e300, tolClosed) {
		t.Errorf("WuNonUniformity(1e-300, 1e300) = %v, want 1e300", got)
	}
	if got := thresholds.WuNonUniformity(1e300, 1); !scalar.EqualWithinRel(got, 1e-150, tolClosed) {
		t.Errorf("WuNonUniformity(1e300, 1) = %v, want 1e-150", got)
	}
}
