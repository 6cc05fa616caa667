package thresholds_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"

	"github.com/flatminima/flatminima/thresholds"
)

func mustGeometry(t *testing.T, eigs []float64, s, tt float64) thresholds.Geometry {
	t.Helper()
	g, err := thresholds.NewGeometry(eigs, s, tt)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// randomGeometry returns m eigenvalues spread over a few decades and
// 0 ≤ s ≤ t.
func randomGeometry(t *testing.T, rnd *rand.Rand, m int) thresholds.Geometry {
	t.Helper()
	eigs := make([]float64, m)
	for i := range eigs {
		eigs[i] = math.Pow(10, 3*rnd.Float64()-1)
	}
	s := math.Pow(10, 4*rnd.Float64()-2)
	return mustGeometry(t, eigs, s, s*(1+10*rnd.Float64()))
}

var batchSizes = []float64{1, 2, 3.5, 8, 100, 1e6, math.Inf(1)}

// Rounding tolerance of a closed form evaluated two ways: a few ulps.
const tolClosed = 1e-14

func TestClosedFormOneEigenvalue(t *testing.T) {
	for _, c := range []struct{ l, s, t float64 }{{2, 0, 0}, {2, 1, 1}, {0.3, 0.5, 2}, {50, 0, 7}} {
		g := mustGeometry(t, []float64{c.l}, c.s, c.t)
		for _, k := range batchSizes {
			l := c.l
			want := 2 * l / (l*l + c.t/k)
			if got := thresholds.Convergence(g, k); !scalar.EqualWithinRel(got, want, tolClosed) {
				t.Errorf("Convergence(%v, %v) = %v, want %v", g, k, got, want)
			}
			want = 2 * l / (l*l + c.s/k)
			if got := thresholds.Divergence(g, k); !scalar.EqualWithinRel(got, want, tolClosed) {
				t.Errorf("Divergence(%v, %v) = %v, want %v", g, k, got, want)
			}
			want = 2 * l / ((1+1/k)*l*l + c.t/k)
			if got := thresholds.InhomogeneousConvergence(g, k); !scalar.EqualWithinRel(got, want, tolClosed) {
				t.Errorf("InhomogeneousConvergence(%v, %v) = %v, want %v", g, k, got, want)
			}
		}
		if _, ok := thresholds.CriticalBatchDivergence(g); ok {
			t.Errorf("CriticalBatchDivergence(%v): ok = true with m = 1", g)
		}
	}
}

func TestGradientDescentLimit(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	for range 50 {
		g := randomGeometry(t, rnd, 1+rnd.IntN(6))
		l1, lm := g.Eigenvalues[0], g.Eigenvalues[len(g.Eigenvalues)-1]
		inf := math.Inf(1)
		// Theorem 2.1: exact at k = ∞.
		if got := thresholds.Convergence(g, inf); got != 2/l1 {
			t.Errorf("Convergence(%v, ∞) = %v, want 2/λ_1 = %v", g, got, 2/l1)
		}
		if got := thresholds.Divergence(g, inf); got != 2/lm {
			t.Errorf("Divergence(%v, ∞) = %v, want 2/λ_m = %v", g, got, 2/lm)
		}
		if got := thresholds.InhomogeneousConvergence(g, inf); got != 2/l1 {
			t.Errorf("InhomogeneousConvergence(%v, ∞) = %v, want %v", g, got, 2/l1)
		}
		// The limit k → ∞ is continuous: at k = 1e15 the noise terms t/k,
		// s/k are ≤ 1e-10 relative to λ² (t < 1e3, λ > 0.1), so the
		// thresholds agree to 1e-9.
		if got := thresholds.Convergence(g, 1e15); !scalar.EqualWithinRel(got, 2/l1, 1e-9) {
			t.Errorf("Convergence(%v, 1e15) = %v, want ≈ %v", g, got, 2/l1)
		}
		if got := thresholds.Divergence(g, 1e15); !scalar.EqualWithinRel(got, 2/lm, 1e-9) {
			t.Errorf("Divergence(%v, 1e15) = %v, want ≈ %v", g, got, 2/lm)
		}
		// Monotone in k and ordered.
		prevC, prevD := 0.0, 0.0
		for _, k := range batchSizes {
			c, d := thresholds.Convergence(g, k), thresholds.Divergence(g, k)
			if c < prevC || d < prevD {
				t.Errorf("%v: thresholds decrease at k = %v", g, k)
			}
			if c > d {
				t.Errorf("%v: Convergence(%v) = %v > Divergence = %v", g, k, c, d)
			}
			if ic := thresholds.InhomogeneousConvergence(g, k); ic > c {
				t.Errorf("%v: InhomogeneousConvergence(%v) = %v > Convergence = %v", g, k, ic, c)
			}
			prevC, prevD = c, d
		}
	}
}

// TestZeroS checks the Lemma 3.3(3) erratum: s = 0 is allowed and then
// Divergence(k) = 2/λ_m for every k.
func TestZeroS(t *testing.T) {
	g := mustGeometry(t, []float64{5, 2, 0.5}, 0, 3)
	for _, k := range batchSizes {
		if got := thresholds.Divergence(g, k); got != 4 {
			t.Errorf("Divergence(s = 0, k = %v) = %v, want 2/λ_m = 4", k, got)
		}
	}
	if _, err := thresholds.InhomogeneousDivergence(g, 4, 0.1); err == nil || !strings.Contains(err.Error(), "gamma") {
		t.Errorf("InhomogeneousDivergence with s = 0: err = %v, want an error naming gamma", err)
	}
	// Both s = t = 0 (no noise at all): Convergence is gradient descent's.
	g = mustGeometry(t, []float64{5, 2, 0.5}, 0, 0)
	if got := thresholds.Convergence(g, 1); got != 0.4 {
		t.Errorf("Convergence(s = t = 0, k = 1) = %v, want 2/λ_1 = 0.4", got)
	}
}

func argmax(x []float64) int {
	j := 0
	for i, v := range x {
		if v > x[j] {
			j = i
		}
	}
	return j
}

// TestCaseAnalysis checks the case splits of (18) and (20) against direct
// evaluation of every branch.
func TestCaseAnalysis(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 2))
	for range 200 {
		m := 2 + rnd.IntN(5)
		g := randomGeometry(t, rnd, m)
		l := g.Eigenvalues
		kc := thresholds.CriticalBatchConvergence(g)
		if want := g.T / (l[0] * l[m-1]); kc != want {
			t.Fatalf("CriticalBatchConvergence = %v, want %v", kc, want)
		}
		kd, ok := thresholds.CriticalBatchDivergence(g)
		if want := g.S / (l[m-2] * l[m-1]); !ok || kd != want {
			t.Fatalf("CriticalBatchDivergence = %v, %v, want %v, true", kd, ok, want)
		}
		k1 := g.S / (l[0] * l[1])
		for _, k := range []float64{1, kc / 2, kc * 0.999, kc * 1.001, kc * 2, kd * 0.999, kd * 1.001, kd * 3, k1 * 0.999, k1, k1 * 1.001} {
			if k < 1 {
				continue
			}
			// (18): first branch is the minimum exactly when k > t/(λ_1λ_m).
			b1 := 2 * l[0] / (l[0]*l[0] + g.T/k)
			bm := 2 * l[m-1] / (l[m-1]*l[m-1] + g.T/k)
			conv := thresholds.Convergence(g, k)
			// The library evaluates 2/(λ + (t/k)/λ): a few ulps from b1, bm.
			if k > kc*(1+1e-12) && !scalar.EqualWithinRel(conv, b1, tolClosed) || k < kc*(1-1e-12) && !scalar.EqualWithinRel(conv, bm, tolClosed) {
				t.Errorf("%v k = %v (k_conv %v): Convergence = %v, branches %v, %v", g, k, kc, conv, b1, bm)
			}
			if (b1 < bm) != (k > kc) && math.Abs(k/kc-1) > 1e-12 {
				t.Errorf("%v k = %v: branch order disagrees with k_conv = %v", g, k, kc)
			}
			// (20): maximizer l = 1 when k ≤ s/(λ_1λ_2), l = m when
			// k > s/(λ_{m−1}λ_m).
			dd := thresholds.DirectionalDivergence(g, k)
			j := argmax(dd)
			if k < k1*(1-1e-12) && j != 0 {
				t.Errorf("%v k = %v ≤ s/(λ_1λ_2) = %v: maximizer %d, want 0", g, k, k1, j)
			}
			if k > kd*(1+1e-12) && j != m-1 {
				t.Errorf("%v k = %v > k_div = %v: maximizer %d, want m−1", g, k, kd, j)
			}
			// Middle cases: s/(λ_lλ_{l−1}) < k ≤ s/(λ_{l+1}λ_l) picks l.
			for ll := 1; ll < m-1; ll++ {
				lo, hi := g.S/(l[ll]*l[ll-1]), g.S/(l[ll+1]*l[ll])
				if k > lo*(1+1e-12) && k < hi*(1-1e-12) && dd[j] != dd[ll] {
					t.Errorf("%v k = %v in case l = %d: maximizer %d", g, k, ll, j)
				}
			}
			if d := thresholds.Divergence(g, k); d != dd[j] {
				t.Errorf("Divergence = %v, max DirectionalDivergence = %v", d, dd[j])
			}
		}
	}
}

