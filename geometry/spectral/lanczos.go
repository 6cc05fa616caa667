package spectral

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/lapack"
	"gonum.org/v1/gonum/lapack/lapack64"
	"gonum.org/v1/gonum/mat"
)

// Defaults of Settings.
const (
	// DefaultTol is the default relative residual tolerance.
	DefaultTol = 1e-10
	// DefaultMaxBytes is the default memory budget of Top and Bottom: 2 GiB.
	DefaultMaxBytes = 2 << 30
	// minKrylov is the smallest default Krylov basis.
	minKrylov = 20
	// stepsPerVector is the default step budget per Krylov basis vector.
	stepsPerVector = 200
	// breakdownTol: a Lanczos vector whose remainder after
	// reorthogonalization is below breakdownTol·‖A‖ spans, to rounding, an
	// invariant subspace together with the basis.
	breakdownTol = 1e-13
)

// Settings controls Top and Bottom. The zero value of every field means its
// documented default; a negative or NaN value is an error.
type Settings struct {
	// Tol is the relative residual tolerance: a Ritz pair (θ, u) is
	// accepted when ‖Au − θu‖ ≤ Tol·‖A‖, with ‖A‖ estimated from below by
	// the largest |θ| and ‖Av‖ seen. The eigenvalue error is at most the
	// residual, and about its square over the distance to the rest of the
	// spectrum. Default DefaultTol = 1e-10; it must be below 1, and values
	// below about 1e-13 may not be reachable in floating point.
	Tol float64
	// Krylov is the number of Lanczos vectors held between restarts (ARPACK's
	// ncv), at least 2. Default min(Dim, max(2r+1, 20)); it is capped at
	// Dim.
	Krylov int
	// MaxSteps is the budget of operator applications, the final r
	// applications that measure the residuals excluded. Default 200·Krylov.
	MaxSteps int
	// Seed selects the random start vectors. Results are a deterministic
	// function of the operator, r and Settings.
	Seed uint64
	// Start, if not nil, is the start vector of the first Lanczos run
	// (length Dim, finite, nonzero); a good guess of the wanted eigenvectors
	// speeds convergence. A random vector of norm 1e-3·‖Start‖ is added to
	// it, so that a Start orthogonal to a wanted eigenvector does not hide
	// it. The multiplicity check uses random starts.
	Start []float64
	// NoMultiplicityCheck skips the closing runs from fresh random starts
	// that find further copies of repeated eigenvalues (see Top). Use it
	// when only the values of distinct eigenvalues matter.
	NoMultiplicityCheck bool
	// MaxBytes is the memory budget in bytes for the vectors Top holds,
	// about 8·(Krylov + 4r + 2)·Dim; a larger request is an error that
	// names the size. Default DefaultMaxBytes (2 GiB).
	MaxBytes int
}

// Eigen holds r eigenpairs of a symmetric operator A.
type Eigen struct {
	// Values are the eigenvalues: descending from Top, ascending from Bottom.
	Values []float64
	// Vectors is Dim × r; column j is a unit eigenvector of Values[j], and
	// the columns are orthonormal.
	Vectors *mat.Dense
	// Residuals[j] = ‖A v_j − λ_j v_j‖, computed by applying A.
	Residuals []float64
	// Steps is the number of operator applications used.
	Steps int
}

// NotConvergedError is returned by Top and Bottom when the step budget ends
// before r eigenpairs meet the tolerance (the analogue of SciPy's
// ArpackNoConvergence). It carries the best approximations found so far.
type NotConvergedError struct {
	// Steps is the number of operator applications used.
	Steps int
	// Values are up to r approximate eigenvalues, in the order of the
	// function that returned the error (Top descending, Bottom ascending):
	// accepted eigenvalues and the current Ritz values.
	Values []float64
	// Residuals are their residual norms ‖Au − θu‖, estimated from the
	// Lanczos relation.
	Residuals []float64
	// Converged[j] reports whether Values[j] met the tolerance.
	Converged []bool
}

