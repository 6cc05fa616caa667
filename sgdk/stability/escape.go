package stability

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
)

// EscapeSettings controls MeasureEscape and EscapeFraction. The zero value of
// a field means its documented default; negative or NaN values are errors.
type EscapeSettings struct {
	// BatchSize is k ≥ 1, or sgdk.FullBatch for gradient descent.
	BatchSize int
	// StartRadius is r: every run starts uniformly in B(x*, r) (Definition 3.14
	// sampling). Zero starts at x* itself (only useful for an inhomogeneous
	// x*, where the noise moves the iterates).
	StartRadius float64
	// EscapeRadius is R > r: a run escapes when an iterate is farther than R
	// from x*, touches the boundary of Bounds, or overflows. With LossLevel
	// set it may be 0 (no radius test).
	EscapeRadius float64
	// LossLevel, if positive, adds the loss criterion: a run escapes when
	// its excess loss F(x) − F(x*) exceeds LossLevel (in the units of F).
	// Unlike a radius it is defined by the model: it needs no barrier and
	// it is invariant under reparameterizations of x. F is the problem's
	// ExpectedFunc when it has one (problems.Objective's Func otherwise;
	// a Sampler must have ExpectedFunc). DefaultLossLevel gives the
	// recommended level.
	LossLevel float64
	// LossStride is the number of iterations between two loss checks
	// (default DefaultLossStride); the last iterate is always checked. A
	// check evaluates F, a full pass over the N components, against the k
	// component gradients of one step, so checking every step would
	// multiply the cost of a run by about 1 + N/k.
	LossStride int
	// Iterations is the budget n ≥ 1 of every run.
	Iterations int
	// Runs is the number of runs per probed learning rate (default 64).
	Runs int
	// Bounds, if not nil, is the box of the problem (iterates are
	// projected onto it; touching its boundary counts as an escape).
	Bounds *problems.Box
	// Seed selects the random streams: run i uses
	// problems.Stream(Seed, i) for its start point and
	// then its batches, at every probed C (common random numbers).
	Seed uint64
	// Workers is the number of goroutines (default GOMAXPROCS); results do
	// not depend on it.
	Workers int
	// From is the first learning rate probed by MeasureEscape (required,
	// > 0); a threshold estimate such as the mean-square C*(k) saves probes.
	From float64
	// RelTol is the bisection tolerance: MeasureEscape stops when the
	// bracket satisfies Hi/Lo ≤ 1 + RelTol (default 0.02).
	RelTol float64
	// Level is the confidence level of the threshold's profile-likelihood
	// interval and of every probe's Wilson interval (default 0.95).
	Level float64
}

func (s EscapeSettings) resolve(search bool) (EscapeSettings, error) {
	if err := sgdk.CheckBatchSize(s.BatchSize, "EscapeSettings.BatchSize"); err != nil {
		return s, err
	}
	switch {
	case !(s.StartRadius >= 0) || math.IsInf(s.StartRadius, 0):
		return s, fmt.Errorf("stability: EscapeSettings.StartRadius = %v is not finite and nonnegative", s.StartRadius)
	case !(s.LossLevel >= 0) || math.IsInf(s.LossLevel, 0):
		return s, fmt.Errorf("stability: EscapeSettings.LossLevel = %v is not finite and nonnegative", s.LossLevel)
	case s.LossStride < 0:
		return s, fmt.Errorf("stability: EscapeSettings.LossStride = %d is negative", s.LossStride)
	case s.LossLevel > 0 && s.EscapeRadius == 0:
		// Loss criterion alone.
	case !(s.EscapeRadius > s.StartRadius) || math.IsInf(s.EscapeRadius, 0):
		return s, fmt.Errorf("stability: EscapeSettings.EscapeRadius = %v must be finite and exceed StartRadius = %v", s.EscapeRadius, s.StartRadius)
	case s.Iterations < 1:
		return s, fmt.Errorf("stability: EscapeSettings.Iterations = %d, want at least 1", s.Iterations)
	case s.Runs < 0:
		return s, fmt.Errorf("stability: EscapeSettings.Runs = %d is negative", s.Runs)
	case s.Workers < 0:
		return s, fmt.Errorf("stability: EscapeSettings.Workers = %d is negative", s.Workers)
	case !(s.RelTol >= 0) || math.IsInf(s.RelTol, 0):
		return s, fmt.Errorf("stability: EscapeSettings.RelTol = %v is not finite and nonnegative", s.RelTol)
	case !(s.Level >= 0 && s.Level < 1):
		return s, fmt.Errorf("stability: EscapeSettings.Level = %v, want 0 < Level < 1", s.Level)
	case search && (!(s.From > 0) || math.IsInf(s.From, 0)):
		return s, fmt.Errorf("stability: EscapeSettings.From = %v is not finite and positive", s.From)
	}
	if s.Runs == 0 {
		s.Runs = 64
	}
	if s.LossStride == 0 {
		s.LossStride = DefaultLossStride
	}
	if s.RelTol == 0 {
		s.RelTol = 0.02
	}
	if s.Level == 0 {
		s.Level = 0.95
	}
	if s.Workers == 0 {
		s.Workers = runtime.GOMAXPROCS(0)
	}
	return s, nil
}

