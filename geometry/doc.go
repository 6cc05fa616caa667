// Package geometry implements the local geometry of a minimizer that the
// step-size thresholds of SGD-k depend on: the nonzero eigenvalues
// λ_1 ≥ … ≥ λ_m > 0 of the (ball-averaged) Hessian and the curvature
// parameters s ≤ t, exactly for the stochastic quadratic problem (Exact,
// Problem 3.1, (4)–(5)) and by Monte Carlo for a nonconvex problem (Estimate,
// Definition 3.14 of Patel, "The Impact of Local Geometry and Batch Size on
// Stochastic Gradient Descent for Nonconvex Problems", 2018). A Local converts
// to a thresholds.Geometry with its Geometry method. Homogeneity tells which
// of the paper's theorems applies at a point, and Refine polishes an
// approximate minimizer before its geometry is taken. Linearize builds the
// component Hessians and gradients at a minimizer (optionally averaged over
// the ball) for the exact mean-square threshold and the noise floor of an
// inhomogeneous minimizer, and EstimateSampler estimates the geometry of a
// problem with continuous randomness, its sampling error included.
// HessianOperator gives the expected Hessian at a point as a matrix-free
// operator for package spectral.
//
// # Definition 3.14
//
// For a problem F = Σ_i p_i f_i with H(θ) = Σ_i p_i ∇²f_i(θ) and
// M(θ) = Σ_i p_i ∇²f_i(θ)H(θ)∇²f_i(θ) − H(θ)³ (Table 1), a local minimizer
// x* and a radius ε, with B = B(x*, ε) and θ uniform on B:
//
//	H̄   = E[H(θ)]                                          (49)
//	λ_j  = the nonzero eigenvalues of H̄ (rank rule below)
//	s_f  = max(0, E[inf_v v'M(θ)v / v'H(θ)v])              (50)
//	t_f  = E[sup_v v'M(θ)v / v'H(θ)v]                      (after Table 2)
//
// and the thresholds of (51)–(52) are those of Theorem 3.8 with (λ, s_f, t_f):
// thresholds.Divergence and thresholds.Convergence of Local.Geometry(). The
// paper used ε ≈ 2e-2 and 1000 points, the defaults of Settings.
//
// # Antithetic sampling and the rank rule
//
// Estimate draws points in antithetic pairs θ± = x* ± u with
// u = ε U^{1/p} z/‖z‖, z ~ N(0, I_p), U ~ U(0,1), so that each point is
// uniform on B; the pair mean of H(θ) cancels every odd-order term of the
// Taylor expansion of H around x* exactly. An antithetic pair is the Monte
// Carlo unit: every standard error is the standard deviation of the pair
// means divided by √(number of pairs). For s_f and t_f a pair with one
// skipped point (below) contributes its other point.
//
// Sampling noise decides the rank at a degenerate minimizer, so an
// eigenvalue λ_j of H̄ (eigenvector v_j) counts as nonzero only when
//
//	λ_j > RankTol·λ_1   and   λ_j > Z·stderr_j,
//
// where stderr_j is the standard error of the pair means of v_j'H(θ)v_j
// (below). m is the largest such j (the eigenvalues above a nonzero one are
// nonzero too). The default RankTol (1e-10) only removes rounding; Z = 3 does
// the statistical work. An eigenvalue that is real but of order ε² (as at the
// quadratic-circle's quadratic minimizer, about 6e-4·λ_1) passes both tests:
// a user who wants it ignored sets a larger RankTol (the reproduction of the
// paper's Tables 2–3 uses about 1e-3) and says so. Local reports m, every
// eigenvalue of H̄ with its standard error, and the median pointwise sup
// (t_f averages a heavy-tailed quantity where H(θ) is nearly singular).
//
// # Well-posedness
//
// At a point θ, H(θ) may be singular or indefinite, and then the quotient
// v'M(θ)v / v'H(θ)v of (50) is unbounded on {v'H(θ)v ≠ 0}. The library's
// definition: the pointwise inf and sup are taken over the numerically
// positive eigenspace of H(θ), spanned by the eigenvectors U₊ whose
// eigenvalues Λ₊ exceed PointTol·max|eig H(θ)|, as the extreme eigenvalues of
//
//	K(θ) = Λ₊^{-1/2} U₊' M(θ) U₊ Λ₊^{-1/2}.
//
// Points where that space is empty are skipped: they enter H̄ but not s_f and
// t_f. Local counts the skipped points and the points with an indefinite H(θ)
// (an eigenvalue below −PointTol·max|eig H(θ)|), so a user can tell when the
// ball is too large for the minimizer's basin. M(θ) is formed centred,
// Σ_i p_i D_i H D_i with D_i = ∇²f_i(θ) − H(θ), which equals the paper's form
// and does not lose digits to cancellation when the components nearly agree.
//
// # Reproducibility
//
// Pair k draws from its own stream, problems.Stream(Seed, k) (z first, then
// U), and every reduction runs in a fixed order,
// so the result is a function of the Settings and the problem only: it is
// bit-identical for any number of Workers.
//
// # Evaluation paths
//
// The generic dense path costs O(N p³) per point (one matrix product and one
// symmetric rank-p update per component). Optional interfaces of package
// problems make it cheaper; PathAuto picks the first that applies, and
// Settings.Path can force any available one (PathDense to check a fast path
// against the generic one):
//
//   - PathClosedForm: a problem implementing problems.DiagonalMomenter gives
//     the diagonals of H(θ) and M(θ) in closed form (Styblinski–Tang sums
//     do, from coefficient moments), O(p) per point;
//   - PathDiagonal: components implementing problems.DiagonalHessianer have
//     diagonal H(θ) and M(θ), and the pointwise quotients are
//     M_dd/H_dd = Var_i(∇²f_i(θ)_dd) over the d with H_dd > 0, O(N p) per point;
//   - PathMatrixFree: any problem of dimension above MatrixFreeDim (below);
//   - PathRankOne: components implementing problems.RankOneHessianer
//     (least squares, logistic regression), ∇²f_i = c_i a_i a_i' + ρ_i I,
//     or problems.RankOneDiagHessianer with one common ridge diagonal
//     (logistic regression with an unpenalized intercept), O(N p² + p³)
//     per point through four products with the N×p matrix of the a_i;
//   - PathDense: each component Hessian from problems.HessianOf (its own
//     dense Hessian, else one built from its structure, its products or
//     central differences of its gradient).
//
// PathHessVec and PathFiniteDifference are PathDense with every component
// Hessian built from p Hessian-vector products or 2p gradients; they are
// never chosen automatically and serve to check one form against another.
// A problem implementing problems.ExpectedHessianer gives H(θ) on the dense
// path in one call.
//
// The rank-one and dense paths spend their time in matrix products through
// gonum's blas64, and hold about 8·16p² bytes per worker (plus 8·3Np on
// the rank-one path), up to DenseMaxBytes. A native BLAS plugged in with
// blas64.Use (gonum.org/v1/netlib with OpenBLAS) makes them about 2–3
// times faster: at p = 100, N = 200, one worker, 2.9 → 1.3 ms per point on
// the rank-one path and 53 → 17 ms on the dense path.
//
// # Matrix-free path
//
// PathMatrixFree forms no p×p matrix. With V the eigenvectors found:
//
//  1. λ_1 ≥ … ≥ λ_r of H̄ (r = min(MaxRank, p)) by Lanczos
//     (spectral.Top) on the ball-averaged product
//     v ↦ (1/Samples) Σ_θ H(θ)v, each H(θ)v by problems.ExpectedHessVecOf.
//  2. The rank rule above on these r values, with stderr_j the standard
//     error over pairs of v_j'H(θ)v_j (r products per point): m ≤ r.
//  3. s_f and t_f of the problem compressed onto V_m = [v_1 … v_m]: at every
//     point each ∇²f_i(θ) ↦ B_i = V_m'∇²f_i(θ)V_m (m component products, or
//     O(pm) from a rank-one structure), H_c = Σ p_i B_i,
//     M_c = Σ p_i (B_i − H_c)H_c(B_i − H_c), and the positive-eigenspace
//     rule applied to H_c.
//  4. Hutchinson's estimate of tr H̄ (one Rademacher probe per pair), to
//     compare with Σ_{j≤m} λ_j; Local.Truncated reports m = r < p, when
//     λ_m is only the r-th eigenvalue and the true smallest nonzero one may
//     be smaller.
//
// The direction of each approximation: truncating at λ_r ≥ λ_m lowers the
// k = ∞ divergence bound from 2/λ_m to 2/λ_r, so a truncated result
// declares divergence at steps where the full one would not. Compression
// can only lower t: when V spans an invariant subspace of H(θ) (exactly so
// for a quadratic, approximately near x*), with P = VV',
// V'D_iPHPD_iV ≼ V'D_iHD_iV, so every compressed quotient is at most the
// full quotient of the same direction and the sup over the smaller space is
// smaller. s may move either way. With r at least the rank of H̄ the
// compression is exact and the path equals the dense one.
//
// Cost: Samples × (Lanczos steps + r + 1) products of F's Hessian with a
// vector, plus Samples × N × m component products (or O(N p m) for rank-one
// components) and 8·N·m² bytes per worker (at most MatrixFreeMaxBytes). A
// problem implementing problems.HessianProjector (the MLP) compresses all N
// components in batched passes, about m + 1 full products per point, and
// the r + 1 products per point of the rank rule are then taken from the
// compression. The path has its own default Samples,
// DefaultMatrixFreeSamples = 20, since each Lanczos step costs Samples
// products.
package geometry
