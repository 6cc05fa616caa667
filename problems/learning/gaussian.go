package learning

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"

	"github.com/flatminima/flatminima/problems/internal/valid"
)

// LeastSquaresRow is the least-squares component f(x) = ½(a'x − y)² of one
// data row a with target y. Its Hessian aa' is rank one. The fields are
// shared, not copied: do not modify them while the component is in use.
type LeastSquaresRow struct {
	A []float64
	Y float64
}

var (
	_ problems.Component        = (*LeastSquaresRow)(nil)
	_ problems.Hessianer        = (*LeastSquaresRow)(nil)
	_ problems.HessVecer        = (*LeastSquaresRow)(nil)
	_ problems.RankOneHessianer = (*LeastSquaresRow)(nil)
)

// Func returns ½(a'x − y)².
func (r *LeastSquaresRow) Func(x []float64) float64 {
	e := floats.Dot(r.A, x) - r.Y
	return 0.5 * e * e
}

// Grad writes (a'x − y)a into grad.
func (r *LeastSquaresRow) Grad(grad, x []float64) {
	floats.ScaleTo(grad, floats.Dot(r.A, x)-r.Y, r.A)
}

// HessVec writes (a'v)a into dst in O(p).
func (r *LeastSquaresRow) HessVec(dst, x, v []float64) {
	floats.ScaleTo(dst, floats.Dot(r.A, v), r.A)
}

// Hess writes aa' into hess.
func (r *LeastSquaresRow) Hess(hess *mat.SymDense, x []float64) {
	valid.ResizeSym("learning", hess, len(r.A))
	for i, ai := range r.A {
		for j := i; j < len(r.A); j++ {
			hess.SetSym(i, j, ai*r.A[j])
		}
	}
}

// RankOneHess returns the Hessian aa' as the scale 1 and the vector a
// (shared, not copied), so that code can apply it in O(p).
func (r *LeastSquaresRow) RankOneHess(x []float64) (scale float64, a []float64) { return 1, r.A }

// Ridge returns 0: a least-squares row has no ridge term.
func (r *LeastSquaresRow) Ridge() float64 { return 0 }

// GaussianLeastSquares is least squares with Gaussian rows (beyond the
// paper): x ~ N(0, Σ), y = x'θ* + σ_noise·z with z ~ N(0, 1) independent,
// and components f(θ) = ½(x'θ − y)² (LeastSquaresRow). It is a problems.Sampler, not a
// finite problems.Problem: its randomness is continuous. Its moments are exact:
//
//	F(θ) = ½(θ − θ*)'Σ(θ − θ*) + ½σ_noise²,  H = E[Q] = Σ  (Q = xx'),
//	E[Q S Q] = 2ΣSΣ + tr(SΣ)Σ            (Isserlis' theorem),
//	E[Q²] − H² = Σ² + tr(Σ)Σ,
//
// and at θ* the component gradient is b = −σ_noise·z·x, so E[b b'] =
// σ_noise²Σ and E[QHb] = 0. θ* is a homogeneous minimizer (Definition 3.4)
// exactly when σ_noise = 0; otherwise the iterates settle to a noise floor.
// Build it with NewGaussianLeastSquares.
type GaussianLeastSquares struct {
	sigma  *mat.SymDense
	sigmaD *mat.Dense // Σ as a general matrix, for fast products
	factor *mat.Dense // Σ = factor·factor'
	eigs   []float64  // eigenvalues of Σ, descending
	theta  []float64
	noise  float64
}

var (
	_ problems.Sampler           = (*GaussianLeastSquares)(nil)
	_ problems.ExpectedGrader    = (*GaussianLeastSquares)(nil)
	_ problems.ExpectedHessianer = (*GaussianLeastSquares)(nil)
	_ problems.ExpectedHessVecer = (*GaussianLeastSquares)(nil)
)

// NewGaussianLeastSquares returns Gaussian least squares with row covariance
// sigma (symmetric positive semidefinite: eigenvalues ≥ −1e-12·λ_max are
// accepted, negatives clipped to 0), true parameter theta (the minimizer θ*)
// and noise standard deviation noise ≥ 0. Rows are drawn as x = UΛ^{1/2}g,
// g ~ N(0, I). Inputs are copied. Errors name the argument.
func NewGaussianLeastSquares(sigma mat.Symmetric, theta []float64, noise float64) (*GaussianLeastSquares, error) {
	if sigma == nil {
		return nil, errors.New("learning: sigma is nil")
	}
	p := sigma.SymmetricDim()
	if err := valid.Dim("learning", "sigma dimension", p); err != nil {
		return nil, err
	}
	s := mat.NewSymDense(p, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			v := sigma.At(i, j)
			if err := valid.Finite("learning", fmt.Sprintf("sigma[%d][%d]", i, j), v); err != nil {
				return nil, err
			}
			if d := math.Abs(v - sigma.At(j, i)); d > 1e-12*math.Max(1, math.Abs(v)) {
				return nil, fmt.Errorf("learning: sigma is not symmetric at [%d][%d]", i, j)
			}
			s.SetSym(i, j, v)
		}
	}
	if err := valid.Vec("learning", "theta", theta, p); err != nil {
		return nil, err
	}
	if !(noise >= 0) || math.IsInf(noise, 0) {
		return nil, fmt.Errorf("learning: noise = %v, want finite and ≥ 0", noise)
	}
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nil, errors.New("learning: eigendecomposition of sigma failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	lmax := vals[p-1]
	if !(lmax > 0) {
		return nil, fmt.Errorf("learning: sigma has no positive eigenvalue (largest %v)", lmax)
	}
	if vals[0] < -1e-12*lmax {
		return nil, fmt.Errorf("learning: sigma is not positive semidefinite (eigenvalue %v)", vals[0])
	}
	factor := mat.NewDense(p, p, nil)
	eigs := make([]float64, p)
	for j := 0; j < p; j++ {
		v := math.Max(vals[j], 0)
		eigs[p-1-j] = v
		for i := 0; i < p; i++ {
			factor.Set(i, j, vecs.At(i, j)*math.Sqrt(v))
		}
	}
	return &GaussianLeastSquares{sigma: s, sigmaD: mat.DenseCopyOf(s), factor: factor, eigs: eigs, theta: append([]float64(nil), theta...), noise: noise}, nil
}

