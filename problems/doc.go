// Package problems implements the stochastic problems of Patel (2018), "The
// Impact of Local Geometry and Batch Size on Stochastic Gradient Descent for
// Nonconvex Problems": finite mixtures of smooth component functions, with
// their exact expectations, for the study of SGD-k near a minimizer.
//
// # The model
//
// A Problem is a finite mixture
//
//	F(x) = Σ_i p_i f_i(x),   H(x) = ∇²F(x) = Σ_i p_i ∇²f_i(x),
//	M(x) = Σ_i p_i ∇²f_i(x) H(x) ∇²f_i(x) − H(x)³,
//
// of N components f_i on R^p with probabilities p_i > 0 summing to one
// (Problems 3.1, 3.13, 4.1 and 5.1 of the paper are all of this form).
// Expectations over the mixture are exact sums, as in the paper. SGD-k draws
// component indices with probabilities p_i; package sgdk runs it.
//
// This package holds the interfaces, the stochastic quadratic problem 3.1
// (Quadratic: f_i(x) = ½x'Q_i x + r_i'x, with its minimizer by a
// pseudo-inverse solve, the homogeneity test of Definition 3.4 and the
// moment M of (4)–(5)), boxes, the expected objective for gonum/optimize,
// derivative checks, adapters and the shared machinery of reproducible
// Monte Carlo (Alias, Stream, Parallel, BallPoint). The other problems live
// in subpackages, as gonum keeps its test functions in optimize/functions:
//
//   - paper: the paper's test problems, the quadratic-circle sums of
//     Problem 4.1 and Appendix A and the Styblinski–Tang sums of Problem 5.1,
//     with the paper's models and minimizers;
//   - learning: problems from data and distributions, least squares on a
//     data matrix or a Gaussian population, logistic regression, a neural
//     network (MLP), and data sets with a CSV reader.
//
// A Sampler draws one component at a time from a population (continuous
// randomness). SampledProblem turns it into a finite Mixture of drawn
// components, so everything that takes a Problem takes it too;
// sgdk.RunSampler draws fresh components at every step instead.
//
// Mixture (NewMixture) is a finite mixture of any user components. A
// Component needs only a value and a gradient, so a user can start with
// gradients alone: code that needs second derivatives falls back on central
// differences of the gradient (FDHessVec for Hessian-vector products,
// FDHessian for dense Hessians).
//
// # Conventions
//
// As in gonum/optimize and gonum/diff/fd, derivatives are written into a
// destination the caller provides, which comes first: Grad(grad, x),
// Hess(hess, x) and HessVec(dst, x, v). Methods never modify x. Functions that return a new result
// return copies; nothing is shared with the caller's inputs, which
// constructors copy. Problems are immutable after construction so that
// Monte Carlo code may evaluate them from many goroutines: Quadratic and its
// components, Objective and FDHessian are safe for concurrent use (a Mixture
// is when its components are).
//
// Weights: every constructor takes the weights w of its components. A nil or
// empty w means uniform weights 1/N. Otherwise every weight must be positive
// and finite and their sum S must satisfy |S − 1| ≤ 1e-9; the weights are
// then divided by S so that they sum to one to rounding. Any other w is an
// error naming w. Bad input to a constructor returns an error that names the
// argument and index; nothing panics on user data. Internal invariants
// (a grad of the wrong length passed to Grad) panic, as in gonum.
//
// # Optional interfaces
//
// A Problem or Component may implement faster paths that the rest of the
// library uses when present, always falling back to the generic sums:
// ExpectedGrader (∇F directly), ExpectedHessianer (H directly),
// ExpectedHessVecer (H(x)v directly), ExpectedHessVecAter (repeated H(x)v
// at one point, reusing work), HessianProjector (the compressed V'∇²f_iV
// of many components in batched passes; ProjectHessians falls back to the
// component forms), DiagonalMomenter (diagonals of H(x) and M(x) in closed
// form) for a Problem; Hessianer (a dense Hessian),
// HessVecer (Hessian-vector products), DiagonalHessianer (a diagonal
// Hessian), RankOneHessianer (c·aa' + ρI) and RankOneDiagHessianer
// (c·aa' + diag(d)) for a Component. HessVecOf,
// HessianOf and ExpectedHessVecOf pick the fastest form available, in the
// order documented at HessVecFormOf and HessianFormOf, down to finite
// differences of the gradient; every built-in problem has exact
// Hessian-vector products, and least squares and logistic regression use
// their rank-one structure, O(p) per component and never a p×p matrix.
// CheckDerivatives tests all of them, and every Grad, Hess and HessVec,
// against gonum/diff/fd and the generic sums and reports the worst error;
// Objective turns a Problem into a gonum optimize.Problem for F, ∇F and ∇²F.
//
// # Boxes
//
// Problems 4.1 and 5.1 live on open boxes. A Box is the closed box; SGD-k
// projects (clips) its iterates onto it after every step, which is
// how iterates "converge to the corners of the feasible region" in §4.2 and
// §5.2 of the paper. Box.Project works in place.
package problems