// TestGrowthBounds checks Lemma 3.7 against the thresholds and against the
// exact one-step expectation of Lemma 3.6 on an explicit diagonal model.
func TestGrowthBounds(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 3))
	for range 100 {
		g := randomGeometry(t, rnd, 1+rnd.IntN(5))
		for _, k := range batchSizes {
			c := thresholds.Convergence(g, k)
			// At the threshold ρ_hi = 1 up to rounding; just below it is < 1.
			if _, hi := thresholds.GrowthBounds(g, c, k); !scalar.EqualWithinAbs(hi, 1, 1e-12) {
				t.Errorf("%v k = %v: ρ_hi(Convergence) = %v, want 1", g, k, hi)
			}
			if _, hi := thresholds.GrowthBounds(g, c*(1-1e-6), k); !(hi < 1) {
				t.Errorf("%v k = %v: ρ_hi just below Convergence = %v, want < 1", g, k, hi)
			}
			if _, hi := thresholds.GrowthBounds(g, c*(1+1e-6), k); !(hi > 1) {
				t.Errorf("%v k = %v: ρ_hi just above Convergence = %v, want > 1", g, k, hi)
			}
			d := thresholds.Divergence(g, k)
			if lo, _ := thresholds.GrowthBounds(g, d, k); !scalar.EqualWithinAbs(lo, 1, 1e-12) {
				t.Errorf("%v k = %v: ρ_lo(Divergence) = %v, want 1", g, k, lo)
			}
			if lo, _ := thresholds.GrowthBounds(g, d*(1+1e-6), k); !(lo > 1) {
				t.Errorf("%v k = %v: ρ_lo just above Divergence = %v, want > 1", g, k, lo)
			}
			if lo, _ := thresholds.GrowthBounds(g, -0.01, k); !(lo > 1) {
				t.Errorf("%v k = %v: ρ_lo at C < 0 = %v, want > 1", g, k, lo)
			}
			if lo, hi := thresholds.GrowthBounds(g, c/2, k); lo > hi {
				t.Errorf("ρ_lo = %v > ρ_hi = %v", lo, hi)
			}
		}
	}
	// The minimum over l is at the λ_l nearest 1/C, here the interior λ = 1.
	g := mustGeometry(t, []float64{4, 1, 0.25}, 0.5, 2)
	lo, hi := thresholds.GrowthBounds(g, 1, 2)
	if lo != 0.25 || hi != 9+1 {
		t.Errorf("GrowthBounds({4,1,0.25}, C = 1, k = 2) = %v, %v, want 0.25, 10", lo, hi)
	}
}

