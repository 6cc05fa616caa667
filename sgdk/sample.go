package sgdk

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/flatminima/flatminima/problems"
)

// resetPerm sets perm to the identity permutation. Every run starts from it,
// so that the batches drawn without replacement are a function of the run's
// stream alone, whichever runs the same scratch served before.
func resetPerm(perm []int) {
	for i := range perm {
		perm[i] = i
	}
}

// drawDistinct writes k distinct indices of 0..len(perm)−1 into perm[:k],
// uniformly among the ordered k-subsets, by a partial Fisher–Yates shuffle.
// perm must hold a permutation of 0..len(perm)−1 on entry and holds one on
// return, so it is reused from batch to batch of a run without resetting.
func drawDistinct(perm []int, k int, rnd *rand.Rand) {
	n := len(perm)
	for j := 0; j < k; j++ {
		r := j + rnd.IntN(n-j)
		perm[j], perm[r] = perm[r], perm[j]
	}
}

// multinomialCond returns the conditional probabilities
// q_i = p_i/(p_i + … + p_{N−1}) of the positive weights p (q_{N−1} = 1), from
// which multinomialSum draws the counts of a batch as successive binomials.
func multinomialCond(p []float64) []float64 {
	q := make([]float64, len(p))
	tail := 0.0
	for i := len(p) - 1; i >= 0; i-- {
		tail += p[i]
		q[i] = min(1, p[i]/tail)
	}
	q[len(q)-1] = 1
	return q
}

// multinomialSum writes into dst Σ_{j=1..k} ∇f_{ξ_j}(x) for k independent
// draws ξ_j with P(ξ = i) = p_i, as Σ_i c_i ∇f_i(x) with the counts
// (c_0, …, c_{N−1}) ~ Multinomial(k; p) drawn as c_i ~ Binomial(k − c_0 − …
// − c_{i−1}, q_i) with q from multinomialCond (gonum's distuv.Binomial: the
// rejection method of Numerical Recipes, §7.3). It costs O(N) draws and at most N gradients
// whatever k is, and allocates nothing; tmp is scratch of length len(x).
func multinomialSum(dst, tmp []float64, grads []problems.Component, q []float64, k int, x []float64, rnd *rand.Rand) {
	clear(dst)
	left := float64(k)
	for i, qi := range q {
		if left == 0 {
			return
		}
		c := left
		if qi < 1 {
			c = distuv.Binomial{N: left, P: qi, Src: rnd}.Rand()
		}
		if c == 0 {
			continue
		}
		grads[i].Grad(tmp, x)
		floats.AddScaled(dst, c, tmp)
		left -= c
	}
}
