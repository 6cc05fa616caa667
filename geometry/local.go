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
	// (default 1000; an odd value is rounded up to the next even number).
	Samples int
	// Seed makes the points reproducible.
	Seed uint64
	// Workers is the number of goroutines (default GOMAXPROCS). Results do
	// not depend on it.
	Workers int
	// RankTol is the relative rank tolerance of H̄ (SPEC §6): an eigenvalue
	// counts as nonzero only above RankTol·λ_1 and Z standard errors.
	RankTol float64
	// PointTol is the relative tolerance that defines the numerically
	// positive eigenspace of H(θ) at each point (SPEC §6).
	PointTol float64
	// Z is the number of standard errors an eigenvalue must clear (default 3).
	Z float64
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
