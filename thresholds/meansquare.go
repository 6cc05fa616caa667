package thresholds

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry/spectral"
)

// RankTol is the relative tolerance MeanSquare uses for the rank of
// H = Σ_i w_i Q_i: an eigenvalue of H counts as nonzero when it exceeds
// RankTol·λ_1. Use MeanSquareTol to choose another one.
const RankTol = 1e-10

// weightSumTol is the weight rule shared with package problems: weights
// whose sum S satisfies |S − 1| ≤ weightSumTol are normalised to w_i/S;
// any other sum is an error.
const weightSumTol = 1e-9

// MeanSquare returns the exact mean-square stability threshold C*(k) of SGD-k
// at a homogeneous minimizer of the stochastic quadratic problem whose
// component Hessians are hess[i] with probabilities w[i] (beyond the
// paper). It is MeanSquareTol(hess, w, k, RankTol).
//
// The second moment S_N = E[d_N d_N'] of d_N = x_N − x* obeys
//
//	S_{N+1} = T_C(S_N) = (I − CH)S(I − CH) + (C²/k)(E[QSQ] − HSH),
//
// and E[e_N] = tr(HS_N) decays from every start exactly when the spectral
// radius ρ(T_C) < 1 on range(H). With T_C = I − C·L + C²·B, L(S) = HS + SH
// and B(S) = HSH + (1/k)(E[QSQ] − HSH), both self-adjoint for the Frobenius
// inner product and L positive definite on range(H),
//
//	C*(k) = sup{C > 0 : ρ(T_C) < 1} = 1/λ_max(K),  K = L^{-1/2} B L^{-1/2},
//
// and the stable set is the interval (0, C*). Why: T_C(S) = ASA +
// (C²/k)E[(Q − H)S(Q − H)], A = I − CH, maps the semidefinite cone into
// itself, so ρ(T_C) is its largest eigenvalue (Krein–Rutman); and
// T_C − I = C·L^{1/2}(C·K − I)L^{1/2} is congruent to CK − I, so T_C has an
// eigenvalue ≥ 1 exactly when C·λ_max(K) ≥ 1 (Sylvester's law of inertia).
// λ_max(K) > 0 whenever H ≠ 0. Always
// Convergence(k) ≤ C*(k) ≤ Divergence(k) of Theorem 3.8, and C*(∞) = 2/λ_1.
// For the without-replacement variant pass k = WithoutReplacement(k, n).
// At a nonconvex minimizer, the component Hessians ∇²f_i(x*) give the
// linearized exact threshold.
//
// See MeanSquareTol for the algorithm, the input rules and the errors.
func MeanSquare(hess []mat.Symmetric, w []float64, k float64) (float64, error) {
	return MeanSquareTol(hess, w, k, RankTol)
}

