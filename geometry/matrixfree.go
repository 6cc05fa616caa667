package geometry

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems"
)

// Defaults and limits of the matrix-free path (PathMatrixFree).
const (
	// DefaultMatrixFreeSamples is the default number of points of the
	// matrix-free path (10 antithetic pairs). Every application of the
	// ball-averaged Hessian costs Samples Hessian-vector products of F, and
	// Lanczos needs hundreds of applications for r = 20 eigenpairs of a
	// clustered spectrum (about 300 for the 64-32-10 tanh network on the
	// digits), so the cost is proportional to Samples while the standard
	// errors fall only as 1/√Samples. Twenty points keep the matrix-free
	// Estimate of that network (p = 2410, N = 1797) under a minute of pure-Go
	// CPU time, with relative standard errors of s, t and the λ_j there
	// below 1e-3; raise Samples when the errors reported are too large.
	DefaultMatrixFreeSamples = 20
	// DefaultMaxRank is the default cap on r, the number of eigenpairs of
	// H̄ the matrix-free path computes.
	DefaultMaxRank = 20
	// MatrixFreeDim is the dimension above which PathAuto takes the
	// matrix-free path (for problems without diagonal structure): above it
	// a dense p×p Hessian per component and point, O(N p³), or even the
	// rank-one path's O(N p²), costs more than Lanczos with products.
	MatrixFreeDim = 200
	// MatrixFreeMaxBytes is the memory budget of the compressed component
	// Hessians V'∇²f_i(θ)V the matrix-free path holds per worker,
	// 8·N·r² bytes; a larger request is an error naming the size.
	MatrixFreeMaxBytes = 1 << 30
)

// traceSalt separates the Rademacher probes of the trace estimate from the
// ball offsets, which use the same pair index.
const traceSalt = 0x7472616365

// ballOp is the ball-averaged Hessian H̄ = (1/2P) Σ_k [H(x*+u_k) + H(x*−u_k)]
// as a spectral.Operator. Each application costs 2P products of F's Hessian
// with a vector; pairs are summed in fixed chunks in order, so the result
// does not depend on Workers.
type ballOp struct {
	e    *estimator
	sums [][]float64
}

func (b *ballOp) Dim() int { return b.e.pd.dim }

type mfWork struct {
	smp          *sampler
	theta, u, hv []float64
}

func (e *estimator) newMFWork() *mfWork {
	dim := e.pd.dim
	return &mfWork{smp: newSampler(e.cfg.seed, e.cfg.radius), theta: make([]float64, dim), u: make([]float64, dim), hv: make([]float64, dim)}
}

func (b *ballOp) Apply(dst, v []float64) {
	e := b.e
	pairs, nc := e.cfg.pairs, len(b.sums)
	parallelFor(nc, e.cfg.workers, e.newMFWork, func(w *mfWork, c int) {
		s := b.sums[c]
		clear(s)
		for k := c * pairs / nc; k < (c+1)*pairs/nc; k++ {
			w.smp.offset(w.u, k)
			for _, sign := range [2]float64{1, -1} {
				point(w.theta, e.center, w.u, sign)
				e.pd.ehv.ExpectedHessVec(w.hv, w.theta, v)
				floats.Add(s, w.hv)
			}
		}
	})
	clear(dst)
	for _, s := range b.sums {
		floats.Add(dst, s)
	}
	floats.Scale(1/float64(2*pairs), dst)
}