// Error reports the budget spent and the partial results.
func (e *NotConvergedError) Error() string {
	nc := 0
	for _, c := range e.Converged {
		if c {
			nc++
		}
	}
	return fmt.Sprintf("spectral: Lanczos did not converge in %d steps (%d of %d eigenpairs within tolerance; Ritz values %.6g, residuals %.2g)",
		e.Steps, nc, len(e.Values), e.Values, e.Residuals)
}

// Top returns the r largest eigenvalues (descending, each repeated as often
// as its multiplicity) and orthonormal eigenvectors of the symmetric op.
//
// # Algorithm
//
// Lanczos with full reorthogonalization (classical Gram–Schmidt applied
// twice, "twice is enough") and thick restarts (K. Wu and H. Simon,
// "Thick-restart Lanczos method for large symmetric eigenvalue problems",
// SIAM J. Matrix Anal. Appl. 22 (2000) 602–616), with locking: a Ritz pair
// whose residual ‖Au − θu‖ ≤ Tol·‖A‖ is locked, and the iteration continues
// on the operator deflated by the locked vectors. A Krylov space from one
// start vector holds a single direction of each eigenspace, so after r pairs
// are locked, Top runs Lanczos again from a fresh random vector orthogonal
// to them: any eigenvalue it finds above the r-th locked one (by more than
// the tolerance) is locked and another run follows; the check ends when a
// run's largest Ritz value is accepted below it (by its residual, to at
// least √Tol·‖A‖). This returns a repeated eigenvalue as often as its
// multiplicity, and any eigenvalue the first start missed; it costs about
// one more convergence of a single eigenvalue, and can be switched off
// (Settings.NoMultiplicityCheck). A breakdown (an invariant subspace) is
// continued from a fresh random vector, so every operator works, including
// the zero matrix and Dim < Krylov. The answer is a final Rayleigh–Ritz
// step on the r locked vectors, whose residuals are measured by r more
// applications of op.
//
// Like every Krylov method it finds an eigenvalue only if its eigenspace is
// not orthogonal to the random start vectors, which fails with probability
// zero. Random vectors come from Settings.Seed; results are deterministic.
//
// # Cost
//
// Memory: the Krylov basis, Dim × (Krylov + 1), plus the locked vectors and
// the result, about 8·(Krylov + 4r + 2)·Dim bytes in all; more than
// Settings.MaxBytes is an error. Time: per step one application of op and
// O(Dim·(Krylov + r)) for the reorthogonalization; per restart
// O(Dim·Krylov²).
//
// # Errors
//
// Top returns an error naming the argument when op is nil (or a Func with
// nil F), op.Dim() < 1, r < 1 or r > Dim, or a Settings field is invalid;
// when op returns a NaN or infinite value; when a measured residual is far
// above the tolerance, which happens when op is not symmetric; and a
// *NotConvergedError when the step budget ends first.
func Top(op Operator, r int, s Settings) (*Eigen, error) {
	if err := checkOperator(op); err != nil {
		return nil, err
	}
	return top(op, r, s)
}

// Bottom returns the r smallest (algebraically) eigenvalues of op, ascending
// and each repeated as often as its multiplicity, with orthonormal
// eigenvectors. It is Top applied to −A, with the values negated; see Top
// for the algorithm, the settings and the errors (the values of a
// *NotConvergedError are negated too, ascending). Deciding which
// eigenvalues count as zero is the caller's rank rule.
func Bottom(op Operator, r int, s Settings) (*Eigen, error) {
	if err := checkOperator(op); err != nil {
		return nil, err
	}
	e, err := top(negated{op}, r, s)
	var nc *NotConvergedError
	if errors.As(err, &nc) {
		floats.Scale(-1, nc.Values)
	}
	if err != nil {
		return nil, err
	}
	floats.Scale(-1, e.Values)
	return e, nil
}

