package main

import (
	"bufio"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/flatminima/flatminima/sgdk"
)

// cellRecord is one object of summary.json's "cells": one cell of an
// experiment grid and its statistics (fractions of runs; growth factors per
// step; see sgdk.CellStats for the definitions).
type cellRecord struct {
	Section         string `json:"section"`
	Model           int    `json:"model"`
	Batch           Batch  `json:"batch"`
	Minimizer       string `json:"minimizer"`
	Radius          Num    `json:"radius"`
	LR              Num    `json:"lr"`
	LRLabel         string `json:"lr_label"`
	LRFactor        Num    `json:"lr_factor,omitempty"` // scaled grid: the multiple of LROf
	LROf            string `json:"lr_of,omitempty"`     // scaled grid: "u" or "l"
	Runs            int    `json:"runs"`
	Escaped         Num    `json:"escaped"`
	Grew            Num    `json:"grew"`
	Converged       Num    `json:"converged"`
	GrowthMS        Num    `json:"growth_ms"`
	GrowthMSStderr  Num    `json:"growth_ms_stderr"`
	GrowthMSR2      Num    `json:"growth_ms_r2"`
	GrowthStep      Num    `json:"growth_step"`
	GrowthStepSE    Num    `json:"growth_step_stderr"`
	GrowthLo        Num    `json:"growth_lo"`
	GrowthHi        Num    `json:"growth_hi"`
	GrowthRunMedian Num    `json:"growth_run_median"`
	GrowthWindow    int    `json:"growth_window"`
	EscapeRadius    Num    `json:"escape_radius"`
	Convergence     Num    `json:"convergence"` // u at this k (homogeneous formula)
	Divergence      Num    `json:"divergence"`  // l at this k (homogeneous formula)
}

// newCellRecord fills the statistics of a record from st.
func newCellRecord(section string, model int, k int, minimizer string, radius, lr float64, label string, st sgdk.CellStats, u, l, escape float64) cellRecord {
	return cellRecord{
		Section: section, Model: model, Batch: batchOf(k), Minimizer: minimizer,
		Radius: Num(radius), LR: Num(lr), LRLabel: label, Runs: st.Runs,
		Escaped: Num(st.Escaped), Grew: Num(st.Grew), Converged: Num(st.Converged),
		GrowthMS: Num(st.GrowthMS), GrowthMSStderr: Num(st.GrowthMSStderr), GrowthMSR2: Num(st.GrowthMSR2),
		GrowthStep: Num(st.GrowthStep), GrowthStepSE: Num(st.GrowthStepStderr),
		GrowthLo: Num(st.GrowthLo), GrowthHi: Num(st.GrowthHi),
		GrowthRunMedian: Num(st.GrowthRunMedian), GrowthWindow: st.Window,
		EscapeRadius: Num(escape), Convergence: Num(u), Divergence: Num(l),
	}
}

// batchOf converts an sgdk batch size to the output's k (FullBatch is +Inf).
func batchOf(k int) Batch {
	if k == sgdk.FullBatch {
		return Batch(math.Inf(1))
	}
	return Batch(k)
}

// kOf is the thresholds' k of an sgdk batch size.
func kOf(k int) float64 { return float64(batchOf(k)) }

// tableID is a table's name in tables.json: the paper's table number 2–5 as
// a JSON number, or the string "eps" for the ε-sensitivity table.
type tableID string

// MarshalJSON implements json.Marshaler.
func (t tableID) MarshalJSON() ([]byte, error) {
	if _, err := strconv.Atoi(string(t)); err == nil {
		return []byte(t), nil
	}
	return []byte(strconv.Quote(string(t))), nil
}

