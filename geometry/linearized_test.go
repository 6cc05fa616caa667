package geometry_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/problems/paper"
	"github.com/flatminima/flatminima/thresholds"
)

func linQuadratic(t *testing.T) *problems.Quadratic {
	t.Helper()
	rnd := rand.New(rand.NewPCG(8, 8))
	var qs []mat.Symmetric
	var rs [][]float64
	for i := 0; i < 4; i++ {
		g := mat.NewDense(3, 2, nil)
		for j := 0; j < 6; j++ {
			g.Set(j/2, j%2, rnd.NormFloat64())
		}
		q := mat.NewSymDense(3, nil)
		q.SymOuterK(1, g)
		qs = append(qs, q)
		rs = append(rs, []float64{0, 0, 0})
	}
	q, err := problems.NewQuadratic(qs, rs, []float64{0.1, 0.2, 0.3, 0.4})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestLinearizeQuadratic: the linearization of a stochastic quadratic is the
// quadratic itself, so Local equals Exact and MeanSquare equals
// thresholds.MeanSquare of its Q_i; ball averaging changes nothing (the
// Hessians are constant), for any Workers.
func TestLinearizeQuadratic(t *testing.T) {
	q := linQuadratic(t)
	x := q.Minimizer()
	lin, err := geometry.Linearize(q, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !lin.Homogeneous || lin.GradNoise > 1e-20 {
		t.Errorf("homogeneous %v, GradNoise %v", lin.Homogeneous, lin.GradNoise)
	}
	want, err := geometry.Exact(q)
	if err != nil {
		t.Fatal(err)
	}
	got, err := lin.Local()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Eigenvalues) != len(want.Eigenvalues) {
		t.Fatalf("eigenvalues %v, Exact %v", got.Eigenvalues, want.Eigenvalues)
	}
	for i := range got.Eigenvalues {
		if math.Abs(got.Eigenvalues[i]-want.Eigenvalues[i]) > 1e-12 {
			t.Errorf("eigenvalue %d: %v, Exact %v", i, got.Eigenvalues[i], want.Eigenvalues[i])
		}
	}
	if math.Abs(got.S-want.S) > 1e-10*want.T || math.Abs(got.T-want.T) > 1e-10*want.T {
		t.Errorf("s, t = %v, %v; Exact %v, %v", got.S, got.T, want.S, want.T)
	}
	var hs []mat.Symmetric
	w := make([]float64, q.Len())
	for i := range w {
		hs = append(hs, q.Q(i))
		w[i] = q.Weight(i)
	}
	for _, k := range []float64{1, 3, math.Inf(1)} {
		a, err := lin.MeanSquare(k)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := thresholds.MeanSquare(hs, w, k)
		if a != b {
			t.Errorf("k = %v: %v vs %v", k, a, b)
		}
		g := got.Geometry()
		if c, d := thresholds.Convergence(g, k), thresholds.Divergence(g, k); !(c <= a*(1+1e-12) && a <= d*(1+1e-12)) {
			t.Errorf("k = %v: Convergence %v, C* %v, Divergence %v", k, c, a, d)
		}
	}
	b1, err := geometry.Linearize(q, x, &geometry.Settings{Radius: 0.1, Samples: 40, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b3, _ := geometry.Linearize(q, x, &geometry.Settings{Radius: 0.1, Samples: 40, Workers: 3})
	for i := range b1.Hessians {
		if !mat.Equal(b1.Hessians[i], b3.Hessians[i]) {
			t.Errorf("component %d: Workers changed the ball average", i)
		}
		if !mat.EqualApprox(b1.Hessians[i], q.Q(i), 1e-12) {
			t.Errorf("component %d: ball average of a constant Hessian differs", i)
		}
	}
	if !b1.Averaged || b1.Samples != 40 {
		t.Errorf("Averaged %v, Samples %d", b1.Averaged, b1.Samples)
	}
}

// TestLinearizeStyblinskiTang: the ST minimizers are inhomogeneous, and the
// ball average of a diagonal Hessian 6c1 x² + c2 over B(x*, ε) in R^p adds
// 6c1·ε²/(p+2) to each diagonal entry.
func TestLinearizeStyblinskiTang(t *testing.T) {
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		t.Fatal(err)
	}
	x := st.Sharpest()
	lin, err := geometry.Linearize(st, x, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lin.Homogeneous || !(lin.GradNoise > 0) {
		t.Errorf("homogeneous %v, GradNoise %v", lin.Homogeneous, lin.GradNoise)
	}
	const eps = 0.05
	ball, err := geometry.Linearize(st, x, &geometry.Settings{Radius: eps, Samples: 4000, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	p := float64(len(x))
	// Expected shift Σ_i p_i 6 c1_i,d ε²/(p+2) = (H_ball − H_point) per
	// coordinate; c1 is recovered from the point Hessians at two points.
	probe := append([]float64(nil), x...)
	for d := range x {
		probe[d] = x[d] + 1
	}
	h1 := mat.NewSymDense(len(x), nil)
	shift := make([]float64, len(x))
	for i := 0; i < st.Len(); i++ {
		problems.HessianOf(st.Component(i)).Hess(h1, probe)
		for d := range x {
			q0 := lin.Hessians[i].At(d, d)
			// 6c1((x+1)² − x²) = 6c1(2x + 1).
			c6 := (h1.At(d, d) - q0) / (2*x[d] + 1)
			shift[d] += st.Weight(i) * c6 * eps * eps / (p + 2)
		}
	}
	for d := range x {
		got := ball.Hessian.At(d, d) - lin.Hessian.At(d, d)
		// Monte Carlo: the odd terms cancel in antithetic pairs; the
		// remaining x_d² term has relative spread about 1 per point, so
		// 2000 pairs give a few percent.
		if math.Abs(got-shift[d]) > 0.1*shift[d] {
			t.Errorf("coordinate %d: ball shift %.4g, closed form %.4g", d, got, shift[d])
		}
	}
}

func TestLinearizeErrors(t *testing.T) {
	q := linQuadratic(t)
	if _, err := geometry.Linearize(nil, []float64{0}, nil); err == nil {
		t.Error("nil problem accepted")
	}
	if _, err := geometry.Linearize(q, []float64{0}, nil); err == nil {
		t.Error("short center accepted")
	}
	if _, err := geometry.Linearize(q, []float64{0, math.NaN(), 0}, nil); err == nil {
		t.Error("NaN center accepted")
	}
	if _, err := geometry.Linearize(q, []float64{0, 0, 0}, &geometry.Settings{Radius: -1}); err == nil {
		t.Error("negative radius accepted")
	}
}

// TestNoiseFloor: for the scalar quadratic q ∈ {1, 3}, r ∈ {1, −3}
// (x* = 0.5, b = ±1.5), the floor is the closed form
// h(c²/k)E[b²]/(1 − (1 − ch)² − c²Var(q)/k), and a simulation of SGD-1
// (20000 independent chains, 60 steps from x*, far past the mixing time
// 1/|log ρ|) matches it within 4 standard errors.
func TestNoiseFloor(t *testing.T) {
	q, err := problems.NewQuadratic([]mat.Symmetric{mat.NewSymDense(1, []float64{1}), mat.NewSymDense(1, []float64{3})}, [][]float64{{1}, {-3}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lin, err := geometry.Linearize(q, []float64{0.5}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lin.Homogeneous || math.Abs(lin.GradNoise-2.25) > 1e-12 {
		t.Fatalf("homogeneous %v, GradNoise %v", lin.Homogeneous, lin.GradNoise)
	}
	c, k := 0.3, 1.0
	got, err := lin.NoiseFloor(c, k)
	if err != nil {
		t.Fatal(err)
	}
	want := 2 * c * c / k * 2.25 / (1 - (1-2*c)*(1-2*c) - c*c/k)
	if math.Abs(got-want) > 1e-10*want {
		t.Errorf("floor %v, closed form %v", got, want)
	}
	rnd := rand.New(rand.NewPCG(5, 6))
	const chains = 20000
	sum, sum2 := 0.0, 0.0
	for i := 0; i < chains; i++ {
		x := 0.5
		for n := 0; n < 60; n++ {
			if rnd.IntN(2) == 0 {
				x -= c * (x + 1)
			} else {
				x -= c * (3*x - 3)
			}
		}
		e := 2 * (x - 0.5) * (x - 0.5)
		sum += e
		sum2 += e * e
	}
	m := sum / chains
	se := math.Sqrt((sum2/chains - m*m) / chains)
	if math.Abs(m-want) > 4*se {
		t.Errorf("simulated E[e_∞] = %v ± %v, floor %v", m, se, want)
	}
	if e, _ := lin.NoiseFloor(0.8, 1); !math.IsInf(e, 1) {
		t.Errorf("floor at C* = %v, want +Inf", e)
	}
}

// TestNoiseFloorRotation: the floor is invariant under a rotation of the
// coordinates, which turns diagonal component Hessians (the O(p²) path) into
// dense ones (the generic path).
func TestNoiseFloorRotation(t *testing.T) {
	d := [][]float64{{1, 0.5}, {3, 0.2}, {2, 1.3}}
	r := [][]float64{{1, -0.5}, {-2, 0.3}, {1, 0.2}}
	th := 0.7
	rot := mat.NewDense(2, 2, []float64{math.Cos(th), -math.Sin(th), math.Sin(th), math.Cos(th)})
	var qd, qr []mat.Symmetric
	var rd, rr [][]float64
	for i := range d {
		qd = append(qd, mat.NewSymDense(2, []float64{d[i][0], 0, 0, d[i][1]}))
		rd = append(rd, r[i])
		var a, b mat.Dense
		a.Mul(rot, mat.NewDiagDense(2, d[i]))
		b.Mul(&a, rot.T())
		qr = append(qr, mat.NewSymDense(2, []float64{b.At(0, 0), b.At(0, 1), b.At(1, 0), b.At(1, 1)}))
		var v mat.VecDense
		v.MulVec(rot, mat.NewVecDense(2, r[i]))
		rr = append(rr, []float64{v.AtVec(0), v.AtVec(1)})
	}
	pd, err := problems.NewQuadratic(qd, rd, nil)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := problems.NewQuadratic(qr, rr, nil)
	if err != nil {
		t.Fatal(err)
	}
	ld, err := geometry.Linearize(pd, pd.Minimizer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	lr, err := geometry.Linearize(pr, pr.Minimizer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []float64{1, 5} {
		cs, _ := ld.MeanSquare(k)
		a, err := ld.NoiseFloor(0.5*cs, k)
		if err != nil {
			t.Fatal(err)
		}
		b, err := lr.NoiseFloor(0.5*cs, k)
		if err != nil {
			t.Fatal(err)
		}
		if !(a > 0) || math.Abs(a-b) > 1e-9*a {
			t.Errorf("k = %v: diagonal floor %v, rotated %v", k, a, b)
		}
	}
}

// ExampleLinearize linearizes Styblinski–Tang Model 1 at its sharpest
// minimizer: an inhomogeneous minimizer whose exact linearized mean-square
// threshold lies between Patel's bounds, with a noise floor below it.
func ExampleLinearize() {
	st, _ := paper.StyblinskiTangModel(1, 1)
	lin, _ := geometry.Linearize(st, st.Sharpest(), nil)
	loc, _ := lin.Local()
	g := loc.Geometry()
	cs, _ := lin.MeanSquare(1)
	floor, _ := lin.NoiseFloor(cs/2, 1)
	fmt.Printf("homogeneous %v\n", lin.Homogeneous)
	fmt.Printf("k=1: %.4g ≤ C* = %.4g ≤ %.4g\n", thresholds.Convergence(g, 1), cs, thresholds.Divergence(g, 1))
	fmt.Printf("E[e∞] at C*/2: %.4g\n", floor)
	// Output:
	// homogeneous false
	// k=1: 0.002467 ≤ C* = 0.003976 ≤ 0.01215
	// E[e∞] at C*/2: 32.89
}

// TestEstimateSampler: for Gaussian least squares the population geometry
// is exact (λ = eig Σ, s = σ_min² + tr Σ², t = σ_max² + tr Σ²; the Hessians
// are constant, so the ball changes nothing). The replicated estimate must
// cover it within 4 of its standard errors plus the O(1/n) bias of an
// n-component sample (bounded here by 3/n relative, generous for the sixth
// moments involved); a single SampledProblem's SErr is 0, which is why the
// replicates are needed.
func TestEstimateSampler(t *testing.T) {
	sig := []float64{2, 1, 0.5}
	sigma := mat.NewSymDense(3, nil)
	tr2 := 0.0
	for a, v := range sig {
		sigma.SetSym(a, a, v)
		tr2 += v * v
	}
	g, err := learning.NewGaussianLeastSquares(sigma, []float64{1, 1, 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	const n = 400
	loc, reps, err := geometry.EstimateSampler(g, g.Minimizer(), geometry.Settings{Samples: 8, Radius: 0.01, Seed: 3, Components: n, Replicates: 12})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 12 || reps[0].SErr > 1e-9*reps[0].S {
		t.Fatalf("%d replicates; single-sample SErr %v (want 0: the quadratic's quotient is constant over the ball)", len(reps), reps[0].SErr)
	}
	for _, c := range []struct {
		name          string
		got, se, want float64
	}{
		{"s", loc.S, loc.SErr, sig[2]*sig[2] + tr2},
		{"t", loc.T, loc.TErr, sig[0]*sig[0] + tr2},
		{"λ_1", loc.AllEigenvalues[0], loc.EigErr[0], sig[0]},
		{"λ_3", loc.AllEigenvalues[2], loc.EigErr[2], sig[2]},
	} {
		t.Logf("%s = %.5g ± %.2g, population %.5g", c.name, c.got, c.se, c.want)
		if !(c.se > 0) || math.Abs(c.got-c.want) > 4*c.se+3.0/n*c.want {
			t.Errorf("%s = %.4g ± %.2g, population %.4g", c.name, c.got, c.se, c.want)
		}
	}
	for _, c := range []struct {
		set  geometry.Settings
		want string
	}{
		{geometry.Settings{Replicates: 1}, "Settings.Replicates"},
		{geometry.Settings{Replicates: -3}, "Settings.Replicates"},
		{geometry.Settings{Components: -1}, "Settings.Components"},
	} {
		if _, _, err := geometry.EstimateSampler(g, g.Minimizer(), c.set); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("EstimateSampler(%+v): error %v, want one naming %s", c.set, err, c.want)
		}
	}
	if _, _, err := geometry.EstimateSampler(nil, g.Minimizer(), geometry.Settings{}); err == nil {
		t.Error("nil sampler accepted")
	}
}

// TestEstimateSamplerSeedsDisjoint: replicate streams are derived from the
// pair (seed, replicate), so seeds 10 and 12 share no replicate. (With the
// earlier derivation splitmix64(seed + 2r + 1), seed 12's replicate r was
// seed 10's replicate r + 1: identical component samples, identical H̄.) The
// mean Hessian of a replicate is a function of its component sample alone
// (Gaussian least squares has constant Hessians), so equal samples show as
// equal matrices.
func TestEstimateSamplerSeedsDisjoint(t *testing.T) {
	sigma := mat.NewSymDense(2, []float64{2, 0.3, 0.3, 1})
	g, err := learning.NewGaussianLeastSquares(sigma, []float64{1, -1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	const reps = 4
	get := func(seed uint64) []*geometry.Local {
		_, r, err := geometry.EstimateSampler(g, g.Minimizer(), geometry.Settings{Samples: 4, Radius: 0.01, Seed: seed, Components: 20, Replicates: reps})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := get(10), get(12)
	for i := range a {
		for j := range b {
			if mat.Equal(a[i].Hessian, b[j].Hessian) {
				t.Errorf("seed 10 replicate %d and seed 12 replicate %d have the same component sample", i, j)
			}
		}
		for j := i + 1; j < reps; j++ {
			if mat.Equal(a[i].Hessian, a[j].Hessian) {
				t.Errorf("seed 10 replicates %d and %d coincide", i, j)
			}
		}
	}
	// Same seed, same replicates.
	c := get(10)
	for i := range a {
		if !mat.Equal(a[i].Hessian, c[i].Hessian) {
			t.Errorf("replicate %d not reproducible from its seed", i)
		}
	}
}
