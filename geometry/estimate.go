package geometry

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"

	"golang.org/x/exp/stats"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
)

// Path selects how Estimate evaluates H(θ) and M(θ) at the sample points.
// The zero value, PathAuto, picks the fastest path the problem supports.
type Path int

const (
	// PathAuto uses PathClosedForm when the problem implements
	// problems.DiagonalMomenter, else PathDiagonal when every component
	// implements problems.DiagonalHessianer, else PathMatrixFree when the
	// dimension exceeds MatrixFreeDim, else PathRankOne when every
	// component implements problems.RankOneHessianer or
	// problems.RankOneDiagHessianer (with one ridge diagonal common to
	// all), else PathDense.
	PathAuto Path = iota
	// PathDense is the generic path: dense component Hessians, O(N p³) per
	// point. It is always available and always correct. Each component's
	// Hessian comes from problems.HessianOf: its own dense Hessian
	// (problems.Hessianer) when it has one, else one built from its
	// structure, its Hessian-vector products, or central differences of its
	// gradient.
	PathDense
	// PathDiagonal uses the components' diagonal Hessians
	// (problems.DiagonalHessianer), O(N p) per point.
	PathDiagonal
	// PathClosedForm uses the problem's closed-form diagonals of H(θ) and
	// M(θ) (problems.DiagonalMomenter), O(p) per point when the problem's
	// method is.
	PathClosedForm
	// PathRankOne uses rank-one component Hessians
	// ∇²f_i(θ) = c_i a_i a_i' + ρ_i I (problems.RankOneHessianer), with
	// G = Σ_i p_i c_i a_i a_i', H = G + ρ̄I, δ_i = ρ_i − ρ̄, S = Σ_i p_i δ_i c_i a_i a_i'
	// and the exact identity
	//
	//	M(θ) = Σ_i p_i c_i² (a_i'Ha_i) a_i a_i' − GHG + SH + HS + Var(ρ)·H,
	//
	// which takes four products of the N×p matrix of the a_i with p×p
	// matrices, O(N p² + p³) per point instead of O(N p³), and no p×p
	// matrix per component. Components implementing
	// problems.RankOneDiagHessianer, ∇²f_i = c_i a_i a_i' + diag(d), are
	// taken when d is the same for all (as for logistic regression with an
	// unpenalized intercept): the identity holds with ρ̄I replaced by
	// diag(d) and S = 0.
	//
	// When H(θ) is certified positive definite, every eigenvalue above the
	// point tolerance (from its Cholesky factor H = U'U: λ_min ≥
	// 1/‖U⁻¹‖_F² and λ_max ≤ ‖H‖_F), the pointwise quotients are the
	// eigenvalues of U⁻ᵀM(θ)U⁻¹ and no eigenvectors of H(θ) are computed,
	// on this path and on PathDense.
	PathRankOne
	// PathHessVec is PathDense with each component Hessian built column by
	// column from its Hessian-vector products (problems.HessVecOf), p
	// products per component and point. It checks the products against the
	// dense path.
	PathHessVec
	// PathFiniteDifference is PathDense with each component Hessian the
	// central difference of its gradient (problems.FDHessian), 2p gradients
	// per component and point (accuracy of problems.FDHessianStep). It needs
	// only Func and Grad.
	PathFiniteDifference
	// PathMatrixFree never forms a p×p matrix: λ_1..λ_r of H̄ by Lanczos
	// (geometry/spectral) on the ball-averaged Hessian-vector product, and
	// s_f, t_f of the problem compressed onto the span V of the top m
	// eigenvectors (see the package documentation for the rank rule, the
	// direction of each approximation and the cost).
	PathMatrixFree
)

// String returns the name of the path.
func (p Path) String() string {
	switch p {
	case PathAuto:
		return "auto"
	case PathDense:
		return "dense"
	case PathDiagonal:
		return "diagonal"
	case PathClosedForm:
		return "closed-form"
	case PathRankOne:
		return "rank-one"
	case PathHessVec:
		return "hessvec"
	case PathFiniteDifference:
		return "finite-difference"
	case PathMatrixFree:
		return "matrix-free"
	}
	return fmt.Sprintf("Path(%d)", int(p))
}

// Defaults of Settings: a zero field means the value here.
const (
	// DefaultRadius is the paper's ball radius ε ≈ 2e-2 (§4–§5).
	DefaultRadius = 2e-2
	// DefaultSamples is the paper's 1000 Monte Carlo points (500 pairs).
	DefaultSamples = 1000
	// DefaultRankTol is deliberately tiny: it only keeps rounding-level
	// eigenvalues of H̄ (of order 1e-16·λ_1) out of the rank, and leaves the
	// decision to the Z rule. An O(ε²) eigenvalue that is real but
	// negligible for the question asked needs a larger RankTol set by the
	// user (the reproduction of Tables 2–3 uses about 1e-3).
	DefaultRankTol = 1e-10
	// DefaultPointTol defines the numerically positive eigenspace of H(θ):
	// eigenvalues above 1e-10·max|eig H(θ)|. The pointwise quotient divides
	// by these eigenvalues, so rounding in v'M(θ)v of order 1e-16·‖M(θ)‖
	// reaches at most about 1e-6 of the typical quotient ‖M(θ)‖/‖H(θ)‖.
	DefaultPointTol = 1e-10
	// DefaultZ is the number of standard errors an eigenvalue of H̄ must
	// clear to count as nonzero (the rank rule of the package documentation).
	DefaultZ = 3
)

// ErrNoCurvature is returned (wrapped) by Estimate when H̄ has no eigenvalue
// that the rank rule counts as nonzero (m = 0), so that no threshold exists.
// The *Local returned with it carries the diagnostics.
var ErrNoCurvature = errors.New("geometry: no eigenvalue of the ball-averaged Hessian H̄ is nonzero (m = 0)")

// ErrAllSkipped is returned (wrapped) by Estimate when every sample point
// was skipped (H(θ) had no numerically positive eigenvalue anywhere), so that
// s_f and t_f are undefined. The *Local returned with it carries the
// diagnostics.
var ErrAllSkipped = errors.New("geometry: every sample point was skipped: H(θ) has no positive eigenvalue at any point")

// config is Settings with defaults applied and checked.
type config struct {
	radius   float64
	pairs    int
	seed     uint64
	workers  int
	rankTol  float64
	pointTol float64
	z        float64
	path     Path
	maxRank  int
	// defaultSamples: Samples was 0, so the path's own default applies.
	defaultSamples bool
}

func checkTol(name string, v, def float64) (float64, error) {
	switch {
	case math.IsNaN(v) || v < 0 || v >= 1:
		return 0, fmt.Errorf("geometry: %s = %v, want 0 (default %g) or a relative tolerance in (0, 1)", name, v, def)
	case v == 0:
		return def, nil
	}
	return v, nil
}

