package spectral

import (
	"fmt"
	"math"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Defaults of TraceSettings.
const (
	// DefaultProbes is the default number of probe vectors.
	DefaultProbes = 100
	// DefaultSteps is the default number of Lanczos steps per probe.
	DefaultSteps = 30
)

// probeDomain keys the probe streams, shared by Trace and Quadrature so that
// the same Seed gives both the same probes.
const probeDomain = 0x50524f42

// TraceSettings controls Trace and Quadrature. The zero value of every field
// means its documented default; a negative value is an error.
type TraceSettings struct {
	// Probes is the number of Rademacher probe vectors, at least 2 (for a
	// standard error). Default DefaultProbes = 100.
	Probes int
	// Steps is the number of Lanczos steps per probe of Quadrature (the
	// quadrature is exact for polynomials of degree below 2·Steps). Default
	// DefaultSteps = 30, capped at Dim. Trace does not use it.
	Steps int
	// Seed selects the probes: probe i is drawn from its own stream keyed by
	// (Seed, i).
	Seed uint64
	// Workers is the number of goroutines that apply the operator to
	// different probes at once. Default 1; above 1 the operator's Apply must
	// be safe for concurrent use. Results do not depend on Workers.
	Workers int
}

// TraceEstimate is a Monte Carlo estimate of a trace.
type TraceEstimate struct {
	Value  float64 // mean of the per-probe estimates
	StdErr float64 // their sample standard deviation over √Probes
	Probes int
}

func (s TraceSettings) resolve(op Operator) (TraceSettings, error) {
	if err := checkOperator(op); err != nil {
		return s, err
	}
	switch {
	case s.Probes < 0 || s.Probes == 1:
		return s, fmt.Errorf("spectral: TraceSettings.Probes = %d, want 0 (default %d) or at least 2", s.Probes, DefaultProbes)
	case s.Probes == 0:
		s.Probes = DefaultProbes
	}
	switch {
	case s.Steps < 0:
		return s, fmt.Errorf("spectral: TraceSettings.Steps = %d, want 0 (default %d) or positive", s.Steps, DefaultSteps)
	case s.Steps == 0:
		s.Steps = DefaultSteps
	}
	s.Steps = min(s.Steps, op.Dim())
	switch {
	case s.Workers < 0:
		return s, fmt.Errorf("spectral: TraceSettings.Workers = %d, want 0 (default 1) or positive", s.Workers)
	case s.Workers == 0:
		s.Workers = 1
	}
	s.Workers = min(s.Workers, s.Probes)
	return s, nil
}

// rademacher fills z with independent ±1 entries of probe i.
func rademacher(z []float64, seed uint64, i int) {
	rng := stream(seed, uint64(i), probeDomain)
	for j := 0; j < len(z); j += 64 {
		bits := rng.Uint64()
		for k := j; k < min(j+64, len(z)); k++ {
			z[k] = float64(int64(bits&1)*2 - 1)
			bits >>= 1
		}
	}
}

// forProbes calls do(i, worker) for every probe i on s.Workers goroutines,
// worker being the goroutine's index, and returns the error of the lowest
// failing probe.
func forProbes(s TraceSettings, do func(i, worker int) error) error {
	errs := make([]error, s.Probes)
	var wg sync.WaitGroup
	for w := range s.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < s.Probes; i += s.Workers {
				errs[i] = do(i, w)
			}
		}()
	}
	wg.Wait()
	return firstNonNil(errs)
}

func firstNonNil(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkFinite refuses a non-finite operator output.
func checkFinite(dst []float64, probe int) error {
	for j, v := range dst {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("spectral: op.Apply returned the non-finite value %v at index %d (probe %d)", v, j, probe)
		}
	}
	return nil
}

// Trace returns Hutchinson's estimate of tr(A): the mean of zᵀAz over
// s.Probes Rademacher vectors z (independent ±1 entries), which is unbiased
// with per-probe variance 2·Σ_{i≠j} A_ij² (M. F. Hutchinson, "A stochastic
// estimator of the trace of the influence matrix for Laplacian smoothing
// splines", Comm. Statist. Simulation Comput. 19 (1990) 433–450). It costs
// s.Probes applications of op and O(Dim) memory per worker. The standard
// error is the sample standard deviation over √Probes.
//
// Errors name the argument: op nil or of dimension < 1, a bad setting, or a
// non-finite operator output.
func Trace(op Operator, s TraceSettings) (TraceEstimate, error) {
	s, err := s.resolve(op)
	if err != nil {
		return TraceEstimate{}, err
	}
	n := op.Dim()
	x := make([]float64, s.Probes)
	z := make([][]float64, s.Workers)
	az := make([][]float64, s.Workers)
	for w := range s.Workers {
		z[w], az[w] = make([]float64, n), make([]float64, n)
	}
	err = forProbes(s, func(i, w int) error {
		rademacher(z[w], s.Seed, i)
		op.Apply(az[w], z[w])
		if err := checkFinite(az[w], i); err != nil {
			return err
		}
		x[i] = floats.Dot(z[w], az[w])
		return nil
	})
	if err != nil {
		return TraceEstimate{}, err
	}
	return estimate(x), nil
}

func estimate(x []float64) TraceEstimate {
	mean, sd := stat.MeanStdDev(x, nil)
	return TraceEstimate{Value: mean, StdErr: stat.StdErr(sd, float64(len(x))), Probes: len(x)}
}

