package learning

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/problems"
)

// tinyData returns n samples of dimension d with labels in 0..c−1 (every
// class present).
func tinyData(n, d, c int, seed uint64) (*mat.Dense, []int) {
	rnd := rand.New(rand.NewPCG(seed, 1))
	x := mat.NewDense(n, d, nil)
	labels := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			x.Set(i, j, rnd.NormFloat64())
		}
		labels[i] = i % c
	}
	return x, labels
}

func randVec(rnd *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = scale * rnd.NormFloat64()
	}
	return v
}

// naiveLoss is an independent sample-by-sample evaluation of f_i with plain
// loops, for checking the batched forward pass.
func naiveLoss(widths []int, act Activation, loss Loss, l2 float64, theta, x []float64, y int) float64 {
	a := x
	off := 0
	L := len(widths) - 1
	for l := 1; l <= L; l++ {
		in, out := widths[l-1], widths[l]
		z := make([]float64, out)
		for r := 0; r < out; r++ {
			s := theta[off+out*in+r] // bias
			for c := 0; c < in; c++ {
				s += theta[off+r*in+c] * a[c]
			}
			z[r] = s
		}
		off += out * (in + 1)
		if l < L {
			for r := range z {
				if act == Tanh {
					z[r] = math.Tanh(z[r])
				} else {
					z[r] = math.Log(1 + math.Exp(z[r]))
				}
			}
		}
		a = z
	}
	var f float64
	if loss == CrossEntropy {
		var s float64
		for _, o := range a {
			s += math.Exp(o)
		}
		f = math.Log(s) - a[y]
	} else {
		for c, o := range a {
			t := o
			if c == y {
				t--
			}
			f += 0.5 * t * t
		}
	}
	var sq float64
	for _, t := range theta {
		sq += t * t
	}
	return f + 0.5*l2*sq
}

type mlpCase struct {
	act  Activation
	loss Loss
}

var mlpCases = []mlpCase{{Tanh, CrossEntropy}, {Tanh, Squared}, {Softplus, CrossEntropy}, {Softplus, Squared}}

// tinyMLP has two hidden layers, so that the R{a_{l−1}} terms of the
// R-operator between hidden layers are exercised.
func tinyMLP(t *testing.T, c mlpCase, l2 float64) *MLP {
	t.Helper()
	x, labels := tinyData(5, 3, 3, 7)
	m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{4, 3}, Activation: c.act, Loss: c.loss, L2: l2})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMLPDims(t *testing.T) {
	m := tinyMLP(t, mlpCase{}, 0)
	// (3+1)·4 + (4+1)·3 + (3+1)·3 = 16 + 15 + 12.
	if got, want := m.Dim(), 43; got != want {
		t.Errorf("Dim = %d, want %d", got, want)
	}
	if m.Len() != 5 || m.Weight(2) != 0.2 {
		t.Errorf("Len = %d, Weight = %v, want 5, 0.2", m.Len(), m.Weight(2))
	}
	if w := m.Widths(); fmt.Sprint(w) != "[3 4 3 3]" {
		t.Errorf("Widths = %v", w)
	}
}

func TestMLPFuncAgainstNaive(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 3))
	for _, c := range mlpCases {
		m := tinyMLP(t, c, 0.3)
		theta := randVec(rnd, m.Dim(), 1)
		var mean float64
		for i := 0; i < m.Len(); i++ {
			want := naiveLoss(m.widths, c.act, c.loss, 0.3, theta, m.x.RawRowView(i), m.labels[i])
			got := m.Component(i).Func(theta)
			// Same operations in another order: rounding only.
			if !scalar.EqualWithinAbsOrRel(got, want, 1e-13, 1e-13) {
				t.Errorf("%v %v: f_%d = %v, want %v", c.act, c.loss, i, got, want)
			}
			mean += want / float64(m.Len())
		}
		if got := m.ExpectedFunc(theta); !scalar.EqualWithinAbsOrRel(got, mean, 1e-13, 1e-13) {
			t.Errorf("%v %v: F = %v, want %v", c.act, c.loss, got, mean)
		}
	}
}

