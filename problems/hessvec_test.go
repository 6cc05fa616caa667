package problems_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/problems/paper"
)

// builtins returns every built-in finite problem with a test point near a
// region where its Hessians are not trivially constant.
func builtins(t *testing.T) []struct {
	name string
	p    problems.Problem
	x    []float64
} {
	t.Helper()
	rnd := rand.New(rand.NewPCG(11, 12))
	quad := problems.RandQuadratic(t, rnd, 6, 5, 4, nil)
	qc, err := paper.QuadCircleModel(1)
	if err != nil {
		t.Fatal(err)
	}
	st, err := paper.StyblinskiTangModel(1, 3)
	if err != nil {
		t.Fatal(err)
	}
	n, p := 40, 7
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	yl := make([]float64, n)
	for i := range n {
		for j := range p {
			a.Set(i, j, rnd.NormFloat64())
		}
		y[i] = rnd.NormFloat64()
		yl[i] = 1
		if rnd.IntN(2) == 0 {
			yl[i] = -1
		}
	}
	ls, err := learning.NewLeastSquares(a, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	lg, err := learning.NewLogistic(a, yl, nil, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	lgi, err := learning.NewLogisticIntercept(a, yl, nil, 0.1, 2)
	if err != nil {
		t.Fatal(err)
	}
	stx := st.Sharpest()
	for d := range stx {
		stx[d] += 0.1 * rnd.NormFloat64()
	}
	return []struct {
		name string
		p    problems.Problem
		x    []float64
	}{
		{"problems.Quadratic", quad, problems.RandVec(rnd, 6, 1)},
		// Three points: the g-piece, the smooth step of h, and the plateau.
		{"paper.QuadCircle/g", qc, []float64{0.3, qc.Params(0).Q3 + 0.1}},
		{"paper.QuadCircle/h", qc, []float64{0.5 * (qc.Params(0).C2 + qc.Params(0).C3), 0.05}},
		{"paper.StyblinskiTang", st, stx},
		{"learning.LeastSquares", ls, problems.RandVec(rnd, p, 1)},
		{"learning.Logistic", lg, problems.RandVec(rnd, p, 0.5)},
		{"learning.Logistic/intercept", lgi, problems.RandVec(rnd, p, 0.5)},
	}
}

// hvErr returns ‖got − want‖_∞ / max(1, ‖want‖_∞).
func hvErr(got, want []float64) float64 {
	var e, s float64
	for i := range got {
		e = math.Max(e, math.Abs(got[i]-want[i]))
		s = math.Max(s, math.Abs(want[i]))
	}
	return e / math.Max(1, s)
}

// TestHessVecBuiltins checks every component HessVec and every problem
// ExpectedHessVec against the dense Hessian times v. Both are exact, so they
// agree to rounding: 1e-12 relative covers the O(p·ε·‖H‖‖v‖) error of the two
// summation orders for the sizes here.
func TestHessVecBuiltins(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, b := range builtins(t) {
		n := b.p.Dim()
		hv := make([]float64, n)
		want := make([]float64, n)
		hsum := mat.NewSymDense(n, nil)
		for trial := range 3 {
			v := problems.RandVec(rnd, n, math.Pow(10, float64(trial-1)))
			hsum.Zero()
			for i := range b.p.Len() {
				c := b.p.Component(i)
				hc, ok := c.(problems.HessVecer)
				if !ok {
					t.Fatalf("%s: component %d does not implement problems.HessVecer", b.name, i)
				}
				var h mat.SymDense
				c.(problems.Hessianer).Hess(&h, b.x)
				hsum.AddSym(hsum, problems.ScaledSym(b.p.Weight(i), &h))
				hc.HessVec(hv, b.x, v)
				mat.NewVecDense(n, want).MulVec(&h, mat.NewVecDense(n, v))
				if e := hvErr(hv, want); e > 1e-12 {
					t.Errorf("%s: component %d HessVec error %g", b.name, i, e)
				}
			}
			problems.ExpectedHessVecOf(b.p).ExpectedHessVec(hv, b.x, v)
			mat.NewVecDense(n, want).MulVec(hsum, mat.NewVecDense(n, v))
			if e := hvErr(hv, want); e > 1e-12 {
				t.Errorf("%s: ExpectedHessVec error %g", b.name, e)
			}
		}
	}
}

// TestHessVecBuiltinsImplemented checks that the problems with a faster
// expected product than the component sum implement problems.ExpectedHessVecer.
func TestHessVecBuiltinsImplemented(t *testing.T) {
	for _, b := range builtins(t) {
		if _, ok := b.p.(*paper.QuadCircle); ok {
			continue // two dimensions: the component sum is the fast form
		}
		if _, ok := b.p.(problems.ExpectedHessVecer); !ok {
			t.Errorf("%s does not implement problems.ExpectedHessVecer", b.name)
		}
	}
}

func TestGaussianExpectedHessVec(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	p := 5
	sigma := problems.RandPSD(rnd, p, p, nil)
	g, err := learning.NewGaussianLeastSquares(sigma, problems.RandVec(rnd, p, 1), 0.3)
	if err != nil {
		t.Fatal(err)
	}
	x, v := problems.RandVec(rnd, p, 1), problems.RandVec(rnd, p, 1)
	got := make([]float64, p)
	want := make([]float64, p)
	g.ExpectedHessVec(got, x, v)
	mat.NewVecDense(p, want).MulVec(sigma, mat.NewVecDense(p, v))
	if e := hvErr(got, want); e > 1e-13 {
		t.Errorf("ExpectedHessVec error %g", e)
	}
	row := g.Sample(rnd).(*learning.LeastSquaresRow)
	row.HessVec(got, x, v)
	floats.ScaleTo(want, floats.Dot(row.A, v), row.A)
	if e := hvErr(got, want); e > 1e-13 {
		t.Errorf("row HessVec error %g", e)
	}
}

// TestFDHessVecAccuracy checks the finite-difference product against the
// exact Hessians of the built-in problems. The documented accuracy is of
// order 1e-10 relative to ‖v‖ times the scale of the gradient and its third
// derivatives; 1e-7 leaves room for the Styblinski–Tang quartic terms (third
// derivatives of order 24·C1·|x| ≈ 1e2 at |x| ≈ 3) and the rounding of
// ε‖∇f‖/h with gradients of order 1e2. On a quadratic the truncation error
// vanishes and only the rounding remains.
func TestFDHessVecAccuracy(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	for _, b := range builtins(t) {
		n := b.p.Dim()
		got := make([]float64, n)
		want := make([]float64, n)
		for i := range b.p.Len() {
			c := b.p.Component(i)
			fdc := problems.FDHessVec(c).(problems.HessVecer)
			for _, scale := range []float64{1e-3, 1, 1e3} {
				v := problems.RandVec(rnd, n, scale)
				fdc.HessVec(got, b.x, v)
				c.(problems.HessVecer).HessVec(want, b.x, v)
				nv := floats.Norm(v, 2)
				floats.Scale(1/nv, got)
				floats.Scale(1/nv, want)
				if e := hvErr(got, want); e > 1e-7 {
					t.Errorf("%s: component %d, ‖v‖ = %g: FD HessVec error %g", b.name, i, nv, e)
				}
			}
		}
	}
	// v = 0 gives exactly 0.
	c := problems.FDHessVec(&learning.LeastSquaresRow{A: []float64{1, 2}}).(problems.HessVecer)
	got := []float64{7, 7}
	c.HessVec(got, []float64{1, 1}, []float64{0, 0})
	if got[0] != 0 || got[1] != 0 {
		t.Errorf("FD HessVec of v = 0 is %v, want 0", got)
	}
}

// gradOnly hides every capability of a component but Func and Grad.
type gradOnly struct{ c problems.Component }

func (g gradOnly) Func(x []float64) float64 { return g.c.Func(x) }
func (g gradOnly) Grad(grad, x []float64)   { g.c.Grad(grad, x) }

// hvOnlyComp exposes only the Hessian-vector product.
type hvOnlyComp struct{ c problems.Component }

func (g hvOnlyComp) Func(x []float64) float64    { return g.c.Func(x) }
func (g hvOnlyComp) Grad(grad, x []float64)      { g.c.Grad(grad, x) }
func (g hvOnlyComp) HessVec(dst, x, v []float64) { g.c.(problems.HessVecer).HessVec(dst, x, v) }

// denseOnlyComp exposes only the dense Hessian.
type denseOnlyComp struct{ c problems.Component }

func (g denseOnlyComp) Func(x []float64) float64             { return g.c.Func(x) }
func (g denseOnlyComp) Grad(grad, x []float64)               { g.c.Grad(grad, x) }
func (g denseOnlyComp) Hess(hess *mat.SymDense, x []float64) { g.c.(problems.Hessianer).Hess(hess, x) }

// diagOnlyComp exposes only the diagonal Hessian.
type diagOnlyComp struct{ c paper.STComponent }

func (g diagOnlyComp) Func(x []float64) float64       { return g.c.Func(x) }
func (g diagOnlyComp) Grad(grad, x []float64)         { g.c.Grad(grad, x) }
func (g diagOnlyComp) DiagonalHess(diag, x []float64) { g.c.DiagonalHess(diag, x) }

// rankOnlyComp exposes only the rank-one structure.
type rankDiagOnlyComp struct{ c *learning.InterceptRow }

func (g rankDiagOnlyComp) Func(x []float64) float64 { return g.c.Func(x) }
func (g rankDiagOnlyComp) Grad(grad, x []float64)   { g.c.Grad(grad, x) }
func (g rankDiagOnlyComp) RankOneHess(x []float64) (float64, []float64) {
	return g.c.RankOneHess(x)
}
func (g rankDiagOnlyComp) RidgeDiag() []float64 { return g.c.RidgeDiag() }

type rankOnlyComp struct{ c *learning.LogisticRow }

func (g rankOnlyComp) Func(x []float64) float64 { return g.c.Func(x) }
func (g rankOnlyComp) Grad(grad, x []float64)   { g.c.Grad(grad, x) }
func (g rankOnlyComp) RankOneHess(x []float64) (float64, []float64) {
	return g.c.RankOneHess(x)
}
func (g rankOnlyComp) Ridge() float64 { return g.c.Ridge() }

// TestHessianForms checks that problems.HessVecOf and problems.HessianOf pick the documented
// form and that every form agrees with the component's dense Hessian: to
// rounding (1e-12) for the exact forms, and to 1e-7 for finite differences
// (the FD accuracy of TestFDHessVecAccuracy).
func TestHessianForms(t *testing.T) {
	rnd := rand.New(rand.NewPCG(9, 10))
	var lg, lgi, st problems.Problem
	var xl, xi, xs []float64
	for _, b := range builtins(t) {
		switch b.name {
		case "learning.Logistic":
			lg, xl = b.p, b.x
		case "learning.Logistic/intercept":
			lgi, xi = b.p, b.x
		case "paper.StyblinskiTang":
			st, xs = b.p, b.x
		}
	}
	lrow := lg.Component(0).(*learning.LogisticRow)
	irow := lgi.Component(0).(*learning.InterceptRow)
	stc := st.Component(0).(paper.STComponent)
	cases := []struct {
		c        problems.Component
		ref      problems.Component
		x        []float64
		hv, hess problems.HessianForm
		tol      float64
	}{
		{lrow, lrow, xl, problems.FormRankOne, problems.FormDense, 1e-12},
		{rankOnlyComp{lrow}, lrow, xl, problems.FormRankOne, problems.FormRankOne, 1e-12},
		{irow, irow, xi, problems.FormRankOne, problems.FormDense, 1e-12},
		{rankDiagOnlyComp{irow}, irow, xi, problems.FormRankOne, problems.FormRankOne, 1e-12},
		{hvOnlyComp{lrow}, lrow, xl, problems.FormHessVec, problems.FormHessVec, 1e-12},
		{denseOnlyComp{lrow}, lrow, xl, problems.FormDense, problems.FormDense, 1e-12},
		{gradOnly{lrow}, lrow, xl, problems.FormFiniteDifference, problems.FormFiniteDifference, 1e-7},
		{diagOnlyComp{stc}, stc, xs, problems.FormDiagonal, problems.FormDiagonal, 1e-12},
		{gradOnly{stc}, stc, xs, problems.FormFiniteDifference, problems.FormFiniteDifference, 1e-7},
	}
	for k, tc := range cases {
		name := fmt.Sprintf("case %d (%T)", k, tc.c)
		if f := problems.HessVecFormOf(tc.c); f != tc.hv {
			t.Errorf("%s: problems.HessVecFormOf = %v, want %v", name, f, tc.hv)
		}
		if f := problems.HessianFormOf(tc.c); f != tc.hess {
			t.Errorf("%s: problems.HessianFormOf = %v, want %v", name, f, tc.hess)
		}
		n := len(tc.x)
		var want, got mat.SymDense
		tc.ref.(problems.Hessianer).Hess(&want, tc.x)
		problems.HessianOf(tc.c).Hess(&got, tc.x)
		if e := problems.MixedErrMat(&got, &want); !(e <= tc.tol) {
			t.Errorf("%s: problems.HessianOf error %g, want ≤ %g", name, e, tc.tol)
		}
		v := problems.RandVec(rnd, n, 1)
		hv := make([]float64, n)
		ref := make([]float64, n)
		problems.HessVecOf(tc.c).HessVec(hv, tc.x, v)
		mat.NewVecDense(n, ref).MulVec(&want, mat.NewVecDense(n, v))
		if e := hvErr(hv, ref); !(e <= tc.tol) {
			t.Errorf("%s: problems.HessVecOf error %g, want ≤ %g", name, e, tc.tol)
		}
	}
}

// TestCheckDerivativesHessVec checks that problems.CheckDerivatives compares HessVec
// and ExpectedHessVec, and catches a wrong product.
func TestCheckDerivativesHessVec(t *testing.T) {
	for _, b := range builtins(t) {
		rep, err := problems.CheckDerivatives(b.p, [][]float64{b.x}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.HessVec == nil {
			t.Errorf("%s: HessVec not checked", b.name)
		}
		if e := problems.WorstOf(rep.HessVec); !(e.Err < 1e-6) {
			t.Errorf("%s: HessVec check error %v", b.name, e)
		}
		if _, ok := b.p.(problems.ExpectedHessVecer); ok && !(rep.ExpectedHessVec.Err < 1e-12) {
			t.Errorf("%s: ExpectedHessVec check error %v", b.name, *rep.ExpectedHessVec)
		}
	}
	bad, err := problems.NewMixture(2, []problems.Component{badHV{&learning.LeastSquaresRow{A: []float64{1, 2}, Y: 1}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := problems.CheckDerivatives(bad, [][]float64{{0.5, -0.5}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !(problems.WorstOf(rep.HessVec).Err > 0.1) {
		t.Errorf("a wrong HessVec passed the check: %v", problems.WorstOf(rep.HessVec))
	}
}

// badHV returns twice the true product.
type badHV struct{ *learning.LeastSquaresRow }

func (b badHV) HessVec(dst, x, v []float64) {
	b.LeastSquaresRow.HessVec(dst, x, v)
	floats.Scale(2, dst)
}

func BenchmarkHessVec(b *testing.B) {
	rnd := rand.New(rand.NewPCG(1, 1))
	n, p := 569, 31
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	for i := range n {
		for j := range p {
			a.Set(i, j, rnd.NormFloat64())
		}
		y[i] = float64(2*rnd.IntN(2) - 1)
	}
	lg, err := learning.NewLogistic(a, y, nil, 0.01)
	if err != nil {
		b.Fatal(err)
	}
	x, v, dst := problems.RandVec(rnd, p, 0.1), problems.RandVec(rnd, p, 1), make([]float64, p)
	b.Run("Logistic/ExpectedHessVec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			lg.ExpectedHessVec(dst, x, v)
		}
	})
	b.Run("Logistic/ComponentSum", func(b *testing.B) {
		// Hiding lg's own ExpectedHessVec leaves the weighted sum of the
		// components' rank-one products.
		sum := problems.ExpectedHessVecOf(struct{ problems.Problem }{lg})
		b.ReportAllocs()
		for b.Loop() {
			sum.ExpectedHessVec(dst, x, v)
		}
	})
}
