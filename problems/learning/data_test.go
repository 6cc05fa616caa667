package learning_test

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
)

func dataMatrix(rnd *rand.Rand, n, p int) (*mat.Dense, []float64, []float64) {
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	lab := make([]float64, n)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			a.Set(i, j, rnd.NormFloat64())
		}
		y[i] = a.At(i, 0) - 0.5*a.At(i, 1) + 0.3*rnd.NormFloat64()
		lab[i] = 1
		if y[i] < 0.5*rnd.NormFloat64() {
			lab[i] = -1
		}
	}
	return a, y, lab
}

// checkComponentDerivatives compares every component's Grad with
// fd.Gradient of Func and its Hess with fd.Jacobian of Grad (central
// differences: errors of order 1e-9 for these smooth functions of unit
// scale), and the problem's ExpectedGrad and ExpectedHess with the
// weighted sums of the components.
func checkComponentDerivatives(t *testing.T, name string, p problems.Problem, x []float64) {
	t.Helper()
	dim := p.Dim()
	sumG := make([]float64, dim)
	sumH := mat.NewSymDense(dim, nil)
	g := make([]float64, dim)
	h := mat.NewSymDense(dim, nil)
	for i := 0; i < p.Len(); i++ {
		c := p.Component(i)
		c.Grad(g, x)
		want := fd.Gradient(nil, c.Func, x, &fd.Settings{Formula: fd.Central})
		for j := range g {
			if math.Abs(g[j]-want[j]) > 1e-7*(1+math.Abs(want[j])) {
				t.Errorf("%s: component %d grad[%d] = %v, fd %v", name, i, j, g[j], want[j])
			}
		}
		problems.HessianOf(c).Hess(h, x)
		var jac mat.Dense
		jac.ReuseAs(dim, dim)
		fd.Jacobian(&jac, func(dst, x []float64) { c.Grad(dst, x) }, x, &fd.JacobianSettings{Formula: fd.Central})
		for a := 0; a < dim; a++ {
			for b := 0; b < dim; b++ {
				if math.Abs(h.At(a, b)-jac.At(a, b)) > 1e-6*(1+math.Abs(jac.At(a, b))) {
					t.Errorf("%s: component %d hess[%d][%d] = %v, fd %v", name, i, a, b, h.At(a, b), jac.At(a, b))
				}
			}
		}
		floats.AddScaled(sumG, p.Weight(i), g)
		sumH.AddSym(sumH, scaled(p.Weight(i), h))
	}
	eg := make([]float64, dim)
	p.(problems.ExpectedGrader).ExpectedGrad(eg, x)
	if !floats.EqualApprox(eg, sumG, 1e-12) {
		t.Errorf("%s: ExpectedGrad %v, sum %v", name, eg, sumG)
	}
	eh := mat.NewSymDense(dim, nil)
	p.(problems.ExpectedHessianer).ExpectedHess(eh, x)
	if !mat.EqualApprox(eh, sumH, 1e-12) {
		t.Errorf("%s: ExpectedHess differs from the sum of component Hessians", name)
	}
}

func scaled(c float64, a *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(c, a)
	return &s
}

func TestDataDerivatives(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	a, y, lab := dataMatrix(rnd, 12, 3)
	ls, err := learning.NewLeastSquares(a, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	lg, err := learning.NewLogistic(a, lab, nil, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float64{{0, 0, 0}, {0.7, -1.2, 2}, {5, -3, 1}} {
		checkComponentDerivatives(t, "least squares", ls, x)
		checkComponentDerivatives(t, "logistic", lg, x)
	}
}

func TestDataMinimizers(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 5))
	a, y, lab := dataMatrix(rnd, 30, 4)
	w := make([]float64, 30)
	for i := range w {
		w[i] = (1 + float64(i%3)) / 60
	}
	ls, err := learning.NewLeastSquares(a, y, w)
	if err != nil {
		t.Fatal(err)
	}
	// Least squares: the minimizer solves the normal equations A'WA θ = A'Wy.
	x, err := ls.Minimizer()
	if err != nil {
		t.Fatal(err)
	}
	h := mat.NewSymDense(4, nil)
	ls.ExpectedHess(h, x)
	rhs := mat.NewVecDense(4, nil)
	for i := 0; i < 30; i++ {
		rhs.AddScaledVec(rhs, w[i]*y[i], a.RowView(i))
	}
	var want mat.VecDense
	if err := want.SolveVec(h, rhs); err != nil {
		t.Fatal(err)
	}
	if !floats.EqualApprox(x, want.RawVector().Data, 1e-10) {
		t.Errorf("least squares minimizer %v, normal equations %v", x, want.RawVector().Data)
	}
	if ls.Homogeneous(x, 1e-9) {
		t.Error("noisy data reported homogeneous")
	}
	// Logistic: ∇F(θ*) = 0.
	lg, err := learning.NewLogistic(a, lab, w, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	xl, err := lg.Minimizer()
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, 4)
	lg.ExpectedGrad(g, xl)
	if floats.Norm(g, 2) > 1e-10 {
		t.Errorf("logistic ‖∇F(θ*)‖ = %v", floats.Norm(g, 2))
	}
	// Interpolated data: a homogeneous minimizer.
	for i := range y {
		y[i] = a.At(i, 0) + 2*a.At(i, 3)
	}
	li, _ := learning.NewLeastSquares(a, y, nil)
	xi, _ := li.Minimizer()
	if !li.Homogeneous(xi, 1e-9) || math.Abs(xi[0]-1) > 1e-10 || math.Abs(xi[3]-2) > 1e-10 {
		t.Errorf("interpolating minimizer %v", xi)
	}
}

