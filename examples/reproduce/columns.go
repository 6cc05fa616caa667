package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// The columns of every tabular output, declared once. A CSV file's header
// and rows, the keys and values of the matching JSON records, and the data
// dictionary (DATA.md) all come from these declarations.

// column is one column of an output file: its name (the CSV header and the
// JSON key), its unit and its meaning.
type column struct {
	Name string
	Unit string // "" for a label or a count
	Desc string
}

// field is a column with the function that reads it from a record of type T.
// The value is a Num, Batch, float64, int, string, bool, tableID or *int.
type field[T any] struct {
	column
	get func(T) any
}

// columns is the ordered declaration of a record type's columns.
type columns[T any] []field[T]

// header returns the column names in order.
func (cs columns[T]) header() []string {
	h := make([]string, len(cs))
	for i, c := range cs {
		h[i] = c.Name
	}
	return h
}

// doc returns the columns without their getters, for the dictionary.
func (cs columns[T]) doc() []column {
	out := make([]column, len(cs))
	for i, c := range cs {
		out[i] = c.column
	}
	return out
}

// csv formats a record as a CSV row: non-finite numbers empty, gradient
// descent's batch size "inf", a nil model empty.
func (cs columns[T]) csv(r T) []string {
	row := make([]string, len(cs))
	for i, c := range cs {
		row[i] = csvValue(c.get(r))
	}
	return row
}

// json marshals a record as a JSON object with the columns as keys, in
// order: non-finite numbers null, gradient descent's batch size "inf".
func (cs columns[T]) json(r T) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(c.Name)
		b.Write(k)
		b.WriteByte(':')
		v := c.get(r)
		if f, ok := v.(float64); ok {
			v = Num(f)
		}
		if p, ok := v.(*int); ok && p == nil {
			v = nil
		}
		enc, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		b.Write(enc)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func csvValue(v any) string {
	switch x := v.(type) {
	case Num:
		return csvNum(float64(x))
	case float64:
		return csvNum(x)
	case Batch:
		if math.IsNaN(float64(x)) {
			return ""
		}
		return x.String()
	case int:
		return strconv.Itoa(x)
	case string:
		return x
	case tableID:
		return string(x)
	case bool:
		return strconv.FormatBool(x)
	case *int:
		if x == nil {
			return ""
		}
		return strconv.Itoa(*x)
	}
	panic(fmt.Sprintf("reproduce: column value of type %T", v))
}

// Units and recurring descriptions.
const (
	unitLR       = "learning rate C (dimensionless step size)"
	unitFraction = "fraction of runs, 0–1"
	unitDist     = "Euclidean distance in the problem's coordinates"
	unitFactor   = "per-iteration factor"
	descBatch    = "batch size k: an integer ≥ 1, or \"inf\" for gradient descent (the full expected gradient)"
	descModel    = "the paper's model number (Section 4: 1–4, Section 5: 1–3; 0 for Section 2's f(x) = x²)"
)

