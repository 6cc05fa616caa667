package geometry

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/thresholds"
)

// Linearized is the linearization of a finite-mixture problem at a point x*
// (beyond the paper): the stochastic quadratic with component Hessians
// Q_i = ∇²f_i(x*) (or their averages over the ball B(x*, ε)) and component
// gradients b_i = ∇f_i(x*). Near x*, SGD-k follows
//
//	d_{N+1} = (I − C·Q̄) d_N − C·b̄,   d = x − x*,
//
// with Q̄, b̄ the batch means. Its homogeneous part gives the linearized exact
// mean-square threshold C*(k) (MeanSquare) and the exact local
// geometry (λ, s_Q, t_Q) of (4)–(5) (Local). The inhomogeneous, systematic
// part b enters the second-moment recursion only as a forcing term,
// S_{N+1} = T_C(S_N) + (C²/k)E[bb'] (the cross terms carry E[d_N], which
// obeys E[d_{N+1}] = (I − CH)E[d_N] and dies out below C*): it sets a noise
// floor of order C²·tr E[bb']/k but does not move the threshold, which is
// therefore the same for homogeneous and inhomogeneous minimizers.
// GradNoise reports tr E[bb'] so that a user sees the size of that part.
type Linearized struct {
	Center   []float64
	Hessians []*mat.SymDense // Q_i
	Weights  []float64       // p_i
	Grads    [][]float64     // b_i = ∇f_i(x*); nil when Subspace is set
	Hessian  *mat.SymDense   // H = Σ_i p_i Q_i

	// Homogeneous reports whether every ‖b_i‖ is at most
	// 1e-8·max(1, max_i ‖Q_i‖_max·max(1, ‖x*‖)) (Definition 3.4, to
	// rounding).
	Homogeneous bool
	// GradNoise is tr E[bb'] = Σ_i p_i ‖b_i‖², the systematic part.
	GradNoise float64

	// Averaged reports whether the Q_i are ball averages; Radius and
	// Samples are then the ball's ε and number of points.
	Averaged bool
	Radius   float64
	Samples  int

	// Subspace is set, and Hessians, Hessian and Grads are nil, when the dimension
	// exceeds MatrixFreeDim: no p×p matrix is formed, and the linearization
	// is compressed onto the span V of the top r eigenvectors of H
	// (r = min(MaxRank, p), MaxRank from ball or DefaultMaxRank), found by
	// Lanczos on H's Hessian-vector product (HessianOperator, or its ball
	// average). Every method then answers for the compressed problem
	// Q_i ↦ V'Q_iV, b_i ↦ V'b_i: MeanSquare is an upper bound of C*(k)
	// (thresholds.Subspace), exact when V spans range(H) and the Q_i are
	// positive semidefinite; NonUniformity's values are lower bounds; Local
	// gives the top r eigenvalues of H, and s, t of the compression.
	// Subspace.Indefinite flags components whose compressed Hessian is
	// indefinite, where the restriction to range(H) is inexact.
	Subspace *thresholds.Subspace
}