// EscapeProbe is the outcome of Runs runs at one learning rate C: the
// number and fraction that escaped, and the Wilson score interval [Lo, Hi]
// of the escape probability at the settings' Level.
type EscapeProbe struct {
	C             float64
	Escaped, Runs int
	Fraction      float64
	Lo, Hi        float64
}

// EscapeThreshold is a measured escape threshold: the learning rate C at
// which half of the runs escape ("empirical threshold").
type EscapeThreshold struct {
	// C estimates C_½: the rate at which a logistic curve in log C, fitted
	// by maximum likelihood to every probe, crosses ½ (see Lo, Hi). 0 when
	// half of the runs escaped at every probed rate down to From·2^−60,
	// +Inf when no probed rate up to From·2^60 made half of them escape.
	C float64
	// Lo and Hi are the profile-likelihood confidence interval of C_½ at
	// the settings' Level: the logistic model
	// P(escape at C) = σ(b·(log C − log C_½)) is fitted to the runs'
	// interval-censored thresholds (run i escapes above its own c_i, since
	// every probe reuses run i's random stream), and [Lo, Hi] is the set of
	// C_½ whose profile log-likelihood lies within χ²_1(Level)/2 of the
	// maximum. Lo = 0 or Hi = +Inf where the probes do not bound C_½ on
	// that side (and both bracket a C of 0 or +Inf).
	Lo, Hi float64
	// Scale is the fitted logistic scale 1/b in log C: the escape fraction
	// goes from about 27% to 73% between C·e^−Scale and C·e^Scale. NaN
	// when C is 0 or +Inf.
	Scale float64
	// Probes lists every probe in the order made.
	Probes []EscapeProbe
}

// MeasureEscape measures the escape threshold of SGD-k with constant step C
// at the minimizer xstar of p: the C at which half of s.Runs runs, started
// uniformly in B(x*, StartRadius), leave B(x*, EscapeRadius) (or touch the
// box, or overflow) within s.Iterations steps. It probes s.From, scans by
// factors of 2 (down if half or more escaped, else up) until the escape
// fraction crosses ½, then bisects on log C until Hi/Lo ≤ 1 + RelTol.
// Every probe reuses the same random streams (run i always has the same
// start and the same batch indices), so the fraction is a step function of
// C with little noise between probes and the result is a function of the
// settings alone (reproducible from Seed, independent of Workers). The
// estimate and its confidence interval come from a logistic fit over all
// probes (EscapeThreshold). Errors name the bad argument.
func MeasureEscape(p problems.Problem, xstar []float64, s EscapeSettings) (*EscapeThreshold, error) {
	s, err := s.resolve(true)
	if err != nil {
		return nil, err
	}
	f, err := problemEscaper(p, xstar, s)
	if err != nil {
		return nil, err
	}
	return searchEscape(f, s)
}

