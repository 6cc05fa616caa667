package thresholds

import (
	"fmt"
	"math"
)

// InhomogeneousConvergence returns the convergence threshold of Theorem 3.12
// for an inhomogeneous minimizer, (34) with (39):
//
//	min_{l∈{1,m}} 2λ_l / ((1 + 1/k)λ_l² + t/k).
//
// ERRATUM (34): the paper prints the numerators as 2λ_1² and 2λ_m²; the
// proof's (39) has 2λ_l, and k → ∞ must give gradient descent's 2/λ_1, so the
// library uses 2λ_l. The first branch is the minimum exactly when
// k + 1 ≥ t/(λ_1λ_m). For 0 < C below it, E[e_{N+1}] < ρE[e_N] + C²ψ/k with
// ρ < 1: the iterates settle to a noise floor of order C²ψ/k rather than
// converge, unless the steps decay. k = math.Inf(1) gives 2/λ_1.
//
// It returns NaN if g is not a valid Geometry or k is NaN or below one.
func InhomogeneousConvergence(g Geometry, k float64) float64 {
	if !g.valid() || !validK(k) {
		return math.NaN()
	}
	// 2λ/((1 + 1/k)λ² + t/k) = 2/((1 + 1/k)λ + (t/k)/λ), in xfloats (no
	// intermediate overflow or underflow); k = +Inf gives 2/λ.
	c := xf(1 + 1/k)
	a := noise(g.T, k)
	f := func(lambda float64) float64 {
		l := xf(lambda)
		return xtwo.quo(c.mul(l).add(a.quo(l))).float()
	}
	return math.Min(f(g.Eigenvalues[0]), f(g.Eigenvalues[len(g.Eigenvalues)-1]))
}

// InhomogeneousDivergence returns the divergence threshold of Theorem 3.12
// for an inhomogeneous minimizer, (35)–(36):
//
//	max_{l=1..m} 2(λ_l + γ)/(λ_l² + s/k),   0 < 4γ² ≤ s/k.
//
// The maximum is taken over every l; it agrees with the case analysis (36)
// with its last case corrected. ERRATUM (36): the paper's last case reads
// k > s/(λ_mλ_m + γ(λ_m + λ_{m−1})); the correct one, which the comparison
// of consecutive branches gives, is k > s/(λ_mλ_{m−1} + γ(λ_m + λ_{m−1})).
//
// The guarantee holds only near x* (‖H(x_N − x*)‖ < δ for some δ > 0).
// γ → 0⁺ gives the homogeneous Divergence(g, k), the infimum over γ. The
// bound (35) is sufficient for the sharper InhomogeneousDivergenceSharp that
// the proof actually yields. At k = math.Inf(1) the noise terms vanish and
// the function returns Theorem 2.1's 2/λ_m whatever γ (γ must only not be
// NaN), since no γ satisfies 4γ² ≤ s/k = 0.
//
// It returns NaN and an error naming the argument if g is not a valid
// Geometry, k is NaN or below one, γ is NaN, or, for finite k, γ is not
// positive or 4γ² > s/k (beyond a relative rounding of 1e-12); when s = 0 no
// γ is admissible. γ must be positive, not only 4γ² > 0: the proof's step
// from (43) to (44) uses λ + 2γ ≥ √(λ² + 4γ²), which needs γ ≥ 0.
func InhomogeneousDivergence(g Geometry, k, gamma float64) (float64, error) {
	// 2(λ + γ)/(λ² + a) = (2 + 2γ/λ)/(λ + a/λ).
	return inhomogeneousDivergence(g, k, gamma, func(l, gamma2, a xfloat) float64 {
		return xtwo.add(gamma2.quo(l)).quo(l.add(a.quo(l))).float()
	})
}

// InhomogeneousDivergenceSharp returns the sharper divergence threshold
// that the proof of Theorem 3.12 yields, (44):
//
//	max_{l=1..m} (λ_l + √(λ_l² + 4γ²))/(λ_l² + s/k),   0 < 4γ² ≤ s/k,
//
// above which the factor (42) multiplying e_N exceeds one in every
// direction. It is never larger than InhomogeneousDivergence(g, k, gamma),
// because √(λ² + 4γ²) ≤ λ + 2γ, and tends to the homogeneous Divergence(g, k)
// as γ → 0⁺. As there, the guarantee holds only near x*; at k = math.Inf(1)
// it returns 2/λ_m; bad input gives NaN and an error naming the argument.
func InhomogeneousDivergenceSharp(g Geometry, k, gamma float64) (float64, error) {
	// (λ + √(λ² + 4γ²))/(λ² + a) = (1 + √(1 + (2γ/λ)²))/(λ + a/λ).
	return inhomogeneousDivergence(g, k, gamma, func(l, gamma2, a xfloat) float64 {
		r := gamma2.quo(l)
		one := xf(1)
		return one.add(one.add(r.mul(r)).sqrt()).quo(l.add(a.quo(l))).float()
	})
}

// inhomogeneousDivergence checks the arguments of (35) and returns the
// maximum over l of f(λ_l, 2γ, s/k), all in xfloats.
func inhomogeneousDivergence(g Geometry, k, gamma float64, f func(l, gamma2, a xfloat) float64) (float64, error) {
	if !g.valid() {
		return math.NaN(), fmt.Errorf("thresholds: g is not a valid Geometry (eigenvalues %v, S = %v, T = %v)", g.Eigenvalues, g.S, g.T)
	}
	if !validK(k) {
		return math.NaN(), fmt.Errorf("thresholds: k = %v, want k ≥ 1 or +Inf", k)
	}
	if math.IsNaN(gamma) {
		return math.NaN(), fmt.Errorf("thresholds: gamma = %v is NaN", gamma)
	}
	m := len(g.Eigenvalues)
	if math.IsInf(k, 1) {
		return 2 / g.Eigenvalues[m-1], nil
	}
	if g.S == 0 {
		return math.NaN(), fmt.Errorf("thresholds: gamma = %v: no γ satisfies 0 < 4γ² ≤ s/k when s = 0", gamma)
	}
	a := noise(g.S, k)
	if !(gamma > 0) || math.IsInf(gamma, 1) {
		return math.NaN(), fmt.Errorf("thresholds: gamma = %v outside 0 < 4γ² ≤ s/k = %v (γ ≤ %v)", gamma, a.float(), a.sqrt().mul(xf(0.5)).float())
	}
	gamma2 := xtwo.mul(xf(gamma))
	if a.mul(xf(1 + 1e-12)).less(gamma2.mul(gamma2)) {
		return math.NaN(), fmt.Errorf("thresholds: gamma = %v outside 0 < 4γ² ≤ s/k = %v (γ ≤ %v)", gamma, a.float(), a.sqrt().mul(xf(0.5)).float())
	}
	d := 0.0
	for _, l := range g.Eigenvalues {
		d = math.Max(d, f(xf(l), gamma2, a))
	}
	return d, nil
}
