package main

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
)

// cellRecord is one object of summary.json's "cells": one cell of an
// experiment grid and its statistics (fractions of runs; growth factors per
// step; see stability.CellStats for the definitions).
type cellRecord struct {
	Section         string
	Model           int
	Batch           Batch
	Minimizer       string
	Radius          Num
	LR              Num
	LRLabel         string
	LRFactor        Num    // scaled grid: the multiple of LROf
	LROf            string // scaled grid: "u" or "l"
	Runs            int
	Escaped         Num
	Grew            Num
	Converged       Num
	GrowthMS        Num
	GrowthMSStderr  Num
	GrowthMSR2      Num
	GrowthStep      Num
	GrowthStepSE    Num
	GrowthLo        Num
	GrowthHi        Num
	GrowthRunMedian Num
	GrowthWindow    int
	EscapeRadius    Num
	Convergence     Num // u at this k (homogeneous formula)
	Divergence      Num // l at this k (homogeneous formula)
}

// newCellRecord fills the statistics of a record from st.
func newCellRecord(section string, model int, k int, minimizer string, radius, lr float64, label string, st stability.CellStats, u, l, escape float64) cellRecord {
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
	Table             tableID
	Model             int
	Minimizer         string
	K                 Batch
	KLabel            string // "1", "0.99kmax", "2kmax", "inf", or the integer
	Eps               Num
	Convergence       Num
	Divergence        Num
	InhomConvergence  Num
	InhomDivergence   Num
	ConvergenceStderr Num
	DivergenceStderr  Num
	PaperConvergence  Num
	PaperDivergence   Num
	M                 int
}

// verdict answers one of the paper's three questions for one section.
type verdict struct {
	Section  string
	Scope    string // the cells it covers, e.g. "quadratic minimizer"
	Question string
	Held     int // cells where the prediction held
	Cells    int // cells where the question could be tested
	// Family is the number of cells the question is about (for example
	// every cell with C > l), of which Cells could be tested.
	Family  int
	Verdict string
	// Detail lists the cells where the prediction did not hold.
	Detail string
}

// runsWriter streams runs.csv.gz or runs.csv (long format: one line per
// run and iterate).
type runsWriter struct {
	f  *outFile
	gz *gzip.Writer // nil for a plain runs.csv
	w  *bufio.Writer
	b  []byte
}

// runsFile returns the name of the runs file for the -runs-csv mode
// ("gz", the default, "plain" or "none"), "" for none.
func runsFile(mode string) string {
	switch mode {
	case "plain":
		return "runs.csv"
	case "none":
		return ""
	}
	return "runs.csv.gz"
}

// addRuns appends the distances of one cell to the runs file: dist[run][iter]
// to the cell's minimizer and, when other is not nil, other[run][iter] to
// the other minimizer. Distances are written with 8 significant digits to
// keep the file small (they are for plots; the statistics use full
// precision). With -runs-csv none it does nothing.
func (e *Env) addRuns(section string, model, k int, minimizer string, radius float64, label string, lr float64, dist, other [][]float64) error {
	if runsFile(e.RunsCSV) == "" {
		return nil
	}
	if e.runs == nil {
		if err := e.openRuns(); err != nil {
			return err
		}
	}
	rw := e.runs
	// The order of runsColumns.
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
	name := runsFile(e.RunsCSV)
	f, err := e.Create(name)
	if err != nil {
		return err
	}
	rw := &runsWriter{f: f}
	if strings.HasSuffix(name, ".gz") {
		rw.gz = gzip.NewWriter(f)
		rw.w = bufio.NewWriterSize(rw.gz, 1<<20)
	} else {
		rw.w = bufio.NewWriterSize(f, 1<<20)
	}
	e.runs = rw
	var names []string
	for _, c := range runsColumns {
		names = append(names, c.Name)
	}
	_, err = rw.w.WriteString(strings.Join(names, ",") + "\n")
	return err
}

// closeRuns finishes the runs file (writing just its header when no section
// recorded runs).
func (e *Env) closeRuns() error {
	if runsFile(e.RunsCSV) == "" {
		return nil
	}
	if e.runs == nil {
		if err := e.openRuns(); err != nil {
			return err
		}
	}
	rw := e.runs
	e.runs = nil
	err := rw.w.Flush()
	if rw.gz != nil && err == nil {
		err = rw.gz.Close()
	}
	if err != nil {
		rw.f.Close()
		return err
	}
	return rw.f.Close()
}