// TestGrowthBoundsLemma36 draws a diagonal homogeneous quadratic, where
// the exact one-step factor of Lemma 3.6 along any d is a closed form, and
// checks ρ_lo ≤ E[e_{N+1} | x_N]/e_N ≤ ρ_hi.
func TestGrowthBoundsLemma36(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	for range 50 {
		p := 1 + rnd.IntN(5)
		h := make([]float64, p)
		v := make([]float64, p) // Var(q_a): M = diag(h_a Var(q_a))
		for a := range p {
			h[a] = math.Pow(10, 2*rnd.Float64()-1)
			v[a] = rnd.Float64() * h[a] * h[a]
		}
		s, tt := math.Inf(1), 0.0
		for a := range p {
			s, tt = math.Min(s, v[a]), math.Max(tt, v[a])
		}
		g := mustGeometry(t, h, s, tt)
		for _, k := range batchSizes {
			for _, c := range []float64{0.1, 0.5, 1, 2, 5} {
				c /= g.Eigenvalues[0]
				lo, hi := thresholds.GrowthBounds(g, c, k)
				for range 20 {
					var e, e1 float64
					for a := range p {
						d2 := rnd.NormFloat64()
						d2 *= d2
						e += h[a] * d2
						// Lemma 3.6: e − 2C d'H²d + C² d'H³d + (C²/k) d'Md.
						e1 += d2 * (h[a] - 2*c*h[a]*h[a] + c*c*h[a]*h[a]*h[a] + c*c/k*h[a]*v[a])
					}
					// Rounding: (1 − Ch)² may cancel to ~1e-7, so allow an
					// absolute 1e-12 besides the relative one.
					r := e1 / e
					if r < lo*(1-1e-12)-1e-12 || r > hi*(1+1e-12)+1e-12 {
						t.Errorf("one-step factor %v outside [%v, %v] (C = %v, k = %v)", r, lo, hi, c, k)
					}
				}
			}
		}
	}
}

