package stability

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/thresholds"
)

// Case is one minimizer whose step-size thresholds Compare puts side by side.
// Build one with ProblemCase or GaussianCase, or fill the fields for a
// problem of your own.
type Case struct {
	// Name labels the rows.
	Name string
	// Minimizer is x*.
	Minimizer []float64
	// Homogeneous reports whether x* is homogeneous (Definition 3.4).
	Homogeneous bool
	// Geometry is the exact local geometry (λ, s_Q, t_Q) of the linearized
	// problem at x*, the input of Patel's bounds (18)–(19).
	Geometry thresholds.Geometry
	// Sharpness is λ_max(H) and NonUniformity λ_max(E[Q²] − H²), the inputs
	// of the Wu–Ma–E criteria.
	Sharpness, NonUniformity float64
	// MeanSquare returns the exact (linearized) mean-square threshold C*(k).
	MeanSquare func(k float64) (float64, error)
	// Linear returns the linearized SGD-k step for the Lyapunov exponent.
	Linear func(k float64) (dim int, newStep func() LinearStep, err error)
	// NoiseFloor, if not nil, returns the stationary mean error E[e_∞] of
	// the linearized SGD-k at step c (geometry.Linearized.NoiseFloor): the
	// systematic part of an inhomogeneous minimizer.
	NoiseFloor func(c, k float64) (float64, error)
	// Problem or Sampler (exactly one) is what the escape runs use; Bounds
	// is the box they are projected onto (nil: none).
	Problem problems.Problem
	Sampler problems.Sampler
	Bounds  *problems.Box
}

// ProblemCase returns the Case of the minimizer xstar of the finite problem
// p: its linearization (geometry.Linearize; the component Hessians at xstar,
// or averaged over the ball when ball is not nil) gives the geometry, the
// Wu–Ma–E inputs, C*(k) and the Lyapunov step (MixtureStep); escape runs use
// p itself, projected onto bounds.
func ProblemCase(name string, p problems.Problem, xstar []float64, bounds *problems.Box, ball *geometry.Settings) (*Case, error) {
	lin, err := geometry.Linearize(p, xstar, ball)
	if err != nil {
		return nil, err
	}
	loc, err := lin.Local()
	if err != nil {
		return nil, err
	}
	g, err := thresholds.NewGeometry(loc.Eigenvalues, loc.S, loc.T)
	if err != nil {
		return nil, err
	}
	a, v, err := lin.NonUniformity()
	if err != nil {
		return nil, err
	}
	hs := lin.Symmetric()
	return &Case{
		Name: name, Minimizer: append([]float64(nil), xstar...), Homogeneous: lin.Homogeneous,
		Geometry: g, Sharpness: a, NonUniformity: v,
		MeanSquare: lin.MeanSquare,
		NoiseFloor: lin.NoiseFloor,
		Linear: func(k float64) (int, func() LinearStep, error) {
			return MixtureStep(hs, lin.Weights, k)
		},
		Problem: p, Bounds: bounds,
	}, nil
}