func TestMLPFuncAtZero(t *testing.T) {
	// At θ = 0 the outputs vanish: ℓ = log C for cross-entropy and
	// ½‖e_y‖² = ½ for the squared loss, whatever the data.
	for _, c := range mlpCases {
		m := tinyMLP(t, c, 5)
		want := math.Log(3)
		if c.loss == Squared {
			want = 0.5
		}
		if got := m.ExpectedFunc(make([]float64, m.Dim())); math.Abs(got-want) > 1e-15 {
			t.Errorf("%v %v: F(0) = %v, want %v", c.act, c.loss, got, want)
		}
	}
}

func TestMLPGradFD(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	for _, c := range mlpCases {
		m := tinyMLP(t, c, 0.3)
		theta := randVec(rnd, m.Dim(), 1)
		got := make([]float64, m.Dim())
		check := func(name string, f func([]float64) float64, grad func(g, x []float64)) {
			grad(got, theta)
			want := fd.Gradient(nil, f, theta, &fd.Settings{Formula: fd.Central})
			// Central differences with step 1e-3: truncation h²/6·|f'''|
			// ≈ 1e-7 for these O(1) weights, rounding ε|f|/h ≈ 1e-12.
			for j := range got {
				if !scalar.EqualWithinAbsOrRel(got[j], want[j], 1e-6, 1e-6) {
					t.Errorf("%v %v %s: grad[%d] = %v, fd %v", c.act, c.loss, name, j, got[j], want[j])
				}
			}
		}
		for i := 0; i < m.Len(); i++ {
			ci := m.Component(i)
			check(fmt.Sprintf("f_%d", i), ci.Func, ci.Grad)
		}
		check("F", m.ExpectedFunc, m.ExpectedGrad)
	}
}

func TestMLPHessFD(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 5))
	for _, c := range mlpCases {
		m := tinyMLP(t, c, 0.3)
		p := m.Dim()
		theta := randVec(rnd, p, 1)
		got := mat.NewSymDense(p, nil)
		want := mat.NewSymDense(p, nil)
		jac := mat.NewDense(p, p, nil)
		check := func(name string, f func([]float64) float64, grad func(g, x []float64), hess func(*mat.SymDense, []float64)) {
			hess(got, theta)
			// Second differences of f with step 3e-4: truncation
			// h²/12·|f''''| ≲ 1e-6 (fourth derivatives reach ~10² at
			// these weights), rounding 4ε|f|/h² ≲ 1e-7.
			fd.Hessian(want, f, theta, &fd.Settings{Formula: fd.Central, Step: 3e-4})
			if !mat.EqualApprox(got, want, 3e-6) {
				t.Errorf("%v %v %s: Hess differs from fd.Hessian by %.3g", c.act, c.loss, name, maxDiff(got, want))
			}
			// Central differences of the exact gradient with gonum's
			// default step (≈ 6e-6): truncation ≲ 1e-10, rounding
			// ε|∇f|/h ≲ 1e-10.
			fd.Jacobian(jac, grad, theta, &fd.JacobianSettings{Formula: fd.Central})
			if !mat.EqualApprox(got, jac, 1e-8) {
				t.Errorf("%v %v %s: Hess differs from fd.Jacobian of Grad by %.3g", c.act, c.loss, name, maxDiff(got, jac))
			}
		}
		for i := 0; i < m.Len(); i++ {
			ci := m.Component(i).(*MLPComponent)
			check(fmt.Sprintf("f_%d", i), ci.Func, ci.Grad, problems.HessianOf(ci).Hess)
		}
		check("F", m.ExpectedFunc, m.ExpectedGrad, func(h *mat.SymDense, x []float64) {
			d, err := m.ExpectedHessian(x)
			if err != nil {
				t.Fatal(err)
			}
			h.CopySym(d)
		})
	}
}

