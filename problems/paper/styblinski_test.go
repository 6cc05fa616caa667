package paper_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/paper"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/thresholds"
)

// randomST returns n random components of dimension p with the signs of
// eq. (54) around the standard coefficients (1, −16, 5), and random weights.
// The mean cubic keeps three real roots: c2 ≤ −10 while c1 ≤ 2 and c3 ≤ 10,
// and 8·(−10)³ + 27·2·10² = −2600 < 0.
func randomST(rnd *rand.Rand, n, p int) ([]paper.STComponent, []float64) {
	c := make([]paper.STComponent, n)
	w := make([]float64, n)
	var sum float64
	for i := range c {
		c[i] = paper.STComponent{C1: make([]float64, p), C2: make([]float64, p), C3: make([]float64, p)}
		for d := 0; d < p; d++ {
			c[i].C1[d] = 2 * rnd.Float64()
			c[i].C2[d] = -10 - 14*rnd.Float64()
			c[i].C3[d] = 10 * rnd.Float64()
		}
		w[i] = 0.5 + rnd.Float64()
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return c, w
}

func randomPoint(rnd *rand.Rand, p int, r float64) []float64 {
	x := make([]float64, p)
	for d := range x {
		x[d] = r * (2*rnd.Float64() - 1)
	}
	return x
}

// TestSTComponentDerivatives compares Grad and Hess with gonum's central
// finite differences at random points of the box. Central differences of a
// quartic with step h have truncation error O(h²·|f⁽³⁾|) and rounding error
// O(ε·|f|/h); the tolerances below are a few times those at |x| ≤ 5.
func TestSTComponentDerivatives(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 1))
	const p = 4
	c, _ := randomST(rnd, 5, p)
	grad := make([]float64, p)
	diag := make([]float64, p)
	hess := mat.NewSymDense(p, nil)
	fdHess := mat.NewSymDense(p, nil)
	for _, ci := range c {
		for trial := 0; trial < 20; trial++ {
			x := randomPoint(rnd, p, 5)
			x0 := append([]float64(nil), x...)
			ci.Grad(grad, x)
			want := fd.Gradient(nil, ci.Func, x, &fd.Settings{Formula: fd.Central})
			for d := range grad {
				if !scalar.EqualWithinAbsOrRel(grad[d], want[d], 1e-5, 1e-6) {
					t.Errorf("Grad at %v: [%d] = %v, fd %v", x, d, grad[d], want[d])
				}
			}
			fillSym(hess, 7) // Hess must overwrite every entry
			ci.Hess(hess, x)
			fd.Hessian(fdHess, ci.Func, x, &fd.Settings{Formula: fd.Central})
			for a := 0; a < p; a++ {
				for b := 0; b < p; b++ {
					if !scalar.EqualWithinAbsOrRel(hess.At(a, b), fdHess.At(a, b), 1e-3, 1e-4) {
						t.Errorf("Hess at %v: [%d,%d] = %v, fd %v", x, a, b, hess.At(a, b), fdHess.At(a, b))
					}
					if a != b && hess.At(a, b) != 0 {
						t.Errorf("Hess off-diagonal [%d,%d] = %v, want 0", a, b, hess.At(a, b))
					}
				}
			}
			ci.DiagonalHess(diag, x)
			for d := range diag {
				if diag[d] != hess.At(d, d) {
					t.Errorf("DiagonalHess[%d] = %v, Hess diagonal %v", d, diag[d], hess.At(d, d))
				}
			}
			// Func by the formula of (54) with the ½ in front (see Errata in package thresholds).
			var f float64
			for d, v := range x {
				f += ci.C1[d]*math.Pow(v, 4) + ci.C2[d]*v*v + ci.C3[d]*v
			}
			if !scalar.EqualWithinAbsOrRel(ci.Func(x), f/2, 1e-12, 1e-12) {
				t.Errorf("Func = %v, want %v", ci.Func(x), f/2)
			}
			for d := range x {
				if x[d] != x0[d] {
					t.Fatalf("x modified")
				}
			}
		}
	}
	// An empty destination is resized.
	var empty mat.SymDense
	c[0].Hess(&empty, make([]float64, p))
	if empty.SymmetricDim() != p {
		t.Errorf("Hess on an empty SymDense: dim %d, want %d", empty.SymmetricDim(), p)
	}
}

