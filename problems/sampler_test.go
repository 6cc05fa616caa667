package problems_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
)

func TestSampledProblemReproducible(t *testing.T) {
	g, err := learning.NewGaussianLeastSquares(mat.NewSymDense(2, []float64{1, 0.2, 0.2, 0.5}), []float64{1, 2}, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := problems.SampledProblem(g, 50, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := problems.SampledProblem(g, 50, 7)
	c, _ := problems.SampledProblem(g, 50, 8)
	if a.Len() != 50 || a.Dim() != 2 || a.Weight(3) != 1.0/50 {
		t.Fatalf("Len %d Dim %d Weight %v", a.Len(), a.Dim(), a.Weight(3))
	}
	x := []float64{0.3, -0.4}
	same, differ := true, false
	for i := 0; i < 50; i++ {
		fa, fb, fc := a.Component(i).Func(x), b.Component(i).Func(x), c.Component(i).Func(x)
		same = same && fa == fb
		differ = differ || fa != fc
	}
	if !same || !differ {
		t.Errorf("same seed equal: %v, other seed differs: %v", same, differ)
	}
	if _, err := problems.SampledProblem(nil, 5, 1); err == nil {
		t.Error("nil sampler accepted")
	}
	if _, err := problems.SampledProblem(g, 0, 1); err == nil {
		t.Error("n = 0 accepted")
	}
}

// TestProblemSamplerFrequencies draws 100000 components from a 4-component
// mixture and checks each frequency within 5 binomial standard errors of
// its weight.
func TestProblemSamplerFrequencies(t *testing.T) {
	w := []float64{0.1, 0.2, 0.3, 0.4}
	var c []problems.Component
	for i := range w {
		c = append(c, &learning.LeastSquaresRow{A: []float64{1}, Y: float64(i)})
	}
	m, err := problems.NewMixture(1, c, w)
	if err != nil {
		t.Fatal(err)
	}
	s, err := problems.ProblemSampler(m)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(3, 3))
	const n = 100000
	count := make([]float64, len(w))
	for i := 0; i < n; i++ {
		count[int(s.Sample(rnd).(*learning.LeastSquaresRow).Y)]++
	}
	for i, p := range w {
		se := math.Sqrt(p * (1 - p) / n)
		if f := count[i] / n; math.Abs(f-p) > 5*se {
			t.Errorf("component %d: frequency %v, weight %v (se %.2g)", i, f, p, se)
		}
	}
	if _, err := problems.ProblemSampler(nil); err == nil {
		t.Error("nil problem accepted")
	}
}