func maxDiff(a, b mat.Matrix) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return math.Max(mat.Max(&d), -mat.Min(&d))
}

func TestMLPBatchedEqualsComponents(t *testing.T) {
	rnd := rand.New(rand.NewPCG(6, 6))
	for _, c := range mlpCases {
		m := tinyMLP(t, c, 0.3)
		p := m.Dim()
		theta := randVec(rnd, p, 1)
		v := randVec(rnd, p, 1)
		idx := []int{4, 0, 4, 2}

		sumG, sumH := make([]float64, p), make([]float64, p)
		batG, batH := make([]float64, p), make([]float64, p)
		g, h := make([]float64, p), make([]float64, p)
		var sumF, batF float64
		for _, i := range idx {
			ci := m.Component(i).(*MLPComponent)
			sumF += ci.Func(theta) / float64(len(idx))
			ci.Grad(g, theta)
			floats.AddScaled(sumG, 1/float64(len(idx)), g)
			ci.HessVec(h, theta, v)
			floats.AddScaled(sumH, 1/float64(len(idx)), h)
		}
		batF = m.BatchFunc(theta, idx)
		m.BatchGrad(batG, theta, idx)
		m.BatchHessVec(batH, theta, v, idx)
		// The same sums in another order: rounding only.
		const tol = 1e-13
		if !scalar.EqualWithinAbsOrRel(batF, sumF, tol, tol) {
			t.Errorf("%v %v: BatchFunc = %v, mean of Func %v", c.act, c.loss, batF, sumF)
		}
		if !floats.EqualApprox(batG, sumG, tol) {
			t.Errorf("%v %v: BatchGrad differs from the mean of Grad by %.3g", c.act, c.loss, floats.Distance(batG, sumG, math.Inf(1)))
		}
		if !floats.EqualApprox(batH, sumH, tol) {
			t.Errorf("%v %v: BatchHessVec differs from the mean of HessVec by %.3g", c.act, c.loss, floats.Distance(batH, sumH, math.Inf(1)))
		}

		all := []int{0, 1, 2, 3, 4}
		m.BatchGrad(batG, theta, all)
		m.ExpectedGrad(g, theta)
		if !floats.EqualApprox(batG, g, tol) {
			t.Errorf("%v %v: ExpectedGrad differs from BatchGrad on all samples", c.act, c.loss)
		}
		m.BatchHessVec(batH, theta, v, all)
		m.ExpectedHessVec(h, theta, v)
		if !floats.EqualApprox(batH, h, tol) {
			t.Errorf("%v %v: ExpectedHessVec differs from BatchHessVec on all samples", c.act, c.loss)
		}
	}
}

func TestMLPDoesNotModifyInputs(t *testing.T) {
	m := tinyMLP(t, mlpCase{Softplus, CrossEntropy}, 0.1)
	rnd := rand.New(rand.NewPCG(8, 8))
	theta := randVec(rnd, m.Dim(), 1)
	v := randVec(rnd, m.Dim(), 1)
	theta0, v0 := append([]float64(nil), theta...), append([]float64(nil), v...)
	dst := make([]float64, m.Dim())
	m.ExpectedHessVec(dst, theta, v)
	m.ExpectedGrad(dst, theta)
	m.Component(1).(*MLPComponent).HessVec(dst, theta, v)
	if !floats.Equal(theta, theta0) || !floats.Equal(v, v0) {
		t.Error("evaluation modified θ or v")
	}
}