// TestInhomogeneousDivergence checks (35) with the corrected case analysis
// of (36), and shows that the printed last case leaves a gap.
func TestInhomogeneousDivergence(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 5))
	for range 200 {
		m := 2 + rnd.IntN(4)
		g := randomGeometry(t, rnd, m)
		l := g.Eigenvalues
		for _, k := range []float64{1, 2, 5, 30, 1000} {
			a := g.S / k
			gamma := math.Sqrt(a) / 2 * rnd.Float64()
			if gamma == 0 {
				continue
			}
			got, err := thresholds.InhomogeneousDivergence(g, k, gamma)
			if err != nil {
				t.Fatal(err)
			}
			cut := func(i, j int) float64 { return g.S / (l[i]*l[j] + gamma*(l[i]+l[j])) }
			// Corrected (36): find the case containing k.
			j := -1
			switch {
			case k <= cut(0, 1):
				j = 0
			case k > cut(m-1, m-2):
				j = m - 1
			default:
				for ll := 1; ll < m-1; ll++ {
					if k > cut(ll, ll-1) && k <= cut(ll, ll+1) {
						j = ll
					}
				}
			}
			if j < 0 {
				t.Fatalf("corrected (36) has no case for k = %v", k)
			}
			want := 2 * (l[j] + gamma) / (l[j]*l[j] + a)
			if !scalar.EqualWithinRel(got, want, tolClosed) {
				t.Errorf("%v k = %v γ = %v: InhomogeneousDivergence = %v, case analysis %v (j = %d)", g, k, gamma, got, want, j)
			}
			sharp, err := thresholds.InhomogeneousDivergenceSharp(g, k, gamma)
			if err != nil {
				t.Fatal(err)
			}
			div := thresholds.Divergence(g, k)
			if sharp > got || sharp < div {
				t.Errorf("Divergence %v ≤ Sharp %v ≤ InhomogeneousDivergence %v fails", div, sharp, got)
			}
		}
	}
	// γ → 0⁺ recovers the homogeneous threshold.
	g := mustGeometry(t, []float64{3, 1, 0.2}, 0.4, 1)
	for _, f := range []func(thresholds.Geometry, float64, float64) (float64, error){thresholds.InhomogeneousDivergence, thresholds.InhomogeneousDivergenceSharp} {
		got, err := f(g, 2, 1e-12)
		if err != nil || !scalar.EqualWithinRel(got, thresholds.Divergence(g, 2), 1e-10) {
			t.Errorf("γ → 0: %v, %v, want %v", got, err, thresholds.Divergence(g, 2))
		}
		// k = ∞: Theorem 2.1's 2/λ_m whatever γ.
		if got, err := f(g, math.Inf(1), 7); err != nil || got != 10 {
			t.Errorf("k = ∞: %v, %v, want 10", got, err)
		}
	}
	// Printed (36): last case k > s/(λ_m² + γ(λ_m + λ_{m−1})). With λ = (1, 0.5),
	// s = 1, γ = 0.1 the middle case does not exist (m = 2), the first case
	// ends at s/(0.5 + 0.15) = 1.538… and the printed last case starts at
	// s/(0.25 + 0.15) = 2.5: k = 2 falls in no case. The corrected last case
	// starts where the first ends.
	g = mustGeometry(t, []float64{1, 0.5}, 1, 1)
	gamma, k := 0.1, 2.0
	first := g.S / (1*0.5 + gamma*1.5)
	printed := g.S / (0.5*0.5 + gamma*1.5)
	if !(k > first && k <= printed) {
		t.Fatalf("example does not fall in the printed gap")
	}
	got, _ := thresholds.InhomogeneousDivergence(g, k, gamma)
	if want := 2 * (0.5 + gamma) / (0.25 + g.S/k); got != want {
		t.Errorf("InhomogeneousDivergence in the gap = %v, want the l = m branch %v", got, want)
	}
}

