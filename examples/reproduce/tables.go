package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/paper"
	"github.com/flatminima/flatminima/sgdk/stability"
	"github.com/flatminima/flatminima/thresholds"
)

func init() { registerSection("tables", 10, tablesSection) }

// The geometry settings of the reproduction (the paper's §4: ε ≈ 2e−2 and
// 1000 Monte Carlo points).
const (
	paperEps     = 2e-2
	paperSamples = 1000
	// qcRankTol is the relative rank tolerance of H̄ at the quadratic-circle
	// minimizers: the quadratic minimizer's second eigenvalue is a
	// real O(ε²) one (≈ 6e−4·λ_1), so only a relative tolerance near 1e−3
	// reproduces the paper's m = 1 there. The reproduction sets it.
	qcRankTol = 1e-3
	// replicates is the number of independent re-estimates (other seeds)
	// whose standard deviation is reported as the Monte Carlo standard error
	// of every threshold: it covers the errors of λ, s_f, t_f and of the
	// rank decision together.
	replicates = 8
	// stSeed is the documented seed of the Styblinski–Tang models
	// (paper.StyblinskiTangModel(model, stSeed)); -seed does not change it.
	stSeed = 1
)

// epsGrid is the ε of the sensitivity table.
var epsGrid = []float64{5e-3, 1e-2, 2e-2, 4e-2}

// The paper's Tables 2–5, copied from its text (§4, after Problem 4.1, and
// §5.1). Quadratic-circle columns: k = 1, 0.99·k_max, 2·k_max, ∞ at the
// circular minimizer and k = 1, ∞ at the quadratic one (NaN: no entry).
var (
	// Table 2: divergence, quadratic-circle, models 1–4.
	paperTable2 = map[string][4][4]float64{
		"circular": {
			{3.560e11, 3.583e11, 3.583e11, 3.583e11},
			{3.339e11, 3.360e11, 3.360e11, 3.360e11},
			{1.266e15, 1.273e15, 1.273e15, 1.273e15},
			{1.269e15, 1.277e15, 1.277e15, 1.277e15},
		},
		"quadratic": {
			{4.977, nan, nan, 4.981},
			{995.4, nan, nan, 996.1},
			{4.977, nan, nan, 4.981},
			{995.4, nan, nan, 996.1},
		},
	}
	// Table 3: convergence, quadratic-circle, models 1–4.
	paperTable3 = map[string][4][4]float64{
		"circular": {
			{8.318e-05, 1.541e11, 2.013e11, 2.874e11},
			{8.456e-05, 1.624e11, 2.157e11, 3.180e11},
			{5.655e-06, 6.222e14, 8.282e14, 1.226e15},
			{5.511e-06, 6.267e14, 8.264e14, 1.201e15},
		},
		"quadratic": {
			{4.977, nan, nan, 4.981},
			{995.4, nan, nan, 996.1},
			{4.977, nan, nan, 4.981},
			{995.4, nan, nan, 996.1},
		},
	}
	// Tables 4 (divergence) and 5 (convergence): Styblinski–Tang, rows
	// k = 1, 100, 200, 350, 500, ∞; columns model 1 flat, sharp, model 2
	// flat, sharp, model 3 flat, sharp.
	stKs        = []float64{1, 100, 200, 350, 500, math.Inf(1)}
	paperTable4 = [6][6]float64{
		{9.001e-03, 7.682e-03, 2.134e-02, 1.951e-02, 2.598e-02, 1.871e-02},
		{9.814e-02, 8.133e-02, 6.831e-01, 6.117e-01, 1.221e+00, 8.561e-01},
		{1.033e-01, 8.546e-02, 8.100e-01, 7.225e-01, 1.590e+00, 1.106e+00},
		{1.057e-01, 8.737e-02, 8.800e-01, 7.833e-01, 1.827e+00, 1.264e+00},
		{1.067e-01, 8.815e-02, 9.116e-01, 8.106e-01, 1.942e+00, 1.341e+00},
		{1.091e-01, 9.004e-02, 9.947e-01, 8.823e-01, 2.279e+00, 1.563e+00},
	}
	paperTable5 = [6][6]float64{
		{2.319e-03, 2.250e-03, 8.603e-04, 8.334e-04, 7.587e-04, 9.089e-04},
		{4.268e-02, 3.781e-02, 7.925e-02, 7.621e-02, 7.345e-02, 8.594e-02},
		{4.632e-02, 4.087e-02, 1.174e-01, 1.049e-01, 1.423e-01, 1.629e-01},
		{4.808e-02, 4.234e-02, 1.329e-01, 1.180e-01, 2.379e-01, 2.303e-01},
		{4.882e-02, 4.296e-02, 1.403e-01, 1.243e-01, 2.812e-01, 2.539e-01},
		{5.064e-02, 4.447e-02, 1.613e-01, 1.418e-01, 3.742e-01, 3.337e-01},
	}
)

