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
//     (see Exact mean-square threshold below), from the component Hessians and weights.
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
// The library implements corrected forms of these misprints and gaps of the
// paper; each is also named in the doc comment of the code concerned.
//
//	where                  printed                        the library's choice
//	(8), (48)              j = Nk+1 .. N(k+1)             j = Nk+1 .. (N+1)k, summand (Q_j x_N + r_j)
//	Lemma 3.3(3)           Q random ⇒ s_Q > 0             false: Q = diag(q, 1) gives s_Q = 0; s = 0 is
//	                                                      allowed and Divergence(k) = 2/λ_m for every k
//	(20) with m = 1        uses λ_{m−1}                   Divergence(k) = 2λ_1/(λ_1² + s/k)
//	(31)                   denominator E[b'HH†E[QHb]]     E[b'HQ] H† E[QHb], as in (33)
//	                       (which is 0)
//	(34)                   numerators 2λ_1², 2λ_m²        2λ_1, 2λ_m (compare (39); k → ∞ must give 2/λ_1)
//	(36), last case        λ_m λ_m                        λ_m λ_{m−1}
//	Theorem 3.12 proof     ψ_N ≥ 0 "for C small"          a gap: bounding the cross term by √(e_N D),
//	                                                      D = ‖(H^{1/2})†E[QHb]‖², inside a small ball
//	                                                      shows Divergence(k) already guarantees local
//	                                                      growth; InhomogeneousDivergence is offered too
//	Definition 3.14, (50)  inf over v'∇²F v ≠ 0           the numerically positive eigenspace of H(θ), with
//	                                                      a tolerance; skipped points reported (package
//	                                                      geometry)
//	§4.1                   second "near the minimizer     near the quadratic minimizer (rates 1 … 1024)
//	                       of the circular basin"
//	(A2)                   middle case ‖x‖ ≤ c3           ‖x‖ ≥ c3; c2 ≥ 0 and c3 > c2 suffice for C²
//	(54)                   placement of ½ ambiguous       ½ Σ_d (c1 x⁴ + c2 x² + c3 x)
//	§5                     Styblinski–Tang minimizers     they are inhomogeneous: report the homogeneous
//	                       thresholded with the           and the inhomogeneous thresholds and say which
//	                       homogeneous formulas           a table shows
//
// # Exact mean-square threshold
//
// Beyond the paper, MeanSquare computes the exact step size at which SGD-k
// stops being stable in mean square. For a homogeneous stochastic quadratic
// (or the linearization of any problem at a minimizer, with Q_i = ∇²f_i(x*)),
// d_N = x_N − x* and S_N = E[d_N d_N'] obey the linear map
//
//	S_{N+1} = T_C(S_N) = (I − CH) S_N (I − CH) + (C²/k)(E[Q S_N Q] − H S_N H),
//
// and E[e_N] = tr(H S_N). Directions in null(H) never move, so on range(H)
// the iterates are mean-square stable exactly when the spectral radius
// ρ(T_C) < 1, and C*(k) = sup{C > 0 : ρ(T_C) < 1}. One eigenvalue problem
// gives C*(k) without bisection: write T_C = I − C·L + C²·B with
// L(S) = HS + SH and B(S) = HSH + (1/k)(E[QSQ] − HSH); then T_C(S) = S
// exactly when L⁻¹B(S) = S/C, so C*(k) = 1/ρ(L⁻¹B). Both L and B are
// self-adjoint for the Frobenius inner product on symmetric matrices, L is
// positive definite on range(H) and B is positive semidefinite when the
// components are, so
//
//	C*(k) = 1/λ_max(L^{-1/2} B L^{-1/2}),
//
// a symmetric eigenproblem of size m(m+1)/2; in the eigenbasis of H,
// L^{-1/2} divides entry (a, b) by √(h_a + h_b). The stable set is the
// interval (0, C*). When every Q_i is diagonal the map acts entrywise and
// C*(k) = min_a 2h_a/(h_a² + Var(q_a)/k) over the coordinates with h_a > 0.
// Worked example: one coordinate, q ∈ {1, 3} with probability ½ each: h = 2,
// Var(q) = 1, C*(1) = 0.8, C*(4) = 16/17, C*(∞) = 1, and here s = t = 1 and
// m = 1, so Convergence(k) = Divergence(k) = C*(k).
//
// Mean-square stability describes the mean E[e_N], which rare large excursions
// dominate; a typical run is described by the almost-sure (Lyapunov)
// threshold, which is never below C*(k) (Jensen's inequality) and is measured
// by package sgdk/stability.
//
// Sampling without replacement (uniform weights, k of N distinct indices)
// multiplies the gradient-noise covariance by (N−k)/(N−1), so every formula
// changes only through 1/k → (1/k)(N−k)/(N−1): the effective batch size
// k(N−1)/(N−k) of WithoutReplacement (k = N gives k_eff = ∞) serves all
// thresholds.
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
