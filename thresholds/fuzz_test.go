package thresholds_test

import (
	"math"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/flatminima/flatminima/thresholds"
)

// The fuzz targets check, for arbitrary float64 input, that nothing
// panics, that NaN (or ok = false, or an error) comes only from invalid
// input, that every result agrees with its 256-bit evaluation whenever it
// is representable, and the orderings and monotonicity the package
// documents. Run one with, for example,
//
//	go test -run '^$' -fuzz '^FuzzConvergence$' -fuzztime 60s ./thresholds/

// fuzzGeometry builds a Geometry from up to three eigenvalues (m%3 + 1 of
// them) and s, t. ok is false when NewGeometry refuses them; g is then the
// unvalidated Geometry, on which every formula must return NaN.
func fuzzGeometry(e1, e2, e3 float64, m uint8, s, t float64) (g thresholds.Geometry, ok bool) {
	eigs := []float64{e1, e2, e3}[:m%3+1]
	g, err := thresholds.NewGeometry(eigs, s, t)
	if err != nil {
		return thresholds.Geometry{Eigenvalues: eigs, S: s, T: t}, false
	}
	return g, true
}

// validBatch reports whether the formulas accept k.
func validBatch(k float64) bool { return k >= 1 }

// near reports whether got is want, a float64 rounding of an exact value,
// up to the few roundings of the formulas: relative 1e-15 (4.5 ulps, at
// most six roundings of 2^-53 each with condition numbers at most one)
// plus one ulp of the subnormal range, where the result is rounded twice;
// an overflowed want allows got within that tolerance of MaxFloat64.
func near(got, want float64) bool {
	if math.IsInf(want, 0) {
		return got == want || math.Abs(got) >= math.MaxFloat64*(1-1e-15) && math.Signbit(got) == math.Signbit(want)
	}
	if math.IsInf(got, 0) {
		return math.Abs(want) >= math.MaxFloat64*(1-1e-15)
	}
	return math.Abs(got-want) <= 1e-15*math.Abs(want)+0x1p-1073
}

// seedGeometries are the inputs of the known overflow and resolution
// cases, and a few ordinary ones: e1, e2, e3, m, s, t.
var seedGeometries = []struct {
	e1, e2, e3 float64
	m          uint8
	s, t       float64
}{
	{1e200, 1, 1, 0, 1e10, 1e10},
	{1, 1, 1, 0, 0, 0},
	{1e200, 1, 1, 0, 1, 1},
	{1e-170, 1e-170, 1, 1, 1e-300, 1e-300},
	{5e-324, 1, 1, 0, 0, 0},
	{0.0047619047619047615, 1, 1, 0, 1, 2},
	{4, 1, 0.25, 2, 0.5, 2},
	{3, 1, 1, 0, 1, 1},
	{1e154, 3e20, 1e-154, 2, 1e-300, 1e100},
	{-1, 1, 1, 0, 0, 1},
	{math.NaN(), 1, 1, 0, 0, 1},
	{1, 2, 3, 2, 2, 1},
}