// MeasureEscapeSampler is MeasureEscape for a problems.Sampler, run online
// with sgdk.RunSampler (fresh components every step).
func MeasureEscapeSampler(smp problems.Sampler, xstar []float64, s EscapeSettings) (*EscapeThreshold, error) {
	s, err := s.resolve(true)
	if err != nil {
		return nil, err
	}
	f, err := samplerEscaper(smp, xstar, s)
	if err != nil {
		return nil, err
	}
	return searchEscape(f, s)
}

// EscapeFraction runs s.Runs runs at the learning rate c (see MeasureEscape
// for the runs, the streams and the escape rule) and returns the probe.
// s.From and s.RelTol are not used.
func EscapeFraction(p problems.Problem, xstar []float64, c float64, s EscapeSettings) (EscapeProbe, error) {
	s, err := s.resolve(false)
	if err != nil {
		return EscapeProbe{}, err
	}
	if !(c >= 0) || math.IsInf(c, 0) {
		return EscapeProbe{}, fmt.Errorf("stability: c = %v is not finite and nonnegative", c)
	}
	f, err := problemEscaper(p, xstar, s)
	if err != nil {
		return EscapeProbe{}, err
	}
	pr, _, err := f(c)
	return pr, err
}

// EscapeFractionSampler is EscapeFraction for a problems.Sampler (online).
func EscapeFractionSampler(smp problems.Sampler, xstar []float64, c float64, s EscapeSettings) (EscapeProbe, error) {
	s, err := s.resolve(false)
	if err != nil {
		return EscapeProbe{}, err
	}
	if !(c >= 0) || math.IsInf(c, 0) {
		return EscapeProbe{}, fmt.Errorf("stability: c = %v is not finite and nonnegative", c)
	}
	f, err := samplerEscaper(smp, xstar, s)
	if err != nil {
		return EscapeProbe{}, err
	}
	pr, _, err := f(c)
	return pr, err
}

// escaper runs the probe at c and returns it with each run's outcome.
type escaper func(c float64) (EscapeProbe, []bool, error)

// DefaultLossStride is the default EscapeSettings.LossStride: with the
// budgets of a few hundred steps used here a run that becomes unstable
// keeps growing, so checking every 10th iterate (and the last) finds it at
// a tenth of the cost of checking every step.
const DefaultLossStride = 10

// DefaultLossKappa is κ of DefaultLossLevel.
const DefaultLossKappa = 100

// DefaultLossLevel returns the recommended EscapeSettings.LossLevel,
// κ·max(startExcess, floorExcess) with κ = DefaultLossKappa = 100:
// startExcess is the mean excess loss F(x_0) − F(x*) of the start
// distribution, floorExcess the stationary excess loss of the linearized
// SGD-k at C*(k)/2 (Case.ExcessFloor; 0 at a homogeneous minimizer). A
// run below the threshold fluctuates at the larger of the two; a level two
// orders of magnitude above both is not reached by those fluctuations
// (the excess loss of a stable run is concentrated near its mean), while an
// unstable run, whose excess loss grows geometrically, crosses it within
// log(100)/γ steps. A level set by a radius would instead depend on the
// parameterization and, at a convex minimizer with no barrier, on an
// arbitrary choice. It returns NaN when both inputs are 0 or either is
// negative or not finite.
func DefaultLossLevel(startExcess, floorExcess float64) float64 {
	if !(startExcess >= 0) || !(floorExcess >= 0) || math.IsInf(startExcess, 0) || math.IsInf(floorExcess, 0) {
		return math.NaN()
	}
	m := math.Max(startExcess, floorExcess)
	if m == 0 {
		return math.NaN()
	}
	return DefaultLossKappa * m
}

// expectedFuncer is a problem or sampler with a closed-form F.
type expectedFuncer interface {
	ExpectedFunc(x []float64) float64
}