// cellColumns are the columns of cells.csv and of summary.json's "cells":
// one experiment cell (model, k, minimizer, start radius, learning rate)
// and the statistics of its runs (stability.CellStats).
var cellColumns = columns[cellRecord]{
	{column{"section", "", "\"section2\", \"section4\" or \"section5\""}, func(c cellRecord) any { return c.Section }},
	{column{"model", "", descModel}, func(c cellRecord) any { return c.Model }},
	{column{"batch", "", descBatch}, func(c cellRecord) any { return c.Batch }},
	{column{"minimizer", "", "\"circular\", \"quadratic\" (Section 4), \"flattest\", \"sharpest\" (Section 5), \"origin\" (Section 2)"}, func(c cellRecord) any { return c.Minimizer }},
	{column{"radius", unitDist, "runs start uniformly in the ball of this radius about the minimizer (0: at x0 = −1 in Section 2)"}, func(c cellRecord) any { return c.Radius }},
	{column{"lr", unitLR, "the constant learning rate of every run"}, func(c cellRecord) any { return c.LR }},
	{column{"lr_label", "", "\"paper\" (the paper's grid), \"scaled\" (a multiple of u or l, see lr_factor and lr_of), or Section 5's \"1.5l\", \"0.5(u+l)\", \"0.5u\""}, func(c cellRecord) any { return c.LRLabel }},
	{column{"lr_factor", "", "scaled rates: lr = lr_factor × (u or l); null/empty otherwise"}, func(c cellRecord) any { return c.LRFactor }},
	{column{"lr_of", "", "scaled rates: \"u\" or \"l\"; empty otherwise"}, func(c cellRecord) any { return c.LROf }},
	{column{"runs", "", "number of runs"}, func(c cellRecord) any { return c.Runs }},
	{column{"escaped", unitFraction, "runs that escaped: left B(x*, R) or touched the box (Section 4), became closer to another minimizer or touched the box (Section 5); null/empty where there is no escape test (Section 2)"}, func(c cellRecord) any { return c.Escaped }},
	{column{"grew", unitFraction, "runs whose final distance to x* is at least twice their starting distance"}, func(c cellRecord) any { return c.Grew }},
	{column{"converged", unitFraction, "runs whose final distance to x* is below their starting distance"}, func(c cellRecord) any { return c.Converged }},
	{column{"growth_ms", unitFactor, "per-step factor of the mean over runs of e_N = (x_N − x*)'H̄_m(x_N − x*), least-squares fit of log mean e_N over the growth window; null/empty when the window is under 2 steps"}, func(c cellRecord) any { return c.GrowthMS }},
	{column{"growth_ms_stderr", unitFactor, "jackknife standard error of growth_ms"}, func(c cellRecord) any { return c.GrowthMSStderr }},
	{column{"growth_ms_r2", "", "R² of the log-linear fit of growth_ms, 0–1"}, func(c cellRecord) any { return c.GrowthMSR2 }},
	{column{"growth_step", unitFactor, "mean one-step ratio e_{N+1}/e_N over the growth window (Lemma 3.7 puts it in [growth_lo, growth_hi] at a homogeneous minimizer)"}, func(c cellRecord) any { return c.GrowthStep }},
	{column{"growth_step_stderr", unitFactor, "standard error of growth_step"}, func(c cellRecord) any { return c.GrowthStepSE }},
	{column{"growth_lo", unitFactor, "ρ_lo of Lemma 3.7 at (lr, batch) with the minimizer's geometry"}, func(c cellRecord) any { return c.GrowthLo }},
	{column{"growth_hi", unitFactor, "ρ_hi of Lemma 3.7"}, func(c cellRecord) any { return c.GrowthHi }},
	{column{"growth_run_median", unitFactor, "lower median over runs of each run's per-step distance factor over the growth window"}, func(c cellRecord) any { return c.GrowthRunMedian }},
	{column{"growth_window", "iterations", "iterations before any run touches the box (and, in Section 4, leaves B(x*, ε))"}, func(c cellRecord) any { return c.GrowthWindow }},
	{column{"escape_radius", unitDist, "R of the escape test (Section 4: 7.5); null/empty where not used"}, func(c cellRecord) any { return c.EscapeRadius }},
	{column{"convergence", unitLR, "u: convergence threshold (18)/(51) at this batch size with the minimizer's geometry"}, func(c cellRecord) any { return c.Convergence }},
	{column{"divergence", unitLR, "l: divergence threshold (19)–(20)/(52) at this batch size"}, func(c cellRecord) any { return c.Divergence }},
}

