package problems

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/internal/valid"
)

// Tolerances of NewQuadratic and of the Quadratic's derived quantities. They
// are relative, so that the checks do not depend on the scale of the data.
const (
	// QuadraticSymTol: a Q_i is accepted as symmetric when
	// |Q_i[a,b] − Q_i[b,a]| ≤ QuadraticSymTol·max|Q_i| for all a, b; the
	// stored matrix is the symmetric part (Q_i + Q_i')/2.
	QuadraticSymTol = 1e-10
	// QuadraticPSDTol: a Q_i is accepted as positive semidefinite when its
	// smallest eigenvalue is at least −QuadraticPSDTol·max|eig(Q_i)|.
	QuadraticPSDTol = 1e-10
	// QuadraticRankTol: an eigenvalue λ of a Q_i or of H = E[Q] counts as
	// nonzero when λ > QuadraticRankTol·max|eig|. It defines range(Q_i) for
	// the range check, the pseudo-inverse of Minimizer and the rank m of H.
	QuadraticRankTol = 1e-10
	// QuadraticRangeTol: r_i is accepted as lying in range(Q_i) when the part
	// of r_i orthogonal to range(Q_i) has norm at most QuadraticRangeTol·‖r_i‖.
	QuadraticRangeTol = 1e-8
	// QuadraticHomogeneousTol: the minimizer x* is homogeneous when
	// ‖Q_i x* + r_i‖ ≤ QuadraticHomogeneousTol·(‖Q_i‖_F‖x*‖ + ‖r_i‖) for every i.
	QuadraticHomogeneousTol = 1e-8
)

// Quadratic is the stochastic quadratic problem of Problem 3.1 with finite
// support: F(x) = Σ_i p_i f_i(x) with
//
//	f_i(x) = ½ x'Q_i x + r_i'x,  Q_i symmetric positive semidefinite, r_i ∈ range(Q_i).
//
// Its expected Hessian is H = E[Q] = Σ_i p_i Q_i, and the minimizers of F are
// the solutions of H x = −E[r]. A Quadratic is immutable after
// NewQuadratic and safe for concurrent use; the matrices and vectors its
// methods return are copies.
type Quadratic struct {
	dim   int
	comps []*QuadraticComponent
	w     []float64
	h     *mat.SymDense // E[Q]
	er    []float64     // E[r]
	xstar []float64     // minimum-norm minimizer
}

// QuadraticComponent is one component f(x) = ½ x'Qx + r'x of a Quadratic.
// Its methods are safe for concurrent use and do not allocate.
type QuadraticComponent struct {
	q *mat.SymDense
	r []float64
}

var (
	_ Problem           = (*Quadratic)(nil)
	_ ExpectedGrader    = (*Quadratic)(nil)
	_ ExpectedHessianer = (*Quadratic)(nil)
	_ ExpectedHessVecer = (*Quadratic)(nil)
	_ Component         = (*QuadraticComponent)(nil)
	_ Hessianer         = (*QuadraticComponent)(nil)
	_ HessVecer         = (*QuadraticComponent)(nil)
)

