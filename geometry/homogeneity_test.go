package geometry

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/paper"
)

// quadProblem returns Σ_i ½x'(a·Q_i)x + a·r_i'x in the variable y = x/b, i.e.
// components with Q_i^y = a b² Q_i and r_i^y = a b r_i.
func quadProblem(t *testing.T, qs []*mat.SymDense, rs [][]float64, a, b float64) *problems.Quadratic {
	qy := make([]mat.Symmetric, len(qs))
	ry := make([][]float64, len(rs))
	for i, q := range qs {
		qy[i] = scaled(a*b*b, q)
		ry[i] = make([]float64, len(rs[i]))
		for d, v := range rs[i] {
			ry[i][d] = a * b * v
		}
	}
	p, err := problems.NewQuadratic(qy, ry, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHomogeneityQuadratic(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 2))
	const p, n, eps = 4, 5, 0.05
	xstar := randVec(rnd, p)
	qs := make([]*mat.SymDense, n)
	homog := make([][]float64, n) // r_i = −Q_i x*: x* is a homogeneous minimizer
	inhom := make([][]float64, n) // r_i = Q_i y_i: inhomogeneous
	for i := range n {
		qs[i] = randPSD(rnd, p, p)
		var r mat.VecDense
		r.MulVec(qs[i], mat.NewVecDense(p, xstar))
		r.ScaleVec(-1, &r)
		homog[i] = append([]float64(nil), r.RawVector().Data...)
		r.MulVec(qs[i], mat.NewVecDense(p, randVec(rnd, p)))
		inhom[i] = append([]float64(nil), r.RawVector().Data...)
	}

	hp := quadProblem(t, qs, homog, 1, 1)
	h, err := Homogeneity(hp, xstar, eps)
	if err != nil {
		t.Fatal(err)
	}
	if h > 1e-13 {
		t.Errorf("Homogeneity at a homogeneous minimizer = %v, want 0 to rounding", h)
	}
	if ok, err := IsHomogeneous(hp, xstar, eps, 0); !ok || err != nil {
		t.Errorf("IsHomogeneous = %v, %v; want true", ok, err)
	}
	// Near x*, the value is at most ‖x − x*‖/ε.
	x := append([]float64(nil), xstar...)
	x[0] += 1e-3 * eps
	if h, _ := Homogeneity(hp, x, eps); !(h > 0 && h <= 1e-3) {
		t.Errorf("Homogeneity at distance 1e-3·ε = %v, want in (0, 1e-3]", h)
	}

	// Inhomogeneous: the formula, computed here directly.
	ip := quadProblem(t, qs, inhom, 1, 1)
	var gmax, hmax float64
	for i, q := range qs {
		var g mat.VecDense
		g.MulVec(q, mat.NewVecDense(p, xstar))
		g.AddVec(&g, mat.NewVecDense(p, inhom[i]))
		gmax = math.Max(gmax, mat.Norm(&g, 2))
		hmax = math.Max(hmax, mat.Norm(q, 2))
	}
	h, err = Homogeneity(ip, xstar, eps)
	if err != nil {
		t.Fatal(err)
	}
	if want := gmax / (eps * hmax); !scalar.EqualWithinRel(h, want, 1e-12) {
		t.Errorf("Homogeneity = %v, want %v", h, want)
	}
	if ok, _ := IsHomogeneous(ip, xstar, eps, 0); ok {
		t.Error("IsHomogeneous of an inhomogeneous point = true")
	}
	// Default radius.
	if h0, _ := Homogeneity(ip, xstar, 0); !scalar.EqualWithinRel(h0, h*eps/DefaultRadius, 1e-12) {
		t.Errorf("radius 0: %v, want %v", h0, h*eps/DefaultRadius)
	}

	// Scale-free: f → a·f and x = b·y, ε → ε/b leave it unchanged.
	const a, b = 7.0, 0.3
	sp := quadProblem(t, qs, inhom, a, b)
	y := make([]float64, p)
	for d := range y {
		y[d] = xstar[d] / b
	}
	if hs, _ := Homogeneity(sp, y, eps/b); !scalar.EqualWithinRel(hs, h, 1e-10) {
		t.Errorf("rescaled problem: %v, want %v", hs, h)
	}
}

// denseOnly hides a component's DiagonalHess and keeps its dense Hessian.
type denseOnly struct{ c quartComp }