// TestStyblinskiTangExpected checks the O(p) fast paths against the weighted
// sums of the components, and DiagonalMoments against the dense
// M = Σ_i p_i A_i H A_i − H³ computed with mat.
func TestStyblinskiTangExpected(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 2))
	const n, p = 7, 5
	c, w := randomST(rnd, n, p)
	st, err := paper.NewStyblinskiTang(c, w)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dim() != p || st.Len() != n {
		t.Fatalf("Dim, Len = %d, %d, want %d, %d", st.Dim(), st.Len(), p, n)
	}
	g := make([]float64, p)
	gi := make([]float64, p)
	hess := mat.NewSymDense(p, nil)
	hi := mat.NewSymDense(p, nil)
	h := make([]float64, p)
	m := make([]float64, p)
	for trial := 0; trial < 20; trial++ {
		x := randomPoint(rnd, p, 5)
		wantG := make([]float64, p)
		wantH := mat.NewSymDense(p, nil)
		var wantF float64
		comps := make([]*mat.SymDense, n)
		for i := 0; i < n; i++ {
			ci := st.Component(i)
			wi := st.Weight(i)
			if !scalar.EqualWithinAbsOrRel(wi, w[i], 1e-15, 1e-12) {
				t.Fatalf("Weight(%d) = %v, want %v", i, wi, w[i])
			}
			wantF += wi * ci.Func(x)
			ci.Grad(gi, x)
			for d := range gi {
				wantG[d] += wi * gi[d]
			}
			problems.HessianOf(ci).Hess(hi, x)
			comps[i] = mat.NewSymDense(p, nil)
			comps[i].CopySym(hi)
			wantH.AddSym(wantH, scaleSym(wi, hi))
		}
		if !scalar.EqualWithinAbsOrRel(st.Func(x), wantF, 1e-10, 1e-12) {
			t.Errorf("Func = %v, want %v", st.Func(x), wantF)
		}
		st.ExpectedGrad(g, x)
		for d := range g {
			if !scalar.EqualWithinAbsOrRel(g[d], wantG[d], 1e-10, 1e-12) {
				t.Errorf("ExpectedGrad[%d] = %v, want %v", d, g[d], wantG[d])
			}
		}
		fillSym(hess, -3)
		st.ExpectedHess(hess, x)
		if !mat.EqualApprox(hess, wantH, 1e-10) {
			t.Errorf("ExpectedHess = %v, want %v", mat.Formatted(hess), mat.Formatted(wantH))
		}
		// Dense M = Σ_i p_i A_i H A_i − H³.
		var wantM, tmp, h3 mat.Dense
		wantM.ReuseAs(p, p)
		for i, ai := range comps {
			tmp.Product(ai, wantH, ai)
			tmp.Scale(st.Weight(i), &tmp)
			wantM.Add(&wantM, &tmp)
		}
		h3.Product(wantH, wantH, wantH)
		wantM.Sub(&wantM, &h3)
		st.DiagonalMoments(h, m, x)
		scale := mat.Norm(&h3, math.Inf(1)) + mat.Norm(&wantM, math.Inf(1))
		for a := 0; a < p; a++ {
			if !scalar.EqualWithinAbsOrRel(h[a], wantH.At(a, a), 1e-10, 1e-12) {
				t.Errorf("DiagonalMoments h[%d] = %v, want %v", a, h[a], wantH.At(a, a))
			}
			for b := 0; b < p; b++ {
				got := 0.0
				if a == b {
					got = m[a]
				}
				// M is a difference of O(‖H‖³) terms: compare to that scale.
				if math.Abs(got-wantM.At(a, b)) > 1e-12*scale {
					t.Errorf("DiagonalMoments M[%d,%d] = %v, dense %v", a, b, got, wantM.At(a, b))
				}
			}
		}
	}
}

// TestStyblinskiTangNoAlloc checks that the hot-path methods used inside
// SGD and Monte Carlo loops do not allocate.
func TestStyblinskiTangNoAlloc(t *testing.T) {
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := st.Sharpest()
	g := make([]float64, st.Dim())
	h := make([]float64, st.Dim())
	m := make([]float64, st.Dim())
	hess := mat.NewSymDense(st.Dim(), nil)
	for name, f := range map[string]func(){
		"Component":       func() { st.Component(3).Grad(g, x) },
		"ExpectedGrad":    func() { st.ExpectedGrad(g, x) },
		"ExpectedHess":    func() { st.ExpectedHess(hess, x) },
		"DiagonalMoments": func() { st.DiagonalMoments(h, m, x) },
	} {
		if n := testing.AllocsPerRun(10, f); n != 0 {
			t.Errorf("%s allocates %v times per call", name, n)
		}
	}
}

