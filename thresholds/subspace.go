package thresholds

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry/spectral"
)

// MeanSquareMaxBytes is the memory budget of the dense form of MeanSquare:
// it assembles a symmetric matrix of order m(m+1)/2, m = rank(H) ≤ p, that
// is up to 8·(p(p+1)/2)² bytes. A non-diagonal request whose bound exceeds
// the budget (p > 180) returns a *SizeError before anything large is
// allocated; use Subspace (exact when its basis spans range(H)) or
// MeanSquareOperator with FourthOperator instead.
const MeanSquareMaxBytes = 1 << 31

// SizeError is returned when a computation would need more memory than its
// documented budget. It names what was asked and the size.
type SizeError struct {
	What   string  // the computation
	Bytes  float64 // memory it would need
	Budget float64 // the documented budget
}

// Error names the computation, its size and the budget.
func (e *SizeError) Error() string {
	return fmt.Sprintf("thresholds: %s would need %.3g bytes, above the budget of %.3g bytes", e.What, e.Bytes, e.Budget)
}

// checkMeanSquareSize refuses a dense C*(k) at dimension p whose assembled
// matrix could exceed MeanSquareMaxBytes.
func checkMeanSquareSize(p int) error {
	n := float64(p) * float64(p+1) / 2
	if b := 8 * n * n; b > MeanSquareMaxBytes {
		return &SizeError{
			What:   fmt.Sprintf("the dense mean-square threshold at p = %d (a %.0f×%.0f matrix on symmetric p×p matrices; use Subspace or MeanSquareOperator)", p, n, n),
			Bytes:  b,
			Budget: MeanSquareMaxBytes,
		}
	}
	return nil
}

// Subspace is a stochastic quadratic compressed onto the span of an
// orthonormal basis V (p×r): the component Hessians Q_i become
// B_i = V'Q_iV (r×r), built from r Hessian-vector products each, so that no
// p×p matrix is formed. Its thresholds are those of the compressed problem:
//
//   - MeanSquare: C*(k) of the B_i. The second-moment map
//     T_C(S) = (I − CH)S(I − CH) + (C²/k)E[(Q − H)S(Q − H)] is positive on
//     the semidefinite cone and self-adjoint for the Frobenius inner
//     product. The compressed problem's map is exactly Φ*T_CΦ with the
//     isometry Φ(S̃) = VS̃V' (because V'(I − CH)V = I − CH_V and
//     V'(Q_i − H)V = B_i − H_V), so by Cauchy interlacing its largest
//     eigenvalue, which is its spectral radius since it is positive too, is
//     at most ρ(T_C). Hence the compressed C*(k) can only be too large:
//     C*_V(k) ≥ C*(k). It is exact when V spans range(H) and every Q_i is
//     positive semidefinite, and C*_V(∞) = 2/λ_1 whenever V holds the top
//     eigenvector of H.
//   - NonUniformity: λ_max(H_V) and λ_max(E[(B − H_V)²]) of Wu, Ma and E
//     (2018), each at most its uncompressed value (Cauchy interlacing), so
//     the compressed criteria are too permissive in the same direction.
//   - NoiseFloor: the stationary error of the linearized SGD-k on the
//     subspace, from the N gradients b_i at x* projected on V (V'b_i); no
//     p×p covariance is formed.
//
// Indefinite lists the components whose B_i has an eigenvalue below
// −IndefiniteTol·‖H_V‖: there the restriction to range(H) is inexact (a
// null-space direction of H can still be moved by Q_i), so the result is
// the threshold of the dynamics projected on V.
type Subspace struct {
	Basis      *mat.Dense      // V, p×r with orthonormal columns
	Hessians   []*mat.SymDense // B_i = V'Q_iV
	Weights    []float64       // normalised weights
	Grads      [][]float64     // V'b_i (nil when no gradients were given)
	Indefinite []int           // components with an indefinite B_i
}