// tableColumns are the columns of tables.csv, tables.json and
// summary.json's "tables".
var tableColumns = columns[tableRow]{
	{column{"table", "", "the paper's table number 2–5, or \"eps\" for the ε-sensitivity table"}, func(r tableRow) any { return r.Table }},
	{column{"model", "", "the paper's model number"}, func(r tableRow) any { return r.Model }},
	{column{"minimizer", "", "\"circular\", \"quadratic\", \"flattest\" or \"sharpest\""}, func(r tableRow) any { return r.Minimizer }},
	{column{"k", "", "batch size (not always an integer: 0.99·k_max); \"inf\" for gradient descent; null/empty where k_max is undefined"}, func(r tableRow) any { return r.K }},
	{column{"k_label", "", "\"1\", \"0.99kmax\", \"2kmax\", \"inf\", or the integer k"}, func(r tableRow) any { return r.KLabel }},
	{column{"eps", unitDist, "radius ε of the ball B(x*, ε) of the geometry (Definition 3.14)"}, func(r tableRow) any { return r.Eps }},
	{column{"convergence", unitLR, "our convergence threshold (18)/(51); null/empty where our k is not a batch size ≥ 1"}, func(r tableRow) any { return r.Convergence }},
	{column{"divergence", unitLR, "our divergence threshold (19)–(20)/(52)"}, func(r tableRow) any { return r.Divergence }},
	{column{"inhom_convergence", unitLR, "Theorem 3.12's convergence threshold (34), inhomogeneous minimizers only"}, func(r tableRow) any { return r.InhomConvergence }},
	{column{"inhom_divergence", unitLR, "Theorem 3.12's divergence threshold (35)–(36) with γ = ¼√(s/k), inhomogeneous minimizers only"}, func(r tableRow) any { return r.InhomDivergence }},
	{column{"convergence_stderr", unitLR, "standard deviation of convergence over independent re-estimates of the geometry"}, func(r tableRow) any { return r.ConvergenceStderr }},
	{column{"divergence_stderr", unitLR, "the same for divergence"}, func(r tableRow) any { return r.DivergenceStderr }},
	{column{"paper_convergence", unitLR, "the paper's entry (Tables 3, 5); null/empty where it has none"}, func(r tableRow) any { return r.PaperConvergence }},
	{column{"paper_divergence", unitLR, "the paper's entry (Tables 2, 4)"}, func(r tableRow) any { return r.PaperDivergence }},
	{column{"m", "", "number of nonzero eigenvalues of H̄ kept by the rank rule"}, func(r tableRow) any { return r.M }},
}

// runsColumns are the columns of runs.csv(.gz), one line per run and
// iterate; addRuns writes them in this order.
var runsColumns = []column{
	{"section", "", "\"section2\", \"section4\" or \"section5\""},
	{"model", "", descModel},
	{"batch", "", descBatch},
	{"minimizer", "", "the cell's minimizer (as in cells.csv)"},
	{"radius", unitDist, "start radius of the cell"},
	{"lr_label", "", "as in cells.csv"},
	{"lr", unitLR, "the cell's learning rate"},
	{"run", "", "run index 0..runs−1 (its random stream is a function of the seed, the cell and this index)"},
	{"iter", "iterations", "iteration N, 0 = the start point"},
	{"distance", unitDist, "‖x_N − x*‖ to the cell's minimizer, 8 significant digits; empty if not finite"},
	{"distance_other", unitDist, "Section 4: ‖x_N − x°‖ to the other minimizer; empty elsewhere"},
}