// GaussianCase returns the Case of Gaussian least squares at θ*, all from
// exact moments: H = Σ, s_Q = σ_min² + tr(Σ²) and t_Q = σ_max² + tr(Σ²)
// (M = E[QΣQ] − Σ³ = Σ³ + tr(Σ²)Σ), λ_max(E[Q²] − H²) = σ_1² + tr(Σ)σ_1,
// C*(k) by thresholds.MeanSquareGaussian. The Lyapunov step draws k fresh
// rows per step in the eigenbasis of Σ (O(k·p) per step; the exponent does
// not depend on the basis), and escape runs are online (sgdk.RunSampler).
func GaussianCase(name string, g *learning.GaussianLeastSquares) (*Case, error) {
	if g == nil {
		return nil, errors.New("stability: g is nil")
	}
	eigs := g.Eigenvalues()
	var pos []float64
	tr, tr2 := 0.0, 0.0
	for _, v := range eigs {
		tr += v
		tr2 += v * v
		if v > thresholds.RankTol*eigs[0] {
			pos = append(pos, v)
		}
	}
	m := len(pos)
	lmin := pos[m-1]
	geo, err := thresholds.NewGeometry(pos, lmin*lmin+tr2, eigs[0]*eigs[0]+tr2)
	if err != nil {
		return nil, err
	}
	sq := make([]float64, m)
	for a, v := range pos {
		sq[a] = math.Sqrt(v)
	}
	return &Case{
		Name: name, Minimizer: g.Minimizer(), Homogeneous: g.Homogeneous(),
		Geometry: geo, Sharpness: eigs[0], NonUniformity: eigs[0]*eigs[0] + tr*eigs[0],
		MeanSquare: func(k float64) (float64, error) { return thresholds.MeanSquareGaussian(eigs, k) },
		NoiseFloor: func(c, k float64) (float64, error) {
			// E[bb'] = σ_noise²Σ.
			var noise mat.SymDense
			noise.ScaleSym(g.Noise()*g.Noise(), g.Covariance())
			return thresholds.MeanSquareFloor(g.Covariance(), g.FourthMoment, k, c, &noise)
		},
		Linear: func(k float64) (int, func() LinearStep, error) {
			if !(k >= 1) || (!math.IsInf(k, 1) && k != math.Trunc(k)) {
				return 0, nil, fmt.Errorf("stability: k = %v, want a positive integer or +Inf", k)
			}
			// A population has no counts to draw: every step draws k fresh
			// components, so k is capped to keep a step's work bounded.
			if !math.IsInf(k, 1) && k > maxGaussianBatch {
				return 0, nil, fmt.Errorf("stability: k = %v exceeds %d for a Gaussian population (every step draws k fresh components)", k, maxGaussianBatch)
			}
			return m, func() LinearStep {
				x := make([]float64, m)
				acc := make([]float64, m)
				return func(dst, v []float64, c float64, rnd *rand.Rand) {
					if math.IsInf(k, 1) {
						for a := range dst {
							dst[a] = v[a] - c*pos[a]*v[a]
						}
						return
					}
					clear(acc)
					for range int(k) {
						dot := 0.0
						for a := range x {
							x[a] = sq[a] * rnd.NormFloat64()
							dot += x[a] * v[a]
						}
						for a := range acc {
							acc[a] += dot * x[a]
						}
					}
					s := c / k
					for a := range dst {
						dst[a] = v[a] - s*acc[a]
					}
				}
			}, nil
		},
		Sampler: g,
	}, nil
}

// CompareSettings controls Compare.
type CompareSettings struct {
	// Lyapunov controls the almost-sure threshold (AlmostSureThreshold,
	// scanning upward from C*(k)).
	Lyapunov LyapunovSettings
	// Escape controls the measured escape threshold; its BatchSize, From
	// and Bounds are set per row (k, C*(k) and the Case's Bounds).
	Escape EscapeSettings
	// SkipAlmostSure and SkipEscape leave those columns NaN (they are the
	// expensive ones).
	SkipAlmostSure, SkipEscape bool
	// LossKappa, if positive, measures escape in the loss with a level per
	// row: Escape.LossLevel = LossKappa·max(StartExcess, ExcessAtHalf)
	// (DefaultLossLevel uses κ = DefaultLossKappa = 100; see there for
	// the reason), overriding Escape.LossLevel. Escape.EscapeRadius may
	// then be 0.
	LossKappa float64
}

// maxGaussianBatch caps k in GaussianCase's linearized step, which draws k
// fresh components at every step.
const maxGaussianBatch = 1 << 20

// ComparisonRow holds, for one minimizer and batch size k, every step-size
// threshold the library knows, smallest guarantee first:
//
//   - PatelConvergence, PatelDivergence: Theorem 3.8's (18) and (19)–(20)
//     on the exact geometry of the linearization at a homogeneous x*; at an
//     inhomogeneous x*, Theorem 3.12's (34) and the limit γ → 0⁺ of
//     (35)–(36) (which is (19)–(20)) on the same geometry; (34) lies below
//     (18), so both bracket the same C*;
//   - MeanSquare: the exact C*(k); PatelConvergence ≤ MeanSquare ≤
//     PatelDivergence;
//   - WuSharpness = 2/λ_max(H) and WuNonUniformity =
//     √k/√λ_max(E[Q²] − H²): the criteria of Wu, Ma and E (2018);
//     min(WuSharpness, …) is their combined learning-rate limit;
//   - AlmostSure: where the top Lyapunov exponent of the linearized SGD-k
//     crosses 0 (≥ MeanSquare by Jensen), with its Monte Carlo standard
//     error;
//   - Escape: the measured rate at which half the runs escape, with its
//     profile-likelihood confidence interval [EscapeLo, EscapeHi]
//     (EscapeThreshold);
//   - FloorAtHalf: not a threshold but the systematic part, the stationary
//     mean error E[e_∞] of the linearized SGD-k at C = C*(k)/2 (0 at a
//     homogeneous minimizer; NaN when the Case has no NoiseFloor). Compare
//     it with e at the escape radius to see whether noise alone can carry
//     runs out below C*(k);
//   - ExcessAtHalf: the same in loss units, the stationary excess loss
//     E[F(x_∞)] − F(x*) = ½·tr(H S_∞) = FloorAtHalf/2 of the linearized
//     SGD-k at C*(k)/2, to compare with EscapeSettings.LossLevel.
//
// Batch is k (+Inf: gradient descent). Non-computed entries are NaN.
type ComparisonRow struct {
	Case        string
	Batch       float64
	Homogeneous bool

	PatelConvergence, MeanSquare, PatelDivergence float64
	WuSharpness, WuNonUniformity                  float64
	AlmostSure, AlmostSureErr                     float64
	Escape, EscapeLo, EscapeHi                    float64
	FloorAtHalf, ExcessAtHalf                     float64
	// StartExcess is the mean excess loss of the escape runs' start points
	// (computed only with LossKappa, else 0) and LossLevel the loss level of
	// the escape criterion (0 when escape is measured by a radius only).
	StartExcess, LossLevel float64
}

