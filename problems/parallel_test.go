package problems

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

func TestBallPoint(t *testing.T) {
	// Uniform in B(c, r) ⊂ R^p means ‖θ−c‖^p/r^p ~ U(0,1): mean 1/2,
	// variance 1/12; and the direction is isotropic, so each coordinate of
	// θ−c has mean 0.
	const p, draws = 4, 40000
	c := []float64{1, -2, 3, 0.5}
	const r = 0.3
	rnd := rand.New(rand.NewPCG(5, 8))
	x := make([]float64, p)
	sumU := 0.0
	mean := make([]float64, p)
	for range draws {
		BallPoint(x, c, r, rnd)
		d2 := 0.0
		for i := range x {
			d2 += (x[i] - c[i]) * (x[i] - c[i])
			mean[i] += (x[i] - c[i]) / draws
		}
		if math.Sqrt(d2) > r*(1+1e-12) {
			t.Fatalf("point %v outside the ball", x)
		}
		sumU += math.Pow(math.Sqrt(d2)/r, p)
	}
	// Standard error of the mean of U(0,1): √(1/12/draws) ≈ 1.4e−3; allow 5.
	if got := sumU / draws; math.Abs(got-0.5) > 5*math.Sqrt(1.0/12/draws) {
		t.Errorf("mean of ‖θ−c‖^p/r^p = %.4g, want 0.5", got)
	}
	// Coordinate variance is r²/(p+2); standard error √(r²/(p+2)/draws).
	se := math.Sqrt(r * r / (p + 2) / draws)
	for i, m := range mean {
		if math.Abs(m) > 5*se {
			t.Errorf("mean of coordinate %d = %.4g, want 0 within %.4g", i, m, 5*se)
		}
	}
	BallPoint(x, c, 0, rnd)
	for i := range x {
		if x[i] != c[i] {
			t.Fatalf("radius 0 gave %v, want the center %v", x, c)
		}
	}
}

func TestParallelVisitsEveryIndexOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 100} {
		const n = 1000
		var hits [n]atomic.Int32
		bodies := atomic.Int32{}
		Parallel(n, workers, func() func(int) {
			bodies.Add(1)
			return func(i int) { hits[i].Add(1) }
		})
		for i := range hits {
			if h := hits[i].Load(); h != 1 {
				t.Fatalf("workers %d: index %d visited %d times", workers, i, h)
			}
		}
		if workers > 0 && int(bodies.Load()) > workers {
			t.Errorf("workers %d: %d bodies made", workers, bodies.Load())
		}
	}
	Parallel(0, 2, func() func(int) { t.Fatal("body made for n = 0"); return nil })
}