// comparisonColumns are the columns of comparison.csv and comparison.json.
var comparisonColumns = columns[beyondRecord]{
	{column{"problem", "", "\"quadcircle\", \"styblinski-tang\", \"gaussian\" or \"two-point\""}, func(r beyondRecord) any { return r.Problem }},
	{column{"model", "", "the paper's model number; null/empty for problems not in the paper"}, func(r beyondRecord) any { return r.Model }},
	{column{"minimizer", "", "the minimizer's name"}, func(r beyondRecord) any { return r.Minimizer }},
	{column{"homogeneous", "", "true when every component's gradient vanishes at x*"}, func(r beyondRecord) any { return r.Homogeneous }},
	{column{"batch", "", descBatch}, func(r beyondRecord) any { return r.Batch }},
	{column{"patel_convergence", unitLR, "Theorem 3.8's (18) on the exact geometry of the linearization at x* (Theorem 3.12's (34) at an inhomogeneous minimizer)"}, func(r beyondRecord) any { return r.PatelConvergence }},
	{column{"exact_mean_square", unitLR, "the exact mean-square threshold C*(k) of the linearization"}, func(r beyondRecord) any { return r.MeanSquare }},
	{column{"patel_divergence", unitLR, "Theorem 3.8's (19)–(20)"}, func(r beyondRecord) any { return r.PatelDivergence }},
	{column{"wu_sharpness", unitLR, "Wu, Ma and E (2018): 2/λ_max(H)"}, func(r beyondRecord) any { return r.WuSharpness }},
	{column{"wu_nonuniformity", unitLR, "Wu, Ma and E (2018): √k/√λ_max(E[Q²] − H²); null/empty (\"inf\" is not used) when k = ∞"}, func(r beyondRecord) any { return r.WuNonUniformity }},
	{column{"almost_sure", unitLR, "where the top Lyapunov exponent of linearized SGD-k crosses 0"}, func(r beyondRecord) any { return r.AlmostSure }},
	{column{"almost_sure_err", unitLR, "Monte Carlo standard error of almost_sure (0 at k = ∞, where it is 2/λ_1 exactly)"}, func(r beyondRecord) any { return r.AlmostSureErr }},
	{column{"escape", unitLR, "measured escape threshold: where a logistic fit of the escape fraction against log C crosses ½"}, func(r beyondRecord) any { return r.Escape }},
	{column{"escape_lo", unitLR, "lower end of its 95% profile-likelihood interval (0: unbounded below)"}, func(r beyondRecord) any { return r.EscapeLo }},
	{column{"escape_hi", unitLR, "upper end (null/empty: unbounded above)"}, func(r beyondRecord) any { return r.EscapeHi }},
	{column{"noise_floor_half", "e = (x − x*)'H(x − x*), squared distance weighted by H", "stationary mean error E[e_∞] of linearized SGD-k at C = C*(k)/2 (0 at a homogeneous minimizer)"}, func(r beyondRecord) any { return r.FloorAtHalf }},
	{column{"start_radius", unitDist, "escape runs start uniformly in B(x*, start_radius)"}, func(r beyondRecord) any { return r.StartRadius }},
	{column{"escape_radius", unitDist, "a run escapes when it leaves B(x*, escape_radius), touches the box or overflows"}, func(r beyondRecord) any { return r.EscapeRadius }},
	{column{"iterations", "iterations", "budget of every escape run"}, func(r beyondRecord) any { return r.Iterations }},
	{column{"runs", "", "runs per probed learning rate"}, func(r beyondRecord) any { return r.Runs }},
}