func fillSym(a *mat.SymDense, v float64) {
	n := a.SymmetricDim()
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			a.SetSym(i, j, v)
		}
	}
}

func scaleSym(f float64, a *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(f, a)
	return &s
}

// countRoots counts the real roots of 2a x³ + b x + c/2 by sign changes on
// a fine grid covering all roots (|x| ≤ 1 + max(|b|/(2a), |c|/(4a)), Cauchy).
func countRoots(a, b, c float64) int {
	g := func(x float64) float64 { return 2*a*x*x*x + b*x + c/2 }
	r := 1 + math.Max(math.Abs(b)/(2*a), math.Abs(c)/(4*a))
	const n = 200000
	cnt := 0
	prev := g(-r)
	for j := 1; j <= n; j++ {
		cur := g(-r + 2*r*float64(j)/n)
		if (prev < 0) != (cur < 0) {
			cnt++
		}
		prev = cur
	}
	return cnt
}

// TestStyblinskiTangDiscriminant checks the closed-form condition
// 8ā2³ + 27ā1ā3² < 0 ⇔ three real roots against a numerical root count, and
// that NewStyblinskiTang refuses a single well with ErrSTSingleWell.
func TestStyblinskiTangDiscriminant(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 3))
	for trial := 0; trial < 200; trial++ {
		a := 0.1 + 2*rnd.Float64()
		b := -20 * rnd.Float64()
		c := 40 * rnd.Float64()
		disc := 8*b*b*b + 27*a*c*c
		if math.Abs(disc) < 1e-3*(8*math.Abs(b*b*b)+27*a*c*c) {
			continue // too close to a double root for the grid count
		}
		comp := paper.STComponent{C1: []float64{a}, C2: []float64{b}, C3: []float64{c}}
		_, err := paper.NewStyblinskiTang([]paper.STComponent{comp}, nil)
		three := countRoots(a, b, c) == 3
		if three != (disc < 0) {
			t.Errorf("(%v, %v, %v): %d roots, discriminant %v", a, b, c, countRoots(a, b, c), disc)
		}
		if three && err != nil {
			t.Errorf("(%v, %v, %v): three roots but error %v", a, b, c, err)
		}
		if !three && !errors.Is(err, paper.ErrSTSingleWell) {
			t.Errorf("(%v, %v, %v): single well, error %v, want ErrSTSingleWell", a, b, c, err)
		}
	}
	// The mean cubic decides, not the components: in coordinate 1 both
	// components have two wells (8·(−16)³ + 27·30² < 0 and 8·(−1)³ < 0) but
	// their mean (1, −8.5, 15) has one (8·(−8.5)³ + 27·15² > 0).
	c := []paper.STComponent{
		{C1: []float64{1, 1}, C2: []float64{-16, -16}, C3: []float64{5, 30}},
		{C1: []float64{1, 1}, C2: []float64{-16, -1}, C3: []float64{5, 0}},
	}
	_, err := paper.NewStyblinskiTang(c, nil)
	if !errors.Is(err, paper.ErrSTSingleWell) || !strings.Contains(err.Error(), "coordinate 1") {
		t.Errorf("error %v, want ErrSTSingleWell naming coordinate 1", err)
	}
	// ā1 = 0 has no cubic at all.
	_, err = paper.NewStyblinskiTang([]paper.STComponent{{C1: []float64{0}, C2: []float64{-16}, C3: []float64{5}}}, nil)
	if !errors.Is(err, paper.ErrSTSingleWell) {
		t.Errorf("ā1 = 0: error %v, want ErrSTSingleWell", err)
	}
}