// writeSummary writes summary.json (the settings, every cell, the rows of
// tables.json and the verdicts), cells.csv and verdicts.csv.
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
	var cellRows, verdictRows [][]string
	for _, c := range cells {
		cellRows = append(cellRows, cellColumns.csv(c))
	}
	for _, v := range verdicts {
		verdictRows = append(verdictRows, verdictColumns.csv(v))
	}
	if err := e.WriteCSV("cells.csv", cellColumns.header(), cellRows); err != nil {
		return err
	}
	if err := e.WriteCSV("verdicts.csv", verdictColumns.header(), verdictRows); err != nil {
		return err
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

// frac formats a fraction of runs on the 0–1 scale of the whole report.
func frac(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// The parts of REPORT.md, in reading order. A section adds its part with
// Env.Report(order, …).
const (
	orderSummary  = 5  // summary of the verdicts
	orderSection2 = 20 // §2, Figure 3
	orderTables   = 30 // Tables 2–5 and the ε-sensitivity table
	orderSection4 = 40 // §4, Figures 4–8
	orderSection5 = 50 // §5, Figures 9–12
	orderBeyond   = 60 // beyond the paper: exact, almost-sure and measured thresholds
	// orderModels is the place of the models section (learned and
	// user-supplied problems), after the paper and the comparisons.
	orderModels   = 70
	orderAppendix = 90 // verdict details, files
)

// The verdict rules, per cell (u and l are the cell's convergence and
// divergence thresholds at its k, homogeneous formulas (18)–(19)/(51)–(52)):
//
//   - Question 1, divergence (cells with C > l): held when at least half of
//     the runs ended at least twice as far from x* as they started.
//   - Question 2, convergence (cells with C < u): held when no run escaped,
//     fewer than half of the runs ended at least twice as far from x* as
//     they started, and, at a homogeneous minimizer, at least half of the
//     runs ended closer than they started (at an inhomogeneous one a
//     constant step gives stability, not convergence: Remark 2).
//   - Question 3, exponential divergence (cells with C > l and at least 3
//     steps before any run touches the box): held when the mean of e_N grows
//     (growth_ms > 1) and log mean e_N is linear in N (R² ≥ 0.9). Beside it:
//     whether growth_step (the mean one-step ratio e_{n+1}/e_n, the unbiased
//     estimate) lies in [ρ_lo, ρ_hi] within two standard errors (Lemma 3.7;
//     a guarantee only at a homogeneous minimizer).
//
// judge returns one verdict per question: a short Verdict and, in Detail,
// the cells where the prediction did not hold.
func judge(section, scope string, cells []cellRecord, homogeneous bool) []verdict {
	type q struct {
		name      string
		family    func(c cellRecord) bool // the cells the question is about
		about     string                  // those cells, in words
		testable  func(c cellRecord) bool // nil: every cell of the family
		untested  string                  // why the others could not be tested
		held      func(c cellRecord) bool
		why       func(c cellRecord) string // what failed, for the detail
		held2     func(c cellRecord) bool   // optional second count
		held2Name string
		extra     func(cs []cellRecord) string // optional statistic over the family
	}
	above := func(c cellRecord) bool { return float64(c.LR) > float64(c.Divergence) }
	below := func(c cellRecord) bool { return float64(c.LR) < float64(c.Convergence) }
	qs := []q{
		{name: "1. divergence above l", family: above, about: "cells with C > l",
			held: func(c cellRecord) bool { return c.Grew >= 0.5 },
			why:  func(c cellRecord) string { return "grew " + frac(float64(c.Grew)) }},
		{name: "2. convergence/stability below u", family: below, about: "cells with C < u",
			held: func(c cellRecord) bool {
				return c.Escaped == 0 && c.Grew < 0.5 && (!homogeneous || c.Converged >= 0.5)
			},
			why: func(c cellRecord) string {
				s := "escaped " + frac(float64(c.Escaped)) + ", grew " + frac(float64(c.Grew))
				if homogeneous {
					s += ", converged " + frac(float64(c.Converged))
				}
				return s
			},
			extra: func(cs []cellRecord) string {
				n := 0
				for _, c := range cs {
					if c.Grew >= 0.5 {
						n++
					}
				}
				return fmt.Sprintf("≥ 0.5 of runs ended ≥ 2× farther: %d of %d cells", n, len(cs))
			}},
		{name: "3. exponential divergence above l", family: above, about: "cells with C > l",
			testable: func(c cellRecord) bool { return c.GrowthWindow >= 3 },
			untested: "untestable: growth window < 3 steps",
			held:     func(c cellRecord) bool { return c.GrowthMS > 1 && c.GrowthMSR2 >= 0.9 },
			why: func(c cellRecord) string {
				return "growth_ms " + g4(float64(c.GrowthMS)) + ", R² " + strconv.FormatFloat(float64(c.GrowthMSR2), 'f', 2, 64)
			},
			held2:     growthInBounds,
			held2Name: "ratio in Lemma 3.7's bounds"},
	}
	var out []verdict
	for _, qq := range qs {
		var nf, n, held, held2 int
		var failed []string
		var fam []cellRecord
		for _, c := range cells {
			if !qq.family(c) {
				continue
			}
			nf++
			fam = append(fam, c)
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
		v := verdictText(held, n, nf, qq.about, qq.untested)
		if qq.held2 != nil && n > 0 {
			v += fmt.Sprintf("; %s: %d of %d", qq.held2Name, held2, n)
		}
		if qq.extra != nil && nf > 0 {
			v += "; " + qq.extra(fam)
		}
		detail := ""
		if len(failed) > 0 {
			detail = "did not hold in: " + strings.Join(limitList(failed, 12), "; ")
		}
		out = append(out, verdict{Section: section, Scope: scope, Question: qq.name, Held: held, Cells: n, Family: nf, Verdict: v, Detail: detail})
	}
	return out
}

// growthInBounds reports whether growth_step lies in [ρ_lo, ρ_hi] within two
// standard errors (Lemma 3.7).
func growthInBounds(c cellRecord) bool {
	se := float64(c.GrowthStepSE)
	if math.IsNaN(se) {
		se = 0
	}
	// 1e-9 relative: gradient descent's ratio equals ρ_lo = ρ_hi up to
	// rounding, with a zero standard error.
	tol := 2*se + 1e-9*math.Abs(float64(c.GrowthStep))
	return float64(c.GrowthStep)+tol >= float64(c.GrowthLo) && float64(c.GrowthStep)-tol <= float64(c.GrowthHi)
}

// verdictText words a verdict so that it claims no more than the evidence:
// held of n testable cells, out of the nf cells (described by about) the
// question is about; untested says why the other nf − n could not be tested.
func verdictText(held, n, nf int, about, untested string) string {
	var where string
	switch {
	case nf == 0:
		return "no cell tests it (no " + strings.TrimPrefix(about, "cells ") + ")"
	case n == 0:
		return fmt.Sprintf("not tested: all %d %s %s", nf, about, untested)
	case n == nf:
		where = fmt.Sprintf("%d %s", nf, about)
	default:
		where = fmt.Sprintf("%d testable cells (%d of %d %s %s)", n, nf-n, nf, about, untested)
	}
	switch {
	case held == n:
		return "held in all " + where
	case held == 0:
		return "did not hold in any of " + where
	}
	return fmt.Sprintf("held in %d of %s", held, where)
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
	return append(s[:n:n], fmt.Sprintf("… and %d more (verdicts.csv, cells.csv)", len(s)-n))
}

// reportVerdicts adds the summary of the verdicts (the first part of
// REPORT.md) and the appendix with their details.
func (e *Env) reportVerdicts() {
	if len(e.verdicts) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("The paper asks (1) is the divergence threshold l valid, (2) is the convergence threshold u valid, " +
		"(3) is divergence exponential. Each is answered cell by cell on our models; u and l are our thresholds " +
		"((18)–(19) with the Monte Carlo geometry) at the cell's batch size k. Fractions of runs are on a 0–1 scale " +
		"throughout this report and its data. Rules:\n\n" +
		"- (1), cells with C > l: held when at least 0.5 of the runs end at least 2× as far from x* as they started.\n" +
		"- (2), cells with C < u: held when no run escaped and fewer than 0.5 of the runs end at least 2× as far " +
		"from x* as they started, and, at a homogeneous minimizer (Section 4), at least 0.5 end closer than they " +
		"started (at an inhomogeneous one a constant step gives stability, not convergence: Remark 2).\n" +
		"- (3), cells with C > l and a growth window of at least 3 steps: held when the mean of e_N grows " +
		"(growth_ms > 1) and log mean e_N is linear in N (R² ≥ 0.9); beside it, how often the one-step ratio lies " +
		"in Lemma 3.7's [ρ_lo, ρ_hi].\n\n")
	var rows [][]string
	var details strings.Builder
	for i, v := range e.verdicts {
		note := ""
		if v.Detail != "" {
			note = fmt.Sprintf(" (see [V%d](#verdict-details))", i+1)
			fmt.Fprintf(&details, "- **V%d** (%s, %s, question %s): %s.\n", i+1, v.Section, v.Scope, v.Question, v.Detail)
		}
		rows = append(rows, []string{fmt.Sprintf("V%d", i+1), v.Section, v.Scope, v.Question,
			fmt.Sprintf("%d/%d", v.Held, v.Cells), v.Verdict + note})
	}
	b.WriteString(mdTable([]string{"", "section", "cells", "question", "held/tested", "verdict"}, rows))
	b.WriteString("\nThe caveats that qualify these counts are stated where the numbers appear: the calibration of the " +
		"quadratic-circle models (Tables 2–3), the circular minimizer's growth against Lemma 3.7 (Section 4), the " +
		"rule of question 2 at the Styblinski–Tang minimizers (Section 5).\n")
	e.Report(orderSummary, "Summary of verdicts", b.String())

	var a strings.Builder
	a.WriteString("### Verdict details\n\n")
	if details.Len() == 0 {
		a.WriteString("Every prediction held where it was tested.\n")
	} else {
		a.WriteString(details.String())
	}
	a.WriteString("\nEvery cell with its statistics: [cells.csv](cells.csv); every verdict: [verdicts.csv](verdicts.csv).\n\n")
	a.WriteString("### Files\n\n")
	a.WriteString("[DATA.md](DATA.md) lists every file written beside this report, its columns, units and the meaning of " +
		"empty, `null` and `\"inf\"`. The per-iterate distances of every run are in " + e.runsLink() + ".\n")
	e.Report(orderAppendix, "Appendix", a.String())
}

// runsLink names the runs file for the report.
func (e *Env) runsLink() string {
	name := runsFile(e.RunsCSV)
	if name == "" {
		return "no file (-runs-csv none)"
	}
	return name + " (gzip-compressed CSV unless -runs-csv plain; pandas and R read it directly)"
}