func TestInhomogeneousDivergenceErrors(t *testing.T) {
	g := mustGeometry(t, []float64{3, 1}, 0.4, 1)
	for _, c := range []struct {
		g        thresholds.Geometry
		k, gamma float64
		name     string
	}{
		{thresholds.Geometry{}, 2, 0.1, "g "},
		{g, 0.5, 0.1, "k ="},
		{g, math.NaN(), 0.1, "k ="},
		{g, 2, math.NaN(), "gamma"},
		{g, 2, 0, "gamma"},
		{g, 2, -0.1, "gamma"},
		{g, 2, 0.3, "gamma"}, // 4γ² = 0.36 > s/k = 0.2
		{g, math.Inf(1), math.NaN(), "gamma"},
	} {
		for _, f := range []func(thresholds.Geometry, float64, float64) (float64, error){thresholds.InhomogeneousDivergence, thresholds.InhomogeneousDivergenceSharp} {
			v, err := f(c.g, c.k, c.gamma)
			if err == nil || !math.IsNaN(v) || !strings.Contains(err.Error(), c.name) {
				t.Errorf("(%v, k = %v, γ = %v) = %v, %v: want NaN and an error naming %q", c.g, c.k, c.gamma, v, err, c.name)
			}
		}
	}
	// The top of the range is admissible.
	if _, err := thresholds.InhomogeneousDivergence(g, 2, math.Sqrt(0.2)/2); err != nil {
		t.Errorf("4γ² = s/k refused: %v", err)
	}
}