// IndefiniteTol is the relative tolerance of Subspace.Indefinite.
const IndefiniteTol = 1e-10

// NewSubspace compresses the component Hessians, given as operators
// Q_i (spectral.Operator, for example a component's Hessian-vector product at
// x*), with weights w (MeanSquare's rule) onto the columns of v (p×r,
// orthonormal within 1e-8, r ≥ 1). grads, if not nil, are the component
// gradients b_i at x* (len p each), projected and kept for NoiseFloor.
// Cost: N·r operator applications and O(N p r²). It returns an error naming
// the argument for empty or nil inputs, mismatched dimensions, a
// non-orthonormal v, bad weights or a non-finite product.
func NewSubspace(q []spectral.Operator, w []float64, v mat.Matrix, grads [][]float64) (*Subspace, error) {
	if len(q) == 0 {
		return nil, errors.New("thresholds: q is empty")
	}
	if v == nil {
		return nil, errors.New("thresholds: v is nil")
	}
	vd, err := orthonormalBasis(v)
	if err != nil {
		return nil, err
	}
	p, r := vd.Dims()
	wts, err := meanSquareWeights(w, len(q))
	if err != nil {
		return nil, err
	}
	if grads != nil && len(grads) != len(q) {
		return nil, fmt.Errorf("thresholds: len(grads) = %d, want len(q) = %d", len(grads), len(q))
	}
	s := &Subspace{Basis: vd, Hessians: make([]*mat.SymDense, len(q)), Weights: wts}
	cols := make([][]float64, r)
	for j := range cols {
		cols[j] = mat.Col(nil, j, vd)
	}
	hv := make([]float64, p)
	for i, op := range q {
		if op == nil {
			return nil, fmt.Errorf("thresholds: q[%d] is nil", i)
		}
		if d := op.Dim(); d != p {
			return nil, fmt.Errorf("thresholds: q[%d] has dimension %d, v has %d rows", i, d, p)
		}
		b := mat.NewDense(r, r, nil)
		for j, c := range cols {
			op.Apply(hv, c)
			for a, u := range cols {
				x := floats.Dot(u, hv)
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("thresholds: q[%d] returned a non-finite product", i)
				}
				b.Set(a, j, x)
			}
		}
		bs := mat.NewSymDense(r, nil)
		for a := range r {
			for c := a; c < r; c++ {
				bs.SetSym(a, c, (b.At(a, c)+b.At(c, a))/2)
			}
		}
		s.Hessians[i] = bs
	}
	if grads != nil {
		s.Grads = make([][]float64, len(grads))
		for i, gi := range grads {
			if len(gi) != p {
				return nil, fmt.Errorf("thresholds: grads[%d] has length %d, want %d", i, len(gi), p)
			}
			s.Grads[i] = make([]float64, r)
			for j, c := range cols {
				s.Grads[i][j] = floats.Dot(c, gi)
			}
			for j, x := range s.Grads[i] {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("thresholds: grads[%d] projects to a non-finite entry %d", i, j)
				}
			}
		}
	}
	if err := s.flagIndefinite(); err != nil {
		return nil, err
	}
	return s, nil
}

