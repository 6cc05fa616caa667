package stability_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/problems/paper"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
)

func scalarQuadratic(t testing.TB, q ...float64) *problems.Quadratic {
	t.Helper()
	var hs []mat.Symmetric
	var r [][]float64
	for _, v := range q {
		hs = append(hs, mat.NewSymDense(1, []float64{v}))
		r = append(r, []float64{0})
	}
	p, err := problems.NewQuadratic(hs, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEscapeGradientDescentClosedForm: gradient descent on f = ½λx² from
// x0 uniform in [−r, r] escapes B(0, R) within n steps iff
// |1 − Cλ|^n |x0| > R (for Cλ > 1 the modulus grows monotonically), so half
// of the runs escape when |1 − Cλ|^n·m = R, m the sample median of |x0|.
// With 64 runs, m ∈ [0.35r, 0.65r] except with probability < 1e-3, which
// brackets the threshold (1 + (R/m)^{1/n})/λ tightly because of the 1/n
// power.
func TestEscapeGradientDescentClosedForm(t *testing.T) {
	p := scalarQuadratic(t, 2) // λ = 2
	s := stability.EscapeSettings{BatchSize: sgdk.FullBatch, StartRadius: 1, EscapeRadius: 10, Iterations: 20, Runs: 64, Seed: 5, From: 0.5, RelTol: 1e-3}
	et, err := stability.MeasureEscape(p, []float64{0}, s)
	if err != nil {
		t.Fatal(err)
	}
	lo := (1 + math.Pow(10/0.65, 1.0/20)) / 2
	hi := (1 + math.Pow(10/0.35, 1.0/20)) / 2
	if !(et.C > lo*(1-1e-3) && et.C < hi*(1+1e-3)) {
		t.Errorf("escape threshold %v, closed form in [%v, %v]", et.C, lo, hi)
	}
	if !(et.Lo <= et.C && et.C <= et.Hi) {
		t.Errorf("95%% interval [%v, %v] does not contain %v", et.Lo, et.Hi, et.C)
	}
}

// TestEscapeReproducible: the same seed gives the same threshold and the
// same probes for any Workers; another seed gives other probes.
func TestEscapeReproducible(t *testing.T) {
	p := scalarQuadratic(t, 1, 3)
	s := stability.EscapeSettings{BatchSize: 1, StartRadius: 0.1, EscapeRadius: 1, Iterations: 30, Runs: 40, Seed: 9, From: 0.8, Workers: 1}
	a, err := stability.MeasureEscape(p, []float64{0}, s)
	if err != nil {
		t.Fatal(err)
	}
	s.Workers = 4
	b, err := stability.MeasureEscape(p, []float64{0}, s)
	if err != nil {
		t.Fatal(err)
	}
	if a.C != b.C || a.Lo != b.Lo || a.Hi != b.Hi || len(a.Probes) != len(b.Probes) {
		t.Fatalf("Workers changed the result: %+v vs %+v", a, b)
	}
	for i := range a.Probes {
		if a.Probes[i] != b.Probes[i] {
			t.Errorf("probe %d differs: %+v vs %+v", i, a.Probes[i], b.Probes[i])
		}
	}
	s.Seed = 10
	c, _ := stability.MeasureEscape(p, []float64{0}, s)
	if c.C == a.C {
		t.Errorf("seeds 9 and 10 gave the same threshold %v", a.C)
	}
	// The threshold lies above the mean-square C*(1) = 0.8 is not
	// guaranteed for a finite budget, but it must be within a factor 4.
	if !(a.C > 0.2 && a.C < 3.2) {
		t.Errorf("threshold %v implausible", a.C)
	}
}

func TestWilson(t *testing.T) {
	// 5 of 10 at 95%: the Wilson interval is 0.5 ± 0.2634 (z = 1.95996).
	lo, hi := stability.Wilson(5, 10, 0.95)
	if math.Abs(lo-0.23659) > 1e-4 || math.Abs(hi-0.76341) > 1e-4 {
		t.Errorf("Wilson(5, 10) = [%v, %v]", lo, hi)
	}
	lo, hi = stability.Wilson(0, 20, 0.95)
	if lo != 0 || math.Abs(hi-0.16113) > 1e-4 {
		t.Errorf("Wilson(0, 20) = [%v, %v]", lo, hi)
	}
	if lo, _ := stability.Wilson(3, 2, 0.95); !math.IsNaN(lo) {
		t.Error("3 of 2 not NaN")
	}
}

func TestEscapeErrors(t *testing.T) {
	p := scalarQuadratic(t, 1, 3)
	good := stability.EscapeSettings{BatchSize: 1, StartRadius: 0.1, EscapeRadius: 1, Iterations: 10, From: 1}
	for name, mod := range map[string]func(*stability.EscapeSettings){
		"BatchSize":    func(s *stability.EscapeSettings) { s.BatchSize = -2 },
		"BatchSize 0":  func(s *stability.EscapeSettings) { s.BatchSize = 0 },
		"StartRadius":  func(s *stability.EscapeSettings) { s.StartRadius = math.NaN() },
		"EscapeRadius": func(s *stability.EscapeSettings) { s.EscapeRadius = 0.05 },
		"Iterations":   func(s *stability.EscapeSettings) { s.Iterations = 0 },
		"Runs":         func(s *stability.EscapeSettings) { s.Runs = -2 },
		"From":         func(s *stability.EscapeSettings) { s.From = 0 },
		"Level":        func(s *stability.EscapeSettings) { s.Level = 1 },
	} {
		s := good
		mod(&s)
		if _, err := stability.MeasureEscape(p, []float64{0}, s); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := stability.MeasureEscape(p, []float64{0, 0}, good); err == nil {
		t.Error("wrong xstar length accepted")
	}
	if _, err := stability.MeasureEscape(nil, []float64{0}, good); err == nil {
		t.Error("nil problem accepted")
	}
}

func TestRunSampler(t *testing.T) {
	g, err := learning.NewGaussianLeastSquares(mat.NewSymDense(2, []float64{1, 0, 0, 0.5}), []float64{1, -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Homogeneous: at a small step SGD-1 converges to θ*.
	rnd := randStream(1)
	r, err := sgdk.RunSampler(g, []float64{0, 0}, sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1), Iterations: 2000}, rnd, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Hypot(r.X[0]-1, r.X[1]+1); d > 1e-6 {
		t.Errorf("distance to θ* after 2000 steps: %v", d)
	}
	// Gradient descent uses ExpectedGrad: x_1 = x_0 − C Σ(x_0 − θ*).
	r, err = sgdk.RunSampler(g, []float64{0, 0}, sgdk.Settings{BatchSize: sgdk.FullBatch, Step: sgdk.Constant(0.5), Iterations: 1}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.X[0] != 0.5 || r.X[1] != -0.25 {
		t.Errorf("GD step gave %v, want [0.5 -0.25]", r.X)
	}
	// Divergence is reported, not NaN.
	r, err = sgdk.RunSampler(g, []float64{0, 0}, sgdk.Settings{BatchSize: 2, Step: sgdk.Constant(1e150), Iterations: 50}, randStream(2), nil)
	if err != nil || !r.Diverged {
		t.Errorf("huge step: %+v, %v", r, err)
	}
	if _, err := sgdk.RunSampler(g, []float64{0, 0}, sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1), Iterations: 1, WithoutReplacement: true}, rnd, nil); err == nil {
		t.Error("WithoutReplacement accepted")
	}
	if _, err := sgdk.RunSampler(g, []float64{0}, sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1), Iterations: 1}, rnd, nil); err == nil {
		t.Error("short x0 accepted")
	}
}

func randStream(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 99)) }