func (s Settings) resolve() (config, error) {
	var c config
	switch r := s.Radius; {
	case math.IsNaN(r) || math.IsInf(r, 0) || r < 0:
		return c, fmt.Errorf("geometry: Radius = %v, want a finite ε > 0 (or 0 for the default %g)", r, float64(DefaultRadius))
	case r == 0:
		c.radius = DefaultRadius
	default:
		c.radius = r
	}
	switch n := s.Samples; {
	case n < 0:
		return c, fmt.Errorf("geometry: Samples = %d is negative", n)
	case n == 0:
		c.pairs = DefaultSamples / 2
	case n < 4:
		return c, fmt.Errorf("geometry: Samples = %d, want at least 4 (two antithetic pairs) for standard errors", n)
	default:
		c.pairs = (n + 1) / 2
	}
	c.seed = s.Seed
	switch w := s.Workers; {
	case w < 0:
		return c, fmt.Errorf("geometry: Workers = %d is negative", w)
	case w == 0:
		c.workers = runtime.GOMAXPROCS(0)
	default:
		c.workers = w
	}
	var err error
	if c.rankTol, err = checkTol("RankTol", s.RankTol, DefaultRankTol); err != nil {
		return c, err
	}
	if c.pointTol, err = checkTol("PointTol", s.PointTol, DefaultPointTol); err != nil {
		return c, err
	}
	switch z := s.Z; {
	case math.IsNaN(z) || math.IsInf(z, 0) || z < 0:
		return c, fmt.Errorf("geometry: Z = %v, want a finite number of standard errors ≥ 0 (0 means the default %g)", z, float64(DefaultZ))
	case z == 0:
		c.z = DefaultZ
	default:
		c.z = z
	}
	switch r := s.MaxRank; {
	case r < 0:
		return c, fmt.Errorf("geometry: MaxRank = %d is negative", r)
	case r == 0:
		c.maxRank = DefaultMaxRank
	default:
		c.maxRank = r
	}
	c.defaultSamples = s.Samples == 0
	if s.Path < PathAuto || s.Path > PathMatrixFree {
		return c, fmt.Errorf("geometry: Path = %v is not a known path", s.Path)
	}
	c.path = s.Path
	return c, nil
}

// problemData is the problem unpacked once: interface values are fetched
// before the parallel loop, since Component(i) may allocate.
type problemData struct {
	dim     int
	w       []float64
	comps   []problems.Component
	diag    []problems.DiagonalHessianer // PathDiagonal
	moments problems.DiagonalMomenter    // PathClosedForm
	expHess problems.ExpectedHessianer   // PathDense, optional
	hess    []problems.Hessianer         // PathDense, PathHessVec, PathFiniteDifference
	rank    []problems.RankOneHessianer  // PathRankOne, PathMatrixFree
	// ridgeDiag is the common constant diagonal of components implementing
	// problems.RankOneDiagHessianer (rank then reports Ridge() = 0), nil
	// when every component is a problems.RankOneHessianer.
	ridgeDiag []float64
	ehv       problems.ExpectedHessVecer // PathMatrixFree
	chv       []problems.HessVecer       // PathMatrixFree
	proj      problems.HessianProjector  // PathMatrixFree, optional
	all       []int                      // 0..N−1, with proj
}

// hvOnly hides every capability of a component except its Hessian-vector
// product, so that problems.HessianOf builds the dense Hessian from products.
type hvOnly struct {
	problems.Component
	hv problems.HessVecer
}

func (h hvOnly) HessVec(dst, x, v []float64) { h.hv.HessVec(dst, x, v) }

// zeroRidge is a problems.RankOneDiagHessianer read as a
// problems.RankOneHessianer with Ridge() = 0, its diagonal being kept in
// problemData.ridgeDiag.
type zeroRidge struct {
	hess func(x []float64) (float64, []float64)
}

func (z zeroRidge) RankOneHess(x []float64) (float64, []float64) { return z.hess(x) }
func (zeroRidge) Ridge() float64                                 { return 0 }

// rankOne fills pd.rank (and pd.ridgeDiag) when every component is rank one
// plus a multiple of the identity, or rank one plus one constant diagonal
// common to all components, and otherwise says which component is not.
func (pd *problemData) rankOne() error {
	err := pd.rankOneAll()
	if err != nil {
		// Components that are rank one plus a multiple of the identity
		// keep that form for the matrix-free compression.
		pd.ridgeDiag = nil
		for i, c := range pd.comps {
			pd.rank[i], _ = c.(problems.RankOneHessianer)
		}
	}
	return err
}

func (pd *problemData) rankOneAll() error {
	var diag []float64 // the common diagonal, when some component has one
	first := -1
	for i, c := range pd.comps {
		if _, ok := c.(problems.RankOneHessianer); ok {
			continue
		}
		r, ok := c.(problems.RankOneDiagHessianer)
		if !ok {
			return fmt.Errorf("component %d of p implements neither problems.RankOneHessianer nor problems.RankOneDiagHessianer", i)
		}
		d := r.RidgeDiag()
		if len(d) != pd.dim {
			return fmt.Errorf("component %d of p has a RidgeDiag of length %d, want the dimension %d", i, len(d), pd.dim)
		}
		if diag == nil {
			diag, first = d, i
		} else if !floats.Equal(d, diag) {
			return fmt.Errorf("components %d and %d of p have different ridge diagonals (RidgeDiag), which the rank-one path does not support", first, i)
		}
	}
	for i, c := range pd.comps {
		r, ok := c.(problems.RankOneHessianer)
		switch {
		case diag == nil:
			pd.rank[i] = r
		case ok:
			// A scalar ridge among diagonal ones must equal the diagonal.
			for _, v := range diag {
				if v != r.Ridge() {
					return fmt.Errorf("component %d of p has ridge %v·I and component %d the ridge diagonal RidgeDiag, which the rank-one path does not combine", i, r.Ridge(), first)
				}
			}
			pd.rank[i] = zeroRidge{r.RankOneHess}
		default:
			pd.rank[i] = zeroRidge{c.(problems.RankOneDiagHessianer).RankOneHess}
		}
	}
	pd.ridgeDiag = append([]float64(nil), diag...)
	if diag == nil {
		pd.ridgeDiag = nil
	}
	return nil
}

func unpack(p problems.Problem, center []float64, path Path) (*problemData, Path, error) {
	if p == nil {
		return nil, path, errors.New("geometry: problem p is nil")
	}
	dim, n := p.Dim(), p.Len()
	if dim < 1 {
		return nil, path, fmt.Errorf("geometry: problem p has dimension %d, want at least 1", dim)
	}
	if n < 1 {
		return nil, path, fmt.Errorf("geometry: problem p has %d components, want at least 1", n)
	}
	if len(center) != dim {
		return nil, path, fmt.Errorf("geometry: center has length %d, want the problem's dimension %d", len(center), dim)
	}
	for d, v := range center {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, path, fmt.Errorf("geometry: center[%d] = %v is not finite", d, v)
		}
	}
	pd := &problemData{dim: dim, w: make([]float64, n), comps: make([]problems.Component, n)}
	var sum float64
	for i := range n {
		w := p.Weight(i)
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, path, fmt.Errorf("geometry: problem p has weight %d = %v, want finite and positive", i, w)
		}
		pd.w[i] = w
		sum += w
		if pd.comps[i] = p.Component(i); pd.comps[i] == nil {
			return nil, path, fmt.Errorf("geometry: problem p has a nil component %d", i)
		}
	}
	if !(math.Abs(sum-1) <= 1e-9) {
		return nil, path, fmt.Errorf("geometry: the weights of problem p sum to %v, want 1", sum)
	}
	pd.moments, _ = p.(problems.DiagonalMomenter)
	pd.expHess, _ = p.(problems.ExpectedHessianer)
	pd.diag = make([]problems.DiagonalHessianer, n)
	pd.rank = make([]problems.RankOneHessianer, n)
	allDiag := true
	for i, c := range pd.comps {
		var ok bool
		if pd.diag[i], ok = c.(problems.DiagonalHessianer); !ok {
			allDiag = false
		}
	}
	rankErr := pd.rankOne()
	allRank := rankErr == nil
	if path == PathAuto {
		switch {
		case pd.moments != nil:
			path = PathClosedForm
		case allDiag:
			path = PathDiagonal
		case dim > MatrixFreeDim:
			path = PathMatrixFree
		case allRank:
			path = PathRankOne
		default:
			path = PathDense
		}
	}
	switch path {
	case PathDense, PathHessVec, PathFiniteDifference:
		pd.hess = make([]problems.Hessianer, n)
		for i, c := range pd.comps {
			switch path {
			case PathDense:
				pd.hess[i] = problems.HessianOf(c)
			case PathHessVec:
				pd.hess[i] = problems.HessianOf(hvOnly{Component: c, hv: problems.HessVecOf(c)})
			default:
				pd.hess[i] = problems.FDHessian(c).(problems.Hessianer)
			}
		}
		if path != PathDense {
			pd.expHess = nil // every Hessian by the path's own form
		}
	case PathMatrixFree:
		pd.ehv = problems.ExpectedHessVecOf(p)
		if hp, ok := p.(problems.HessianProjector); ok {
			pd.proj = hp
			pd.all = make([]int, n)
			for i := range pd.all {
				pd.all[i] = i
			}
		}
		pd.chv = make([]problems.HessVecer, n)
		for i, c := range pd.comps {
			pd.chv[i] = problems.HessVecOf(c)
		}
	case PathRankOne:
		if rankErr != nil {
			return nil, path, fmt.Errorf("geometry: Path = rank-one but %v", rankErr)
		}
	}
	switch path {
	case PathClosedForm:
		if pd.moments == nil {
			return nil, path, errors.New("geometry: Path = closed-form but problem p does not implement problems.DiagonalMomenter")
		}
	case PathDiagonal:
		if !allDiag {
			for i, d := range pd.diag {
				if d == nil {
					return nil, path, fmt.Errorf("geometry: Path = diagonal but component %d of p does not implement problems.DiagonalHessianer", i)
				}
			}
		}
	}
	return pd, path, nil
}

