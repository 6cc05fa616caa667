package main

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/problems"
	"github.com/flatminima/flatminima/problems/learning"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
)

func init() { registerSection("models", orderModels, runModels) }

// The models section: three minimizers of learned models (ridge logistic
// regression on breast cancer, an over-parameterized MLP with squared loss
// at an interpolating minimizer, the MLP with cross-entropy and weight
// decay), and for each k ∈ {1, 4, 16, 64, ∞} every predicted threshold, the
// noise floor in loss units, the escape threshold measured in the loss
// (stability.Compare with LossKappa) at three levels, a phase diagram and a
// verdict. Written to models.csv, models.json, models_*.png and REPORT.md.

// modelsSizes are the sizes of the section (fixed for the program,
// modelsDefault; tests shrink them through modelsSize).
type modelsSizes struct {
	// samples is the digits subset of the MLPs, hidden their width
	// (hidden + 1 ≥ samples, so that the output layer alone can
	// interpolate), lbfgs the L-BFGS iterations before the closed-form
	// output layer (squared loss) and ceIters the L-BFGS iterations of the
	// cross-entropy model.
	samples, hidden, lbfgs, ceIters int
	// iters is the budget of every escape run, runs the runs per probed
	// learning rate, relTol the bisection tolerance.
	iters, runs int
	relTol      float64
	// grid is the number of learning rates of a phase diagram, gridRuns
	// the runs per cell.
	grid, gridRuns int
	// lyapReplicates, lyapSteps and lyapBurn are the Lyapunov sizes.
	lyapReplicates, lyapSteps, lyapBurn int
}

var modelsDefault = modelsSizes{samples: 256, hidden: 300, lbfgs: 200, ceIters: 300,
	iters: 40, runs: 8, relTol: 0.15, grid: 12, gridRuns: 4,
	lyapReplicates: 8, lyapSteps: 600, lyapBurn: 100}

// modelsSize is what runModels uses: modelsDefault except in tests.
var modelsSize = modelsDefault

// modelsKappa is κ of the loss level (stability.DefaultLossKappa).
const modelsKappa = stability.DefaultLossKappa

// modelsRidge is the ridge parameter of the logistic regression, modelsL2 the
// weight decay of the cross-entropy MLP.
const (
	modelsRidge = 1e-2
	modelsL2    = 1e-2
)

// modelDef is one minimizer of the section.
type modelDef struct {
	name, minimizer, file string
	// build returns the problem and its minimizer (train is cached as a
	// cell, build is called again with it).
	build func(sz modelsSizes, xstar []float64) (problems.Problem, []float64, error)
	// startRel is the start radius relative to max(1, ‖x*‖).
	startRel float64
}

// modelTrained is the cached result of training.
type modelTrained struct {
	X        []float64
	F, GradN float64
}

// modelEscapes is the escape threshold of one row at the level ×2 and ×½.
type modelEscapes struct {
	Level                      float64
	Double, DoubleLo, DoubleHi float64
	Half, HalfLo, HalfHi       float64
}

var modelDefs = []modelDef{
	{name: "logistic", minimizer: "ridge logistic regression (λ = 0.01) on breast cancer, standardized, with an intercept column",
		file: "models_logistic.png", build: buildLogistic, startRel: 1e-2},
	{name: "mlp-squared", minimizer: "MLP 64–h–10 (tanh) with squared loss on one-hot targets, interpolating (F < 1e-10), digits subset",
		file: "models_mlp_squared.png", build: buildMLPSquared, startRel: 1e-4},
	{name: "mlp-ce", minimizer: "MLP 64–h–10 (tanh) with cross-entropy and weight decay 0.01, digits subset",
		file: "models_mlp_ce.png", build: buildMLPCE, startRel: 1e-2},
}

// buildLogistic is ridge logistic regression on the standardized breast
// cancer data with an intercept column; its minimizer comes from Newton's
// method on the exact Hessian.
func buildLogistic(_ modelsSizes, xstar []float64) (problems.Problem, []float64, error) {
	d, err := learning.BreastCancer()
	if err != nil {
		return nil, nil, err
	}
	d.Standardize()
	n, f := d.X.Dims()
	a := mat.NewDense(n, f+1, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < f; j++ {
			a.Set(i, j, d.X.At(i, j))
		}
		a.Set(i, f, 1)
	}
	y := make([]float64, n)
	for i, l := range d.Labels {
		y[i] = float64(2*l - 1)
	}
	p, err := learning.NewLogistic(a, y, nil, modelsRidge)
	if err != nil {
		return nil, nil, err
	}
	if xstar != nil {
		return p, xstar, nil
	}
	res, err := optimize.Minimize(problems.Objective(p), make([]float64, f+1), &optimize.Settings{GradientThreshold: 1e-12}, &optimize.Newton{})
	if err != nil && res == nil {
		return nil, nil, err
	}
	return p, res.X, nil
}