// MeanSquareTol returns C*(k) of MeanSquare with the relative rank tolerance
// rankTol for H = Σ_i w_i hess[i] (an eigenvalue λ of H counts as nonzero
// when λ > rankTol·λ_1).
//
// Algorithm. H = UΛU' is diagonalised and the map is written on symmetric
// m×m matrices in the basis U_m of the m nonzero eigenvalues h_a, where
// L^{-1/2} divides entry (a, b) by √(h_a + h_b): a symmetric eigenproblem of
// size m(m+1)/2, assembled in O(N·m⁴) time for N components and solved by
// mat.EigenSym (O(m⁶)) when m ≤ 31, and above that by the Lanczos solver
// spectral.Top on the assembled matrix, converged to a relative Ritz
// residual of 1e-12 (falling back to mat.EigenSym if it does not converge
// in 300 operator applications): about 50 ms for m = 30 and 0.2 s for
// m = 50.
// When every hess[i] is diagonal the map acts entrywise and the closed form
//
//	C*(k) = min_a 2h_a/(h_a² + Var(q_a)/k)   over a with h_a > rankTol·max h
//
// is used instead, in O(N·p). k = math.Inf(1) (gradient descent) gives
// 2/λ_1 directly.
//
// Range of H. Only range(H) counts: for positive semidefinite components
// (Problem 3.1) null(H) ⊂ null(Q_i), so null-space directions never move.
// The components themselves need not be semidefinite (component Hessians at
// a nonconvex minimizer often are not; the mean H must be): the map T_C is
// positive on the semidefinite cone for any symmetric Q_i, which keeps the
// formula exact on range(H). For indefinite components with singular H the
// result is the threshold of the dynamics projected on range(H).
//
// Input rules. hess must be nonempty, every hess[i] non-nil, p×p with the
// same p ≥ 1, finite and symmetric (|a_ij − a_ji| ≤ 1e-12·max|a|). w nil or
// empty means uniform weights 1/N; otherwise len(w) = len(hess), every w[i]
// finite and ≥ 0, and the sum S within 1e-9 of 1; the weights used are
// w_i/S (the rule of problems.NewQuadratic, which also refuses zero
// weights; here a zero weight just drops the component). k ≥ 1, +Inf allowed.
// rankTol must be in [0, 1).
//
// Memory. A non-diagonal request whose assembled matrix could exceed
// MeanSquareMaxBytes (p > 180) returns a *SizeError naming the size; use
// Subspace or MeanSquareOperator there.
//
// Errors name the argument (hess, w, k, rankTol). H must have a nonzero
// eigenvalue (larger than rankTol times the largest entry of any hess[i] in
// absolute value) and no eigenvalue below −max(rankTol, 1e-12)·λ_1 (not a
// minimizer). On error the threshold is NaN. Inputs are not modified.
func MeanSquareTol(hess []mat.Symmetric, w []float64, k, rankTol float64) (float64, error) {
	if math.IsNaN(k) || k < 1 {
		return math.NaN(), fmt.Errorf("thresholds: k = %v, want k ≥ 1 or +Inf", k)
	}
	if !(rankTol >= 0 && rankTol < 1) {
		return math.NaN(), fmt.Errorf("thresholds: rankTol = %v, want 0 ≤ rankTol < 1", rankTol)
	}
	q, p, err := readHessians(hess)
	if err != nil {
		return math.NaN(), err
	}
	n := len(hess)
	wts, err := meanSquareWeights(w, n)
	if err != nil {
		return math.NaN(), err
	}

	scale := 0.0
	diagonal := true
	for _, qi := range q {
		for a := range p {
			for b := range p {
				v := qi[a*p+b]
				scale = math.Max(scale, math.Abs(v))
				if a != b && v != 0 {
					diagonal = false
				}
			}
		}
	}
	h := make([]float64, p*p)
	for i, qi := range q {
		for j, v := range qi {
			h[j] += wts[i] * v
		}
	}
	if diagonal {
		return meanSquareDiagonal(q, wts, h, p, k, rankTol, scale)
	}
	return meanSquareGeneral(q, wts, h, p, k, rankTol, scale)
}

// readHessians copies the matrices into row-major p×p slices, validating
// them. A user Symmetric implementation that panics is reported as an error.
func readHessians(hess []mat.Symmetric) (q [][]float64, p int, err error) {
	if len(hess) == 0 {
		return nil, 0, errors.New("thresholds: hess is empty: want at least one component Hessian")
	}
	q = make([][]float64, len(hess))
	for i, a := range hess {
		if a == nil {
			return nil, 0, fmt.Errorf("thresholds: hess[%d] is nil", i)
		}
		if err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("thresholds: hess[%d]: reading the matrix panicked: %v", i, r)
				}
			}()
			d := a.SymmetricDim()
			if i == 0 {
				p = d
				if p < 1 {
					return fmt.Errorf("thresholds: hess[0] is %d×%d, want p ≥ 1", p, p)
				}
			}
			if r, c := a.Dims(); d != p || r != p || c != p {
				return fmt.Errorf("thresholds: hess[%d] is %d×%d, want %d×%d like hess[0]", i, r, c, p, p)
			}
			qi := make([]float64, p*p)
			amax := 0.0
			for r := range p {
				for c := range p {
					v := a.At(r, c)
					if math.IsNaN(v) || math.IsInf(v, 0) {
						return fmt.Errorf("thresholds: hess[%d] has entry (%d, %d) = %v, not finite", i, r, c, v)
					}
					qi[r*p+c] = v
					amax = math.Max(amax, math.Abs(v))
				}
			}
			for r := range p {
				for c := r + 1; c < p; c++ {
					if math.Abs(qi[r*p+c]-qi[c*p+r]) > 1e-12*amax {
						return fmt.Errorf("thresholds: hess[%d] is not symmetric: entry (%d, %d) = %v, (%d, %d) = %v", i, r, c, qi[r*p+c], c, r, qi[c*p+r])
					}
					// Use the symmetric part exactly.
					m := (qi[r*p+c] + qi[c*p+r]) / 2
					qi[r*p+c], qi[c*p+r] = m, m
				}
			}
			q[i] = qi
			return nil
		}(); err != nil {
			return nil, 0, err
		}
	}
	return q, p, nil
}

