package stability

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/sgdk"
)

// LinearStep applies one step of a random linear recursion:
// dst = (I − c·Q̄)v for a fresh random matrix Q̄ (a batch-mean Hessian) drawn
// from rnd. The draws must not depend on c, so that estimates at different
// c share their random numbers (common random numbers make the exponent a
// smooth function of c and bisection on it consistent). dst and v do not
// overlap. A LinearStep is used by one goroutine at a time; make one per
// goroutine with the factory that LyapunovExponent takes.
type LinearStep func(dst, v []float64, c float64, rnd *rand.Rand)

// LyapunovSettings controls LyapunovExponent and AlmostSureThreshold. The
// zero value of a field means its documented default; a negative value is an
// error.
type LyapunovSettings struct {
	// Replicates is R, the number of independent products (default 16).
	Replicates int
	// Steps is N, the number of steps whose log-growth is averaged in each
	// product (default 2000).
	Steps int
	// Burn is the number of initial steps (renormalized but not averaged)
	// that let the direction forget the random start (default Steps/10).
	Burn int
	// Seed selects the streams: replicate r uses
	// problems.Stream(Seed, r) for its start vector and
	// then for its matrices, at every c.
	Seed uint64
	// Workers is the number of goroutines (default GOMAXPROCS). Results do
	// not depend on it.
	Workers int
	// RelTol is AlmostSureThreshold's relative bisection tolerance on C
	// (default 1e-3).
	RelTol float64
}

func (s LyapunovSettings) resolve() (LyapunovSettings, error) {
	if s.Replicates < 0 || s.Steps < 0 || s.Burn < 0 || s.Workers < 0 {
		return s, fmt.Errorf("stability: LyapunovSettings has a negative field (Replicates %d, Steps %d, Burn %d, Workers %d)", s.Replicates, s.Steps, s.Burn, s.Workers)
	}
	if !(s.RelTol >= 0) || math.IsInf(s.RelTol, 0) {
		return s, fmt.Errorf("stability: LyapunovSettings.RelTol = %v is not finite and nonnegative", s.RelTol)
	}
	if s.Replicates == 0 {
		s.Replicates = 16
	}
	if s.Steps == 0 {
		s.Steps = 2000
	}
	if s.Burn == 0 {
		s.Burn = s.Steps / 10
	}
	if s.Workers == 0 {
		s.Workers = runtime.GOMAXPROCS(0)
	}
	if s.RelTol == 0 {
		s.RelTol = 1e-3
	}
	return s, nil
}

// Lyapunov is an estimate of the top Lyapunov exponent γ of a random linear
// recursion.
type Lyapunov struct {
	// Exponent is the mean over replicates of (1/N) Σ log‖(I − CQ̄_n)v_{n−1}‖
	// with v renormalized to unit length after every step. −Inf when every
	// product collapsed to zero; +Inf when a replicate diverged (see
	// Diverged). Never NaN.
	Exponent float64
	// StdErr is the standard deviation of the replicate means divided by
	// √R: the Monte Carlo standard error of Exponent (the finite-N bias,
	// of order 1/N, is not in it). +Inf when a replicate diverged; NaN only
	// for R = 1.
	StdErr float64
	// Diverged is the number of replicates whose product left the floating
	// point range: a step produced a non-finite entry or norm (NaN, or an
	// infinite entry). Such a replicate's exponent is +Inf (divergence), not
	// a number: an overflowing product is unstable, and treating its NaN
	// norm like 0 would report it as strongly stable.
	Diverged int
	// C is the step at which the exponent was estimated.
	C float64
}