// digitsMLP returns the MLP of the section on the first sz.samples digits
// (pixels scaled to [0, 1]).
func digitsMLP(sz modelsSizes, loss learning.Loss, l2 float64) (*learning.MLP, *mat.Dense, []int, error) {
	d, err := learning.Digits()
	if err != nil {
		return nil, nil, nil, err
	}
	_, cols := d.X.Dims()
	x := mat.NewDense(sz.samples, cols, nil)
	for i := 0; i < sz.samples; i++ {
		for j := 0; j < cols; j++ {
			x.Set(i, j, d.X.At(i, j)/16)
		}
	}
	labels := d.Labels[:sz.samples]
	m, err := learning.NewMLP(x, labels, learning.MLPConfig{Hidden: []int{sz.hidden}, Loss: loss, L2: l2, Classes: 10})
	return m, x, labels, err
}

// buildMLPSquared trains the squared-loss MLP: sz.lbfgs L-BFGS iterations
// on every layer from PyTorch's initialization, then the output layer in
// closed form, the minimum-norm least-squares fit of the one-hot targets on
// the hidden features (hidden + 1 ≥ samples, so it interpolates). F is
// then at rounding level: an interpolating, homogeneous minimizer. (L-BFGS
// alone approaches F = 0 only linearly at the rate of the smallest
// nonzero eigenvalue of the tangent kernel, tens of thousands of
// iterations to reach 1e-10.)
func buildMLPSquared(sz modelsSizes, xstar []float64) (problems.Problem, []float64, error) {
	m, x, labels, err := digitsMLP(sz, learning.Squared, 0)
	if err != nil {
		return nil, nil, err
	}
	if xstar != nil {
		return m, xstar, nil
	}
	if sz.hidden+1 < sz.samples {
		return nil, nil, fmt.Errorf("models: hidden width %d + 1 < %d samples: the output layer cannot interpolate", sz.hidden, sz.samples)
	}
	res, err := m.Train(m.Init(1), &optimize.Settings{MajorIterations: sz.lbfgs, GradientThreshold: 1e-12})
	if res == nil {
		return nil, nil, err
	}
	th := res.X
	h, in := sz.hidden, 64
	feat := mat.NewDense(sz.samples, h+1, nil)
	for i := 0; i < sz.samples; i++ {
		for j := 0; j < h; j++ {
			z := th[in*h+j]
			for c := 0; c < in; c++ {
				z += th[j*in+c] * x.At(i, c)
			}
			feat.Set(i, j, math.Tanh(z))
		}
		feat.Set(i, h, 1)
	}
	target := mat.NewDense(sz.samples, 10, nil)
	for i, l := range labels {
		target.Set(i, l, 1)
	}
	var svd mat.SVD
	if !svd.Factorize(feat, mat.SVDThin) {
		return nil, nil, errors.New("models: SVD of the hidden features failed")
	}
	var w mat.Dense
	svd.SolveTo(&w, target, svd.Rank(1e-12))
	off := (in + 1) * h
	for c := 0; c < 10; c++ {
		for j := 0; j < h; j++ {
			th[off+c*h+j] = w.At(j, c)
		}
		th[off+10*h+c] = w.At(h, c)
	}
	if f := m.ExpectedFunc(th); !(f < 1e-10) {
		return nil, nil, fmt.Errorf("models: the squared-loss MLP reached F = %v, not below 1e-10", f)
	}
	return m, th, nil
}

// buildMLPCE trains the cross-entropy MLP with weight decay by L-BFGS.
func buildMLPCE(sz modelsSizes, xstar []float64) (problems.Problem, []float64, error) {
	m, _, _, err := digitsMLP(sz, learning.CrossEntropy, modelsL2)
	if err != nil {
		return nil, nil, err
	}
	if xstar != nil {
		return m, xstar, nil
	}
	res, err := m.Train(m.Init(1), &optimize.Settings{MajorIterations: sz.ceIters, GradientThreshold: 1e-10})
	if res == nil {
		return nil, nil, err
	}
	return m, res.X, nil
}