var nan = math.NaN()

// qcCalibration and stCalibration disclose how the models were fitted to
// the paper (whose parameters are not published): agreement on a fitted
// number is by construction, not evidence.
const (
	qcCalibration = "The paper does not give its quadratic-circle parameters. Ours (paper.QuadCircleModel) are " +
		"calibrated to its Tables 2–3 and Figure 5: E[2q1] and Var(2q1) are solved from the quadratic minimizer's " +
		"entries, so ours/paper = 1 there by construction; the broad walls' height is set so the circular " +
		"minimizer's k = ∞ thresholds come near the paper's; the fine walls are set so SGD-1 first throws runs out " +
		"between the rates of Figure 5."
	stCalibration = "The Styblinski–Tang coefficients (paper.StyblinskiTangModel, seed 1) are drawn from a " +
		"distribution chosen so that the geometry comes near the paper's Tables 4–5 (within a factor 3 of every " +
		"entry but the k = 1 divergence of Models 2–3), so the ratios below measure the fit of that choice, not " +
		"an independent prediction."
)

// stPaper returns the paper's Table 4 or 5 value for a model, minimizer and
// row index.
func stPaper(tab *[6][6]float64, model int, minimizer string, row int) float64 {
	col := 2 * (model - 1)
	if minimizer == "sharpest" {
		col++
	}
	return tab[row][col]
}

// geoKey identifies a minimizer and ball radius.
type geoKey struct {
	family    string // "qc" (quadratic-circle) or "st" (Styblinski–Tang)
	model     int
	minimizer string
	eps       float64
}

// geoEntry is a minimizer with its estimated geometry.
type geoEntry struct {
	problem problems.Problem
	center  []float64
	others  [][]float64 // the other minimizer(s) (quadratic-circle)
	box     *problems.Box
	escape  float64 // R, half the distance to the nearest other minimizer
	// outside, for Styblinski–Tang, reports whether x is closer to another
	// minimizer than to center (then the escape test instead of R).
	outside   func(x []float64) bool
	local     *geometry.Local
	g         thresholds.Geometry
	reps      []thresholds.Geometry // replicate estimates (valid ones)
	repFailed int                   // replicates that gave no valid geometry
}

// homogeneous reports whether the minimizer is homogeneous (quadratic-circle).
func (k geoKey) homogeneous() bool { return k.family == "qc" }

// model returns the problem of family and model, built once.
func (e *Env) model(family string, model int) (problems.Problem, error) {
	key := fmt.Sprintf("%s%d", family, model)
	if p, ok := e.probs[key]; ok {
		return p, nil
	}
	var p problems.Problem
	var err error
	switch family {
	case "qc":
		p, err = paper.QuadCircleModel(model)
	case "st":
		p, err = paper.StyblinskiTangModel(model, stSeed)
	default:
		err = fmt.Errorf("unknown family %q", family)
	}
	if err != nil {
		return nil, err
	}
	if e.probs == nil {
		e.probs = map[string]problems.Problem{}
	}
	e.probs[key] = p
	return p, nil
}

// The quadratic-circle minimizers (Problem 4.1 with every q3_i = −15) and box.
var (
	qcCircular  = []float64{0, 0}
	qcQuadratic = []float64{0, -15}
)

func qcBox() (*problems.Box, error) { return problems.NewBox([]float64{-10, -20}, []float64{10, 15}) }

func stBox(p int) (*problems.Box, error) {
	lo, hi := make([]float64, p), make([]float64, p)
	for d := range lo {
		lo[d], hi[d] = -5, 5
	}
	return problems.NewBox(lo, hi)
}

