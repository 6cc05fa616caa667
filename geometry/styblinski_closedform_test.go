package geometry_test

import (
	"math"
	"testing"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems/paper"
)

// TestEstimateStyblinskiTangClosedForm checks s_f and t_f of (50) for a
// Styblinski–Tang sum against moments computed here by hand, independently
// of the library's Hessian paths.
//
// Each component is f_i(x) = ½ Σ_d (c1_{i,d} x_d⁴ + c2_{i,d} x_d² + c3_{i,d} x_d),
// so ∇²f_i(θ) = diag(q_{i,d}(θ_d)) with q_{i,d}(θ) = 6 c1_{i,d} θ² + c2_{i,d}.
// With diagonal Hessians, M(θ) = Σ_i p_i (Q_i − H) H (Q_i − H) is diagonal with
// M_dd = H_dd Var_i(q_{i,d}), so the pointwise quotient on direction d is
//
//	Var_i(q_{i,d}(θ)) = 36 Var(c1_d) θ_d⁴ + 12 Cov(c1_d, c2_d) θ_d² + Var(c2_d).
//
// Coordinate 1 has varying (c1, c2) and coordinate 2 only a varying c2 with a
// much smaller variance, so on the whole ball the sup is coordinate 1's
// quotient and the inf is coordinate 2's constant Var(c2_2). For θ uniform
// on the disc B(x*, ε) in R², E[u_1²] = ε²/4 and E[u_1⁴] = ε⁴/8, which give
// t_f = E[sup] and s_f = Var(c2_2) in closed form.
func TestEstimateStyblinskiTangClosedForm(t *testing.T) {
	comps := []paper.STComponent{
		{C1: []float64{0.8, 1}, C2: []float64{-20, -16.5}, C3: []float64{5, 5}},
		{C1: []float64{1.2, 1}, C2: []float64{-12, -15.5}, C3: []float64{5, 5}},
	}
	st, err := paper.NewStyblinskiTang(comps, nil)
	if err != nil {
		t.Fatal(err)
	}
	xstar := st.Sharpest()

	// Population moments over the two equally likely components.
	const (
		varC1  = 0.04 // (0.8, 1.2) around 1
		varC2  = 16.0 // (−20, −12) around −16
		covC12 = 0.8  // ½[(−0.2)(−4) + (0.2)(4)]
		varC22 = 0.25 // (−16.5, −15.5) around −16
	)
	const eps = 0.5
	x1 := xstar[0]
	m2 := x1*x1 + eps*eps/4
	m4 := x1*x1*x1*x1 + 6*x1*x1*eps*eps/4 + eps*eps*eps*eps/8
	wantT := 36*varC1*m4 + 12*covC12*m2 + varC2
	wantS := varC22

	loc, err := geometry.Estimate(st, xstar, geometry.Settings{Radius: eps, Samples: 20000, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if loc.Skipped != 0 || loc.Indefinite != 0 {
		t.Fatalf("skipped %d, indefinite %d points; want none on this ball", loc.Skipped, loc.Indefinite)
	}
	// s_f is constant over the ball, so only rounding separates it from the
	// closed form.
	if math.Abs(loc.S-wantS) > 1e-10*wantS {
		t.Errorf("S = %.12g, want Var(c2_2) = %.12g", loc.S, wantS)
	}
	// t_f is a Monte Carlo mean: four standard errors (a false alarm about
	// once in 16,000 seeds), and the standard error itself must be positive.
	if !(loc.TErr > 0) || math.Abs(loc.T-wantT) > 4*loc.TErr {
		t.Errorf("T = %.10g ± %.3g, want %.10g (closed form)", loc.T, loc.TErr, wantT)
	}
	// The ball average of the Hessian is diagonal with entries
	// 6 ā1_d (x_d² + ε²/4) + ā2_d; its eigenvalues come descending.
	h1 := 6*(x1*x1+eps*eps/4) - 16
	x2 := xstar[1]
	h2 := 6*(x2*x2+eps*eps/4) - 16
	want := []float64{math.Max(h1, h2), math.Min(h1, h2)}
	for j, w := range want {
		if math.Abs(loc.AllEigenvalues[j]-w) > 4*loc.EigErr[j]+1e-12*w {
			t.Errorf("eigenvalue %d = %.10g ± %.3g, want %.10g", j, loc.AllEigenvalues[j], loc.EigErr[j], w)
		}
	}
}