func checkOperator(op Operator) error {
	if op == nil {
		return errors.New("spectral: op is nil")
	}
	if f, ok := op.(Func); ok && f.F == nil {
		return errors.New("spectral: op is a Func with nil F")
	}
	if f, ok := op.(*Func); ok && (f == nil || f.F == nil) {
		return errors.New("spectral: op is a *Func with nil F")
	}
	if d, ok := op.(*Dense); ok && (d == nil || d.a == nil) {
		return errors.New("spectral: op is a nil *Dense")
	}
	if n := op.Dim(); n < 1 {
		return fmt.Errorf("spectral: op.Dim() = %d, want at least 1", n)
	}
	return nil
}

// solver is the state of Top.
type solver struct {
	op       Operator
	n        int
	tol      float64
	krylov   int
	maxSteps int
	rng      *rand.Rand
	steps    int
	scale    float64 // lower estimate of ‖A‖

	x    []float64 // locked vectors, one per row
	xval []float64
	xres []float64

	v       []float64 // Krylov basis, krylov+1 rows
	h       []float64 // projected matrix, krylov × krylov
	w       []float64
	dots    []float64
	scratch []float64

	// Buffers of ritz.
	tbuf, theta, rho, work []float64
}

func top(op Operator, r int, s Settings) (*Eigen, error) {
	n := op.Dim()
	if r < 1 || r > n {
		return nil, fmt.Errorf("spectral: r = %d, want 1 ≤ r ≤ Dim = %d", r, n)
	}
	tol := s.Tol
	switch {
	case math.IsNaN(tol) || tol < 0 || tol >= 1:
		return nil, fmt.Errorf("spectral: Settings.Tol = %v, want 0 ≤ Tol < 1 (0 for the default %g)", tol, DefaultTol)
	case tol == 0:
		tol = DefaultTol
	}
	krylov := s.Krylov
	switch {
	case krylov < 0 || krylov == 1:
		return nil, fmt.Errorf("spectral: Settings.Krylov = %d, want 0 (default) or at least 2", krylov)
	case krylov == 0:
		krylov = max(2*r+1, minKrylov)
	}
	krylov = min(krylov, n)
	maxSteps := s.MaxSteps
	switch {
	case maxSteps < 0:
		return nil, fmt.Errorf("spectral: Settings.MaxSteps = %d, want 0 (default) or positive", maxSteps)
	case maxSteps == 0:
		maxSteps = stepsPerVector * krylov
	}
	maxBytes := s.MaxBytes
	switch {
	case maxBytes < 0:
		return nil, fmt.Errorf("spectral: Settings.MaxBytes = %d, want 0 (default) or positive", maxBytes)
	case maxBytes == 0:
		maxBytes = DefaultMaxBytes
	}
	if need := 8 * float64(krylov+4*r+2) * float64(n); need > float64(maxBytes) {
		return nil, fmt.Errorf("spectral: Dim = %d, r = %d, Krylov = %d need about %.3g bytes, above Settings.MaxBytes = %d", n, r, krylov, need, maxBytes)
	}
	if s.Start != nil {
		if len(s.Start) != n {
			return nil, fmt.Errorf("spectral: Settings.Start has length %d, want Dim = %d", len(s.Start), n)
		}
		nrm := floats.Norm(s.Start, 2)
		if math.IsNaN(nrm) || math.IsInf(nrm, 0) || nrm == 0 {
			return nil, fmt.Errorf("spectral: Settings.Start has norm %v, want finite and nonzero", nrm)
		}
	}
	sv := &solver{
		op: op, n: n, tol: tol, krylov: krylov, maxSteps: maxSteps,
		rng:     stream(s.Seed, 0, 0x4c414e43),
		v:       make([]float64, (krylov+1)*n),
		h:       make([]float64, krylov*krylov),
		w:       make([]float64, n),
		dots:    make([]float64, krylov+1),
		scratch: make([]float64, max(krylov+1, 2*r+8)),
	}
	if _, err := sv.run(s.Start, false, r); err != nil {
		return nil, err
	}
	if !s.NoMultiplicityCheck {
		for len(sv.xval) < n {
			found, err := sv.run(nil, true, r)
			if err != nil {
				return nil, err
			}
			if !found {
				break
			}
		}
	}
	return sv.finish(r)
}

