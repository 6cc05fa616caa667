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
	const c, k, iters = 0.2, 2, 4 // k ≤ Len: the alias path
	s := Settings{BatchSize: k, Step: Constant(c), Iterations: iters}
	res, err := Run(p, x0, s, rand.New(rand.NewPCG(11, 12)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Replay: the same stream through the same alias table (tested on its
	// own in package problems) gives the drawn indices; apply (8) by
	// hand.
	alias, err := problems.NewAlias(w)
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(11, 12))
	x := append([]float64(nil), x0...)
	for range iters {
		sum := []float64{0, 0}
		for range k {
			i := alias.Sample(rnd)
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

func TestMultinomialBatchMoments(t *testing.T) {
	// With replacement and k > Len the batch is drawn as multinomial counts.
	// The batch gradient ĝ = (1/k)Σ_j ∇f_{ξ_j}(x) then has mean ∇F(x) and
	// covariance (1/k)·Σ_i p_i (g_i − ḡ)(g_i − ḡ)', g_i = ∇f_i(x), whatever
	// the sampling method: both are checked by simulation, to 5 standard
	// errors estimated from the draws themselves.
	_, q, r, _ := stepTestQuad(t)
	q3 := append(q, []float64{4, 1, 1, 0.5})
	r3 := append(r, []float64{3, 1})
	w3 := []float64{0.3, 0.5, 0.2}
	qs := make([]mat.Symmetric, 3)
	for i := range qs {
		qs[i] = mat.NewSymDense(2, q3[i])
	}
	p3, err := problems.NewQuadratic(qs, r3, w3)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.4, -0.8}
	var gbar [2]float64
	g := make([][]float64, 3)
	for i := range g {
		g[i] = stepTestGrad(q3[i], r3[i], x)
		floats.AddScaled(gbar[:], w3[i], g[i])
	}
	var cov [2][2]float64
	for i := range g {
		for a := range 2 {
			for b := range 2 {
				cov[a][b] += w3[i] * (g[i][a] - gbar[a]) * (g[i][b] - gbar[b])
			}
		}
	}
	const draws = 20000
	for _, k := range []int{4, 50, 1 << 20} {
		plan, err := newSGDPlan(p3, Settings{BatchSize: k, Step: Constant(1), Iterations: 1})
		if err != nil {
			t.Fatal(err)
		}
		if plan.multi == nil {
			t.Fatalf("k = %d > Len = 3 did not select multinomial counts", k)
		}
		work := plan.newWork()
		rnd := rand.New(rand.NewPCG(uint64(k), 9))
		var m1 [2]float64
		var m2, m4 [2][2]float64
		for range draws {
			f := plan.direction(work, x, rnd)
			var d [2]float64
			for a := range 2 {
				d[a] = f*work.dir[a] - gbar[a]
				m1[a] += d[a] / draws
			}
			for a := range 2 {
				for b := range 2 {
					m2[a][b] += d[a] * d[b] / draws
					m4[a][b] += d[a] * d[a] * d[b] * d[b] / draws
				}
			}
		}
		for a := range 2 {
			if se := math.Sqrt(cov[a][a] / float64(k) / draws); math.Abs(m1[a]) > 5*se {
				t.Errorf("k = %d: mean of coordinate %d off ∇F by %.3g, standard error %.3g", k, a, m1[a], se)
			}
			for b := range 2 {
				want := cov[a][b] / float64(k)
				se := math.Sqrt((m4[a][b] - m2[a][b]*m2[a][b]) / draws)
				if math.Abs(m2[a][b]-want) > 5*se {
					t.Errorf("k = %d: covariance[%d][%d] = %.4g ± %.2g, want Cov/k = %.4g", k, a, b, m2[a][b], se, want)
				}
			}
		}
	}
}

func TestHugeBatchIsNearGradientDescent(t *testing.T) {
	// k = 2^40 costs O(Len) per step, and its noise has standard deviation
	// √(Cov/k) ≈ 1e−6·√Cov per step; over 200 contracting steps
	// (|1 − Cλ| ≤ 0.8 here) the iterate differs from gradient descent's by a
	// few times C·√(Cov/k)/√(1 − 0.8²) ≈ 1e−6, so 1e−4 is generous, while a
	// small batch (k = 1) ends far away.
	p, _, _, _ := stepTestQuad(t)
	x0 := []float64{1, 1}
	run := func(k int) []float64 {
		res, err := Run(p, x0, Settings{BatchSize: k, Step: Constant(0.2), Iterations: 200}, rand.New(rand.NewPCG(1, 2)), nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.X
	}
	gd := run(FullBatch)
	if huge := run(1 << 40); floats.Distance(huge, gd, 2) > 1e-4 {
		t.Errorf("k = 2^40 ends at %v, gradient descent at %v", huge, gd)
	}
	if one := run(1); floats.Distance(one, gd, 2) < 1e-2 {
		t.Errorf("k = 1 ends at %v, as close to gradient descent %v as a huge batch", one, gd)
	}
}
