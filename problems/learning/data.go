package learning

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"

	"github.com/flatminima/flatminima/problems/internal/valid"
)

// LeastSquares is least squares on a data matrix (beyond the paper): rows
// a_i of an n×p matrix A with targets y_i and weights w_i,
//
//	F(θ) = Σ_i w_i ½(a_i'θ − y_i)²,   ∇²f_i = a_i a_i'  (rank one),
//
// a finite-sum problems.Problem whose components are *LeastSquaresRow, so a user can
// point the library at their own data. H = A'WA is constant; a minimizer is
// homogeneous (Definition 3.4) exactly when the data are interpolated
// (every residual a_i'θ* − y_i is zero). Build it with NewLeastSquares.
type LeastSquares struct {
	a    *mat.Dense
	y, w []float64
	rows []*LeastSquaresRow
	pool sync.Pool // *rowScratch
}

var (
	_ problems.Problem           = (*LeastSquares)(nil)
	_ problems.ExpectedGrader    = (*LeastSquares)(nil)
	_ problems.ExpectedHessianer = (*LeastSquares)(nil)
	_ problems.ExpectedHessVecer = (*LeastSquares)(nil)
)

// NewLeastSquares returns least squares on the rows of a (n×p) with targets
// y (len n) and weights w (nil or empty: uniform 1/n; otherwise the package's
// weight rule: positive, finite, summing to one within 1e-9, then divided by
// their sum). a, y and w are copied. Errors name the argument.
func NewLeastSquares(a mat.Matrix, y, w []float64) (*LeastSquares, error) {
	ad, ws, err := readData(a, y, w)
	if err != nil {
		return nil, err
	}
	n, _ := ad.Dims()
	ls := &LeastSquares{a: ad, y: append([]float64(nil), y...), w: ws, rows: make([]*LeastSquaresRow, n)}
	for i := range ls.rows {
		ls.rows[i] = &LeastSquaresRow{A: ad.RawRowView(i), Y: ls.y[i]}
	}
	return ls, nil
}

// maxDataEntry is the largest |a_ij| whose square, the scale of the
// component Hessians a_i a_i', is a finite float64.
const maxDataEntry = 0x1p511

// readData validates and copies a data matrix, its targets and weights.
func readData(a mat.Matrix, y, w []float64) (*mat.Dense, []float64, error) {
	if a == nil {
		return nil, nil, errors.New("learning: a is nil")
	}
	n, p := a.Dims()
	if n < 1 || p < 1 {
		return nil, nil, fmt.Errorf("learning: a is %d×%d, want at least one row and column", n, p)
	}
	ad := mat.DenseCopyOf(a)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			v := ad.At(i, j)
			if err := valid.Finite("learning", fmt.Sprintf("a[%d][%d]", i, j), v); err != nil {
				return nil, nil, err
			}
			// The component Hessians are multiples of a_i a_i': an entry
			// whose square overflows makes H and every threshold
			// unrepresentable.
			if math.Abs(v) > maxDataEntry {
				return nil, nil, fmt.Errorf("learning: a[%d][%d] = %v: its square overflows float64 (|a| ≤ 2^511 ≈ 6.7e153 is needed); rescale the data", i, j, v)
			}
		}
	}
	if err := valid.Vec("learning", "y", y, n); err != nil {
		return nil, nil, err
	}
	ws, err := problems.NormalizeWeights(w, n)
	if err != nil {
		return nil, nil, err
	}
	return ad, ws, nil
}

// Dim returns p, the number of columns.
func (l *LeastSquares) Dim() int { _, p := l.a.Dims(); return p }

// Len returns n, the number of rows.
func (l *LeastSquares) Len() int { return len(l.rows) }

// Weight returns w_i.
func (l *LeastSquares) Weight(i int) float64 { return l.w[i] }

// Component returns the row component ½(a_i'θ − y_i)² as a *LeastSquaresRow.
func (l *LeastSquares) Component(i int) problems.Component { return l.rows[i] }