// modelRecord is one row of models.csv and models.json (modelsColumns).
type modelRecord struct {
	Model, Minimizer string
	Homogeneous      bool
	K                Batch
	PatelConvergence Num
	MeanSquare       Num
	PatelDivergence  Num
	AlmostSure       Num
	AlmostSureSE     Num
	WuSharpness      Num
	WuNonUniformity  Num
	NoiseFloor       Num
	Escape           Num
	EscapeLo         Num
	EscapeHi         Num
	Verdict          string
	LossLevel        Num
	StartExcess      Num
	EscapeDouble     Num
	EscapeHalf       Num
	StartRadius      Num
	Iterations       int
	Runs             int
	Dim              int
	Samples          int
}

// runModels runs the section.
func runModels(e *Env) error {
	sz := modelsSize
	var records []modelRecord
	var csvRows [][]string
	var md, modelsList, images strings.Builder
	md.WriteString(strings.TrimSpace(modelsIntro) + " ")
	fmt.Fprintf(&md, "Sizes: escape runs of %d iterations, %d runs per probed learning rate, bisection to %.0f%% on log C; "+
		"the loss checked every %d iterations and at the last; phase diagrams %d learning rates × %d runs; "+
		"almost-sure thresholds from %d products of %d steps (after %d burn-in); the MLPs on the first %d digits, hidden width %d. Seed %d.\n\n",
		sz.iters, sz.runs, 100*sz.relTol, stability.DefaultLossStride, sz.grid, sz.gridRuns,
		sz.lyapReplicates, sz.lyapSteps, sz.lyapBurn, sz.samples, sz.hidden, e.Seed)
	for mi, def := range modelDefs {
		group := fmt.Sprintf("models/%s", def.name)
		tr, ok, err := cellUnit(e, group, group+"/train", func() (modelTrained, error) {
			p, x, err := def.build(sz, nil)
			if err != nil {
				return modelTrained{}, err
			}
			g := make([]float64, len(x))
			problems.Objective(p).Grad(g, x)
			return modelTrained{X: x, F: problems.Objective(p).Func(x), GradN: floats.Norm(g, 2)}, nil
		})
		if err != nil {
			return fmt.Errorf("models: %s: %w", def.name, err)
		}
		if !ok {
			continue // another shard's model
		}
		e.Progress("models: %s trained (F = %.3g, ‖∇F‖ = %.2g)", def.name, tr.F, tr.GradN)
		// The Case (its linearization is the expensive part) is built only
		// when a cell needs it.
		var cs *stability.Case
		getCase := func() (*stability.Case, error) {
			if cs != nil {
				return cs, nil
			}
			p, x, err := def.build(sz, tr.X)
			if err != nil {
				return nil, err
			}
			cs, err = stability.ProblemCase(def.name, p, x, nil, nil)
			return cs, err
		}
		start := def.startRel * math.Max(1, floats.Norm(tr.X, 2))
		esc := stability.EscapeSettings{StartRadius: start, Iterations: sz.iters, Runs: sz.runs, RelTol: sz.relTol,
			Seed: stability.CellSeed(e.Seed^0x30de15, mi), Workers: e.Workers}
		set := stability.CompareSettings{
			Lyapunov: stability.LyapunovSettings{Replicates: sz.lyapReplicates, Steps: sz.lyapSteps, Burn: sz.lyapBurn,
				Seed: stability.CellSeed(e.Seed^0x1ea9, mi), Workers: e.Workers},
			Escape:    esc,
			LossKappa: modelsKappa,
		}
		rows, _, err := cellUnit(e, group, group+"/compare", func() ([]stability.ComparisonRow, error) {
			c, err := getCase()
			if err != nil {
				return nil, err
			}
			return stability.Compare(c, beyondBatches, set)
		})
		if err != nil {
			return fmt.Errorf("models: %s: %w", def.name, err)
		}
		e.Progress("models: %s compared", def.name)
		hom := false
		for ki, r := range rows {
			hom = r.Homogeneous
			lv, _, err := cellUnit(e, group, fmt.Sprintf("%s/levels/%d", group, ki), func() (modelEscapes, error) {
				c, err := getCase()
				if err != nil {
					return modelEscapes{}, err
				}
				return levelCheck(c, r, esc)
			})
			if err != nil {
				return fmt.Errorf("models: %s: %w", def.name, err)
			}
			rec := modelRecord{
				Model: def.name, Minimizer: def.minimizer, Homogeneous: r.Homogeneous, K: Batch(r.Batch),
				PatelConvergence: Num(r.PatelConvergence), MeanSquare: Num(r.MeanSquare), PatelDivergence: Num(r.PatelDivergence),
				AlmostSure: Num(r.AlmostSure), AlmostSureSE: Num(r.AlmostSureErr),
				WuSharpness: Num(r.WuSharpness), WuNonUniformity: Num(r.WuNonUniformity),
				NoiseFloor: Num(r.ExcessAtHalf), Escape: Num(r.Escape), EscapeLo: Num(r.EscapeLo), EscapeHi: Num(r.EscapeHi),
				LossLevel: Num(r.LossLevel), StartExcess: Num(r.StartExcess),
				EscapeDouble: Num(lv.Double), EscapeHalf: Num(lv.Half),
				StartRadius: Num(start), Iterations: sz.iters, Runs: sz.runs, Dim: len(tr.X), Samples: modelSamples(def, sz),
			}
			rec.Verdict = modelVerdict(rec)
			records = append(records, rec)
			csvRows = append(csvRows, modelsColumns.csv(rec))
		}
		kind := "inhomogeneous"
		if hom {
			kind = "homogeneous"
		}
		fmt.Fprintf(&modelsList, "**%s** (%s, p = %d, F(x*) = %.3g, ‖∇F(x*)‖ = %.2g, start radius %.3g): %s. ",
			def.name, kind, len(tr.X), tr.F, tr.GradN, start, def.minimizer)
		if err := modelsPhase(e, def, mi, rows, esc, getCase, sz); err != nil {
			return fmt.Errorf("models: %s: %w", def.name, err)
		}
		e.Progress("models: %s phase diagram", def.name)
		fmt.Fprintf(&images, "![phase diagram: %s](%s) ", def.name, def.file)
	}
	if err := e.WriteJSON("models.json", records); err != nil {
		return err
	}
	if err := e.WriteCSV("models.csv", modelsColumns.header(), csvRows); err != nil {
		return err
	}
	md.WriteString(strings.TrimSpace(modelsCriterion) + " " + modelsList.String() + modelsOutro + " " + images.String() + "\n\n")
	md.WriteString(modelsTable(records))
	e.Report(orderModels, "Learned models: which prediction to trust", md.String())
	return nil
}

