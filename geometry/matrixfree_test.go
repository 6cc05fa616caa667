package geometry

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/thresholds"
)

// lowRankQuadratic is a stochastic quadratic on R^12 whose component
// Hessians are random rank-2 matrices inside one 4-dimensional subspace, so
// that H has rank 4 with distinct eigenvalues.
func lowRankQuadratic(t testing.TB) *problems.Quadratic {
	t.Helper()
	rnd := rand.New(rand.NewPCG(21, 22))
	const p, rank, n = 12, 4, 6
	basis := mat.NewDense(p, rank, nil)
	for a := range p {
		for c := range rank {
			basis.Set(a, c, rnd.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(basis)
	var q mat.Dense
	qr.QTo(&q)
	u := q.Slice(0, p, 0, rank)
	qs := make([]mat.Symmetric, n)
	for i := range qs {
		g := mat.NewDense(rank, 2, nil)
		for j := range 2 * rank {
			g.Set(j/2, j%2, rnd.NormFloat64()*float64(j/2+1))
		}
		var ug mat.Dense
		ug.Mul(u, g)
		s := mat.NewSymDense(p, nil)
		s.SymOuterK(1, &ug)
		qs[i] = s
	}
	quad, err := problems.NewQuadratic(qs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return quad
}

// TestMatrixFreeEqualsDense: with r at least the rank, the compression onto
// the top eigenvectors is exact (a similarity on range(H̄) for a full-rank
// logistic regression; range(H) contains every range(∇²f_i) for the
// quadratic), so the matrix-free path equals the dense one on the same
// points. 1e-8 relative: Lanczos' residual tolerance 1e-10·‖H̄‖ bounds the
// eigenvector error by 1e-10·‖H̄‖/gap, and the quotients of K(θ) divide by
// eigenvalues within a factor of 1e2 of ‖H̄‖ here.
func TestMatrixFreeEqualsDense(t *testing.T) {
	lg, x := randLogistic(t, 60, 6, 0.05, 3)
	quad := lowRankQuadratic(t)
	for _, tc := range []struct {
		name    string
		p       problems.Problem
		x       []float64
		maxRank int
		m       int
	}{
		{"logistic", lg, x, 6, 6},
		{"logistic with intercept", randLogisticIntercept(t, 60, 6, 0.05, 3, 2), x, 6, 6},
		{"low-rank quadratic", quad, quad.Minimizer(), 6, 4},
	} {
		s := Settings{Radius: 0.3, Samples: 40, Seed: 9, Path: PathDense}
		dense, err := Estimate(tc.p, tc.x, s)
		if err != nil {
			t.Fatal(err)
		}
		s.Path, s.MaxRank = PathMatrixFree, tc.maxRank
		got, err := Estimate(tc.p, tc.x, s)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.M != tc.m || dense.M != tc.m || got.Hessian != nil || got.Truncated {
			t.Fatalf("%s: m = %d, dense %d, want %d; Hessian nil %v, Truncated %v", tc.name, got.M, dense.M, tc.m, got.Hessian == nil, got.Truncated)
		}
		for j := range got.Eigenvalues {
			if !scalar.EqualWithinRel(got.Eigenvalues[j], dense.Eigenvalues[j], 1e-8) {
				t.Errorf("%s: λ_%d = %v, dense %v", tc.name, j+1, got.Eigenvalues[j], dense.Eigenvalues[j])
			}
			if !scalar.EqualWithinAbsOrRel(got.EigErr[j], dense.EigErr[j], 1e-8*dense.Eigenvalues[0], 1e-6) {
				t.Errorf("%s: se(λ_%d) = %v, dense %v", tc.name, j+1, got.EigErr[j], dense.EigErr[j])
			}
		}
		for _, q := range []struct {
			name      string
			got, want float64
		}{{"S", got.S, dense.S}, {"T", got.T, dense.T}, {"SErr", got.SErr, dense.SErr}, {"TErr", got.TErr, dense.TErr}} {
			if !scalar.EqualWithinAbsOrRel(q.got, q.want, 1e-8*dense.T, 1e-8) {
				t.Errorf("%s: %s = %v, dense %v", tc.name, q.name, q.got, q.want)
			}
		}
		// Hutchinson's trace against the exact trace of the dense H̄: within
		// four standard errors (a failure probability below 1e-4).
		if d := math.Abs(got.Trace - mat.Trace(dense.Hessian)); !(d <= 4*got.TraceErr) {
			t.Errorf("%s: trace %v ± %v, exact %v", tc.name, got.Trace, got.TraceErr, mat.Trace(dense.Hessian))
		}
	}
}

// TestMatrixFreeTruncation checks the direction of both approximations on
// the low-rank quadratic, whose exact geometry is known (Exact): with r = 2
// below the rank 4, the kept eigenvalues are the top two exactly, Truncated
// is set, the k = ∞ divergence bound 2/λ_r is below the true 2/λ_m, and
// the compressed t can only be lower than the exact t_Q (V spans an
// invariant subspace of the constant H, so V'D_iPHPD_iV ≼ V'D_iHD_iV).
func TestMatrixFreeTruncation(t *testing.T) {
	quad := lowRankQuadratic(t)
	ex, err := Exact(quad)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Estimate(quad, quad.Minimizer(), Settings{Samples: 8, Path: PathMatrixFree, MaxRank: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got.M != 2 || !got.Truncated {
		t.Fatalf("m = %d, Truncated %v; want 2, true", got.M, got.Truncated)
	}
	for j := range 2 {
		if !scalar.EqualWithinRel(got.Eigenvalues[j], ex.Eigenvalues[j], 1e-9) {
			t.Errorf("λ_%d = %v, exact %v", j+1, got.Eigenvalues[j], ex.Eigenvalues[j])
		}
	}
	dTrunc := thresholds.Divergence(got.Geometry(), math.Inf(1))
	dTrue := thresholds.Divergence(ex.Geometry(), math.Inf(1))
	if !(dTrunc < dTrue) || !scalar.EqualWithinRel(dTrunc, 2/ex.Eigenvalues[1], 1e-9) {
		t.Errorf("k = ∞ divergence bound: truncated %v, true %v; want 2/λ_2 = %v < 2/λ_4", dTrunc, dTrue, 2/ex.Eigenvalues[1])
	}
	// Exact t_Q to rounding; the compressed t must not exceed it.
	if !(got.T <= ex.T*(1+1e-12)) {
		t.Errorf("compressed t = %v above the exact t_Q = %v", got.T, ex.T)
	}
	if !(got.T < ex.T*(1-1e-6)) {
		t.Logf("compressed t = %v equals t_Q = %v: the test does not show the lowering", got.T, ex.T)
	}
	var kept float64
	for _, v := range got.Eigenvalues {
		kept += v
	}
	if !(kept < got.Trace) {
		t.Errorf("kept eigenvalues sum to %v, trace estimate %v: truncation should show", kept, got.Trace)
	}
}

// TestMatrixFreeAutoAndWorkers: above MatrixFreeDim PathAuto takes the
// matrix-free path with its own default Samples, and the result does not
// depend on Workers.
func TestMatrixFreeAutoAndWorkers(t *testing.T) {
	lg, x := randLogistic(t, 30, MatrixFreeDim+1, 0.1, 5)
	var ref *Local
	for _, w := range []int{1, 3} {
		got, err := Estimate(lg, x, Settings{Workers: w, MaxRank: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got.Path != PathMatrixFree || got.Samples != DefaultMatrixFreeSamples {
			t.Fatalf("Path %v, Samples %d", got.Path, got.Samples)
		}
		if ref == nil {
			ref = got
			continue
		}
		if got.T != ref.T || got.S != ref.S || got.Trace != ref.Trace {
			t.Errorf("Workers %d: S, T, trace = %v, %v, %v; Workers 1: %v, %v, %v", w, got.S, got.T, got.Trace, ref.S, ref.T, ref.Trace)
		}
		for j := range got.Eigenvalues {
			if got.Eigenvalues[j] != ref.Eigenvalues[j] {
				t.Errorf("Workers %d: λ_%d = %v, Workers 1: %v", w, j+1, got.Eigenvalues[j], ref.Eigenvalues[j])
			}
		}
	}
	if _, err := Estimate(lg, x, Settings{MaxRank: -1}); err == nil {
		t.Error("MaxRank -1: no error")
	}
}
