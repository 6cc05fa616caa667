package learning_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/learning"
)

func gaussTestSigma() *mat.SymDense {
	return mat.NewSymDense(3, []float64{
		2, 0.5, -0.3,
		0.5, 1, 0.2,
		-0.3, 0.2, 0.5,
	})
}

// TestGaussianMomentsMonteCarlo checks E[Q] = Σ and
// E[QSQ] = 2ΣSΣ + tr(SΣ)Σ (Isserlis) against sample means of xx' and
// (x'Sx)xx' over 40000 rows: every entry within 5 standard errors of the
// sample mean (12 entries; a false alarm at 5 SE has probability < 1e-5).
func TestGaussianMomentsMonteCarlo(t *testing.T) {
	sigma := gaussTestSigma()
	g, err := learning.NewGaussianLeastSquares(sigma, []float64{1, -1, 0.5}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	s := mat.NewSymDense(3, []float64{1, 0.3, 0, 0.3, -0.5, 0.7, 0, 0.7, 2})
	want := mat.NewSymDense(3, nil)
	g.FourthMoment(want, s)
	rnd := rand.New(rand.NewPCG(1, 1))
	const n = 40000
	var sumQ, sumQ2, sumF, sumF2 [3][3]float64
	x := mat.NewVecDense(3, nil)
	for it := 0; it < n; it++ {
		row := g.Sample(rnd).(*learning.LeastSquaresRow)
		copy(x.RawVector().Data, row.A)
		xsx := mat.Inner(x, s, x)
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				q := row.A[a] * row.A[b]
				sumQ[a][b] += q
				sumQ2[a][b] += q * q
				sumF[a][b] += xsx * q
				sumF2[a][b] += xsx * q * xsx * q
			}
		}
	}
	for a := 0; a < 3; a++ {
		for b := a; b < 3; b++ {
			for _, c := range []struct {
				name      string
				sum, sum2 float64
				want      float64
			}{
				{"E[Q]", sumQ[a][b], sumQ2[a][b], sigma.At(a, b)},
				{"E[QSQ]", sumF[a][b], sumF2[a][b], want.At(a, b)},
			} {
				mean := c.sum / n
				se := math.Sqrt((c.sum2/n - mean*mean) / n)
				if math.Abs(mean-c.want) > 5*se {
					t.Errorf("%s[%d][%d]: sample mean %.5g ± %.2g, exact %.5g", c.name, a, b, mean, se, c.want)
				}
			}
		}
	}
}

func TestGaussianDerivatives(t *testing.T) {
	g, err := learning.NewGaussianLeastSquares(gaussTestSigma(), []float64{1, -1, 0.5}, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.3, 0.1, -2}
	want := fd.Gradient(nil, g.ExpectedFunc, x, &fd.Settings{Formula: fd.Central})
	got := make([]float64, 3)
	g.ExpectedGrad(got, x)
	for j := range got {
		if math.Abs(got[j]-want[j]) > 1e-7*(1+math.Abs(want[j])) {
			t.Errorf("ExpectedGrad[%d] = %v, fd %v", j, got[j], want[j])
		}
	}
	h := mat.NewSymDense(3, nil)
	g.ExpectedHess(h, x)
	if !mat.EqualApprox(h, gaussTestSigma(), 0) {
		t.Error("ExpectedHess is not Σ")
	}
	g.ExpectedGrad(got, g.Minimizer())
	for _, v := range got {
		if v != 0 {
			t.Errorf("∇F(θ*) = %v", got)
		}
	}
	if g.Homogeneous() {
		t.Error("noise 0.3 reported homogeneous")
	}
	ev := g.Eigenvalues()
	var es mat.EigenSym
	es.Factorize(gaussTestSigma(), false)
	vals := es.Values(nil)
	for i := range ev {
		if math.Abs(ev[i]-vals[2-i]) > 1e-12 {
			t.Errorf("Eigenvalues = %v, want %v descending", ev, vals)
		}
	}
}

func TestNewGaussianLeastSquaresErrors(t *testing.T) {
	good := gaussTestSigma()
	for _, c := range []struct {
		name  string
		sigma mat.Symmetric
		theta []float64
		noise float64
	}{
		{"nil sigma", nil, []float64{1}, 0},
		{"short theta", good, []float64{1}, 0},
		{"NaN theta", good, []float64{1, math.NaN(), 0}, 0},
		{"negative noise", good, []float64{1, 1, 1}, -1},
		{"NaN noise", good, []float64{1, 1, 1}, math.NaN()},
		{"indefinite", mat.NewSymDense(2, []float64{1, 0, 0, -1}), []float64{1, 1}, 0},
		{"zero", mat.NewSymDense(2, nil), []float64{1, 1}, 0},
		{"NaN sigma", mat.NewSymDense(1, []float64{math.NaN()}), []float64{1}, 0},
	} {
		if _, err := learning.NewGaussianLeastSquares(c.sigma, c.theta, c.noise); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestGaussianExpectedNoAlloc: ExpectedGrad and ExpectedFunc use no scratch
// (hot path of RunSampler with FullBatch and of optimize), and agree with
// the dense formulas Σ(θ − θ*) and ½(θ − θ*)'Σ(θ − θ*) + ½σ² computed with
// gonum.
func TestGaussianExpectedNoAlloc(t *testing.T) {
	sigma := gaussTestSigma()
	theta := []float64{1, -2, 0.5}
	g, err := learning.NewGaussianLeastSquares(sigma, theta, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.3, 0.1, -1}
	grad := make([]float64, 3)
	g.ExpectedGrad(grad, x)
	d := mat.NewVecDense(3, []float64{x[0] - theta[0], x[1] - theta[1], x[2] - theta[2]})
	var want mat.VecDense
	want.MulVec(sigma, d)
	for i := range grad {
		if math.Abs(grad[i]-want.AtVec(i)) > 1e-14*(1+math.Abs(want.AtVec(i))) {
			t.Errorf("grad[%d] = %v, Σ(θ − θ*) = %v", i, grad[i], want.AtVec(i))
		}
	}
	f := g.ExpectedFunc(x)
	wf := 0.5*mat.Inner(d, sigma, d) + 0.5*0.09
	if math.Abs(f-wf) > 1e-14*wf {
		t.Errorf("F = %v, want %v", f, wf)
	}
	if a := testing.AllocsPerRun(100, func() { g.ExpectedGrad(grad, x) }); a != 0 {
		t.Errorf("ExpectedGrad allocates %v times", a)
	}
	if a := testing.AllocsPerRun(100, func() { f = g.ExpectedFunc(x) }); a != 0 {
		t.Errorf("ExpectedFunc allocates %v times", a)
	}
}