// ExpectedGrad writes ∇F(θ) = A'W(Aθ − y) into grad in O(np).
func (l *LeastSquares) ExpectedGrad(grad, x []float64) {
	for j := range grad {
		grad[j] = 0
	}
	for i, r := range l.rows {
		floats.AddScaled(grad, l.w[i]*(floats.Dot(r.A, x)-r.Y), r.A)
	}
}

// ExpectedHessVec writes Hv = A'W(Av) into dst: two matrix-vector products
// with the data matrix, O(np), no p×p matrix, no allocation in steady state.
func (l *LeastSquares) ExpectedHessVec(dst, x, v []float64) {
	n, p := l.a.Dims()
	if len(dst) != p || len(v) != p {
		panic(fmt.Sprintf("learning: LeastSquares.ExpectedHessVec: len(dst) = %d, len(v) = %d, want %d", len(dst), len(v), p))
	}
	s := getRowScratch(&l.pool, n)
	a := l.a.RawMatrix()
	blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: p, Inc: 1, Data: v}, 0, blas64.Vector{N: n, Inc: 1, Data: s.av})
	floats.Mul(s.av, l.w)
	blas64.Gemv(blas.Trans, 1, a, blas64.Vector{N: n, Inc: 1, Data: s.av}, 0, blas64.Vector{N: p, Inc: 1, Data: dst})
	l.pool.Put(s)
}

// rowScratch holds per-row products for the data problems' ExpectedHessVec.
type rowScratch struct{ ax, av []float64 }

func getRowScratch(pool *sync.Pool, n int) *rowScratch {
	s, _ := pool.Get().(*rowScratch)
	if s == nil || len(s.ax) != n {
		s = &rowScratch{ax: make([]float64, n), av: make([]float64, n)}
	}
	return s
}

// ExpectedHess writes H = A'WA into hess.
func (l *LeastSquares) ExpectedHess(hess *mat.SymDense, x []float64) {
	_, p := l.a.Dims()
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			hess.SetSym(a, b, 0)
		}
	}
	for i, r := range l.rows {
		hess.SymRankOne(hess, l.w[i], mat.NewVecDense(p, r.A))
	}
}

// Minimizer returns the minimum-norm minimizer θ* of F (weighted least
// squares, solved by the SVD of W^{1/2}A with singular values below
// 1e-12·σ_max treated as zero).
func (l *LeastSquares) Minimizer() ([]float64, error) {
	n, p := l.a.Dims()
	wa := mat.NewDense(n, p, nil)
	wy := mat.NewDense(n, 1, nil)
	for i, r := range l.rows {
		s := math.Sqrt(l.w[i])
		for j, v := range r.A {
			wa.Set(i, j, s*v)
		}
		wy.Set(i, 0, s*r.Y)
	}
	var svd mat.SVD
	if !svd.Factorize(wa, mat.SVDThin) {
		return nil, errors.New("learning: SVD of the data matrix failed")
	}
	rank := svd.Rank(1e-12)
	if rank == 0 {
		return nil, errors.New("learning: the data matrix is zero")
	}
	var dst mat.Dense
	svd.SolveTo(&dst, wy, rank)
	return mat.Col(nil, 0, &dst), nil
}

// Homogeneous reports whether x is a homogeneous minimizer: every residual
// |a_i'x − y_i| is at most tol·(1 + |y_i|). It reports false (it has no
// error result, and does not panic) when x does not have length Dim() or has
// a NaN entry, or tol is NaN or negative.
func (l *LeastSquares) Homogeneous(x []float64, tol float64) bool {
	if _, p := l.a.Dims(); len(x) != p || !(tol >= 0) {
		return false
	}
	for _, r := range l.rows {
		if !(math.Abs(floats.Dot(r.A, x)-r.Y) <= tol*(1+math.Abs(r.Y))) {
			return false
		}
	}
	return true
}