// Linearize returns the linearization of p at center. With ball nil the
// component Hessians are taken at center; otherwise each is averaged over
// ball.Samples points (antithetic pairs, the sampling of Estimate: same
// Radius, Samples and Seed defaults and streams) uniformly in
// B(center, ball.Radius). The averages are summed in a fixed order, so the
// result does not depend on ball.Workers. The component gradients are
// always taken at center. Errors name the argument.
func Linearize(p problems.Problem, center []float64, ball *Settings) (*Linearized, error) {
	if p == nil {
		return nil, errors.New("geometry: Linearize: p is nil")
	}
	dim, n := p.Dim(), p.Len()
	if dim < 1 || n < 1 {
		return nil, fmt.Errorf("geometry: Linearize: p has Dim %d and Len %d, want both ≥ 1", dim, n)
	}
	if len(center) != dim {
		return nil, fmt.Errorf("geometry: Linearize: len(center) = %d, want %d", len(center), dim)
	}
	for d, v := range center {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("geometry: Linearize: center[%d] = %v is not finite", d, v)
		}
	}
	l := &Linearized{
		Center:  append([]float64(nil), center...),
		Weights: make([]float64, n),
	}
	comps := make([]problems.Component, n)
	wsum := 0.0
	for i := range comps {
		comps[i] = p.Component(i)
		l.Weights[i] = p.Weight(i)
		if !(l.Weights[i] > 0) || math.IsInf(l.Weights[i], 0) {
			return nil, fmt.Errorf("geometry: Linearize: p.Weight(%d) = %v is not finite and positive", i, l.Weights[i])
		}
		wsum += l.Weights[i]
	}
	if math.Abs(wsum-1) > 1e-9 {
		return nil, fmt.Errorf("geometry: Linearize: p's weights sum to %v, not 1", wsum)
	}
	if dim > MatrixFreeDim {
		if err := l.linearizeSubspace(p, comps, ball); err != nil {
			return nil, err
		}
		return l, nil
	}
	l.Grads = make([][]float64, n)
	for i, c := range comps {
		l.Grads[i] = make([]float64, dim)
		c.Grad(l.Grads[i], center)
	}
	l.Hessian = mat.NewSymDense(dim, nil)
	l.Hessians = make([]*mat.SymDense, n)
	for i := range l.Hessians {
		l.Hessians[i] = mat.NewSymDense(dim, nil)
	}
	if ball == nil {
		for i, c := range comps {
			problems.HessianOf(c).Hess(l.Hessians[i], center)
		}
	} else {
		cfg, err := ball.resolve()
		if err != nil {
			return nil, err
		}
		l.Averaged, l.Radius, l.Samples = true, cfg.radius, 2*cfg.pairs
		ballAverage(l.Hessians, comps, center, cfg)
	}
	scale := 0.0
	for i, q := range l.Hessians {
		for a := 0; a < dim; a++ {
			for b := a; b < dim; b++ {
				v := q.At(a, b)
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("geometry: Linearize: component %d has a non-finite Hessian entry [%d][%d] = %v", i, a, b, v)
				}
				scale = math.Max(scale, math.Abs(v))
				l.Hessian.SetSym(a, b, l.Hessian.At(a, b)+l.Weights[i]*v)
			}
		}
	}
	if err := l.setHomogeneous(scale); err != nil {
		return nil, err
	}
	return l, nil
}

// setHomogeneous sets Homogeneous and GradNoise from the gradients, with
// scale the size of the Hessians.
func (l *Linearized) setHomogeneous(scale float64) error {
	tol := 1e-8 * math.Max(1, scale*math.Max(1, floats.Norm(l.Center, 2)))
	l.Homogeneous = true
	for i, b := range l.Grads {
		for d, v := range b {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("geometry: Linearize: component %d has a non-finite gradient entry [%d] = %v", i, d, v)
			}
		}
		nb := floats.Norm(b, 2)
		l.GradNoise += l.Weights[i] * nb * nb
		if nb > tol {
			l.Homogeneous = false
		}
	}
	return nil
}

// ballAverage writes into hess[i] the average of ∇²f_i over the antithetic
// pairs of cfg, summing fixed chunks of pairs in order.
func ballAverage(hess []*mat.SymDense, comps []problems.Component, center []float64, cfg config) {
	dim := len(center)
	const chunks = 16
	sums := make([][]*mat.SymDense, chunks)
	parallelFor(chunks, cfg.workers, func() *linScratch { return newLinScratch(cfg, dim) }, func(w *linScratch, ch int) {
		hs := make([]problems.Hessianer, len(comps))
		for i, c := range comps {
			hs[i] = problems.HessianOf(c)
		}
		acc := make([]*mat.SymDense, len(comps))
		for i := range acc {
			acc[i] = mat.NewSymDense(dim, nil)
		}
		for k := ch; k < cfg.pairs; k += chunks {
			w.s.offset(w.u, k)
			for _, sign := range []float64{1, -1} {
				point(w.theta, center, w.u, sign)
				for i, h := range hs {
					h.Hess(w.h, w.theta)
					acc[i].AddSym(acc[i], w.h)
				}
			}
		}
		sums[ch] = acc
	})
	inv := 1 / float64(2*cfg.pairs)
	for i := range hess {
		for ch := 0; ch < chunks; ch++ {
			hess[i].AddSym(hess[i], sums[ch][i])
		}
		hess[i].ScaleSym(inv, hess[i])
	}
}

