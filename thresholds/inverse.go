package thresholds

import "math"

// MinBatchForConvergence returns the infimum k̲ of the batch sizes k ≥ 1 at
// which the step c is guaranteed convergent by Theorem 3.8, that is with
// c < Convergence(g, k) of (18). Convergence is nondecreasing in k, so the set
// of such k is an interval, and solving each branch of (18) in closed form
// gives c < 2λ/(λ² + t/k) ⇔ k > ct/(λ(2 − cλ)) for cλ < 2. Hence
//
//	k̲ = max(1, max_{l∈{1,m}} ct/(λ_l(2 − cλ_l))),
//
// and c < Convergence(g, k) for every k > k̲. The returned k̲ is an infimum,
// not a minimum: (18) is a strict inequality, so at k = k̲ it fails, unless
// it already holds at k = 1 (then k̲ = 1). When t = 0 the answer is 1 for
// every admissible c. See MinIntBatchForConvergence for the smallest
// integer.
//
// The answer is exact with respect to Convergence as computed: unless the
// inequality holds at k = 1, k̲ is the largest float64 at which
// c < Convergence(g, k̲) fails, so it holds at every larger float64 k. It agrees with the closed form
// to a few ulps, except where c is within rounding of 2/λ_1; there the
// closed form is not resolved by floating point, and k̲ is where the
// computed Convergence first exceeds c.
//
// ok is false, and k is NaN, when no finite batch size works: c ≥ 2/λ_1
// (gradient descent's threshold, Theorem 2.1, the supremum of Convergence),
// or c so close to 2/λ_1 that c < Convergence(g, k) fails for every finite
// float64 k (floating point cannot decide, or k̲ exceeds the float64
// range); when c ≤ 0, NaN or +Inf (outside the theorem's 0 < C); or when g
// is not a valid Geometry.
func MinBatchForConvergence(g Geometry, c float64) (k float64, ok bool) {
	if !g.valid() || !(c > 0) || math.IsInf(c, 1) {
		return math.NaN(), false
	}
	conv := func(k float64) bool { return c < Convergence(g, k) }
	if conv(1) {
		return 1, true
	}
	if !conv(math.MaxFloat64) {
		return math.NaN(), false
	}
	// The closed form, in xfloats (2 − cλ rounded once by FMA), seeds the
	// search for the float64 boundary of the computed inequality.
	xc, xt := xf(c), xf(g.T)
	kc := 0.0
	for _, l := range []float64{g.Eigenvalues[0], g.Eigenvalues[len(g.Eigenvalues)-1]} {
		d := math.FMA(-c, l, 2) // > 0: conv(MaxFloat64) holds, so c < 2/λ_1
		kc = math.Max(kc, xc.mul(xt).quo(xf(l).mul(xf(d))).float())
	}
	return lastFalse(conv, 1, math.MaxFloat64, kc), true
}

// lastFalse returns the largest float64 k in [lo, hi] with p(k) false, for
// p false at lo, true at hi and monotone (false, then true) in between,
// 1 ≤ lo < hi < +Inf. guess, the closed form of the boundary, is tried
// first, then brackets of relative width 2^-44, 2^-28 and 2^-12 around it;
// bisection on the float64 bit patterns (ordered like the values for
// positive floats) then finds the boundary in the bracket, or in [lo, hi]
// in at most 64 evaluations.
func lastFalse(p func(float64) bool, lo, hi, guess float64) float64 {
	if guess > lo && guess < hi {
		if next := math.Nextafter(guess, math.Inf(1)); !p(guess) && p(next) {
			return guess
		}
		for _, r := range []float64{0x1p-44, 0x1p-28, 0x1p-12} {
			a, b := math.Max(lo, guess*(1-r)), math.Min(hi, guess*(1+r))
			if !p(a) && p(b) {
				lo, hi = a, b
				break
			}
		}
	}
	a, b := math.Float64bits(lo), math.Float64bits(hi)
	for b-a > 1 {
		m := a + (b-a)/2
		if p(math.Float64frombits(m)) {
			b = m
		} else {
			a = m
		}
	}
	return math.Float64frombits(a)
}