// Estimate returns the local geometry of Definition 3.14 at center by Monte
// Carlo over the ball B = B(center, ε), ε = s.Radius (Definition 3.14):
//
//	H̄   = E_{θ~U(B)}[H(θ)]                                          (49)
//	s_f  = max(0, E_{θ~U(B)}[inf_v v'M(θ)v / v'H(θ)v])              (50)
//	t_f  = E_{θ~U(B)}[sup_v v'M(θ)v / v'H(θ)v]                      (after Table 2)
//
// with H(θ) = Σ_i p_i ∇²f_i(θ) and M(θ) = Σ_i p_i ∇²f_i(θ)H(θ)∇²f_i(θ) − H(θ)³.
// The result's Eigenvalues are the nonzero eigenvalues of H̄ by the rank rule,
// so that the thresholds of (51)–(52) are those of the thresholds package on
// l.Geometry(). See the package documentation for the sampling, the rank
// rule, the library's definition of the pointwise inf and sup (the
// numerically positive eigenspace of H(θ)), reproducibility and the fast
// paths.
//
// The points are s.Samples (rounded up to even) uniform points of B in
// antithetic pairs; each pair is one Monte Carlo unit. S, T, SErr, TErr and
// EigErr are means and standard errors over the pair means (a pair with one
// skipped point contributes its other point; a pair with both skipped
// contributes nothing to S and T). If fewer than two pairs contribute, SErr
// and TErr are +Inf.
//
// Estimate returns an error naming the argument when p is nil or malformed,
// center has the wrong length or a non-finite entry, a setting is negative
// or NaN (or a tolerance is ≥ 1), Samples is 1, 2 or 3, the requested Path is
// not supported by p, or H(θ) or M(θ) is not finite at a point. When the rank
// rule finds no nonzero eigenvalue it returns the Local with its diagnostics
// together with an error wrapping ErrNoCurvature; when every point was
// skipped, likewise with ErrAllSkipped (S, T, their errors and TMedian are
// then NaN). center is not modified and the
// problem's box, if any, is ignored: the ball is the paper's.
func Estimate(p problems.Problem, center []float64, s Settings) (*Local, error) {
	return estimate(p, center, s, false)
}

// estimate is Estimate; noChol turns off the Cholesky branch of the dense
// pointwise quotients (for tests).
func estimate(p problems.Problem, center []float64, s Settings, noChol bool) (*Local, error) {
	cfg, err := s.resolve()
	if err != nil {
		return nil, err
	}
	pd, path, err := unpack(p, center, cfg.path)
	if err != nil {
		return nil, err
	}
	cfg.path = path
	if path == PathMatrixFree && cfg.defaultSamples {
		cfg.pairs = DefaultMatrixFreeSamples / 2
	}
	if path != PathMatrixFree && path != PathDiagonal && path != PathClosedForm {
		if err := denseMemory(pd.dim, len(pd.comps), cfg.pairs, cfg.workers, path == PathRankOne); err != nil {
			return nil, err
		}
	}
	e := &estimator{cfg: cfg, pd: pd, center: center, pairs: make([]pairResult, cfg.pairs), noChol: noChol}
	if path == PathMatrixFree {
		return e.matrixFree()
	}
	var hbar *mat.SymDense
	var vecs [][]float64 // eigenvectors of H̄, by AllEigenvalues order
	var all []float64
	var proj []float64 // proj[k*dim+j] = v_j' H_k v_j, H_k the pair mean of pair k
	if path != PathDiagonal && path != PathClosedForm {
		hbar, err = e.denseMain()
		if err != nil {
			return nil, err
		}
		var eig mat.EigenSym
		if !eig.Factorize(hbar, true) {
			return nil, errors.New("geometry: the eigen-decomposition of H̄ failed")
		}
		vals := eig.Values(nil)
		var u mat.Dense
		eig.VectorsTo(&u)
		all = make([]float64, pd.dim)
		vecs = make([][]float64, pd.dim)
		for j := range all {
			c := pd.dim - 1 - j // descending
			all[j] = vals[c]
			vecs[j] = mat.Col(nil, c, &u)
		}
		if proj, err = e.denseProjections(vecs); err != nil {
			return nil, err
		}
	} else {
		hk, err := e.diagMain()
		if err != nil {
			return nil, err
		}
		hbar, all, proj = diagReduce(hk, pd.dim, cfg.pairs)
	}
	return e.finish(hbar, all, proj)
}

// pairResult holds what a pair contributes to S, T and the counts.
type pairResult struct {
	inf, sup   [2]float64
	valid      [2]bool // the point had a nonempty positive eigenspace
	indefinite [2]bool
	err        error
}

type estimator struct {
	cfg    config
	pd     *problemData
	center []float64
	pairs  []pairResult
	// hk holds the pair means of H(θ) (upper triangles, p×p each) when
	// they fit in pairMeanBytes, so that the projections on the
	// eigenvectors of H̄ need not evaluate H(θ) again.
	hk []float64
	// noChol turns off the Cholesky branch of densePointwise, so that tests
	// can compare it with the eigen-decomposition branch.
	noChol bool
}

// DenseMaxBytes is the memory budget, over all workers, of the paths that
// form p×p matrices (PathDense, PathHessVec, PathFiniteDifference and
// PathRankOne): about 8·16p² bytes per worker, plus 8·(3p² + 3Np) for
// PathRankOne's rows and products, plus the shared sums and stored pair
// means. Estimate returns an
// error naming the size instead of exceeding it.
const DenseMaxBytes = 4 << 30

// pairMeanBytes is the memory the dense paths may spend on storing the pair
// means of H(θ) instead of recomputing them.
const pairMeanBytes = 1 << 27

