package sgdk

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"

	"github.com/flatminima/flatminima/problems"
)

// RunSampler runs online SGD-k on the population of a problems.Sampler:
// every step draws k fresh components with smp.Sample(rnd) and takes
//
//	x_{N+1} = Proj( x_N − (C_{N+1}/k) Σ_{j=1..k} ∇f_{ξ_{N,j}}(x_N) ),
//
// the iteration of Run (eq. (8) corrected) with the finite mixture replaced
// by the sampler's law; no sample is ever reused. With s.BatchSize =
// FullBatch the step uses the exact ∇F(x_N), which needs smp to implement
// problems.ExpectedGrader (GaussianLeastSquares does); otherwise that is an
// error. s.WithoutReplacement has no meaning for a population and is an
// error. Recorder, Result, divergence and projection behave as in Run.
// Each step allocates whatever smp.Sample allocates (one component). A nil
// component from smp.Sample is an error (naming smp), returned with the
// result so far. Unlike Run, a step costs k draws whatever k is (a
// population has no counts to draw), so BatchSize·Iterations above 2^34
// draws is an error naming both fields.
//
// To run the finite-sample (empirical) version instead, use Run on
// problems.SampledProblem(smp, n, seed); see problems.Sampler.
func RunSampler(smp problems.Sampler, x0 []float64, s Settings, rnd *rand.Rand, rec Recorder) (Result, error) {
	if smp == nil {
		return Result{}, errors.New("sgdk: sampler is nil")
	}
	dim := smp.Dim()
	if dim < 1 {
		return Result{}, fmt.Errorf("sgdk: sampler Dim() = %d is not positive", dim)
	}
	if err := validateSamplerSettings(dim, s); err != nil {
		return Result{}, err
	}
	var exp problems.ExpectedGrader
	if s.BatchSize == FullBatch {
		eg, ok := smp.(problems.ExpectedGrader)
		if !ok {
			return Result{}, errors.New("sgdk: BatchSize = FullBatch needs a sampler that implements problems.ExpectedGrader")
		}
		exp = eg
	} else if rnd == nil {
		return Result{}, fmt.Errorf("sgdk: rnd is nil with BatchSize = %d", s.BatchSize)
	}
	if err := checkStart(x0, dim, "x0"); err != nil {
		return Result{}, err
	}
	x := append([]float64(nil), x0...)
	dir := make([]float64, dim)
	tmp := make([]float64, dim)
	next := make([]float64, dim)
	res := Result{X: x}
	if rec != nil && !rec(0, x) {
		res.Stopped = true
		return res, nil
	}
	for n := 1; n <= s.Iterations; n++ {
		c, err := checkStep(s.Step, n)
		if err != nil {
			return res, err
		}
		scale := c
		if exp != nil {
			exp.ExpectedGrad(dir, x)
		} else {
			clear(dir)
			for range s.BatchSize {
				comp := smp.Sample(rnd)
				if comp == nil {
					return res, fmt.Errorf("sgdk: sampler (smp) returned a nil component at iteration %d", n)
				}
				comp.Grad(tmp, x)
				floats.Add(dir, tmp)
			}
			scale = c / float64(s.BatchSize)
		}
		ok := true
		for d, v := range x {
			u := v - scale*dir[d]
			if math.IsNaN(u) || math.IsInf(u, 0) {
				ok = false
				break
			}
			next[d] = u
		}
		if !ok {
			res.Diverged, res.DivergedAt = true, n
			return res, nil
		}
		if s.Bounds != nil {
			s.Bounds.Project(next)
		}
		copy(x, next)
		res.Iterations = n
		if rec != nil && !rec(n, x) {
			res.Stopped = true
			return res, nil
		}
	}
	return res, nil
}

// maxSamplerDraws caps the component draws of one RunSampler (see there):
// beyond it a run takes hours at best.
const maxSamplerDraws = 1 << 34

// validateSamplerSettings checks the fields of s that apply to a sampler.
func validateSamplerSettings(dim int, s Settings) error {
	if err := validateCommon(dim, "sampler", s); err != nil {
		return err
	}
	if s.WithoutReplacement {
		return errors.New("sgdk: WithoutReplacement has no meaning for a sampler (a population has no finite index set)")
	}
	if s.BatchSize != FullBatch && float64(s.BatchSize)*float64(s.Iterations) > maxSamplerDraws {
		return fmt.Errorf("sgdk: BatchSize·Iterations = %d·%d draws from the sampler exceeds 2^34", s.BatchSize, s.Iterations)
	}
	return nil
}