// tableRow is one row of tables.csv and tables.json: the thresholds of one
// minimizer at one batch size k and ball radius ε.
type tableRow struct {
	Table             tableID `json:"table"`
	Model             int     `json:"model"`
	Minimizer         string  `json:"minimizer"`
	K                 Batch   `json:"k"`
	KLabel            string  `json:"k_label"` // "1", "0.99kmax", "2kmax", "inf", or the integer
	Eps               Num     `json:"eps"`
	Convergence       Num     `json:"convergence"`
	Divergence        Num     `json:"divergence"`
	InhomConvergence  Num     `json:"inhom_convergence"`
	InhomDivergence   Num     `json:"inhom_divergence"`
	ConvergenceStderr Num     `json:"convergence_stderr"`
	DivergenceStderr  Num     `json:"divergence_stderr"`
	PaperConvergence  Num     `json:"paper_convergence"`
	PaperDivergence   Num     `json:"paper_divergence"`
	M                 int     `json:"m"`
}

var tablesHeader = []string{"table", "model", "minimizer", "k", "k_label", "eps", "convergence", "divergence",
	"inhom_convergence", "inhom_divergence", "convergence_stderr", "divergence_stderr",
	"paper_convergence", "paper_divergence", "m"}

func (r tableRow) csv() []string {
	k := r.K.String()
	if math.IsNaN(float64(r.K)) {
		k = "" // an undefined k_max
	}
	return []string{string(r.Table), strconv.Itoa(r.Model), r.Minimizer, k, r.KLabel, csvNum(float64(r.Eps)),
		csvNum(float64(r.Convergence)), csvNum(float64(r.Divergence)),
		csvNum(float64(r.InhomConvergence)), csvNum(float64(r.InhomDivergence)),
		csvNum(float64(r.ConvergenceStderr)), csvNum(float64(r.DivergenceStderr)),
		csvNum(float64(r.PaperConvergence)), csvNum(float64(r.PaperDivergence)), strconv.Itoa(r.M)}
}

// verdict answers one of the paper's three questions for one section.
type verdict struct {
	Section  string `json:"section"`
	Scope    string `json:"scope"` // the cells it covers, e.g. "quadratic minimizer"
	Question string `json:"question"`
	Held     int    `json:"held"`  // cells where the prediction held
	Cells    int    `json:"cells"` // cells where the question could be tested
	// Family is the number of cells the question is about (for example
	// every cell with C > l), of which Cells could be tested.
	Family  int    `json:"family"`
	Verdict string `json:"verdict"`
}

// runsHeader is the exact header of runs.csv.
var runsHeader = []string{"section", "model", "batch", "minimizer", "radius", "lr_label", "lr", "run", "iter", "distance", "distance_other"}

// runsWriter streams runs.csv (long format: one line per run and iterate).
type runsWriter struct {
	f *outFile
	w *bufio.Writer
	b []byte
}

// addRuns appends the distances of one cell to runs.csv: dist[run][iter] to
// the cell's minimizer and, when other is not nil, other[run][iter] to the
// other minimizer. Distances are written with 8 significant digits to keep
// the file small (they are for plots; the statistics use full precision).
func (e *Env) addRuns(section string, model, k int, minimizer string, radius float64, label string, lr float64, dist, other [][]float64) error {
	if e.runs == nil {
		if err := e.openRuns(); err != nil {
			return err
		}
	}
	rw := e.runs
	prefix := strings.Join([]string{section, strconv.Itoa(model), batchOf(k).String(), minimizer,
		csvNum(radius), label, csvNum(lr)}, ",") + ","
	for r, d := range dist {
		for n, v := range d {
			b := append(rw.b[:0], prefix...)
			b = strconv.AppendInt(b, int64(r), 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(n), 10)
			b = append(b, ',')
			b = appendNum(b, v)
			b = append(b, ',')
			if other != nil && n < len(other[r]) {
				b = appendNum(b, other[r][n])
			}
			b = append(b, '\n')
			rw.b = b
			if _, err := rw.w.Write(b); err != nil {
				return err
			}
		}
	}
	return nil
}

func appendNum(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return b
	}
	return strconv.AppendFloat(b, v, 'g', 8, 64)
}

