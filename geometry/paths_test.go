package geometry

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
)

// randLogistic returns ridge logistic regression on n standard normal rows
// of dimension p with random ±1 labels, and its minimizer.
func randLogistic(t testing.TB, n, p int, ridge float64, seed uint64) (*learning.Logistic, []float64) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, 1))
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	for i := range n {
		for j := range p {
			a.Set(i, j, rnd.NormFloat64())
		}
		y[i] = float64(2*rnd.IntN(2) - 1)
	}
	lg, err := learning.NewLogistic(a, y, nil, ridge)
	if err != nil {
		t.Fatal(err)
	}
	x, err := lg.Minimizer()
	if err != nil {
		t.Fatal(err)
	}
	return lg, x
}

// randLogisticIntercept is randLogistic's problem with column col left out
// of the penalty (learning.NewLogisticIntercept): rank-one components plus
// a ridge diagonal instead of a multiple of the identity.
func randLogisticIntercept(t testing.TB, n, p int, ridge float64, seed uint64, col int) *learning.Logistic {
	t.Helper()
	lg, _ := randLogistic(t, n, p, ridge, seed)
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	for i := range n {
		r := lg.Component(i).(*learning.LogisticRow)
		a.SetRow(i, r.A)
		y[i] = r.Y
	}
	li, err := learning.NewLogisticIntercept(a, y, nil, ridge, col)
	if err != nil {
		t.Fatal(err)
	}
	return li
}