func TestMLPConcurrent(t *testing.T) {
	x, labels := tinyData(40, 5, 4, 9)
	m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{6}, L2: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	p := m.Dim()
	rnd := rand.New(rand.NewPCG(9, 9))
	const jobs = 16
	thetas := make([][]float64, jobs)
	serial := make([][]float64, jobs)
	for j := range thetas {
		thetas[j] = randVec(rnd, p, 1)
		serial[j] = make([]float64, p)
		m.ExpectedHessVec(serial[j], thetas[j], thetas[0])
	}
	par := make([][]float64, jobs)
	var wg sync.WaitGroup
	for j := range thetas {
		par[j] = make([]float64, p)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Mix batch sizes so that workspaces of different sizes circulate.
			g := make([]float64, p)
			m.Component(j%40).Grad(g, thetas[j])
			m.BatchGrad(g, thetas[j], []int{j, j + 1})
			m.ExpectedHessVec(par[j], thetas[j], thetas[0])
		}()
	}
	wg.Wait()
	for j := range par {
		if !floats.Equal(par[j], serial[j]) {
			t.Errorf("job %d: concurrent HVP differs from serial", j)
		}
	}
}

func TestMLPInit(t *testing.T) {
	x, labels := tinyData(10, 50, 3, 1)
	m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{200}})
	if err != nil {
		t.Fatal(err)
	}
	a, b := m.Init(1), m.Init(1)
	if !floats.Equal(a, b) {
		t.Error("Init(1) is not reproducible")
	}
	if floats.Equal(a, m.Init(2)) {
		t.Error("Init(1) = Init(2)")
	}
	// Layer 1 (fan-in 50) then layer 2 (fan-in 200): U(−1/√fan_in, 1/√fan_in),
	// variance 1/(3 fan_in).
	for l, r := range [][2]int{{0, 200 * 51}, {200 * 51, m.Dim()}} {
		fanIn := []float64{50, 200}[l]
		bound := 1 / math.Sqrt(fanIn)
		seg := a[r[0]:r[1]]
		var sq float64
		for _, t0 := range seg {
			if math.Abs(t0) > bound {
				t.Fatalf("layer %d: |θ| = %v exceeds 1/√fan_in = %v", l+1, math.Abs(t0), bound)
			}
			sq += t0 * t0
		}
		n := float64(len(seg))
		want := bound * bound / 3
		// Var(θ²) = b⁴/5 − b⁴/9 = 4b⁴/45; five standard errors.
		se := math.Sqrt(4*math.Pow(bound, 4)/45/n) * 5
		if got := sq / n; math.Abs(got-want) > se {
			t.Errorf("layer %d: mean θ² = %v, want %v ± %v", l+1, got, want, se)
		}
	}
}

func TestMLPTrain(t *testing.T) {
	// A small squared-loss problem with an L2 term, so that a strict local
	// minimizer exists.
	x, labels := tinyData(30, 2, 3, 11)
	m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{8}, Loss: Squared, L2: 1e-3})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Train(m.Init(1), &optimize.Settings{GradientThreshold: 1e-8, MajorIterations: 10000, Converger: optimize.NeverTerminate{}})
	if err != nil {
		t.Fatal(err)
	}
	g := make([]float64, m.Dim())
	m.ExpectedGrad(g, res.X)
	if n := floats.Norm(g, math.Inf(1)); n > 1e-8 {
		t.Errorf("‖∇F(x)‖_∞ = %v after Train (status %v), want ≤ 1e-8", n, res.Status)
	}
	if f0 := m.ExpectedFunc(m.Init(1)); !(res.F < f0) {
		t.Errorf("F = %v after Train, not below F(x0) = %v", res.F, f0)
	}
}