func FuzzNewGeometry(f *testing.F) {
	for _, s := range seedGeometries {
		f.Add(s.e1, s.e2, s.e3, s.m, s.s, s.t)
	}
	f.Add(1.0, 2.0, 3.0, uint8(3), 1.0, math.Inf(1))
	f.Fuzz(func(t *testing.T, e1, e2, e3 float64, m uint8, s, tt float64) {
		eigs := []float64{e1, e2, e3}[:m%4]
		in := slices.Clone(eigs)
		g, err := thresholds.NewGeometry(eigs, s, tt)
		if !slices.EqualFunc(in, eigs, func(a, b float64) bool { return a == b || a != a && b != b }) {
			t.Fatalf("NewGeometry modified eigs: %v → %v", in, eigs)
		}
		bad := ""
		for _, v := range eigs {
			if !(v > 0) || math.IsInf(v, 0) {
				bad = "eigs["
			}
		}
		switch {
		case len(eigs) == 0:
			bad = "eigs is empty"
		case bad != "":
		case !(s >= 0) || math.IsInf(s, 0):
			bad = "s ="
		case !(tt >= 0) || math.IsInf(tt, 0):
			bad = "t ="
		case s-tt > 1e-12*tt:
			bad = "exceeds t"
		}
		if bad != "" {
			if err == nil || !strings.Contains(err.Error(), bad) {
				t.Fatalf("NewGeometry(%v, %v, %v) = %v, %v: want an error naming %q", eigs, s, tt, g, err, bad)
			}
			return
		}
		if err != nil {
			t.Fatalf("NewGeometry(%v, %v, %v): %v", eigs, s, tt, err)
		}
		if len(g.Eigenvalues) != len(eigs) || !slices.IsSortedFunc(g.Eigenvalues, func(a, b float64) int { return -cmpFloat(a, b) }) {
			t.Fatalf("NewGeometry(%v) eigenvalues %v: not the input sorted descending", eigs, g.Eigenvalues)
		}
		if !(g.S <= g.T) || g.T != tt {
			t.Fatalf("NewGeometry(s = %v, t = %v) = S %v, T %v", s, tt, g.S, g.T)
		}
		// A valid Geometry gives a non-NaN threshold at every valid k.
		if v := thresholds.Convergence(g, 1); math.IsNaN(v) {
			t.Fatalf("Convergence(%v, 1) = NaN", g)
		}
	})
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// batchesAbove returns k and batch sizes above it, ascending.
func batchesAbove(k float64) []float64 {
	ks := []float64{k, math.Nextafter(k, math.Inf(1)), 2 * k, k * 1e10, math.MaxFloat64, math.Inf(1)}
	slices.Sort(ks)
	return ks[slices.Index(ks, k):]
}

func addSeeds(f *testing.F, ks ...float64) {
	for _, s := range seedGeometries {
		for _, k := range ks {
			f.Add(s.e1, s.e2, s.e3, s.m, s.s, s.t, k)
		}
	}
}

func FuzzConvergence(f *testing.F) {
	addSeeds(f, 1, 4, 0.5, math.Inf(1), 1e300)
	f.Fuzz(func(t *testing.T, e1, e2, e3 float64, m uint8, s, tt, k float64) {
		g, ok := fuzzGeometry(e1, e2, e3, m, s, tt)
		conv := thresholds.Convergence(g, k)
		iconv := thresholds.InhomogeneousConvergence(g, k)
		if !ok || !validBatch(k) {
			if !math.IsNaN(conv) || !math.IsNaN(iconv) {
				t.Fatalf("invalid input %v, k = %v: Convergence %v, InhomogeneousConvergence %v, want NaN", g, k, conv, iconv)
			}
			return
		}
		want, _, wantI, _, _, _, _ := bigThresholds(g, k, 0, 0)
		if !near(conv, want) || !near(iconv, wantI) {
			t.Fatalf("%v k = %v: Convergence %v (256-bit %v), InhomogeneousConvergence %v (256-bit %v)", g, k, conv, want, iconv, wantI)
		}
		if d := thresholds.Divergence(g, k); !(iconv <= conv) || !(conv <= d) {
			t.Fatalf("%v k = %v: InhomogeneousConvergence %v ≤ Convergence %v ≤ Divergence %v fails", g, k, iconv, conv, d)
		}
		prev, prevI := conv, iconv
		for _, kk := range batchesAbove(k)[1:] {
			c, ci := thresholds.Convergence(g, kk), thresholds.InhomogeneousConvergence(g, kk)
			if c < prev || ci < prevI {
				t.Fatalf("%v: not nondecreasing in k: at %v %v, %v; at %v %v, %v", g, k, prev, prevI, kk, c, ci)
			}
			prev, prevI = c, ci
		}
		if gd := 2 / g.Eigenvalues[0]; prev != gd || prevI != gd {
			t.Fatalf("%v: Convergence(+Inf) = %v, InhomogeneousConvergence(+Inf) = %v, want 2/λ_1 = %v", g, prev, prevI, gd)
		}
	})
}

func FuzzDivergence(f *testing.F) {
	addSeeds(f, 1, 4, 0.5, math.Inf(1), 1e300)
	f.Fuzz(func(t *testing.T, e1, e2, e3 float64, m uint8, s, tt, k float64) {
		g, ok := fuzzGeometry(e1, e2, e3, m, s, tt)
		div := thresholds.Divergence(g, k)
		dir := thresholds.DirectionalDivergence(g, k)
		if len(dir) != len(g.Eigenvalues) {
			t.Fatalf("DirectionalDivergence has %d values for %d eigenvalues", len(dir), len(g.Eigenvalues))
		}
		if !ok || !validBatch(k) {
			if !math.IsNaN(div) || slices.ContainsFunc(dir, func(v float64) bool { return !math.IsNaN(v) }) {
				t.Fatalf("invalid input %v, k = %v: Divergence %v, DirectionalDivergence %v, want NaN", g, k, div, dir)
			}
			return
		}
		_, want, _, _, _, _, _ := bigThresholds(g, k, 0, 0)
		if !near(div, want) {
			t.Fatalf("%v k = %v: Divergence %v, 256-bit %v", g, k, div, want)
		}
		if div != slices.Max(dir) {
			t.Fatalf("%v k = %v: Divergence %v, max DirectionalDivergence %v", g, k, div, slices.Max(dir))
		}
		prev := div
		for _, kk := range batchesAbove(k)[1:] {
			d := thresholds.Divergence(g, kk)
			if d < prev {
				t.Fatalf("%v: Divergence not nondecreasing in k: %v at %v, %v at %v", g, prev, k, d, kk)
			}
			prev = d
		}
		if gd := 2 / g.Eigenvalues[len(g.Eigenvalues)-1]; prev != gd {
			t.Fatalf("%v: Divergence(+Inf) = %v, want 2/λ_m = %v", g, prev, gd)
		}
	})
}

func FuzzInhomogeneousDivergence(f *testing.F) {
	for _, s := range seedGeometries {
		for _, kg := range [][2]float64{{1, 0.1}, {4, 0.01}, {math.Inf(1), 1}, {2, 0}, {1, 1e300}} {
			f.Add(s.e1, s.e2, s.e3, s.m, s.s, s.t, kg[0], kg[1])
		}
	}
	f.Fuzz(func(t *testing.T, e1, e2, e3 float64, m uint8, s, tt, k, gamma float64) {
		g, ok := fuzzGeometry(e1, e2, e3, m, s, tt)
		d, err := thresholds.InhomogeneousDivergence(g, k, gamma)
		ds, errs := thresholds.InhomogeneousDivergenceSharp(g, k, gamma)
		if (err == nil) != (errs == nil) {
			t.Fatalf("%v k = %v γ = %v: the two forms disagree on validity: %v, %v", g, k, gamma, err, errs)
		}
		if err != nil {
			if !math.IsNaN(d) || !math.IsNaN(ds) {
				t.Fatalf("error %v with values %v, %v", err, d, ds)
			}
			// Valid input must not be refused: γ > 0 with 4γ² ≤ s/k (up to
			// the documented 1e-12), or any non-NaN γ at k = +Inf.
			if ok && validBatch(k) && !math.IsNaN(gamma) {
				if math.IsInf(k, 1) || gamma > 0 && !math.IsInf(gamma, 0) && bigGammaInside(g.S, k, gamma) {
					t.Fatalf("%v k = %v γ = %v refused: %v", g, k, gamma, err)
				}
			}
			return
		}
		if !ok || !validBatch(k) || math.IsNaN(gamma) {
			t.Fatalf("invalid input %v, k = %v, γ = %v accepted: %v, %v", g, k, gamma, d, ds)
		}
		if math.IsInf(k, 1) {
			if lm := g.Eigenvalues[len(g.Eigenvalues)-1]; d != 2/lm || ds != 2/lm {
				t.Fatalf("%v k = +Inf: %v, %v, want 2/λ_m", g, d, ds)
			}
			return
		}
		_, _, _, want, wantS, _, _ := bigThresholds(g, k, gamma, 0)
		if !near(d, want) || !near(ds, wantS) {
			t.Fatalf("%v k = %v γ = %v: (35) %v (256-bit %v), (44) %v (256-bit %v)", g, k, gamma, d, want, ds, wantS)
		}
		if h := thresholds.Divergence(g, k); !(h <= ds) || !(ds <= d) {
			t.Fatalf("%v k = %v γ = %v: Divergence %v ≤ (44) %v ≤ (35) %v fails", g, k, gamma, h, ds, d)
		}
	})
}

func bigf(x float64) *big.Float { return new(big.Float).SetPrec(256).SetFloat64(x) }

// bigGammaInside reports 4γ² ≤ (s/k)(1 − 1e-12) exactly: such a γ is
// admissible beyond any rounding.
func bigGammaInside(s, k, gamma float64) bool {
	g2 := new(big.Float).Mul(bigf(gamma), bigf(2))
	g2.Mul(g2, g2)
	a := new(big.Float).Quo(bigf(s), bigf(k))
	a.Mul(a, bigf(1-1e-12))
	return g2.Cmp(a) <= 0
}

// bigCritical returns v/(λλ') rounded once.
func bigCritical(v, l, l2 float64) float64 {
	d := new(big.Float).SetPrec(256).Mul(bigf(l), bigf(l2))
	r, _ := new(big.Float).SetPrec(256).Quo(bigf(v), d).Float64()
	return r
}

// bigSqrtQuo returns √(k/v) rounded once.
func bigSqrtQuo(k, v float64) float64 {
	q := new(big.Float).SetPrec(256).Quo(bigf(k), bigf(v))
	r, _ := new(big.Float).SetPrec(256).Sqrt(q).Float64()
	return r
}

func FuzzGrowthBounds(f *testing.F) {
	for _, s := range seedGeometries {
		for _, ck := range [][2]float64{{1e155, 1}, {1e150, 1}, {0.5, 2}, {-0.01, 1}, {2, math.Inf(1)}} {
			f.Add(s.e1, s.e2, s.e3, s.m, s.s, s.t, ck[0], ck[1])
		}
	}
	f.Fuzz(func(t *testing.T, e1, e2, e3 float64, m uint8, s, tt, c, k float64) {
		g, ok := fuzzGeometry(e1, e2, e3, m, s, tt)
		lo, hi := thresholds.GrowthBounds(g, c, k)
		if !ok || !validBatch(k) || math.IsNaN(c) || math.IsInf(c, 0) {
			if !math.IsNaN(lo) || !math.IsNaN(hi) {
				t.Fatalf("invalid input %v, c = %v, k = %v: %v, %v, want NaN", g, c, k, lo, hi)
			}
			return
		}
		// 1 − cλ is rounded once and every term is nonnegative, so the
		// bounds are within a few roundings of their exact values.
		_, _, _, _, _, wlo, whi := bigThresholds(g, k, 0, c)
		if !near(lo, wlo) || !near(hi, whi) {
			t.Fatalf("%v c = %v k = %v: %v, %v; 256-bit %v, %v", g, c, k, lo, hi, wlo, whi)
		}
		if !(0 <= lo && lo <= hi) {
			t.Fatalf("%v c = %v k = %v: want 0 ≤ lo = %v ≤ hi = %v", g, c, k, lo, hi)
		}
	})
}

func FuzzCriticalBatch(f *testing.F) {
	for _, s := range seedGeometries {
		f.Add(s.e1, s.e2, s.e3, s.m, s.s, s.t)
	}
	f.Fuzz(func(t *testing.T, e1, e2, e3 float64, m uint8, s, tt float64) {
		g, ok := fuzzGeometry(e1, e2, e3, m, s, tt)
		kc := thresholds.CriticalBatchConvergence(g)
		kd, okd := thresholds.CriticalBatchDivergence(g)
		if !ok {
			if !math.IsNaN(kc) || okd || !math.IsNaN(kd) {
				t.Fatalf("invalid %v: %v; %v, %v", g, kc, kd, okd)
			}
			return
		}
		l := g.Eigenvalues
		n := len(l)
		if want := bigCritical(g.T, l[0], l[n-1]); !near(kc, want) {
			t.Fatalf("%v: CriticalBatchConvergence %v, 256-bit %v", g, kc, want)
		}
		if okd != (n >= 2) || okd && !near(kd, bigCritical(g.S, l[n-2], l[n-1])) || !okd && !math.IsNaN(kd) {
			t.Fatalf("%v: CriticalBatchDivergence %v, %v", g, kd, okd)
		}
	})
}

func FuzzMinBatchForConvergence(f *testing.F) {
	addSeeds(f, 420, 0.49, 1, 10, 1e300, 0.01, 2)
	// Steps within rounding of 2/λ, where floating point barely decides.
	for _, s := range seedGeometries {
		for _, c := range []float64{math.Nextafter(2/s.e1, 0), 2 / s.e1 * (1 - 1e-12), 2 / s.e1} {
			f.Add(s.e1, s.e2, s.e3, s.m, s.s, s.t, c)
		}
	}
	f.Fuzz(func(t *testing.T, e1, e2, e3 float64, m uint8, s, tt, c float64) {
		g, valid := fuzzGeometry(e1, e2, e3, m, s, tt)
		k, ok := thresholds.MinBatchForConvergence(g, c)
		ki, oki := thresholds.MinIntBatchForConvergence(g, c)
		conv := func(k float64) bool { return c < thresholds.Convergence(g, k) }
		if !ok {
			if !math.IsNaN(k) || oki || ki != 0 {
				t.Fatalf("%v c = %v: ok = false with %v; MinInt %v, %v", g, c, k, ki, oki)
			}
			// No finite batch size may satisfy the inequality.
			if valid && c > 0 && !math.IsInf(c, 1) && conv(math.MaxFloat64) {
				t.Fatalf("%v c = %v: ok = false, but c < Convergence(MaxFloat64) = %v", g, c, thresholds.Convergence(g, math.MaxFloat64))
			}
			return
		}
		if !valid || !(c > 0) || !(k >= 1) || math.IsInf(k, 0) {
			t.Fatalf("%v c = %v: %v, true", g, c, k)
		}
		if !(k == 1 && conv(1)) && conv(k) {
			t.Fatalf("%v c = %v: k̲ = %v, but c < Convergence(k̲) = %v", g, c, k, thresholds.Convergence(g, k))
		}
		for _, kk := range batchesAbove(k)[1:] {
			if !conv(kk) {
				t.Fatalf("%v c = %v: k̲ = %v, but Convergence(%v) = %v ≤ c", g, c, k, kk, thresholds.Convergence(g, kk))
			}
		}
		if !oki {
			if k < 1<<53 {
				t.Fatalf("%v c = %v: k̲ = %v but MinIntBatchForConvergence: ok = false", g, c, k)
			}
			return
		}
		if !conv(float64(ki)) || ki > 1 && conv(float64(ki-1)) || float64(ki) < k {
			t.Fatalf("%v c = %v: MinIntBatchForConvergence = %d not the smallest integer (k̲ = %v)", g, c, ki, k)
		}
	})
}

func FuzzMaxBatchForDivergence(f *testing.F) {
	addSeeds(f, 420, 1.9, 1, 2, 2.001, 1e300, 0.01)
	// k̄ = Nextafter(1, 2): only k = 1 diverges.
	f.Add(8.0, 4.5, 1.0, uint8(2), 2.0, 2.0, 0.6666666666666667)
	for _, s := range seedGeometries {
		for _, e := range []float64{s.e1, s.e2, s.e3} {
			for _, c := range []float64{math.Nextafter(2/e, 0), 2 / e, math.Nextafter(2/e, math.Inf(1))} {
				f.Add(s.e1, s.e2, s.e3, s.m, s.s, s.t, c)
			}
		}
	}
	f.Fuzz(func(t *testing.T, e1, e2, e3 float64, m uint8, s, tt, c float64) {
		g, valid := fuzzGeometry(e1, e2, e3, m, s, tt)
		k, ok := thresholds.MaxBatchForDivergence(g, c)
		ki, oki := thresholds.MaxIntBatchForDivergence(g, c)
		div := func(k float64) bool { return c > thresholds.Divergence(g, k) }
		if !ok {
			if !math.IsNaN(k) || oki || ki != 0 {
				t.Fatalf("%v c = %v: ok = false with %v; MaxInt %v, %v", g, c, k, ki, oki)
			}
			if valid && c > 0 && div(1) {
				t.Fatalf("%v c = %v: ok = false, but c > Divergence(1) = %v", g, c, thresholds.Divergence(g, 1))
			}
			return
		}
		if !valid || !(c > 0) || !(k > 1) || !div(1) {
			t.Fatalf("%v c = %v: %v, true", g, c, k)
		}
		last := math.Nextafter(k, 0) // the largest batch size that diverges
		if math.IsInf(k, 1) {
			last = math.MaxFloat64
		} else if div(k) {
			t.Fatalf("%v c = %v: k̄ = %v, but c > Divergence(k̄) = %v", g, c, k, thresholds.Divergence(g, k))
		}
		for _, kk := range []float64{1, math.Nextafter(1, 2), last / 2, last} {
			if kk >= 1 && kk <= last && !div(kk) {
				t.Fatalf("%v c = %v: k̄ = %v, but Divergence(%v) = %v ≥ c", g, c, k, kk, thresholds.Divergence(g, kk))
			}
		}
		if !oki || ki < 1 || !div(float64(ki)) {
			t.Fatalf("%v c = %v: k̄ = %v, MaxIntBatchForDivergence = %d, %v", g, c, k, ki, oki)
		}
		if ki < 1<<53 && ki != math.MaxInt && div(float64(ki+1)) {
			t.Fatalf("%v c = %v: MaxIntBatchForDivergence = %d not the largest integer (k̄ = %v)", g, c, ki, k)
		}
	})
}

func FuzzWithoutReplacement(f *testing.F) {
	for _, kn := range [][2]int{{1, 1}, {1, 2}, {3, 5}, {5, 5}, {0, 3}, {4, 3}, {-1, 2}, {1 << 40, 1 << 62}, {math.MaxInt - 1, math.MaxInt}} {
		f.Add(kn[0], kn[1])
	}
	f.Fuzz(func(t *testing.T, k, n int) {
		v := thresholds.WithoutReplacement(k, n)
		if k < 1 || k > n {
			if !math.IsNaN(v) {
				t.Fatalf("WithoutReplacement(%d, %d) = %v, want NaN", k, n, v)
			}
			return
		}
		if k == n {
			if !math.IsInf(v, 1) {
				t.Fatalf("WithoutReplacement(%d, %d) = %v, want +Inf", k, n, v)
			}
			return
		}
		// k(n − 1)/(n − k) ≥ k: sampling without replacement is never
		// noisier than with it. The inputs are rounded to float64 above
		// 2^53, hence the relative 1e-15.
		if !(v >= float64(k)*(1-1e-15)) || math.IsInf(v, 0) {
			t.Fatalf("WithoutReplacement(%d, %d) = %v, want finite ≥ k", k, n, v)
		}
		if k+1 < n {
			if w := thresholds.WithoutReplacement(k+1, n); w < v {
				t.Fatalf("WithoutReplacement not increasing in k: %v at %d, %v at %d (n = %d)", v, k, w, k+1, n)
			}
		}
	})
}

func FuzzWu(f *testing.F) {
	for _, s := range [][3]float64{{1, 1, 1}, {0, 0, math.Inf(1)}, {1e-300, 1e-300, 1e300}, {1e300, 1e300, 1}, {5e-324, 5e-324, 4}, {-1, -1, 0.5}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, lambdaMax, v, k float64) {
		ws := thresholds.WuSharpness(lambdaMax)
		if !(lambdaMax >= 0) || math.IsInf(lambdaMax, 1) {
			if !math.IsNaN(ws) {
				t.Fatalf("WuSharpness(%v) = %v, want NaN", lambdaMax, ws)
			}
		} else if ws != 2/lambdaMax {
			t.Fatalf("WuSharpness(%v) = %v", lambdaMax, ws)
		}
		wn := thresholds.WuNonUniformity(v, k)
		if !(v >= 0) || math.IsInf(v, 1) || !validBatch(k) {
			if !math.IsNaN(wn) {
				t.Fatalf("WuNonUniformity(%v, %v) = %v, want NaN", v, k, wn)
			}
			return
		}
		if math.IsInf(k, 1) || v == 0 {
			if !math.IsInf(wn, 1) {
				t.Fatalf("WuNonUniformity(%v, %v) = %v, want +Inf", v, k, wn)
			}
			return
		}
		// √(k/v): two roundings.
		if want := bigSqrtQuo(k, v); !near(wn, want) {
			t.Fatalf("WuNonUniformity(%v, %v) = %v, 256-bit %v", v, k, wn, want)
		}
		if w2 := thresholds.WuNonUniformity(v, 2*k); w2 < wn {
			t.Fatalf("WuNonUniformity not nondecreasing in k: %v at %v, %v at %v", wn, k, w2, 2*k)
		}
	})
}
