package problems

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// quartic is the separable component f(x) = Σ_d (a_d x_d⁴/4 + b_d x_d²/2 + c_d x_d)
// with a diagonal Hessian 3a_d x_d² + b_d. bug selects a deliberate error.
type quartic struct {
	a, b, c []float64
	bug     string // "", "grad", "hess", "diag", "nan"
}

func (q quartic) Func(x []float64) float64 {
	var s float64
	for d, v := range x {
		s += q.a[d]*v*v*v*v/4 + q.b[d]*v*v/2 + q.c[d]*v
	}
	if q.bug == "nan" {
		return math.NaN()
	}
	return s
}

func (q quartic) Grad(grad, x []float64) {
	for d, v := range x {
		grad[d] = q.a[d]*v*v*v + q.b[d]*v + q.c[d]
	}
	if q.bug == "grad" {
		grad[1] *= 1.01 // a 1% error in one coordinate
	}
}

func (q quartic) Hess(hess *mat.SymDense, x []float64) {
	n := len(x)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			hess.SetSym(i, j, 0)
		}
		hess.SetSym(i, i, 3*q.a[i]*x[i]*x[i]+q.b[i])
	}
	if q.bug == "hess" {
		hess.SetSym(0, 1, 0.01)
	}
}

func (q quartic) DiagonalHess(diag, x []float64) {
	for d, v := range x {
		diag[d] = 3*q.a[d]*v*v + q.b[d]
	}
	if q.bug == "diag" {
		diag[0] += 0.01
	}
}

func randQuartic(rnd *rand.Rand, p int, bug string) quartic {
	q := quartic{a: make([]float64, p), b: make([]float64, p), c: make([]float64, p), bug: bug}
	for d := 0; d < p; d++ {
		q.a[d] = rnd.Float64()
		q.b[d] = -2 * rnd.Float64()
		q.c[d] = rnd.NormFloat64()
	}
	return q
}

// quarticSum is a mixture of quartics with the DiagonalMomenter fast path
// (closed form h_d = E[h_{i,d}], m_d = h_d·Var(h_{i,d})); bias adds an error.
type quarticSum struct {
	*Mixture
	qs   []quartic // the components' coefficients (a component may be wrapped)
	bias float64
}

func (s quarticSum) DiagonalMoments(h, m, x []float64) {
	for d := range h {
		var e1, e2 float64
		for i := 0; i < s.Len(); i++ {
			q := s.qs[i]
			v := 3*q.a[d]*x[d]*x[d] + q.b[d]
			e1 += s.Weight(i) * v
			e2 += s.Weight(i) * v * v
		}
		h[d] = e1
		m[d] = e1*(e2-e1*e1) + s.bias
	}
}

// wrongExpected is a Quadratic whose ExpectedGrad is off by 1e-3 in one entry.
type wrongExpected struct{ *Quadratic }

func (w wrongExpected) ExpectedGrad(grad, x []float64) {
	w.Quadratic.ExpectedGrad(grad, x)
	grad[0] += 1e-3
}

func checkPoints(rnd *rand.Rand, p, n int) [][]float64 {
	pts := make([][]float64, n)
	for k := range pts {
		pts[k] = randVec(rnd, p, 1)
	}
	return pts
}