// apply sets dst = A src, counting the step and refusing non-finite output.
func (sv *solver) apply(dst, src []float64) (norm float64, err error) {
	sv.op.Apply(dst, src)
	sv.steps++
	norm = floats.Norm(dst, 2)
	if math.IsNaN(norm) || math.IsInf(norm, 0) {
		for i, v := range dst {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return norm, fmt.Errorf("spectral: op.Apply returned the non-finite value %v at index %d (step %d)", v, i, sv.steps)
			}
		}
		return norm, fmt.Errorf("spectral: op.Apply returned a vector of norm %v (step %d)", norm, sv.steps)
	}
	return norm, nil
}

// orth orthogonalizes w twice against the locked vectors and the first
// rows basis vectors, adding the basis coefficients to acc (if not nil).
func (sv *solver) orth(w []float64, rows int, acc []float64) {
	nl := len(sv.xval)
	if len(sv.scratch) < max(nl, rows) {
		sv.scratch = make([]float64, 2*max(nl, rows))
	}
	for range 2 {
		orthogonalize(w, sv.x, nl, nil, sv.scratch)
		orthogonalize(w, sv.v, rows, acc, sv.scratch)
	}
}

// randomRow fills dst with a random unit vector orthogonal to the locked
// vectors and the first rows basis vectors. It reports false if the
// remaining space is numerically empty.
func (sv *solver) randomRow(dst []float64, rows int) bool {
	for range 4 {
		for i := range dst {
			dst[i] = sv.rng.NormFloat64()
		}
		before := floats.Norm(dst, 2)
		sv.orth(dst, rows, nil)
		if nrm := floats.Norm(dst, 2); nrm > 1e-8*before {
			floats.Scale(1/nrm, dst)
			return true
		}
	}
	return false
}

