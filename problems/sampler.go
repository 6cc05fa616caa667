package problems

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Sampler is a stochastic problem F(x) = E[f_ξ(x)] whose randomness need not
// be a finite mixture (beyond the paper): each call of Sample draws one
// component f_ξ, independently, from the stream rnd. Gaussian least squares
// (GaussianLeastSquares) is one; a finite Problem is another
// (ProblemSampler).
//
// # How Samplers and Problems meet
//
// Problem (a finite mixture whose expectations are exact sums) stays
// the library's main interface; every function that takes a Problem is
// unchanged. A Sampler reaches them in one of two documented ways:
//
//   - SampledProblem(s, n, seed) draws a fixed sample of n components and
//     returns their empirical mixture (uniform weights 1/n), a *Mixture. Then
//     sgdk.Run, sgdk.Ensemble and geometry.Estimate work on it unchanged.
//     The price is that they see the empirical distribution, not the
//     population: n is the knob. geometry.Estimate's standard errors
//     measure only its own Monte Carlo error over the ball, conditional on
//     the sample; the sampling error of the n components (of order
//     1/√n relative, for the moments H and M) is not in them.
//     geometry.EstimateSampler puts it in: it repeats Estimate on
//     independent SampledProblems and reports the spread over replicates.
//   - sgdk.RunSampler draws fresh components at every step: true online
//     SGD-k on the population. Exact population moments, when known in
//     closed form (GaussianLeastSquares.FourthMoment), go to
//     thresholds.MeanSquareOperator without sampling at all.
//
// Conversely ProblemSampler(p) views a finite Problem as a Sampler that draws
// component i with probability p.Weight(i), so code written for Samplers
// also runs on the paper's problems (with the same law as SGD-k with
// replacement).
//
// Components returned by Sample are owned by the caller and stay valid (a
// Sampler must not reuse them).
type Sampler interface {
	Dim() int
	Sample(rnd *rand.Rand) Component
}

// sampledStream is the second PCG word of the stream SampledProblem draws
// from: rand.NewPCG(seed, sampledStream).
const sampledStream = 0x53414d504c45 // "SAMPLE"

// SampledProblem returns the empirical mixture of n components drawn from s
// with the stream rand.New(rand.NewPCG(seed, 0x53414d504c45)), with uniform
// weights 1/n: a finite Problem that sgdk.Run and geometry.Estimate accept.
// The same (s, n, seed) gives the same problem. See Sampler for what its
// expectations (and standard errors) do and do not include. It returns an
// error naming the argument when s is nil, n < 1, or s returns a nil
// component.
func SampledProblem(s Sampler, n int, seed uint64) (*Mixture, error) {
	if s == nil {
		return nil, errors.New("problems: sampler s is nil")
	}
	if n < 1 {
		return nil, fmt.Errorf("problems: n = %d, want at least one sample", n)
	}
	if err := checkDim("s.Dim()", s.Dim()); err != nil {
		return nil, err
	}
	rnd := rand.New(rand.NewPCG(seed, sampledStream))
	c := make([]Component, n)
	for i := range c {
		c[i] = s.Sample(rnd)
		if c[i] == nil {
			return nil, fmt.Errorf("problems: sample %d of s is nil", i)
		}
	}
	return NewMixture(s.Dim(), c, nil)
}

// ProblemSampler returns p as a Sampler: Sample returns p.Component(i) with
// probability p.Weight(i), drawn in O(1) with Walker's alias table (one
// uniform index and one uniform variate per draw). The components are p's
// own, shared between draws (they must be safe for concurrent use if the
// Sampler is). It returns an error when p is nil or its weights are not
// positive and finite.
func ProblemSampler(p Problem) (Sampler, error) {
	if p == nil {
		return nil, errors.New("problems: p is nil")
	}
	n := p.Len()
	w := make([]float64, n)
	for i := range w {
		w[i] = p.Weight(i)
	}
	ws, err := checkWeights(w, n)
	if err != nil {
		return nil, err
	}
	prob, alias := samplerAlias(ws)
	return &problemSampler{p: p, prob: prob, alias: alias}, nil
}

type problemSampler struct {
	p     Problem
	prob  []float64
	alias []int
}

func (s *problemSampler) Dim() int { return s.p.Dim() }

func (s *problemSampler) Sample(rnd *rand.Rand) Component {
	i := rnd.IntN(len(s.prob))
	if rnd.Float64() >= s.prob[i] {
		i = s.alias[i]
	}
	return s.p.Component(i)
}

// samplerAlias builds Walker's alias table (Vose's construction) for the
// normalised weights w.
func samplerAlias(w []float64) (prob []float64, alias []int) {
	n := len(w)
	prob = make([]float64, n)
	alias = make([]int, n)
	scaled := make([]float64, n)
	var small, large []int
	for i, v := range w {
		scaled[i] = v * float64(n)
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small = small[:len(small)-1]
		prob[s], alias[s] = scaled[s], l
		scaled[l] += scaled[s] - 1
		if scaled[l] < 1 {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range large {
		prob[i], alias[i] = 1, i
	}
	for _, i := range small { // rounding leftovers
		prob[i], alias[i] = 1, i
	}
	return prob, alias
}