// site returns the minimizer of key with its geometry at radius key.eps,
// estimating it (and its replicates) on first use.
func (e *Env) site(key geoKey) (*geoEntry, error) {
	if g, ok := e.geo[key]; ok {
		return g, nil
	}
	p, err := e.model(key.family, key.model)
	if err != nil {
		return nil, err
	}
	ent := &geoEntry{problem: p}
	set := geometry.Settings{Radius: key.eps, Samples: paperSamples, Workers: e.Workers}
	if e.samples > 0 {
		set.Samples = e.samples
	}
	nrep := replicates
	if e.replicates > 0 {
		nrep = e.replicates
	}
	switch key.family {
	case "qc":
		set.RankTol = qcRankTol
		if ent.box, err = qcBox(); err != nil {
			return nil, err
		}
		if key.minimizer == "circular" {
			ent.center, ent.others = qcCircular, [][]float64{qcQuadratic}
		} else {
			ent.center, ent.others = qcQuadratic, [][]float64{qcCircular}
		}
		// Half the distance between the two minimizers: 7.5.
		ent.escape = 0.5 * math.Hypot(qcCircular[0]-qcQuadratic[0], qcCircular[1]-qcQuadratic[1])
	case "st":
		st := p.(*paper.StyblinskiTang)
		sharp, flat := st.Sharpest(), st.Flattest()
		if key.minimizer == "sharpest" {
			ent.center = sharp
		} else {
			ent.center = flat
		}
		// The nearest other minimizer differs in one coordinate: the other
		// root of that coordinate. R = ½ min_d |sharp_d − flat_d|.
		ent.escape = math.Inf(1)
		for d := range sharp {
			ent.escape = math.Min(ent.escape, 0.5*math.Abs(sharp[d]-flat[d]))
		}
		// The escape test used instead of B(x*, R): x is closer to another
		// of the 2^p minimizers than to x*, i.e. some coordinate crossed the
		// midpoint between its two minimizing roots. In p = 50 and 100 the
		// stationary noise of SGD at 0.5·u spreads over every coordinate, so
		// ‖x − x*‖ exceeds R while every coordinate stays on x*'s side.
		other := flat
		if key.minimizer != "sharpest" {
			other = sharp
		}
		center, half := ent.center, make([]float64, len(sharp))
		for d := range half {
			half[d] = 0.5 * math.Abs(other[d]-center[d])
		}
		ent.outside = func(x []float64) bool {
			for d, h := range half {
				if math.Abs(x[d]-center[d]) > h {
					return true
				}
			}
			return false
		}
		if ent.box, err = stBox(p.Dim()); err != nil {
			return nil, err
		}
	}
	set.Seed = e.Seed
	ent.local, err = geometry.Estimate(p, ent.center, set)
	if err != nil {
		return nil, fmt.Errorf("%s model %d %s minimizer, ε = %g: %w", key.family, key.model, key.minimizer, key.eps, err)
	}
	ent.g, err = thresholds.NewGeometry(ent.local.Eigenvalues, ent.local.S, ent.local.T)
	if err != nil {
		return nil, fmt.Errorf("%s model %d %s minimizer, ε = %g: %w", key.family, key.model, key.minimizer, key.eps, err)
	}
	for j := range nrep {
		set.Seed = stability.CellSeed(e.Seed^0x7ab1e5, j)
		l, err := geometry.Estimate(p, ent.center, set)
		if err != nil {
			return nil, err
		}
		g, err := thresholds.NewGeometry(l.Eigenvalues, l.S, l.T)
		if err != nil {
			ent.repFailed++
			continue
		}
		ent.reps = append(ent.reps, g)
	}
	if e.geo == nil {
		e.geo = map[geoKey]*geoEntry{}
	}
	e.geo[key] = ent
	return ent, nil
}

// sgdkSite converts an entry to an stability.Site.
func (ent *geoEntry) sgdkSite(name string) stability.Site {
	g := ent.g
	s := stability.Site{
		Name: name, Problem: ent.problem, Minimizer: ent.center, Others: ent.others,
		Hessian: ent.rankM(), Geometry: &g, EscapeRadius: ent.escape, Bounds: ent.box,
	}
	if ent.outside != nil {
		// Styblinski–Tang: escape = closer to another minimizer; the growth
		// window ends only at the box.
		s.EscapeRadius, s.Outside = 0, ent.outside
	} else {
		// Quadratic-circle: the growth window also ends when a run leaves
		// B(x*, ε), the ball whose geometry the thresholds use. Without it
		// the fit mixes in iterates that have stalled on the plateau of the
		// h_i far from the box, where Lemma 3.7 says nothing.
		s.LocalRadius = ent.local.Radius
		if s.LocalRadius == 0 {
			s.LocalRadius = paperEps
		}
	}
	return s
}