// run is one thick-restart Lanczos run on the operator deflated by the
// locked vectors, started from start (or a random vector). Without verify
// it locks pairs from the top until r are locked. With verify it locks
// pairs above the r-th largest locked value and reports whether it found
// any.
func (sv *solver) run(start []float64, verify bool, r int) (found bool, err error) {
	n, kr := sv.n, sv.krylov
	if len(sv.xval) >= n {
		return false, nil
	}
	v, h := sv.v, sv.h
	row0 := v[:n]
	ok := false
	if start != nil {
		// A random part of relative norm 1e-3 keeps a start that is an
		// eigenvector, or orthogonal to one, from hiding the others.
		if !sv.randomRow(row0, 0) {
			return false, nil
		}
		floats.Scale(1e-3*floats.Norm(start, 2), row0)
		floats.Add(row0, start)
		before := floats.Norm(row0, 2)
		sv.orth(row0, 0, nil)
		if nrm := floats.Norm(row0, 2); nrm > 1e-8*before {
			floats.Scale(1/nrm, row0)
			ok = true
		}
	}
	if !ok && !sv.randomRow(row0, 0) {
		return false, nil
	}
	clear(h)
	expanded := 0 // columns of h computed; rows 0..expanded of v are set
	for {
		nl := len(sv.xval)
		m := min(kr, n-nl)
		var (
			beta    float64
			hasNext = true
			theta   []float64
			y       blas64.General
			rho     []float64
			lock    []int
			done    bool
		)
		// Expand the basis one step at a time up to m vectors, stopping
		// early once the Ritz pairs decide the run.
		for j := expanded; ; {
			if sv.steps >= sv.maxSteps {
				return found, sv.notConverged(j, r)
			}
			rowj := v[j*n : (j+1)*n]
			an, err := sv.apply(sv.w, rowj)
			if err != nil {
				return found, err
			}
			sv.scale = math.Max(sv.scale, an)
			d := sv.dots[:j+1]
			clear(d)
			sv.orth(sv.w, j+1, d)
			for i, x := range d {
				h[i*kr+j] = x
				h[j*kr+i] = x
			}
			beta = floats.Norm(sv.w, 2)
			next := v[(j+1)*n : (j+2)*n]
			if beta > breakdownTol*math.Max(an, sv.scale) {
				floats.ScaleTo(next, 1/beta, sv.w)
			} else {
				beta = 0
				hasNext = nl+j+1 < n && sv.randomRow(next, j+1)
			}
			if j+1 < m {
				h[(j+1)*kr+j] = beta
				h[j*kr+j+1] = beta
			}
			j++
			if j < m && !verify && j < r-nl {
				continue // too few Ritz pairs to finish
			}
			if j < m && j > 32 && j%((j+15)/16) != 0 {
				// In a large basis the O(j³) Ritz step runs every j/16
				// steps, so that it never dominates a cheap operator.
				continue
			}
			theta, y, err = sv.ritz(j)
			if err != nil {
				return found, err
			}
			rho = sv.rho[:j]
			for i := range j {
				rho[i] = math.Abs(beta * y.Data[(j-1)*y.Stride+i])
				sv.scale = math.Max(sv.scale, math.Abs(theta[i]))
			}
			lock, done = sv.decide(theta, rho, verify, r)
			// Without a next vector the locked and basis vectors span the
			// whole space, which is invariant: every Ritz pair is exact.
			done = done || !hasNext
			if done || j == m {
				m = j
				break
			}
		}
		expanded = m
		if verify && len(lock) > 0 {
			found = true
		}

		// Thick restart: the locked Ritz vectors leave the basis, the next
		// keep Ritz vectors stay, and the residual direction follows them.
		var keepIdx []int
		if !done {
			want := 1
			if !verify {
				want = r - nl - len(lock)
			}
			mNext := min(kr, n-nl-len(lock))
			keep := min(want+(mNext-want)/2, mNext-1)
			for i := m - 1; i >= 0 && len(keepIdx) < keep; i-- {
				if !slices.Contains(lock, i) {
					keepIdx = append(keepIdx, i)
				}
			}
		}
		sel := append(slices.Clone(lock), keepIdx...)
		sv.rotate(y, m, sel)
		for l, i := range lock {
			sv.x = append(sv.x, v[l*n:(l+1)*n]...)
			sv.xval = append(sv.xval, theta[i])
			sv.xres = append(sv.xres, rho[i])
		}
		if done {
			return found, nil
		}
		nlk := len(lock)
		for l := range keepIdx {
			copy(v[l*n:(l+1)*n], v[(nlk+l)*n:(nlk+l+1)*n])
		}
		keep := len(keepIdx)
		copy(v[keep*n:(keep+1)*n], v[m*n:(m+1)*n])
		clear(h)
		for l, i := range keepIdx {
			h[l*kr+l] = theta[i]
			if keep < kr {
				s := beta * y.Data[(m-1)*y.Stride+i]
				h[keep*kr+l] = s
				h[l*kr+keep] = s
			}
		}
		expanded = keep
	}
}

// decide chooses the Ritz pairs to lock (indices into theta, which is
// ascending) and whether the run is over. Without verify it locks converged
// pairs from the top until r are locked. With verify it locks converged
// pairs above the r-th largest locked value, and the run is over when the
// largest remaining Ritz value is accepted below that value: converged, or
// converged to √Tol·‖A‖ and below it by more than its residual.
func (sv *solver) decide(theta, rho []float64, verify bool, r int) (lock []int, done bool) {
	accept := sv.tol * sv.scale
	nl := len(sv.xval)
	if !verify {
		for i := len(theta) - 1; i >= 0 && nl+len(lock) < r; i-- {
			if rho[i] > accept {
				break
			}
			lock = append(lock, i)
		}
		return lock, nl+len(lock) >= r
	}
	for i := len(theta) - 1; i >= 0; i-- {
		lr := rthLargest(sv.xval, theta, lock, r)
		if rho[i] <= accept {
			if theta[i] > lr+accept {
				lock = append(lock, i)
				continue
			}
			return lock, true
		}
		return lock, rho[i] <= math.Sqrt(sv.tol)*sv.scale && theta[i]+rho[i] <= lr+accept
	}
	return lock, true
}