func (e *Env) openRuns() error {
	f, err := e.Create("runs.csv")
	if err != nil {
		return err
	}
	e.runs = &runsWriter{f: f, w: bufio.NewWriterSize(f, 1<<20)}
	_, err = e.runs.w.WriteString(strings.Join(runsHeader, ",") + "\n")
	return err
}

// closeRuns finishes runs.csv (writing just its header when no section
// recorded runs).
func (e *Env) closeRuns() error {
	if e.runs == nil {
		if err := e.openRuns(); err != nil {
			return err
		}
	}
	rw := e.runs
	e.runs = nil
	if err := rw.w.Flush(); err != nil {
		rw.f.Close()
		return err
	}
	return rw.f.Close()
}

// writeSummary writes summary.json: the settings, every cell, the rows of
// tables.json and the verdicts.
func (e *Env) writeSummary() error {
	cells, tables, verdicts := e.cells, e.tables, e.verdicts
	if cells == nil {
		cells = []cellRecord{}
	}
	if tables == nil {
		tables = []tableRow{}
	}
	if verdicts == nil {
		verdicts = []verdict{}
	}
	return e.WriteJSON("summary.json", struct {
		Runs     int          `json:"runs"`
		Iters    int          `json:"iters"`
		Seed     uint64       `json:"seed"`
		Cells    []cellRecord `json:"cells"`
		Tables   []tableRow   `json:"tables"`
		Verdicts []verdict    `json:"verdicts"`
	}{e.Runs, e.Iters, e.Seed, cells, tables, verdicts})
}

