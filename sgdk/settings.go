package sgdk

import (
	"errors"
	"fmt"
	"math"

	"github.com/flatminima/flatminima/problems"
)

// FullBatch is the BatchSize that selects gradient descent, the k = ∞ case of
// SGD-k: every step uses the exact expected gradient ∇F(x_N) (Definition 3.5,
// Theorem 2.1). It is negative so that a forgotten BatchSize (the zero value)
// is an error rather than a silent switch to gradient descent.
const FullBatch = -1

// Caps on the work one run may be asked for. They stop a typo from hanging a
// program; each is far beyond what a run of SGD-k needs.
const (
	// MaxBatchSize is the largest BatchSize, 2^53: every k up to it, and
	// every count of a batch, is exactly a float64. With replacement a batch
	// larger than the number of components costs O(Len) per step whatever
	// k is (see Run), so no smaller cap is needed.
	MaxBatchSize = 1 << 53

	// MaxIterations is the largest Iterations, 2^40 (about 1.1·10^12 steps):
	// every step index n is exactly a float64 for the schedules, and the
	// step counter cannot overflow.
	MaxIterations = 1 << 40
)

// StepSize is a deterministic step-size schedule C_1, C_2, … of SGD-k.
// Step(n) returns C_n, the step used to compute x_n from x_{n−1}, for
// n = 1, 2, …; that is, x_{N+1} uses C_{N+1} as in (8) and (48). A
// schedule must return a finite, nonnegative number for every n that a run
// reaches (Run returns an error naming Step and n otherwise) and must be safe
// for concurrent use when it is used by an Ensemble.
type StepSize interface {
	Step(n int) float64
}

// Compile-time checks that the schedules implement StepSize.
var (
	_ StepSize = Constant(0)
	_ StepSize = Decay{}
	_ StepSize = StepFunc(nil)
)

// Constant is the constant schedule C_n = C for every n, the setting of
// Theorems 2.1, 3.8 and 3.12.
type Constant float64

// Step returns c for every n.
func (c Constant) Step(n int) float64 { return float64(c) }

// Validate returns an error unless c is finite and nonnegative.
func (c Constant) Validate() error {
	v := float64(c)
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("sgdk: Step = Constant(%v) is not finite and nonnegative", v)
	}
	return nil
}

// Decay is the decaying schedule C_n = C0/(1 + n/Tau)^A, n = 1, 2, …
// (C0 is the formula's value at n = 0, so the first step is
// C_1 = C0/(1 + 1/Tau)^A). With A ∈ (1/2, 1] it satisfies Σ C_n = ∞ and
// Σ C_n² < ∞, the classical conditions under which SGD-k settles at an
// inhomogeneous minimizer (H. Robbins and S. Monro, "A stochastic
// approximation method", Annals of Mathematical Statistics 22(3), 1951).
// C0 ≥ 0, Tau > 0 and A ≥ 0 must be finite; see Validate.
type Decay struct {
	C0, Tau, A float64
}

// Step returns C0/(1 + n/Tau)^A.
func (d Decay) Step(n int) float64 {
	return d.C0 / math.Pow(1+float64(n)/d.Tau, d.A)
}

// Validate returns an error naming the bad field unless C0 ≥ 0, Tau > 0 and
// A ≥ 0 are all finite.
func (d Decay) Validate() error {
	switch {
	case !(d.C0 >= 0) || math.IsInf(d.C0, 1):
		return fmt.Errorf("sgdk: Decay.C0 = %v is not finite and nonnegative", d.C0)
	case !(d.Tau > 0) || math.IsInf(d.Tau, 1):
		return fmt.Errorf("sgdk: Decay.Tau = %v is not finite and positive", d.Tau)
	case !(d.A >= 0) || math.IsInf(d.A, 1):
		return fmt.Errorf("sgdk: Decay.A = %v is not finite and nonnegative", d.A)
	}
	return nil
}

// StepFunc adapts a function to the StepSize interface: C_n = f(n).
type StepFunc func(n int) float64

// Step returns f(n).
func (f StepFunc) Step(n int) float64 { return f(n) }

// Settings configures one run of SGD-k (Definition 3.5, eq. (8) corrected).
type Settings struct {
	// BatchSize is k, 1 ≤ k ≤ MaxBatchSize, the number of component
	// gradients averaged per step, or FullBatch (−1) for gradient descent
	// (k = ∞). Its zero value is an error: a Settings literal must say which
	// batch size it means.
	BatchSize int

	// Step is the step-size schedule C_n; Constant(c) for a fixed step.
	Step StepSize

	// Iterations is the number of steps N, 0 ≤ N ≤ MaxIterations.
	Iterations int

	// Bounds, when not nil, is the closed box onto which every iterate is
	// projected (clipped) after its step. nil: unconstrained.
	Bounds *problems.Box

	// WithoutReplacement draws each batch as k distinct indices, uniformly
	// among the k-subsets, instead of k independent draws by weight. It is
	// valid only for uniform weights (equal within 1e-12) and 1 ≤ k ≤ Len;
	// the gradient noise covariance is then multiplied by (N−k)/(N−1) and
	// k = N is gradient descent, so every threshold of the paper applies with
	// the effective batch size k(N−1)/(N−k) (thresholds.WithoutReplacement).
	// It is ignored when BatchSize is FullBatch.
	WithoutReplacement bool
}