// rotate overwrites rows 0..len(sel)−1 of the basis with the Ritz vectors
// V_m'y_sel, in place, a block of columns at a time.
func (sv *solver) rotate(y blas64.General, m int, sel []int) {
	c := len(sel)
	if c == 0 {
		return
	}
	n := sv.n
	ys := make([]float64, m*c)
	for i := range m {
		for l, s := range sel {
			ys[i*c+l] = y.Data[i*y.Stride+s]
		}
	}
	const block = 8192
	tmp := make([]float64, c*min(block, n))
	for c0 := 0; c0 < n; c0 += block {
		cw := min(block, n-c0)
		vb := blas64.General{Rows: m, Cols: cw, Stride: n, Data: sv.v[c0:]}
		tb := blas64.General{Rows: c, Cols: cw, Stride: cw, Data: tmp}
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, blas64.General{Rows: m, Cols: c, Stride: c, Data: ys}, vb, 0, tb)
		for l := range c {
			copy(sv.v[l*n+c0:l*n+c0+cw], tmp[l*cw:(l+1)*cw])
		}
	}
}

// ritz returns the eigenvalues (ascending) and the eigenvectors (columns)
// of the leading m×m block of the projected matrix, in buffers of sv that
// the next call overwrites.
func (sv *solver) ritz(m int) ([]float64, blas64.General, error) {
	kr := sv.krylov
	if sv.tbuf == nil {
		sv.tbuf = make([]float64, kr*kr)
		sv.theta = make([]float64, kr)
		sv.rho = make([]float64, kr)
		work := make([]float64, 1)
		lapack64.Syev(lapack.EVCompute, blas64.Symmetric{N: kr, Stride: kr, Data: sv.tbuf, Uplo: blas.Upper}, sv.theta, work, -1)
		sv.work = make([]float64, int(work[0]))
	}
	t := blas64.Symmetric{N: m, Stride: m, Data: sv.tbuf[:m*m], Uplo: blas.Upper}
	for i := range m {
		copy(t.Data[i*m+i:(i+1)*m], sv.h[i*kr+i:i*kr+m])
	}
	theta := sv.theta[:m]
	if !lapack64.Syev(lapack.EVCompute, t, theta, sv.work, len(sv.work)) {
		return nil, blas64.General{}, errors.New("spectral: eigendecomposition of the projected matrix failed")
	}
	return theta, blas64.General{Rows: m, Cols: m, Stride: m, Data: t.Data}, nil
}

// rthLargest returns the r-th largest of the locked values and the values
// theta[i], i in lock (−Inf if there are fewer than r).
func rthLargest(locked, theta []float64, lock []int, r int) float64 {
	all := slices.Clone(locked)
	for _, i := range lock {
		all = append(all, theta[i])
	}
	if len(all) < r {
		return math.Inf(-1)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(all)))
	return all[r-1]
}

// notConverged builds the error at the budget's end, with the j leading
// basis vectors expanded so far.
func (sv *solver) notConverged(j, r int) error {
	type pair struct {
		val, res float64
		conv     bool
	}
	var ps []pair
	for i, x := range sv.xval {
		ps = append(ps, pair{x, sv.xres[i], true})
	}
	if j > 0 {
		if theta, y, err := sv.ritz(j); err == nil {
			accept := sv.tol * sv.scale
			for i := range j {
				// Residual of the Ritz vector: the coupling of the basis
				// to the next vector, row j of h.
				var s float64
				if j < sv.krylov {
					for l := range j {
						s += sv.h[j*sv.krylov+l] * y.Data[l*y.Stride+i]
					}
				}
				s = math.Abs(s)
				ps = append(ps, pair{theta[i], s, s <= accept})
			}
		}
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].val > ps[b].val })
	ps = ps[:min(r, len(ps))]
	e := &NotConvergedError{Steps: sv.steps}
	for _, p := range ps {
		e.Values = append(e.Values, p.val)
		e.Residuals = append(e.Residuals, p.res)
		e.Converged = append(e.Converged, p.conv)
	}
	return e
}