func TestInverseQueries(t *testing.T) {
	rnd := rand.New(rand.NewPCG(6, 6))
	for range 300 {
		g := randomGeometry(t, rnd, 1+rnd.IntN(5))
		l1, lm := g.Eigenvalues[0], g.Eigenvalues[len(g.Eigenvalues)-1]

		c := 2 / l1 * rnd.Float64()
		k, ok := thresholds.MinBatchForConvergence(g, c)
		if !ok {
			t.Fatalf("MinBatchForConvergence(%v, %v): ok = false below 2/λ_1", g, c)
		}
		if k > 1 {
			// k is the infimum: Convergence(k) = c, and c < Convergence just above.
			if got := thresholds.Convergence(g, k); !scalar.EqualWithinRel(got, c, 1e-12) {
				t.Errorf("Convergence(g, MinBatch = %v) = %v, want c = %v", k, got, c)
			}
			if !(c < thresholds.Convergence(g, k*(1+1e-9))) || c < thresholds.Convergence(g, k*(1-1e-9)) {
				t.Errorf("MinBatchForConvergence = %v is not the boundary for c = %v", k, c)
			}
		} else if !(c < thresholds.Convergence(g, 1)) {
			t.Errorf("MinBatchForConvergence = 1 but c = %v ≥ Convergence(1) = %v", c, thresholds.Convergence(g, 1))
		}
		if ki, ok := thresholds.MinIntBatchForConvergence(g, c); ok {
			if !(c < thresholds.Convergence(g, float64(ki))) || ki > 1 && c < thresholds.Convergence(g, float64(ki-1)) {
				t.Errorf("MinIntBatchForConvergence = %d not the smallest integer for c = %v", ki, c)
			}
			if float64(ki) < k || float64(ki) > math.Floor(k)+1 {
				t.Errorf("MinIntBatchForConvergence = %d, real answer %v", ki, k)
			}
		} else if k < 1e15 {
			t.Errorf("MinIntBatchForConvergence: ok = false, real answer %v", k)
		}

		d1 := thresholds.Divergence(g, 1)
		c = d1 + (2/lm-d1)*rnd.Float64()
		kb, ok := thresholds.MaxBatchForDivergence(g, c)
		if !ok || !(kb > 1) {
			t.Fatalf("MaxBatchForDivergence(%v, %v) = %v, %v: want some k > 1", g, c, kb, ok)
		}
		if got := thresholds.Divergence(g, kb); !scalar.EqualWithinRel(got, c, 1e-12) {
			t.Errorf("Divergence(g, MaxBatch = %v) = %v, want c = %v", kb, got, c)
		}
		if !(c > thresholds.Divergence(g, kb*(1-1e-9))) || c > thresholds.Divergence(g, kb*(1+1e-9)) {
			t.Errorf("MaxBatchForDivergence = %v is not the boundary for c = %v", kb, c)
		}
		if ki, ok := thresholds.MaxIntBatchForDivergence(g, c); ok {
			if !(c > thresholds.Divergence(g, float64(ki))) || c > thresholds.Divergence(g, float64(ki+1)) {
				t.Errorf("MaxIntBatchForDivergence = %d not the largest integer for c = %v", ki, c)
			}
		} else if kb >= 2 {
			t.Errorf("MaxIntBatchForDivergence: ok = false, real answer %v", kb)
		}

		// ok = false cases.
		for _, c := range []float64{2 / l1, 3 / l1, 0, -1, math.NaN(), math.Inf(1)} {
			if k, ok := thresholds.MinBatchForConvergence(g, c); ok || !math.IsNaN(k) {
				t.Errorf("MinBatchForConvergence(%v, %v) = %v, %v, want NaN, false", g, c, k, ok)
			}
			if _, ok := thresholds.MinIntBatchForConvergence(g, c); ok {
				t.Errorf("MinIntBatchForConvergence(%v, %v): ok = true", g, c)
			}
		}
		for _, c := range []float64{d1, d1 / 2, 0, -1, math.NaN()} {
			if k, ok := thresholds.MaxBatchForDivergence(g, c); ok || !math.IsNaN(k) {
				t.Errorf("MaxBatchForDivergence(%v, %v) = %v, %v, want NaN, false", g, c, k, ok)
			}
		}
		// Above 2/λ_m every batch size, gradient descent included, diverges.
		if k, ok := thresholds.MaxBatchForDivergence(g, 2.001/lm); !ok || !math.IsInf(k, 1) {
			t.Errorf("MaxBatchForDivergence(%v, > 2/λ_m) = %v, %v, want +Inf, true", g, k, ok)
		}
		if k, ok := thresholds.MaxIntBatchForDivergence(g, 2.001/lm); !ok || k != math.MaxInt {
			t.Errorf("MaxIntBatchForDivergence(> 2/λ_m) = %v, %v, want MaxInt", k, ok)
		}
	}
	// s = 0: Divergence is 2/λ_m at every k.
	g := mustGeometry(t, []float64{2, 1}, 0, 1)
	if _, ok := thresholds.MaxBatchForDivergence(g, 1.9); ok {
		t.Errorf("s = 0, c < 2/λ_m: ok = true")
	}
	if k, ok := thresholds.MaxBatchForDivergence(g, 2.1); !ok || !math.IsInf(k, 1) {
		t.Errorf("s = 0, c > 2/λ_m: %v, %v, want +Inf", k, ok)
	}
	// t = 0: every admissible c converges at k = 1.
	g = mustGeometry(t, []float64{2, 1}, 0, 0)
	if k, ok := thresholds.MinBatchForConvergence(g, 0.99); !ok || k != 1 {
		t.Errorf("t = 0: MinBatchForConvergence = %v, %v, want 1", k, ok)
	}
}