// MinIntBatchForConvergence returns the smallest integer batch size k ≥ 1
// with c < Convergence(g, float64(k)) of (18) (see MinBatchForConvergence;
// the result is checked against Convergence itself).
//
// ok is false, and k is 0, when MinBatchForConvergence has no answer or the
// answer is 2^53 or more (where float64 no longer holds every integer).
func MinIntBatchForConvergence(g Geometry, c float64) (k int, ok bool) {
	kinf, ok := MinBatchForConvergence(g, c)
	if !ok || kinf >= 1<<53 {
		return 0, false
	}
	if c < Convergence(g, 1) {
		return 1, true
	}
	// kinf is the largest float64 at which the inequality fails; the next
	// integer is exact and above it.
	return int(math.Floor(kinf)) + 1, true
}

// MaxBatchForDivergence returns the supremum k̄ of the batch sizes k ≥ 1 at
// which the step c is guaranteed divergent by Theorem 3.8, that is with
// c > Divergence(g, k) of (19)–(20). Divergence is nondecreasing in k, so the
// set of such k is the interval [1, k̄), k̄ not included. Solving
// c > 2λ_l/(λ_l² + s/k) for every l in closed form gives
//
//	k̄ = min over l with cλ_l < 2 of cs/(λ_l(2 − cλ_l))
//
// (directions with cλ_l ≥ 2 diverge at every k when s > 0). k̄ = +Inf when
// every finite batch size diverges: c ≥ 2/λ_m when s > 0 (Divergence(k) <
// 2/λ_m for finite k), and then gradient descent (k = ∞) diverges as well
// exactly when c > 2/λ_m, Theorem 2.1; with s = 0, when c > 2/λ_m. See
// MaxIntBatchForDivergence for the largest integer.
//
// The answer is exact with respect to Divergence as computed: a finite k̄
// is the smallest float64 at which c > Divergence(g, k̄) fails, so the
// inequality holds at every float64 k in [1, k̄); k̄ = +Inf when it holds at
// every finite float64 k. It agrees with the closed form to a few ulps,
// except where c is within rounding of 2/λ_m (there the computed Divergence
// may reach c at a large finite k).
//
// ok is false, and k is NaN, when no batch size works (c ≤ Divergence(g,
// 1)), when c ≤ 0 or NaN (a negative step diverges at every k by Theorem
// 3.8, but is outside this query), or g is not a valid Geometry.
func MaxBatchForDivergence(g Geometry, c float64) (k float64, ok bool) {
	if !g.valid() || !(c > 0) {
		return math.NaN(), false
	}
	stable := func(k float64) bool { return !(c > Divergence(g, k)) }
	if stable(1) {
		return math.NaN(), false
	}
	if !stable(math.MaxFloat64) {
		return math.Inf(1), true
	}
	// Here s > 0: with s = 0 Divergence does not depend on k.
	// The closed form only seeds the search, so it is evaluated in float64
	// where that stays in range, and in xfloats otherwise.
	cs := c * g.S
	kc := math.Inf(1)
	for _, l := range g.Eigenvalues {
		if d := math.FMA(-c, l, 2); d > 0 {
			k := cs / (l * d)
			if !(k >= 0x1p-1000 && k <= 0x1p1000) || math.IsInf(cs, 0) || l*d < 0x1p-1000 {
				k = xf(c).mul(xf(g.S)).quo(xf(l).mul(xf(d))).float()
			}
			kc = math.Min(kc, k)
		}
	}
	return math.Nextafter(lastFalse(stable, 1, math.MaxFloat64, math.Nextafter(kc, 0)), math.Inf(1)), true
}

// MaxIntBatchForDivergence returns the largest integer batch size k ≥ 1 with
// c > Divergence(g, float64(k)) of (19)–(20) (see MaxBatchForDivergence; the
// result is checked against Divergence itself). When every finite batch
// size diverges (k̄ = +Inf) or k̄ > 2^63 it returns math.MaxInt. For
// 2^53 < k̄ ≤ 2^63 it returns the largest float64 below k̄, an integer
// (the integers between two float64s there are not told apart).
//
// ok is false, and k is 0, when MaxBatchForDivergence has no answer.
func MaxIntBatchForDivergence(g Geometry, c float64) (k int, ok bool) {
	kbar, ok := MaxBatchForDivergence(g, c)
	if !ok {
		return 0, false
	}
	// last is the largest float64 at which the inequality holds.
	last := math.Nextafter(kbar, 0)
	switch {
	case math.IsInf(kbar, 1) || last >= 1<<63:
		return math.MaxInt, true
	case last >= 1<<53:
		return int(last), true
	}
	return int(math.Floor(last)), true
}