// LyapunovExponent estimates the top Lyapunov exponent of the recursion
// v_n = (I − c·Q̄_n)v_{n−1} on R^dim whose steps newStep makes (one LinearStep
// per goroutine), from s.Replicates products of s.Burn + s.Steps steps, each
// started at a random unit vector and renormalized after every step. A step
// whose image is exactly zero contributes log of the smallest positive
// float64 and restarts from a fresh random vector (this happens only at
// isolated c, such as c = 1/q for a scalar q). A step whose image has a NaN
// or infinite entry (overflow, or a broken step) ends its replicate as
// diverged: exponent +Inf (Lyapunov.Diverged). Results depend only on the
// settings, not on Workers. It returns an error naming the argument for
// dim < 1, a nil newStep or a newStep that returns a nil LinearStep, a
// negative, NaN or infinite c, or bad settings.
//
// See the package documentation ("Mean-square and almost-sure stability")
// for how the exponent relates to the mean-square threshold C*(k).
func LyapunovExponent(dim int, newStep func() LinearStep, c float64, s LyapunovSettings) (Lyapunov, error) {
	if dim < 1 {
		return Lyapunov{}, fmt.Errorf("stability: dim = %d, want at least 1", dim)
	}
	if newStep == nil {
		return Lyapunov{}, errors.New("stability: newStep is nil")
	}
	if !(c >= 0) || math.IsInf(c, 0) {
		return Lyapunov{}, fmt.Errorf("stability: c = %v is not finite and nonnegative", c)
	}
	s, err := s.resolve()
	if err != nil {
		return Lyapunov{}, err
	}
	return lyapunov(dim, newStep, c, s)
}

// errNilStep is returned when newStep makes a nil LinearStep.
var errNilStep = errors.New("stability: newStep returned a nil LinearStep")

func lyapunov(dim int, newStep func() LinearStep, c float64, s LyapunovSettings) (Lyapunov, error) {
	means := make([]float64, s.Replicates)
	nilStep := make([]bool, s.Replicates)
	problems.Parallel(s.Replicates, s.Workers, func() func(int) {
		step := newStep()
		v := make([]float64, dim)
		w := make([]float64, dim)
		return func(r int) {
			if step == nil {
				nilStep[r] = true
				return
			}
			rnd := problems.Stream(s.Seed, uint64(r))
			randomUnit(v, rnd)
			sum := 0.0
			for n := 0; n < s.Burn+s.Steps; n++ {
				step(w, v, c, rnd)
				nrm := floats.Norm(w, 2)
				var l float64
				if math.IsNaN(nrm) || (math.IsInf(nrm, 1) && !allFinite(w)) {
					// Divergence: the product left the float64 range.
					means[r] = math.Inf(1)
					return
				}
				if nrm == 0 {
					l = math.Log(math.SmallestNonzeroFloat64)
					randomUnit(v, rnd)
				} else if math.IsInf(nrm, 1) {
					// Rescale before normalizing to avoid Inf/Inf.
					m := floats.Max(w)
					m = math.Max(m, -floats.Min(w))
					floats.Scale(1/m, w)
					nrm = floats.Norm(w, 2)
					l = math.Log(m) + math.Log(nrm)
					floats.ScaleTo(v, 1/nrm, w)
				} else {
					l = math.Log(nrm)
					floats.ScaleTo(v, 1/nrm, w)
				}
				if n >= s.Burn {
					sum += l
				}
			}
			means[r] = sum / float64(s.Steps)
		}
	})
	for _, b := range nilStep {
		if b {
			return Lyapunov{}, errNilStep
		}
	}
	diverged := 0
	for _, m := range means {
		if math.IsInf(m, 1) {
			diverged++
		}
	}
	if diverged > 0 {
		return Lyapunov{Exponent: math.Inf(1), StdErr: math.Inf(1), C: c, Diverged: diverged}, nil
	}
	mean := 0.0
	for _, m := range means {
		mean += m
	}
	mean /= float64(len(means))
	se := math.NaN()
	if len(means) > 1 {
		ss := 0.0
		for _, m := range means {
			ss += (m - mean) * (m - mean)
		}
		se = math.Sqrt(ss / float64(len(means)-1) / float64(len(means)))
	}
	if math.IsInf(mean, -1) {
		se = 0
	}
	return Lyapunov{Exponent: mean, StdErr: se, C: c}, nil
}

// allFinite reports whether every entry of v is finite.
func allFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// randomUnit writes a uniformly random unit vector into v.
func randomUnit(v []float64, rnd *rand.Rand) {
	for {
		for i := range v {
			v[i] = rnd.NormFloat64()
		}
		if n := floats.Norm(v, 2); n > 0 {
			floats.Scale(1/n, v)
			return
		}
	}
}

