package problems

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/flatminima/flatminima/problems/internal/valid"
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
	if err := valid.Dim("problems", "s.Dim()", s.Dim()); err != nil {
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
	ws, err := NormalizeWeights(w, n)
	if err != nil {
		return nil, err
	}
	a, err := NewAlias(ws)
	if err != nil {
		return nil, err
	}
	return &problemSampler{p: p, alias: a}, nil
}

type problemSampler struct {
	p     Problem
	alias *Alias
}

func (s *problemSampler) Dim() int { return s.p.Dim() }

func (s *problemSampler) Sample(rnd *rand.Rand) Component {
	return s.p.Component(s.alias.Sample(rnd))
}

// Alias is Walker's alias table (A. J. Walker, "An efficient method for
// generating discrete random variables with general distributions", ACM
// Transactions on Mathematical Software 3(3), 1977), built by Vose's method
// (M. D. Vose, "A linear algorithm for generating random numbers with a given
// distribution", IEEE Transactions on Software Engineering 17(9), 1991). It
// draws an index i with probability w_i/Σw in O(1): one uniform column i and
// one uniform variate that keeps i with probability prob[i] or takes
// alias[i]. It is immutable after construction and safe for concurrent use
// (each caller supplies its own stream); Sample allocates nothing.
type Alias struct {
	prob  []float64
	alias []int
}

// NewAlias returns the alias table of the weights w, which must be finite and
// positive; they need not sum to 1 (they are normalized). It returns an error
// naming the bad entry, or when w is empty or its sum overflows.
func NewAlias(w []float64) (*Alias, error) {
	n := len(w)
	if n == 0 {
		return nil, errors.New("problems: alias weights w are empty")
	}
	for i, v := range w {
		if !(v > 0) || math.IsInf(v, 1) {
			return nil, fmt.Errorf("problems: alias weight w[%d] = %v is not finite and positive", i, v)
		}
	}
	sum := floats.Sum(w)
	if math.IsInf(sum, 1) {
		return nil, errors.New("problems: alias weights w sum to +Inf")
	}
	a := &Alias{prob: make([]float64, n), alias: make([]int, n)}
	scaled := make([]float64, n)
	small := make([]int, 0, n)
	large := make([]int, 0, n)
	for i, v := range w {
		scaled[i] = v / sum * float64(n)
		if scaled[i] < 1 {
			small = append(small, i)
		} else {
			large = append(large, i)
		}
	}
	for len(small) > 0 && len(large) > 0 {
		l := small[len(small)-1]
		small = small[:len(small)-1]
		g := large[len(large)-1]
		large = large[:len(large)-1]
		a.prob[l] = scaled[l]
		a.alias[l] = g
		// Vose's order of operations, which loses least to rounding.
		scaled[g] = (scaled[g] + scaled[l]) - 1
		if scaled[g] < 1 {
			small = append(small, g)
		} else {
			large = append(large, g)
		}
	}
	// What is left has scaled weight 1 up to rounding.
	for _, g := range large {
		a.prob[g], a.alias[g] = 1, g
	}
	for _, l := range small {
		a.prob[l], a.alias[l] = 1, l
	}
	return a, nil
}

// Len returns the number of weights.
func (a *Alias) Len() int { return len(a.prob) }

// Sample returns one index drawn with probability w_i/Σw, using exactly one
// rnd.IntN and one rnd.Float64.
func (a *Alias) Sample(rnd *rand.Rand) int {
	i := rnd.IntN(len(a.prob))
	if rnd.Float64() < a.prob[i] {
		return i
	}
	return a.alias[i]
}

// SplitMix64 is the output function of the SplitMix64 generator (G. L.
// Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number
// generators", OOPSLA 2014): a bijection of uint64 that maps neighbouring
// integers to unrelated words. Stream uses it to derive one PCG stream per
// index; SplitMix64(0) = 0xe220a8397b1dcdaf.
func SplitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Stream returns the random stream of index i (a run, a replicate, a pair of
// points) under seed: rand.New(rand.NewPCG(seed, SplitMix64(i))). Every
// parallel computation of this module draws index i from Stream(seed, i)
// alone, so its results do not depend on the number of workers.
func Stream(seed, i uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, SplitMix64(i)))
}

// Multinomial draws the counts (c_1, …, c_N) of k independent draws with
// P(ξ = i) = w_i/Σw, as successive binomials
// c_i ~ Binomial(k − c_1 − … − c_{i−1}, q_i), q_i = w_i/(w_i + … + w_N)
// (gonum's distuv.Binomial). It costs O(N) draws whatever k is, so a batch
// of k ≫ N draws costs no more than N terms; for k ≤ N an Alias draws the
// k indices faster. It is immutable and safe for concurrent use.
type Multinomial struct {
	q []float64
}

// NewMultinomial returns the multinomial sampler of the weights w, which must
// be finite and positive; they need not sum to 1. It returns an error naming
// the bad entry, or when w is empty or its sum overflows.
func NewMultinomial(w []float64) (*Multinomial, error) {
	if len(w) == 0 {
		return nil, errors.New("problems: multinomial weights w are empty")
	}
	for i, v := range w {
		if !(v > 0) || math.IsInf(v, 1) {
			return nil, fmt.Errorf("problems: multinomial weight w[%d] = %v is not finite and positive", i, v)
		}
	}
	if math.IsInf(floats.Sum(w), 1) {
		return nil, errors.New("problems: multinomial weights w sum to +Inf")
	}
	q := make([]float64, len(w))
	tail := 0.0
	for i := len(w) - 1; i >= 0; i-- {
		tail += w[i]
		q[i] = min(1, w[i]/tail)
	}
	q[len(q)-1] = 1
	return &Multinomial{q: q}, nil
}

// Len returns the number of weights.
func (m *Multinomial) Len() int { return len(m.q) }

// Counts writes into dst (len Len()) the counts of k ≥ 0 draws, as float64
// so that k up to 2^53 is exact. It draws nothing after the counts are
// exhausted and allocates nothing.
func (m *Multinomial) Counts(dst []float64, k int, rnd *rand.Rand) {
	if len(dst) != len(m.q) {
		panic(fmt.Sprintf("problems: Multinomial.Counts: len(dst) = %d, want %d", len(dst), len(m.q)))
	}
	clear(dst)
	left := float64(k)
	for i, qi := range m.q {
		if left == 0 {
			return
		}
		c := left
		if qi < 1 {
			c = distuv.Binomial{N: left, P: qi, Src: rnd}.Rand()
		}
		dst[i] = c
		left -= c
	}
}