// rankM returns H̄ restricted to its m retained eigenpairs, U_mΛ_mU_m': the
// e_N = (x − x*)'H̄_m(x − x*) of Lemma 3.7 lives on the range of the rank-m
// Hessian. (At the quadratic-circle quadratic minimizer H̄ has an O(ε²)
// eigenvalue in the flat x1 direction that the rank rule drops; in e_N it
// would add a floor that does not decay.)
func (ent *geoEntry) rankM() *mat.SymDense {
	h := ent.local.Hessian
	n := h.SymmetricDim()
	var es mat.EigenSym
	if !es.Factorize(h, true) {
		return h
	}
	vals := es.Values(nil) // ascending
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	m := len(ent.g.Eigenvalues)
	out := mat.NewSymDense(n, nil)
	for j := n - m; j < n; j++ {
		col := mat.Col(nil, j, &vecs)
		out.SymRankOne(out, vals[j], mat.NewVecDense(n, col))
	}
	return out
}

// repStd returns the standard deviation over the replicates of f(g): the
// Monte Carlo standard error of one estimate of f.
func (ent *geoEntry) repStd(f func(thresholds.Geometry) float64) float64 {
	var v []float64
	for _, g := range ent.reps {
		x := f(g)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			continue
		}
		v = append(v, x)
	}
	if len(v) < 2 {
		return math.NaN()
	}
	return stat.StdDev(v, nil)
}

// gammaOf is the γ used for Theorem 3.12's divergence threshold: half the
// largest admissible value, γ = ½·½√(s/k) (so 4γ² = s/(4k) ≤ s/k).
func gammaOf(g thresholds.Geometry, k float64) float64 {
	if math.IsInf(k, 1) {
		return 0
	}
	return 0.25 * math.Sqrt(g.S/k)
}

// row computes a tables.json row at k for the entry.
func (ent *geoEntry) row(table string, key geoKey, k float64, kLabel string) tableRow {
	conv := func(g thresholds.Geometry) float64 { return thresholds.Convergence(g, k) }
	div := func(g thresholds.Geometry) float64 { return thresholds.Divergence(g, k) }
	r := tableRow{
		Table: tableID(table), Model: key.model, Minimizer: key.minimizer, K: Batch(k), KLabel: kLabel,
		Eps: Num(key.eps), Convergence: Num(conv(ent.g)), Divergence: Num(div(ent.g)),
		InhomConvergence: Num(nan), InhomDivergence: Num(nan),
		ConvergenceStderr: Num(ent.repStd(conv)), DivergenceStderr: Num(ent.repStd(div)),
		PaperConvergence: Num(nan), PaperDivergence: Num(nan), M: len(ent.g.Eigenvalues),
	}
	if !key.homogeneous() {
		r.InhomConvergence = Num(thresholds.InhomogeneousConvergence(ent.g, k))
		if v, err := thresholds.InhomogeneousDivergence(ent.g, k, gammaOf(ent.g, k)); err == nil {
			r.InhomDivergence = Num(v)
		}
	}
	return r
}

var (
	qcMinimizers = []string{"circular", "quadratic"}
	stMinimizers = []string{"flattest", "sharpest"}
)

