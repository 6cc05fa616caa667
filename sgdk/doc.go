// Package sgdk implements SGD-k, stochastic gradient descent with batch size
// k, on the finite-mixture problems of package problems, as studied in
// V. Patel, "The Impact of Local Geometry and Batch Size on Stochastic
// Gradient Descent for Nonconvex Problems" (2018): single runs (Run, and
// RunSampler, which draws fresh components from a population at every step:
// online SGD), step-size schedules, batch sampling, and reproducible parallel
// ensembles of independent runs (Ensemble). What runs do near a minimizer,
// measured (experiment grids, escape thresholds, Lyapunov exponents, and
// comparisons with the predicted thresholds), is in the subpackage
// stability.
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
// P(ξ = i) = p_i ("independent copies"), made in O(1) each with the alias
// table problems.Alias, built once per Run or once per Ensemble. When k
// exceeds the number of components N (the paper's Section 5 uses k = 500),
// the batch is drawn instead as its multinomial counts (c_1, …, c_N), by N
// conditional binomial draws, and the step takes Σ_i c_i ∇f_i(x_N): the same
// law, at a cost of at most N gradients per step whatever k is.
//
// For uniform weights, Settings.WithoutReplacement draws k distinct indices
// instead (a partial Fisher–Yates shuffle); the gradient-noise covariance is
// then multiplied by (N−k)/(N−1), so every threshold applies with the
// effective batch size k(N−1)/(N−k) (thresholds.WithoutReplacement), and
// k = N is gradient descent.
//
// # k = ∞
//
// BatchSize = FullBatch (−1) is gradient descent, the k = ∞ of the paper
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
// index) as problems.Stream(Seed, run), draws the start point and then the
// batches from it (sampling without replacement starts every run from the
// identity permutation), and writes each run's results to its own slots, so
// its results are bit-identical for every number of Workers.
//
// # Performance
//
// Run fetches the components and builds the alias table once and allocates
// nothing per iteration; a step costs k component gradients (or one expected
// gradient) plus O(p).
package sgdk
