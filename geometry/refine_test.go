package geometry

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/paper"
)

// cubicRoot returns the root of 2a x³ + b x + c/2 in [lo, hi] by bisection
// (the stationarity condition of one coordinate of the averaged quartic).
func cubicRoot(a, b, c, lo, hi float64) float64 {
	f := func(x float64) float64 { return 2*a*x*x*x + b*x + c/2 }
	for range 200 {
		mid := (lo + hi) / 2
		if (f(mid) > 0) == (f(hi) > 0) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return (lo + hi) / 2
}

// TestRefine: from a start 0.1 away, Newton (the default) and BFGS reach the
// minimizer of a separable quartic mixture, found independently per
// coordinate by bisection on the averaged cubic.
func TestRefine(t *testing.T) {
	q := newQuart(3, 10, 19)
	want := []float64{
		cubicRoot(q.a1[0], q.a2[0], q.a3[0], 1, 4),   // the positive well
		cubicRoot(q.a1[1], q.a2[1], q.a3[1], -4, -1), // the negative well
		cubicRoot(q.a1[2], q.a2[2], q.a3[2], 1, 4),
	}
	x0 := []float64{want[0] + 0.1, want[1] - 0.1, want[2] - 0.1}
	orig := append([]float64(nil), x0...)
	for _, m := range []optimize.Method{nil, &optimize.BFGS{}} {
		x, gnorm, err := Refine(q, x0, m, nil)
		if err != nil {
			t.Fatalf("%T: %v", m, err)
		}
		// The minimizer is a simple root: 1e-9 is far above the rounding
		// (1e-15 relative) and far below the start distance.
		for d := range want {
			if math.Abs(x[d]-want[d]) > 1e-9 {
				t.Errorf("%T: x[%d] = %v, want %v", m, d, x[d], want[d])
			}
		}
		if !(gnorm < 1e-8) {
			t.Errorf("%T: ‖∇F‖ = %v", m, gnorm)
		}
	}
	for d := range x0 {
		if x0[d] != orig[d] {
			t.Fatal("x0 was modified")
		}
	}
}

func TestRefineErrors(t *testing.T) {
	q := newQuart(2, 3, 20)
	for _, c := range []struct {
		name string
		x0   []float64
		want string
	}{
		{"short", []float64{1}, "x0 has length"},
		{"NaN", []float64{1, math.NaN()}, "x0[1]"},
	} {
		if _, _, err := Refine(q, c.x0, nil, nil); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
	if _, _, err := Refine(nil, []float64{1}, nil, nil); err == nil || !strings.Contains(err.Error(), "problem") {
		t.Errorf("nil problem: err = %v", err)
	}
	// An evaluation limit stops early: an error, with the best point so far.
	x, gnorm, err := Refine(q, []float64{2, -2}, nil, &optimize.Settings{FuncEvaluations: 2})
	if err == nil || x == nil || !(gnorm > 0) {
		t.Errorf("evaluation limit: x = %v, ‖∇F‖ = %v, err = %v; want a point and an error", x, gnorm, err)
	}
}

// TestRefineConverged: a start that is already a minimizer to rounding is
// returned unchanged and without error, whatever the method: the gradient
// is zero at the quadratic-circle's circular minimizer, and of order 1e-14
// at a Styblinski–Tang minimizer found by root-finding, where BFGS's line
// search has no descent direction left.
func TestRefineConverged(t *testing.T) {
	qc, err := paper.QuadCircleModel(1)
	if err != nil {
		t.Fatal(err)
	}
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		p    problems.Problem
		x0   []float64
	}{
		{"quad-circle circular", qc, qc.Circular()},
		{"quad-circle quadratic", qc, qc.Quadratic()},
		{"Styblinski–Tang sharpest", st, st.Sharpest()},
	} {
		for _, m := range []optimize.Method{nil, &optimize.BFGS{}} {
			x, g, err := Refine(tc.p, tc.x0, m, nil)
			if err != nil {
				t.Errorf("%s, %T: %v", tc.name, m, err)
				continue
			}
			if !(g < 1e-12) {
				t.Errorf("%s, %T: ‖∇F‖ = %g", tc.name, m, g)
			}
			for d := range x {
				if math.Abs(x[d]-tc.x0[d]) > 1e-12*math.Max(1, math.Abs(tc.x0[d])) {
					t.Errorf("%s, %T: moved from %v to %v", tc.name, m, tc.x0, x)
					break
				}
			}
		}
	}
}