// AlmostSure is the almost-sure threshold found by AlmostSureThreshold.
type AlmostSure struct {
	// C is the estimated first crossing of the Lyapunov exponent through 0
	// above the scan start: log-linear interpolation inside the final
	// bisection bracket [Lo, Hi].
	C, Lo, Hi float64
	// CErr is the Monte Carlo standard error of C propagated from the
	// exponent's standard error through the slope dγ/dC across the last scan
	// interval (NaN when the slope is not positive).
	CErr float64
	// Probes holds every exponent estimated, in order.
	Probes []Lyapunov
}

// AlmostSureThreshold returns the almost-sure stability threshold: the
// first C ≥ from at which the top Lyapunov exponent γ(C) of the recursion of
// newStep crosses 0 (LyapunovExponent). It scans C = from·2^{j/4},
// j = 0, 1, … (at most 160 points) for the first C with γ ≥ 0, then bisects on
// log C inside the last scan interval until Hi/Lo ≤ 1 + s.RelTol. All probes
// use the same random streams (common random numbers).
//
// Caveat: γ(C) need not be monotone in C (for a scalar q ∈ {1, 3} it is −∞
// at C = 1 and C = 1/3); the scan finds the first crossing on its grid, and a
// positive excursion narrower than a grid step (a factor 2^{1/4}) could be
// missed. Start from a value known to be stable: the mean-square threshold
// C*(k) is one, since γ ≤ ½ log ρ(T_C) < 0 below it (Jensen). If γ(from) ≥ 0
// the scan goes downward instead and returns the crossing below from. A
// probe whose products overflow (Lyapunov.Diverged > 0) has γ = +Inf and
// counts as unstable. It returns an error for invalid arguments (naming
// them; a newStep that makes a nil LinearStep included) or when no crossing
// is found (then with the probes made so far).
func AlmostSureThreshold(dim int, newStep func() LinearStep, from float64, s LyapunovSettings) (*AlmostSure, error) {
	if !(from > 0) || math.IsInf(from, 0) {
		return nil, fmt.Errorf("stability: from = %v is not finite and positive", from)
	}
	if dim < 1 {
		return nil, fmt.Errorf("stability: dim = %d, want at least 1", dim)
	}
	if newStep == nil {
		return nil, errors.New("stability: newStep is nil")
	}
	s, err := s.resolve()
	if err != nil {
		return nil, err
	}
	var res AlmostSure
	var perr error
	probe := func(c float64) Lyapunov {
		l, err := lyapunov(dim, newStep, c, s)
		if err != nil && perr == nil {
			perr = err
		}
		res.Probes = append(res.Probes, l)
		return l
	}
	factor := math.Pow(2, 0.25)
	first := probe(from)
	if perr != nil {
		return nil, perr
	}
	lo, hi := first, first
	found := false
	if first.Exponent < 0 {
		for j := 1; j <= 160; j++ {
			l := probe(from * math.Pow(factor, float64(j)))
			if l.Exponent >= 0 {
				hi, found = l, true
				break
			}
			lo = l
		}
	} else {
		for j := 1; j <= 160; j++ {
			l := probe(from / math.Pow(factor, float64(j)))
			if l.Exponent < 0 {
				lo, found = l, true
				break
			}
			hi = l
		}
	}
	if perr != nil {
		return nil, perr
	}
	if !found {
		return &res, fmt.Errorf("stability: no sign change of the Lyapunov exponent within a factor 2^40 of from = %v", from)
	}
	slope := (hi.Exponent - lo.Exponent) / (math.Log(hi.C) - math.Log(lo.C))
	for hi.C/lo.C > 1+s.RelTol {
		mid := probe(math.Sqrt(lo.C * hi.C))
		if perr != nil {
			return nil, perr
		}
		if mid.Exponent >= 0 {
			hi = mid
		} else {
			lo = mid
		}
	}
	res.Lo, res.Hi = lo.C, hi.C
	res.C = logInterp(lo.C, hi.C, lo.Exponent, hi.Exponent, 0)
	res.CErr = math.NaN()
	if slope > 0 && !math.IsInf(slope, 0) {
		// δ log C = δγ/slope; the standard error of γ near the crossing.
		se := hi.StdErr
		if math.IsNaN(se) {
			se = lo.StdErr
		}
		res.CErr = res.C * se / slope
	}
	return &res, nil
}

