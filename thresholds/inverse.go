package thresholds

import "math"

// MinBatchForConvergence returns the infimum k̲ of the batch sizes k ≥ 1 at
// which the step c is guaranteed convergent by Theorem 3.8, that is with
// c < Convergence(g, k) of (18). Convergence is nondecreasing in k, so the set
// of such k is an interval, and solving each branch of (18) in closed form
// gives c < 2λ/(λ² + t/k) ⇔ k > t/(2λ/c − λ²) for c < 2/λ. Hence
//
//	k̲ = max(1, max_{l∈{1,m}} t/(2λ_l/c − λ_l²)),
//
// and c < Convergence(g, k) for every k > k̲. The returned k̲ is an infimum,
// not a minimum: (18) is a strict inequality, so at k = k̲ > 1 it fails
// (Convergence(g, k̲) = c); at k̲ = 1 it holds when the closed-form bound
// was below one. When t = 0 the answer is 1 for every admissible c. See
// MinIntBatchForConvergence for the smallest integer.
//
// ok is false, and k is NaN, when no batch size works: c ≥ 2/λ_1 (gradient
// descent's threshold, Theorem 2.1, the supremum of Convergence), c ≤ 0 or
// NaN (outside the theorem's 0 < C), or g is not a valid Geometry.
func MinBatchForConvergence(g Geometry, c float64) (k float64, ok bool) {
	kreq, ok := convergenceBatch(g, c)
	if !ok {
		return math.NaN(), false
	}
	return math.Max(1, kreq), true
}

// convergenceBatch returns max_{l∈{1,m}} t/(2λ_l/c − λ_l²), the strict lower
// bound on k of (18) at step c, and whether one exists.
func convergenceBatch(g Geometry, c float64) (float64, bool) {
	if !g.valid() || !(c > 0) || math.IsInf(c, 1) || c >= 2/g.Eigenvalues[0] {
		return math.NaN(), false
	}
	kreq := 0.0
	for _, l := range []float64{g.Eigenvalues[0], g.Eigenvalues[len(g.Eigenvalues)-1]} {
		kreq = math.Max(kreq, g.T/(l*(2/c-l)))
	}
	return kreq, true
}

// MinIntBatchForConvergence returns the smallest integer batch size k ≥ 1
// with c < Convergence(g, float64(k)) of (18) (see MinBatchForConvergence
// for the closed form; the result is checked against Convergence itself, so
// rounding in the closed form cannot put it on the wrong side).
//
// ok is false, and k is 0, when MinBatchForConvergence has no answer or the
// answer is 2^52 or more (where float64 no longer holds every integer).
func MinIntBatchForConvergence(g Geometry, c float64) (k int, ok bool) {
	kreq, ok := convergenceBatch(g, c)
	if !ok || kreq >= 1<<52 {
		return 0, false
	}
	// Below 2^52 every integer is exact in float64, and the closed form is
	// off by at most an ulp or so, so a few steps of checking suffice.
	k = max(1, int(math.Floor(kreq)))
	for i := 0; i < 8 && k > 1 && c < Convergence(g, float64(k-1)); i++ {
		k--
	}
	for i := 0; i < 8 && !(c < Convergence(g, float64(k))); i++ {
		k++
	}
	return k, c < Convergence(g, float64(k))
}

// MaxBatchForDivergence returns the supremum k̄ of the batch sizes k ≥ 1 at
// which the step c is guaranteed divergent by Theorem 3.8, that is with
// c > Divergence(g, k) of (19)–(20). Divergence is nondecreasing in k, so the
// set of such k is the interval [1, k̄), k̄ not included. Solving
// c > 2λ_l/(λ_l² + s/k) for every l in closed form gives
//
//	k̄ = min over l with λ_l < 2/c of s/(λ_l(2/c − λ_l))
//
// (directions with λ_l ≥ 2/c diverge at every k when s > 0). k̄ = +Inf when
// every finite batch size diverges: c ≥ 2/λ_m when s > 0 (Divergence(k) <
// 2/λ_m for finite k), and then gradient descent (k = ∞) diverges as well
// exactly when c > 2/λ_m, Theorem 2.1; with s = 0, when c > 2/λ_m. See
// MaxIntBatchForDivergence for the largest integer.
//
// ok is false, and k is NaN, when no batch size works (k̄ ≤ 1, that is
// c ≤ Divergence(g, 1)), when c ≤ 0 or NaN (a negative step diverges at every
// k by Theorem 3.8, but is outside this query), or g is not a valid Geometry.
func MaxBatchForDivergence(g Geometry, c float64) (k float64, ok bool) {
	kbar, ok := divergenceBatch(g, c)
	// The direct check at k = 1 keeps rounding in the closed form from
	// answering k̄ = 1 + ε when c = Divergence(g, 1).
	if !ok || !(kbar > 1) || !(c > Divergence(g, 1)) {
		return math.NaN(), false
	}
	return kbar, true
}

func divergenceBatch(g Geometry, c float64) (float64, bool) {
	if !g.valid() || !(c > 0) {
		return math.NaN(), false
	}
	lm := g.Eigenvalues[len(g.Eigenvalues)-1]
	if c > 2/lm || (g.S > 0 && c >= 2/lm) {
		return math.Inf(1), true
	}
	if g.S == 0 {
		return math.NaN(), false
	}
	kbar := math.Inf(1)
	for _, l := range g.Eigenvalues {
		if l < 2/c {
			kbar = math.Min(kbar, g.S/(l*(2/c-l)))
		}
	}
	return kbar, true
}

// MaxIntBatchForDivergence returns the largest integer batch size k ≥ 1 with
// c > Divergence(g, float64(k)) of (19)–(20) (see MaxBatchForDivergence; the
// result is checked against Divergence itself). When every batch size
// diverges (k̄ = +Inf) it returns math.MaxInt; for k̄ ≥ 2^52 it returns
// int(k̄) unchecked.
//
// ok is false, and k is 0, when MaxBatchForDivergence has no answer.
func MaxIntBatchForDivergence(g Geometry, c float64) (k int, ok bool) {
	kbar, ok := MaxBatchForDivergence(g, c)
	if !ok {
		return 0, false
	}
	switch {
	case math.IsInf(kbar, 1) || kbar >= math.MaxInt:
		return math.MaxInt, true
	case kbar >= 1<<52:
		// Integers are no longer exact in float64: rounding of k̄ is all
		// that is left.
		return int(kbar), true
	}
	k = max(1, int(math.Ceil(kbar))-1)
	for i := 0; i < 8 && c > Divergence(g, float64(k+1)); i++ {
		k++
	}
	for i := 0; i < 8 && k >= 1 && !(c > Divergence(g, float64(k))); i++ {
		k--
	}
	if k < 1 || !(c > Divergence(g, float64(k))) {
		return 0, false
	}
	return k, true
}