// TestWithoutReplacement enumerates every k-subset of N values and checks
// that the variance of the batch mean is Var/k_eff (Var the population
// variance), the defining property of the effective batch size.
func TestWithoutReplacement(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 7))
	for _, n := range []int{2, 3, 5, 7} {
		v := make([]float64, n)
		var mean float64
		for i := range v {
			v[i] = rnd.NormFloat64() * 3
			mean += v[i] / float64(n)
		}
		var pvar float64
		for _, x := range v {
			pvar += (x - mean) * (x - mean) / float64(n)
		}
		for k := 1; k <= n; k++ {
			var cnt, s1, s2 float64
			for mask := 0; mask < 1<<n; mask++ {
				if popcount(mask) != k {
					continue
				}
				var bm float64
				for i := range n {
					if mask&(1<<i) != 0 {
						bm += v[i] / float64(k)
					}
				}
				cnt++
				s1 += bm
				s2 += bm * bm
			}
			got := s2/cnt - (s1/cnt)*(s1/cnt)
			want := pvar / thresholds.WithoutReplacement(k, n)
			// Rounding only: sums of ≤ 128 terms of size ~10.
			if !scalar.EqualWithinAbsOrRel(got, want, 1e-12, 1e-10) {
				t.Errorf("N = %d, k = %d: variance of batch mean %v, Var/k_eff = %v", n, k, got, want)
			}
		}
	}
	if got := thresholds.WithoutReplacement(1, 10); got != 1 {
		t.Errorf("WithoutReplacement(1, 10) = %v, want 1", got)
	}
	if got := thresholds.WithoutReplacement(4, 4); !math.IsInf(got, 1) {
		t.Errorf("WithoutReplacement(4, 4) = %v, want +Inf", got)
	}
	for _, c := range [][2]int{{0, 5}, {-1, 5}, {6, 5}, {1, 0}, {0, 0}} {
		if got := thresholds.WithoutReplacement(c[0], c[1]); !math.IsNaN(got) {
			t.Errorf("WithoutReplacement(%d, %d) = %v, want NaN", c[0], c[1], got)
		}
	}
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestBadInput(t *testing.T) {
	bad := []thresholds.Geometry{
		{},
		{Eigenvalues: []float64{}, S: 0, T: 1},
		{Eigenvalues: []float64{1, 2}, S: 0, T: 1}, // not descending
		{Eigenvalues: []float64{2, -1}, S: 0, T: 1},
		{Eigenvalues: []float64{2, 0}, S: 0, T: 1},
		{Eigenvalues: []float64{math.NaN()}, S: 0, T: 1},
		{Eigenvalues: []float64{math.Inf(1)}, S: 0, T: 1},
		{Eigenvalues: []float64{1}, S: math.NaN(), T: 1},
		{Eigenvalues: []float64{1}, S: 0, T: math.NaN()},
		{Eigenvalues: []float64{1}, S: -1, T: 1},
		{Eigenvalues: []float64{1}, S: 2, T: 1},
		{Eigenvalues: []float64{1}, S: 0, T: math.Inf(1)},
	}
	good := thresholds.Geometry{Eigenvalues: []float64{2, 1}, S: 0.5, T: 1}
	type call struct {
		g thresholds.Geometry
		k float64
	}
	var calls []call
	for _, g := range bad {
		calls = append(calls, call{g, 2})
	}
	for _, k := range []float64{0, 0.999, -1, math.NaN(), math.Inf(-1)} {
		calls = append(calls, call{good, k})
	}
	for _, c := range calls {
		eigs := append([]float64(nil), c.g.Eigenvalues...)
		check := func(name string, v float64) {
			if !math.IsNaN(v) {
				t.Errorf("%s(%v, %v) = %v, want NaN", name, c.g, c.k, v)
			}
		}
		check("Convergence", thresholds.Convergence(c.g, c.k))
		check("Divergence", thresholds.Divergence(c.g, c.k))
		check("InhomogeneousConvergence", thresholds.InhomogeneousConvergence(c.g, c.k))
		for _, v := range thresholds.DirectionalDivergence(c.g, c.k) {
			check("DirectionalDivergence", v)
		}
		lo, hi := thresholds.GrowthBounds(c.g, 0.5, c.k)
		check("GrowthBounds lo", lo)
		check("GrowthBounds hi", hi)
		v, err := thresholds.InhomogeneousDivergence(c.g, c.k, 0.01)
		check("InhomogeneousDivergence", v)
		name := "k ="
		if c.k == 2 {
			name = "g is not"
		}
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("InhomogeneousDivergence(%v, %v): err = %v, want it to name %q", c.g, c.k, err, name)
		}
		if !floatsEqual(eigs, c.g.Eigenvalues) {
			t.Errorf("input modified: %v → %v", eigs, c.g.Eigenvalues)
		}
		if c.k != 2 {
			continue
		}
		check("CriticalBatchConvergence", thresholds.CriticalBatchConvergence(c.g))
		if k, ok := thresholds.CriticalBatchDivergence(c.g); ok || !math.IsNaN(k) {
			t.Errorf("CriticalBatchDivergence(%v) = %v, %v", c.g, k, ok)
		}
		if k, ok := thresholds.MinBatchForConvergence(c.g, 0.1); ok || !math.IsNaN(k) {
			t.Errorf("MinBatchForConvergence(%v) = %v, %v", c.g, k, ok)
		}
		if k, ok := thresholds.MaxBatchForDivergence(c.g, 100); ok || !math.IsNaN(k) {
			t.Errorf("MaxBatchForDivergence(%v) = %v, %v", c.g, k, ok)
		}
	}
	lo, hi := thresholds.GrowthBounds(good, math.NaN(), 2)
	if !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("GrowthBounds(C = NaN) = %v, %v", lo, hi)
	}
	if got := thresholds.DirectionalDivergence(thresholds.Geometry{}, 1); got != nil {
		t.Errorf("DirectionalDivergence(empty) = %v, want nil", got)
	}
}

func floatsEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}
