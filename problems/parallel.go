package problems

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
)

// Parallel calls the body made by newBody (one body per goroutine, so each
// may own its workspace) for every index 0..n−1, over at most workers
// goroutines (workers ≤ 0: runtime.GOMAXPROCS(0)), and returns when all are
// done. It is the worker pool of the module's Monte Carlo and ensemble code:
// a caller that derives index i's randomness from (seed, i) alone, with
// Stream, and writes index i's result to its own slot gets results that do
// not depend on workers or on scheduling.
func Parallel(n, workers int, newBody func() func(i int)) {
	if n <= 0 {
		return
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			body := newBody()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				body(i)
			}
		})
	}
	wg.Wait()
}

// BallPoint writes into dst a point drawn uniformly in the ball B(c, r) of
// R^p, p = len(dst) = len(c): c + r·U^{1/p}·z/‖z‖ with z ~ N(0, I_p) drawn
// first and then U ~ U(0, 1), from rnd. It is the start distribution of the
// paper's experiments (uniform in a ball, as in Definition 3.14). r = 0
// copies c and draws nothing. When r·U^{1/p}/‖z‖ overflows (r near the
// float64 limit) the factors are applied as (r·U^{1/p})·(z_d/‖z‖) instead,
// each of modulus at most r, so no point overflows when |c_d| + r does not.
func BallPoint(dst, c []float64, r float64, rnd *rand.Rand) {
	p := len(dst)
	if r == 0 {
		copy(dst, c)
		return
	}
	var norm float64
	for norm == 0 {
		for d := range dst {
			dst[d] = rnd.NormFloat64()
		}
		norm = floats.Norm(dst, 2)
	}
	radial := r * math.Pow(rnd.Float64(), 1/float64(p))
	if scale := radial / norm; !math.IsInf(scale, 1) {
		for d := range dst {
			dst[d] = c[d] + scale*dst[d]
		}
		return
	}
	for d := range dst {
		dst[d] = c[d] + radial*(dst[d]/norm)
	}
}