// lossOf returns F for the loss criterion: src's ExpectedFunc, else (for a
// problems.Problem) the weighted sum of its components.
func lossOf(src any) (func(x []float64) float64, error) {
	if f, ok := src.(expectedFuncer); ok {
		return f.ExpectedFunc, nil
	}
	if p, ok := src.(problems.Problem); ok {
		return problems.Objective(p).Func, nil
	}
	return nil, errors.New("stability: EscapeSettings.LossLevel needs F: the sampler has no ExpectedFunc method")
}

// escapeRecorder returns a sgdk.Recorder that stops a run when it escapes.
// loss is F (nil when the loss criterion is off) and fstar = F(x*).
func escapeRecorder(xstar []float64, s EscapeSettings, loss func([]float64) float64, fstar float64) sgdk.Recorder {
	return func(iter int, x []float64) bool {
		if iter == 0 {
			return true
		}
		if s.EscapeRadius > 0 && floats.Distance(x, xstar, 2) > s.EscapeRadius {
			return false
		}
		if loss != nil && (iter%s.LossStride == 0 || iter == s.Iterations) {
			if f := loss(x) - fstar; !(f <= s.LossLevel) {
				return false
			}
		}
		return s.Bounds == nil || !s.Bounds.OnBoundary(x)
	}
}

// lossCriterion returns F and F(x*) when s.LossLevel > 0, else nil.
func lossCriterion(src any, xstar []float64, s EscapeSettings) (func([]float64) float64, float64, error) {
	if s.LossLevel == 0 {
		return nil, 0, nil
	}
	f, err := lossOf(src)
	if err != nil {
		return nil, 0, err
	}
	return f, f(xstar), nil
}

func problemEscaper(p problems.Problem, xstar []float64, s EscapeSettings) (escaper, error) {
	if p == nil {
		return nil, errors.New("stability: problem is nil")
	}
	return newEscaper(p.Dim(), p, xstar, s, func(x []float64, set sgdk.Settings, rnd *rand.Rand, rec sgdk.Recorder) (sgdk.Result, error) {
		return sgdk.Run(p, x, set, rnd, rec)
	})
}

// samplerEscaper is problemEscaper for online SGD on a population: every
// step draws fresh components from smp (sgdk.RunSampler).
func samplerEscaper(smp problems.Sampler, xstar []float64, s EscapeSettings) (escaper, error) {
	if smp == nil {
		return nil, errors.New("stability: sampler is nil")
	}
	return newEscaper(smp.Dim(), smp, xstar, s, func(x []float64, set sgdk.Settings, rnd *rand.Rand, rec sgdk.Recorder) (sgdk.Result, error) {
		return sgdk.RunSampler(smp, x, set, rnd, rec)
	})
}

// newEscaper checks xstar against dim, prepares the escape criterion (the
// loss of src, when s asks for one) and returns the probe at a learning
// rate, whose runs run makes.
func newEscaper(dim int, src any, xstar []float64, s EscapeSettings, run func(x []float64, set sgdk.Settings, rnd *rand.Rand, rec sgdk.Recorder) (sgdk.Result, error)) (escaper, error) {
	if err := checkVec(xstar, dim, "xstar"); err != nil {
		return nil, err
	}
	loss, fstar, err := lossCriterion(src, xstar, s)
	if err != nil {
		return nil, err
	}
	rec := escapeRecorder(xstar, s, loss, fstar)
	return func(c float64) (EscapeProbe, []bool, error) {
		set := sgdk.Settings{BatchSize: s.BatchSize, Step: sgdk.Constant(c), Iterations: s.Iterations, Bounds: s.Bounds}
		return probeRuns(c, xstar, s, func(x []float64, rnd *rand.Rand) (sgdk.Result, error) {
			return run(x, set, rnd, rec)
		})
	}, nil
}

