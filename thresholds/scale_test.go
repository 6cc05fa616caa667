package thresholds_test

import (
	"math"
	"math/big"
	"math/rand/v2"
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

// scaled returns g with its Hessians multiplied by α: λ → αλ, s → α²s,
// t → α²t.
func scaled(t *testing.T, g thresholds.Geometry, alpha float64) thresholds.Geometry {
	t.Helper()
	e := make([]float64, len(g.Eigenvalues))
	for i, l := range g.Eigenvalues {
		e[i] = alpha * l
	}
	return mustGeometry(t, e, g.S*alpha*alpha, g.T*alpha*alpha)
}

// thresholdsOf returns every threshold of g at k and γ (4γ² ≤ s/k when
// s > 0), in one slice, for comparison across scales.
func thresholdsOf(g thresholds.Geometry, k, gamma float64) []float64 {
	out := []float64{
		thresholds.Convergence(g, k),
		thresholds.Divergence(g, k),
		thresholds.InhomogeneousConvergence(g, k),
	}
	out = append(out, thresholds.DirectionalDivergence(g, k)...)
	if g.S > 0 {
		d, err := thresholds.InhomogeneousDivergence(g, k, gamma)
		if err != nil {
			panic(err)
		}
		ds, err := thresholds.InhomogeneousDivergenceSharp(g, k, gamma)
		if err != nil {
			panic(err)
		}
		out = append(out, d, ds)
	}
	return out
}

// normal reports whether x is 0 or a normal float64.
func normal(x float64) bool { return x == 0 || math.Abs(x) >= 0x1p-1022 && !math.IsInf(x, 0) }

// TestScaleLaw: multiplying the Hessians by α divides every threshold by
// α and leaves every batch size unchanged. For α a power of two the
// computation is exact (every operation scales its operands by powers of
// two, which commutes with rounding), so the results must agree bit for
// bit; for α a power of ten the inputs αλ, α²s, α²t are rounded (three
// roundings for α²s), the formulas add about six more, and their relative
// condition numbers in λ, s and t are at most one, so they agree within
// tolClosed = 1e-14 (about 45 ulps).
//
// Half the geometries are wide: eigenvalues over 120 decades and s, t over
// 200, so that λ², s/k and their sums leave the float64 range at some
// scales while the thresholds do not. A scale is used only when the scaled
// geometry is made of normal float64s, and a value is compared only when
// it is normal at both scales.
func TestScaleLaw(t *testing.T) {
	rnd := rand.New(rand.NewPCG(12, 12))
	// scales reports whether x and αx are both zero or both normal.
	scales := func(x, alpha float64) bool { return x == 0 || normal(x) && normal(alpha*x) && alpha*x != 0 }
	representable := func(g thresholds.Geometry, alpha float64) bool {
		for _, l := range g.Eigenvalues {
			if !scales(l, alpha) {
				return false
			}
		}
		return scales(g.S, alpha*alpha) && scales(g.T, alpha*alpha)
	}
	compared := 0
	for n := range 400 {
		g := randomGeometry(t, rnd, 1+rnd.IntN(5))
		if n%2 == 1 {
			eigs := make([]float64, 1+rnd.IntN(5))
			for i := range eigs {
				eigs[i] = math.Pow(10, 120*rnd.Float64()-60)
			}
			s := math.Pow(10, 200*rnd.Float64()-100)
			g = mustGeometry(t, eigs, s, s*math.Pow(10, 6*rnd.Float64()))
		}
		k := batchSizes[rnd.IntN(len(batchSizes))]
		gamma := math.Sqrt(g.S/k) / 2 * rnd.Float64()
		if math.IsInf(k, 1) {
			gamma = 1
		}
		c := 2 / g.Eigenvalues[0] * rnd.Float64()
		want := thresholdsOf(g, k, gamma)
		lo, hi := thresholds.GrowthBounds(g, c, k)
		kc := thresholds.CriticalBatchConvergence(g)
		kd, okd := thresholds.CriticalBatchDivergence(g)
		kmin, okmin := thresholds.MinBatchForConvergence(g, c)
		dc := thresholds.Divergence(g, 1) * (1 + rnd.Float64())
		kmax, okmax := thresholds.MaxBatchForDivergence(g, dc)

		for _, j := range []int{-500, -300, -200, -37, 1, 64, 200, 300, 500} {
			alpha := math.Ldexp(1, j)
			if !representable(g, alpha) {
				continue
			}
			compared++
			ga := scaled(t, g, alpha)
			got := thresholdsOf(ga, k, gamma*alpha)
			for i := range got {
				if scales(want[i], 1/alpha) && got[i] != want[i]/alpha {
					t.Errorf("α = 2^%d, %v, k = %v: threshold %d = %v, want %v/α = %v", j, g, k, i, got[i], want[i], want[i]/alpha)
				}
			}
			if l, h := thresholds.GrowthBounds(ga, c/alpha, k); scales(c, 1/alpha) && (normal(lo) && l != lo || normal(hi) && h != hi) {
				t.Errorf("α = 2^%d: GrowthBounds = %v, %v, want %v, %v", j, l, h, lo, hi)
			}
			if v := thresholds.CriticalBatchConvergence(ga); normal(kc) && v != kc {
				t.Errorf("α = 2^%d: CriticalBatchConvergence = %v, want %v", j, v, kc)
			}
			if v, ok := thresholds.CriticalBatchDivergence(ga); ok != okd || ok && normal(kd) && v != kd {
				t.Errorf("α = 2^%d: CriticalBatchDivergence = %v, %v, want %v, %v", j, v, ok, kd, okd)
			}
			if !scales(c, 1/alpha) || !scales(dc, 1/alpha) {
				continue
			}
			if v, ok := thresholds.MinBatchForConvergence(ga, c/alpha); ok != okmin || ok && v != kmin {
				t.Errorf("α = 2^%d: MinBatchForConvergence = %v, %v, want %v, %v", j, v, ok, kmin, okmin)
			}
			if v, ok := thresholds.MaxBatchForDivergence(ga, dc/alpha); ok != okmax || ok && v != kmax {
				t.Errorf("α = 2^%d: MaxBatchForDivergence = %v, %v, want %v, %v", j, v, ok, kmax, okmax)
			}
		}
		for j := -150; j <= 150; j += 25 {
			alpha := math.Pow(10, float64(j))
			if !representable(g, alpha) {
				continue
			}
			ga := scaled(t, g, alpha)
			// γα may exceed √(s_α/k)/2 by a rounding: shrink it a little.
			got := thresholdsOf(ga, k, gamma*alpha*(1-1e-15))
			for i := range got {
				if scales(want[i], 1/alpha) && !scalar.EqualWithinRel(got[i]*alpha, want[i], tolClosed) {
					t.Errorf("α = 1e%d, %v, k = %v: threshold %d = %v, want %v/α", j, g, k, i, got[i], want[i])
				}
			}
			if v := thresholds.CriticalBatchConvergence(ga); normal(kc) && !scalar.EqualWithinRel(v, kc, tolClosed) {
				t.Errorf("α = 1e%d: CriticalBatchConvergence = %v, want %v", j, v, kc)
			}
		}
	}
	if compared < 1000 {
		t.Errorf("only %d scaled geometries compared", compared)
	}
}

// bigThresholds evaluates (18), (20), (34), (35) and (44) and Lemma 3.7 in
// 256-bit math/big arithmetic, where nothing overflows.
func bigThresholds(g thresholds.Geometry, k, gamma, c float64) (conv, div, iconv, idiv, isharp, lo, hi float64) {
	const prec = 256
	nf := func(x float64) *big.Float { return new(big.Float).SetPrec(prec).SetFloat64(x) }
	add := func(a, b *big.Float) *big.Float { return new(big.Float).SetPrec(prec).Add(a, b) }
	mul := func(a, b *big.Float) *big.Float { return new(big.Float).SetPrec(prec).Mul(a, b) }
	quo := func(a, b *big.Float) *big.Float { return new(big.Float).SetPrec(prec).Quo(a, b) }
	f64 := func(a *big.Float) float64 { v, _ := a.Float64(); return v }
	two := nf(2)
	ks, kt := quo(nf(g.S), nf(k)), quo(nf(g.T), nf(k))
	kk := add(nf(1), quo(nf(1), nf(k)))
	g2 := mul(two, nf(gamma))
	branch := func(l, a *big.Float) *big.Float { return quo(mul(two, l), add(mul(l, l), a)) }
	m := len(g.Eigenvalues)
	l1, lm := nf(g.Eigenvalues[0]), nf(g.Eigenvalues[m-1])
	conv = math.Min(f64(branch(l1, kt)), f64(branch(lm, kt)))
	iconv = math.Min(f64(quo(mul(two, l1), add(mul(kk, mul(l1, l1)), kt))), f64(quo(mul(two, lm), add(mul(kk, mul(lm, lm)), kt))))
	lo, hi = math.Inf(1), math.Inf(-1)
	c2 := mul(nf(c), nf(c))
	for _, v := range g.Eigenvalues {
		l := nf(v)
		div = math.Max(div, f64(branch(l, ks)))
		den := add(mul(l, l), ks)
		idiv = math.Max(idiv, f64(quo(mul(two, add(l, nf(gamma))), den)))
		root := new(big.Float).SetPrec(prec).Sqrt(add(mul(l, l), mul(g2, g2)))
		isharp = math.Max(isharp, f64(quo(add(l, root), den)))
		d := add(nf(1), mul(nf(-c), l))
		d2 := mul(d, d)
		lo = math.Min(lo, f64(add(d2, mul(c2, ks))))
		hi = math.Max(hi, f64(add(d2, mul(c2, kt))))
	}
	return
}

// TestAgainstBigFloat compares the formulas at extreme scales with their
// 256-bit evaluation. Each formula rounds at most about six times, each
// rounding off by at most 2^-53 relative, and its relative condition number
// in every input is at most one (the inputs are taken exact), so 1e-15
// (4.5 ulps) bounds the error, except for the growth bounds, whose 1 − cλ is
// rounded once before squaring: the cases keep cλ far from 1.
func TestAgainstBigFloat(t *testing.T) {
	for _, c := range []struct {
		eigs     []float64
		s, t, k  float64
		gammaFac float64
		c        float64
	}{
		{[]float64{1e200}, 1, 1, 1, 0.5, 1e-205},
		{[]float64{1e154, 3e20, 1e-154}, 1e-300, 1e100, 7, 0.3, 1e-150},
		{[]float64{3e-160, 1e-170}, 2e-300, 1e-290, 1e10, 0.9, 1e165},
		{[]float64{1.5e300, 2e100}, 1e305, 1.7e308, 1, 0.7, 3e-301},
		{[]float64{1e-300, 5e-305}, 1e-306, 1e-305, 3, 0.1, 1e299},
	} {
		g := mustGeometry(t, c.eigs, c.s, c.t)
		gamma := math.Sqrt(c.s/c.k) / 2 * c.gammaFac
		conv, div, iconv, idiv, isharp, lo, hi := bigThresholds(g, c.k, gamma, c.c)
		got := map[string][2]float64{
			"Convergence":              {thresholds.Convergence(g, c.k), conv},
			"Divergence":               {thresholds.Divergence(g, c.k), div},
			"InhomogeneousConvergence": {thresholds.InhomogeneousConvergence(g, c.k), iconv},
		}
		v, err := thresholds.InhomogeneousDivergence(g, c.k, gamma)
		if err != nil {
			t.Fatal(err)
		}
		got["InhomogeneousDivergence"] = [2]float64{v, idiv}
		if v, err = thresholds.InhomogeneousDivergenceSharp(g, c.k, gamma); err != nil {
			t.Fatal(err)
		}
		got["InhomogeneousDivergenceSharp"] = [2]float64{v, isharp}
		l, h := thresholds.GrowthBounds(g, c.c, c.k)
		got["GrowthBounds lo"] = [2]float64{l, lo}
		got["GrowthBounds hi"] = [2]float64{h, hi}
		for name, p := range got {
			if !normal(p[1]) || p[1] == 0 {
				t.Fatalf("%s at %v: reference %v is not a normal test value", name, g, p[1])
			}
			if !scalar.EqualWithinRel(p[0], p[1], 1e-15) {
				t.Errorf("%s(%v, k = %v) = %v, 256-bit value %v", name, g, c.k, p[0], p[1])
			}
		}
	}
}

// TestInverseGuarantees checks the guarantees of the inverse queries on
// wide geometries and at steps within rounding of 2/λ_1 and 2/λ_m, where
// the closed forms are not resolved by floating point: MinBatch's k̲ fails
// the inequality and every larger batch size satisfies it; MaxBatch's
// inequality holds below k̄ and fails at k̄.
func TestInverseGuarantees(t *testing.T) {
	rnd := rand.New(rand.NewPCG(13, 13))
	decided := 0
	for range 300 {
		eigs := make([]float64, 1+rnd.IntN(4))
		for i := range eigs {
			eigs[i] = math.Pow(10, 40*rnd.Float64()-20)
		}
		s := math.Pow(10, 80*rnd.Float64()-40)
		g := mustGeometry(t, eigs, s, s*math.Pow(10, 3*rnd.Float64()))
		l1, lm := g.Eigenvalues[0], g.Eigenvalues[len(g.Eigenvalues)-1]
		for _, c := range []float64{
			2 / l1 * rnd.Float64(), math.Nextafter(2/l1, 0), 2 / l1 * (1 - 1e-15*rnd.Float64()),
			math.Nextafter(2/lm, 0), 2 / lm, 2 / lm * (1 - 1e-15*rnd.Float64()), 2 / lm * rnd.Float64(),
		} {
			conv := func(k float64) bool { return c < thresholds.Convergence(g, k) }
			if k, ok := thresholds.MinBatchForConvergence(g, c); ok {
				decided++
				if !(k == 1 && conv(1)) && conv(k) {
					t.Errorf("%v c = %v: c < Convergence(k̲ = %v)", g, c, k)
				}
				for _, kk := range batchesAbove(k)[1:] {
					if !conv(kk) {
						t.Errorf("%v c = %v: k̲ = %v but Convergence(%v) ≤ c", g, c, k, kk)
					}
				}
			} else if c > 0 && conv(math.MaxFloat64) {
				t.Errorf("%v c = %v: ok = false but c < Convergence(MaxFloat64)", g, c)
			}
			div := func(k float64) bool { return c > thresholds.Divergence(g, k) }
			if k, ok := thresholds.MaxBatchForDivergence(g, c); ok {
				last := math.Nextafter(k, 0)
				if math.IsInf(k, 1) {
					last = math.MaxFloat64
				} else if div(k) {
					t.Errorf("%v c = %v: c > Divergence(k̄ = %v)", g, c, k)
				}
				if !div(1) || !div(last) || last/2 >= 1 && !div(last/2) {
					t.Errorf("%v c = %v: k̄ = %v but some k < k̄ does not diverge", g, c, k)
				}
			} else if div(1) {
				t.Errorf("%v c = %v: ok = false but c > Divergence(1)", g, c)
			}
		}
	}
	if decided < 300 {
		t.Errorf("only %d MinBatchForConvergence queries answered", decided)
	}
}