func TestStyblinskiTangBadInput(t *testing.T) {
	ok := paper.STComponent{C1: []float64{1, 1}, C2: []float64{-16, -16}, C3: []float64{5, 5}}
	nan := math.NaN()
	for _, tc := range []struct {
		name string
		c    []paper.STComponent
		w    []float64
		want string
	}{
		{"empty", nil, nil, "c is empty"},
		{"zero dim", []paper.STComponent{{}}, nil, "c[0].C1 is empty"},
		{"short C2", []paper.STComponent{ok, {C1: []float64{1, 1}, C2: []float64{-16}, C3: []float64{5, 5}}}, nil, "c[1].C2 has length 1"},
		{"long C3", []paper.STComponent{ok, {C1: []float64{1, 1}, C2: []float64{-16, -16}, C3: []float64{5, 5, 5}}}, nil, "c[1].C3 has length 3"},
		{"NaN", []paper.STComponent{{C1: []float64{1, nan}, C2: []float64{-16, -16}, C3: []float64{5, 5}}}, nil, "c[0].C1[1]"},
		{"Inf", []paper.STComponent{{C1: []float64{1, 1}, C2: []float64{-16, math.Inf(-1)}, C3: []float64{5, 5}}}, nil, "c[0].C2[1]"},
		{"c1 < 0", []paper.STComponent{ok, {C1: []float64{1, -1}, C2: []float64{-16, -16}, C3: []float64{5, 5}}}, nil, "c[1].C1[1] = -1"},
		{"c2 > 0", []paper.STComponent{ok, {C1: []float64{1, 1}, C2: []float64{2, -16}, C3: []float64{5, 5}}}, nil, "c[1].C2[0] = 2"},
		{"c3 < 0", []paper.STComponent{ok, {C1: []float64{1, 1}, C2: []float64{-16, -16}, C3: []float64{5, -5}}}, nil, "c[1].C3[1] = -5"},
		{"w length", []paper.STComponent{ok, ok}, []float64{1}, "w has length 1"},
		{"w sum", []paper.STComponent{ok, ok}, []float64{0.5, 0.6}, "w sums to"},
		{"w negative", []paper.STComponent{ok, ok}, []float64{-0.5, 1.5}, "w[0]"},
		{"w NaN", []paper.STComponent{ok, ok}, []float64{nan, 0.5}, "w[0]"},
	} {
		st, err := paper.NewStyblinskiTang(tc.c, tc.w)
		if err == nil || st != nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		if !(strings.HasPrefix(err.Error(), "paper: ") || strings.HasPrefix(err.Error(), "problems: ")) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %q, want it to contain %q", tc.name, err, tc.want)
		}
	}
	st, err := paper.NewStyblinskiTang([]paper.STComponent{ok}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Minimizer([]bool{true}); err == nil || !strings.Contains(err.Error(), "upper has length 1") {
		t.Errorf("Minimizer with a short choice: error %v", err)
	}
	for _, m := range []int{0, 4, -1} {
		if _, err := paper.StyblinskiTangModel(m, 1); err == nil || !strings.Contains(err.Error(), "model = ") {
			t.Errorf("StyblinskiTangModel(%d): error %v", m, err)
		}
	}
}

// checkMinimizer asserts ∇F(x) ≈ 0 relative to the size of its terms and a
// positive diagonal Hessian.
func checkMinimizer(t *testing.T, st *paper.StyblinskiTang, name string, x []float64) []float64 {
	t.Helper()
	p := st.Dim()
	a1, a2, a3 := st.MeanCoefficients()
	g := make([]float64, p)
	st.ExpectedGrad(g, x)
	for d, v := range x {
		scale := math.Abs(2*a1[d]*v*v*v) + math.Abs(a2[d]*v) + math.Abs(a3[d]/2)
		if math.Abs(g[d]) > 1e-10*scale {
			t.Errorf("%s: ∂F/∂x_%d = %v at %v (terms of size %v)", name, d, g[d], v, scale)
		}
	}
	h := make([]float64, p)
	m := make([]float64, p)
	st.DiagonalMoments(h, m, x)
	for d := range h {
		if !(h[d] > 0) {
			t.Errorf("%s: H[%d,%d] = %v, want > 0", name, d, d, h[d])
		}
	}
	return h
}