func TestCheckDerivativesCorrect(t *testing.T) {
	rnd := rand.New(rand.NewPCG(21, 1))
	const p = 3
	qs := []quartic{randQuartic(rnd, p, ""), randQuartic(rnd, p, ""), randQuartic(rnd, p, "")}
	c := []Component{qs[0], qs[1], FDHessian(qs[2])}
	mix, err := NewMixture(p, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := CheckDerivatives(quarticSum{Mixture: mix, qs: qs}, checkPoints(rnd, p, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Grad) != 3 || len(rep.Hess) != 3 || len(rep.DiagonalHess) != 3 || rep.DiagonalMoments == nil {
		t.Fatalf("report is missing checks: %+v", rep)
	}
	if rep.ExpectedGrad != nil || rep.ExpectedHess != nil {
		t.Error("checks reported for interfaces the problem does not implement")
	}
	// Central differences with h = 6e-6 on |x| ≈ 1: truncation h²|f'''| and
	// rounding ε|f|/h are both below 1e-9 here.
	if w := rep.Worst(); !(w.Err < 1e-8) {
		t.Errorf("correct derivatives: worst error %+v", w)
	}
	for i, e := range rep.Grad {
		if e.Component != i || e.Point < 0 {
			t.Errorf("Grad[%d] = %+v: wrong component or no point", i, e)
		}
	}
}

func TestCheckDerivativesDetects(t *testing.T) {
	rnd := rand.New(rand.NewPCG(22, 1))
	const p = 3
	for _, bug := range []string{"grad", "hess", "diag", "nan"} {
		c := []Component{randQuartic(rnd, p, ""), randQuartic(rnd, p, bug), randQuartic(rnd, p, "")}
		mix, err := NewMixture(p, c, nil)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := CheckDerivatives(mix, checkPoints(rnd, p, 3), nil)
		if err != nil {
			t.Fatal(err)
		}
		var got DerivativeError
		switch bug {
		case "grad", "nan":
			got = rep.WorstGrad()
		case "hess":
			got = rep.WorstHess()
		case "diag":
			got = worstOf(rep.DiagonalHess)
		}
		w := rep.Worst()
		// The errors are 1% of an O(1) gradient entry or 0.01 absolute in a
		// Hessian entry, far above the 1e-9 finite-difference error.
		if bug == "nan" {
			if !math.IsNaN(got.Err) || !math.IsNaN(w.Err) || got.Component != 1 {
				t.Errorf("nan: worst gradient error %+v, worst %+v; want NaN at component 1", got, w)
			}
			continue
		}
		if !(got.Err > 1e-4) || got.Component != 1 || !(w.Err > 1e-4) {
			t.Errorf("%s: worst %+v, overall %+v; want a large error at component 1", bug, got, w)
		}
		// The good components stay clean.
		for _, i := range []int{0, 2} {
			if rep.Grad[i].Err > 1e-8 || rep.Hess[i].Err > 1e-8 {
				t.Errorf("%s: correct component %d has errors %v, %v", bug, i, rep.Grad[i].Err, rep.Hess[i].Err)
			}
		}
	}

	// A wrong problem-level fast path.
	quad := randQuadratic(t, rnd, p, 3, p, nil)
	rep, err := CheckDerivatives(wrongExpected{quad}, checkPoints(rnd, p, 2), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExpectedGrad == nil || !(rep.ExpectedGrad.Err > 1e-4) || rep.ExpectedGrad.Component != -1 {
		t.Errorf("wrong ExpectedGrad not detected: %+v", rep.ExpectedGrad)
	}
	if !(rep.ExpectedHess.Err < 1e-12) {
		t.Errorf("correct ExpectedHess has error %v", rep.ExpectedHess.Err)
	}

	// A wrong DiagonalMoments.
	qs := []quartic{randQuartic(rnd, p, ""), randQuartic(rnd, p, "")}
	mix, err := NewMixture(p, []Component{qs[0], qs[1]}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err = CheckDerivatives(quarticSum{Mixture: mix, qs: qs, bias: 0.01}, checkPoints(rnd, p, 2), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !(rep.DiagonalMoments.Err > 1e-4) {
		t.Errorf("wrong DiagonalMoments not detected: %+v", rep.DiagonalMoments)
	}
}

func TestCheckDerivativesErrors(t *testing.T) {
	rnd := rand.New(rand.NewPCG(23, 1))
	quad := randQuadratic(t, rnd, 2, 2, 2, nil)
	for _, c := range []struct {
		name string
		p    Problem
		pts  [][]float64
		s    *CheckSettings
		want string
	}{
		{"nil p", nil, [][]float64{{0, 0}}, nil, "p is nil"},
		{"no points", quad, nil, nil, "points is empty"},
		{"short point", quad, [][]float64{{0, 0}, {1}}, nil, "points[1] has length 1"},
		{"nan point", quad, [][]float64{{0, math.NaN()}}, nil, "points[0][1] = NaN"},
		{"negative step", quad, [][]float64{{0, 0}}, &CheckSettings{Step: -1}, "CheckSettings.Step = -1"},
		{"nan step", quad, [][]float64{{0, 0}}, &CheckSettings{Step: math.NaN()}, "CheckSettings.Step = NaN"},
	} {
		_, err := CheckDerivatives(c.p, c.pts, c.s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}