func tablesSection(e *Env) error {
	var t2, t3, t45, teps []tableRow
	var geoRows [][]string
	// absent2 and absent3 note the minimizers whose 0.99·k_max or 2·k_max
	// row has the paper's value but not ours (our k is below 1 or undefined).
	var absent2, absent3 []string
	addGeo := func(key geoKey, ent *geoEntry) {
		ev := ent.g.Eigenvalues
		geoRows = append(geoRows, []string{
			strings.ToUpper(key.family), strconv.Itoa(key.model), key.minimizer, strconv.Itoa(len(ev)),
			g4(ev[0]), g4(ev[len(ev)-1]), pm(ent.local.S, ent.local.SErr), pm(ent.local.T, ent.local.TErr),
			g4(ent.escape), fmt.Sprintf("%d/%d", len(ent.reps), len(ent.reps)+ent.repFailed),
		})
	}
	// Tables 2 and 3: quadratic-circle.
	for model := 1; model <= 4; model++ {
		for _, mn := range qcMinimizers {
			key := geoKey{"qc", model, mn, paperEps}
			ent, err := e.site(key)
			if err != nil {
				return err
			}
			addGeo(key, ent)
			e.Progress("tables: quadratic-circle model %d %s minimizer: m = %d", model, mn, len(ent.g.Eigenvalues))
			r2, r3, n2, n3 := ent.qcRows(key)
			t2, t3 = append(t2, r2...), append(t3, r3...)
			if n2 != "" {
				absent2 = append(absent2, n2)
			}
			if n3 != "" {
				absent3 = append(absent3, n3)
			}
		}
	}
	// Tables 4 and 5: Styblinski–Tang.
	for model := 1; model <= 3; model++ {
		for _, mn := range stMinimizers {
			key := geoKey{"st", model, mn, paperEps}
			ent, err := e.site(key)
			if err != nil {
				return err
			}
			addGeo(key, ent)
			e.Progress("tables: Styblinski–Tang model %d %s minimizer: m = %d", model, mn, len(ent.g.Eigenvalues))
			for i, k := range stKs {
				r := ent.row("4", key, k, Batch(k).String())
				r.PaperDivergence = Num(stPaper(&paperTable4, model, mn, i))
				t45 = append(t45, r)
				r = ent.row("5", key, k, Batch(k).String())
				r.PaperConvergence = Num(stPaper(&paperTable5, model, mn, i))
				t45 = append(t45, r)
			}
		}
	}
	// ε-sensitivity.
	for _, fam := range []struct {
		name   string
		models int
		mins   []string
	}{{"qc", 4, qcMinimizers}, {"st", 3, stMinimizers}} {
		for model := 1; model <= fam.models; model++ {
			for _, mn := range fam.mins {
				for _, eps := range epsGrid {
					key := geoKey{fam.name, model, mn, eps}
					ent, err := e.site(key)
					if err != nil {
						return err
					}
					for _, k := range []float64{1, math.Inf(1)} {
						teps = append(teps, ent.row("eps", key, k, Batch(k).String()))
					}
				}
			}
		}
	}
	e.Progress("tables: ε-sensitivity done")
	rows := append(append(append(append([]tableRow{}, t2...), t3...), t45...), teps...)
	e.tables = append(e.tables, rows...)
	csvRows := make([][]string, len(rows))
	for i, r := range rows {
		csvRows[i] = tableColumns.csv(r)
	}
	if err := e.WriteCSV("tables.csv", tableColumns.header(), csvRows); err != nil {
		return err
	}
	if err := e.WriteJSON("tables.json", rows); err != nil {
		return err
	}
	e.Report(orderTables, "Tables 2–5: thresholds at the paper's minimizers", tablesReport(geoRows, t2, t3, t45, teps, absent2, absent3))
	return nil
}

func tablesReport(geoRows [][]string, t2, t3, t45, teps []tableRow, absent2, absent3 []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Local geometry by Monte Carlo over B(x*, ε) (Definition 3.14), ε = %g, %d points in antithetic pairs; "+
		"quadratic-circle with RankTol = %g (the only tolerance that gives the paper's m = 1 at the quadratic minimizer, "+
		"whose second eigenvalue is a real O(ε²) one); Styblinski–Tang models with seed %d. Standard errors (tables.csv) "+
		"are the standard deviation of %d independent re-estimates.\n\n",
		paperEps, paperSamples, qcRankTol, stSeed, replicates)
	b.WriteString(mdTable([]string{"problem", "model", "minimizer", "m", "λ_1", "λ_m", "s_f", "t_f", "escape R", "valid replicates"}, geoRows))
	fmt.Fprintf(&b, "\n**Calibration.** %s\n\n", qcCalibration)
	b.WriteString("Each table shows our threshold with ours/paper in parentheses, and the paper's value below it; the ratio " +
		"is 1 at the quadratic minimizer by construction (above). All rows, with standard errors: [tables.csv](tables.csv).\n")
	b.WriteString("\n### Table 2 (divergence, quadratic-circle)\n\n")
	b.WriteString(kmaxTable(t2, true))
	b.WriteString("\n" + table2Impossible())
	b.WriteString(absentNote("k_div = s/(λ_{m−1}λ_m)", "the largest integer smaller than k_div", absent2))
	b.WriteString("\n### Table 3 (convergence, quadratic-circle)\n\n")
	b.WriteString(kmaxTable(t3, false))
	b.WriteString("\n" + table3Ratios(t3))
	b.WriteString(absentNote("k_conv = t/(λ_1λ_m)", "the integer closest to k_conv", absent3))
	var t4, t5 []tableRow
	for _, r := range t45 {
		if r.Table == "4" {
			t4 = append(t4, r)
		} else {
			t5 = append(t5, r)
		}
	}
	fmt.Fprintf(&b, "\n**Calibration (Tables 4–5).** %s\n", stCalibration)
	b.WriteString("\n### Table 4 (divergence, Styblinski–Tang)\n\n")
	b.WriteString(stTable(t4, true))
	b.WriteString("\nThe paper's Table 4 entries are the λ_m branch 2λ_m/(λ_m² + s/k) at every k (λ_m from its k = ∞ entry and " +
		"s from its k = 1 entry reproduce its k = 100 entries to four digits: Model 1 flattest, λ_m = 18.33, s = 3737 give " +
		"0.09818 against 0.09814). (19) takes the maximum over l, the λ_1 branch when s/k is large, so our small-k " +
		"entries exceed the paper's by more than the models' differences. Theorem 3.12's values (γ = ¼√(s/k)) are in " +
		"tables.csv (inhom_divergence).\n")
	b.WriteString("\n### Table 5 (convergence, Styblinski–Tang)\n\n")
	b.WriteString(stTable(t5, false))
	b.WriteString("\n### ε-sensitivity: divergence threshold at k = ∞ (m in parentheses)\n\n")
	b.WriteString("The ball radius ε is a free parameter of Definition 3.14. At the quadratic-circle circular minimizer the " +
		"thresholds fall as 1/ε (the ball average of radial walls grows in proportion to ε); where the rank m changes " +
		"with ε (an O(ε²) eigenvalue crossing RankTol·λ_1) 2/λ_m jumps. The ε = 2e−2 numbers are not intrinsic. k = 1 " +
		"and the convergence thresholds: tables.csv, table = eps.\n\n")
	b.WriteString(epsTable(teps))
	return b.String()
}