// NewQuadratic returns the stochastic quadratic problem (Problem 3.1) with
// components f_i(x) = ½ x'q[i]x + r[i]'x and weights w. A nil r means every
// r[i] = 0 (a homogeneous minimizer at the origin). A nil or empty w means
// uniform weights; otherwise the weights must be positive and finite and sum
// to one within 1e-9, and are then divided by their sum (the package's weight
// rule, see the package documentation).
//
// NewQuadratic checks that q, r and w have equal lengths (at least one), that
// every q[i] is square of the same size p ≥ 1 and every r[i] has length p,
// that no entry is NaN or infinite, that q[i] is symmetric within
// QuadraticSymTol, positive semidefinite within QuadraticPSDTol, and that
// r[i] lies in range(q[i]) within QuadraticRangeTol (which keeps every f_i
// bounded below). Errors name the argument and index, for example
// "problems: q[3] is not positive semidefinite (smallest eigenvalue -0.2)".
// The inputs are copied.
func NewQuadratic(q []mat.Symmetric, r [][]float64, w []float64) (*Quadratic, error) {
	if len(q) == 0 {
		return nil, errors.New("problems: q is empty, want at least one component")
	}
	if r != nil && len(r) != len(q) {
		return nil, fmt.Errorf("problems: r has length %d, q has length %d", len(r), len(q))
	}
	if len(w) != 0 && len(w) != len(q) {
		return nil, fmt.Errorf("problems: w has length %d, q has length %d", len(w), len(q))
	}
	var p int
	comps := make([]*QuadraticComponent, len(q))
	for i, qi := range q {
		if qi == nil {
			return nil, fmt.Errorf("problems: q[%d] is nil", i)
		}
		n := qi.SymmetricDim()
		if rr, cc := qi.Dims(); rr != n || cc != n {
			return nil, fmt.Errorf("problems: q[%d] is %d×%d, not square", i, rr, cc)
		}
		if i == 0 {
			if n < 1 {
				return nil, errors.New("problems: q[0] is empty")
			}
			p = n
		} else if n != p {
			return nil, fmt.Errorf("problems: q[%d] is %d×%d, q[0] is %d×%d", i, n, n, p, p)
		}
		ri := make([]float64, p)
		if r != nil {
			ri = r[i]
		}
		c, err := newQuadraticComponent(qi, ri, i, p)
		if err != nil {
			return nil, err
		}
		comps[i] = c
	}
	ws, err := NormalizeWeights(w, len(q))
	if err != nil {
		return nil, err
	}

	h := mat.NewSymDense(p, nil)
	er := make([]float64, p)
	for i, c := range comps {
		addScaledSym(h, ws[i], c.q)
		floats.AddScaled(er, ws[i], c.r)
	}
	quad := &Quadratic{dim: p, comps: comps, w: ws, h: h, er: er}
	quad.xstar = quad.minNormSolve()
	return quad, nil
}

// newQuadraticComponent validates and copies one component.
func newQuadraticComponent(qi mat.Symmetric, ri []float64, i, p int) (*QuadraticComponent, error) {
	if err := valid.Vec("problems", fmt.Sprintf("r[%d]", i), ri, p); err != nil {
		return nil, err
	}
	var maxAbs float64
	for a := 0; a < p; a++ {
		for b := 0; b < p; b++ {
			v := qi.At(a, b)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("problems: q[%d][%d,%d] = %v is not finite", i, a, b, v)
			}
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	s := mat.NewSymDense(p, nil)
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			vab, vba := qi.At(a, b), qi.At(b, a)
			if math.Abs(vab-vba) > QuadraticSymTol*maxAbs {
				return nil, fmt.Errorf("problems: q[%d] is not symmetric (q[%d][%d,%d] = %v, q[%d][%d,%d] = %v)", i, i, a, b, vab, i, b, a, vba)
			}
			s.SetSym(a, b, (vab+vba)/2)
		}
	}
	vals, vecs, ok := eigSym(s)
	if !ok {
		return nil, fmt.Errorf("problems: q[%d]: eigendecomposition failed", i)
	}
	scale := math.Max(math.Abs(vals[0]), math.Abs(vals[p-1]))
	if vals[0] < -QuadraticPSDTol*scale {
		return nil, fmt.Errorf("problems: q[%d] is not positive semidefinite (smallest eigenvalue %.4g)", i, vals[0])
	}
	// Residual of r_i off range(Q_i): its components along the eigenvectors
	// whose eigenvalues count as zero.
	rnorm := floats.Norm(ri, 2)
	if rnorm > 0 {
		var res2 float64
		for j := 0; j < p; j++ {
			if vals[j] > QuadraticRankTol*scale {
				continue
			}
			var c float64
			for a := 0; a < p; a++ {
				c += vecs.At(a, j) * ri[a]
			}
			res2 += c * c
		}
		if res := math.Sqrt(res2); res > QuadraticRangeTol*rnorm {
			return nil, fmt.Errorf("problems: r[%d] is not in range(q[%d]) (relative residual %.4g)", i, i, res/rnorm)
		}
	}
	return &QuadraticComponent{q: s, r: append([]float64(nil), ri...)}, nil
}

// eigSym returns the eigenvalues of a in ascending order and the
// corresponding eigenvectors as columns.
func eigSym(a mat.Symmetric) (vals []float64, vecs *mat.Dense, ok bool) {
	var e mat.EigenSym
	if !e.Factorize(a, true) {
		return nil, nil, false
	}
	vecs = &mat.Dense{}
	e.VectorsTo(vecs)
	return e.Values(nil), vecs, true
}