// probeRuns runs s.Runs runs at learning rate c with run: run i starts at a
// point drawn uniformly in B(x*, StartRadius) from its stream
// problems.Stream(s.Seed, i), which then drives its batches (common random
// numbers across probes), and counts the runs that stopped early (escaped)
// or diverged. It also returns which runs escaped.
func probeRuns(c float64, xstar []float64, s EscapeSettings, run func(x []float64, rnd *rand.Rand) (sgdk.Result, error)) (EscapeProbe, []bool, error) {
	esc := make([]bool, s.Runs)
	errs := make([]error, s.Runs)
	problems.Parallel(s.Runs, s.Workers, func() func(int) {
		x := make([]float64, len(xstar))
		return func(i int) {
			rnd := problems.Stream(s.Seed, uint64(i))
			problems.BallPoint(x, xstar, s.StartRadius, rnd)
			r, err := run(x, rnd)
			errs[i] = err
			esc[i] = r.Stopped || r.Diverged
		}
	})
	return newEscapeProbe(c, esc, errs, s.Level)
}

func newEscapeProbe(c float64, esc []bool, errs []error, level float64) (EscapeProbe, []bool, error) {
	for _, err := range errs {
		if err != nil {
			return EscapeProbe{}, nil, err
		}
	}
	n := 0
	for _, e := range esc {
		if e {
			n++
		}
	}
	lo, hi := Wilson(n, len(esc), level)
	return EscapeProbe{C: c, Escaped: n, Runs: len(esc), Fraction: float64(n) / float64(len(esc)), Lo: lo, Hi: hi}, esc, nil
}

// Wilson returns the Wilson score interval for a binomial proportion with
// successes out of n trials at confidence level (0 < level < 1). It returns
// NaNs for n < 1, successes outside [0, n] or a bad level.
func Wilson(successes, n int, level float64) (lo, hi float64) {
	if n < 1 || successes < 0 || successes > n || !(level > 0 && level < 1) {
		return math.NaN(), math.NaN()
	}
	z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	nf := float64(n)
	ph := float64(successes) / nf
	z2 := z * z
	den := 1 + z2/nf
	center := (ph + z2/(2*nf)) / den
	half := z / den * math.Sqrt(ph*(1-ph)/nf+z2/(4*nf*nf))
	return math.Max(0, center-half), math.Min(1, center+half)
}

func searchEscape(f escaper, s EscapeSettings) (*EscapeThreshold, error) {
	res := &EscapeThreshold{Scale: math.NaN()}
	var outcomes [][]bool
	probe := func(c float64) (EscapeProbe, error) {
		pr, esc, err := f(c)
		if err == nil {
			res.Probes = append(res.Probes, pr)
			outcomes = append(outcomes, esc)
		}
		return pr, err
	}
	first, err := probe(s.From)
	if err != nil {
		return nil, err
	}
	lo, hi := first, first
	found := false
	if first.Fraction >= 0.5 {
		for j := 1; j <= 60; j++ {
			pr, err := probe(s.From / math.Pow(2, float64(j)))
			if err != nil {
				return nil, err
			}
			if pr.Fraction < 0.5 {
				lo, found = pr, true
				break
			}
			hi = pr
		}
		if !found {
			// Half escape even at a vanishing rate: the start ball is
			// already unstable (for example an inhomogeneous x* whose noise
			// floor exceeds EscapeRadius).
			res.C, res.Lo, res.Hi = 0, 0, hi.C
			return res, nil
		}
	} else {
		for j := 1; j <= 60; j++ {
			pr, err := probe(s.From * math.Pow(2, float64(j)))
			if err != nil {
				return nil, err
			}
			if pr.Fraction >= 0.5 {
				hi, found = pr, true
				break
			}
			lo = pr
		}
		if !found {
			res.C, res.Lo, res.Hi = math.Inf(1), lo.C, math.Inf(1)
			return res, nil
		}
	}
	for hi.C/lo.C > 1+s.RelTol {
		pr, err := probe(math.Sqrt(lo.C * hi.C))
		if err != nil {
			return nil, err
		}
		if pr.Fraction >= 0.5 {
			hi = pr
		} else {
			lo = pr
		}
	}
	cs := make([]float64, len(res.Probes))
	for i, pr := range res.Probes {
		cs[i] = pr.C
	}
	fit := fitEscape(cs, outcomes, s.Level)
	res.C, res.Lo, res.Hi, res.Scale = fit.c, fit.lo, fit.hi, fit.scale
	return res, nil
}