// meanSquareWeights applies the weight rule of MeanSquareTol.
func meanSquareWeights(w []float64, n int) ([]float64, error) {
	out := make([]float64, n)
	if len(w) == 0 {
		for i := range out {
			out[i] = 1 / float64(n)
		}
		return out, nil
	}
	if len(w) != n {
		return nil, fmt.Errorf("thresholds: w has length %d, want len(hess) = %d", len(w), n)
	}
	var sum float64
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return nil, fmt.Errorf("thresholds: w[%d] = %v is not finite and nonnegative", i, v)
		}
		sum += v
	}
	if !(math.Abs(sum-1) <= weightSumTol) {
		return nil, fmt.Errorf("thresholds: w sums to %v, want 1 (within %g)", sum, weightSumTol)
	}
	for i, v := range w {
		out[i] = v / sum
	}
	return out, nil
}

// negTol is the relative tolerance below which a negative eigenvalue of H
// is an error: rankTol, but at least 1e-12 so that rounding of a singular
// semidefinite H is not refused when rankTol = 0.
func negTol(rankTol float64) float64 { return math.Max(rankTol, 1e-12) }

const errZeroH = "thresholds: hess: H = Σ w_i hess[i] has no nonzero eigenvalue (largest %v)"

// meanSquareDiagonal is the closed form of C*(k) for diagonal components.
func meanSquareDiagonal(q [][]float64, w, h []float64, p int, k, rankTol, scale float64) (float64, error) {
	hmax, hmin := math.Inf(-1), math.Inf(1)
	for a := range p {
		hmax = math.Max(hmax, h[a*p+a])
		hmin = math.Min(hmin, h[a*p+a])
	}
	if !(hmax > rankTol*scale) || hmax <= 0 {
		return math.NaN(), fmt.Errorf(errZeroH, hmax)
	}
	if hmin < -negTol(rankTol)*hmax {
		return math.NaN(), fmt.Errorf("thresholds: hess: H = Σ w_i hess[i] has eigenvalue %v < 0: not a minimizer", hmin)
	}
	c := math.Inf(1)
	for a := range p {
		ha := h[a*p+a]
		if !(ha > rankTol*hmax) {
			continue
		}
		var v float64
		if !math.IsInf(k, 1) {
			for i, qi := range q {
				d := qi[a*p+a] - ha
				v += w[i] * d * d
			}
		}
		c = math.Min(c, 2*ha/(ha*ha+v/k))
	}
	return c, nil
}