func TestNewMLPErrors(t *testing.T) {
	x, labels := tinyData(4, 2, 2, 1)
	nan := mat.DenseCopyOf(x)
	nan.Set(2, 1, math.NaN())
	ok := MLPConfig{Hidden: []int{3}}
	for _, tc := range []struct {
		name   string
		x      mat.Matrix
		labels []int
		cfg    MLPConfig
		want   string
	}{
		{"nil x", nil, labels, ok, "x is nil"},
		{"short labels", x, labels[:3], ok, "labels has length 3, x has 4 rows"},
		{"negative label", x, []int{0, 1, -1, 0}, ok, "labels[2] = -1"},
		{"one class", x, []int{0, 0, 0, 0}, ok, "at least 2"},
		{"label ≥ Classes", x, labels, MLPConfig{Hidden: []int{3}, Classes: 1}, "cfg.Classes = 1"},
		{"negative Classes", x, labels, MLPConfig{Hidden: []int{3}, Classes: -2}, "cfg.Classes = -2"},
		{"NaN feature", nan, labels, ok, "x[2][1] = NaN"},
		{"empty Hidden", x, labels, MLPConfig{}, "cfg.Hidden is empty"},
		{"zero width", x, labels, MLPConfig{Hidden: []int{3, 0}}, "cfg.Hidden[1] = 0"},
		{"negative L2", x, labels, MLPConfig{Hidden: []int{3}, L2: -1}, "cfg.L2 = -1"},
		{"NaN L2", x, labels, MLPConfig{Hidden: []int{3}, L2: math.NaN()}, "cfg.L2 = NaN"},
		{"Inf L2", x, labels, MLPConfig{Hidden: []int{3}, L2: math.Inf(1)}, "cfg.L2 = +Inf"},
		{"activation", x, labels, MLPConfig{Hidden: []int{3}, Activation: 7}, "cfg.Activation = 7"},
		{"loss", x, labels, MLPConfig{Hidden: []int{3}, Loss: 7}, "cfg.Loss = 7"},
		{"negative Scratch", x, labels, MLPConfig{Hidden: []int{3}, Scratch: -1}, "cfg.Scratch = -1"},
		// One sample needs 8·(6·(3 + 2) + 2 + 3) = 280 bytes.
		{"small Scratch", x, labels, MLPConfig{Hidden: []int{3}, Scratch: 279}, "cfg.Scratch = 279 bytes is below the 280"},
	} {
		_, err := NewMLP(tc.x, tc.labels, tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	// Classes above max label + 1 is allowed: an absent class.
	m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{3}, Classes: 4})
	if err != nil || m.Widths()[2] != 4 {
		t.Errorf("Classes = 4: %v, %v", m, err)
	}
}

func TestMLPTrainBadX0(t *testing.T) {
	m := tinyMLP(t, mlpCase{}, 0)
	if _, err := m.Train([]float64{1}, nil); err == nil || !strings.Contains(err.Error(), "x0") {
		t.Errorf("Train with short x0: %v", err)
	}
}