func modelSamples(def modelDef, sz modelsSizes) int {
	if def.name == "logistic" {
		return 569
	}
	return sz.samples
}

// levelCheck measures the escape threshold of row r again at twice and
// half its loss level, bisecting from the measured threshold.
func levelCheck(c *stability.Case, r stability.ComparisonRow, esc stability.EscapeSettings) (modelEscapes, error) {
	out := modelEscapes{Level: r.LossLevel, Double: math.NaN(), Half: math.NaN(),
		DoubleLo: math.NaN(), DoubleHi: math.NaN(), HalfLo: math.NaN(), HalfHi: math.NaN()}
	if !(r.LossLevel > 0) || !(r.Escape > 0) || math.IsInf(r.Escape, 0) {
		return out, nil
	}
	for _, f := range []float64{2, 0.5} {
		s := esc
		s.LossLevel = f * r.LossLevel
		s.BatchSize = sgdk.FullBatch
		if !math.IsInf(r.Batch, 1) {
			s.BatchSize = int(r.Batch)
		}
		s.From = r.Escape
		var et *stability.EscapeThreshold
		var err error
		if c.Problem != nil {
			et, err = stability.MeasureEscape(c.Problem, c.Minimizer, s)
		} else {
			et, err = stability.MeasureEscapeSampler(c.Sampler, c.Minimizer, s)
		}
		if err != nil {
			return out, err
		}
		if f == 2 {
			out.Double, out.DoubleLo, out.DoubleHi = et.C, et.Lo, et.Hi
		} else {
			out.Half, out.HalfLo, out.HalfHi = et.C, et.Lo, et.Hi
		}
	}
	return out, nil
}

// levelInsensitive reports whether doubling and halving the level moved
// the threshold by less than the width of its interval.
func levelInsensitive(r modelRecord) bool {
	w := float64(r.EscapeHi - r.EscapeLo)
	if !(w > 0) || math.IsInf(w, 0) {
		return false
	}
	return math.Abs(float64(r.EscapeDouble-r.Escape)) < w && math.Abs(float64(r.EscapeHalf-r.Escape)) < w
}