// sampler draws the offset u of an antithetic pair: u = ε U^{1/p} z/‖z‖ with
// z ~ N(0, I_p) drawn first and then U ~ U(0,1), from the stream
// PCG(Seed, problems.SplitMix64(k)) of pair k, that is problems.Stream(Seed, k)
// reseeded in place.
type sampler struct {
	src    *rand.PCG
	rnd    *rand.Rand
	seed   uint64
	radius float64
}

func newSampler(seed uint64, radius float64) *sampler {
	src := rand.NewPCG(0, 0)
	return &sampler{src: src, rnd: rand.New(src), seed: seed, radius: radius}
}

func (s *sampler) offset(u []float64, k int) {
	s.src.Seed(s.seed, problems.SplitMix64(uint64(k)))
	var nrm2 float64
	for nrm2 == 0 {
		for d := range u {
			z := s.rnd.NormFloat64()
			u[d] = z
			nrm2 += z * z
		}
	}
	r := s.radius * math.Pow(s.rnd.Float64(), 1/float64(len(u)))
	f := r / math.Sqrt(nrm2)
	for d := range u {
		u[d] *= f
	}
}

// point sets theta = center + sign·u.
func point(theta, center, u []float64, sign float64) {
	for d := range theta {
		theta[d] = center[d] + sign*u[d]
	}
}

// parallelFor calls body(w, i) for i in [0, n) on min(workers, n)
// goroutines, each with its own workspace from newW. The assignment of
// indices to goroutines is dynamic, so body must write only to slots
// indexed by i.
func parallelFor[W any](n, workers int, newW func() W, body func(w W, i int)) {
	problems.Parallel(n, workers, func() func(int) {
		w := newW()
		return func(i int) { body(w, i) }
	})
}

// pointwise returns the extreme quotients over the numerically positive
// entries of a diagonal H(θ) with quotient entries q (M_dd/H_dd).
func diagPointwise(h, q []float64, tol float64) (inf, sup float64, valid, indefinite bool, err error) {
	var maxAbs float64
	for _, v := range h {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, false, false, errors.New("H(θ) is not finite")
		}
		maxAbs = max(maxAbs, math.Abs(v))
	}
	t := tol * maxAbs
	inf, sup = math.Inf(1), math.Inf(-1)
	for d, v := range h {
		if v < -t {
			indefinite = true
		}
		if maxAbs > 0 && v > t {
			if math.IsNaN(q[d]) || math.IsInf(q[d], 0) {
				return 0, 0, false, false, errors.New("M(θ) is not finite")
			}
			valid = true
			inf = min(inf, q[d])
			sup = max(sup, q[d])
		}
	}
	return inf, sup, valid, indefinite, nil
}

type diagWork struct {
	smp               *sampler
	theta, u, h, m, b []float64
}

// diagMain runs PathDiagonal or PathClosedForm and returns the pair means
// of the diagonal of H(θ), hk[k*dim+d].
func (e *estimator) diagMain() ([]float64, error) {
	dim := e.pd.dim
	hk := make([]float64, e.cfg.pairs*dim)
	newW := func() *diagWork {
		return &diagWork{
			smp:   newSampler(e.cfg.seed, e.cfg.radius),
			theta: make([]float64, dim), u: make([]float64, dim),
			h: make([]float64, dim), m: make([]float64, dim), b: make([]float64, dim),
		}
	}
	parallelFor(e.cfg.pairs, e.cfg.workers, newW, func(w *diagWork, k int) {
		res := &e.pairs[k]
		w.smp.offset(w.u, k)
		mean := hk[k*dim : (k+1)*dim]
		for j, sign := range [2]float64{1, -1} {
			point(w.theta, e.center, w.u, sign)
			if e.cfg.path == PathClosedForm {
				e.pd.moments.DiagonalMoments(w.h, w.m, w.theta)
				for d, v := range w.h {
					w.m[d] /= v // M_dd/H_dd; the pointwise code looks only at H_dd > 0
				}
			} else {
				e.diagMoments(w.h, w.m, w.b, w.theta)
			}
			var err error
			res.inf[j], res.sup[j], res.valid[j], res.indefinite[j], err = diagPointwise(w.h, w.m, e.cfg.pointTol)
			if err != nil {
				res.err = fmt.Errorf("geometry: %v at sample point %d (pair %d)", err, 2*k+j, k)
				return
			}
			for d, v := range w.h {
				mean[d] += v / 2
			}
		}
	})
	for k := range e.pairs {
		if err := e.pairs[k].err; err != nil {
			return nil, err
		}
	}
	return hk, nil
}

// diagMoments computes, for components with diagonal Hessians h_i, the
// diagonal H_dd = Σ p_i h_id and the quotients q_d = M_dd/H_dd =
// Σ p_i (h_id − H_dd)² (since M_dd = Σ p_i h_id² H_dd − H_dd³ = H_dd·Var_i h_id)
// in one pass with West's weighted incremental mean and variance, which
// avoids the cancellation of E[h²] − E[h]².
func (e *estimator) diagMoments(h, q, buf, theta []float64) {
	for d := range h {
		h[d], q[d] = 0, 0
	}
	var wsum float64
	for i, dh := range e.pd.diag {
		dh.DiagonalHess(buf, theta)
		w := e.pd.w[i]
		old := wsum
		wsum += w
		r := w / wsum
		for d, v := range buf {
			delta := v - h[d]
			rd := delta * r
			h[d] += rd
			q[d] += old * delta * rd
		}
	}
	for d := range q {
		q[d] /= wsum
	}
}

// diagReduce forms H̄ (diagonal), its eigenvalues in descending order and
// the projections v_j'H_k v_j = H_k[d_j] on its eigenvectors e_{d_j}.
func diagReduce(hk []float64, dim, pairs int) (*mat.SymDense, []float64, []float64) {
	hb := make([]float64, dim)
	for k := range pairs {
		for d, v := range hk[k*dim : (k+1)*dim] {
			hb[d] += v
		}
	}
	for d := range hb {
		hb[d] /= float64(pairs)
	}
	order := make([]int, dim)
	for d := range order {
		order[d] = d
	}
	sort.SliceStable(order, func(a, b int) bool { return hb[order[a]] > hb[order[b]] })
	hbar := mat.NewSymDense(dim, nil)
	all := make([]float64, dim)
	for j, d := range order {
		hbar.SetSym(d, d, hb[d])
		all[j] = hb[d]
	}
	proj := make([]float64, pairs*dim)
	for k := range pairs {
		for j, d := range order {
			proj[k*dim+j] = hk[k*dim+d]
		}
	}
	return hbar, all, proj
}

// denseWork is the workspace of one goroutine on PathDense.
type denseWork struct {
	smp      *sampler
	theta, u []float64
	comp     *mat.SymDense // ∇²f_i(θ)
	h        *mat.SymDense // H(θ)
	sum      *mat.SymDense // pair-mean accumulator
	eig      mat.EigenSym
	vecs     mat.Dense
	vals     []float64
	d        blas64.General   // ∇²f_i(θ) − H(θ), full
	y        blas64.General   // (∇²f_i − H)U
	yp, yn   blas64.General   // columns of y scaled by √|λ|, positive and negative λ
	s        blas64.Symmetric // Σ p_i (∇²f_i − H) H (∇²f_i − H) = M(θ)
	k        *mat.Dense
	ks       *mat.SymDense
	keig     mat.EigenSym

	// PathRankOne: the rows a_i, the scales c_i and ridges ρ_i at θ, G and
	// scratch (allocated by rankOneWork).
	ra, rb, ry   blas64.General // N×p
	rc, rrho, rq []float64
	rg, rhf, rt  blas64.General // p×p: G, H (full), products
	rbar, rvar   float64        // ρ̄, Var(ρ)
	rdelta       bool           // some ρ_i ≠ ρ̄

	// The Cholesky factor H = U'U when H(θ) has one (cholFactored), U⁻¹,
	// and whether every eigenvalue of H(θ) is certified above the point
	// tolerance (cholOK); vt holds V' of densePointwise.
	rchol        mat.Cholesky
	ru, rinv     mat.TriDense
	cholFactored bool
	cholOK       bool
	vt, rows     []float64
}