// LogisticRow is the logistic-regression component
//
//	f(θ) = log(1 + exp(−y a'θ)) + (ridge/2)‖θ‖²,   y ∈ {−1, +1},
//
// with ∇f = −y σ(−y a'θ) a + ridge·θ and ∇²f = σ(m)(1 − σ(m)) aa' + ridge·I
// (m = y a'θ, σ the logistic function): rank one plus the ridge. The fields
// are shared, not copied.
type LogisticRow struct {
	A      []float64
	Y      float64 // −1 or +1
	Lambda float64 // ridge ≥ 0
}

var (
	_ problems.Component        = (*LogisticRow)(nil)
	_ problems.Hessianer        = (*LogisticRow)(nil)
	_ problems.HessVecer        = (*LogisticRow)(nil)
	_ problems.RankOneHessianer = (*LogisticRow)(nil)
)

// softplus returns log(1 + e^t) without overflow.
func softplus(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(math.Exp(-t))
	}
	return math.Log1p(math.Exp(t))
}

// logistic returns 1/(1 + e^{−t}) without overflow.
func logistic(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}

// Func returns log(1 + exp(−y a'θ)) + (ridge/2)‖θ‖².
func (r *LogisticRow) Func(x []float64) float64 {
	f := softplus(-r.Y * floats.Dot(r.A, x))
	if r.Lambda != 0 {
		f += 0.5 * r.Lambda * floats.Dot(x, x)
	}
	return f
}

// Grad writes −y σ(−y a'θ) a + ridge·θ into grad.
func (r *LogisticRow) Grad(grad, x []float64) {
	g := -r.Y * logistic(-r.Y*floats.Dot(r.A, x))
	floats.ScaleTo(grad, g, r.A)
	if r.Lambda != 0 {
		floats.AddScaled(grad, r.Lambda, x)
	}
}

// HessVec writes σ(m)(1 − σ(m))(a'v)a + ridge·v into dst in O(p).
func (r *LogisticRow) HessVec(dst, x, v []float64) {
	c, _ := r.RankOneHess(x)
	floats.ScaleTo(dst, r.Lambda, v)
	floats.AddScaled(dst, c*floats.Dot(r.A, v), r.A)
}

// Hess writes σ(m)(1 − σ(m)) aa' + ridge·I into hess.
func (r *LogisticRow) Hess(hess *mat.SymDense, x []float64) {
	valid.ResizeSym("learning", hess, len(r.A))
	c, _ := r.RankOneHess(x)
	for i, ai := range r.A {
		for j := i; j < len(r.A); j++ {
			v := c * ai * r.A[j]
			if i == j {
				v += r.Lambda
			}
			hess.SetSym(i, j, v)
		}
	}
}

// RankOneHess returns σ(m)(1 − σ(m)) and a: ∇²f = scale·aa' + Ridge()·I.
func (r *LogisticRow) RankOneHess(x []float64) (scale float64, a []float64) {
	s := logistic(r.Y * floats.Dot(r.A, x))
	return s * (1 - s), r.A
}

// Ridge returns the ridge parameter.
func (r *LogisticRow) Ridge() float64 { return r.Lambda }

// Logistic is L2-regularised logistic regression on a data matrix (beyond
// the paper): F(θ) = Σ_i w_i [log(1 + exp(−y_i a_i'θ)) + (ridge/2)‖θ‖²],
// a finite-sum problems.Problem of *LogisticRow components with rank-one (plus
// ridge) Hessians. Its minimizers are inhomogeneous (no component gradient
// vanishes at a finite θ). With ridge > 0, F is strictly convex and has one
// minimizer; with ridge = 0 and separable data it has none. Build it with
// NewLogistic.
type Logistic struct {
	a     *mat.Dense
	w     []float64
	ridge float64
	rows  []*LogisticRow
	free  int             // the unpenalized intercept column, or −1
	icpt  []*InterceptRow // the components when free ≥ 0
	pool  sync.Pool       // *rowScratch
}

var (
	_ problems.Problem           = (*Logistic)(nil)
	_ problems.ExpectedGrader    = (*Logistic)(nil)
	_ problems.ExpectedHessianer = (*Logistic)(nil)
	_ problems.ExpectedHessVecer = (*Logistic)(nil)
)

