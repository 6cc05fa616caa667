package sgdk

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
)

// stepTestQuad is a two-component quadratic on R² with non-uniform weights:
// f_1 = ½x'Q_1x + r_1'x, f_2 = ½x'Q_2x + r_2'x, p = (0.3, 0.7).
func stepTestQuad(t *testing.T) (*problems.Quadratic, [][]float64, [][]float64, []float64) {
	t.Helper()
	q := [][]float64{{2, 0.5, 0.5, 1}, {1, -0.3, -0.3, 3}}
	r := [][]float64{{1, -1}, {-0.5, 2}}
	w := []float64{0.3, 0.7}
	qs := []mat.Symmetric{mat.NewSymDense(2, q[0]), mat.NewSymDense(2, q[1])}
	p, err := problems.NewQuadratic(qs, r, w)
	if err != nil {
		t.Fatal(err)
	}
	return p, q, r, w
}

// stepTestGrad returns Q x + r for the row-major 2×2 Q.
func stepTestGrad(q []float64, r, x []float64) []float64 {
	return []float64{q[0]*x[0] + q[1]*x[1] + r[0], q[2]*x[0] + q[3]*x[1] + r[1]}
}

// noExpected hides a problem's ExpectedGrad so that Run sums components.
type noExpected struct{ problems.Problem }

func TestStepByHand(t *testing.T) {
	p, q, r, w := stepTestQuad(t)
	x0 := []float64{0.7, -1.2}
	const c, k, iters = 0.2, 3, 4
	s := Settings{BatchSize: k, Step: Constant(c), Iterations: iters}
	res, err := Run(p, x0, s, rand.New(rand.NewPCG(11, 12)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Replay: the same stream through the same alias table (tested on its
	// own in TestAliasFrequencies) gives the drawn indices; apply (8) by
	// hand.
	alias := newSGDAlias(w)
	rnd := rand.New(rand.NewPCG(11, 12))
	x := append([]float64(nil), x0...)
	for range iters {
		sum := []float64{0, 0}
		for range k {
			i := alias.draw(rnd)
			floats.Add(sum, stepTestGrad(q[i], r[i], x))
		}
		x[0] -= c / k * sum[0]
		x[1] -= c / k * sum[1]
	}
	if !floats.EqualApprox(res.X, x, 1e-14) {
		t.Errorf("Run gave %v, hand iteration %v", res.X, x)
	}
	if res.Iterations != iters || res.Diverged || res.Stopped {
		t.Errorf("Result = %+v", res)
	}
	if x0[0] != 0.7 || x0[1] != -1.2 {
		t.Errorf("x0 was modified: %v", x0)
	}
}

func TestFullBatchIsExactGradientDescent(t *testing.T) {
	p, q, r, w := stepTestQuad(t)
	x0 := []float64{3, -2}
	const c, iters = 0.3, 7
	// Exact iteration x ← x − C(Hx + E[r]) with H, E[r] summed here.
	h := make([]float64, 4)
	er := make([]float64, 2)
	for i := range w {
		floats.AddScaled(h, w[i], q[i])
		floats.AddScaled(er, w[i], r[i])
	}
	want := append([]float64(nil), x0...)
	for range iters {
		g := stepTestGrad(h, er, want)
		floats.AddScaled(want, -c, g)
	}
	s := Settings{BatchSize: FullBatch, Step: Constant(c), Iterations: iters}
	for name, prob := range map[string]problems.Problem{"ExpectedGrader": p, "sum": noExpected{p}} {
		res, err := Run(prob, x0, s, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !floats.EqualApprox(res.X, want, 1e-13) {
			t.Errorf("%s: x_%d = %v, want %v", name, iters, res.X, want)
		}
	}
	// k = N without replacement is also gradient descent (uniform weights).
	u, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(2, q[0]), mat.NewSymDense(2, q[1])}, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	gd, err := Run(u, x0, s, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.BatchSize, s.WithoutReplacement = 2, true
	wr, err := Run(u, x0, s, rand.New(rand.NewPCG(1, 2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !floats.EqualApprox(wr.X, gd.X, 1e-13) {
		t.Errorf("k = N without replacement gave %v, gradient descent %v", wr.X, gd.X)
	}
}

func TestWithoutReplacementVariance(t *testing.T) {
	// f_i(x) = ½x² + r_i x with uniform weights: at x = 0 the batch gradient
	// is the batch mean of r, and one step with C = 1 gives x_1 = −mean.
	// Without replacement, Var(mean) = (σ²/k)(N−k)/(N−1) exactly;
	// with replacement σ²/k. Here (N−k)/(N−1) = 1/2, so the two differ by
	// a factor two, far beyond the tolerance.
	rs := []float64{-2, -0.5, 0, 1, 4}
	n := len(rs)
	qs := make([]mat.Symmetric, n)
	r := make([][]float64, n)
	for i := range rs {
		qs[i] = mat.NewSymDense(1, []float64{1})
		r[i] = []float64{rs[i]}
	}
	p, err := problems.NewQuadratic(qs, r, nil)
	if err != nil {
		t.Fatal(err)
	}
	mean, sigma2 := 0.0, 0.0
	for _, v := range rs {
		mean += v / float64(n)
	}
	for _, v := range rs {
		sigma2 += (v - mean) * (v - mean) / float64(n)
	}
	const k, draws = 3, 20000
	for _, without := range []bool{true, false} {
		want := sigma2 / k
		if without {
			want *= float64(n-k) / float64(n-1)
		}
		s := Settings{BatchSize: k, Step: Constant(1), Iterations: 1, WithoutReplacement: without}
		plan, err := newSGDPlan(p, s)
		if err != nil {
			t.Fatal(err)
		}
		work := plan.newWork()
		rnd := rand.New(rand.NewPCG(3, 4))
		x := []float64{0}
		var m1, m2, m4 float64
		for range draws {
			x[0] = 0
			if _, err := plan.run(work, x, rnd, nil); err != nil {
				t.Fatal(err)
			}
			g := -x[0] - mean
			m1 += g / draws
			m2 += g * g / draws
			m4 += g * g * g * g / draws
		}
		// The sample second moment about the known mean has standard error
		// √((m4 − m2²)/draws); allow 5 of them.
		se := math.Sqrt((m4 - m2*m2) / draws)
		if math.Abs(m2-want) > 5*se || math.Abs(m1) > 5*math.Sqrt(m2/draws) {
			t.Errorf("without = %v: batch gradient mean %.4g variance %.4g ± %.2g, want 0 and %.4g", without, m1+mean, m2, se, want)
		}
	}
}

func TestProjectionClips(t *testing.T) {
	// f(x) = x², C = 1.1, x0 = −1: unconstrained x1 = 1.2, clipped to 1.1;
	// then 1.1 − 1.1·2.2 = −1.32, clipped to −1.3.
	p, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(1, []float64{2})}, [][]float64{{0}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	box, err := problems.NewBox([]float64{-1.3}, []float64{1.1})
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	rec := func(n int, x []float64) bool { got = append(got, x[0]); return true }
	s := Settings{BatchSize: 1, Step: Constant(1.1), Iterations: 2, Bounds: box}
	if _, err := Run(p, []float64{-1}, s, rand.New(rand.NewPCG(1, 1)), rec); err != nil {
		t.Fatal(err)
	}
	want := []float64{-1, 1.1, -1.3}
	if !floats.EqualApprox(got, want, 1e-15) {
		t.Errorf("projected iterates %v, want %v", got, want)
	}
}
