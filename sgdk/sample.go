package sgdk

import "math/rand/v2"

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