// NewSubspaceBlocks is NewSubspace for component Hessians already
// compressed: b[i] = V'Q_iV (r×r, for example from problems.ProjectHessians,
// which batches the products), and vgrads, if not nil, the projected
// gradients V'b_i (len r each). v is kept as Basis and checked like
// NewSubspace's; b and vgrads are kept, not copied. It returns an error
// naming the argument for empty or nil inputs, mismatched sizes, a
// non-orthonormal v, bad weights or a non-finite entry.
func NewSubspaceBlocks(b []*mat.SymDense, w []float64, v mat.Matrix, vgrads [][]float64) (*Subspace, error) {
	if len(b) == 0 {
		return nil, errors.New("thresholds: b is empty")
	}
	if v == nil {
		return nil, errors.New("thresholds: v is nil")
	}
	vd, err := orthonormalBasis(v)
	if err != nil {
		return nil, err
	}
	r := vd.RawMatrix().Cols
	wts, err := meanSquareWeights(w, len(b))
	if err != nil {
		return nil, err
	}
	if vgrads != nil && len(vgrads) != len(b) {
		return nil, fmt.Errorf("thresholds: len(vgrads) = %d, want len(b) = %d", len(vgrads), len(b))
	}
	for i, bi := range b {
		if bi == nil || bi.SymmetricDim() != r {
			return nil, fmt.Errorf("thresholds: b[%d] is not %d×%d", i, r, r)
		}
		for a := range r {
			for c := a; c < r; c++ {
				if x := bi.At(a, c); math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("thresholds: b[%d][%d][%d] = %v is not finite", i, a, c, x)
				}
			}
		}
	}
	for i, g := range vgrads {
		if len(g) != r {
			return nil, fmt.Errorf("thresholds: vgrads[%d] has length %d, want r = %d", i, len(g), r)
		}
		for j, x := range g {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("thresholds: vgrads[%d][%d] = %v is not finite", i, j, x)
			}
		}
	}
	s := &Subspace{Basis: vd, Hessians: b, Weights: wts, Grads: vgrads}
	if err := s.flagIndefinite(); err != nil {
		return nil, err
	}
	return s, nil
}

// orthonormalBasis copies v (p×r) and checks that its columns are
// orthonormal within 1e-8.
func orthonormalBasis(v mat.Matrix) (*mat.Dense, error) {
	p, r := v.Dims()
	if r < 1 || p < r {
		return nil, fmt.Errorf("thresholds: v is %d×%d, want p×r with 1 ≤ r ≤ p", p, r)
	}
	vd := mat.DenseCopyOf(v)
	var g mat.Dense
	g.Mul(vd.T(), vd)
	for a := range r {
		for b := range r {
			want := 0.0
			if a == b {
				want = 1
			}
			if x := g.At(a, b); !(math.Abs(x-want) <= 1e-8) {
				return nil, fmt.Errorf("thresholds: v does not have orthonormal columns (V'V[%d][%d] = %v)", a, b, x)
			}
		}
	}
	return vd, nil
}

// flagIndefinite sets Indefinite.
func (s *Subspace) flagIndefinite() error {
	h := s.H()
	scale := 0.0
	for a := range h.SymmetricDim() {
		scale = math.Max(scale, math.Abs(h.At(a, a)))
	}
	var es mat.EigenSym
	for i, b := range s.Hessians {
		if !es.Factorize(b, false) {
			return fmt.Errorf("thresholds: eigendecomposition of the compressed Hessian %d failed", i)
		}
		if es.Values(nil)[0] < -IndefiniteTol*scale {
			s.Indefinite = append(s.Indefinite, i)
		}
	}
	return nil
}

// H returns H_V = Σ_i w_i B_i = V'HV.
func (s *Subspace) H() *mat.SymDense {
	r := s.Hessians[0].SymmetricDim()
	h := mat.NewSymDense(r, nil)
	for i, b := range s.Hessians {
		h.AddSym(h, scaleSym(s.Weights[i], b))
	}
	return h
}

func scaleSym(f float64, a *mat.SymDense) *mat.SymDense {
	var s mat.SymDense
	s.ScaleSym(f, a)
	return &s
}

func (s *Subspace) symmetric() []mat.Symmetric {
	out := make([]mat.Symmetric, len(s.Hessians))
	for i, b := range s.Hessians {
		out[i] = b
	}
	return out
}

// MeanSquare returns C*(k) of the compressed problem (MeanSquare of the
// B_i), an upper bound of the full C*(k) that is exact when V spans
// range(H) (see Subspace).
func (s *Subspace) MeanSquare(k float64) (float64, error) {
	return MeanSquare(s.symmetric(), s.Weights, k)
}