// SLQ is the result of stochastic Lanczos quadrature: for each probe z the
// Gauss quadrature rule of the spectral measure μ_z = Σ_j (u_jᵀz)²/‖z‖² δ_{λ_j}
// of A, whose nodes are the Ritz values of the Lanczos run from z and whose
// weights are the squared first components of their eigenvectors in the
// tridiagonal matrix (G. H. Golub and G. Meurant, "Matrices, Moments and
// Quadrature with Applications", Princeton University Press, 2010;
// S. Ubaru, J. Chen and Y. Saad, "Fast estimation of tr(f(A)) via stochastic
// Lanczos quadrature", SIAM J. Matrix Anal. Appl. 38 (2017) 1075–1099).
type SLQ struct {
	Dim     int
	Nodes   [][]float64 // Nodes[i]: the Ritz values of probe i, ascending
	Weights [][]float64 // Weights[i]: their weights, summing to 1
}

// Quadrature runs s.Steps Lanczos steps (full reorthogonalization, stopped
// early at an invariant subspace) from each of s.Probes Rademacher probes
// (the probes of Trace with the same Seed) and returns the quadrature rules.
// It costs Probes·Steps applications of op and 8·(Steps + 2)·Dim bytes per
// worker. Errors are those of Trace.
func Quadrature(op Operator, s TraceSettings) (*SLQ, error) {
	s, err := s.resolve(op)
	if err != nil {
		return nil, err
	}
	n := op.Dim()
	if need := 8 * float64(s.Steps+2) * float64(n) * float64(s.Workers); need > DefaultMaxBytes {
		return nil, fmt.Errorf("spectral: Quadrature with Dim = %d, Steps = %d, Workers = %d needs about %.3g bytes, above %d", n, s.Steps, s.Workers, need, DefaultMaxBytes)
	}
	q := &SLQ{Dim: n, Nodes: make([][]float64, s.Probes), Weights: make([][]float64, s.Probes)}
	basis := make([][]float64, s.Workers)
	w := make([][]float64, s.Workers)
	scratch := make([][]float64, s.Workers)
	for k := range s.Workers {
		basis[k] = make([]float64, s.Steps*n)
		w[k] = make([]float64, n)
		scratch[k] = make([]float64, 2*s.Steps)
	}
	err = forProbes(s, func(i, k int) error {
		nodes, weights, err := lanczosQuadrature(op, s.Steps, s.Seed, i, basis[k], w[k], scratch[k])
		q.Nodes[i], q.Weights[i] = nodes, weights
		return err
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// lanczosQuadrature is the Gauss rule of probe i.
func lanczosQuadrature(op Operator, steps int, seed uint64, i int, basis, w, scratch []float64) (nodes, weights []float64, err error) {
	n := op.Dim()
	v0 := basis[:n]
	rademacher(v0, seed, i)
	floats.Scale(1/floats.Norm(v0, 2), v0) // ‖z‖² = Dim
	var alpha, beta []float64
	scale := 0.0
	for j := range steps {
		op.Apply(w, basis[j*n:(j+1)*n])
		if err := checkFinite(w, i); err != nil {
			return nil, nil, err
		}
		an := floats.Norm(w, 2)
		scale = math.Max(scale, an)
		acc := scratch[:j+1]
		clear(acc)
		for range 2 {
			orthogonalize(w, basis, j+1, acc, scratch[steps:])
		}
		alpha = append(alpha, acc[j])
		b := floats.Norm(w, 2)
		if j == steps-1 || b <= breakdownTol*scale {
			break
		}
		beta = append(beta, b)
		floats.ScaleTo(basis[(j+1)*n:(j+2)*n], 1/b, w)
	}
	m := len(alpha)
	t := mat.NewSymDense(m, nil)
	for k := range m {
		t.SetSym(k, k, alpha[k])
		if k+1 < m {
			t.SetSym(k, k+1, beta[k])
		}
	}
	var es mat.EigenSym
	if !es.Factorize(t, true) {
		return nil, nil, fmt.Errorf("spectral: eigendecomposition of the Lanczos matrix of probe %d failed", i)
	}
	nodes = es.Values(nil)
	var y mat.Dense
	es.VectorsTo(&y)
	weights = make([]float64, m)
	for k := range m {
		weights[k] = y.At(0, k) * y.At(0, k)
	}
	return nodes, weights, nil
}

// Trace returns the estimate of tr f(A) = Dim · mean over probes of
// Σ_k Weights[k]·f(Nodes[k]), with its standard error. For f(x) = x it
// equals Trace's estimate from the same probes. f must not be nil.
func (q *SLQ) Trace(f func(float64) float64) TraceEstimate {
	x := make([]float64, len(q.Nodes))
	for i, nodes := range q.Nodes {
		for k, t := range nodes {
			x[i] += q.Weights[i][k] * f(t)
		}
		x[i] *= float64(q.Dim)
	}
	return estimate(x)
}

// Density returns the spectral density (1/Dim)·Σ_j δ(x − λ_j) of A
// smoothed by a Gaussian kernel of standard deviation sigma, estimated at
// each point of x as the mean over probes of Σ_k Weights[k]·N(x; Nodes[k],
// sigma²). It integrates to 1; multiply by Dim for an eigenvalue count per
// unit length. sigma must be positive (otherwise the result is NaN).
func (q *SLQ) Density(x []float64, sigma float64) []float64 {
	out := make([]float64, len(x))
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		for i := range out {
			out[i] = math.NaN()
		}
		return out
	}
	c := 1 / (sigma * math.Sqrt(2*math.Pi) * float64(len(q.Nodes)))
	for i, nodes := range q.Nodes {
		for k, t := range nodes {
			wk := q.Weights[i][k] * c
			for j, xj := range x {
				d := (xj - t) / sigma
				out[j] += wk * math.Exp(-d*d/2)
			}
		}
	}
	return out
}
