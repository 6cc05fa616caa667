package thresholds

import "math"

// branch returns 2λ/(λ² + a) = 2/(λ + a/λ), the step size at which the
// one-step factor (1 − Cλ)² + C²a of Lemma 3.7 along an eigenvalue λ equals
// one. It is evaluated as 2/(λ + a/λ) without overflow or underflow (see
// xfloat): nondecreasing as a decreases, and exactly 2/λ (rounded) at
// a = 0 (gradient descent).
func branch(lambda float64, a noiseTerm) float64 {
	if a.fast && inFastRange(lambda) {
		// Every intermediate is normal: float64 arithmetic rounds exactly
		// as the xfloat evaluation below does.
		return 2 / (lambda + a.f/lambda)
	}
	l := xf(lambda)
	if a.x.isZero() || a.x.e <= 2*l.e-56 {
		// a/λ < 2^(l.e-55) is below half an ulp of λ: λ + a/λ rounds to λ.
		return 2 / lambda
	}
	return xtwo.quo(l.add(a.x.quo(l))).float()
}

// Convergence returns the convergence threshold of Theorem 3.8, (18):
//
//	Convergence(k) = min( 2λ_1/(λ_1² + t/k), 2λ_m/(λ_m² + t/k) ).
//
// For 0 < C < Convergence(g, k) the upper growth bound ρ_hi(C, k) of Lemma
// 3.7 is below one, so E[e_N] decays exponentially at a homogeneous
// minimizer. The first branch is the minimum exactly when k ≥ t/(λ_1λ_m)
// (the branches are equal at equality; (18) writes the strict case split).
// The minimum over all l of 2λ_l/(λ_l² + t/k) is attained at l = 1 or l = m
// because 2λ/(λ² + a) is unimodal in λ, so the two branches suffice.
// k = math.Inf(1) (gradient descent) gives 2/λ_1, Theorem 2.1.
//
// Convergence returns NaN if g is not a valid Geometry (see NewGeometry) or
// k is NaN or below one.
func Convergence(g Geometry, k float64) float64 {
	if !g.valid() || !validK(k) {
		return math.NaN()
	}
	a := newNoiseTerm(g.T, k)
	l1, lm := g.Eigenvalues[0], g.Eigenvalues[len(g.Eigenvalues)-1]
	return math.Min(branch(l1, a), branch(lm, a))
}

// Divergence returns the divergence threshold of Theorem 3.8, (19)–(20)
// (and (51)–(52) for the deterministic mechanism of Definition 3.14):
//
//	Divergence(k) = max_{l=1..m} 2λ_l/(λ_l² + s/k).
//
// For C > Divergence(g, k) (or C < 0) the lower growth bound ρ_lo(C, k) of
// Lemma 3.7 exceeds one, so E[e_{N+1} | x_N] > ρ_lo e_N from every start.
// The maximum is computed over every l; it agrees with the case analysis
// (20): l = 1 when k ≤ s/(λ_1λ_2), l = m when k > s/(λ_{m−1}λ_m), and the
// l with s/(λ_lλ_{l−1}) < k ≤ s/(λ_{l+1}λ_l) in between.
//
// Two gaps of the paper are handled: with m = 1 there is no λ_{m−1} and
// Divergence(k) = 2λ_1/(λ_1² + s/k); and s = 0 is allowed (the paper's Lemma
// 3.3(3), "s_Q > 0 for random Q", is false: Q = diag(q, 1) gives s_Q = 0),
// giving Divergence(k) = 2/λ_m for every k. k = math.Inf(1) gives 2/λ_m,
// Theorem 2.1.
//
// Divergence returns NaN if g is not a valid Geometry or k is NaN or below one.
func Divergence(g Geometry, k float64) float64 {
	if !g.valid() || !validK(k) {
		return math.NaN()
	}
	a := newNoiseTerm(g.S, k)
	d := 0.0
	for _, l := range g.Eigenvalues {
		if b := branch(l, a); b > d {
			d = b
		}
	}
	return d
}

