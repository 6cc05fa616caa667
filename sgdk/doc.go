// Package sgdk implements SGD-k, stochastic gradient descent with batch size
// k, on the finite-mixture problems of package problems, as studied in
// V. Patel, "The Impact of Local Geometry and Batch Size on Stochastic
// Gradient Descent for Nonconvex Problems" (2018): single runs (Run and, for
// continuous randomness, RunSampler), reproducible parallel ensembles of
// independent runs (Ensemble), the experiment grids that reproduce the
// paper's Sections 4 and 5 (Cell, Grid), and the measurements that go past
// the paper (MeasureEscape, AlmostSureThreshold, Compare).
//
// # The iteration
//
// For F(x) = Σ_i p_i f_i(x), a start x_0 and a step-size schedule C_1, C_2, …,
//
//	x_{N+1} = Proj( x_N − (C_{N+1}/k) Σ_{j=1..k} ∇f_{ξ_{N,j}}(x_N) ),
//
// Definition 3.5, eq. (8) and (48). ERRATUM: the paper prints the batch
// indices of step N as j = Nk+1 .. N(k+1), and (8) prints the summand as
// Q_jθ_N + r_j without parentheses; the corrected range is
// j = Nk+1 .. (N+1)k, one fresh batch of k indices per step, and the summand
// is the whole component gradient (Q_jθ_N + r_j), which is what Run does. The schedule is a StepSize:
// Step(n) is C_n for n = 1, 2, …, so the step from x_{n−1} to x_n uses
// Step(n). Constant, Decay and StepFunc cover the usual cases.
//
// # Batch sampling
//
// By default the k indices of a batch are independent draws with
// P(ξ = i) = p_i ("independent copies"), made in O(1) each with Vose's alias
// table, built once per Run or once per Ensemble. For uniform weights,
// Settings.WithoutReplacement draws k distinct indices instead (a partial
// Fisher–Yates shuffle); the gradient-noise covariance is then multiplied by
// (N−k)/(N−1), so every threshold applies with the effective batch size
// k(N−1)/(N−k) (SPEC §8), and k = N is gradient descent.
//
// # k = ∞
//
// BatchSize = FullBatch (0) is gradient descent, the k = ∞ of the paper
// (Theorem 2.1): the step uses the exact ∇F(x_N), from the problem's
// ExpectedGrad when it implements problems.ExpectedGrader and otherwise as
// the weighted sum of the component gradients. No randomness is used.
//
// # Projection
//
// When Settings.Bounds is set, every iterate is clipped onto that closed box
// after its step; this is how the paper's problems on open boxes (Problems 4.1
// and 5.1) are run, and why their iterates can end on the corners of the
// feasible region. The start point is not projected.
//
// # Divergence
//
// A step whose (unprojected) iterate has a NaN or infinite coordinate ends
// the run: it is reported as diverged at that iteration (Result.Diverged,
// Result.DivergedAt), the result keeps the last finite iterate, and an
// Ensemble records +Inf distances from that iteration on. A diverging run is
// an outcome, not an error, and never shows up as NaN.
//
// # Reproducibility
//
// All randomness comes from the *rand.Rand (math/rand/v2) that the caller
// passes to Run. An Ensemble derives one stream per run from (Seed, run
// index) as rand.New(rand.NewPCG(Seed, splitmix64(run))), draws the start
// point and then the batches from it, and writes each run's results to its
// own slots, so its results are bit-identical for every number of Workers.
//
// # Experiments
//
// A Cell is one experiment of the paper: a problem, a minimizer, a batch
// size, a start radius and a learning rate, run as an ensemble. RunCell
// returns its trajectories and CellStats: the fractions of runs that
// escaped, grew and converged, and the growth factors of the mean error
// e_N = (x_N − x*)'H̄(x_N − x*) beside Lemma 3.7's bounds (GrowthLo,
// GrowthHi). A Grid crosses sites (problem and minimizer), batch sizes,
// radii and learning rates into cells, each with its own seed (CellSeed),
// so a user can run the paper's grids on their own problems.
//
// # Beyond the paper
//
// The paper's thresholds are sufficient conditions on E[e_N]. MeasureEscape
// measures the learning rate at which half of the runs leave a ball around
// the minimizer (bisection on log C, then a logistic fit over every probe
// with a profile-likelihood confidence interval);
// LyapunovExponent and AlmostSureThreshold estimate the rate and threshold of
// a typical run, which can differ from the mean-square threshold C*(k) of
// thresholds.MeanSquare; Compare puts all of them, with Patel's bounds and the
// criteria of Wu, Ma and E (2018), in one row per batch size.
//
// # Mean-square and almost-sure stability
//
// Near a homogeneous minimizer the SGD-k error obeys the random linear
// recursion d_{N+1} = (I − C·Q̄_{N+1}) d_N, Q̄ the mean of k independent
// component Hessians. Two questions differ:
//
//   - mean-square: does E[‖d_N‖²] (equivalently E[e_N]) tend to 0? Its
//     threshold is the exact C*(k) of SPEC §8 (thresholds.MeanSquare).
//   - almost sure: does ‖d_N‖ itself tend to 0 with probability one? The
//     rate is the top Lyapunov exponent
//     γ(C, k) = lim (1/N) log‖(I − CQ̄_N)…(I − CQ̄_1) v‖ (the same for
//     almost every v and almost every realization), and runs converge
//     when γ < 0.
//
// Jensen's inequality gives γ ≤ ½ log ρ(T_C), so mean-square stability
// implies almost-sure stability and the almost-sure threshold is at least
// C*(k). It can be much larger: with q ∈ {1, 3}, k = 1,
// γ = ½ log|1 − C| + ½ log|1 − 3C| < 0 up to C = 4/3 while C*(1) = 0.8.
// Between the two thresholds a typical run converges, yet E[e_N] diverges,
// carried by rare runs whose products grow. Measured escape thresholds
// (MeasureEscape) over a finite budget sit between or near them, depending
// on the budget and the radii. LyapunovExponent estimates γ(C, k) for a
// LinearStep (MixtureStep, HessianStep, or Case.Linear); a product that
// overflows counts as divergence (γ = +Inf), never as NaN.
//
// # Performance
//
// Run fetches the components and builds the alias table once and allocates
// nothing per iteration; a step costs k component gradients (or one expected
// gradient) plus O(p).
package sgdk
