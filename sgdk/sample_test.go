package sgdk

import (
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
)

func TestDrawDistinct(t *testing.T) {
	// N = 5, k = 2: every unordered pair must come out with frequency 1/10.
	const n, k, draws = 5, 2, 100000
	perm := []int{0, 1, 2, 3, 4}
	rnd := rand.New(rand.NewPCG(2, 3))
	counts := map[[2]int]float64{}
	for range draws {
		drawDistinct(perm, k, rnd)
		a, b := perm[0], perm[1]
		if a == b {
			t.Fatalf("batch %v has a repeated index", perm[:k])
		}
		if a > b {
			a, b = b, a
		}
		counts[[2]int{a, b}]++
	}
	seen := make([]bool, n)
	for _, v := range perm {
		seen[v] = true
	}
	for i, s := range seen {
		if !s {
			t.Fatalf("perm %v is no longer a permutation (missing %d)", perm, i)
		}
	}
	if len(counts) != 10 {
		t.Fatalf("got %d distinct pairs, want 10", len(counts))
	}
	// χ² with 9 degrees of freedom; its 1e−6 upper quantile is about 47.
	chi2 := 0.0
	e := float64(draws) / 10
	for _, c := range counts {
		chi2 += (c - e) * (c - e) / e
	}
	if chi2 > 47 {
		t.Errorf("χ² = %.4g over %d draws: pairs not uniform: %v", chi2, draws, counts)
	}
}

func TestEnsembleRunStreamContract(t *testing.T) {
	// The documented stream of run i is problems.Stream(Seed, i), first used for the start point and then for the
	// batches: replaying it with Run gives the ensemble's run exactly.
	q, err := problems.NewQuadratic([]mat.Symmetric{
		mat.NewSymDense(2, []float64{2, 0.3, 0.3, 1}),
		mat.NewSymDense(2, []float64{1, 0, 0, 4}),
		mat.NewSymDense(2, []float64{0.5, -0.2, -0.2, 0.5}),
	}, [][]float64{{1, 0}, {0, -1}, {0.3, 0.1}}, []float64{0.2, 0.5, 0.3})
	if err != nil {
		t.Fatal(err)
	}
	s := Settings{BatchSize: 2, Step: Constant(0.2), Iterations: 15}
	e := Ensemble{Problem: q, Settings: s, Runs: 5, Seed: 77, Center: []float64{1, -1}, Radius: 0.5, Workers: 2}
	r, err := e.Run()
	if err != nil {
		t.Fatal(err)
	}
	for i := range e.Runs {
		rnd := problems.Stream(77, uint64(i))
		start := make([]float64, 2)
		problems.BallPoint(start, e.Center, e.Radius, rnd)
		res, err := Run(q, start, s, rnd, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !floats.Same(start, r.Starts[i]) || !floats.Same(res.X, r.Final[i]) {
			t.Errorf("run %d: replay gives start %v final %v, ensemble %v %v", i, start, res.X, r.Starts[i], r.Final[i])
		}
	}
}
