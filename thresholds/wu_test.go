package thresholds

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestWuTwoPoint(t *testing.T) {
	// q ∈ {1, 3} with probability ½: λ_max(H) = 2, E[Q²] − H² = Var(q) = 1.
	hs := []mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}
	a, v, err := NonUniformity(hs, []float64{0.5, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a-2) > 1e-15 || math.Abs(v-1) > 1e-15 {
		t.Errorf("sharpness %v, v %v; want 2, 1", a, v)
	}
	if got := WuSharpness(a); got != 1 {
		t.Errorf("WuSharpness = %v, want 1", got)
	}
	if got := WuNonUniformity(v, 4); got != 2 {
		t.Errorf("WuNonUniformity(k=4) = %v, want 2", got)
	}
	if got := WuNonUniformity(v, math.Inf(1)); !math.IsInf(got, 1) {
		t.Errorf("WuNonUniformity(k=∞) = %v, want +Inf", got)
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1)} {
		if !math.IsNaN(WuSharpness(bad)) || !math.IsNaN(WuNonUniformity(bad, 1)) {
			t.Errorf("bad input %v not NaN", bad)
		}
	}
	if !math.IsNaN(WuNonUniformity(1, 0.5)) {
		t.Error("k = 0.5 not NaN")
	}
}

func TestNonUniformityOperatorGaussian(t *testing.T) {
	// Gaussian rows: E[Q²] − H² = Σ² + tr(Σ)Σ, whose top eigenvalue is
	// σ_1² + tr(Σ)σ_1; and the component form on a finite mixture equals
	// the operator form with S ↦ Σ w_i Q_i S Q_i.
	rnd := rand.New(rand.NewPCG(3, 4))
	p := 5
	sigma := opRandomPSD(rnd, p, p)
	var es mat.EigenSym
	es.Factorize(sigma, false)
	vals := es.Values(nil)
	s1, tr := vals[p-1], 0.0
	for _, x := range vals {
		tr += x
	}
	a, v, err := NonUniformityOperator(sigma, opGaussianFourth(sigma))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a-s1) > 1e-12*s1 || math.Abs(v-(s1*s1+tr*s1)) > 1e-12*v {
		t.Errorf("got (%v, %v), want (%v, %v)", a, v, s1, s1*s1+tr*s1)
	}
	var q []*mat.SymDense
	var hs []mat.Symmetric
	w := []float64{0.2, 0.3, 0.5}
	for range w {
		qi := opRandomPSD(rnd, p, 2)
		q = append(q, qi)
		hs = append(hs, qi)
	}
	a1, v1, err := NonUniformity(hs, w)
	if err != nil {
		t.Fatal(err)
	}
	a2, v2, err := NonUniformityOperator(opExpected(q, w), opMixtureFourth(q, w))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(a1-a2) > 1e-12*a1 || math.Abs(v1-v2) > 1e-10*v1 {
		t.Errorf("component (%v, %v), operator (%v, %v)", a1, v1, a2, v2)
	}
	if _, _, err := NonUniformity(nil, nil); err == nil {
		t.Error("empty hess accepted")
	}
	if _, _, err := NonUniformity(hs, []float64{1}); err == nil {
		t.Error("short w accepted")
	}
	if _, _, err := NonUniformityOperator(sigma, nil); err == nil {
		t.Error("nil fourth accepted")
	}
}

// TestWuBadInput: bad input returns an error naming the argument, never a
// panic (a nil or 0×0 matrix used to index out of range in symMax).
func TestWuBadInput(t *testing.T) {
	one := mat.NewSymDense(1, []float64{1})
	two := mat.NewSymDense(1, []float64{3})
	fourth := func(dst *mat.SymDense, s mat.Symmetric) { dst.CopySym(s) }
	for _, c := range []struct {
		name, want string
		run        func() error
	}{
		{"nil entry", "hess[1]", func() error { _, _, err := NonUniformity([]mat.Symmetric{one, nil}, nil); return err }},
		{"0×0 entry", "hess[0]", func() error {
			_, _, err := NonUniformity([]mat.Symmetric{&mat.SymDense{}}, nil)
			return err
		}},
		{"w length", "w", func() error { _, _, err := NonUniformity([]mat.Symmetric{one, two}, []float64{1}); return err }},
		{"w sum", "w sums", func() error { _, _, err := NonUniformity([]mat.Symmetric{one, two}, []float64{0.5, 0.6}); return err }},
		{"w negative", "w[0]", func() error { _, _, err := NonUniformity([]mat.Symmetric{one, two}, []float64{-0.5, 1.5}); return err }},
		{"w NaN", "w[1]", func() error {
			_, _, err := NonUniformity([]mat.Symmetric{one, two}, []float64{0.5, math.NaN()})
			return err
		}},
		{"w Inf", "w[0]", func() error {
			_, _, err := NonUniformity([]mat.Symmetric{one, two}, []float64{math.Inf(1), 0.5})
			return err
		}},
		{"squares overflow", "hess", func() error {
			// Q ∈ {1e200, 3e200}: E[(Q − H)²] = 1e400.
			_, _, err := NonUniformity([]mat.Symmetric{mat.NewSymDense(1, []float64{1e200}), mat.NewSymDense(1, []float64{3e200})}, nil)
			return err
		}},
		{"operator 0×0 h", "h", func() error { _, _, err := NonUniformityOperator(&mat.SymDense{}, fourth); return err }},
		{"operator nil h", "h", func() error { _, _, err := NonUniformityOperator(nil, fourth); return err }},
		{"operator NaN fourth", "fourth", func() error {
			_, _, err := NonUniformityOperator(one, func(dst *mat.SymDense, s mat.Symmetric) { dst.SetSym(0, 0, math.NaN()) })
			return err
		}},
	} {
		var err error
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", c.name, r)
				}
			}()
			err = c.run()
		}()
		if err == nil {
			t.Errorf("%s: no error", c.name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not name %q", c.name, err, c.want)
		}
	}
	// Valid: nil weights are uniform, a zero weight drops its component,
	// and weights summing to 1 within 1e-9 are accepted (normalized).
	a, v, err := NonUniformity([]mat.Symmetric{one, two}, nil)
	if err != nil || a != 2 || math.Abs(v-1) > 1e-12 {
		t.Errorf("uniform: a = %v, v = %v, err %v; want 2, 1 (q ∈ {1, 3})", a, v, err)
	}
	a, v, err = NonUniformity([]mat.Symmetric{one, two}, []float64{0, 1 + 5e-10})
	if err != nil || math.Abs(a-3) > 1e-9 || v > 1e-9 {
		t.Errorf("w = (0, 1): a = %v, v = %v, err %v; want 3, 0", a, v, err)
	}
}