// rankOneWork allocates the PathRankOne scratch of w for n components.
func (w *denseWork) rankOneWork(n, dim int) {
	gen := func(r, c int) blas64.General {
		return blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
	}
	w.ra, w.rb, w.ry = gen(n, dim), gen(n, dim), gen(n, dim)
	w.rc, w.rrho, w.rq = make([]float64, n), make([]float64, n), make([]float64, n)
	w.rg, w.rhf, w.rt = gen(dim, dim), gen(dim, dim), gen(dim, dim)
}

func (e *estimator) newDenseWork() *denseWork {
	dim := e.pd.dim
	gen := func(r, c int) blas64.General {
		return blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
	}
	w := &denseWork{
		smp:   newSampler(e.cfg.seed, e.cfg.radius),
		theta: make([]float64, dim), u: make([]float64, dim),
		comp: mat.NewSymDense(dim, nil), h: mat.NewSymDense(dim, nil), sum: mat.NewSymDense(dim, nil),
		d: gen(dim, dim), y: gen(dim, dim), yp: gen(dim, dim), yn: gen(dim, dim),
		s:  blas64.Symmetric{N: dim, Stride: dim, Uplo: blas.Upper, Data: make([]float64, dim*dim)},
		vt: make([]float64, dim*dim), rows: make([]float64, dim),
	}
	if e.cfg.path == PathRankOne {
		w.rankOneWork(len(e.pd.comps), dim)
	}
	return w
}

// rankOneHess evaluates the rank-one component Hessians c_i a_i a_i' + ρ_i I
// at w.theta into w.ra, w.rc, w.rrho, and writes G = Σ_i p_i c_i a_i a_i' into
// w.rg and H = G + ρ̄I into w.h and w.rhf.
func (e *estimator) rankOneHess(w *denseWork) {
	dim := e.pd.dim
	var rbar float64
	for i, r := range e.pd.rank {
		c, a := r.RankOneHess(w.theta)
		copy(w.ra.Data[i*dim:(i+1)*dim], a)
		w.rc[i] = c
		w.rrho[i] = r.Ridge()
		rbar += e.pd.w[i] * w.rrho[i]
		w.rq[i] = e.pd.w[i] * c
	}
	if allEqual(w.rrho) {
		// The weighted mean of equal ridges can differ from them by
		// rounding; S = 0 and Var(ρ) = 0 exactly then.
		rbar = w.rrho[0]
	}
	w.rbar, w.rvar, w.rdelta = rbar, 0, false
	for i, rho := range w.rrho {
		if d := rho - rbar; d != 0 {
			w.rdelta = true
			w.rvar += e.pd.w[i] * d * d
		}
	}
	weightedGram(w.rg, w.ra, w.rb, w.rq)
	hr := w.h.RawSymmetric()
	for a := range dim {
		for b := range dim {
			v := (w.rg.Data[a*dim+b] + w.rg.Data[b*dim+a]) / 2
			if a == b {
				v += rbar
				if e.pd.ridgeDiag != nil {
					v += e.pd.ridgeDiag[a]
				}
			}
			w.rhf.Data[a*dim+b] = v
			if b >= a {
				hr.Data[a*hr.Stride+b] = v
			}
		}
	}
}

// allEqual reports whether every element of x equals x[0].
func allEqual(x []float64) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}

// weightedGram sets dst (p×p, full) to A' diag(d) A for the N×p matrix a,
// by symmetric rank-k updates (half the flops of a general product): rows
// scaled by √d_i for d_i > 0 and by √(−d_i) for d_i < 0, in two updates.
// scratch is N×p.
func weightedGram(dst, a, scratch blas64.General, d []float64) {
	p := a.Cols
	c := blas64.Symmetric{N: p, Stride: dst.Stride, Uplo: blas.Upper, Data: dst.Data}
	beta := 0.0
	for _, sign := range [2]float64{1, -1} {
		any := false
		for i, di := range d {
			row := scratch.Data[i*scratch.Stride : i*scratch.Stride+p]
			if sign*di > 0 {
				any = true
				f := math.Sqrt(sign * di)
				ar := a.Data[i*a.Stride : i*a.Stride+p]
				for k, v := range ar {
					row[k] = f * v
				}
			} else {
				clear(row)
			}
		}
		if any {
			blas64.Syrk(blas.Trans, sign, scratch, beta, c)
			beta = 1
		}
	}
	if beta == 0 {
		for r := range p {
			clear(dst.Data[r*dst.Stride : r*dst.Stride+p])
		}
		return
	}
	for r := range p {
		for k := 0; k < r; k++ {
			dst.Data[r*dst.Stride+k] = dst.Data[k*dst.Stride+r]
		}
	}
}

// rankOneMoment writes M(θ) (upper triangle) into w.s from the rank-one data
// of rankOneHess, by the identity documented at PathRankOne:
//
//	M = Σ_i p_i c_i² (a_i'Ha_i) a_i a_i' − GHG + SH + HS + Var(ρ)·H.
func (e *estimator) rankOneMoment(w *denseWork) {
	dim := e.pd.dim
	// q_i = a_i'Ha_i: with a Cholesky factor H = U'U, q_i = ‖Ua_i‖², the
	// rows of AU' by a triangular product (half the flops of AH);
	// otherwise (H only semidefinite) from Y = AH.
	if w.cholFactored {
		copy(w.ry.Data, w.ra.Data)
		blas64.Trmm(blas.Right, blas.Trans, 1, w.ru.RawTriangular(), w.ry)
		for i := range w.rc {
			y := w.ry.Data[i*dim : (i+1)*dim]
			w.rq[i] = e.pd.w[i] * w.rc[i] * w.rc[i] * floats.Dot(y, y)
		}
	} else {
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, w.ra, w.rhf, 0, w.ry)
		for i := range w.rc {
			a := w.ra.Data[i*dim : (i+1)*dim]
			y := w.ry.Data[i*dim : (i+1)*dim]
			w.rq[i] = e.pd.w[i] * w.rc[i] * w.rc[i] * floats.Dot(a, y)
		}
	}
	// M = A' diag(p c² q) A − G(HG).
	m := blas64.General{Rows: dim, Cols: dim, Stride: dim, Data: w.s.Data}
	weightedGram(m, w.ra, w.rb, w.rq)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, w.rhf, w.rg, 0, w.rt)
	blas64.Gemm(blas.NoTrans, blas.NoTrans, -1, w.rg, w.rt, 1, m)
	if w.rdelta {
		// S = A' diag(p δ c) A into rt is not needed as a whole: with
		// B = diag(p δ c) A, SH = A'(BH).
		for i := range w.rc {
			f := e.pd.w[i] * (w.rrho[i] - w.rbar) * w.rc[i]
			a := w.ra.Data[i*dim : (i+1)*dim]
			row := w.rb.Data[i*dim : (i+1)*dim]
			for d, v := range a {
				row[d] = f * v
			}
		}
		blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, w.rb, w.rhf, 0, w.ry)
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, w.ra, w.ry, 0, w.rt) // SH
		for a := range dim {
			for b := range dim {
				m.Data[a*dim+b] += w.rt.Data[a*dim+b] + w.rt.Data[b*dim+a] + w.rvar*w.rhf.Data[a*dim+b]
			}
		}
	}
	// Symmetrise into the upper triangle that the caller reads.
	for a := range dim {
		for b := a + 1; b < dim; b++ {
			m.Data[a*dim+b] = (m.Data[a*dim+b] + m.Data[b*dim+a]) / 2
		}
	}
}

