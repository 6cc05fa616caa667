package thresholds

import "math"

// WithoutReplacement returns the effective batch size
//
//	k_eff = k(n − 1)/(n − k)
//
// of a batch of k distinct indices drawn uniformly without replacement from
// n equally weighted components (beyond the paper). Such a batch
// multiplies the gradient-noise covariance of a with-replacement batch of
// size k by (n − k)/(n − 1), so every threshold of this package applies with
// k replaced by k_eff: one conversion serves them all. k = n is the full
// gradient: k_eff = +Inf (gradient descent). k = 1 gives 1.
//
// It returns NaN unless 1 ≤ k ≤ n.
func WithoutReplacement(k, n int) float64 {
	if k < 1 || k > n {
		return math.NaN()
	}
	if k == n {
		return math.Inf(1)
	}
	return float64(k) * float64(n-1) / float64(n-k)
}
