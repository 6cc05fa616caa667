// Package thresholds implements the step-size thresholds of SGD-k at a local
// minimizer from "The Impact of Local Geometry and Batch Size on Stochastic
// Gradient Descent for Nonconvex Problems" (V. Patel, 2018): the convergence
// and divergence thresholds of Theorems 2.1, 3.8 and 3.12 and of the
// deterministic mechanism (Definition 3.14), the growth-factor bounds of
// Lemma 3.7, the critical batch sizes, inverse (step ↔ batch) queries, the
// effective batch size of sampling without replacement, and, beyond the
// paper, the exact mean-square threshold C*(k) from component Hessians
// (MeanSquare), from H and the fourth-moment map S ↦ E[QSQ]
// (MeanSquareOperator, MeanSquareGaussian), and the sharpness and
// non-uniformity criteria of Wu, Ma and E (2018) for comparison.
//
// The package imports nothing of this module; package geometry computes a
// Geometry from a problem.
//
// # Model
//
// SGD-k takes x_{N+1} = x_N − (C/k) Σ_{j=1..k} ∇f_{ξ_j}(x_N) with k
// independent draws of the component index; k = ∞ is gradient descent. Near
// a minimizer x* of F = E[f_ξ] with Hessian H = E[Q] (Q = ∇²f_ξ), the
// thresholds depend on the nonzero eigenvalues λ_1 ≥ … ≥ λ_m > 0 of H and on
// the extreme values s ≤ t of v'Mv/v'Hv over range(H), M = E[QHQ] − H³
// ((4)–(5); for nonconvex problems the ball averages (49)–(50)). A Geometry
// holds (λ, s, t); the formula functions are pure functions of it, the batch
// size k and, for Theorem 3.12, γ. With e_N = (x_N − x*)'H(x_N − x*):
//
//   - Convergence (18): below it E[e_N] decays exponentially (homogeneous x*);
//   - Divergence (19)–(20): above it E[e_{N+1} | x_N] > ρ e_N, ρ > 1, from
//     every start; DirectionalDivergence gives the per-direction C_l(k);
//   - InhomogeneousConvergence (34) and InhomogeneousDivergence (35)–(36):
//     the same for an inhomogeneous minimizer (noise floor; local growth);
//   - GrowthBounds: ρ_lo ≤ E[e_{N+1} | x_N]/e_N ≤ ρ_hi, Lemma 3.7;
//   - MeanSquare: the exact threshold C*(k) of mean-square stability
//     (beyond the paper), from the component Hessians and weights.
//
// # Conventions
//
// The batch size k is a float64 ≥ 1; math.Inf(1) means gradient descent
// (then s/k = t/k = 0 and the thresholds are Theorem 2.1's 2/λ_1 and 2/λ_m).
// Non-integer k is allowed: sampling without replacement of k of n
// equally weighted components acts as a with-replacement batch of
// WithoutReplacement(k, n) = k(n − 1)/(n − k).
//
// The formula functions return NaN (or NaN-filled results) on invalid input
// (a Geometry that NewGeometry would refuse, k < 1, NaN), so they compose in
// expressions and tables; they never panic and never modify their
// arguments. Functions with an error result return an error that names the
// bad argument.
//
// # Floating point
//
// The formulas are evaluated without intermediate overflow or underflow:
// each is computed with a float64 significand and an exponent of unlimited
// range, so it returns what float64 arithmetic with an unbounded exponent
// would, rounded to float64 at the end. A result is +Inf or 0 only when the
// exact value lies beyond the float64 range (2/λ_1 for λ_1 below about
// 1.1e-308, a critical batch size s/(λ_{m−1}λ_m) above 1.8e308), and
// subnormal only when it is that small. Scaling the Hessians by α > 0
// (λ → αλ, s → α²s, t → α²t) divides every threshold by α and leaves the
// batch sizes unchanged; for α a power of two the computed results scale
// exactly. The thresholds are nondecreasing in k as computed, not only in
// exact arithmetic, and the inverse queries (MinBatchForConvergence, …) are
// exact with respect to the computed thresholds: the returned batch size
// satisfies its inequality as Convergence or Divergence evaluates it, and
// ok is false where floating point cannot decide.
//
// # Errata
//
// The library implements corrected forms of these misprints of the paper
// (each is also named in the doc comment of the function concerned):
//
//   - Lemma 3.3(3), "s_Q > 0 for random Q", is false (Q = diag(q, 1) gives
//     s_Q = 0): s = 0 is allowed, and Divergence(k) = 2/λ_m for every k.
//   - (20) with m = 1 has no λ_{m−1}: Divergence(k) = 2λ_1/(λ_1² + s/k).
//   - (34): the numerators are 2λ_1 and 2λ_m, not 2λ_1² and 2λ_m² (compare
//     (39); k → ∞ must give 2/λ_1).
//   - (36), last case: k > s/(λ_mλ_{m−1} + γ(λ_m + λ_{m−1})), not λ_mλ_m.
//
// # Ordering
//
// For every k, Convergence(k) ≤ C*(k) ≤ Divergence(k): below Convergence
// the upper bound ρ_hi < 1 forces mean-square decay, above Divergence the
// lower bound ρ_lo > 1 forces growth, and C*(k) = MeanSquare is where the
// spectral radius of the second-moment map crosses one. Also
// C*(k) ≤ 2/λ_1, and all three are nondecreasing in k. They coincide when
// m = 1 and s = t (the one-dimensional example q ∈ {1, 3} with
// probability ½ gives 0.8 at k = 1, 16/17 at k = 4 and 1 at k = ∞).
// InhomogeneousConvergence ≤ Convergence and InhomogeneousDivergence ≥
// Divergence: inhomogeneity shrinks the guaranteed-convergent range and
// inflates the guaranteed-divergent threshold.
package thresholds