// stepValidator is implemented by schedules that can check their parameters
// before a run (Constant, Decay).
type stepValidator interface {
	Validate() error
}

// validateSettings checks s for problem p and returns an error naming the bad
// field or argument.
func validateSettings(p problems.Problem, s Settings) error {
	if p == nil {
		return errors.New("sgdk: problem is nil")
	}
	if p.Dim() < 1 {
		return fmt.Errorf("sgdk: problem Dim() = %d is not positive", p.Dim())
	}
	if p.Len() < 1 {
		return fmt.Errorf("sgdk: problem Len() = %d is not positive", p.Len())
	}
	if err := validateCommon(p.Dim(), "problem", s); err != nil {
		return err
	}
	n := p.Len()
	sum := 0.0
	for i := 0; i < n; i++ {
		w := p.Weight(i)
		if !(w > 0) || math.IsInf(w, 1) {
			return fmt.Errorf("sgdk: problem Weight(%d) = %v is not finite and positive", i, w)
		}
		sum += w
	}
	if math.Abs(sum-1) > weightSumTol {
		return fmt.Errorf("sgdk: problem weights sum to %v, not 1", sum)
	}
	if s.WithoutReplacement && s.BatchSize != FullBatch {
		if s.BatchSize > n {
			return fmt.Errorf("sgdk: BatchSize = %d exceeds problem Len() = %d, impossible without replacement", s.BatchSize, n)
		}
		w0 := p.Weight(0)
		for i := 1; i < n; i++ {
			if math.Abs(p.Weight(i)-w0) > 1e-12 {
				return fmt.Errorf("sgdk: WithoutReplacement needs uniform weights, but Weight(0) = %v and Weight(%d) = %v", w0, i, p.Weight(i))
			}
		}
	}
	return nil
}

// validateCommon checks the fields of s that do not depend on a finite
// index set: batch size, iterations, step schedule and bounds of dimension
// dim; what names the caller's problem ("problem" or "sampler") in errors.
func validateCommon(dim int, what string, s Settings) error {
	if err := CheckBatchSize(s.BatchSize, "BatchSize"); err != nil {
		return err
	}
	if err := checkIterations(s.Iterations, "Iterations"); err != nil {
		return err
	}
	if s.Step == nil {
		return errors.New("sgdk: Step is nil")
	}
	if f, ok := s.Step.(StepFunc); ok && f == nil {
		return errors.New("sgdk: Step is a nil StepFunc")
	}
	if v, ok := s.Step.(stepValidator); ok {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	if s.Bounds != nil {
		if err := s.Bounds.Validate(); err != nil {
			return fmt.Errorf("sgdk: Bounds: %w", err)
		}
		if s.Bounds.Dim() != dim {
			return fmt.Errorf("sgdk: Bounds has dimension %d, %s Dim() = %d", s.Bounds.Dim(), what, dim)
		}
	}
	return nil
}

// checkBatchSize returns an error naming field unless k is FullBatch or
// 1 ≤ k ≤ MaxBatchSize.
func CheckBatchSize(k int, field string) error {
	switch {
	case k == 0:
		return fmt.Errorf("sgdk: %s = 0: set a batch size k ≥ 1, or %s: sgdk.FullBatch for gradient descent", field, field)
	case k < 0 && k != FullBatch:
		return fmt.Errorf("sgdk: %s = %d is negative and not FullBatch (−1, gradient descent)", field, k)
	case k > MaxBatchSize:
		return fmt.Errorf("sgdk: %s = %d exceeds MaxBatchSize = 2^53", field, k)
	}
	return nil
}

// checkIterations returns an error naming field unless
// 0 ≤ n ≤ MaxIterations.
func checkIterations(n int, field string) error {
	switch {
	case n < 0:
		return fmt.Errorf("sgdk: %s = %d is negative", field, n)
	case n > MaxIterations:
		return fmt.Errorf("sgdk: %s = %d exceeds MaxIterations = 2^40", field, n)
	}
	return nil
}

// weightSumTol is the tolerance on |Σ p_i − 1| that Run accepts.
const weightSumTol = 1e-9

// checkStep returns C_n or an error if it is not finite and nonnegative.
func checkStep(step StepSize, n int) (float64, error) {
	c := step.Step(n)
	if !(c >= 0) || math.IsInf(c, 1) {
		return c, fmt.Errorf("sgdk: Step(%d) = %v at iteration %d is not finite and nonnegative", n, c, n)
	}
	return c, nil
}