// kmaxTable formats Table 2 or 3: one row of ours (with ours/paper) and
// one of the paper's per minimizer, columns k = 1, 0.99·k_max, 2·k_max, ∞.
func kmaxTable(rs []tableRow, divergence bool) string {
	labels := []string{"1", "0.99kmax", "2kmax", "inf"}
	type key struct {
		model int
		mn    string
	}
	var order []key
	byKey := map[key]map[string]tableRow{}
	for _, r := range rs {
		k := key{r.Model, r.Minimizer}
		if byKey[k] == nil {
			byKey[k] = map[string]tableRow{}
			order = append(order, k)
		}
		byKey[k][r.KLabel] = r
	}
	var rows [][]string
	for _, k := range order {
		ours := []string{strconv.Itoa(k.model), k.mn, "ours"}
		paper := []string{"", "", "paper"}
		m := ""
		for _, l := range labels {
			r, ok := byKey[k][l]
			if !ok {
				ours, paper = append(ours, ""), append(paper, "")
				continue
			}
			v, pv := r.Convergence, r.PaperConvergence
			if divergence {
				v, pv = r.Divergence, r.PaperDivergence
			}
			cell := g4(float64(v))
			switch {
			case math.IsNaN(float64(v)):
				cell = "— (k = " + g4(float64(r.K)) + ")"
			case !math.IsNaN(float64(pv)):
				cell += " (" + g4(float64(v/pv)) + ")"
			}
			ours = append(ours, cell)
			paper = append(paper, g4(float64(pv)))
			m = strconv.Itoa(r.M)
		}
		rows = append(rows, append(ours, m), append(paper, ""))
	}
	return mdTable([]string{"model", "minimizer", "", "k = 1", "0.99·k_max", "2·k_max", "k = ∞", "m"}, rows)
}

// table2Impossible shows that the paper's circular Table 2 entries at
// 0.99·k_max and 2·k_max cannot come from its own (19)–(20): with m = 2,
// C_1(k) ≥ C_2(k) exactly when k ≤ k_div = s/(λ_1λ_2), so for k ≤ k_div
// Divergence(k) = 2λ_1/(λ_1² + s/k) ≤ 2/(λ_1 + λ_2), and for k_div < k <
// 2·k_div it is 2λ_2/(λ_2² + s/k) < 2/(λ_2 + λ_1/2); both lie below 2/λ_m,
// the printed value. λ_1 and λ_m are read off the paper's own k = ∞
// entries (Table 3: 2/λ_1; Table 2: 2/λ_m), whatever its s.
func table2Impossible() string {
	var parts []string
	for model := 1; model <= 4; model++ {
		l1 := 2 / paperTable3["circular"][model-1][3]
		lm := 2 / paperTable2["circular"][model-1][3]
		b1 := 2 / (l1 + lm)
		b2 := 2 / (lm + l1/2)
		parts = append(parts, fmt.Sprintf("model %d: ≤ %s and < %s against %s and %s", model, g4(b1), g4(b2),
			g4(paperTable2["circular"][model-1][1]), g4(paperTable2["circular"][model-1][2])))
	}
	return "**The paper's circular entries at 0.99·k_max and 2·k_max are impossible under its own (19)–(20).** They " +
		"repeat its k = ∞ entry 2/λ_m. With m = 2, the maximum in (19) is the λ_1 branch for k ≤ k_div = s/(λ_1λ_2), " +
		"at most 2/(λ_1 + λ_m) there, and the λ_m branch for k_div < k < 2·k_div, below 2/(λ_m + λ_1/2); λ_1 and λ_m " +
		"from the paper's own k = ∞ entries (2/λ_1 in Table 3, 2/λ_m in Table 2) give, whatever its s and k_max, " +
		strings.Join(parts, "; ") + ". Our “—” there means only that our k_max is below 1 (next paragraph).\n\n"
}

