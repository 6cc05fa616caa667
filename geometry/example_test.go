package geometry_test

import (
	"fmt"
	"log"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/thresholds"
)

// Estimate on a stochastic quadratic: the Hessian is constant, so the Monte
// Carlo estimate equals the exact geometry of (4)–(5) with zero standard
// errors.
func ExampleEstimate() {
	q, err := problems.NewQuadratic(
		[]mat.Symmetric{
			mat.NewSymDense(2, []float64{2, 1, 1, 1}),
			mat.NewSymDense(2, []float64{1, 0, 0, 3}),
		},
		[][]float64{{0, 0}, {0, 0}}, // homogeneous minimizer at 0
		nil,                         // equal weights
	)
	if err != nil {
		log.Fatal(err)
	}
	l, err := geometry.Estimate(q, []float64{0, 0}, geometry.Settings{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	ex, err := geometry.Exact(q)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("path %v, %d points, m = %d\n", l.Path, l.Samples, l.M)
	fmt.Printf("λ = %.4g ± %.4g\n", l.Eigenvalues, l.EigErr)
	fmt.Printf("s = %.4g ± %.4g, t = %.4g ± %.4g\n", l.S, l.SErr, l.T, l.TErr)
	fmt.Printf("exact: λ = %.4g, s = %.4g, t = %.4g\n", ex.Eigenvalues, ex.S, ex.T)
	// Output:
	// path dense, 1000 points, m = 2
	// λ = [2.309 1.191] ± [0 0]
	// s = 0.3123 ± 0, t = 1.801 ± 0
	// exact: λ = [2.309 1.191], s = 0.3123, t = 1.801
}

// wellComp is the tilted double well f(x) = a(x² − 1)²/4 + b·x on R.
type wellComp struct{ a, b float64 }

func (f wellComp) Func(x []float64) float64 {
	return f.a*(x[0]*x[0]-1)*(x[0]*x[0]-1)/4 + f.b*x[0]
}
func (f wellComp) Grad(g, x []float64) { g[0] = f.a*x[0]*(x[0]*x[0]-1) + f.b }
func (f wellComp) Hess(h *mat.SymDense, x []float64) {
	h.SetSym(0, 0, f.a*(3*x[0]*x[0]-1))
}

// The workflow at a nonconvex minimizer: refine it, test homogeneity, estimate
// the geometry of Definition 3.14 and read off the thresholds. The mixture of
// two tilted wells, F(x) = (x² − 1)²/2, has minimizers ±1 where the component
// gradients ±0.1 do not vanish, so Theorem 3.12's thresholds apply. Near 1,
// H(θ) = E[a](3θ² − 1) and the pointwise quotient is Var(a)(3θ² − 1)², so
// H̄ = E[a](2 + ε²) = 4.001 and s_f = t_f ≈ 4 + 16ε²/3 at ε = 0.02.
func Example() {
	f, err := problems.NewMixture(1, []problems.Component{wellComp{a: 1, b: 0.1}, wellComp{a: 3, b: -0.1}}, nil)
	if err != nil {
		log.Fatal(err)
	}
	x, gnorm, err := geometry.Refine(f, []float64{0.9}, nil, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("minimizer %.4g, ‖∇F‖ < 1e-10: %v\n", x[0], gnorm < 1e-10)

	h, err := geometry.Homogeneity(f, x, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("homogeneity %.4g: homogeneous %v\n", h, h <= geometry.DefaultHomogeneityTol)

	l, err := geometry.Estimate(f, x, geometry.Settings{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("λ = %.4g ± %.2g, s = %.4g, t = %.4g\n", l.Eigenvalues[0], l.EigErr[0], l.S, l.T)
	g := l.Geometry()
	fmt.Printf("k = 1: convergence below %.4g (Theorem 3.12), %.4g (Theorem 3.8)\n",
		thresholds.InhomogeneousConvergence(g, 1), thresholds.Convergence(g, 1))
	fmt.Printf("k = ∞: convergence below %.4g\n", thresholds.InhomogeneousConvergence(g, math.Inf(1)))
	// Output:
	// minimizer 1, ‖∇F‖ < 1e-10: true
	// homogeneity 0.8333: homogeneous false
	// λ = 4.001 ± 3.3e-05, s = 4.007, t = 4.007
	// k = 1: convergence below 0.2221 (Theorem 3.12), 0.3998 (Theorem 3.8)
	// k = ∞: convergence below 0.4999
}

// HessianOperator gives the expected Hessian at a point as a matrix-free
// operator; here least squares on two rows, H = A'A/2 = diag(0.5, 2), whose
// top eigenvalue spectral.Top finds from Hessian-vector products alone.
func ExampleHessianOperator() {
	a := mat.NewDense(2, 2, []float64{1, 0, 0, 2})
	ls, err := learning.NewLeastSquares(a, []float64{1, 1}, nil)
	if err != nil {
		log.Fatal(err)
	}
	op, err := geometry.HessianOperator(ls, []float64{0, 0})
	if err != nil {
		log.Fatal(err)
	}
	top, err := spectral.Top(op, 1, spectral.Settings{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("λ_1 = %.6g\n", top.Values[0])
	// Output:
	// λ_1 = 2
}