func TestDataErrors(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	if _, err := learning.NewLeastSquares(nil, nil, nil); err == nil {
		t.Error("nil a accepted")
	}
	if _, err := learning.NewLeastSquares(a, []float64{1}, nil); err == nil {
		t.Error("short y accepted")
	}
	if _, err := learning.NewLeastSquares(a, []float64{1, math.NaN()}, nil); err == nil {
		t.Error("NaN y accepted")
	}
	if _, err := learning.NewLeastSquares(mat.NewDense(1, 1, []float64{math.Inf(1)}), []float64{1}, nil); err == nil {
		t.Error("Inf a accepted")
	}
	if _, err := learning.NewLeastSquares(a, []float64{1, 1}, []float64{0.5, 0.6}); err == nil {
		t.Error("weights summing to 1.1 accepted")
	}
	if _, err := learning.NewLogistic(a, []float64{1, 2}, nil, 0); err == nil {
		t.Error("label 2 accepted")
	}
	if _, err := learning.NewLogistic(a, []float64{1, -1}, nil, -1); err == nil {
		t.Error("negative ridge accepted")
	}
	// Separable data without ridge: no minimizer.
	sep, _ := learning.NewLogistic(a, []float64{1, -1}, nil, 0)
	if _, err := sep.Minimizer(); err == nil {
		t.Error("separable logistic regression without ridge returned a minimizer")
	}
}

// TestLeastSquaresHomogeneousBadInput: Homogeneous has no error result, so
// wrong-length or NaN input reports false instead of panicking (floats.Dot
// used to panic on a length mismatch).
func TestLeastSquaresHomogeneousBadInput(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 0, 0, 1})
	ls, err := learning.NewLeastSquares(a, []float64{1, 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !ls.Homogeneous([]float64{1, 2}, 1e-12) {
		t.Error("the exact solution is not homogeneous")
	}
	for _, c := range []struct {
		name string
		x    []float64
		tol  float64
	}{
		{"short x", []float64{1}, 1e-9},
		{"long x", []float64{1, 2, 3}, 1e-9},
		{"nil x", nil, 1e-9},
		{"NaN x", []float64{math.NaN(), 2}, 1e-9},
		{"NaN tol", []float64{1, 2}, math.NaN()},
		{"negative tol", []float64{1, 2}, -1},
	} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", c.name, r)
				}
			}()
			if ls.Homogeneous(c.x, c.tol) {
				t.Errorf("%s: reported homogeneous", c.name)
			}
		}()
	}
}

// TestDataEntryOverflow: an entry whose square overflows would make the
// expected Hessian +Inf; the constructors refuse it and name the entry,
// and accept the largest entry whose square is finite.
func TestDataEntryOverflow(t *testing.T) {
	a := mat.NewDense(2, 2, []float64{1, 2, 1e200, 4})
	if _, err := learning.NewLeastSquares(a, []float64{0, 1}, nil); err == nil || !strings.Contains(err.Error(), "a[1][0]") {
		t.Errorf("NewLeastSquares: err = %v, want one naming a[1][0]", err)
	}
	if _, err := learning.NewLogistic(a, []float64{-1, 1}, nil, 0.1); err == nil || !strings.Contains(err.Error(), "a[1][0]") {
		t.Errorf("NewLogistic: err = %v, want one naming a[1][0]", err)
	}
	big := math.Ldexp(1, 511)
	ls, err := learning.NewLeastSquares(mat.NewDense(2, 1, []float64{big, 1}), []float64{0, 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := mat.NewSymDense(1, nil)
	ls.ExpectedHess(h, []float64{0})
	if v := h.At(0, 0); math.IsInf(v, 0) || math.IsNaN(v) {
		t.Errorf("ExpectedHess at |a| = 2^511 is %v, want finite", v)
	}
}