// hessAt writes H(θ) into w.h, from the problem's ExpectedHess when it has
// one, and reports whether it is finite.
func (e *estimator) hessAt(w *denseWork) bool {
	dim := e.pd.dim
	hr := w.h.RawSymmetric()
	if e.cfg.path == PathRankOne {
		e.rankOneHess(w)
	} else if e.pd.expHess != nil {
		e.pd.expHess.ExpectedHess(w.h, w.theta)
	} else {
		for a := range dim {
			clear(hr.Data[a*hr.Stride+a : a*hr.Stride+dim])
		}
		for i, h := range e.pd.hess {
			h.Hess(w.comp, w.theta)
			addUpper(hr, e.pd.w[i], w.comp.RawSymmetric())
		}
	}
	for a := range dim {
		for _, v := range hr.Data[a*hr.Stride+a : a*hr.Stride+dim] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}

// addUpper adds alpha·src to dst on the upper triangle.
func addUpper(dst blas64.Symmetric, alpha float64, src blas64.Symmetric) {
	for a := range dst.N {
		dr := dst.Data[a*dst.Stride+a : a*dst.Stride+dst.N]
		sr := src.Data[a*src.Stride+a : a*src.Stride+src.N]
		for b, v := range sr {
			dr[b] += alpha * v
		}
	}
}

// densePointwise computes, at w.theta with H(θ) in w.h, the extreme
// eigenvalues of K(θ) = Λ₊^{-1/2}U₊'M(θ)U₊Λ₊^{-1/2} over the numerically
// positive eigenspace of H(θ).
//
// M(θ) is formed centred, M = Σ_i p_i D_i H D_i with D_i = ∇²f_i − H (equal
// to Σ p_i ∇²f_i H ∇²f_i − H³ because Σ p_i D_i = 0), which avoids the
// cancellation of the uncentred form when the components nearly agree.
//
// When certifyPositive shows every eigenvalue of H above the tolerance, H =
// U'U (Cholesky), K = U⁻ᵀMU⁻¹ has the same eigenvalues, and each term of M
// is (D_iU')(D_iU')': one triangular product and one symmetric rank-p
// update, 2p³ flops per component, with no eigenvectors of H. Otherwise,
// with H = UΛU', each term is (D_iU)Λ(D_iU)': one matrix product and one
// symmetric rank-p update, 3p³ flops per component.
func (e *estimator) densePointwise(w *denseWork) (inf, sup float64, valid, indefinite bool, err error) {
	dim := e.pd.dim
	// Without a certified Cholesky factor, Up and Un are factors with
	// H = Up Up' − Un Un', and V (p×m) spans the numerically positive
	// eigenspace with V'HV = I, so that K = V'MV. w.vt holds V' (m×p); on
	// the Cholesky branch V = U⁻¹.
	var np, nn, m int
	w.cholFactored = w.rchol.Factorize(w.h)
	if w.cholFactored {
		w.rchol.UTo(&w.ru)
	}
	w.cholOK = w.cholFactored && !e.noChol && certifyPositive(w.h, &w.ru, &w.rinv, e.cfg.pointTol, w.rows)
	if w.cholOK {
		// H = U'U with every eigenvalue certified above the tolerance:
		// V' = U⁻ᵀ, and no eigenvectors are needed.
		m = dim
		ir := w.rinv.RawTriangular()
		for a := range dim {
			for b := range dim {
				var y float64
				if b <= a {
					y = ir.Data[b*ir.Stride+a]
				}
				w.vt[a*dim+b] = y
			}
		}
	} else {
		if !w.eig.Factorize(w.h, true) {
			return 0, 0, false, false, errors.New("the eigen-decomposition of H(θ) failed")
		}
		w.vals = w.eig.RawValues() // ascending; not modified
		w.eig.VectorsTo(&w.vecs)
		maxAbs := max(math.Abs(w.vals[0]), math.Abs(w.vals[dim-1]))
		t := e.cfg.pointTol * maxAbs
		for _, v := range w.vals {
			if v < -t {
				indefinite = true
			}
			if maxAbs > 0 && v > t {
				m++
			}
		}
		if m == 0 {
			return 0, 0, false, indefinite, nil
		}
		// Columns of U scaled by √|λ|, split by sign: H = Up Up' − Un Un'.
		for _, v := range w.vals {
			if v > 0 {
				np++
			} else if v < 0 {
				nn++
			}
		}
		u := w.vecs.RawMatrix()
		// U's columns scaled by √|λ|, split by sign, so that (∇²f_i − H)·Up
		// and (∇²f_i − H)·Un are the scaled columns directly; the rows of
		// V' are the columns of U₊Λ₊^{-1/2}.
		up := blas64.General{Rows: dim, Cols: np, Stride: w.y.Stride, Data: w.y.Data}
		un := blas64.General{Rows: dim, Cols: nn, Stride: w.y.Stride, Data: w.y.Data[np:]}
		for a := range dim {
			ip, in, j := a*up.Stride, a*un.Stride, 0
			for c, v := range w.vals {
				switch {
				case v > 0:
					up.Data[ip] = u.Data[a*u.Stride+c] * math.Sqrt(v)
					ip++
				case v < 0:
					un.Data[in] = u.Data[a*u.Stride+c] * math.Sqrt(-v)
					in++
				}
				if maxAbs > 0 && v > t {
					w.vt[j*dim+a] = u.Data[a*u.Stride+c] / math.Sqrt(v)
					j++
				}
			}
		}
	}
	if w.k == nil || w.k.RawMatrix().Rows != m {
		w.k = mat.NewDense(m, m, nil)
		w.ks = mat.NewSymDense(m, nil)
	}
	if w.cholOK && e.cfg.path == PathRankOne && !w.rdelta {
		e.rankOneK(w)
	} else {
		e.momentK(w, np, nn, m)
	}
	for a := range m {
		for b := a; b < m; b++ {
			x := (w.k.At(a, b) + w.k.At(b, a)) / 2
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return 0, 0, false, false, errors.New("M(θ) is not finite")
			}
			w.ks.SetSym(a, b, x)
		}
	}
	if !w.keig.Factorize(w.ks, false) {
		return 0, 0, false, false, errors.New("the eigen-decomposition of K(θ) failed")
	}
	kv := w.keig.RawValues() // ascending
	return kv[0], kv[m-1], true, indefinite, nil
}