// finish takes the r largest locked pairs, refines them by Rayleigh–Ritz on
// their span and measures their residuals.
func (sv *solver) finish(r int) (*Eigen, error) {
	n := sv.n
	idx := make([]int, len(sv.xval))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return sv.xval[idx[a]] > sv.xval[idx[b]] })
	x := make([]float64, r*n)
	for l, i := range idx[:r] {
		copy(x[l*n:(l+1)*n], sv.x[i*n:(i+1)*n])
	}
	ax := make([]float64, r*n)
	for l := range r {
		if _, err := sv.apply(ax[l*n:(l+1)*n], x[l*n:(l+1)*n]); err != nil {
			return nil, err
		}
	}
	// G = X A X' (r×r), symmetrized.
	g := blas64.General{Rows: r, Cols: r, Stride: r, Data: make([]float64, r*r)}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, rows(x, r, n), rows(ax, r, n), 0, g)
	gs := mat.NewSymDense(r, nil)
	for i := range r {
		for j := i; j < r; j++ {
			gs.SetSym(i, j, (g.Data[i*r+j]+g.Data[j*r+i])/2)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(gs, true) {
		return nil, errors.New("spectral: eigendecomposition of the final Rayleigh quotient failed")
	}
	mu := es.Values(nil)
	var z mat.Dense
	es.VectorsTo(&z)
	// Columns of z in descending order of mu.
	zd := make([]float64, r*r)
	vals := make([]float64, r)
	for c := range r {
		vals[c] = mu[r-1-c]
		for i := range r {
			zd[i*r+c] = z.At(i, r-1-c)
		}
	}
	zg := blas64.General{Rows: r, Cols: r, Stride: r, Data: zd}
	// The Krylov basis is free now: it holds the rotated pairs.
	if len(sv.v) < 2*r*n {
		sv.v = make([]float64, 2*r*n)
	}
	xf := blas64.General{Rows: r, Cols: n, Stride: n, Data: sv.v[:r*n]}
	wf := blas64.General{Rows: r, Cols: n, Stride: n, Data: sv.v[r*n : 2*r*n]}
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, zg, rows(x, r, n), 0, xf)
	blas64.Gemm(blas.Trans, blas.NoTrans, 1, zg, rows(ax, r, n), 0, wf)
	res := make([]float64, r)
	vecs := mat.NewDense(n, r, nil)
	raw := vecs.RawMatrix()
	for c := range r {
		xc := xf.Data[c*n : (c+1)*n]
		wc := wf.Data[c*n : (c+1)*n]
		floats.AddScaled(wc, -vals[c], xc)
		res[c] = floats.Norm(wc, 2)
		for i, v := range xc {
			raw.Data[i*raw.Stride+c] = v
		}
	}
	// For a symmetric operator each measured residual is within √(locked)
	// times the tolerance (the deflation adds the locked residuals in
	// quadrature), plus rounding; ten times that means op is not symmetric.
	limit := 10 * (math.Sqrt(float64(len(sv.xval)))*sv.tol + 1e-15*math.Sqrt(float64(n))) * sv.scale
	for c, x := range res {
		if x > limit {
			return nil, fmt.Errorf("spectral: the eigenpair %d (value %v) has residual %.3g, above %.3g: is op symmetric?", c, vals[c], x, limit)
		}
	}
	return &Eigen{Values: vals, Vectors: vecs, Residuals: res, Steps: sv.steps}, nil
}