// modelPrediction is one named prediction of a row.
type modelPrediction struct {
	name string
	c    float64
}

func predictions(r modelRecord) []modelPrediction {
	return []modelPrediction{
		{"Patel convergence", float64(r.PatelConvergence)},
		{"mean-square C*", float64(r.MeanSquare)},
		{"Patel divergence", float64(r.PatelDivergence)},
		{"almost-sure", float64(r.AlmostSure)},
		{"Wu–Ma–E", math.Min(float64(r.WuSharpness), nanInf(float64(r.WuNonUniformity)))},
	}
}

func nanInf(v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}

// modelVerdict says which prediction the measured threshold matches (the
// prediction inside its interval), how far off the others are (their ratio
// to the measurement), and whether the threshold depends on the loss
// level.
func modelVerdict(r modelRecord) string {
	esc, lo, hi := float64(r.Escape), float64(r.EscapeLo), float64(r.EscapeHi)
	if !(esc > 0) || math.IsInf(esc, 0) {
		return "no measured threshold"
	}
	var in, others []string
	var below, above *modelPrediction
	for _, p := range predictions(r) {
		if !(p.c > 0) || math.IsInf(p.c, 0) {
			continue
		}
		if p.c >= lo && p.c <= hi {
			in = append(in, p.name)
			continue
		}
		others = append(others, fmt.Sprintf("%s ×%.2g", p.name, p.c/esc))
		if p.c < lo && (below == nil || p.c > below.c) {
			q := p
			below = &q
		}
		if p.c > hi && (above == nil || p.c < above.c) {
			q := p
			above = &q
		}
	}
	var v string
	switch {
	case len(in) > 0:
		v = "matches " + strings.Join(in, " and ")
	case below != nil && above != nil:
		v = fmt.Sprintf("none matched: between %s and %s", tied(r, below.c), tied(r, above.c))
	case below != nil:
		v = "none matched: above every prediction"
	default:
		v = "none matched: below every prediction"
	}
	if len(others) > 0 {
		v += "; others (prediction/measured): " + strings.Join(others, ", ")
	}
	if !math.IsNaN(float64(r.EscapeDouble)) || !math.IsNaN(float64(r.EscapeHalf)) {
		if !levelInsensitive(r) {
			v += fmt.Sprintf("; depends on the loss level (×2: %s, ×½: %s)", beyondG(float64(r.EscapeDouble)), beyondG(float64(r.EscapeHalf)))
		}
	}
	return v
}

// tied names every prediction of r equal to c (to a relative 1e-9),
// joined by "=".
func tied(r modelRecord, c float64) string {
	var names []string
	for _, p := range predictions(r) {
		if math.Abs(p.c-c) <= 1e-9*c {
			names = append(names, p.name)
		}
	}
	return strings.Join(names, " = ")
}

// modelsTable renders the rows of every model as one table.
func modelsTable(rows []modelRecord) string {
	var b strings.Builder
	b.WriteString("| model | k | Patel conv. | C* | Patel div. | almost sure | Wu–Ma–E | noise floor at C*/2 | level | escape [95%] | ×2, ×½ level | verdict |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		as := beyondG(float64(r.AlmostSure))
		if r.AlmostSureSE > 0 {
			as += fmt.Sprintf(" ± %.2g", float64(r.AlmostSureSE))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s [%s, %s] | %s, %s | %s |\n", r.Model, r.K.String(),
			beyondG(float64(r.PatelConvergence)), beyondG(float64(r.MeanSquare)), beyondG(float64(r.PatelDivergence)), as,
			beyondG(math.Min(float64(r.WuSharpness), nanInf(float64(r.WuNonUniformity)))), beyondG(float64(r.NoiseFloor)),
			beyondG(float64(r.LossLevel)), beyondG(float64(r.Escape)), beyondG(float64(r.EscapeLo)), beyondG(float64(r.EscapeHi)),
			beyondG(float64(r.EscapeDouble)), beyondG(float64(r.EscapeHalf)), mdEscape(r.Verdict))
	}
	return b.String()
}

