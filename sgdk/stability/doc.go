// Package stability measures what SGD-k runs do near a minimizer, to set
// beside the thresholds that package thresholds predicts: the experiment
// cells and grids of the paper's Sections 4 and 5 (V. Patel, "The Impact of
// Local Geometry and Batch Size on Stochastic Gradient Descent for Nonconvex
// Problems", 2018), measured escape fractions and escape thresholds, top
// Lyapunov exponents and almost-sure thresholds, and comparisons of every
// predicted threshold with the measured ones. The runs themselves are
// package sgdk's.
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
// # Escape in the loss
//
// A ball around x* is a poor escape criterion on a real model: its radius is
// arbitrary, depends on the parameterization, and a convex minimizer has no
// barrier to set it. With EscapeSettings.LossLevel a run escapes when its
// excess loss F(x) − F(x*) exceeds the level (F checked every LossStride
// iterations, a full pass each). DefaultLossLevel gives κ·max(mean excess
// loss of the start points, stationary excess loss at C*(k)/2), κ = 100;
// CompareSettings.LossKappa applies it per row, Case.StartExcess measures
// the first term and ComparisonRow.ExcessAtHalf is the second, ½·tr(H S_∞)
// (geometry.Linearized.ExcessLoss). The measured threshold then lies where
// a typical run's excess loss grows by the level's factor within the
// budget: near the almost-sure threshold when the per-step fluctuations of
// log e_N are small against log(level/start), below it otherwise (the
// excursions of a random walk cross the level first). CompareSettings.Cost
// tells the price of a Compare call before it runs.
//
// # Mean-square and almost-sure stability
//
// Near a homogeneous minimizer the SGD-k error obeys the random linear
// recursion d_{N+1} = (I − C·Q̄_{N+1}) d_N, Q̄ the mean of k independent
// component Hessians. Two questions differ:
//
//   - mean-square: does E[‖d_N‖²] (equivalently E[e_N]) tend to 0? Its
//     threshold is the exact C*(k) (thresholds.MeanSquare).
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
// # Reproducibility
//
// Run i of an ensemble, an escape probe or a Lyapunov replicate draws from
// problems.Stream(Seed, i) only and writes to its own slot, so every result
// is a function of the settings and is bit-identical for any number of
// Workers. Escape probes at different learning rates reuse the same streams
// (common random numbers), so an escape fraction is a step function of C
// with little noise between probes.
package stability