// NewLogistic returns logistic regression on the rows of a (n×p) with labels
// y (len n, each −1 or +1; 0 is read as −1, so 0/1 labels work too), weights
// w (nil or empty: uniform; otherwise the package's weight rule) and ridge
// parameter ridge ≥ 0. Inputs are copied. Errors name the argument.
func NewLogistic(a mat.Matrix, y, w []float64, ridge float64) (*Logistic, error) {
	ad, ws, err := readData(a, y, w)
	if err != nil {
		return nil, err
	}
	if !(ridge >= 0) || math.IsInf(ridge, 0) {
		return nil, fmt.Errorf("learning: ridge = %v, want finite and ≥ 0", ridge)
	}
	n, _ := ad.Dims()
	l := &Logistic{a: ad, w: ws, ridge: ridge, rows: make([]*LogisticRow, n), free: -1}
	for i, v := range y {
		var lab float64
		switch v {
		case 1:
			lab = 1
		case -1, 0:
			lab = -1
		default:
			return nil, fmt.Errorf("learning: y[%d] = %v, want −1, 0 or +1", i, v)
		}
		l.rows[i] = &LogisticRow{A: ad.RawRowView(i), Y: lab, Lambda: ridge}
	}
	return l, nil
}

// NewLogisticIntercept is NewLogistic with column intercept of a left out
// of the penalty, scikit-learn's convention for a fitted intercept:
//
//	f_i(θ) = log(1 + exp(−y_i a_i'θ)) + (ridge/2) Σ_{j ≠ intercept} θ_j²,
//
// so that ∇²f_i = σ_i(1 − σ_i) a_i a_i' + ridge·(I − e e'), e the
// intercept's unit vector. The components are then rank one plus a constant
// diagonal, not plus a multiple of the identity: they implement
// problems.RankOneDiagHessianer (and problems.Hessianer and
// problems.HessVecer) but not problems.RankOneHessianer. The column is
// usually a column of ones; to find it by name in a Dataset, use
// slices.Index(d.FeatureNames, name). It returns NewLogistic's errors and
// one naming intercept when it is not a column index of a.
func NewLogisticIntercept(a mat.Matrix, y, w []float64, ridge float64, intercept int) (*Logistic, error) {
	l, err := NewLogistic(a, y, w, ridge)
	if err != nil {
		return nil, err
	}
	if _, p := l.a.Dims(); intercept < 0 || intercept >= p {
		return nil, fmt.Errorf("learning: intercept = %d, want a column index in [0, %d)", intercept, p)
	}
	l.free = intercept
	l.icpt = make([]*InterceptRow, len(l.rows))
	for i, r := range l.rows {
		l.icpt[i] = &InterceptRow{Row: r, Intercept: intercept}
	}
	// One ridge diagonal shared by every row.
	d := &ridgeDiag{d: l.icpt[0].RidgeDiag(), intercept: intercept, lambda: ridge}
	for _, r := range l.icpt {
		r.diag = d
	}
	return l, nil
}

// InterceptRow is the component of a Logistic built by NewLogisticIntercept:
// Row's loss with the ridge penalty on every coordinate but Intercept.
type InterceptRow struct {
	Row       *LogisticRow
	Intercept int

	diag *ridgeDiag // shared by the rows of one Logistic
}

// ridgeDiag is a cached InterceptRow.RidgeDiag and what it was built for.
type ridgeDiag struct {
	d         []float64
	intercept int
	lambda    float64
}

var (
	_ problems.Component            = (*InterceptRow)(nil)
	_ problems.Hessianer            = (*InterceptRow)(nil)
	_ problems.HessVecer            = (*InterceptRow)(nil)
	_ problems.RankOneDiagHessianer = (*InterceptRow)(nil)
)

// RankOneHess returns Row's σ(m)(1 − σ(m)) and a: ∇²f = scale·aa' +
// diag(RidgeDiag()).
func (r *InterceptRow) RankOneHess(x []float64) (scale float64, a []float64) {
	return r.Row.RankOneHess(x)
}