// addScaledSym sets dst += alpha·a.
func addScaledSym(dst *mat.SymDense, alpha float64, a *mat.SymDense) {
	n := dst.SymmetricDim()
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			dst.SetSym(i, j, dst.At(i, j)+alpha*a.At(i, j))
		}
	}
}

// minNormSolve returns the minimum-norm solution of H x = −E[r]:
// x = −Σ_j u_j (u_j'E[r])/λ_j over the eigenpairs of H with
// λ_j > QuadraticRankTol·λ_max (the pseudo-inverse H^†).
func (q *Quadratic) minNormSolve() []float64 {
	x := make([]float64, q.dim)
	vals, vecs, ok := eigSym(q.h)
	if !ok {
		panic("problems: eigendecomposition of H failed")
	}
	lmax := vals[q.dim-1]
	for j, l := range vals {
		if !(l > QuadraticRankTol*lmax) || l <= 0 {
			continue
		}
		var c float64
		for a := 0; a < q.dim; a++ {
			c += vecs.At(a, j) * q.er[a]
		}
		for a := 0; a < q.dim; a++ {
			x[a] -= vecs.At(a, j) * c / l
		}
	}
	return x
}

// Dim returns the dimension p.
func (q *Quadratic) Dim() int { return q.dim }

// Len returns the number of components N.
func (q *Quadratic) Len() int { return len(q.comps) }

// Weight returns p_i, the probability of component i.
func (q *Quadratic) Weight(i int) float64 { return q.w[i] }

// Component returns f_i as a *QuadraticComponent. It does not allocate.
func (q *Quadratic) Component(i int) Component { return q.comps[i] }

// Q returns a copy of Q_i.
func (q *Quadratic) Q(i int) *mat.SymDense { return q.comps[i].Q() }

// R returns a copy of r_i.
func (q *Quadratic) R(i int) []float64 { return q.comps[i].R() }

// Hessian returns a copy of the expected Hessian H = E[Q] = Σ_i p_i Q_i.
func (q *Quadratic) Hessian() *mat.SymDense {
	return mat.NewSymDense(q.dim, append([]float64(nil), q.h.RawSymmetric().Data...))
}

// MeanR returns a copy of E[r] = Σ_i p_i r_i.
func (q *Quadratic) MeanR() []float64 { return append([]float64(nil), q.er...) }

// Minimizer returns a copy of the minimum-norm minimizer of F: the solution
// x* = −H^† E[r] of H x = −E[r], computed from the
// eigendecomposition of H with the eigenvalues λ ≤ QuadraticRankTol·λ_max
// treated as zero. When H is singular every x* + n with Hn = 0 is also a
// minimizer; x* is the one orthogonal to null(H). Because each r_i is in
// range(Q_i), E[r] is in range(H), so the equation is consistent.
func (q *Quadratic) Minimizer() []float64 { return append([]float64(nil), q.xstar...) }

// Homogeneous reports whether the minimizer is homogeneous (Definition 3.4):
// Q_i x* + r_i = 0 for every i, within QuadraticHomogeneousTol relative to
// ‖Q_i‖_F‖x*‖ + ‖r_i‖. The answer does not depend on which minimizer is
// taken: if Hn = 0 then E[n'Qn] = 0, so Q_i n = 0 for every i. The
// rounding error of x* grows with the condition number of H on its range;
// beyond about 1e6 a homogeneous problem may be reported inhomogeneous.
func (q *Quadratic) Homogeneous() bool {
	xn := floats.Norm(q.xstar, 2)
	b := make([]float64, q.dim)
	for _, c := range q.comps {
		c.Grad(b, q.xstar)
		scale := mat.Norm(c.q, 2)*xn + floats.Norm(c.r, 2)
		if floats.Norm(b, 2) > QuadraticHomogeneousTol*scale {
			return false
		}
	}
	return true
}

// M returns the curvature moment M = E[Q H Q] − H³ of Table 1 and (4)–(5),
// the matrix whose Rayleigh quotients against H define s_Q and t_Q in (4) and
// (5). It is positive semidefinite (Lemma 3.3) up to rounding; the returned
// matrix is exactly symmetric.
func (q *Quadratic) M() *mat.SymDense {
	p := q.dim
	var hq, qhq, acc mat.Dense
	acc.ReuseAs(p, p)
	for i, c := range q.comps {
		hq.Mul(q.h, c.q)
		qhq.Mul(c.q, &hq)
		acc.Add(&acc, scaled(q.w[i], &qhq))
	}
	var h2, h3 mat.Dense
	h2.Mul(q.h, q.h)
	h3.Mul(&h2, q.h)
	acc.Sub(&acc, &h3)
	m := mat.NewSymDense(p, nil)
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			m.SetSym(a, b, (acc.At(a, b)+acc.At(b, a))/2)
		}
	}
	return m
}