type linScratch struct {
	s        *sampler
	u, theta []float64
	h        *mat.SymDense
}

func newLinScratch(cfg config, dim int) *linScratch {
	return &linScratch{s: newSampler(cfg.seed, cfg.radius), u: make([]float64, dim), theta: make([]float64, dim), h: mat.NewSymDense(dim, nil)}
}

// linearizeSubspace builds l.Subspace (see Linearized) and the gradient
// summaries, without p×p matrices and without keeping the N gradients: each
// b_i is projected on V as it is computed, and Grads stays nil.
func (l *Linearized) linearizeSubspace(p problems.Problem, comps []problems.Component, ball *Settings) error {
	dim, n := len(l.Center), len(comps)
	s := Settings{}
	if ball != nil {
		s = *ball
	}
	cfg, err := s.resolve()
	if err != nil {
		return err
	}
	if cfg.defaultSamples {
		cfg.pairs = DefaultMatrixFreeSamples / 2
	}
	r := min(cfg.maxRank, dim)
	if b := 8 * n * r * r; b > MatrixFreeMaxBytes || b < 0 {
		return fmt.Errorf("geometry: Linearize: the compressed component Hessians need %d bytes (N = %d components × r² = %d² × 8), above the budget of %d bytes; lower MaxRank", b, n, r, MatrixFreeMaxBytes)
	}
	ehv := problems.ExpectedHessVecOf(p)
	// The product with H (or its ball average) as an operator.
	var smp *sampler
	u, theta := make([]float64, dim), make([]float64, dim)
	tmp := make([]float64, dim)
	if ball != nil {
		smp = newSampler(cfg.seed, cfg.radius)
		l.Averaged, l.Radius, l.Samples = true, cfg.radius, 2*cfg.pairs
	}
	var at func(dst, v []float64)
	if a, ok := p.(problems.ExpectedHessVecAter); ok && ball == nil {
		at = a.ExpectedHessVecAt(l.Center)
	}
	hop := spectral.Func{N: dim, F: func(dst, v []float64) {
		if at != nil {
			at(dst, v)
			return
		}
		if ball == nil {
			ehv.ExpectedHessVec(dst, l.Center, v)
			return
		}
		clear(dst)
		for k := range cfg.pairs {
			smp.offset(u, k)
			for _, sign := range [2]float64{1, -1} {
				point(theta, l.Center, u, sign)
				ehv.ExpectedHessVec(tmp, theta, v)
				floats.Add(dst, tmp)
			}
		}
		floats.Scale(1/float64(2*cfg.pairs), dst)
	}}
	top, err := spectral.Top(hop, r, spectral.Settings{Seed: cfg.seed})
	if err != nil {
		return fmt.Errorf("geometry: Linearize: the top %d eigenpairs of H: %w", r, err)
	}
	vs := make([][]float64, r)
	for j := range vs {
		vs[j] = mat.Col(nil, j, top.Vectors)
	}
	// B_i = V'Q_iV by problems.ProjectHessians (batched when p implements
	// problems.HessianProjector), averaged over the ball's points in order.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	blocks := make([]float64, n*r*r)
	if ball == nil {
		problems.ProjectHessians(p, blocks, l.Center, vs, idx)
	} else {
		buf := make([]float64, n*r*r)
		for k := range cfg.pairs {
			smp.offset(u, k)
			for _, sign := range [2]float64{1, -1} {
				point(theta, l.Center, u, sign)
				problems.ProjectHessians(p, buf, theta, vs, idx)
				floats.Add(blocks, buf)
			}
		}
		floats.Scale(1/float64(2*cfg.pairs), blocks)
	}
	b := make([]*mat.SymDense, n)
	for i := range b {
		b[i] = mat.NewSymDense(r, blocks[i*r*r:(i+1)*r*r])
	}
	// The gradients b_i at x*, projected as they come: V'b_i, ‖b_i‖.
	scale := 0.0
	for _, v := range top.Values {
		scale = math.Max(scale, math.Abs(v))
	}
	tol := 1e-8 * math.Max(1, scale*math.Max(1, floats.Norm(l.Center, 2)))
	l.Homogeneous = true
	vgrads := make([][]float64, n)
	for i, c := range comps {
		c.Grad(tmp, l.Center)
		for d, v := range tmp {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("geometry: Linearize: component %d has a non-finite gradient entry [%d] = %v", i, d, v)
			}
		}
		nb := floats.Norm(tmp, 2)
		l.GradNoise += l.Weights[i] * nb * nb
		if nb > tol {
			l.Homogeneous = false
		}
		vgrads[i] = make([]float64, r)
		for j, v := range vs {
			vgrads[i][j] = floats.Dot(v, tmp)
		}
	}
	l.Subspace, err = thresholds.NewSubspaceBlocks(b, l.Weights, top.Vectors, vgrads)
	if err != nil {
		return fmt.Errorf("geometry: Linearize: %w", err)
	}
	return nil
}