func BenchmarkMeasureEscape(b *testing.B) {
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := st.Sharpest()
	s := stability.EscapeSettings{BatchSize: 16, StartRadius: 0.1, EscapeRadius: 2.5, Iterations: 100, Runs: 64, Seed: 1, From: 0.03, Bounds: st.Box()}
	b.Run("st1/p=10/k=16/runs=64/iters=100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := stability.MeasureEscape(st, x, s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// ExampleMeasureEscape measures the learning rate at which half of the runs
// of SGD-1 on the two-point example (q ∈ {1, 3}) leave B(0, 10) within 100
// steps from B(0, 0.1); the almost-sure threshold is 4/3, the mean-square
// one 0.8.
func ExampleMeasureEscape() {
	q := []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	p, _ := problems.NewQuadratic(q, [][]float64{{0}, {0}}, nil)
	et, err := stability.MeasureEscape(p, []float64{0}, stability.EscapeSettings{
		BatchSize: 1, StartRadius: 0.1, EscapeRadius: 10, Iterations: 100,
		Runs: 200, Seed: 1, From: 0.8,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("escape threshold %.3g, 95%% interval [%.3g, %.3g], %d probes\n", et.C, et.Lo, et.Hi, len(et.Probes))
	// Output:
	// escape threshold 1.31, 95% interval [1.3, 1.32], 8 probes
}

// ExampleRunSampler runs online SGD-1 on homogeneous Gaussian least squares
// (fresh rows every step) and, with BatchSize = FullBatch, one exact
// gradient-descent step x_1 = x_0 − CΣ(x_0 − θ*).
func ExampleRunSampler() {
	g, err := learning.NewGaussianLeastSquares(mat.NewSymDense(2, []float64{1, 0, 0, 0.5}), []float64{1, -1}, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := sgdk.RunSampler(g, []float64{0, 0}, sgdk.Settings{BatchSize: 1, Step: sgdk.Constant(0.1), Iterations: 2000},
		rand.New(rand.NewPCG(1, 99)), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("SGD-1: distance to θ* after %d steps < 1e-6: %v\n", r.Iterations, math.Hypot(r.X[0]-1, r.X[1]+1) < 1e-6)
	r, err = sgdk.RunSampler(g, []float64{0, 0}, sgdk.Settings{BatchSize: sgdk.FullBatch, Step: sgdk.Constant(0.5), Iterations: 1}, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("GD: x_1 = [%.4g %.4g]\n", r.X[0], r.X[1])
	// Output:
	// SGD-1: distance to θ* after 2000 steps < 1e-6: true
	// GD: x_1 = [0.5 -0.25]
}

// ExampleWilson is the 95% Wilson score interval for 7 escapes out of 20
// runs.
func ExampleWilson() {
	lo, hi := stability.Wilson(7, 20, 0.95)
	fmt.Printf("[%.4g, %.4g]\n", lo, hi)
	// Output:
	// [0.1812, 0.5671]
}