// table3Ratios explains the circular k = 1 ratios of Table 3: the paper's
// entries imply, through (18) (for k < k_conv the λ_m branch
// 2λ_m/(λ_m² + t/k) is the minimum), a t_f of about 1e15·λ², and that t_f
// reproduces the paper's own 2·k_max entries.
func table3Ratios(t3 []tableRow) string {
	var parts []string
	for model := 1; model <= 4; model++ {
		p1 := paperTable3["circular"][model-1][0]
		l1 := 2 / paperTable3["circular"][model-1][3]
		lm := 2 / paperTable2["circular"][model-1][3]
		t := 2*lm/p1 - lm*lm
		kmax := math.Round(t / (l1 * lm))
		k := 2 * kmax
		pred := math.Min(2*l1/(l1*l1+t/k), 2*lm/(lm*lm+t/k))
		ratio := math.NaN()
		for _, r := range t3 {
			if r.Model == model && r.Minimizer == "circular" && r.KLabel == "1" {
				ratio = float64(r.Convergence / r.PaperConvergence)
			}
		}
		parts = append(parts, fmt.Sprintf("model %d: ours/paper %s, implied t_f %s, whose 2·k_max entry by (18) is %s (printed %s)",
			model, g4(ratio), g4(t), g4(pred), g4(paperTable3["circular"][model-1][2])))
	}
	return "**Why ours/paper is about 1e15 (Models 1–2) and 1e20 (Models 3–4) at k = 1 at the circular minimizer.** The " +
		"paper's k = 1 entries (8.3e−5, 5.6e−6) lie 15–20 orders of magnitude below its own k_max entries. For k below " +
		"k_conv, (18) is 2λ_m/(λ_m² + t/k), so they imply t_f = 2λ_m/entry − λ_m² (λ_m from the paper's k = ∞ entries): " +
		strings.Join(parts, "; ") + ". So the paper's table is self-consistent with a t_f near 1e15·λ² — a pointwise " +
		"sup dominated by points where H(θ) is nearly singular — while ours is about λ² (s_f, t_f above). No model whose " +
		"component Hessians commute (radial walls about one centre) can give that t_f with the paper's s_f; the ratio " +
		"measures that difference in t_f, not an error of (18).\n\n"
}

// stTable formats Table 4 or 5: rows k, columns (model, minimizer), each
// cell ours (ours/paper); the paper's values are in tables.csv.
func stTable(rs []tableRow, divergence bool) string {
	h := []string{"k"}
	for model := 1; model <= 3; model++ {
		for _, mn := range stMinimizers {
			h = append(h, fmt.Sprintf("M%d %s", model, mn))
		}
	}
	var rows [][]string
	for _, k := range stKs {
		row := []string{Batch(k).String()}
		for model := 1; model <= 3; model++ {
			for _, mn := range stMinimizers {
				cell := "—"
				for _, r := range rs {
					if r.Model != model || r.Minimizer != mn || float64(r.K) != k {
						continue
					}
					v, pv := r.Convergence, r.PaperConvergence
					if divergence {
						v, pv = r.Divergence, r.PaperDivergence
					}
					cell = g4(float64(v)) + " (" + strconv.FormatFloat(float64(v/pv), 'f', 2, 64) + ")"
				}
				row = append(row, cell)
			}
		}
		rows = append(rows, row)
	}
	return mdTable(h, rows)
}

// epsTable formats the divergence threshold at k = ∞ against ε.
func epsTable(teps []tableRow) string {
	h := []string{"problem", "model", "minimizer"}
	for _, eps := range epsGrid {
		h = append(h, "ε = "+g4(eps))
	}
	type key struct {
		fam   string
		model int
		mn    string
	}
	var order []key
	cells := map[key]map[float64]string{}
	for _, r := range teps {
		if !math.IsInf(float64(r.K), 1) {
			continue
		}
		fam := "ST"
		if r.Minimizer == "circular" || r.Minimizer == "quadratic" {
			fam = "QC"
		}
		k := key{fam, r.Model, r.Minimizer}
		if cells[k] == nil {
			cells[k] = map[float64]string{}
			order = append(order, k)
		}
		cells[k][float64(r.Eps)] = fmt.Sprintf("%s (%d)", g4(float64(r.Divergence)), r.M)
	}
	var rows [][]string
	for _, k := range order {
		row := []string{k.fam, strconv.Itoa(k.model), k.mn}
		for _, eps := range epsGrid {
			row = append(row, cells[k][eps])
		}
		rows = append(rows, row)
	}
	return mdTable(h, rows)
}