// modelsColumns are the columns of models.csv and models.json.
var modelsColumns = columns[modelRecord]{
	{column{"model", "", "\"logistic\", \"mlp-squared\" or \"mlp-ce\""}, func(r modelRecord) any { return r.Model }},
	{column{"minimizer", "", "the minimizer in words (model, loss, data)"}, func(r modelRecord) any { return r.Minimizer }},
	{column{"homogeneous", "", "true when every component's gradient vanishes at x* (Definition 3.4)"}, func(r modelRecord) any { return r.Homogeneous }},
	{column{"k", "", descBatch}, func(r modelRecord) any { return r.K }},
	{column{"patel_convergence", unitLR, "Patel's convergence bound on the linearization at x*: (18) at a homogeneous minimizer, Theorem 3.12's (34) at an inhomogeneous one; ≤ mean_square"}, func(r modelRecord) any { return r.PatelConvergence }},
	{column{"mean_square", unitLR, "the exact mean-square threshold C*(k) of the linearization (an upper bound when it is compressed onto the top eigenvectors of H)"}, func(r modelRecord) any { return r.MeanSquare }},
	{column{"patel_divergence", unitLR, "Patel's divergence bound (19)–(20) (the limit γ → 0⁺ of (35)–(36) at an inhomogeneous minimizer); ≥ mean_square"}, func(r modelRecord) any { return r.PatelDivergence }},
	{column{"almost_sure", unitLR, "where the top Lyapunov exponent of the linearized SGD-k crosses 0 (2/λ_max exactly at k = inf)"}, func(r modelRecord) any { return r.AlmostSure }},
	{column{"almost_sure_se", unitLR, "standard error of almost_sure: se(γ)/|dγ/dC| at the crossing (delta method)"}, func(r modelRecord) any { return r.AlmostSureSE }},
	{column{"wu_sharpness", unitLR, "Wu, Ma and E (2018): 2/λ_max(H)"}, func(r modelRecord) any { return r.WuSharpness }},
	{column{"wu_nonuniformity", unitLR, "Wu, Ma and E (2018): √k/√λ_max(E[Q²] − H²); null/empty at k = inf"}, func(r modelRecord) any { return r.WuNonUniformity }},
	{column{"noise_floor", "excess loss F(x) − F(x*), in the units of the model's loss", "stationary excess loss ½·tr(H S_∞) of the linearized SGD-k at C = C*(k)/2 (0 at a homogeneous minimizer)"}, func(r modelRecord) any { return r.NoiseFloor }},
	{column{"escape", unitLR, "measured escape threshold (loss criterion at loss_level): where a logistic fit of the escape fraction against log C crosses ½"}, func(r modelRecord) any { return r.Escape }},
	{column{"escape_lo", unitLR, "lower end of its 95% profile-likelihood interval (0: unbounded below)"}, func(r modelRecord) any { return r.EscapeLo }},
	{column{"escape_hi", unitLR, "upper end (null/empty: unbounded above)"}, func(r modelRecord) any { return r.EscapeHi }},
	{column{"verdict", "", "which prediction lies inside the escape interval, the ratio prediction/measured of the others, and whether the threshold depends on the loss level"}, func(r modelRecord) any { return r.Verdict }},
	{column{"loss_level", "excess loss, units of the model's loss", "a run escapes when F(x) − F(x*) exceeds it: 100·max(start_excess, noise_floor)"}, func(r modelRecord) any { return r.LossLevel }},
	{column{"start_excess", "excess loss, units of the model's loss", "mean excess loss of the escape runs' start points"}, func(r modelRecord) any { return r.StartExcess }},
	{column{"escape_double", unitLR, "the escape threshold measured at twice loss_level"}, func(r modelRecord) any { return r.EscapeDouble }},
	{column{"escape_half", unitLR, "the escape threshold measured at half loss_level"}, func(r modelRecord) any { return r.EscapeHalf }},
	{column{"start_radius", unitDist, "escape runs start uniformly in the ball of this radius about x*"}, func(r modelRecord) any { return r.StartRadius }},
	{column{"iterations", "iterations", "budget of every escape run"}, func(r modelRecord) any { return r.Iterations }},
	{column{"runs", "", "runs per probed learning rate"}, func(r modelRecord) any { return r.Runs }},
	{column{"dim", "", "number of parameters p"}, func(r modelRecord) any { return r.Dim }},
	{column{"samples", "", "number of training samples N"}, func(r modelRecord) any { return r.Samples }},
}

// verdictColumns are the fields of summary.json's "verdicts" and the
// columns of verdicts.csv.
var verdictColumns = columns[verdict]{
	{column{"section", "", "\"section2\", \"section4\" or \"section5\""}, func(v verdict) any { return v.Section }},
	{column{"scope", "", "the cells the verdict covers"}, func(v verdict) any { return v.Scope }},
	{column{"question", "", "the paper's question (1. divergence above l, 2. convergence/stability below u, 3. exponential divergence)"}, func(v verdict) any { return v.Question }},
	{column{"held", "", "cells where the prediction held"}, func(v verdict) any { return v.Held }},
	{column{"cells", "", "cells where it could be tested"}, func(v verdict) any { return v.Cells }},
	{column{"family", "", "cells the question is about (cells ≤ family)"}, func(v verdict) any { return v.Family }},
	{column{"verdict", "", "the verdict in words"}, func(v verdict) any { return v.Verdict }},
	{column{"detail", "", "the cells where it did not hold, with their statistics"}, func(v verdict) any { return v.Detail }},
}

// MarshalJSON implements json.Marshaler from cellColumns.
func (c cellRecord) MarshalJSON() ([]byte, error) { return cellColumns.json(c) }

// MarshalJSON implements json.Marshaler from tableColumns.
func (r tableRow) MarshalJSON() ([]byte, error) { return tableColumns.json(r) }

// MarshalJSON implements json.Marshaler from comparisonColumns.
func (r beyondRecord) MarshalJSON() ([]byte, error) { return comparisonColumns.json(r) }

// MarshalJSON implements json.Marshaler from modelsColumns.
func (r modelRecord) MarshalJSON() ([]byte, error) { return modelsColumns.json(r) }

// MarshalJSON implements json.Marshaler from verdictColumns.
func (v verdict) MarshalJSON() ([]byte, error) { return verdictColumns.json(v) }