// DirectionalDivergence returns the per-direction divergence thresholds
// C_l(k) = 2λ_l/(λ_l² + s/k), l = 1..m, of Theorem 3.8, in the order of
// g.Eigenvalues (λ descending). Above C_l the one-step factor along the
// eigenvector u_l of H is guaranteed above one, because u_l'Mu_l/λ_l ≥ s;
// Divergence(g, k) is their maximum. These are the quantities compared in
// the case analysis (20) of Theorem 3.8.
//
// It returns a new slice of len(g.Eigenvalues) NaNs if g is not a valid
// Geometry or k is NaN or below one (nil if g has no eigenvalues).
func DirectionalDivergence(g Geometry, k float64) []float64 {
	out := make([]float64, len(g.Eigenvalues))
	if len(out) == 0 {
		return nil
	}
	if !g.valid() || !validK(k) {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	a := newNoiseTerm(g.S, k)
	for i, l := range g.Eigenvalues {
		out[i] = branch(l, a)
	}
	return out
}

// GrowthBounds returns the bounds of Lemma 3.7 on the one-step growth factor
// ρ = E[e_{N+1} | x_N]/e_N of SGD-k with step c at a homogeneous minimizer:
//
//	lo = min_l (1 − cλ_l)² + c²s/k,   hi = max_l (1 − cλ_l)² + c²t/k.
//
// Both are taken over every l = 1..m: the maximum is at l = 1 or l = m, the
// minimum at the λ_l nearest 1/c, which may be an interior eigenvalue. For a
// homogeneous quadratic they are also the exponential rates,
// lo^N e_0 ≤ E[e_N] ≤ hi^N e_0. hi < 1 exactly when 0 < c < Convergence(g, k)
// and lo > 1 exactly when c > Divergence(g, k) or c < 0 (in exact
// arithmetic; at the thresholds themselves rounding decides). A bound is
// +Inf when its value exceeds the float64 range (c = 1e155, λ = 1 gives
// (1 − c)² ≈ 1e310); no intermediate overflows otherwise.
//
// GrowthBounds returns NaN, NaN if g is not a valid Geometry, c is NaN or
// infinite, or k is NaN or below one.
func GrowthBounds(g Geometry, c, k float64) (lo, hi float64) {
	if !g.valid() || !validK(k) || math.IsNaN(c) || math.IsInf(c, 0) {
		return math.NaN(), math.NaN()
	}
	// 1 − cλ is rounded once (FMA); it is ±Inf only when (1 − cλ)² is
	// beyond the float64 range, and then so are the bounds.
	dlo, dhi := math.Inf(1), 0.0
	for _, l := range g.Eigenvalues {
		d := math.Abs(math.FMA(-c, l, 1))
		dlo = math.Min(dlo, d)
		dhi = math.Max(dhi, d)
	}
	c2 := xf(c).mul(xf(c))
	bound := func(d float64, v float64) float64 {
		if math.IsInf(d, 1) {
			return d
		}
		x := xf(d)
		return x.mul(x).add(c2.mul(noise(v, k))).float()
	}
	return bound(dlo, g.S), bound(dhi, g.T)
}

// CriticalBatchConvergence returns k_conv = t/(λ_1λ_m), the batch size at
// which the two branches of (18) meet: for k > k_conv the convergence
// threshold is the sharp-direction branch 2λ_1/(λ_1² + t/k), which tends to
// gradient descent's 2/λ_1, and for k < k_conv it is the flat-direction one.
// Table 3 uses "the integer closest to" it. It is 0 when t = 0, and +Inf
// when t/(λ_1λ_m) exceeds the float64 range.
//
// It returns NaN if g is not a valid Geometry.
func CriticalBatchConvergence(g Geometry) float64 {
	if !g.valid() {
		return math.NaN()
	}
	return xf(g.T).quo(xf(g.Eigenvalues[0]).mul(xf(g.Eigenvalues[len(g.Eigenvalues)-1]))).float()
}

// CriticalBatchDivergence returns k_div = s/(λ_{m−1}λ_m), the batch size of
// the last case of (20): for k > k_div the divergence threshold is gradient
// descent's flat-direction branch 2λ_m/(λ_m² + s/k). Table 2 uses "the
// largest integer smaller than" it. It is 0 when s = 0, and +Inf when
// s/(λ_{m−1}λ_m) exceeds the float64 range.
//
// ok is false when m = 1 (there is no λ_{m−1}; then Divergence(k) =
// 2λ_1/(λ_1² + s/k) for every k) or g is not a valid Geometry; k is then NaN.
func CriticalBatchDivergence(g Geometry) (k float64, ok bool) {
	if !g.valid() || len(g.Eigenvalues) < 2 {
		return math.NaN(), false
	}
	m := len(g.Eigenvalues)
	return xf(g.S).quo(xf(g.Eigenvalues[m-2]).mul(xf(g.Eigenvalues[m-1]))).float(), true
}