// meanSquareGeneral solves the symmetric eigenproblem of C*(k) (package documentation) in the
// eigenbasis of H.
func meanSquareGeneral(q [][]float64, w, h []float64, p int, k, rankTol, scale float64) (float64, error) {
	if err := checkMeanSquareSize(p); err != nil && !math.IsInf(k, 1) {
		return math.NaN(), err
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(p, h), true) {
		return math.NaN(), errors.New("thresholds: hess: eigendecomposition of H = Σ w_i hess[i] failed")
	}
	vals := es.Values(nil) // ascending
	lmax := vals[p-1]
	if !(lmax > rankTol*scale) || lmax <= 0 {
		return math.NaN(), fmt.Errorf(errZeroH, lmax)
	}
	if vals[0] < -negTol(rankTol)*lmax {
		return math.NaN(), fmt.Errorf("thresholds: hess: H = Σ w_i hess[i] has eigenvalue %v < 0: not a minimizer", vals[0])
	}
	if math.IsInf(k, 1) {
		return 2 / lmax, nil
	}
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	// Columns of U_m: the m eigenvalues above rankTol·λ_1, descending.
	var hs []float64
	var cols []int
	for j := p - 1; j >= 0; j-- {
		if vals[j] > rankTol*lmax {
			hs = append(hs, vals[j])
			cols = append(cols, j)
		}
	}
	m := len(hs)
	um := mat.NewDense(p, m, nil)
	for jj, j := range cols {
		for r := range p {
			um.Set(r, jj, vecs.At(r, j))
		}
	}

	// Pairs (a, b), a ≤ b, index the orthonormal basis of symmetric m×m
	// matrices: E_aa and (E_ab + E_ba)/√2. In it, L is diagonal with
	// h_a + h_b, HSH is diagonal with h_a h_b, and S ↦ QSQ has entries
	// (Q_ac Q_bd + Q_ad Q_bc)·ν_ab·ν_cd with ν = 1/√2 on the diagonal pairs.
	np := m * (m + 1) / 2
	pa := make([]int, np)
	pb := make([]int, np)
	sc := make([]float64, np) // ν_ab/√(h_a + h_b)
	idx := 0
	for a := range m {
		for b := a; b < m; b++ {
			pa[idx], pb[idx] = a, b
			nu := 1.0
			if a == b {
				nu = 1 / math.Sqrt2
			}
			sc[idx] = nu / math.Sqrt(hs[a]+hs[b])
			idx++
		}
	}
	kmat := make([]float64, np*np) // upper triangle used
	qt := mat.NewDense(m, m, nil)
	tmp := mat.NewDense(p, m, nil)
	for i, qi := range q {
		if w[i] == 0 {
			continue
		}
		tmp.Mul(mat.NewDense(p, p, qi), um)
		qt.Mul(um.T(), tmp)
		// Scale by √(w_i/k) so that the accumulated products carry w_i/k.
		qt.Scale(math.Sqrt(w[i]/k), qt)
		raw := qt.RawMatrix()
		for P := range np {
			ra := raw.Data[pa[P]*raw.Stride : pa[P]*raw.Stride+m]
			rb := raw.Data[pb[P]*raw.Stride : pb[P]*raw.Stride+m]
			row := kmat[P*np : (P+1)*np]
			for Q := P; Q < np; Q++ {
				c, d := pa[Q], pb[Q]
				row[Q] += ra[c]*rb[d] + ra[d]*rb[c]
			}
		}
	}
	for P := range np {
		row := kmat[P*np : (P+1)*np]
		for Q := P; Q < np; Q++ {
			row[Q] *= sc[P] * sc[Q]
		}
		a, b := pa[P], pb[P]
		row[P] += (1 - 1/k) * hs[a] * hs[b] / (hs[a] + hs[b])
	}
	kop := mat.NewSymDense(np, kmat)
	if np > msDenseMax {
		if top, ok := msLanczosTop(kop); ok {
			return 1 / top, nil
		}
	}
	var ek mat.EigenSym
	if !ek.Factorize(kop, false) {
		return math.NaN(), errors.New("thresholds: hess: eigendecomposition of the mean-square operator failed")
	}
	kv := ek.Values(nil)
	return 1 / kv[np-1], nil
}

// msDenseMax is the largest size m(m+1)/2 of the mean-square eigenproblem
// that MeanSquareTol solves with a full mat.EigenSym (m ≤ 31); larger ones
// use msLanczosTop, falling back to the full solve if it does not converge.
// A variable only so that tests can compare both solvers.
var msDenseMax = 500

// msLanczosBudget is the step budget of msLanczosTop.
const msLanczosBudget = 300

// msLanczosTop returns the largest eigenvalue of the symmetric a by
// spectral.Top, converged to a Ritz residual below 1e-12 times the largest
// Ritz value (the eigenvalue error is at most the residual, and its square
// over the spectral gap). Only the value is used, so the multiplicity check
// is skipped. ok is false if that does not happen within msLanczosBudget
// operator applications.
func msLanczosTop(a *mat.SymDense) (top float64, ok bool) {
	e, err := spectral.Top(spectral.NewDense(a), 1, spectral.Settings{
		Tol:                 1e-12,
		MaxSteps:            msLanczosBudget,
		NoMultiplicityCheck: true,
	})
	if err != nil {
		return math.NaN(), false
	}
	return e.Values[0], e.Values[0] > 0
}