func (d denseOnly) Func(x []float64) float64             { return d.c.Func(x) }
func (d denseOnly) Grad(grad, x []float64)               { d.c.Grad(grad, x) }
func (d denseOnly) Hess(hess *mat.SymDense, x []float64) { d.c.Hess(hess, x) }

func TestHomogeneityDiagonal(t *testing.T) {
	q := newQuart(3, 8, 17)
	x := []float64{2.7, -2.9, 0.4}
	comps := make([]problems.Component, len(q.comps))
	for i, c := range q.comps {
		comps[i] = denseOnly{c}
	}
	dense, err := problems.NewMixture(3, comps, q.w)
	if err != nil {
		t.Fatal(err)
	}
	hd, err1 := Homogeneity(q, x, 0.1)
	hn, err2 := Homogeneity(dense, x, 0.1)
	if err1 != nil || err2 != nil || !scalar.EqualWithinRel(hd, hn, 1e-14) || !(hd > 1) {
		t.Errorf("diagonal %v (%v), dense %v (%v): want equal and > 1 (Styblinski–Tang-like minimizers are inhomogeneous)", hd, err1, hn, err2)
	}
}

// linComp is f(x) = g'x: zero Hessian.
type linComp struct{ g []float64 }

func (f linComp) Func(x []float64) float64          { return dot(f.g, x) }
func (f linComp) Grad(grad, x []float64)            { copy(grad, f.g) }
func (f linComp) Hess(h *mat.SymDense, x []float64) { h.Zero() }

func TestHomogeneityEdgeCases(t *testing.T) {
	for _, c := range []struct {
		g    []float64
		want float64
	}{{[]float64{0, 0}, 0}, {[]float64{1, 0}, math.Inf(1)}} {
		p, _ := problems.NewMixture(2, []problems.Component{linComp{c.g}}, nil)
		if h, err := Homogeneity(p, []float64{1, 2}, 0); err != nil || h != c.want {
			t.Errorf("zero Hessian, gradient %v: %v, %v; want %v", c.g, h, err, c.want)
		}
	}
	q := newQuart(2, 3, 18)
	good := []float64{1, 2}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"nil", second(Homogeneity(nil, good, 0)), "problem"},
		{"short x", second(Homogeneity(q, []float64{1}, 0)), "x has length"},
		{"NaN x", second(Homogeneity(q, []float64{1, math.NaN()}, 0)), "x[1]"},
		{"negative radius", second(Homogeneity(q, good, -1)), "radius"},
		{"NaN radius", second(Homogeneity(q, good, math.NaN())), "radius"},
		{"NaN tol", second(IsHomogeneous(q, good, 0, math.NaN())), "tol"},
		{"negative tol", second(IsHomogeneous(q, good, 0, -1)), "tol"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) || !strings.HasPrefix(c.err.Error(), "geometry: ") {
			t.Errorf("%s: error %v does not name %q", c.name, c.err, c.want)
		}
	}
	nan := polyComp{a: []float64{1}, g: []float64{1}, r: []float64{math.NaN()}, q: mat.NewSymDense(1, []float64{1})}
	p, _ := problems.NewMixture(1, []problems.Component{nan}, nil)
	if _, err := Homogeneity(p, []float64{0}, 0); err == nil || !strings.Contains(err.Error(), "not finite") {
		t.Errorf("NaN gradient: err = %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestHomogeneityModels: the paper's quadratic-circle minimizers are
// homogeneous (every parabola passes through (0, −15) with zero slope there,
// and every component is flat at the origin), the Styblinski–Tang minimizers
// are not.
func TestHomogeneityModels(t *testing.T) {
	qc, err := paper.QuadCircleModel(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float64{{0, 0}, {0, -15}} {
		if ok, err := IsHomogeneous(qc, x, 0, 0); !ok || err != nil {
			h, _ := Homogeneity(qc, x, 0)
			t.Errorf("quadratic-circle at %v: homogeneity %v, err %v; want homogeneous", x, h, err)
		}
	}
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float64{st.Sharpest(), st.Flattest()} {
		if ok, err := IsHomogeneous(st, x, 0, 0); ok || err != nil {
			t.Errorf("Styblinski–Tang: homogeneous = %v, err %v; want inhomogeneous", ok, err)
		}
	}
}