// RidgeDiag returns the Hessian of the penalty, ridge·(1 − e_c) with c the
// intercept: ridge on every coordinate but 0 on Intercept. The slice is
// shared by the rows of one NewLogisticIntercept problem (while their
// Intercept and Row.Lambda are unchanged) and must not be modified.
func (r *InterceptRow) RidgeDiag() []float64 {
	if c := r.diag; c != nil && c.intercept == r.Intercept && c.lambda == r.Row.Lambda && len(c.d) == len(r.Row.A) {
		return c.d
	}
	d := make([]float64, len(r.Row.A))
	for j := range d {
		d[j] = r.Row.Lambda
	}
	if r.Intercept >= 0 && r.Intercept < len(d) {
		d[r.Intercept] = 0
	}
	return d
}

// Func returns log(1 + exp(−y a'θ)) + (ridge/2) Σ_{j ≠ Intercept} θ_j².
func (r *InterceptRow) Func(x []float64) float64 {
	c := x[r.Intercept]
	return r.Row.Func(x) - 0.5*r.Row.Lambda*c*c
}

// Grad writes −y σ(−y a'θ) a + ridge·(θ − θ_c e_c) into grad (c the
// intercept).
func (r *InterceptRow) Grad(grad, x []float64) {
	r.Row.Grad(grad, x)
	grad[r.Intercept] -= r.Row.Lambda * x[r.Intercept]
}

// HessVec writes σ(m)(1 − σ(m))(a'v)a + ridge·(v − v_c e_c) into dst in O(p).
func (r *InterceptRow) HessVec(dst, x, v []float64) {
	r.Row.HessVec(dst, x, v)
	dst[r.Intercept] -= r.Row.Lambda * v[r.Intercept]
}

// Hess writes σ(m)(1 − σ(m)) aa' + ridge·(I − e_c e_c') into hess.
func (r *InterceptRow) Hess(hess *mat.SymDense, x []float64) {
	r.Row.Hess(hess, x)
	c := r.Intercept
	hess.SetSym(c, c, hess.At(c, c)-r.Row.Lambda)
}

// Dim returns p.
func (l *Logistic) Dim() int { _, p := l.a.Dims(); return p }

// Len returns n.
func (l *Logistic) Len() int { return len(l.rows) }

// Weight returns w_i.
func (l *Logistic) Weight(i int) float64 { return l.w[i] }

// Component returns row i as a *LogisticRow, or as an *InterceptRow when l
// was built by NewLogisticIntercept.
func (l *Logistic) Component(i int) problems.Component {
	if l.free >= 0 {
		return l.icpt[i]
	}
	return l.rows[i]
}

// ExpectedGrad writes ∇F(θ) into grad in O(np).
func (l *Logistic) ExpectedGrad(grad, x []float64) {
	for j := range grad {
		grad[j] = l.ridge * x[j]
	}
	if l.free >= 0 {
		grad[l.free] = 0
	}
	for i, r := range l.rows {
		g := -r.Y * logistic(-r.Y*floats.Dot(r.A, x))
		floats.AddScaled(grad, l.w[i]*g, r.A)
	}
}

// ExpectedHessVec writes H(θ)v = A'(c ⊙ w ⊙ Av) + ridge·v into dst, with
// c_i = σ(m_i)(1 − σ(m_i)), m_i = y_i a_i'θ: the products Aθ and Av with the
// data matrix and one with A', O(np), no p×p matrix, no allocation in steady
// state.
func (l *Logistic) ExpectedHessVec(dst, x, v []float64) {
	n, p := l.a.Dims()
	if len(dst) != p || len(v) != p || len(x) != p {
		panic(fmt.Sprintf("learning: Logistic.ExpectedHessVec: len(dst) = %d, len(x) = %d, len(v) = %d, want %d", len(dst), len(x), len(v), p))
	}
	s := getRowScratch(&l.pool, n)
	a := l.a.RawMatrix()
	blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: p, Inc: 1, Data: x}, 0, blas64.Vector{N: n, Inc: 1, Data: s.ax})
	blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: p, Inc: 1, Data: v}, 0, blas64.Vector{N: n, Inc: 1, Data: s.av})
	for i, r := range l.rows {
		sg := logistic(r.Y * s.ax[i])
		s.av[i] *= l.w[i] * sg * (1 - sg)
	}
	copy(dst, v)
	if l.free >= 0 {
		dst[l.free] = 0
	}
	blas64.Gemv(blas.Trans, 1, a, blas64.Vector{N: n, Inc: 1, Data: s.av}, l.ridge, blas64.Vector{N: p, Inc: 1, Data: dst})
	l.pool.Put(s)
}