// modelsPhase draws the phase diagram of one model: for each k the escape
// fraction (loss criterion at the row's level) on sz.grid log-spaced C from
// C*(k)/4 to 4·(almost-sure threshold at k), with the thresholds.
func modelsPhase(e *Env, def modelDef, mi int, rows []stability.ComparisonRow, esc stability.EscapeSettings, getCase func() (*stability.Case, error), sz modelsSizes) error {
	n := sz.grid
	g := phaseHeat{rowLogC: make([][]float64, len(rows)), z: make([][]float64, len(rows)), pal: beyondPalette{}.Colors()}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	for ki, r := range rows {
		lo, hi := r.MeanSquare/4, 4*math.Max(r.AlmostSure, r.MeanSquare)
		if !(lo > 0) || !(hi > lo) || math.IsInf(hi, 0) {
			return fmt.Errorf("k = %v: no finite range for the phase diagram (%v, %v)", r.Batch, lo, hi)
		}
		llo, lhi := math.Log10(lo), math.Log10(hi)
		g.rowLogC[ki] = make([]float64, n)
		for i := range g.rowLogC[ki] {
			g.rowLogC[ki][i] = llo + (lhi-llo)*float64(i)/float64(max(1, n-1))
		}
		h := 0.5 * (lhi - llo) / float64(max(1, n-1))
		xlo, xhi = math.Min(xlo, math.Pow(10, llo-h)), math.Max(xhi, math.Pow(10, lhi+h))
	}
	s := esc
	s.Runs = sz.gridRuns
	s.Seed = stability.CellSeed(e.Seed^0x9a5e30, mi)
	group := fmt.Sprintf("models/%s", def.name)
	for ki, r := range rows {
		g.z[ki] = make([]float64, n)
		s.LossLevel = r.LossLevel
		for i, lc := range g.rowLogC[ki] {
			pr, _, err := cellUnit(e, group, fmt.Sprintf("%s/phase/%d/%d", group, ki, i), func() (stability.EscapeProbe, error) {
				c, err := getCase()
				if err != nil {
					return stability.EscapeProbe{}, err
				}
				return stability.EscapeCase(c, math.Pow(10, lc), r.Batch, s)
			})
			if err != nil {
				return err
			}
			g.z[ki][i] = pr.Fraction
		}
	}
	return phasePlot(e, def.file, fmt.Sprintf("%s: loss criterion (level per row in models.csv), %d steps; each row from C*(k)/4 to 4× almost-sure", def.name, sz.iters),
		"models.csv", rows, g, xlo, xhi)
}

// modelsIntro opens the section's part of REPORT.md.
const modelsIntro = `Three minimizers of learned models, and for each batch size k every prediction of the step size C at which SGD-k leaves the minimizer, set against a measurement. All predictions come from one linearization at x* (stability.ProblemCase; above p = 200 parameters compressed onto the top eigenvectors of H, matrix-free): Patel's bounds (18) and (19)–(20) at the homogeneous MLP, Theorem 3.12's (34) and the divergence bound as γ → 0⁺ at the inhomogeneous minimizers, so that Patel convergence ≤ C*(k) ≤ Patel divergence in every row; the exact mean-square threshold C*(k); the almost-sure threshold (top Lyapunov exponent of the linearized SGD-k crosses 0; ± is its standard error by the delta method); the Wu–Ma–E limit min(2/λ_max, √k/√λ_max(E[Q²] − H²)); and the noise floor, the stationary excess loss E[F(x_∞)] − F(x*) = ½·tr(H S_∞) of the linearized SGD-k at C*(k)/2.

`

// modelsCriterion explains the escape criterion and the two kinds of stability.
const modelsCriterion = `**Escape is measured in the loss.** A run escapes when F(x) − F(x*) exceeds a level (checked every 10 steps and at the last), or overflows. The level is κ·max(mean excess loss of the start points, noise floor at C*(k)/2) with κ = 100: the fluctuations of a stable run stay near the larger of the two, and an unstable run, whose excess loss grows geometrically, passes a level a hundred times higher within log(100)/(2γ) steps. No radius is needed, which matters at a convex minimizer (logistic regression) that has no barrier to leave over. Each threshold is measured again at twice and half the level; the verdict says so where that moves it by more than its interval. **Mean-square against almost-sure.** C*(k) is the threshold of the mean excess loss, the almost-sure threshold that of a typical run. Between them the mean grows, carried by rare runs, while most runs converge: a measurement of what most runs do should follow the almost-sure threshold where the linearization describes the runs, a little above it because of the finite budget (a run must grow by the level within the iterations); the verdicts say where it does.

`

// modelsOutro names the files.
const modelsOutro = `Files: models.csv and models.json (one row per minimizer and k; columns in DATA.md) and the phase diagrams models_*.png (as in the previous section; the escape criterion is the loss level of each row).`