// compressed returns the linearization of the compressed problem on
// Subspace's basis, in its r coordinates.
func (l *Linearized) compressed() *Linearized {
	s := l.Subspace
	c := &Linearized{
		Center:   make([]float64, s.Hessians[0].SymmetricDim()),
		Hessians: s.Hessians,
		Weights:  s.Weights,
		Grads:    s.Grads,
		Hessian:  s.H(),
	}
	return c
}

// Symmetric returns the component Hessians as mat.Symmetric values (their
// compressions onto Subspace.Basis when Subspace is set).
func (l *Linearized) Symmetric() []mat.Symmetric {
	if l.Subspace != nil {
		return l.compressed().Symmetric()
	}
	out := make([]mat.Symmetric, len(l.Hessians))
	for i, q := range l.Hessians {
		out[i] = q
	}
	return out
}

// MeanSquare returns the linearized exact mean-square threshold C*(k)
// (see Exact mean-square threshold in package thresholds) of the linearization: thresholds.MeanSquare of the component
// Hessians and weights. It is the threshold of the homogeneous part, valid
// for inhomogeneous minimizers too (see Linearized).
func (l *Linearized) MeanSquare(k float64) (float64, error) {
	return thresholds.MeanSquare(l.Symmetric(), l.Weights, k)
}

// NonUniformity returns λ_max(H) and λ_max(E[Q²] − H²) of the
// linearization, the inputs of the Wu–Ma–E criteria
// (thresholds.WuSharpness, thresholds.WuNonUniformity).
func (l *Linearized) NonUniformity() (sharpness, v float64, err error) {
	return thresholds.NonUniformity(l.Symmetric(), l.Weights)
}