// matrixFree runs PathMatrixFree; see Estimate and the package
// documentation.
func (e *estimator) matrixFree() (*Local, error) {
	dim, pairs := e.pd.dim, e.cfg.pairs
	r := min(e.cfg.maxRank, dim)
	n := len(e.pd.comps)
	if b := 8 * n * r * r; b > MatrixFreeMaxBytes || b < 0 {
		return nil, fmt.Errorf("geometry: matrix-free path: the compressed component Hessians need %d bytes (N = %d components × r² = %d² × 8) per worker, above the budget of %d bytes; lower MaxRank", b, n, r, MatrixFreeMaxBytes)
	}
	op := &ballOp{e: e, sums: make([][]float64, min(pairs, 16))}
	for c := range op.sums {
		op.sums[c] = make([]float64, dim)
	}
	eig, err := spectral.Top(op, r, spectral.Settings{Seed: e.cfg.seed})
	if err != nil {
		return nil, fmt.Errorf("geometry: matrix-free path: the top %d eigenpairs of the ball-averaged Hessian H̄: %w", r, err)
	}
	all := eig.Values
	vecs := make([][]float64, r)
	for j := range vecs {
		vecs[j] = mat.Col(nil, j, eig.Vectors)
	}

	// Pass 1: the projections v_j'H(θ)v_j (pair means) for the Z clause of
	// the rank rule, and Hutchinson's estimate of tr H̄ with one Rademacher
	// probe per pair. With a batched problems.HessianProjector the
	// projections are instead the diagonals of the compressed H_c(θ) of
	// pass 2, run first with all r vectors (and again with m when the rank
	// rule keeps fewer).
	batched := e.pd.proj != nil
	proj := make([]float64, pairs*r)
	tr := make([]float64, pairs)
	errs := make([]error, pairs)
	type work1 struct {
		*mfWork
		z   []float64
		src *rand.PCG
		rnd *rand.Rand
	}
	newW1 := func() *work1 {
		src := rand.NewPCG(0, 0)
		return &work1{mfWork: e.newMFWork(), z: make([]float64, dim), src: src, rnd: rand.New(src)}
	}
	parallelFor(pairs, e.cfg.workers, newW1, func(w *work1, k int) {
		w.smp.offset(w.u, k)
		w.src.Seed(e.cfg.seed^traceSalt, problems.SplitMix64(uint64(k)))
		for d := range w.z {
			w.z[d] = float64(2*int(w.rnd.Uint64()&1) - 1)
		}
		for j, sign := range [2]float64{1, -1} {
			point(w.theta, e.center, w.u, sign)
			if !batched {
				for c, v := range vecs {
					e.pd.ehv.ExpectedHessVec(w.hv, w.theta, v)
					proj[k*r+c] += floats.Dot(v, w.hv) / 2
				}
			}
			e.pd.ehv.ExpectedHessVec(w.hv, w.theta, w.z)
			q := floats.Dot(w.z, w.hv)
			if math.IsNaN(q) || math.IsInf(q, 0) {
				errs[k] = fmt.Errorf("geometry: H(θ)v is not finite at sample point %d (pair %d)", 2*k+j, k)
				return
			}
			tr[k] += q / 2
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var m int
	if batched {
		if err := e.compressedPass(vecs, proj); err != nil {
			return nil, err
		}
		m = rankRule(all, eigErrs(proj, r, pairs), e.cfg.rankTol, e.cfg.z)
		if m > 0 && m < r {
			if err := e.compressedPass(vecs[:m], nil); err != nil {
				return nil, err
			}
		}
	} else {
		m = rankRule(all, eigErrs(proj, r, pairs), e.cfg.rankTol, e.cfg.z)
		if m > 0 {
			if err := e.compressedPass(vecs[:m], nil); err != nil {
				return nil, err
			}
		}
	}
	l, ferr := e.finish(nil, all, proj)
	l.Truncated = m == r && r < dim
	l.Trace, l.TraceErr = meanSE(tr)
	if m == 0 {
		return l, fmt.Errorf("%w: largest eigenvalue %v, its standard error %v, RankTol %g, Z %g",
			ErrNoCurvature, all[0], l.EigErr[0], e.cfg.rankTol, e.cfg.z)
	}
	return l, ferr
}

// compressedPass is pass 2 of the matrix-free path: the compressed problem
// f_i ↦ V_m'∇²f_i(θ)V_m at every point (V_m = [vm...]) and the pointwise
// extreme quotients of its Definition 3.14, into e.pairs. When proj is not
// nil (len pairs·m) it adds the pair means of the diagonal of
// H_c(θ) = V_m'H(θ)V_m, the projections v_j'H(θ)v_j of the rank rule.
func (e *estimator) compressedPass(vm [][]float64, proj []float64) error {
	n, m := len(e.pd.comps), len(vm)
	type work2 struct {
		*mfWork
		b         []float64 // n blocks of m×m
		z         []float64
		hc, mc    *mat.SymDense
		di, t, uu *mat.Dense
		pw        pointwiseWork
	}
	newW2 := func() *work2 {
		return &work2{
			mfWork: e.newMFWork(), b: make([]float64, n*m*m), z: make([]float64, m),
			hc: mat.NewSymDense(m, nil), mc: mat.NewSymDense(m, nil),
			di: mat.NewDense(m, m, nil), t: mat.NewDense(m, m, nil), uu: mat.NewDense(m, m, nil),
		}
	}
	parallelFor(e.cfg.pairs, e.cfg.workers, newW2, func(w *work2, k int) {
		res := &e.pairs[k]
		w.smp.offset(w.u, k)
		for j, sign := range [2]float64{1, -1} {
			point(w.theta, e.center, w.u, sign)
			e.compress(w.b, w.z, w.hv, w.theta, vm)
			// H_c = Σ p_i B_i; M_c = Σ p_i (B_i − H_c) H_c (B_i − H_c).
			hr := w.hc.RawSymmetric()
			clear(hr.Data)
			for i := range n {
				bi := w.b[i*m*m : (i+1)*m*m]
				floats.AddScaled(hr.Data, e.pd.w[i], bi)
			}
			if proj != nil {
				for c := range m {
					proj[k*m+c] += hr.Data[c*m+c] / 2
				}
			}
			w.mc.Zero()
			for i := range n {
				bi := w.b[i*m*m : (i+1)*m*m]
				for a := range m {
					for c := range m {
						w.di.Set(a, c, bi[a*m+c]-hr.Data[a*m+c])
					}
				}
				w.t.Mul(w.hc, w.di)
				w.uu.Mul(w.di, w.t)
				mr := w.mc.RawSymmetric()
				for a := range m {
					for c := a; c < m; c++ {
						mr.Data[a*m+c] += e.pd.w[i] * (w.uu.At(a, c) + w.uu.At(c, a)) / 2
					}
				}
			}
			var err error
			res.inf[j], res.sup[j], res.valid[j], res.indefinite[j], err = w.pw.quotients(w.hc, w.mc, e.cfg.pointTol)
			if err != nil {
				res.err = fmt.Errorf("geometry: %v at sample point %d (pair %d)", err, 2*k+j, k)
				return
			}
		}
	})
	for k := range e.pairs {
		if err := e.pairs[k].err; err != nil {
			return err
		}
	}
	return nil
}

// compress writes B_i = V'∇²f_i(θ)V (m×m, row-major, symmetrised) for every
// component into b, V = [vm...]: by the problem's batched
// problems.HessianProjector when it has one, else from the rank-one
// structure when the component has it (z = V'a_i, B_i = c_i zz' + ρ_i I,
// plus V'diag(d)V for a common ridge diagonal d, O(pm + m²)), else from m Hessian-vector products (O(m) products and
// O(pm²)).
func (e *estimator) compress(b, z, hv, theta []float64, vm [][]float64) {
	m := len(vm)
	if e.pd.proj != nil {
		e.pd.proj.ProjectHessians(b, theta, vm, e.pd.all)
		return
	}
	var vdv []float64 // V'diag(d)V for a common ridge diagonal d
	if d := e.pd.ridgeDiag; d != nil {
		vdv = make([]float64, m*m)
		for x, u := range vm {
			for y, v := range vm {
				var s float64
				for j, dj := range d {
					s += u[j] * dj * v[j]
				}
				vdv[x*m+y] = s
			}
		}
	}
	for i := range e.pd.comps {
		bi := b[i*m*m : (i+1)*m*m]
		if r := e.pd.rank[i]; r != nil {
			c, a := r.RankOneHess(theta)
			rho := r.Ridge()
			for j, v := range vm {
				z[j] = floats.Dot(v, a)
			}
			for x := range m {
				for y := range m {
					bi[x*m+y] = c * z[x] * z[y]
				}
				bi[x*m+x] += rho
			}
			if vdv != nil {
				floats.Add(bi, vdv)
			}
			continue
		}
		for j, v := range vm {
			e.pd.chv[i].HessVec(hv, theta, v)
			for x, u := range vm {
				bi[x*m+j] = floats.Dot(u, hv)
			}
		}
		for x := range m {
			for y := x + 1; y < m; y++ {
				s := (bi[x*m+y] + bi[y*m+x]) / 2
				bi[x*m+y], bi[y*m+x] = s, s
			}
		}
	}
}

// pointwiseWork is the scratch of quotients.
type pointwiseWork struct {
	eig, keig mat.EigenSym
	vecs      mat.Dense
}

// quotients returns the extreme eigenvalues of K = W'MW, W = U₊Λ₊^{-1/2},
// over the numerically positive eigenspace of h (eigenvalues above
// tol·max|eig h|), as densePointwise does for the full matrices.
func (w *pointwiseWork) quotients(h, m *mat.SymDense, tol float64) (inf, sup float64, valid, indefinite bool, err error) {
	n := h.SymmetricDim()
	if !w.eig.Factorize(h, true) {
		return 0, 0, false, false, errors.New("the eigen-decomposition of H(θ) failed")
	}
	vals := w.eig.Values(nil)
	w.eig.VectorsTo(&w.vecs)
	maxAbs := max(math.Abs(vals[0]), math.Abs(vals[n-1]))
	for _, v := range vals {
		if math.IsNaN(v) {
			return 0, 0, false, false, errors.New("H(θ) is not finite")
		}
	}
	t := tol * maxAbs
	var pos []int
	for c, v := range vals {
		if v < -t {
			indefinite = true
		}
		if maxAbs > 0 && v > t {
			pos = append(pos, c)
		}
	}
	if len(pos) == 0 {
		return 0, 0, false, indefinite, nil
	}
	wm := mat.NewDense(n, len(pos), nil)
	for j, c := range pos {
		f := 1 / math.Sqrt(vals[c])
		for a := range n {
			wm.Set(a, j, w.vecs.At(a, c)*f)
		}
	}
	var mw, k mat.Dense
	mw.Mul(m, wm)
	k.Mul(wm.T(), &mw)
	ks := mat.NewSymDense(len(pos), nil)
	for a := range len(pos) {
		for c := a; c < len(pos); c++ {
			x := (k.At(a, c) + k.At(c, a)) / 2
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return 0, 0, false, false, errors.New("M(θ) is not finite")
			}
			ks.SetSym(a, c, x)
		}
	}
	if !w.keig.Factorize(ks, false) {
		return 0, 0, false, false, errors.New("the eigen-decomposition of K(θ) failed")
	}
	kv := w.keig.Values(nil)
	return kv[0], kv[len(kv)-1], true, indefinite, nil
}