func TestStyblinskiTangMinimizers(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	c, w := randomST(rnd, 9, 6)
	st, err := paper.NewStyblinskiTang(c, w)
	if err != nil {
		t.Fatal(err)
	}
	model, err := paper.StyblinskiTangModel(3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []*paper.StyblinskiTang{st, model} {
		p := st.Dim()
		sharp, flat := st.Sharpest(), st.Flattest()
		hs := checkMinimizer(t, st, "Sharpest", sharp)
		hf := checkMinimizer(t, st, "Flattest", flat)
		lower, upper := st.CoordinateMinima()
		mid := st.CoordinateMaxima()
		a1, a2, _ := st.MeanCoefficients()
		choice := make([]bool, p)
		for d := 0; d < p; d++ {
			if hs[d] < hf[d] {
				t.Errorf("coordinate %d: sharpest curvature %v < flattest %v", d, hs[d], hf[d])
			}
			if !(lower[d] < mid[d] && mid[d] < upper[d]) {
				t.Errorf("coordinate %d: roots %v, %v, %v not ascending", d, lower[d], mid[d], upper[d])
			}
			// The middle root is a maximum of the coordinate's function.
			if 6*a1[d]*mid[d]*mid[d]+a2[d] >= 0 {
				t.Errorf("coordinate %d: middle root %v has curvature ≥ 0", d, mid[d])
			}
			if (sharp[d] == lower[d]) == (flat[d] == lower[d]) {
				t.Errorf("coordinate %d: sharpest %v and flattest %v pick the same root", d, sharp[d], flat[d])
			}
			if lower[d] <= -5 || upper[d] >= 5 {
				t.Errorf("coordinate %d: minima %v, %v outside the box", d, lower[d], upper[d])
			}
			choice[d] = rnd.IntN(2) == 1
		}
		x, err := st.Minimizer(choice)
		if err != nil {
			t.Fatal(err)
		}
		h := checkMinimizer(t, st, "Minimizer", x)
		for d := range h {
			// Every minimizer's Hessian lies between the flattest and the sharpest.
			if h[d] > hs[d] || h[d] < hf[d] {
				t.Errorf("Minimizer coordinate %d: curvature %v outside [%v, %v]", d, h[d], hf[d], hs[d])
			}
		}
		if !st.SameBasin(sharp, sharp) || st.SameBasin(sharp, flat) {
			t.Errorf("SameBasin does not separate the sharpest and flattest minimizers")
		}
		// Inhomogeneous: some component gradient is far from zero at x*.
		g := make([]float64, p)
		var worst float64
		for i := 0; i < st.Len(); i++ {
			st.Component(i).Grad(g, sharp)
			for _, v := range g {
				worst = math.Max(worst, math.Abs(v))
			}
		}
		if worst < 1 {
			t.Errorf("component gradients at the sharpest minimizer are all below 1 (max %v): not inhomogeneous", worst)
		}
	}
}

func TestStyblinskiTangModel(t *testing.T) {
	sizes := [][2]int{1: {10, 200}, 2: {50, 1000}, 3: {100, 2000}}
	models := 3
	if testing.Short() {
		models = 2
	}
	for model := 1; model <= models; model++ {
		a, err := paper.StyblinskiTangModel(model, 7)
		if err != nil {
			t.Fatal(err)
		}
		b, err := paper.StyblinskiTangModel(model, 7)
		if err != nil {
			t.Fatal(err)
		}
		other, err := paper.StyblinskiTangModel(model, 8)
		if err != nil {
			t.Fatal(err)
		}
		if a.Dim() != sizes[model][0] || a.Len() != sizes[model][1] {
			t.Errorf("model %d: (p, N) = (%d, %d), want %v", model, a.Dim(), a.Len(), sizes[model])
		}
		same := true
		differ := false
		active := 0
		for i := 0; i < a.Len(); i++ {
			if a.Weight(i) != 1/float64(a.Len()) {
				t.Fatalf("model %d: Weight(%d) = %v, want 1/N", model, i, a.Weight(i))
			}
			ca := a.Component(i).(paper.STComponent)
			cb := b.Component(i).(paper.STComponent)
			co := other.Component(i).(paper.STComponent)
			for d := 0; d < a.Dim(); d++ {
				if ca.C1[d] != cb.C1[d] || ca.C2[d] != cb.C2[d] || ca.C3[d] != cb.C3[d] {
					same = false
				}
				if ca.C1[d] != co.C1[d] {
					differ = true
				}
				if ca.C1[d] < 0 || ca.C2[d] > 0 || ca.C3[d] < 0 {
					t.Fatalf("model %d: component %d coordinate %d has signs against (54)", model, i, d)
				}
				if ca.C1[d] != 0 {
					active++
				}
			}
		}
		if !same {
			t.Errorf("model %d: two constructions with seed 7 differ", model)
		}
		if !differ {
			t.Errorf("model %d: seeds 7 and 8 give the same coefficients", model)
		}
		// About 25 active components per coordinate: Binomial(N, 25/N)
		// summed over p coordinates has sd ≈ √(25p); allow 5 sd.
		want := 25 * a.Dim()
		if math.Abs(float64(active-want)) > 5*math.Sqrt(float64(want)) {
			t.Errorf("model %d: %d active (component, coordinate) pairs, want about %d", model, active, want)
		}
	}
}

// stGeometry returns the geometry of Definition 3.14 at x by the closed
// form of H̄ = diag(6ā1(x_d² + ε²/(p+2)) + ā2) exactly, and
// s_f, t_f as averages of min_d and max_d of M_dd/H_dd over points uniform in
// the ball B(x, ε).
func stGeometry(t *testing.T, st *paper.StyblinskiTang, x []float64, eps float64, n int) thresholds.Geometry {
	p := st.Dim()
	a1, a2, _ := st.MeanCoefficients()
	eig := make([]float64, p)
	for d := range eig {
		eig[d] = 6*a1[d]*(x[d]*x[d]+eps*eps/float64(p+2)) + a2[d]
	}
	sortDesc(eig)
	rnd := rand.New(rand.NewPCG(5, 5))
	h := make([]float64, p)
	m := make([]float64, p)
	var s, tt float64
	for j := 0; j < n; j++ {
		th := ballPoint(rnd, x, eps)
		st.DiagonalMoments(h, m, th)
		lo, hi := math.Inf(1), 0.0
		for d := range h {
			lo = math.Min(lo, m[d]/h[d])
			hi = math.Max(hi, m[d]/h[d])
		}
		s += lo / float64(n)
		tt += hi / float64(n)
	}
	g, err := thresholds.NewGeometry(eig, s, tt)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func sortDesc(x []float64) {
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j] > x[j-1]; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
}

// ballPoint returns a point uniform in B(c, r).
func ballPoint(rnd *rand.Rand, c []float64, r float64) []float64 {
	x := make([]float64, len(c))
	var nz float64
	for d := range x {
		x[d] = rnd.NormFloat64()
		nz += x[d] * x[d]
	}
	rad := r * math.Pow(rnd.Float64(), 1/float64(len(c))) / math.Sqrt(nz)
	for d := range x {
		x[d] = c[d] + rad*x[d]
	}
	return x
}

// TestStyblinskiTangModelBehaviour reproduces, in small, Figures 9–12 on the
// three models (seed 1; Model 1 only with -short): SGD-k at C = 0.5·u(k)
// stays in the minimizer's basin for all 20 iterations, and at C = 1.5·l(k)
// has left it at the last iterate, for k = 1, 200, 500, ∞, where u and l are
// the homogeneous thresholds (18)–(19) of the ball geometry at ε = 2e−2.
// These are properties of the models' distribution, not guarantees of a
// theorem: in the simulations recorded in StyblinskiTangModel's
// documentation (100 runs per cell, three seeds) every run at 0.5·u stayed,
// and at 1.5·l at least 97% had left at the last iterate (SGD-1 on Model 1
// occasionally wanders back). So the test asserts that all runs stay and
// that at least 80% of the 20 or 40 runs leave, per (model, minimizer, k):
// at a 3% failure rate, 5 or more failures in 20 runs has probability
// below 1e−3, so the test is robust to any change of sgdk's random stream.
func TestStyblinskiTangModelBehaviour(t *testing.T) {
	models, runs, radii := []int{1, 2, 3}, 10, []float64{1e-3, 1e-2, 1e-1, 1}
	if testing.Short() {
		models, runs, radii = []int{1}, 20, []float64{1e-1}
	}
	for _, model := range models {
		st, err := paper.StyblinskiTangModel(model, 1)
		if err != nil {
			t.Fatal(err)
		}
		box := st.Box()
		for _, name := range []string{"flattest", "sharpest"} {
			x := st.Flattest()
			if name == "sharpest" {
				x = st.Sharpest()
			}
			g := stGeometry(t, st, x, 2e-2, 1000)
			for _, k := range []int{1, 200, 500, sgdk.FullBatch} {
				kf := float64(k)
				if k == sgdk.FullBatch {
					kf = math.Inf(1)
				}
				u, l := thresholds.Convergence(g, kf), thresholds.Divergence(g, kf)
				stayed, left, total := 0, 0, 0
				for ri, r := range radii {
					for run := 0; run < runs; run++ {
						total++
						rnd := rand.New(rand.NewPCG(uint64(k), uint64(ri*runs+run)))
						x0 := ballPoint(rnd, x, r)
						inside := true
						s := sgdk.Settings{BatchSize: k, Step: sgdk.Constant(0.5 * u), Iterations: 20, Bounds: box}
						res, err := sgdk.Run(st, x0, s, rnd, func(_ int, xi []float64) bool {
							inside = inside && st.SameBasin(xi, x)
							return true
						})
						if err != nil {
							t.Fatal(err)
						}
						if inside && !res.Diverged {
							stayed++
						}
						s.Step = sgdk.Constant(1.5 * l)
						res, err = sgdk.Run(st, x0, s, rnd, nil)
						if err != nil {
							t.Fatal(err)
						}
						if !st.SameBasin(res.X, x) {
							left++
						}
					}
				}
				if stayed != total {
					t.Errorf("model %d %s, k = %d: C = 0.5u = %.3g: %d of %d runs stayed in the basin", model, name, k, 0.5*u, stayed, total)
				}
				if float64(left) < 0.8*float64(total) {
					t.Errorf("model %d %s, k = %d: C = 1.5l = %.3g: %d of %d runs left the basin", model, name, k, 1.5*l, left, total)
				}
			}
		}
	}
}

func BenchmarkSTExpectedGradP100(b *testing.B) {
	st, err := paper.StyblinskiTangModel(3, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := st.Flattest()
	g := make([]float64, st.Dim())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st.ExpectedGrad(g, x)
	}
}

func BenchmarkSTDiagonalMomentsP100(b *testing.B) {
	st, err := paper.StyblinskiTangModel(3, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := st.Flattest()
	h := make([]float64, st.Dim())
	m := make([]float64, st.Dim())
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st.DiagonalMoments(h, m, x)
	}
}

func BenchmarkSTComponentGradP100(b *testing.B) {
	st, err := paper.StyblinskiTangModel(3, 1)
	if err != nil {
		b.Fatal(err)
	}
	x := st.Flattest()
	g := make([]float64, st.Dim())
	c := st.Component(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Grad(g, x)
	}
}

func BenchmarkSTModelP100N2000(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := paper.StyblinskiTangModel(3, uint64(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSTComponentLookupN2000(b *testing.B) {
	st, err := paper.StyblinskiTangModel(3, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = st.Component(i % st.Len())
	}
}

// TestStyblinskiTangCheckDerivatives runs the package's own derivative
// checker, which compares every component and every fast path (DiagonalHess,
// ExpectedGrad, ExpectedHess, DiagonalMoments) with finite differences and
// the generic sums.
func TestStyblinskiTangCheckDerivatives(t *testing.T) {
	rnd := rand.New(rand.NewPCG(6, 6))
	c, w := randomST(rnd, 6, 4)
	st, err := paper.NewStyblinskiTang(c, w)
	if err != nil {
		t.Fatal(err)
	}
	points := [][]float64{st.Sharpest(), st.Flattest()}
	for j := 0; j < 8; j++ {
		points = append(points, randomPoint(rnd, st.Dim(), 5))
	}
	rep, err := problems.CheckDerivatives(st, points, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExpectedGrad == nil || rep.ExpectedHess == nil || rep.DiagonalMoments == nil || rep.DiagonalHess == nil {
		t.Fatalf("CheckDerivatives did not check every fast path: %+v", rep)
	}
	// Central differences with step 6e-6·5 on quartics with coefficients
	// below 24 have errors near 3e-10 relative to the values (measured);
	// 1e-8 leaves a margin of 30 and still catches a wrong coefficient.
	if worst := rep.Worst(); !(worst.Err < 1e-8) {
		t.Errorf("worst derivative error %v (component %d, point %d)", worst.Err, worst.Component, worst.Point)
	}
}