// Compare returns one ComparisonRow per batch size in batches (each ≥ 1, an
// integer or +Inf) for the Case c. Rows are reproducible from the seeds in
// s and independent of the worker counts. Errors name the argument; a Case
// filled by hand is validated first (validateCase: its Geometry as
// thresholds.NewGeometry would accept it, Sharpness and NonUniformity finite
// and nonnegative, MeanSquare and Linear set, a non-empty Minimizer and
// exactly one of Problem and Sampler unless the escape runs are skipped).
func Compare(c *Case, batches []float64, s CompareSettings) ([]ComparisonRow, error) {
	if c == nil {
		return nil, errors.New("stability: case is nil")
	}
	if err := validateCase(c, !s.SkipEscape); err != nil {
		return nil, err
	}
	if (c.Problem == nil) == (c.Sampler == nil) && !s.SkipEscape {
		return nil, errors.New("stability: Case needs exactly one of Problem and Sampler for the escape runs")
	}
	if c.MeanSquare == nil || c.Linear == nil {
		return nil, errors.New("stability: Case.MeanSquare or Case.Linear is nil")
	}
	if !(s.LossKappa >= 0) || math.IsInf(s.LossKappa, 0) {
		return nil, fmt.Errorf("stability: CompareSettings.LossKappa = %v is not finite and nonnegative", s.LossKappa)
	}
	start := 0.0
	if s.LossKappa > 0 && !s.SkipEscape {
		var err error
		if start, _, err = c.StartExcess(s.Escape); err != nil {
			return nil, err
		}
	}
	var rows []ComparisonRow
	for _, k := range batches {
		if !(k >= 1) || (!math.IsInf(k, 1) && k != math.Trunc(k)) {
			return nil, fmt.Errorf("stability: batch size %v, want a positive integer or +Inf", k)
		}
		nan := math.NaN()
		conv := thresholds.Convergence(c.Geometry, k)
		if !c.Homogeneous {
			conv = thresholds.InhomogeneousConvergence(c.Geometry, k)
		}
		row := ComparisonRow{
			Case: c.Name, Batch: k, Homogeneous: c.Homogeneous,
			PatelConvergence: conv,
			PatelDivergence:  thresholds.Divergence(c.Geometry, k),
			WuSharpness:      thresholds.WuSharpness(c.Sharpness),
			WuNonUniformity:  thresholds.WuNonUniformity(c.NonUniformity, k),
			AlmostSure:       nan, AlmostSureErr: nan, Escape: nan, EscapeLo: nan, EscapeHi: nan,
			FloorAtHalf: nan, ExcessAtHalf: nan, StartExcess: start,
		}
		ms, err := c.MeanSquare(k)
		if err != nil {
			return nil, fmt.Errorf("stability: %s, k = %v: %w", c.Name, k, err)
		}
		row.MeanSquare = ms
		if c.Homogeneous {
			row.FloorAtHalf = 0
		} else if c.NoiseFloor != nil {
			if row.FloorAtHalf, err = c.NoiseFloor(ms/2, k); err != nil {
				return nil, fmt.Errorf("stability: %s, k = %v: %w", c.Name, k, err)
			}
		}
		row.ExcessAtHalf = row.FloorAtHalf / 2
		if !s.SkipAlmostSure {
			if math.IsInf(k, 1) {
				// Q̄ = H: γ = log max_l |1 − Cλ_l|, which crosses 0 at 2/λ_1.
				row.AlmostSure, row.AlmostSureErr = 2/c.Geometry.Eigenvalues[0], 0
			} else {
				dim, step, err := c.Linear(k)
				if err != nil {
					return nil, err
				}
				as, err := AlmostSureThreshold(dim, step, ms, s.Lyapunov)
				if err != nil {
					return nil, fmt.Errorf("stability: %s, k = %v: %w", c.Name, k, err)
				}
				row.AlmostSure, row.AlmostSureErr = as.C, as.CErr
			}
		}
		if !s.SkipEscape {
			es := s.Escape
			es.BatchSize = batchInt(k)
			es.From = ms
			es.Bounds = c.Bounds
			if s.LossKappa > 0 {
				es.LossLevel = s.LossKappa * math.Max(start, row.ExcessAtHalf)
				if !(es.LossLevel > 0) || math.IsInf(es.LossLevel, 0) {
					return nil, fmt.Errorf("stability: %s, k = %v: loss level %v from start excess %v and stationary excess %v", c.Name, k, es.LossLevel, start, row.ExcessAtHalf)
				}
			}
			if es.LossLevel > 0 {
				row.LossLevel = es.LossLevel
			}
			var et *EscapeThreshold
			if c.Problem != nil {
				et, err = MeasureEscape(c.Problem, c.Minimizer, es)
			} else {
				et, err = MeasureEscapeSampler(c.Sampler, c.Minimizer, es)
			}
			if err != nil {
				return nil, fmt.Errorf("stability: %s, k = %v: %w", c.Name, k, err)
			}
			row.Escape, row.EscapeLo, row.EscapeHi = et.C, et.Lo, et.Hi
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// StartExcess returns the mean excess loss F(x_0) − F(x*) over the start
// points of the escape runs of s (run i's x_0 uniform in
// B(x*, s.StartRadius), drawn from problems.Stream(s.Seed, i) as
// MeasureEscape does), and its standard error; F as for
// EscapeSettings.LossLevel. It costs s.Runs evaluations of F.
func (c *Case) StartExcess(s EscapeSettings) (mean, se float64, err error) {
	if c == nil {
		return 0, 0, errors.New("stability: case is nil")
	}
	var src any = c.Problem
	if c.Problem == nil {
		src = c.Sampler
	}
	if src == nil {
		return 0, 0, errors.New("stability: Case has neither Problem nor Sampler")
	}
	f, err := lossOf(src)
	if err != nil {
		return 0, 0, err
	}
	if s.EscapeRadius == 0 && s.LossLevel == 0 {
		s.EscapeRadius = s.StartRadius + 1 // not used here
	}
	if s.BatchSize == 0 {
		s.BatchSize = 1
	}
	if s, err = s.resolve(false); err != nil {
		return 0, 0, err
	}
	fstar := f(c.Minimizer)
	ex := make([]float64, s.Runs)
	problems.Parallel(s.Runs, s.Workers, func() func(int) {
		x := make([]float64, len(c.Minimizer))
		return func(i int) {
			problems.BallPoint(x, c.Minimizer, s.StartRadius, problems.Stream(s.Seed, uint64(i)))
			ex[i] = f(x) - fstar
		}
	})
	m, sd := stat.MeanStdDev(ex, nil)
	if s.Runs < 2 {
		sd = 0
	}
	return m, sd / math.Sqrt(float64(s.Runs)), nil
}

// CompareCost is what Compare will spend, known before it runs (Cost).
type CompareCost struct {
	// ProbeGradients[j] is the number of component gradients of one escape
	// probe at batches[j]: Runs × Iterations × k (k = N, the number of
	// components, for gradient descent), plus the loss checks, Runs ×
	// ⌈Iterations/LossStride⌉ × N component evaluations, when LossLevel is
	// set. An online Sampler counts k per step and 0 for the checks.
	ProbeGradients []float64
	// Probes is the expected number of probes per row: about three to
	// bracket the threshold (from C*(k), by factors of 2) and
	// ⌈log₂(ln 2/ln(1 + RelTol))⌉ bisections.
	Probes int
	// LyapunovSteps is the number of linearized steps (each O(k·r²) on an
	// r-dimensional linearization) of one almost-sure row: about 12 probes
	// of Replicates × (Steps + Burn).
	LyapunovSteps float64
	// Gradients is the total expected escape cost, Probes × Σ_j
	// ProbeGradients[j].
	Gradients float64
}

// Cost returns the expected cost of Compare(c, batches, s) (see
// CompareCost), so that a user sees runs × iterations × batch before
// paying it. Errors name the bad argument.
func (s CompareSettings) Cost(c *Case, batches []float64) (CompareCost, error) {
	if c == nil {
		return CompareCost{}, errors.New("stability: case is nil")
	}
	es := s.Escape
	es.From, es.BatchSize = 1, 1
	loss := es.LossLevel > 0 || s.LossKappa > 0
	if es.EscapeRadius == 0 && es.LossLevel == 0 {
		es.EscapeRadius = es.StartRadius + 1 // only the sizes matter here
	}
	es, err := es.resolve(false)
	if err != nil {
		return CompareCost{}, err
	}
	n := 0.0
	if c.Problem != nil {
		n = float64(c.Problem.Len())
	}
	out := CompareCost{Probes: 3 + int(math.Ceil(math.Log2(math.Ln2/math.Log1p(es.RelTol))))}
	for _, k := range batches {
		if !(k >= 1) || (!math.IsInf(k, 1) && k != math.Trunc(k)) {
			return CompareCost{}, fmt.Errorf("stability: batch size %v, want a positive integer or +Inf", k)
		}
		kk := k
		if math.IsInf(k, 1) {
			kk = n
		}
		g := float64(es.Runs) * float64(es.Iterations) * kk
		if loss && c.Problem != nil {
			g += float64(es.Runs) * math.Ceil(float64(es.Iterations)/float64(es.LossStride)) * n
		}
		out.ProbeGradients = append(out.ProbeGradients, g)
		out.Gradients += float64(out.Probes) * g
	}
	if !s.SkipAlmostSure {
		ls, err := s.Lyapunov.resolve()
		if err == nil {
			out.LyapunovSteps = 12 * float64(ls.Replicates) * float64(ls.Steps+ls.Burn)
		}
	}
	if s.SkipEscape {
		out.Gradients = 0
	}
	return out, nil
}

// batchInt converts a batch size k (integer or +Inf) to sgdk.Settings.BatchSize.
func batchInt(k float64) int {
	if math.IsInf(k, 1) {
		return sgdk.FullBatch
	}
	return int(k)
}

// EscapeCase returns the escape fraction of the Case c at learning rate cc
// and batch size k (integer or +Inf) with the settings s (BatchSize and
// Bounds are set from k and c): one cell of a phase diagram over (C, k).
func EscapeCase(c *Case, cc, k float64, s EscapeSettings) (EscapeProbe, error) {
	if c == nil {
		return EscapeProbe{}, errors.New("stability: case is nil")
	}
	s.BatchSize = batchInt(k)
	s.Bounds = c.Bounds
	if c.Problem != nil {
		return EscapeFraction(c.Problem, c.Minimizer, cc, s)
	}
	if c.Sampler != nil {
		return EscapeFractionSampler(c.Sampler, c.Minimizer, cc, s)
	}
	return EscapeProbe{}, errors.New("stability: Case has neither Problem nor Sampler")
}

// validateCase checks the fields of a Case that Compare reads, so that a
// hand-made Case returns an error naming the field instead of panicking.
func validateCase(c *Case, escape bool) error {
	g := c.Geometry
	if len(g.Eigenvalues) == 0 {
		return errors.New("stability: Case.Geometry.Eigenvalues is empty (use thresholds.NewGeometry)")
	}
	prev := math.Inf(1)
	for i, v := range g.Eigenvalues {
		if !(v > 0) || math.IsInf(v, 0) {
			return fmt.Errorf("stability: Case.Geometry.Eigenvalues[%d] = %v is not finite and positive", i, v)
		}
		if v > prev {
			return fmt.Errorf("stability: Case.Geometry.Eigenvalues[%d] = %v is larger than the one before (%v): want descending", i, v, prev)
		}
		prev = v
	}
	if !(g.S >= 0) || math.IsInf(g.S, 0) {
		return fmt.Errorf("stability: Case.Geometry.S = %v is not finite and nonnegative", g.S)
	}
	if !(g.T >= g.S) || math.IsInf(g.T, 0) {
		return fmt.Errorf("stability: Case.Geometry.T = %v is not finite and at least S = %v", g.T, g.S)
	}
	if !(c.Sharpness >= 0) || math.IsInf(c.Sharpness, 0) {
		return fmt.Errorf("stability: Case.Sharpness = %v is not finite and nonnegative", c.Sharpness)
	}
	if !(c.NonUniformity >= 0) || math.IsInf(c.NonUniformity, 0) {
		return fmt.Errorf("stability: Case.NonUniformity = %v is not finite and nonnegative", c.NonUniformity)
	}
	if c.MeanSquare == nil {
		return errors.New("stability: Case.MeanSquare is nil")
	}
	if c.Linear == nil {
		return errors.New("stability: Case.Linear is nil")
	}
	if escape {
		if len(c.Minimizer) == 0 {
			return errors.New("stability: Case.Minimizer is empty")
		}
		if (c.Problem == nil) == (c.Sampler == nil) {
			return errors.New("stability: Case needs exactly one of Problem and Sampler for the escape runs")
		}
	}
	return nil
}
