package learning_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
)

// TestLogisticInterceptOnly: with a column of ones only, F(θ) =
// −ȳ log σ(θ) − (1 − ȳ) log σ(−θ) (ȳ the fraction of positive labels) plus
// no penalty, so the minimizer is logit(ȳ) whatever the ridge.
func TestLogisticInterceptOnly(t *testing.T) {
	y := []float64{1, 1, 1, 0, 1, 0, 1}
	a := mat.NewDense(len(y), 1, nil)
	for i := range y {
		a.Set(i, 0, 1)
	}
	ybar := 5.0 / 7
	want := math.Log(ybar / (1 - ybar))
	for _, ridge := range []float64{0, 0.5, 10} {
		l, err := learning.NewLogisticIntercept(a, y, nil, ridge, 0)
		if err != nil {
			t.Fatal(err)
		}
		x, err := l.Minimizer()
		if err != nil {
			t.Fatalf("ridge %v: %v", ridge, err)
		}
		// Newton stops at ‖∇F‖ ≤ 2e-12; F'' = ȳ(1 − ȳ) ≈ 0.2, so θ is
		// within 1e-11.
		if math.Abs(x[0]-want) > 1e-10 {
			t.Errorf("ridge %v: intercept %v, want logit(ȳ) = %v", ridge, x[0], want)
		}
	}
	// Penalized, the intercept shrinks towards 0.
	l, err := learning.NewLogistic(a, y, nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	x, err := l.Minimizer()
	if err != nil {
		t.Fatal(err)
	}
	if !(math.Abs(x[0]) < 0.5*math.Abs(want)) {
		t.Errorf("penalized intercept %v, want well below logit(ȳ) = %v", x[0], want)
	}
}

// TestLogisticInterceptDerivatives checks the components' gradients and
// Hessians against finite differences of their Func, the problem's
// expected derivatives against the weighted sums of the components', and
// that the penalty skips exactly the intercept column.
func TestLogisticInterceptDerivatives(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	n, p := 9, 4
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	for i := range n {
		for j := range p {
			a.Set(i, j, rnd.NormFloat64())
		}
		a.Set(i, 2, 1)
		y[i] = float64(i % 2)
	}
	const ridge = 0.7
	l, err := learning.NewLogisticIntercept(a, y, nil, ridge, 2)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := learning.NewLogistic(a, y, nil, ridge)
	if err != nil {
		t.Fatal(err)
	}
	x := []float64{0.3, -0.2, 0.9, 0.5}
	v := []float64{1, -2, 0.5, 0.25}
	if _, ok := l.Component(0).(problems.RankOneHessianer); ok {
		t.Fatal("an intercept row must not claim a rank-one-plus-ridge Hessian")
	}
	// The penalty difference is (ridge/2)θ_2².
	d := plain.Component(3).Func(x) - l.Component(3).Func(x)
	if math.Abs(d-0.5*ridge*x[2]*x[2]) > 1e-14 {
		t.Errorf("penalty difference %v, want %v", d, 0.5*ridge*x[2]*x[2])
	}
	gsum, hvsum := make([]float64, p), make([]float64, p)
	hsum := mat.NewSymDense(p, nil)
	g, hv := make([]float64, p), make([]float64, p)
	for i := range n {
		c := l.Component(i)
		c.Grad(g, x)
		wantG := fd.Gradient(nil, c.Func, x, &fd.Settings{Formula: fd.Central})
		// Central differences of an O(1) function at step 1e-6: error
		// about 1e-10 (rounding ε/h).
		if !floats.EqualApprox(g, wantG, 1e-7) {
			t.Fatalf("component %d: Grad %v, finite differences %v", i, g, wantG)
		}
		var hd mat.SymDense
		c.(problems.Hessianer).Hess(&hd, x)
		var jac mat.Dense
		jac.ReuseAs(p, p)
		fd.Jacobian(&jac, func(dst, x []float64) { c.Grad(dst, x) }, x, &fd.JacobianSettings{Formula: fd.Central})
		if !mat.EqualApprox(&hd, &jac, 1e-7) {
			t.Fatalf("component %d: Hess %v, finite differences %v", i, mat.Formatted(&hd), mat.Formatted(&jac))
		}
		c.(problems.HessVecer).HessVec(hv, x, v)
		var want mat.VecDense
		want.MulVec(&hd, mat.NewVecDense(p, v))
		if !floats.EqualApprox(hv, want.RawVector().Data, 1e-13) {
			t.Fatalf("component %d: HessVec %v, Hess·v %v", i, hv, want.RawVector().Data)
		}
		w := l.Weight(i)
		floats.AddScaled(gsum, w, g)
		floats.AddScaled(hvsum, w, hv)
		hsum.AddSym(hsum, scaleSym(w, &hd))
	}
	eg, ehv := make([]float64, p), make([]float64, p)
	l.ExpectedGrad(eg, x)
	l.ExpectedHessVec(ehv, x, v)
	eh := mat.NewSymDense(p, nil)
	l.ExpectedHess(eh, x)
	if !floats.EqualApprox(eg, gsum, 1e-13) || !floats.EqualApprox(ehv, hvsum, 1e-13) || !mat.EqualApprox(eh, hsum, 1e-13) {
		t.Errorf("expected derivatives differ from the component sums:\n%v %v\n%v %v\n%v\n%v", eg, gsum, ehv, hvsum, mat.Formatted(eh), mat.Formatted(hsum))
	}
	if _, err := learning.NewLogisticIntercept(a, y, nil, ridge, p); err == nil {
		t.Error("intercept = p: no error")
	}
}

func scaleSym(f float64, a *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(f, a)
	return &s
}