// mdTable formats a markdown table.
func mdTable(header []string, rows [][]string) string {
	var b strings.Builder
	hs := make([]string, len(header))
	for i, h := range header {
		hs[i] = mdEscape(h)
	}
	b.WriteString("| " + strings.Join(hs, " | ") + " |\n|")
	for range header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = mdEscape(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

// mdEscape escapes the pipes of a table cell, which would otherwise split it.
func mdEscape(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// g4 formats v with 4 significant digits, "—" when it is not finite.
func g4(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// pm formats v ± se.
func pm(v, se float64) string {
	if math.IsNaN(se) || se == 0 {
		return g4(v)
	}
	return g4(v) + " ± " + strconv.FormatFloat(se, 'g', 2, 64)
}

// frac formats a fraction of runs as a percentage.
func frac(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", 100*v)
}

// cellTable formats cell records as a markdown table.
func cellTable(cells []cellRecord) string {
	var rows [][]string
	for _, c := range cells {
		lr := c.LRLabel
		if c.LROf != "" {
			lr = fmt.Sprintf("%s·%s", g4(float64(c.LRFactor)), c.LROf)
		}
		rows = append(rows, []string{
			strconv.Itoa(c.Model), c.Batch.String(), c.Minimizer, g4(float64(c.Radius)), lr, g4(float64(c.LR)),
			g4(float64(c.Convergence)), g4(float64(c.Divergence)),
			frac(float64(c.Escaped)), frac(float64(c.Grew)), frac(float64(c.Converged)),
			pm(float64(c.GrowthMS), float64(c.GrowthMSStderr)), pm(float64(c.GrowthStep), float64(c.GrowthStepSE)),
			g4(float64(c.GrowthLo)), g4(float64(c.GrowthHi)),
			g4(float64(c.GrowthRunMedian)), strconv.Itoa(c.GrowthWindow),
		})
	}
	return mdTable([]string{"model", "k", "minimizer", "radius", "lr", "C", "u", "l", "escaped", "grew", "converged",
		"growth_ms", "growth_step", "growth_lo", "growth_hi", "run median", "window"}, rows)
}

// The verdict rules, per cell (u and l are the cell's convergence and
// divergence thresholds at its k, homogeneous formulas (18)–(19)/(51)–(52)):
//
//   - Question 1, divergence (cells with C > l): held when at least half of
//     the runs ended at least twice as far from x* as they started.
//   - Question 2, convergence (cells with C < u): held when no run escaped
//     and, at a homogeneous minimizer, at least half of the runs ended closer
//     than they started (at an inhomogeneous one a constant step gives
//     stability, not convergence: Remark 2).
//   - Question 3, exponential divergence (cells with C > l and at least 3
//     steps before any run touches the box): held when the mean of e_N grows
//     (growth_ms > 1) and log mean e_N is linear in N (R² ≥ 0.9). Beside it:
//     whether growth_step (the mean one-step ratio e_{n+1}/e_n, the unbiased
//     estimate) lies in [ρ_lo, ρ_hi] within two standard errors (Lemma 3.7;
//     a guarantee only at a homogeneous minimizer).
func judge(section, scope string, cells []cellRecord, homogeneous bool) (string, []verdict) {
	type q struct {
		name      string
		family    func(c cellRecord) bool // the cells the question is about
		about     string                  // those cells, in words
		testable  func(c cellRecord) bool // nil: every cell of the family
		untested  string                  // why the others could not be tested
		held      func(c cellRecord) bool
		why       func(c cellRecord) string // what failed, for the list
		held2     func(c cellRecord) bool   // optional second count
		held2Name string
	}
	above := func(c cellRecord) bool { return float64(c.LR) > float64(c.Divergence) }
	below := func(c cellRecord) bool { return float64(c.LR) < float64(c.Convergence) }
	qs := []q{
		{name: "1. divergence above l", family: above, about: "cells with C > l",
			held: func(c cellRecord) bool { return c.Grew >= 0.5 },
			why:  func(c cellRecord) string { return "grew " + frac(float64(c.Grew)) }},
		{name: "2. convergence/stability below u", family: below, about: "cells with C < u",
			held: func(c cellRecord) bool {
				return c.Escaped == 0 && (!homogeneous || c.Converged >= 0.5)
			},
			why: func(c cellRecord) string {
				if homogeneous {
					return "escaped " + frac(float64(c.Escaped)) + ", converged " + frac(float64(c.Converged))
				}
				return "escaped " + frac(float64(c.Escaped))
			}},
		{name: "3. exponential divergence above l", family: above, about: "cells with C > l",
			testable: func(c cellRecord) bool { return c.GrowthWindow >= 3 },
			untested: "had a growth window under 3 steps",
			held:     func(c cellRecord) bool { return c.GrowthMS > 1 && c.GrowthMSR2 >= 0.9 },
			why: func(c cellRecord) string {
				return "growth_ms " + g4(float64(c.GrowthMS)) + ", R² " + strconv.FormatFloat(float64(c.GrowthMSR2), 'f', 2, 64)
			},
			held2: func(c cellRecord) bool {
				se := float64(c.GrowthStepSE)
				if math.IsNaN(se) {
					se = 0
				}
				// 1e-9 relative: gradient descent's ratio equals ρ_lo = ρ_hi
				// up to rounding, with a zero standard error.
				tol := 2*se + 1e-9*math.Abs(float64(c.GrowthStep))
				return float64(c.GrowthStep)+tol >= float64(c.GrowthLo) && float64(c.GrowthStep)-tol <= float64(c.GrowthHi)
			},
			held2Name: "growth_step within [ρ_lo, ρ_hi] ± 2 s.e."},
	}
	var b strings.Builder
	var out []verdict
	for _, qq := range qs {
		var nf, n, held, held2 int
		var failed []string
		for _, c := range cells {
			if !qq.family(c) {
				continue
			}
			nf++
			if qq.testable != nil && !qq.testable(c) {
				continue
			}
			n++
			if qq.held(c) {
				held++
			} else {
				failed = append(failed, cellName(c)+": "+qq.why(c))
			}
			if qq.held2 != nil && qq.held2(c) {
				held2++
			}
		}
		v := verdictText(held, n, nf, qq.about, qq.untested, failed)
		if qq.held2 != nil && n > 0 {
			v += fmt.Sprintf(" (%s: %d of %d)", qq.held2Name, held2, n)
		}
		out = append(out, verdict{Section: section, Scope: scope, Question: qq.name, Held: held, Cells: n, Family: nf, Verdict: v})
		fmt.Fprintf(&b, "- **Question %s** (%s): %s.\n", qq.name, scope, v)
	}
	return b.String(), out
}

// verdictText words a verdict so that it claims no more than the evidence:
// held of n testable cells, out of the nf cells (described by about) the
// question is about; untested says why the other nf − n could not be tested.
func verdictText(held, n, nf int, about, untested string, failed []string) string {
	var where string
	switch {
	case nf == 0:
		return "no cell tests it (no " + strings.TrimPrefix(about, "cells ") + ")"
	case n == 0:
		return fmt.Sprintf("not tested: all %d %s %s", nf, about, untested)
	case n == nf:
		where = fmt.Sprintf("%d %s (every one testable)", nf, about)
	default:
		where = fmt.Sprintf("%d testable cells (%d of %d %s %s and could not be tested)", n, nf-n, nf, about, untested)
	}
	switch {
	case held == n:
		return "held in all " + where
	case held == 0:
		return "did not hold in any of " + where
	}
	return fmt.Sprintf("held in %d of %s; did not hold in: %s", held, where, strings.Join(limitList(failed, 12), "; "))
}

func cellName(c cellRecord) string {
	s := fmt.Sprintf("model %d %s k=%s C=%s", c.Model, c.Minimizer, c.Batch, g4(float64(c.LR)))
	if c.Section == "section5" {
		s += fmt.Sprintf(" r=%s (%s)", g4(float64(c.Radius)), c.LRLabel)
	}
	return s
}

func limitList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(s[:n:n], fmt.Sprintf("… and %d more", len(s)-n))
}

// reportVerdicts adds the collected verdicts as the first part of REPORT.md.
func (e *Env) reportVerdicts() {
	if len(e.verdicts) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("The paper's three questions — (1) is the predicted divergence threshold valid, (2) is the convergence " +
		"threshold valid, (3) is divergence exponential — answered cell by cell on our models. u and l are this " +
		"library's convergence and divergence thresholds (homogeneous formulas (18)–(19) with the Monte Carlo geometry) " +
		"at the cell's batch size. The rules:\n\n" +
		"- (1) applies to cells with C > l and holds when at least half of the runs end at least twice as far from x* as they started.\n" +
		"- (2) applies to cells with C < u and holds when no run escaped and, at a homogeneous minimizer (Section 4), " +
		"at least half of the runs end closer than they started (a constant step at an inhomogeneous minimizer gives " +
		"stability, not convergence: Remark 2).\n" +
		"- (3) is about cells with C > l but can be tested only in those with a growth window of at least 3 steps (the " +
		"iterations before any run touches the box or, in Section 4, leaves B(x*, ε)); it holds when the mean of e_N grows " +
		"(growth_ms > 1) and log mean e_N is linear in N (R² ≥ 0.9); beside it, how often growth_step lies in " +
		"[ρ_lo, ρ_hi] within two standard errors (Lemma 3.7).\n\n")
	var rows [][]string
	for _, v := range e.verdicts {
		rows = append(rows, []string{v.Section, v.Scope, v.Question, fmt.Sprintf("%d/%d", v.Held, v.Cells),
			fmt.Sprintf("%d of %d", v.Cells, v.Family), v.Verdict})
	}
	b.WriteString("*held* counts the cells where the prediction held among those where it could be tested; *tested* " +
		"gives those among the cells the question is about.\n\n")
	b.WriteString(mdTable([]string{"section", "cells", "question", "held", "tested", "verdict"}, rows))
	e.Report(5, "Verdicts", b.String())
}
