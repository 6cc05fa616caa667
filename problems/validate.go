package problems

import (
	"fmt"
	"math"
)

// weightSumTol is the tolerance of the weight rule shared by every
// constructor of this package: weights w_i > 0 whose sum S satisfies
// |S − 1| ≤ weightSumTol are accepted and normalised to w_i/S, so that the
// stored weights sum to one to rounding; any other sum is an error naming w.
// A nil or empty w means uniform weights 1/N.
const weightSumTol = 1e-9

// NormalizeWeights validates the mixture weights w of n components and
// returns a fresh, normalised copy: the weight rule of every constructor of
// this module. A nil or empty w gives uniform weights 1/n; otherwise every
// w_i must be finite and positive and their sum S must satisfy
// |S − 1| ≤ 1e-9, and the copy holds w_i/S, so that it sums to one to
// rounding. Errors name the argument "w" and, where relevant, the index.
func NormalizeWeights(w []float64, n int) ([]float64, error) {
	if n < 1 {
		return nil, fmt.Errorf("problems: the problem has %d components, want at least one", n)
	}
	out := make([]float64, n)
	if len(w) == 0 {
		for i := range out {
			out[i] = 1 / float64(n)
		}
		return out, nil
	}
	if len(w) != n {
		return nil, fmt.Errorf("problems: w has length %d, want %d (one weight per component)", len(w), n)
	}
	var sum float64
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("problems: w[%d] = %v is not finite", i, v)
		}
		if v <= 0 {
			return nil, fmt.Errorf("problems: w[%d] = %v is not positive", i, v)
		}
		sum += v
	}
	if !(math.Abs(sum-1) <= weightSumTol) {
		return nil, fmt.Errorf("problems: w sums to %v, want 1 (within %g)", sum, weightSumTol)
	}
	for i, v := range w {
		out[i] = v / sum
	}
	return out, nil
}
