package sgdk

import (
	"math/rand/v2"
)

// sgdAlias is Vose's alias table for drawing an index i with probability
// proportional to w_i in O(1) time: draw a column i uniformly, keep it with
// probability prob[i], otherwise take alias[i]. It is immutable after
// construction and safe for concurrent use (each caller supplies its own
// random stream).
type sgdAlias struct {
	prob  []float64
	alias []int
}

// newSGDAlias builds the alias table of the positive weights w (not
// necessarily normalized). The caller has validated w.
func newSGDAlias(w []float64) *sgdAlias {
	n := len(w)
	sum := 0.0
	for _, v := range w {
		sum += v
	}
	a := &sgdAlias{prob: make([]float64, n), alias: make([]int, n)}
	scaled := make([]float64, n)
	small := make([]int, 0, n)
	large := make([]int, 0, n)
	for i, v := range w {
		scaled[i] = v * float64(n) / sum
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
		scaled[g] = (scaled[g] + scaled[l]) - 1
		if scaled[g] < 1 {
			small = append(small, g)
		} else {
			large = append(large, g)
		}
	}
	// What is left has scaled weight 1 up to rounding.
	for _, g := range large {
		a.prob[g] = 1
		a.alias[g] = g
	}
	for _, l := range small {
		a.prob[l] = 1
		a.alias[l] = l
	}
	return a
}

// draw returns one index with probability proportional to its weight.
func (a *sgdAlias) draw(rnd *rand.Rand) int {
	i := rnd.IntN(len(a.prob))
	if rnd.Float64() < a.prob[i] {
		return i
	}
	return a.alias[i]
}

// drawDistinct writes k distinct indices of 0..len(perm)−1 into perm[:k],
// uniformly among the ordered k-subsets, by a partial Fisher–Yates shuffle.
// perm must hold a permutation of 0..len(perm)−1 on entry and holds one on
// return, so it is reused from batch to batch without resetting.
func drawDistinct(perm []int, k int, rnd *rand.Rand) {
	n := len(perm)
	for j := 0; j < k; j++ {
		r := j + rnd.IntN(n-j)
		perm[j], perm[r] = perm[r], perm[j]
	}
}

// splitmix64 is the SplitMix64 output function; it maps a run index to a
// well-mixed second seed word so that rand.NewPCG(seed, splitmix64(run))
// gives unrelated streams for neighbouring runs.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// runRand returns the random stream of run index run of an ensemble with the
// given seed: rand.New(rand.NewPCG(seed, splitmix64(run))).
func runRand(seed uint64, run int) *rand.Rand {
	return rand.New(rand.NewPCG(seed, splitmix64(uint64(run))))
}
