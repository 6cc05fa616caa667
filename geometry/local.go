package geometry

import (
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/thresholds"
)

// Settings controls Estimate. The zero value of a field means its documented
// default; a negative or NaN value is an error.
type Settings struct {
	// Radius is the ball radius ε of Definition 3.14 (default 2e-2, the paper's).
	Radius float64
	// Samples is the number of Monte Carlo points, drawn in antithetic pairs
	// (default 1000; an odd value is rounded up to the next even number; at
	// least 4, two pairs, for standard errors).
	Samples int
	// Seed makes the points reproducible.
	Seed uint64
	// Workers is the number of goroutines (default GOMAXPROCS). Results do
	// not depend on it.
	Workers int
	// RankTol is the relative rank tolerance of H̄ (the rank rule of the package documentation): an eigenvalue
	// counts as nonzero only above RankTol·λ_1 and Z standard errors
	// (default DefaultRankTol = 1e-10, which only removes rounding; must be
	// below 1).
	RankTol float64
	// PointTol is the relative tolerance that defines the numerically
	// positive eigenspace of H(θ) at each point (the rank rule of the package documentation): eigenvalues above
	// PointTol·max|eig H(θ)| (default DefaultPointTol = 1e-10; must be
	// below 1).
	PointTol float64
	// Z is the number of standard errors an eigenvalue must clear (default 3).
	Z float64
	// Path selects how H(θ) and M(θ) are evaluated at each point (default
	// PathAuto: the fastest path the problem supports). PathDense forces the
	// generic path, for checking a fast path against it.
	Path Path
	// MaxRank caps r, the number of eigenpairs of H̄ that PathMatrixFree
	// computes (default DefaultMaxRank = 20; at most the dimension). The
	// other paths ignore it.
	MaxRank int
	// Components is the number of components EstimateSampler draws from a
	// problems.Sampler for each replicate (default 1000); Estimate, which
	// takes a finite Problem, ignores it.
	Components int
	// Replicates is the number of independent component samples
	// EstimateSampler averages; their spread puts the sampling error into
	// the standard errors (default 8, at least 2). Estimate ignores it.
	Replicates int
}

// Local is the local geometry of a minimizer: the ball-averaged Hessian H̄ of
// (49), its nonzero eigenvalues and the curvature parameters s and t of (4)–(5)
// (exact, for a quadratic) or (50) (Monte Carlo), with standard errors.
type Local struct {
	Center      []float64
	Hessian     *mat.SymDense // H̄, (49); H itself for Exact
	Eigenvalues []float64     // nonzero, descending
	S, T        float64       // s_f, t_f (or s_Q, t_Q)
	SErr, TErr  float64       // Monte Carlo standard errors (0 when exact)

	// M is m, the number of nonzero eigenvalues: always len(Eigenvalues).
	M int

	// Diagnostics. Estimate sets all of them; Exact may leave them zero.

	// AllEigenvalues are all p eigenvalues of H̄, descending; Eigenvalues is
	// AllEigenvalues[:M].
	AllEigenvalues []float64
	// EigErr[j] is the Monte Carlo standard error of AllEigenvalues[j]
	// (the standard deviation of v_j'H(θ)v_j over antithetic pair
	// means, divided by √pairs).
	EigErr []float64
	// TMedian is the median of the pointwise sup over the points that were
	// not skipped (t_f averages a heavy-tailed quantity), by the R-7
	// definition of golang.org/x/exp/stats.
	TMedian float64
	// Radius is the ball radius ε used.
	Radius float64
	// Samples is the number of points evaluated (twice the number of pairs).
	Samples int
	// Skipped counts points whose H(θ) has no numerically positive
	// eigenvalue (they enter H̄ but not s_f and t_f).
	Skipped int
	// Indefinite counts points whose H(θ) has an eigenvalue below
	// −PointTol·max|eig H(θ)|.
	Indefinite int
	// Path is the evaluation path used (never PathAuto).
	Path Path
	// Truncated (PathMatrixFree) reports that all r = MaxRank computed
	// eigenvalues passed the rank rule, so that λ_m = λ_r is only the r-th
	// eigenvalue of H̄ and the true smallest nonzero one may be smaller;
	// then the k = ∞ divergence bound 2/λ_r is below the true 2/λ_m.
	Truncated bool
	// Trace and TraceErr (PathMatrixFree) are Hutchinson's estimate of
	// tr H̄ (one Rademacher probe per antithetic pair) and its standard
	// error; compare with the sum of Eigenvalues to see how much of H̄ the
	// kept eigenvalues carry.
	Trace, TraceErr float64
}

// Geometry returns the thresholds.Geometry of l: its eigenvalues, S and T.
// It does not validate them; thresholds.NewGeometry does.
func (l *Local) Geometry() thresholds.Geometry {
	return thresholds.Geometry{
		Eigenvalues: append([]float64(nil), l.Eigenvalues...),
		S:           l.S,
		T:           l.T,
	}
}