// momentK forms M(θ) in w.s and writes K = V'MV into w.k (m×m, full), from
// the Cholesky factor (w.cholOK) or the factors H = Up Up' − Un Un' (np and
// nn columns of w.y), and V' (m×p, w.vt), set by densePointwise.
func (e *estimator) momentK(w *denseWork, np, nn, m int) {
	dim := e.pd.dim
	yp := blas64.General{Rows: dim, Cols: np, Stride: w.yp.Stride, Data: w.yp.Data}
	yn := blas64.General{Rows: dim, Cols: nn, Stride: w.yn.Stride, Data: w.yn.Data}
	up := blas64.General{Rows: dim, Cols: np, Stride: w.y.Stride, Data: w.y.Data}
	un := blas64.General{Rows: dim, Cols: nn, Stride: w.y.Stride, Data: w.y.Data[np:]}
	clear(w.s.Data)
	hr := w.h.RawSymmetric()
	if e.cfg.path == PathRankOne {
		e.rankOneMoment(w)
	}
	for i, h := range e.pd.hess {
		h.Hess(w.comp, w.theta)
		cr := w.comp.RawSymmetric()
		d := w.d.Data
		if w.cholOK {
			d = w.yp.Data // D Uᵀ in place, by a triangular product
		}
		for a := range dim {
			for b := a; b < dim; b++ {
				v := cr.Data[a*cr.Stride+b] - hr.Data[a*hr.Stride+b]
				d[a*dim+b] = v
				d[b*dim+a] = v
			}
		}
		if w.cholOK {
			blas64.Trmm(blas.Right, blas.Trans, 1, w.ru.RawTriangular(), w.yp)
			blas64.Syrk(blas.NoTrans, e.pd.w[i], w.yp, 1, w.s)
			continue
		}
		if np > 0 {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, w.d, up, 0, yp)
		}
		if nn > 0 {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, w.d, un, 0, yn)
		}
		if np > 0 {
			blas64.Syrk(blas.NoTrans, e.pd.w[i], yp, 1, w.s)
		}
		if nn > 0 {
			blas64.Syrk(blas.NoTrans, -e.pd.w[i], yn, 1, w.s)
		}
	}
	// K = (V'M)V, with M filled in full.
	for a := range dim {
		for b := a; b < dim; b++ {
			v := w.s.Data[a*dim+b]
			w.d.Data[a*dim+b], w.d.Data[b*dim+a] = v, v
		}
	}
	vt := blas64.General{Rows: m, Cols: dim, Stride: dim, Data: w.vt[:m*dim]}
	x := blas64.General{Rows: m, Cols: dim, Stride: dim, Data: w.yp.Data[:m*dim]}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, vt, w.d, 0, x)
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, x, vt, 0, w.k.RawMatrix())
}

// rankOneK writes K = U⁻ᵀ M U⁻¹ into w.k (p×p, full) on PathRankOne with
// equal ridges R (ρI, or the common diag(d) of problems.RankOneDiagHessianer
// components) and a certified Cholesky factor H = U'U. With G = H − R,
// M = A' diag(q) A − GHG (q_i = p_i c_i² a_i'Ha_i), T = UGU⁻¹ = UU' − URU⁻¹
// (= UU' − ρI, symmetric, for R = ρI) and Z = AU⁻¹,
//
//	K = Z' diag(q) Z − T'T,
//
// which needs no M: two triangular products with the N×p matrix A (by U'
// and by the U⁻¹ that certifyPositive formed), two symmetric rank-k
// updates and one triangular p×p product.
func (e *estimator) rankOneK(w *denseWork) {
	dim := e.pd.dim
	u := w.ru.RawTriangular()
	copy(w.ry.Data, w.ra.Data)
	blas64.Trmm(blas.Right, blas.Trans, 1, u, w.ry) // rows U a_i
	for i := range w.rc {
		y := w.ry.Data[i*dim : (i+1)*dim]
		w.rq[i] = e.pd.w[i] * w.rc[i] * w.rc[i] * floats.Dot(y, y)
	}
	copy(w.ry.Data, w.ra.Data)
	blas64.Trmm(blas.Right, blas.NoTrans, 1, w.rinv.RawTriangular(), w.ry) // Z = AU⁻¹
	k := w.k.RawMatrix()
	weightedGram(k, w.ry, w.rb, w.rq)
	// T = UU' − ρI into w.rt, then K −= T'T (upper triangle).
	for a := range dim {
		row := w.rt.Data[a*dim : (a+1)*dim]
		clear(row[:a])
		copy(row[a:], u.Data[a*u.Stride+a:a*u.Stride+dim])
	}
	blas64.Trmm(blas.Right, blas.Trans, 1, u, w.rt)
	if d := e.pd.ridgeDiag; d != nil {
		// A ridge diag(d): T = UGU⁻¹ = UU' − U diag(d) U⁻¹, not symmetric.
		ud := w.d.Data
		for a := range dim {
			for b := range dim {
				ud[a*dim+b] = 0
				if b >= a {
					ud[a*dim+b] = u.Data[a*u.Stride+b] * d[b]
				}
			}
		}
		udg := blas64.General{Rows: dim, Cols: dim, Stride: dim, Data: ud}
		blas64.Trmm(blas.Right, blas.NoTrans, 1, w.rinv.RawTriangular(), udg)
		floats.Sub(w.rt.Data, ud)
	} else {
		for a := range dim {
			w.rt.Data[a*dim+a] -= w.rbar
		}
	}
	blas64.Syrk(blas.Trans, -1, w.rt, 1, blas64.Symmetric{N: dim, Stride: k.Stride, Uplo: blas.Upper, Data: k.Data})
	for a := range dim {
		for b := a + 1; b < dim; b++ {
			k.Data[b*k.Stride+a] = k.Data[a*k.Stride+b]
		}
	}
}

// certifyPositive reports whether every eigenvalue of the symmetric h, with
// Cholesky factor h = U'U, provably exceeds tol·max|eig h|, and if so sets
// inv to U⁻¹. It uses λ_min ≥ 1/‖U⁻¹‖_F² (as ‖h⁻¹‖₂ = ‖U⁻¹‖₂²) and
// λ_max ≤ min(‖h‖_F, ‖h‖_∞), with a factor 2 for rounding in the bounds, so
// it may refuse a matrix that passes the eigenvalue test, never the
// reverse (up to that rounding).
func certifyPositive(h *mat.SymDense, u, inv *mat.TriDense, tol float64, rows []float64) bool {
	if err := inv.InverseTri(u); err != nil {
		return false
	}
	n := h.SymmetricDim()
	ir := inv.RawTriangular()
	var fi float64
	for a := range n {
		for _, v := range ir.Data[a*ir.Stride+a : a*ir.Stride+n] {
			fi += v * v
		}
	}
	hr := h.RawSymmetric()
	clear(rows)
	var fh float64
	for a := range n {
		for b := a; b < n; b++ {
			v := math.Abs(hr.Data[a*hr.Stride+b])
			rows[a] += v
			if b != a {
				rows[b] += v
				fh += 2 * v * v
			} else {
				fh += v * v
			}
		}
	}
	hi := min(math.Sqrt(fh), floats.Max(rows))
	lo := 1 / fi
	return lo > 2*tol*hi && !math.IsInf(hi, 0) && !math.IsNaN(lo)
}

// denseMemory returns an error naming the size when the dense paths would
// need more than DenseMaxBytes for dimension dim, n components, the given
// pairs and workers (rankOne: PathRankOne's N×p rows per worker).
func denseMemory(dim, n, pairs, workers int, rankOne bool) error {
	p, nf := float64(dim), float64(n)
	perWorker := 8 * 16 * p * p
	if rankOne {
		perWorker += 8 * (3*p*p + 3*nf*p)
	}
	shared := 8 * p * p * float64(denseChunks(dim, pairs)+4)
	if b := 8 * float64(pairs) * p * p; b <= pairMeanBytes {
		shared += b
	}
	need := float64(workers)*perWorker + shared
	if need > DenseMaxBytes {
		return fmt.Errorf("geometry: the dense paths need about %.3g bytes for p = %d, N = %d and %d workers (%.3g per worker), above DenseMaxBytes = %d; use PathMatrixFree, fewer Workers or fewer components", need, dim, n, workers, perWorker, int64(DenseMaxBytes))
	}
	return nil
}

// denseChunks is the number of partial sums of H(θ) on PathDense: a function
// of the problem size and the number of pairs only, so that the summation
// order (and the result) does not depend on Workers.
func denseChunks(dim, pairs int) int {
	return min(pairs, 64, max(4, (1<<23)/(dim*dim)))
}