// Local returns the exact local geometry of the linearization: the nonzero
// eigenvalues of H (above thresholds.RankTol·λ_1) and s_Q, t_Q of (4)–(5)
// with M = Σ_i p_i Q_i H Q_i − H³ = E[(Q − H)H(Q − H)], as extreme
// eigenvalues of K = Λ^{-1/2}U'MUΛ^{-1/2} on range(H). Unlike
// Exact it accepts indefinite component Hessians (H itself must be positive
// semidefinite); M ⪰ 0 holds whenever H ⪰ 0. With this geometry,
// thresholds.Convergence(k) ≤ MeanSquare(k) ≤ thresholds.Divergence(k)
// (Theorem 3.8 applied to the linearization). SErr = TErr = 0.
func (l *Linearized) Local() (*Local, error) {
	if l.Subspace != nil {
		loc, err := l.compressed().Local()
		if err != nil {
			return nil, err
		}
		loc.Center = append([]float64(nil), l.Center...)
		loc.Hessian = nil
		r := l.Subspace.Hessians[0].SymmetricDim()
		loc.Truncated = loc.M == r && r < len(l.Center)
		return loc, nil
	}
	dim := len(l.Center)
	var es mat.EigenSym
	if !es.Factorize(l.Hessian, true) {
		return nil, errors.New("geometry: Linearized.Local: eigendecomposition of H failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	lmax := vals[dim-1]
	if !(lmax > 0) {
		return nil, fmt.Errorf("geometry: Linearized.Local: H has no positive eigenvalue (largest %v)", lmax)
	}
	if vals[0] < -thresholds.RankTol*lmax {
		return nil, fmt.Errorf("geometry: Linearized.Local: H has a negative eigenvalue %v: not a minimizer", vals[0])
	}
	eigs, w := whiten(vals, &vecs, thresholds.RankTol)
	m := len(eigs)
	// K = Σ_i p_i (W'(Q_i − H)) H ((Q_i − H)W), symmetric PSD.
	k := mat.NewSymDense(m, nil)
	var d, dw, hdw, t mat.Dense
	for i, q := range l.Hessians {
		d.Sub(q, l.Hessian)
		dw.Mul(&d, w)
		hdw.Mul(l.Hessian, &dw)
		t.Mul(dw.T(), &hdw)
		for a := 0; a < m; a++ {
			for b := a; b < m; b++ {
				k.SetSym(a, b, k.At(a, b)+l.Weights[i]*0.5*(t.At(a, b)+t.At(b, a)))
			}
		}
	}
	var ek mat.EigenSym
	if !ek.Factorize(k, false) {
		return nil, errors.New("geometry: Linearized.Local: eigendecomposition of K failed")
	}
	kv := ek.Values(nil)
	s, tt := math.Max(kv[0], 0), math.Max(kv[m-1], 0)
	return &Local{
		Center:      append([]float64(nil), l.Center...),
		Hessian:     mat.NewSymDense(dim, append([]float64(nil), l.Hessian.RawSymmetric().Data...)),
		Eigenvalues: eigs,
		M:           len(eigs),
		S:           s,
		T:           tt,
	}, nil
}

// NoiseFloor returns the stationary mean error E[e_∞] = tr(H S_∞) of the
// linearized SGD-k with constant step c (thresholds.MeanSquareFloor with
// the fourth-moment map S ↦ Σ_i p_i Q_i S Q_i and the gradient noise
// E[bb'] = Σ_i p_i b_i b_i'): the systematic part of an inhomogeneous
// minimizer, 0 at a homogeneous one, +Inf at and above C*(k).
func (l *Linearized) NoiseFloor(c, k float64) (float64, error) {
	if l.Subspace != nil {
		return l.Subspace.NoiseFloor(c, k)
	}
	dim := len(l.Center)
	noise := mat.NewSymDense(dim, nil)
	for i, b := range l.Grads {
		noise.SymRankOne(noise, l.Weights[i], mat.NewVecDense(dim, b))
	}
	if m := l.diagonalMoments(); m != nil {
		// Diagonal Q_i: (Σ_i p_i Q_i S Q_i)_ab = m_ab·S_ab with
		// m_ab = Σ_i p_i q_ia q_ib, O(p²) per application.
		fourth := func(dst *mat.SymDense, s mat.Symmetric) {
			for a := 0; a < dim; a++ {
				for b := a; b < dim; b++ {
					dst.SetSym(a, b, m.At(a, b)*s.At(a, b))
				}
			}
		}
		return thresholds.MeanSquareFloor(l.Hessian, fourth, k, c, noise)
	}
	if fourth := l.lowRankFourth(); fourth != nil {
		return thresholds.MeanSquareFloor(l.Hessian, fourth, k, c, noise)
	}
	var t, u mat.Dense
	fourth := func(dst *mat.SymDense, s mat.Symmetric) {
		for a := 0; a < dim; a++ {
			for b := a; b < dim; b++ {
				dst.SetSym(a, b, 0)
			}
		}
		for i, q := range l.Hessians {
			t.Mul(q, s)
			u.Mul(&t, q)
			for a := 0; a < dim; a++ {
				for b := a; b < dim; b++ {
					dst.SetSym(a, b, dst.At(a, b)+l.Weights[i]*0.5*(u.At(a, b)+u.At(b, a)))
				}
			}
		}
	}
	return thresholds.MeanSquareFloor(l.Hessian, fourth, k, c, noise)
}

// ExcessLoss returns the stationary expected excess loss of the linearized
// SGD-k with constant step c, E[F(x_∞)] − F(x*) = ½·tr(H S_∞) =
// NoiseFloor(c, k)/2: the quadratic model F(x* + d) − F(x*) = ½d'Hd (∇F(x*)
// = 0) averaged over the stationary second moment S_∞. It is in the units
// of F, so it can be set against a loss level (0 at a homogeneous
// minimizer, +Inf at and above C*(k)).
func (l *Linearized) ExcessLoss(c, k float64) (float64, error) {
	f, err := l.NoiseFloor(c, k)
	return f / 2, err
}

// lowRankFourth returns S ↦ Σ_i p_i Q_i S Q_i computed through the split
// Q_i = μI + R_i, μ the smallest eigenvalue over every Q_i and R_i = U_i
// D_i U_i' ⪰ 0 of rank r_i (eigenvalues of Q_i − μI above 1e-12 of the
// largest |eigenvalue| dropped):
//
//	Σ_i p_i Q_i S Q_i = μ²S + μ(R̄S + SR̄) + Σ_i p_i U_i D_i (U_i'SU_i) D_i U_i',
//
// R̄ = Σ_i p_i R_i, at O(p²·Σ_i r_i + p³) per application instead of
// O(n·p³). It returns nil when the ranks are too large for that to pay
// (Σ_i r_i > n·p/4), or an eigendecomposition fails. Ridge-regularized
// generalized linear models (Q_i = w_i a_i a_i' + λI) have r_i = 1.
func (l *Linearized) lowRankFourth() func(dst *mat.SymDense, s mat.Symmetric) {
	dim, n := len(l.Center), len(l.Hessians)
	vals := make([][]float64, n)
	vecs := make([]*mat.Dense, n)
	mu, scale := math.Inf(1), 0.0
	for i, q := range l.Hessians {
		var es mat.EigenSym
		if !es.Factorize(q, true) {
			return nil
		}
		vals[i] = es.Values(nil)
		vecs[i] = new(mat.Dense)
		es.VectorsTo(vecs[i])
		mu = math.Min(mu, vals[i][0])
		scale = math.Max(scale, math.Max(math.Abs(vals[i][0]), math.Abs(vals[i][dim-1])))
	}
	tol := 1e-12 * scale
	us := make([]*mat.Dense, n)
	ds := make([][]float64, n)
	total := 0
	for i := range vals {
		var cols []int
		for j, v := range vals[i] {
			if v-mu > tol {
				cols = append(cols, j)
			}
		}
		total += len(cols)
		if total > n*dim/4 {
			return nil
		}
		if len(cols) == 0 {
			continue
		}
		u := mat.NewDense(dim, len(cols), nil)
		ds[i] = make([]float64, len(cols))
		for c, j := range cols {
			for a := 0; a < dim; a++ {
				u.Set(a, c, vecs[i].At(a, j))
			}
			ds[i][c] = vals[i][j] - mu
		}
		us[i] = u
	}
	rbar := mat.NewDense(dim, dim, nil)
	var ud mat.Dense
	for i, u := range us {
		if u == nil {
			continue
		}
		ud.CloneFrom(u)
		for c, d := range ds[i] {
			for a := 0; a < dim; a++ {
				ud.Set(a, c, ud.At(a, c)*d*l.Weights[i])
			}
		}
		var t mat.Dense
		t.Mul(&ud, u.T())
		rbar.Add(rbar, &t)
	}
	var rs, su, m, um, acc mat.Dense
	return func(dst *mat.SymDense, s mat.Symmetric) {
		acc.Reset()
		acc.ReuseAs(dim, dim)
		rs.Mul(rbar, s)
		for a := 0; a < dim; a++ {
			for b := 0; b < dim; b++ {
				acc.Set(a, b, mu*mu*s.At(a, b)+mu*(rs.At(a, b)+rs.At(b, a)))
			}
		}
		for i, u := range us {
			if u == nil {
				continue
			}
			r := len(ds[i])
			su.Reset()
			su.Mul(s, u)
			m.Reset()
			m.Mul(u.T(), &su)
			for a := 0; a < r; a++ {
				for b := 0; b < r; b++ {
					m.Set(a, b, m.At(a, b)*ds[i][a]*ds[i][b]*l.Weights[i])
				}
			}
			um.Reset()
			um.Mul(u, &m)
			// acc += um·u'
			for a := 0; a < dim; a++ {
				for b := 0; b < dim; b++ {
					v := 0.0
					for c := 0; c < r; c++ {
						v += um.At(a, c) * u.At(b, c)
					}
					acc.Set(a, b, acc.At(a, b)+v)
				}
			}
		}
		for a := 0; a < dim; a++ {
			for b := a; b < dim; b++ {
				dst.SetSym(a, b, 0.5*(acc.At(a, b)+acc.At(b, a)))
			}
		}
	}
}

// diagonalMoments returns m_ab = Σ_i p_i q_ia q_ib when every Q_i is
// diagonal, else nil.
func (l *Linearized) diagonalMoments() *mat.SymDense {
	dim := len(l.Center)
	for _, q := range l.Hessians {
		for a := 0; a < dim; a++ {
			for b := a + 1; b < dim; b++ {
				if q.At(a, b) != 0 {
					return nil
				}
			}
		}
	}
	m := mat.NewSymDense(dim, nil)
	for i, q := range l.Hessians {
		for a := 0; a < dim; a++ {
			for b := a; b < dim; b++ {
				m.SetSym(a, b, m.At(a, b)+l.Weights[i]*q.At(a, a)*q.At(b, b))
			}
		}
	}
	return m
}

// Defaults of EstimateSampler's Settings fields.
const (
	DefaultComponents = 1000
	DefaultReplicates = 8
)

// EstimateSampler estimates the local geometry (49)–(50) of a problem with
// continuous randomness (beyond the paper) so that the standard errors
// include the error of sampling its components, which Estimate on one
// problems.SampledProblem cannot see (it conditions on the sample). It
// draws set.Replicates independent empirical problems of set.Components
// components each (defaults 8 and 1000) and runs Estimate on each with its
// own ball points, and combines them.
// Replicate r's streams are derived from the pair (set.Seed, r) so that no
// two (seed, replicate) pairs share a stream (seed s + 2 does not reuse
// seed s's replicate r + 1): its component sample is
// problems.SampledProblem(s, set.Components, samplerSeed(set.Seed, r)) and its ball
// points use Settings.Seed = ballSeed(set.Seed, r), where
// samplerSeed(s, r) = S(s ^ S(2r + 1)) and
// ballSeed(s, r) = S(s ^ S(2r + 2)), S = problems.SplitMix64, mix both words
// through the SplitMix64 finaliser (a bijection, so for a fixed r distinct
// seeds give distinct streams). The combination:
//
//   - Hessian is the mean of the replicates' H̄ and AllEigenvalues its
//     eigenvalues, descending; M is the smallest replicate rank and
//     Eigenvalues = AllEigenvalues[:M];
//   - S, T and TMedian are replicate means; SErr, TErr and EigErr[j] are
//     the standard deviations over replicates (of S, T and of the j-th
//     eigenvalue) divided by √replicates: both error sources, ball points and
//     component sample, are in them;
//   - Samples, Skipped and Indefinite are totals.
//
// The replicate estimates are returned too. The combined estimate has the
// bias of an n-component empirical problem (of order 1/n relative for s and
// t, n = set.Components); grow n to shrink it. Errors name the argument (s,
// Settings.Components, Settings.Replicates) or come from Estimate.
func EstimateSampler(s problems.Sampler, center []float64, set Settings) (*Local, []*Local, error) {
	if s == nil {
		return nil, nil, errors.New("geometry: EstimateSampler: s is nil")
	}
	n, replicates := set.Components, set.Replicates
	switch {
	case n == 0:
		n = DefaultComponents
	case n < 0:
		return nil, nil, fmt.Errorf("geometry: EstimateSampler: Settings.Components = %d is negative", n)
	}
	switch {
	case replicates == 0:
		replicates = DefaultReplicates
	case replicates < 2:
		return nil, nil, fmt.Errorf("geometry: EstimateSampler: Settings.Replicates = %d, want at least 2 for standard errors", replicates)
	}
	reps := make([]*Local, replicates)
	for r := range reps {
		p, err := problems.SampledProblem(s, n, samplerSeed(set.Seed, r))
		if err != nil {
			return nil, nil, err
		}
		rs := set
		rs.Seed = ballSeed(set.Seed, r)
		loc, err := Estimate(p, center, rs)
		if err != nil {
			return nil, reps, fmt.Errorf("geometry: EstimateSampler: replicate %d: %w", r, err)
		}
		reps[r] = loc
	}
	dim := len(center)
	out := &Local{Center: append([]float64(nil), center...), Hessian: mat.NewSymDense(dim, nil), Radius: reps[0].Radius, Path: reps[0].Path}
	b := float64(replicates)
	meanSE := func(get func(l *Local) float64) (float64, float64) {
		m, ss := 0.0, 0.0
		for _, l := range reps {
			m += get(l)
		}
		m /= b
		for _, l := range reps {
			d := get(l) - m
			ss += d * d
		}
		return m, math.Sqrt(ss / (b - 1) / b)
	}
	out.M = dim
	for _, l := range reps {
		out.Hessian.AddSym(out.Hessian, l.Hessian)
		out.M = min(out.M, l.M)
		out.Samples += l.Samples
		out.Skipped += l.Skipped
		out.Indefinite += l.Indefinite
	}
	out.Hessian.ScaleSym(1/b, out.Hessian)
	var es mat.EigenSym
	if !es.Factorize(out.Hessian, false) {
		return nil, reps, errors.New("geometry: EstimateSampler: eigendecomposition of the mean H̄ failed")
	}
	vals := es.Values(nil)
	out.AllEigenvalues = make([]float64, dim)
	out.EigErr = make([]float64, dim)
	for j := range out.AllEigenvalues {
		out.AllEigenvalues[j] = vals[dim-1-j]
		_, out.EigErr[j] = meanSE(func(l *Local) float64 { return l.AllEigenvalues[j] })
	}
	out.Eigenvalues = append([]float64(nil), out.AllEigenvalues[:out.M]...)
	out.S, out.SErr = meanSE(func(l *Local) float64 { return l.S })
	out.T, out.TErr = meanSE(func(l *Local) float64 { return l.T })
	out.TMedian, _ = meanSE(func(l *Local) float64 { return l.TMedian })
	return out, reps, nil
}

// samplerSeed and ballSeed derive the two seeds of EstimateSampler's
// replicate r from (seed, r): the replicate index is hashed on its own and
// then mixed into the seed, so that different (seed, r) pairs do not
// collide the way seed + r would (seed + 2, replicate r = seed, replicate
// r + 1).
func samplerSeed(seed uint64, r int) uint64 {
	return problems.SplitMix64(seed ^ problems.SplitMix64(2*uint64(r)+1))
}

func ballSeed(seed uint64, r int) uint64 {
	return problems.SplitMix64(seed ^ problems.SplitMix64(2*uint64(r)+2))
}