// NonUniformity returns the Wu–Ma–E sharpness and squared non-uniformity of
// the compressed problem (NonUniformity of the B_i).
func (s *Subspace) NonUniformity() (sharpness, v float64, err error) {
	return NonUniformity(s.symmetric(), s.Weights)
}

// fourth returns S ↦ Σ_i w_i B_i S B_i on r×r matrices.
func (s *Subspace) fourth() func(dst *mat.SymDense, x mat.Symmetric) {
	return func(dst *mat.SymDense, x mat.Symmetric) {
		r := x.SymmetricDim()
		if dst.IsEmpty() {
			dst.ReuseAsSym(r)
		}
		dst.Zero()
		var t, u mat.Dense
		for i, b := range s.Hessians {
			t.Mul(x, b)
			u.Mul(b, &t)
			for a := range r {
				for c := a; c < r; c++ {
					dst.SetSym(a, c, dst.At(a, c)+s.Weights[i]*(u.At(a, c)+u.At(c, a))/2)
				}
			}
		}
	}
}

// NoiseFloor returns the stationary mean error E[e_∞] of the linearized
// SGD-k with constant step c on the subspace (MeanSquareFloor of the
// compressed problem with the noise Σ_i w_i (V'b_i)(V'b_i)'). It needs the
// gradients given to NewSubspace.
func (s *Subspace) NoiseFloor(c, k float64) (float64, error) {
	if s.Grads == nil {
		return math.NaN(), errors.New("thresholds: Subspace has no gradients: pass grads to NewSubspace")
	}
	r := s.Hessians[0].SymmetricDim()
	noise := mat.NewSymDense(r, nil)
	for i, g := range s.Grads {
		noise.SymRankOne(noise, s.Weights[i], mat.NewVecDense(r, g))
	}
	return MeanSquareFloor(s.H(), s.fourth(), k, c, noise)
}

// FourthOperator returns the fourth-moment map S ↦ E[QSQ] = Σ_i w_i Q_iSQ_i
// of components given as operators, for MeanSquareOperator and
// MeanSquareFloor: each Q_iSQ_i takes 2p operator applications (Q_i to the
// columns of S, then to the rows of the result), so no Q_i is formed. w
// follows MeanSquare's rule. The map allocates two p×p scratch matrices per
// call.
func FourthOperator(q []spectral.Operator, w []float64) (func(dst *mat.SymDense, s mat.Symmetric), error) {
	if len(q) == 0 {
		return nil, errors.New("thresholds: q is empty")
	}
	p := -1
	for i, op := range q {
		if op == nil {
			return nil, fmt.Errorf("thresholds: q[%d] is nil", i)
		}
		if p == -1 {
			p = op.Dim()
		} else if op.Dim() != p {
			return nil, fmt.Errorf("thresholds: q[%d] has dimension %d, q[0] has %d", i, op.Dim(), p)
		}
	}
	wts, err := meanSquareWeights(w, len(q))
	if err != nil {
		return nil, err
	}
	return func(dst *mat.SymDense, s mat.Symmetric) {
		if dst.IsEmpty() {
			dst.ReuseAsSym(p)
		}
		dst.Zero()
		y := mat.NewDense(p, p, nil) // column j: Q_i s_j
		col := make([]float64, p)
		out := make([]float64, p)
		for i, op := range q {
			for j := range p {
				for a := range p {
					col[a] = s.At(a, j)
				}
				op.Apply(out, col)
				y.SetCol(j, out)
			}
			// Q_i S Q_i = Q_i (Q_i S)' = Q_i Y': apply Q_i to the rows of Y.
			for a := range p {
				op.Apply(out, y.RawRowView(a))
				for c := a; c < p; c++ {
					// out = Q_i y_a = column a of Q_i Y'; entry (c, a).
					dst.SetSym(a, c, dst.At(a, c)+wts[i]*out[c])
				}
			}
		}
	}, nil
}