func TestMLPChunks(t *testing.T) {
	// Evaluating in chunks of two samples (a scratch of 2.5 samples) gives
	// the one-chunk results up to rounding.
	x, labels := tinyData(7, 3, 3, 12)
	rnd := rand.New(rand.NewPCG(12, 12))
	for _, c := range mlpCases {
		cfg := MLPConfig{Hidden: []int{4, 3}, Activation: c.act, Loss: c.loss, L2: 0.2}
		one, err := NewMLP(x, labels, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Scratch = 8 * (6*(4+3+3) + 3 + 4) * 5 / 2
		chunked, err := NewMLP(x, labels, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if chunked.chunk != 2 || one.chunk != 7 {
			t.Fatalf("chunks of %d and %d samples, want 2 and 7", chunked.chunk, one.chunk)
		}
		p := one.Dim()
		theta, v := randVec(rnd, p, 1), randVec(rnd, p, 1)
		idx := []int{6, 1, 1, 3, 0}
		a, b := make([]float64, p), make([]float64, p)
		const tol = 1e-13 // the same sums, grouped differently
		if fa, fb := one.ExpectedFunc(theta), chunked.ExpectedFunc(theta); !scalar.EqualWithinAbsOrRel(fa, fb, tol, tol) {
			t.Errorf("%v %v: F = %v in one chunk, %v in chunks", c.act, c.loss, fa, fb)
		}
		one.ExpectedGrad(a, theta)
		chunked.ExpectedGrad(b, theta)
		if !floats.EqualApprox(a, b, tol) {
			t.Errorf("%v %v: ExpectedGrad differs in chunks", c.act, c.loss)
		}
		one.ExpectedHessVec(a, theta, v)
		chunked.ExpectedHessVec(b, theta, v)
		if !floats.EqualApprox(a, b, tol) {
			t.Errorf("%v %v: ExpectedHessVec differs in chunks", c.act, c.loss)
		}
		one.BatchHessVec(a, theta, v, idx)
		chunked.BatchHessVec(b, theta, v, idx)
		if !floats.EqualApprox(a, b, tol) {
			t.Errorf("%v %v: BatchHessVec differs in chunks", c.act, c.loss)
		}
		one.BatchGrad(a, theta, idx)
		chunked.BatchGrad(b, theta, idx)
		if !floats.EqualApprox(a, b, tol) {
			t.Errorf("%v %v: BatchGrad differs in chunks", c.act, c.loss)
		}
	}
}

func TestMLPHessVecDigits(t *testing.T) {
	// At p = 2410 on real data: the HVP is symmetric, uᵀ(Hv) = vᵀ(Hu), and
	// matches a central difference of the exact gradient along v.
	d, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	d.Standardize()
	rnd := rand.New(rand.NewPCG(13, 13))
	for _, c := range mlpCases {
		m, err := NewMLP(d.X, d.Labels, MLPConfig{Hidden: []int{32}, Activation: c.act, Loss: c.loss, L2: 1e-3})
		if err != nil {
			t.Fatal(err)
		}
		p := m.Dim()
		theta := m.Init(3)
		u, v := randVec(rnd, p, 1), randVec(rnd, p, 1)
		floats.Scale(1/floats.Norm(v, 2), v)
		hu, hv := make([]float64, p), make([]float64, p)
		m.ExpectedHessVec(hu, theta, u)
		m.ExpectedHessVec(hv, theta, v)
		a, b := floats.Dot(u, hv), floats.Dot(v, hu)
		// Two sums of p products of O(1) terms: rounding ~ p·ε·Σ|u_j (Hv)_j|.
		if !scalar.EqualWithinAbsOrRel(a, b, 1e-12, 1e-12) {
			t.Errorf("%v %v: uᵀHv = %v, vᵀHu = %v", c.act, c.loss, a, b)
		}
		const h = 1e-4
		gp, gm := make([]float64, p), make([]float64, p)
		xp, xm := make([]float64, p), make([]float64, p)
		floats.AddScaledTo(xp, theta, h, v)
		floats.AddScaledTo(xm, theta, -h, v)
		m.ExpectedGrad(gp, xp)
		m.ExpectedGrad(gm, xm)
		floats.Sub(gp, gm)
		floats.Scale(1/(2*h), gp)
		// ‖v‖ = 1, h = 1e-4: truncation h²/6·‖∇³F[v,v]‖ (≈ 4e-9 relative
		// here), rounding ε‖∇F‖/h ≲ 1e-12.
		if e := floats.Distance(gp, hv, math.Inf(1)) / floats.Norm(hv, math.Inf(1)); e > 3e-8 {
			t.Errorf("%v %v: HVP differs from central differences of the gradient by %.3g relative", c.act, c.loss, e)
		} else {
			t.Logf("%v %v: relative difference from central differences %.3g", c.act, c.loss, e)
		}
	}
}

// TestMLPExpectedHessianBudget: a dense Hessian above DenseHessianMaxBytes
// is refused with an error naming the size, before any allocation.
func TestMLPExpectedHessianBudget(t *testing.T) {
	// 64-181-3 has p = 64·181 + 181 + 181·3 + 3 = 12,311, 8p² ≈ 1.21 GB.
	x, labels := tinyData(3, 64, 3, 1)
	m, err := NewMLP(x, labels, MLPConfig{Hidden: []int{181}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Dim() != 12311 {
		t.Fatalf("Dim = %d, want 12311", m.Dim())
	}
	_, err = m.ExpectedHessian(m.Init(1))
	if err == nil || !strings.Contains(err.Error(), "12311×12311") {
		t.Fatalf("err = %v, want the size named", err)
	}
	if _, err := m.ExpectedHessian(nil); err == nil {
		t.Error("len(x) = 0: no error")
	}
}