// ExpectedHess writes H(θ) = Σ_i w_i σ_i(1 − σ_i) a_i a_i' + ridge·I.
func (l *Logistic) ExpectedHess(hess *mat.SymDense, x []float64) {
	_, p := l.a.Dims()
	for a := 0; a < p; a++ {
		for b := a; b < p; b++ {
			v := 0.0
			if a == b && a != l.free {
				v = l.ridge
			}
			hess.SetSym(a, b, v)
		}
	}
	for i, r := range l.rows {
		c, av := r.RankOneHess(x)
		hess.SymRankOne(hess, l.w[i]*c, mat.NewVecDense(p, av))
	}
}

// accept returns x unless ridge = 0 and the loss f has vanished to 1e-9:
// every margin is then above about 20, the signature of separable data,
// whose infimum is not attained (Newton only grows ‖θ‖ until the gradient
// underflows the tolerance).
func (l *Logistic) accept(x []float64, f float64) ([]float64, error) {
	if l.ridge == 0 && f < 1e-9 {
		return nil, errors.New("learning: logistic regression has no minimizer: the data are separable (the loss tends to 0 as ‖θ‖ → ∞); use ridge > 0")
	}
	return x, nil
}

// Minimizer returns the minimizer of F by Newton's method with backtracking
// from θ = 0, stopping when ‖∇F‖ ≤ 1e-12·(1 + max_i ‖a_i‖) (or ≤ 1e-8·(…) when
// rounding stops the line search) or after 200 iterations (then an error). With ridge = 0 and separable data there is no
// minimizer and the error says so.
func (l *Logistic) Minimizer() ([]float64, error) {
	_, p := l.a.Dims()
	x := make([]float64, p)
	g := make([]float64, p)
	xn := make([]float64, p)
	h := mat.NewSymDense(p, nil)
	scale := 1.0
	for _, r := range l.rows {
		scale = math.Max(scale, 1+floats.Norm(r.A, 2))
	}
	fval := func(x []float64) float64 {
		f := 0.0
		for i := range l.rows {
			f += l.w[i] * l.Component(i).Func(x)
		}
		return f
	}
	f := fval(x)
	for it := 0; it < 200; it++ {
		l.ExpectedGrad(g, x)
		if floats.Norm(g, 2) <= 1e-12*scale {
			return l.accept(x, f)
		}
		l.ExpectedHess(h, x)
		var ch mat.Cholesky
		var dir mat.VecDense
		if ok := ch.Factorize(h); ok {
			if err := ch.SolveVecTo(&dir, mat.NewVecDense(p, g)); err != nil {
				ok = false
			}
			if !ok {
				dir.CloneFromVec(mat.NewVecDense(p, g))
			}
		} else {
			dir.CloneFromVec(mat.NewVecDense(p, g))
		}
		step := 1.0
		slope := floats.Dot(g, dir.RawVector().Data)
		for ; step > 1e-20; step /= 2 {
			for j := range xn {
				xn[j] = x[j] - step*dir.AtVec(j)
			}
			if fn := fval(xn); fn <= f-1e-4*step*slope {
				f = fn
				break
			}
		}
		if step <= 1e-20 {
			// No decrease at rounding level: accept a near-stationary point.
			if floats.Norm(g, 2) <= 1e-8*scale {
				return l.accept(x, f)
			}
			break
		}
		copy(x, xn)
	}
	return nil, errors.New("learning: logistic regression did not converge (with ridge = 0 the data may be separable: no minimizer)")
}