// Dim returns p.
func (g *GaussianLeastSquares) Dim() int { return len(g.theta) }

// Sample draws one row x ~ N(0, Σ) and y = x'θ* + σ_noise·z, and returns the
// component ½(x'θ − y)² as a *LeastSquaresRow. It uses p + 1 normal variates
// of rnd (p when σ_noise = 0).
func (g *GaussianLeastSquares) Sample(rnd *rand.Rand) problems.Component {
	p := len(g.theta)
	z := make([]float64, p)
	for i := range z {
		z[i] = rnd.NormFloat64()
	}
	x := make([]float64, p)
	mat.NewVecDense(p, x).MulVec(g.factor, mat.NewVecDense(p, z))
	y := floats.Dot(x, g.theta)
	if g.noise > 0 {
		y += g.noise * rnd.NormFloat64()
	}
	return &LeastSquaresRow{A: x, Y: y}
}

// Covariance returns a copy of Σ (= H, the expected Hessian).
func (g *GaussianLeastSquares) Covariance() *mat.SymDense {
	return mat.NewSymDense(len(g.theta), append([]float64(nil), g.sigma.RawSymmetric().Data...))
}

// Eigenvalues returns the eigenvalues of Σ, descending (a copy).
func (g *GaussianLeastSquares) Eigenvalues() []float64 { return append([]float64(nil), g.eigs...) }

// Minimizer returns θ* (a copy).
func (g *GaussianLeastSquares) Minimizer() []float64 { return append([]float64(nil), g.theta...) }

// Noise returns σ_noise.
func (g *GaussianLeastSquares) Noise() float64 { return g.noise }

// Homogeneous reports whether θ* is a homogeneous minimizer: σ_noise = 0.
func (g *GaussianLeastSquares) Homogeneous() bool { return g.noise == 0 }

// ExpectedFunc returns F(θ) = ½(θ − θ*)'Σ(θ − θ*) + ½σ_noise². It does not
// allocate and is safe for concurrent use.
func (g *GaussianLeastSquares) ExpectedFunc(x []float64) float64 {
	raw := g.sigma.RawSymmetric()
	q := 0.0
	for i := range g.theta {
		di := x[i] - g.theta[i]
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.N]
		acc := 0.5 * row[i] * di
		for j := i + 1; j < raw.N; j++ {
			acc += row[j] * (x[j] - g.theta[j])
		}
		q += di * acc
	}
	return q + 0.5*g.noise*g.noise
}

// ExpectedGrad writes ∇F(θ) = Σ(θ − θ*) into grad (grad and x must not
// overlap). It does not allocate and is safe for concurrent use.
func (g *GaussianLeastSquares) ExpectedGrad(grad, x []float64) {
	raw := g.sigma.RawSymmetric()
	clear(grad[:raw.N])
	for i := range g.theta {
		di := x[i] - g.theta[i]
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.N]
		acc := row[i] * di
		for j := i + 1; j < raw.N; j++ {
			s := row[j]
			acc += s * (x[j] - g.theta[j])
			grad[j] += s * di
		}
		grad[i] += acc
	}
}

// ExpectedHessVec writes Σv into dst (at every θ).
func (g *GaussianLeastSquares) ExpectedHessVec(dst, x, v []float64) {
	mat.NewVecDense(len(dst), dst).MulVec(g.sigma, mat.NewVecDense(len(v), v))
}

// ExpectedHess writes H = Σ into hess (at every θ).
func (g *GaussianLeastSquares) ExpectedHess(hess *mat.SymDense, x []float64) { hess.CopySym(g.sigma) }

// FourthMoment writes E[Q S Q] = 2ΣSΣ + tr(SΣ)Σ into dst (p×p) for a
// symmetric S, the fourth-moment map of thresholds.MeanSquareOperator. It
// does not modify s. It is safe for concurrent use. The products run on
// general-matrix copies (two O(p³) matrix products; gonum multiplies two
// Symmetric operands entry by entry, several times slower).
func (g *GaussianLeastSquares) FourthMoment(dst *mat.SymDense, s mat.Symmetric) {
	p := len(g.theta)
	sc := mat.NewDense(p, p, nil)
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			v := s.At(a, b)
			sc.Set(a, b, v)
			sc.Set(b, a, v)
		}
	}
	var t, u mat.Dense
	t.Mul(g.sigmaD, sc)
	u.Mul(&t, g.sigmaD)
	tr := mat.Trace(&t)
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			dst.SetSym(a, b, u.At(a, b)+u.At(b, a)+tr*g.sigma.At(a, b))
		}
	}
}