func scaled(f float64, a *mat.Dense) *mat.Dense {
	var s mat.Dense
	s.Scale(f, a)
	return &s
}

// Func returns F(x) = Σ_i p_i f_i(x) = ½ x'Hx + E[r]'x.
func (q *Quadratic) Func(x []float64) float64 {
	return quadForm(q.h, x)/2 + floats.Dot(q.er, x)
}

// ExpectedGrad writes ∇F(x) = Hx + E[r] into grad without allocating.
func (q *Quadratic) ExpectedGrad(grad, x []float64) {
	symAffine(grad, q.h, x, q.er)
}

// ExpectedHess writes H = E[Q] into hess (allocated when empty).
func (q *Quadratic) ExpectedHess(hess *mat.SymDense, x []float64) {
	copySym(hess, q.h)
}

// ExpectedHessVec writes Hv into dst (one symmetric matrix-vector product).
func (q *Quadratic) ExpectedHessVec(dst, x, v []float64) {
	symMul(dst, q.h, v)
}

// Q returns a copy of the component's matrix Q.
func (c *QuadraticComponent) Q() *mat.SymDense {
	return mat.NewSymDense(c.q.SymmetricDim(), append([]float64(nil), c.q.RawSymmetric().Data...))
}

// R returns a copy of the component's vector r.
func (c *QuadraticComponent) R() []float64 { return append([]float64(nil), c.r...) }

// Func returns ½ x'Qx + r'x.
func (c *QuadraticComponent) Func(x []float64) float64 {
	if len(x) != len(c.r) {
		panic("problems: QuadraticComponent.Func: dimension mismatch")
	}
	return quadForm(c.q, x)/2 + floats.Dot(c.r, x)
}

// Grad writes Qx + r into grad. grad must not alias x.
func (c *QuadraticComponent) Grad(grad, x []float64) {
	symAffine(grad, c.q, x, c.r)
}

// Hess writes Q into hess (allocated when empty).
func (c *QuadraticComponent) Hess(hess *mat.SymDense, x []float64) {
	copySym(hess, c.q)
}

// HessVec writes Qv into dst.
func (c *QuadraticComponent) HessVec(dst, x, v []float64) {
	symMul(dst, c.q, v)
}

// quadForm returns x'Ax.
func quadForm(a *mat.SymDense, x []float64) float64 {
	raw := a.RawSymmetric()
	n := raw.N
	if len(x) != n {
		panic("problems: dimension mismatch")
	}
	var s float64
	for i := 0; i < n; i++ {
		row := raw.Data[i*raw.Stride : i*raw.Stride+n]
		xi := x[i]
		s += row[i] * xi * xi
		var t float64
		for j := i + 1; j < n; j++ {
			t += row[j] * x[j]
		}
		s += 2 * xi * t
	}
	return s
}

// symAffine sets dst = A x + b.
func symAffine(dst []float64, a *mat.SymDense, x, b []float64) {
	n := len(b)
	if len(x) != n || len(dst) != n {
		panic("problems: dimension mismatch")
	}
	copy(dst, b)
	blas64.Symv(1, a.RawSymmetric(), blas64.Vector{N: n, Inc: 1, Data: x}, 1, blas64.Vector{N: n, Inc: 1, Data: dst})
}

// symMul sets dst = A x.
func symMul(dst []float64, a *mat.SymDense, x []float64) {
	n := a.SymmetricDim()
	if len(x) != n || len(dst) != n {
		panic("problems: dimension mismatch")
	}
	blas64.Symv(1, a.RawSymmetric(), blas64.Vector{N: n, Inc: 1, Data: x}, 0, blas64.Vector{N: n, Inc: 1, Data: dst})
}

// copySym copies a into dst, allocating dst when it is empty.
func copySym(dst *mat.SymDense, a *mat.SymDense) {
	n := a.SymmetricDim()
	if dst.IsEmpty() {
		dst.ReuseAsSym(n)
	}
	if dst.SymmetricDim() != n {
		panic("problems: Hess: dimension mismatch")
	}
	dst.CopySym(a)
}