// logInterp returns the C in [lo, hi] where the line through
// (log lo, ylo), (log hi, yhi) takes the value y, clamped to the interval;
// the geometric mean when the values are not finite or equal.
func logInterp(lo, hi, ylo, yhi, y float64) float64 {
	if math.IsInf(ylo, 0) || math.IsInf(yhi, 0) || math.IsNaN(ylo) || math.IsNaN(yhi) || yhi == ylo {
		return math.Sqrt(lo * hi)
	}
	t := (y - ylo) / (yhi - ylo)
	t = math.Max(0, math.Min(1, t))
	return math.Exp(math.Log(lo) + t*(math.Log(hi)-math.Log(lo)))
}

// MixtureStep returns the linearized SGD-k step of a finite mixture of
// component Hessians hess with weights w (nil: uniform) and batch size k
// (a positive integer, or math.Inf(1) for gradient descent, where Q̄ = H is
// deterministic): Q̄ is the mean of k Hessians drawn independently by weight.
// The recursion is compressed onto range(H) (the eigenvalues of
// H = Σ w_i hess[i] above 1e-10·λ_1) before it starts, as in
// thresholds.MeanSquare; dim is m = rank(H). When every component is
// diagonal the step costs O(k·m), otherwise O(k·m²). Weights must be
// positive and sum to 1 within 1e-9. Errors name the argument.
func MixtureStep(hess []mat.Symmetric, w []float64, k float64) (dim int, newStep func() LinearStep, err error) {
	n := len(hess)
	if n == 0 {
		return 0, nil, errors.New("stability: hess is empty")
	}
	for i, q := range hess {
		if q == nil {
			return 0, nil, fmt.Errorf("stability: hess[%d] is nil", i)
		}
	}
	if hess[0].SymmetricDim() == 0 {
		return 0, nil, errors.New("stability: hess[0] is 0×0")
	}
	if !(k >= 1) || (!math.IsInf(k, 1) && (k != math.Trunc(k) || k > sgdk.MaxBatchSize)) {
		return 0, nil, fmt.Errorf("stability: k = %v, want a positive integer up to sgdk.MaxBatchSize or +Inf", k)
	}
	w, err = problems.NormalizeWeights(w, n)
	if err != nil {
		return 0, nil, err
	}
	p := hess[0].SymmetricDim()
	h := mat.NewSymDense(p, nil)
	diagonal := true
	for i, q := range hess {
		if q == nil || q.SymmetricDim() != p {
			return 0, nil, fmt.Errorf("stability: hess[%d] is nil or not %d×%d", i, p, p)
		}
		for a := 0; a < p; a++ {
			for b := a; b < p; b++ {
				x := q.At(a, b)
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return 0, nil, fmt.Errorf("stability: hess[%d][%d][%d] = %v is not finite", i, a, b, x)
				}
				if a != b && x != 0 {
					diagonal = false
				}
				h.SetSym(a, b, h.At(a, b)+w[i]*x)
			}
		}
	}
	alias, err := problems.NewAlias(w)
	if err != nil {
		return 0, nil, fmt.Errorf("stability: w: %w", err)
	}
	// A batch of k > n draws is drawn as its multinomial counts: at most n
	// terms a step whatever k is, the same law (as in sgdk.Run).
	var multi *problems.Multinomial
	if !math.IsInf(k, 1) && k > float64(n) {
		if multi, err = problems.NewMultinomial(w); err != nil {
			return 0, nil, fmt.Errorf("stability: w: %w", err)
		}
	}
	if diagonal {
		hmax := 0.0
		for a := 0; a < p; a++ {
			hmax = math.Max(hmax, h.At(a, a))
		}
		if !(hmax > 0) {
			return 0, nil, errors.New("stability: hess: H has no positive eigenvalue")
		}
		var keep []int
		for a := 0; a < p; a++ {
			if h.At(a, a) > 1e-10*hmax {
				keep = append(keep, a)
			}
		}
		m := len(keep)
		d := make([][]float64, n)
		hd := make([]float64, m)
		for i, q := range hess {
			d[i] = make([]float64, m)
			for j, a := range keep {
				d[i][j] = q.At(a, a)
			}
		}
		for j, a := range keep {
			hd[j] = h.At(a, a)
		}
		return m, func() LinearStep {
			acc := make([]float64, m)
			var counts []float64
			if multi != nil {
				counts = make([]float64, n)
			}
			return func(dst, v []float64, c float64, rnd *rand.Rand) {
				if math.IsInf(k, 1) {
					for j := range dst {
						dst[j] = v[j] - c*hd[j]*v[j]
					}
					return
				}
				clear(acc)
				if multi != nil {
					multi.Counts(counts, int(k), rnd)
					for i, ci := range counts {
						if ci != 0 {
							floats.AddScaled(acc, ci, d[i])
						}
					}
				} else {
					for range int(k) {
						floats.Add(acc, d[alias.Sample(rnd)])
					}
				}
				s := c / k
				for j := range dst {
					dst[j] = v[j] - s*acc[j]*v[j]
				}
			}
		}, nil
	}
	var es mat.EigenSym
	if !es.Factorize(h, true) {
		return 0, nil, errors.New("stability: eigendecomposition of H failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	if !(vals[p-1] > 0) {
		return 0, nil, errors.New("stability: hess: H has no positive eigenvalue")
	}
	var cols []int
	for j := p - 1; j >= 0; j-- {
		if vals[j] > 1e-10*vals[p-1] {
			cols = append(cols, j)
		}
	}
	m := len(cols)
	u := mat.NewDense(p, m, nil)
	for jj, j := range cols {
		for r := 0; r < p; r++ {
			u.Set(r, jj, vecs.At(r, j))
		}
	}
	comp := make([]*mat.Dense, n)
	var tmp mat.Dense
	for i, q := range hess {
		tmp.Mul(q, u)
		comp[i] = mat.NewDense(m, m, nil)
		comp[i].Mul(u.T(), &tmp)
	}
	hc := mat.NewDense(m, m, nil)
	for jj := range cols {
		hc.Set(jj, jj, vals[cols[jj]])
	}
	return m, func() LinearStep {
		acc := mat.NewVecDense(m, nil)
		t := mat.NewVecDense(m, nil)
		vv := new(mat.VecDense) // a view of v, re-pointed every step
		var counts []float64
		if multi != nil {
			counts = make([]float64, n)
		}
		return func(dst, v []float64, c float64, rnd *rand.Rand) {
			vv.SetRawVector(blas64.Vector{N: m, Inc: 1, Data: v})
			if math.IsInf(k, 1) {
				acc.MulVec(hc, vv)
				for j := range dst {
					dst[j] = v[j] - c*acc.AtVec(j)
				}
				return
			}
			acc.Zero()
			if multi != nil {
				multi.Counts(counts, int(k), rnd)
				for i, ci := range counts {
					if ci != 0 {
						t.MulVec(comp[i], vv)
						acc.AddScaledVec(acc, ci, t)
					}
				}
			} else {
				for range int(k) {
					t.MulVec(comp[alias.Sample(rnd)], vv)
					acc.AddVec(acc, t)
				}
			}
			s := c / k
			for j := range dst {
				dst[j] = v[j] - s*acc.AtVec(j)
			}
		}
	}, nil
}

// HessianStep adapts a function that draws one batch-mean Hessian Q̄ (p×p,
// written into dst) to a LinearStep factory: dst = (I − cQ̄)v. It costs
// whatever draw costs plus O(p²) per step; MixtureStep is faster for finite
// mixtures. draw must be safe for concurrent use with distinct dst and rnd.
// The step itself allocates nothing. p must be at least 1 (it returns nil
// otherwise, which LyapunovExponent reports as an error).
func HessianStep(p int, draw func(dst *mat.SymDense, rnd *rand.Rand)) func() LinearStep {
	if p < 1 || draw == nil {
		return nil
	}
	return func() LinearStep {
		q := mat.NewSymDense(p, nil)
		t := mat.NewVecDense(p, nil)
		vv := new(mat.VecDense) // a view of v, re-pointed every step
		return func(dst, v []float64, c float64, rnd *rand.Rand) {
			draw(q, rnd)
			vv.SetRawVector(blas64.Vector{N: p, Inc: 1, Data: v})
			t.MulVec(q, vv)
			for j := range dst {
				dst[j] = v[j] - c*t.AtVec(j)
			}
		}
	}
}