// denseMain runs PathDense: the pointwise quotients of every pair, and H̄
// summed in a fixed order of chunks of pairs.
func (e *estimator) denseMain() (*mat.SymDense, error) {
	dim, pairs := e.pd.dim, e.cfg.pairs
	if b := 8 * pairs * dim * dim; b <= pairMeanBytes {
		e.hk = make([]float64, pairs*dim*dim)
	}
	nc := denseChunks(dim, pairs)
	sums := make([]*mat.SymDense, nc)
	newW := func() *denseWork { return e.newDenseWork() }
	parallelFor(nc, e.cfg.workers, newW, func(w *denseWork, c int) {
		sum := mat.NewSymDense(dim, nil)
		sums[c] = sum
		for k := c * pairs / nc; k < (c+1)*pairs/nc; k++ {
			res := &e.pairs[k]
			w.smp.offset(w.u, k)
			for j, sign := range [2]float64{1, -1} {
				point(w.theta, e.center, w.u, sign)
				if !e.hessAt(w) {
					res.err = fmt.Errorf("geometry: H(θ) is not finite at sample point %d (pair %d)", 2*k+j, k)
					break
				}
				addUpper(sum.RawSymmetric(), 1, w.h.RawSymmetric())
				if e.hk != nil {
					hkr := blas64.Symmetric{N: dim, Stride: dim, Uplo: blas.Upper, Data: e.hk[k*dim*dim : (k+1)*dim*dim]}
					addUpper(hkr, 0.5, w.h.RawSymmetric())
				}
				var err error
				res.inf[j], res.sup[j], res.valid[j], res.indefinite[j], err = e.densePointwise(w)
				if err != nil {
					res.err = fmt.Errorf("geometry: %v at sample point %d (pair %d)", err, 2*k+j, k)
					break
				}
			}
		}
	})
	for k := range e.pairs {
		if err := e.pairs[k].err; err != nil {
			return nil, err
		}
	}
	hbar := mat.NewSymDense(dim, nil)
	for _, s := range sums {
		addUpper(hbar.RawSymmetric(), 1, s.RawSymmetric())
	}
	hbar.ScaleSym(1/float64(2*pairs), hbar)
	return hbar, nil
}

// denseProjections recomputes the pair means H_k of H(θ) (cheaper than the
// pointwise quotients by a factor of order p, and cheaper in memory than
// storing them) and returns v_j'H_k v_j for the eigenvectors v_j of H̄.
func (e *estimator) denseProjections(vecs [][]float64) ([]float64, error) {
	dim, pairs := e.pd.dim, e.cfg.pairs
	proj := make([]float64, pairs*dim)
	vm := mat.NewDense(dim, dim, nil)
	for j, v := range vecs {
		vm.SetCol(j, v)
	}
	type work struct {
		*denseWork
		hv mat.Dense
	}
	newW := func() *work { return &work{denseWork: e.newDenseWork()} }
	errs := make([]error, pairs)
	parallelFor(pairs, e.cfg.workers, newW, func(w *work, k int) {
		w.smp.offset(w.u, k)
		sr := w.sum.RawSymmetric()
		for a := range dim {
			clear(sr.Data[a*sr.Stride+a : a*sr.Stride+dim])
		}
		if e.hk != nil {
			addUpper(sr, 1, blas64.Symmetric{N: dim, Stride: dim, Uplo: blas.Upper, Data: e.hk[k*dim*dim : (k+1)*dim*dim]})
		}
		for j, sign := range [2]float64{1, -1} {
			if e.hk != nil {
				break
			}
			point(w.theta, e.center, w.u, sign)
			if !e.hessAt(w.denseWork) {
				errs[k] = fmt.Errorf("geometry: H(θ) is not finite at sample point %d (pair %d)", 2*k+j, k)
				return
			}
			addUpper(sr, 0.5, w.h.RawSymmetric())
		}
		w.hv.Mul(w.sum, vm)
		for j := range dim {
			var q float64
			for a := range dim {
				q += vm.At(a, j) * w.hv.At(a, j)
			}
			proj[k*dim+j] = q
		}
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return proj, nil
}

// meanSE returns the mean of x and its standard error sd/√n (unbiased sd);
// the standard error is +Inf when n < 2. The mean gets one correction pass,
// which makes it exact (and the standard error exactly 0) when the values
// are all equal, as for a constant Hessian.
func meanSE(x []float64) (mean, se float64) {
	n := float64(len(x))
	for _, v := range x {
		mean += v
	}
	mean /= n
	var corr float64
	for _, v := range x {
		corr += v - mean
	}
	mean += corr / n
	if len(x) < 2 {
		return mean, math.Inf(1)
	}
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss/(n-1)) / math.Sqrt(n)
}

// eigErrs returns the standard errors over the pairs of the projections
// proj[k*dim+j] = v_j'H_k v_j.
func eigErrs(proj []float64, dim, pairs int) []float64 {
	se := make([]float64, dim)
	col := make([]float64, pairs)
	for j := range dim {
		for k := range pairs {
			col[k] = proj[k*dim+j]
		}
		_, se[j] = meanSE(col)
	}
	return se
}

// rankRule returns m, the last j (1-based) with λ_j > RankTol·λ_1 and
// λ_j > Z·stderr_j; the eigenvalues above a nonzero one are nonzero too.
func rankRule(all, se []float64, rankTol, z float64) int {
	m := 0
	for j, v := range all {
		if all[0] > 0 && v > rankTol*all[0] && v > z*se[j] {
			m = j + 1
		}
	}
	return m
}

// finish applies the rank rule and reduces the pair results in pair order.
func (e *estimator) finish(hbar *mat.SymDense, all, proj []float64) (*Local, error) {
	dim, pairs := len(all), e.cfg.pairs
	l := &Local{
		Center:         append([]float64(nil), e.center...),
		Hessian:        hbar,
		AllEigenvalues: all,
		EigErr:         make([]float64, dim),
		Radius:         e.cfg.radius,
		Samples:        2 * pairs,
		Path:           e.cfg.path,
	}
	l.EigErr = eigErrs(proj, dim, pairs)
	l.M = rankRule(all, l.EigErr, e.cfg.rankTol, e.cfg.z)
	l.Eigenvalues = append([]float64(nil), all[:l.M]...)

	var infs, sups, pointSups []float64
	for k := range e.pairs {
		r := &e.pairs[k]
		var si, ss float64
		var n int
		for j := range 2 {
			if r.indefinite[j] {
				l.Indefinite++
			}
			if !r.valid[j] {
				l.Skipped++
				continue
			}
			si += r.inf[j]
			ss += r.sup[j]
			n++
			pointSups = append(pointSups, r.sup[j])
		}
		if n > 0 {
			infs = append(infs, si/float64(n))
			sups = append(sups, ss/float64(n))
		}
	}
	if len(infs) == 0 {
		l.S, l.T, l.SErr, l.TErr, l.TMedian = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return l, fmt.Errorf("%w (%d points)", ErrAllSkipped, l.Samples)
	}
	var sMean float64
	sMean, l.SErr = meanSE(infs)
	l.S = max(0, sMean)
	l.T, l.TErr = meanSE(sups)
	// x/exp/stats.Median is the R-7 quantile: the middle value, or the mean
	// of the two middle values.
	l.TMedian = stats.Median(pointSups)
	if l.M == 0 {
		return l, fmt.Errorf("%w: largest eigenvalue %v, its standard error %v, RankTol %g, Z %g",
			ErrNoCurvature, all[0], l.EigErr[0], e.cfg.rankTol, e.cfg.z)
	}
	return l, nil
}
