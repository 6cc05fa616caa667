package sgdk

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/flatminima/flatminima/problems"
)

// Recorder observes a run: Run calls it with iter = 0 and the starting point,
// then after every completed step n with iter = n and the iterate x_n. x is
// Run's working buffer: the recorder must not modify or retain it (copy what
// it needs). Returning false stops the run after that iterate
// (Result.Stopped). It is not called with a non-finite iterate. A nil
// Recorder records nothing.
type Recorder func(iter int, x []float64) bool

// Result is the outcome of Run.
type Result struct {
	// X is the last finite iterate, x_Iterations.
	X []float64

	// Iterations is the number of steps completed.
	Iterations int

	// Diverged reports whether a step produced a non-finite iterate; the run
	// then stopped, and X is the iterate before that step.
	Diverged bool

	// DivergedAt is the iteration n whose iterate x_n would have been
	// non-finite (Iterations = DivergedAt − 1); 0 when the run did not diverge.
	DivergedAt int

	// Stopped reports whether the Recorder ended the run early.
	Stopped bool
}

// Run runs SGD-k on p from x0 with settings s,
//
//	x_{N+1} = Proj( x_N − (C_{N+1}/k) Σ_{j=1..k} ∇f_{ξ_{N,j}}(x_N) ),
//
// eq. (8) and (48) with the paper's misprints corrected (the batch of step N
// is ξ_{N,1..k}, the indices Nk+1..(N+1)k, not Nk+1..N(k+1), and the summand
// is the whole gradient (Q_jx_N + r_j) in (8)). The ξ are drawn
// independently with P(ξ = i) = p.Weight(i) (with replacement: by the alias
// table problems.Alias when k ≤ p.Len(), and as the batch's multinomial
// counts (c_1, …, c_N), the step taking Σ_i c_i ∇f_i(x_N), when k > p.Len(),
// so that no step costs more than p.Len() gradients) or, with
// s.WithoutReplacement, as k distinct indices. With
// s.BatchSize = FullBatch the step uses the exact ∇F(x_N): p's ExpectedGrad
// when p implements problems.ExpectedGrader, else Σ_i p_i ∇f_i(x_N). Proj is
// the projection onto s.Bounds, or the identity when it is nil.
//
// rnd supplies every random draw and may be nil only for FullBatch. x0 is not
// modified. rec, if not nil, is called at every iterate (see Recorder).
//
// A step whose iterate is not finite ends the run: Result.Diverged is true,
// DivergedAt names the iteration and X holds the last finite iterate; this is
// not an error. Run returns an error naming the argument for a nil problem, a
// problem with no components or weights that are not positive or do not sum
// to 1 (within 1e-9), len(x0) ≠ p.Dim(), a non-finite x0, BatchSize 0 (the
// forgotten field; FullBatch asks for gradient descent), negative other than
// FullBatch or above MaxBatchSize, Iterations < 0 or above MaxIterations, a
// nil or invalid Step, Bounds of the wrong dimension, nil
// rnd with a finite batch, and WithoutReplacement with non-uniform weights
// or BatchSize > p.Len(). A step value C_n that is negative or not finite
// ends the run with an error naming Step and n, and the Result so far.
//
// Run allocates O(p.Len() + p.Dim()) once and nothing per iteration (when
// the components' Grad methods do not allocate; those of package problems do
// not).
func Run(p problems.Problem, x0 []float64, s Settings, rnd *rand.Rand, rec Recorder) (Result, error) {
	pl, err := newSGDPlan(p, s)
	if err != nil {
		return Result{}, err
	}
	if err := checkStart(x0, pl.dim, "x0"); err != nil {
		return Result{}, err
	}
	if rnd == nil && pl.k != FullBatch {
		return Result{}, fmt.Errorf("sgdk: rnd is nil with BatchSize = %d (only FullBatch needs no randomness)", pl.k)
	}
	x := append([]float64(nil), x0...)
	return pl.run(pl.newWork(), x, rnd, rec)
}

// checkStart returns an error naming name unless x has length dim and finite
// entries.
func checkStart(x []float64, dim int, name string) error {
	if len(x) != dim {
		return fmt.Errorf("sgdk: len(%s) = %d, problem Dim() = %d", name, len(x), dim)
	}
	for d, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("sgdk: %s[%d] = %v is not finite", name, d, v)
		}
	}
	return nil
}

// run iterates from x (modified in place, returned as Result.X) with the
// scratch w.
func (pl *sgdPlan) run(w *sgdWork, x []float64, rnd *rand.Rand, rec Recorder) (Result, error) {
	res := Result{X: x}
	if w.perm != nil {
		resetPerm(w.perm)
	}
	if rec != nil && !rec(0, x) {
		res.Stopped = true
		return res, nil
	}
	for n := 1; n <= pl.s.Iterations; n++ {
		c, err := checkStep(pl.s.Step, n)
		if err != nil {
			return res, err
		}
		if !pl.step(w, x, c, rnd) {
			res.Diverged = true
			res.DivergedAt = n
			return res, nil
		}
		res.Iterations = n
		if rec != nil && !rec(n, x) {
			res.Stopped = true
			return res, nil
		}
	}
	return res, nil
}