// ridgeMixture is a mixture of logistic rows with different ridges, so that
// the Var(ρ) and SH + HS terms of the rank-one identity are exercised.
func ridgeMixture(t testing.TB, lg *learning.Logistic) problems.Problem {
	t.Helper()
	comps := make([]problems.Component, lg.Len())
	for i := range comps {
		r := *lg.Component(i).(*learning.LogisticRow)
		r.Lambda = 0.02 * float64(i%3)
		comps[i] = &r
	}
	m, err := problems.NewMixture(lg.Dim(), comps, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestEstimatePathsAgainstDense checks every evaluation path against the
// dense one on the same sample points. The rank-one, HVP and dense paths are
// exact and differ only in rounding: 1e-9 relative covers the cancellation
// in M(θ) = Σ p_i c_i²(a_i'Ha_i)a_ia_i' − GHG, whose terms are of order
// ‖H‖³ while M is of order Var(c)‖H‖ (a loss of up to about 1e5·ε with
// these data). The finite-difference path has the O(1e-10) error of each
// Hessian entry (problems.FDHessianStep), amplified in the quotients of K(θ)
// by 1/λ_min(H(θ)) ≈ 1e1 and by the same cancellation: 1e-5.
func TestEstimatePathsAgainstDense(t *testing.T) {
	lg, x := randLogistic(t, 60, 5, 0.05, 3)
	for _, tc := range []struct {
		name string
		p    problems.Problem
	}{
		{"logistic", lg},
		{"ridge mixture", ridgeMixture(t, lg)},
		{"logistic with intercept", randLogisticIntercept(t, 60, 5, 0.05, 3, 1)},
	} {
		s := Settings{Radius: 0.3, Samples: 40, Seed: 9}
		s.Path = PathDense
		dense, err := Estimate(tc.p, x, s)
		if err != nil {
			t.Fatal(err)
		}
		auto, err := Estimate(tc.p, x, Settings{Radius: 0.3, Samples: 40, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		if auto.Path != PathRankOne {
			t.Errorf("%s: PathAuto chose %v, want rank-one", tc.name, auto.Path)
		}
		for _, pc := range []struct {
			path Path
			tol  float64
		}{{PathRankOne, 1e-9}, {PathHessVec, 1e-9}, {PathFiniteDifference, 1e-5}} {
			s.Path = pc.path
			got, err := Estimate(tc.p, x, s)
			if err != nil {
				t.Fatalf("%s, %v: %v", tc.name, pc.path, err)
			}
			if got.Path != pc.path {
				t.Errorf("%s: Path = %v, want %v", tc.name, got.Path, pc.path)
			}
			if got.M != dense.M {
				t.Fatalf("%s, %v: m = %d, dense %d", tc.name, pc.path, got.M, dense.M)
			}
			for j := range got.Eigenvalues {
				if !scalar.EqualWithinRel(got.Eigenvalues[j], dense.Eigenvalues[j], pc.tol) {
					t.Errorf("%s, %v: λ_%d = %v, dense %v", tc.name, pc.path, j+1, got.Eigenvalues[j], dense.Eigenvalues[j])
				}
			}
			for _, q := range []struct {
				name      string
				got, want float64
			}{{"S", got.S, dense.S}, {"T", got.T, dense.T}, {"TErr", got.TErr, dense.TErr}, {"TMedian", got.TMedian, dense.TMedian}} {
				if !scalar.EqualWithinRel(q.got, q.want, pc.tol) {
					t.Errorf("%s, %v: %s = %v, dense %v", tc.name, pc.path, q.name, q.got, q.want)
				}
			}
			if !(dense.T > 0) {
				t.Errorf("%s: dense T = %v: the test needs a nonzero t", tc.name, dense.T)
			}
		}
	}
}

// TestEstimatePathUnsupported: forcing the rank-one path on a problem whose
// components lack the structure is an error naming the component.
func TestEstimatePathUnsupported(t *testing.T) {
	q := newQuart(3, 4, 1)
	_, err := Estimate(q, make([]float64, 3), Settings{Samples: 8, Path: PathRankOne})
	if err == nil {
		t.Fatal("no error")
	}
}

// TestLocalMIsLenEigenvalues: every constructor of a Local sets M to
// len(Eigenvalues), so that Eigenvalues[M-1] is the smallest nonzero one.
func TestLocalMIsLenEigenvalues(t *testing.T) {
	rnd := rand.New(rand.NewPCG(2, 3))
	var qs []mat.Symmetric
	for range 4 {
		g := mat.NewDense(4, 2, nil)
		for j := range 8 {
			g.Set(j/2, j%2, rnd.NormFloat64())
		}
		q := mat.NewSymDense(4, nil)
		q.SymOuterK(1, g)
		qs = append(qs, q)
	}
	quad, err := problems.NewQuadratic(qs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, l *Local, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if l.M != len(l.Eigenvalues) || l.M == 0 {
			t.Errorf("%s: M = %d, len(Eigenvalues) = %d", name, l.M, len(l.Eigenvalues))
		}
	}
	l, err := Exact(quad)
	check("Exact", l, err)
	lin, err := Linearize(quad, quad.Minimizer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err = lin.Local()
	check("Linearized.Local", l, err)
	l, err = Estimate(quad, quad.Minimizer(), Settings{Samples: 20})
	check("Estimate", l, err)
}

// TestEstimateRankRuleZ exercises the standard-error clause of the rank
// rule. With seed 3 the third eigenvalue of H̄, zero in expectation, comes
// out positive (about 1.5 standard errors) and far above RankTol·λ_1, so
// only the Z clause removes it: m = 2 with the default Z = 3, and m = 3 with
// Z = 1. The second eigenvalue, 3ε²/5 in expectation, clears 3 standard
// errors by a factor of four.
func TestEstimateRankRuleZ(t *testing.T) {
	comps := []problems.Component{rankComp{q: 2, c: 0.3}, rankComp{q: 2, c: -0.1}}
	prob, err := problems.NewMixture(3, comps, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := Settings{Radius: 0.2, Samples: 400, Seed: 3}
	got, err := Estimate(prob, []float64{0, 0, 0}, s)
	if err != nil {
		t.Fatal(err)
	}
	l3, se3 := got.AllEigenvalues[2], got.EigErr[2]
	if !(l3 > DefaultRankTol*got.AllEigenvalues[0] && l3 < DefaultZ*se3 && l3 > se3) {
		t.Fatalf("precondition: λ_3 = %v, se %v: want between se and 3·se", l3, se3)
	}
	if got.M != 2 {
		t.Errorf("Z = 3: m = %d, want 2 (λ = %v ± %v)", got.M, got.AllEigenvalues, got.EigErr)
	}
	s.Z = 1
	got, err = Estimate(prob, []float64{0, 0, 0}, s)
	if err != nil {
		t.Fatal(err)
	}
	if got.M != 3 {
		t.Errorf("Z = 1: m = %d, want 3", got.M)
	}
	if math.IsNaN(got.S) {
		t.Error("S is NaN")
	}
}

// TestEstimateRankOneWorkers: the rank-one path sums in a fixed order, so
// its result is bit-identical for any number of workers.
func TestEstimateRankOneWorkers(t *testing.T) {
	lg, x := randLogistic(t, 80, 6, 0.05, 6)
	var ref *Local
	for _, w := range []int{1, 2, 5} {
		got, err := Estimate(lg, x, Settings{Samples: 30, Workers: w, Path: PathRankOne})
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = got
			continue
		}
		if got.S != ref.S || got.T != ref.T || got.TErr != ref.TErr || !mat.Equal(got.Hessian, ref.Hessian) {
			t.Errorf("Workers %d: S, T = %v, %v; Workers 1: %v, %v", w, got.S, got.T, ref.S, ref.T)
		}
		for j := range ref.EigErr {
			if got.EigErr[j] != ref.EigErr[j] {
				t.Errorf("Workers %d: EigErr[%d] = %v, Workers 1: %v", w, j, got.EigErr[j], ref.EigErr[j])
			}
		}
	}
}

// TestEstimateRankOneSingular: with fewer rows than columns H(θ) is
// singular, so the rank-one path cannot use a Cholesky factor of H and
// takes its general product; it must still equal the dense path (1e-9, as in
// TestEstimatePathsAgainstDense).
func TestEstimateRankOneSingular(t *testing.T) {
	rnd := rand.New(rand.NewPCG(4, 4))
	a := mat.NewDense(4, 6, nil)
	y := make([]float64, 4)
	for i := range 4 {
		for j := range 6 {
			a.Set(i, j, rnd.NormFloat64())
		}
		y[i] = rnd.NormFloat64()
	}
	ls, err := learning.NewLeastSquares(a, y, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float64, 6)
	dense, err := Estimate(ls, x, Settings{Samples: 20, Path: PathDense})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Estimate(ls, x, Settings{Samples: 20, Path: PathRankOne})
	if err != nil {
		t.Fatal(err)
	}
	if got.M != 4 || dense.M != 4 {
		t.Fatalf("m = %d, dense %d, want 4", got.M, dense.M)
	}
	if !scalar.EqualWithinRel(got.T, dense.T, 1e-9) || !scalar.EqualWithinAbsOrRel(got.S, dense.S, 1e-12, 1e-9) {
		t.Errorf("S, T = %v, %v; dense %v, %v", got.S, got.T, dense.S, dense.T)
	}
}

// TestEstimateCholeskyBranch checks the Cholesky branch of the dense
// pointwise quotients, taken when every eigenvalue of H(θ) is certified
// above the point tolerance (K = U⁻ᵀMU⁻¹ with H = U'U), against the
// eigen-decomposition branch (K = Λ^{-1/2}U'MUΛ^{-1/2}) at the same points:
// on the rank-one path with equal ridges (the K = Z'diag(q)Z − SᵀS form),
// with unequal ridges (M formed, then K), and on the generic dense path.
// The two branches share M(θ) (or its terms) and differ only in the
// factorization of H(θ): each gives the eigenvalues of K to about
// cond(H(θ))·p·ε ≈ 1e2·8·1.1e-16 ≈ 1e-13 relative here, so 1e-12.
func TestEstimateCholeskyBranch(t *testing.T) {
	lg, x := randLogistic(t, 60, 8, 0.05, 3)
	cases := []struct {
		name string
		p    problems.Problem
		path Path
	}{
		{"rank-one", lg, PathRankOne},
		{"rank-one unequal ridges", ridgeMixture(t, lg), PathRankOne},
		{"rank-one ridge diagonal", randLogisticIntercept(t, 60, 8, 0.05, 3, 7), PathRankOne},
		{"dense", lg, PathDense},
	}
	for _, c := range cases {
		s := Settings{Samples: 40, Seed: 2, Radius: 0.5, Path: c.path}
		chol, err := estimate(c.p, x, s, false)
		if err != nil {
			t.Fatal(err)
		}
		eig, err := estimate(c.p, x, s, true)
		if err != nil {
			t.Fatal(err)
		}
		if chol.Skipped != 0 || chol.Indefinite != 0 {
			t.Fatalf("%s: %d skipped, %d indefinite points; want a positive definite H(θ) everywhere", c.name, chol.Skipped, chol.Indefinite)
		}
		for _, q := range [][3]float64{{chol.S, eig.S}, {chol.T, eig.T}, {chol.TMedian, eig.TMedian}} {
			if !scalar.EqualWithinRel(q[0], q[1], 1e-12) {
				t.Errorf("%s: Cholesky branch gives %v, eigen branch %v", c.name, q[0], q[1])
			}
		}
	}
}

// TestEstimateRidgeDiagonals: the rank-one path takes components with one
// common ridge diagonal (problems.RankOneDiagHessianer), mixed with scalar
// ridges equal to it, and refuses different diagonals with an error naming
// the components, which PathAuto answers with the dense path.
func TestEstimateRidgeDiagonals(t *testing.T) {
	li := randLogisticIntercept(t, 12, 4, 0.05, 5, 0)
	comps := make([]problems.Component, li.Len())
	for i := range comps {
		comps[i] = li.Component(i)
	}
	x := make([]float64, 4)
	s := Settings{Samples: 8, Radius: 0.3}

	// A second intercept column: a different diagonal.
	other := *comps[3].(*learning.InterceptRow)
	other.Intercept = 2
	mixed := append([]problems.Component(nil), comps...)
	mixed[3] = &other
	pm, err := problems.NewMixture(4, mixed, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Estimate(pm, x, Settings{Samples: 8, Path: PathRankOne})
	if err == nil || !strings.Contains(err.Error(), "components 0 and 3") {
		t.Errorf("different ridge diagonals: error %v, want one naming components 0 and 3", err)
	}
	if loc, err := Estimate(pm, x, s); err != nil || loc.Path != PathDense {
		t.Errorf("different ridge diagonals: PathAuto gave %v, %v; want the dense path", loc.Path, err)
	}

	// A scalar ridge equal to every entry of the diagonal combines with
	// it; this one (0.05 on the intercept too) does not.
	scalarRow := *comps[5].(*learning.InterceptRow).Row
	mixed[3] = comps[3]
	mixed[5] = &scalarRow
	pm, err = problems.NewMixture(4, mixed, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Estimate(pm, x, Settings{Samples: 8, Path: PathRankOne})
	if err == nil || !strings.Contains(err.Error(), "component 5") {
		t.Errorf("scalar ridge with a diagonal: error %v, want one naming component 5", err)
	}
	if loc, err := Estimate(li, x, s); err != nil || loc.Path != PathRankOne {
		t.Errorf("one common diagonal: PathAuto gave %v, %v; want the rank-one path", loc.Path, err)
	}
}

// repeatedRow is a problem of n copies of one logistic row: rank-one
// components of any number without their data.
type repeatedRow struct {
	n   int
	row *learning.LogisticRow
}

func (r repeatedRow) Dim() int                         { return len(r.row.A) }
func (r repeatedRow) Len() int                         { return r.n }
func (r repeatedRow) Weight(int) float64               { return 1 / float64(r.n) }
func (r repeatedRow) Component(int) problems.Component { return r.row }

// TestEstimateDenseMemory: the paths that form p×p matrices refuse, with an
// error naming the size, a request above DenseMaxBytes (a forced dense path
// at p = 20,000: 16·p²·8 = 51 GB per worker; the rank-one rows of
// N = 2,000,000 components at p = 200: 9.6 GB per worker), instead of
// running out of memory.
func TestEstimateDenseMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates the component list of a 2,000,000-component problem")
	}
	const p = 20000
	a := mat.NewDense(1, p, nil)
	a.Set(0, 0, 1)
	lg, err := learning.NewLogistic(a, []float64{1}, nil, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Estimate(lg, make([]float64, p), Settings{Path: PathDense, Samples: 4, Workers: 1})
	if err == nil || !strings.Contains(err.Error(), "DenseMaxBytes") || !strings.Contains(err.Error(), "p = 20000") {
		t.Errorf("dense path at p = %d: error %v, want one naming the size and DenseMaxBytes", p, err)
	}
	row := lg.Component(0).(*learning.LogisticRow)
	small := &learning.LogisticRow{A: row.A[:200], Y: 1, Lambda: 0.1}
	big := repeatedRow{n: 2000000, row: small}
	loc, err := Estimate(big, make([]float64, 200), Settings{Samples: 4, Workers: 1})
	if err == nil || !strings.Contains(err.Error(), "N = 2000000") {
		t.Errorf("rank-one path with N = %d: error %v, want one naming the size", big.n, err)
	}
	if loc != nil {
		t.Errorf("rank-one path with N = %d: a result with the error", big.n)
	}
	// Below the budget the same check passes.
	if err := denseMemory(200, 1000, 50, 2, true); err != nil {
		t.Errorf("p = 200, N = 1000: %v", err)
	}
}