// qcRows returns the rows of Tables 2 and 3 at a quadratic-circle
// minimizer and, for each table, a note naming the critical batch size when
// some row has the paper's value but not ours ("" otherwise). Table 2's k_max
// is the largest integer smaller than k_div = s/(λ_{m−1}λ_m) (undefined for
// m = 1); Table 3's is the integer closest to k_conv = t/(λ_1λ_m).
func (ent *geoEntry) qcRows(key geoKey) (r2, r3 []tableRow, note2, note3 string) {
	kdiv, ok := thresholds.CriticalBatchDivergence(ent.g)
	kmax2 := math.NaN()
	if ok {
		kmax2 = math.Ceil(kdiv) - 1
	}
	kconv := thresholds.CriticalBatchConvergence(ent.g)
	kmax3 := math.Round(kconv)
	r2 = ent.kmaxRows("2", key, kmax2, paperTable2[key.minimizer][key.model-1])
	r3 = ent.kmaxRows("3", key, kmax3, paperTable3[key.minimizer][key.model-1])
	if hasAbsent(r2) {
		note2 = fmt.Sprintf("model %d %s: k_div = %s, k_max = %s", key.model, key.minimizer, g4(kdiv), g4(kmax2))
	}
	if hasAbsent(r3) {
		note3 = fmt.Sprintf("model %d %s: k_conv = %s, k_max = %s", key.model, key.minimizer, g4(kconv), g4(kmax3))
	}
	return r2, r3, note2, note3
}

// kmaxRows returns the rows of Table 2 or 3 (table "2" or "3") at one
// quadratic-circle minimizer: k = 1, 0.99·k_max, 2·k_max and ∞, each beside
// the paper's entry paper[0..3] (NaN: the paper has none). A row whose k is
// not a batch size ≥ 1 (k_max NaN when undefined, or too small) still
// appears when the paper has an entry there, with our values NaN (absentRow);
// it is left out when neither has a value. The two k_max rows are gated
// separately: 2·k_max can be a batch size when 0.99·k_max is not.
func (ent *geoEntry) kmaxRows(table string, key geoKey, kmax float64, paper [4]float64) []tableRow {
	ks := [4]float64{1, 0.99 * kmax, 2 * kmax, math.Inf(1)}
	labels := [4]string{"1", "0.99kmax", "2kmax", "inf"}
	var out []tableRow
	for i, k := range ks {
		valid := k >= 1 // false for NaN
		if !valid && math.IsNaN(paper[i]) {
			continue
		}
		var r tableRow
		if valid {
			r = ent.row(table, key, k, labels[i])
		} else {
			r = absentRow(table, key, k, labels[i], len(ent.g.Eigenvalues))
		}
		if table == "2" {
			r.PaperDivergence = Num(paper[i])
		} else {
			r.PaperConvergence = Num(paper[i])
		}
		out = append(out, r)
	}
	return out
}

// absentRow is a table row at which our k (NaN when undefined) is not a
// batch size ≥ 1: every value of ours is NaN (null in JSON, empty in CSV).
func absentRow(table string, key geoKey, k float64, kLabel string, m int) tableRow {
	return tableRow{
		Table: tableID(table), Model: key.model, Minimizer: key.minimizer, K: Batch(k), KLabel: kLabel, Eps: Num(key.eps),
		Convergence: Num(nan), Divergence: Num(nan), InhomConvergence: Num(nan), InhomDivergence: Num(nan),
		ConvergenceStderr: Num(nan), DivergenceStderr: Num(nan), PaperConvergence: Num(nan), PaperDivergence: Num(nan), M: m,
	}
}

// hasAbsent reports whether some row of rs is an absentRow (our k below 1 or
// undefined).
func hasAbsent(rs []tableRow) bool {
	for _, r := range rs {
		if !(float64(r.K) >= 1) {
			return true
		}
	}
	return false
}

// absentNote is the sentence of REPORT.md explaining the rows of Table 2 or
// 3 that have the paper's value but not ours.
func absentNote(critical, rule string, absent []string) string {
	if len(absent) == 0 {
		return ""
	}
	return fmt.Sprintf("Where ours is “—” our k is not a batch size ≥ 1: k_max is %s, and our %s is small (%s). "+
		"The paper does not print its k_max.\n", rule, critical, strings.Join(absent, "; "))
}
