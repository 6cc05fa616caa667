package sgdk

import (
	"errors"
	"fmt"
	"math"

	"github.com/flatminima/flatminima/problems"
)

// FullBatch is the BatchSize that selects gradient descent, the k = ∞ case of
// SGD-k: every step uses the exact expected gradient ∇F(x_N) (Definition 3.5,
// Theorem 2.1).
const FullBatch = 0

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
// inhomogeneous minimizer (Theorem 3.12). C0 ≥ 0, Tau > 0 and A ≥ 0 must be
// finite; see Validate.
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
	// BatchSize is k ≥ 1, the number of component gradients averaged per
	// step, or FullBatch (0) for gradient descent (k = ∞).
	BatchSize int

	// Step is the step-size schedule C_n; Constant(c) for a fixed step.
	Step StepSize

	// Iterations is the number of steps N ≥ 0.
	Iterations int

	// Bounds, when not nil, is the closed box onto which every iterate is
	// projected (clipped) after its step. nil: unconstrained.
	Bounds *problems.Box

	// WithoutReplacement draws each batch as k distinct indices, uniformly
	// among the k-subsets, instead of k independent draws by weight. It is
	// valid only for uniform weights (equal within 1e-12) and 1 ≤ k ≤ Len;
	// the gradient noise covariance is then multiplied by (N−k)/(N−1) and
	// k = N is gradient descent (effective batch
	// k(N−1)/(N−k); see thresholds.WithoutReplacement). It is ignored when BatchSize is FullBatch.
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
	if s.BatchSize < 0 {
		return fmt.Errorf("sgdk: BatchSize = %d is negative (use FullBatch = 0 for gradient descent)", s.BatchSize)
	}
	if s.Iterations < 0 {
		return fmt.Errorf("sgdk: Iterations = %d is negative", s.Iterations)
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
