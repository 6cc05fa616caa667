package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flatminima/flatminima/thresholds"
)

// tinyEnv is a configuration small enough for a test: few runs, iterations
// and Monte Carlo points.
func tinyEnv(t *testing.T, workers int) *Env {
	return &Env{Out: t.TempDir(), Runs: 3, Iters: 4, Seed: 7, Workers: workers, Log: io.Discard, RunsCSV: "plain",
		start: time.Now(), samples: 40, replicates: 2}
}

func TestRunTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every section of the paper")
	}
	e := tinyEnv(t, 2)
	if err := runSections(e, "tables", "section2", "section4", "section5"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"REPORT.md", "summary.json", "tables.json", "tables.csv", "runs.csv",
		"figure3.png", "figure4.png", "figure5.png", "figure6.png", "figure7.png", "figure8.png",
		"figure9.png", "figure10.png", "figure11.png", "figure12.png"} {
		if fi, err := os.Stat(filepath.Join(e.Out, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}

	// summary.json: cells and tables with the documented fields.
	var sum struct {
		Cells    []map[string]any `json:"cells"`
		Tables   []map[string]any `json:"tables"`
		Verdicts []map[string]any `json:"verdicts"`
	}
	b, err := os.ReadFile(filepath.Join(e.Out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	// Cells: 1 (§2) + 4 models × 2 minimizers × 2 methods × (6 + 10) (§4)
	// + 3 models × 2 minimizers × 4 k × 4 radii × 3 rates (§5).
	if want := 1 + 4*2*2*16 + 3*2*4*4*3; len(sum.Cells) != want {
		t.Errorf("%d cells, want %d", len(sum.Cells), want)
	}
	sections := map[string]int{}
	for _, c := range sum.Cells {
		for _, f := range []string{"section", "model", "batch", "minimizer", "radius", "lr", "lr_label", "runs",
			"escaped", "grew", "converged", "growth_ms", "growth_lo", "growth_hi", "growth_run_median"} {
			if _, ok := c[f]; !ok {
				t.Fatalf("cell %v lacks %q", c, f)
			}
		}
		sections[c["section"].(string)]++
		// batch is an integer or "inf".
		switch k := c["batch"].(type) {
		case float64:
			if k != math.Trunc(k) || k < 1 {
				t.Errorf("batch %v", k)
			}
		case string:
			if k != "inf" {
				t.Errorf("batch %q", k)
			}
		default:
			t.Errorf("batch %v of type %T", k, k)
		}
		if c["section"] == "section5" {
			switch c["lr_label"] {
			case "1.5l", "0.5(u+l)", "0.5u":
			default:
				t.Errorf("section 5 lr_label %v", c["lr_label"])
			}
		}
		if c["section"] == "section4" && c["lr_label"] != "paper" && c["lr_label"] != "scaled" {
			t.Errorf("section 4 lr_label %v", c["lr_label"])
		}
		if c["runs"].(float64) != float64(e.Runs) && c["section"] != "section2" {
			t.Errorf("runs %v", c["runs"])
		}
	}
	if sections["section2"] != 1 || sections["section4"] != 256 || sections["section5"] != 288 {
		t.Errorf("cells per section %v", sections)
	}
	if len(sum.Verdicts) == 0 {
		t.Error("no verdicts")
	}

	// tables.json equals summary.json's tables; every row has the fields,
	// tables 2–5 as numbers and "eps" as a string.
	var tabs []map[string]any
	b, err = os.ReadFile(filepath.Join(e.Out, "tables.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &tabs); err != nil {
		t.Fatal(err)
	}
	if len(tabs) == 0 || len(tabs) != len(sum.Tables) {
		t.Fatalf("%d rows in tables.json, %d in summary.json", len(tabs), len(sum.Tables))
	}
	ids := map[any]int{}
	for _, r := range tabs {
		for _, f := range []string{"table", "model", "minimizer", "k", "eps", "convergence", "divergence",
			"inhom_convergence", "inhom_divergence", "convergence_stderr", "divergence_stderr",
			"paper_convergence", "paper_divergence", "m"} {
			if _, ok := r[f]; !ok {
				t.Fatalf("row %v lacks %q", r, f)
			}
		}
		ids[r["table"]]++
	}
	for _, id := range []any{2.0, 3.0, 4.0, 5.0, "eps"} {
		if ids[id] == 0 {
			t.Errorf("no rows of table %v (have %v)", id, ids)
		}
	}
	// Every entry of the paper's Tables 2–3 appears, with or without ours:
	// for example the circular minimizer's k_max rows of Model 1.
	paperRow := map[string]bool{}
	for _, r := range tabs {
		for _, f := range []string{"paper_convergence", "paper_divergence"} {
			if v, ok := r[f].(float64); ok {
				paperRow[fmt.Sprintf("%v %v %v %v %v", r["table"], r["model"], r["minimizer"], r["k_label"], v)] = true
			}
		}
	}
	for _, w := range []string{"2 1 circular 0.99kmax 3.583e+11", "2 1 circular 2kmax 3.583e+11",
		"3 1 circular 0.99kmax 1.541e+11", "3 1 circular 2kmax 2.013e+11", "3 4 circular 2kmax 8.264e+14"} {
		if !paperRow[w] {
			t.Errorf("tables.json lacks the paper's entry %q", w)
		}
	}

	// tables.csv parses with the documented header and one row per row.
	f, err := os.Open(filepath.Join(e.Out, "tables.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(tableColumns.header(), ",") || len(recs) != len(tabs)+1 {
		t.Errorf("tables.csv header %v, %d records", recs[0], len(recs))
	}

	// runs.csv: the exact header and one line per run and iterate.
	f, err = os.Open(filepath.Join(e.Out, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	const header = "section,model,batch,minimizer,radius,lr_label,lr,run,iter,distance,distance_other"
	if got := strings.Join(recs[0], ","); got != header {
		t.Errorf("runs.csv header %q, want %q", got, header)
	}
	// §2: 1 run; §4 and §5: e.Runs runs; each Iters+1 iterates.
	if want := 1 + (1+(256+288)*e.Runs)*(e.Iters+1); len(recs) != want {
		t.Errorf("runs.csv has %d records, want %d", len(recs), want)
	}
	for _, r := range recs[1:] {
		if r[0] == "section4" && r[10] == "" {
			t.Fatalf("section 4 row without distance_other: %v", r)
		}
		if r[0] == "section5" && r[10] != "" {
			t.Fatalf("section 5 row with distance_other: %v", r)
		}
	}

	report, err := os.ReadFile(filepath.Join(e.Out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## Summary of verdicts", "Table 2", "Table 5", "ε-sensitivity", "![Figure 3](figure3.png)", "![Figure 12](figure12.png)",
		"1.541e+11", "2.013e+11"} {
		if !bytes.Contains(report, []byte(s)) {
			t.Errorf("REPORT.md lacks %q", s)
		}
	}
	checkMarkdownTables(t, string(report))
}

func TestRunWorkersIndependent(t *testing.T) {
	// Same seed, same numbers for any -workers: summary.json and runs.csv
	// are byte-identical for 1 and 3 workers.
	sections := []string{"tables", "section4"}
	if testing.Short() {
		sections = []string{"section2"}
	}
	var outs [2][2][]byte
	for i, w := range []int{1, 3} {
		e := tinyEnv(t, w)
		if err := runSections(e, sections...); err != nil {
			t.Fatal(err)
		}
		for j, name := range []string{"summary.json", "runs.csv"} {
			b, err := os.ReadFile(filepath.Join(e.Out, name))
			if err != nil {
				t.Fatal(err)
			}
			outs[i][j] = b
		}
	}
	for j, name := range []string{"summary.json", "runs.csv"} {
		if !bytes.Equal(outs[0][j], outs[1][j]) {
			t.Errorf("%s differs between 1 and 3 workers", name)
		}
	}
}

func TestRunBadFlags(t *testing.T) {
	for _, tc := range []struct {
		mod  func(e *Env)
		only string
		want string
	}{
		{func(e *Env) { e.Runs = 0 }, "", "-runs"},
		{func(e *Env) { e.Iters = 0 }, "", "-iters"},
		{func(e *Env) { e.Workers = 0 }, "", "-workers"},
		{func(e *Env) {}, "nonsense", "-only"},
	} {
		e := tinyEnv(t, 1)
		tc.mod(e)
		if err := run(e, tc.only); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
}

func TestJSONConventions(t *testing.T) {
	// Non-finite numbers are null, gradient descent's batch is "inf", other
	// batches are numbers, table ids 2–5 are numbers and "eps" a string.
	b, err := json.Marshal(struct {
		A, B, C Num
		K, G    Batch
		T, E    tableID
	}{Num(math.NaN()), Num(math.Inf(1)), Num(1.5), Batch(200), Batch(math.Inf(1)), "4", "eps"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), `{"A":null,"B":null,"C":1.5,"K":200,"G":"inf","T":4,"E":"eps"}`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if csvNum(math.NaN()) != "" || csvNum(math.Inf(-1)) != "" || csvNum(0.25) != "0.25" {
		t.Error("csvNum")
	}
}

// checkMarkdownTables fails t when a row of a markdown table in md has a
// different number of cells (unescaped pipes) than its header.
func checkMarkdownTables(t *testing.T, md string) {
	t.Helper()
	cells := func(line string) int {
		n := 0
		for i := 0; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++ // an escaped character, e.g. \|
			case '|':
				n++
			}
		}
		return n
	}
	want := -1
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		if want < 0 {
			want = cells(line)
			continue
		}
		if got := cells(line); got != want {
			t.Errorf("REPORT.md line %d has %d pipes, its table's header %d: %q", i+1, got, want, line)
		}
	}
}

func TestSection2Record(t *testing.T) {
	e := tinyEnv(t, 1)
	e.Iters = 20
	if err := runSections(e, "section2"); err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Cells    []map[string]any `json:"cells"`
		Verdicts []verdict        `json:"verdicts"`
	}
	b, err := os.ReadFile(filepath.Join(e.Out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	if len(sum.Cells) != 1 {
		t.Fatalf("%d cells", len(sum.Cells))
	}
	c := sum.Cells[0]
	// |x_20| = 1.2^20 ≈ 38: there is no escape test, so escaped is null
	// (not 0), and the run grew.
	if v, ok := c["escaped"]; !ok || v != nil {
		t.Errorf("escaped = %v (present %v), want null", v, ok)
	}
	if v := c["escape_radius"]; v != nil {
		t.Errorf("escape_radius = %v, want null", v)
	}
	if c["grew"] != 1.0 || c["minimizer"] != "origin" {
		t.Errorf("grew %v, minimizer %v", c["grew"], c["minimizer"])
	}
	if len(sum.Verdicts) != 1 || sum.Verdicts[0].Held != 1 || sum.Verdicts[0].Cells != 1 || sum.Verdicts[0].Family != 1 {
		t.Errorf("verdicts %+v", sum.Verdicts)
	}
	report, err := os.ReadFile(filepath.Join(e.Out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	checkMarkdownTables(t, string(report))
	if !strings.Contains(string(report), `named "origin"`) {
		t.Error("REPORT.md does not explain the minimizer name origin")
	}
}

func TestMarkdownEscapesPipes(t *testing.T) {
	md := mdTable([]string{"a", "|x|"}, [][]string{{"1", "|y| = 2"}})
	checkMarkdownTables(t, md)
	if !strings.Contains(md, `\|y\| = 2`) {
		t.Errorf("cell not escaped: %s", md)
	}
}

// qcTestEntry returns a quadratic-circle-like entry with eigenvalues 10 ≥ 1
// (or 10 alone) and the given s and t: k_div = s/10, k_conv = t/10.
func qcTestEntry(t *testing.T, eigs []float64, s, tt float64) *geoEntry {
	g, err := thresholds.NewGeometry(eigs, s, tt)
	if err != nil {
		t.Fatal(err)
	}
	return &geoEntry{g: g}
}

func TestQCRowsKmax(t *testing.T) {
	key := geoKey{"qc", 1, "circular", paperEps}
	type want struct {
		label string
		k     float64 // NaN: undefined
		ours  bool    // our threshold present
	}
	check := func(name string, rows []tableRow, div bool, ws []want, paper [4]float64) {
		t.Helper()
		if len(rows) != len(ws) {
			t.Fatalf("%s: %d rows, want %d", name, len(rows), len(ws))
		}
		col := map[string]int{"1": 0, "0.99kmax": 1, "2kmax": 2, "inf": 3}
		for i, r := range rows {
			w := ws[i]
			v, pv := float64(r.Convergence), float64(r.PaperConvergence)
			if div {
				v, pv = float64(r.Divergence), float64(r.PaperDivergence)
			}
			k := float64(r.K)
			if r.KLabel != w.label || !(k == w.k || math.IsNaN(k) && math.IsNaN(w.k)) {
				t.Errorf("%s row %d: k %v (%s), want %v (%s)", name, i, k, r.KLabel, w.k, w.label)
			}
			if ours := !math.IsNaN(v); ours != w.ours {
				t.Errorf("%s row %s: ours %v, want present = %v", name, w.label, v, w.ours)
			}
			if p := paper[col[w.label]]; !(pv == p || math.IsNaN(pv) && math.IsNaN(p)) {
				t.Errorf("%s row %s: paper %v, want %v", name, w.label, pv, p)
			}
			// CSV: our value empty when absent, the paper's written.
			rec := tableColumns.csv(r)
			ci, pi := 6, 12
			if div {
				ci, pi = 7, 13
			}
			if (rec[ci] == "") == w.ours || (rec[pi] == "") != math.IsNaN(pv) {
				t.Errorf("%s row %s: csv %v", name, w.label, rec)
			}
		}
	}
	p2, p3 := paperTable2["circular"][0], paperTable3["circular"][0]
	inf := math.Inf(1)

	// The circular minimizer's case: k_div ≈ 0.22 gives k_max = 0 and
	// k_conv ≈ 0.85 gives k_max = 1. Every paper entry still appears
	// (1.541e11 and 2.013e11 among them); ours only where k ≥ 1, and 2·k_max
	// = 2 is gated apart from 0.99·k_max = 0.99.
	ent := qcTestEntry(t, []float64{10, 1}, 2.2, 8.5)
	r2, r3, n2, n3 := ent.qcRows(key)
	check("k_div 0.22", r2, true, []want{{"1", 1, true}, {"0.99kmax", 0, false}, {"2kmax", 0, false}, {"inf", inf, true}}, p2)
	check("k_conv 0.85", r3, false, []want{{"1", 1, true}, {"0.99kmax", 0.99, false}, {"2kmax", 2, true}, {"inf", inf, true}}, p3)
	if !strings.Contains(n2, "k_div = 0.22") || !strings.Contains(n3, "k_conv = 0.85") {
		t.Errorf("notes %q, %q", n2, n3)
	}
	if float64(r3[1].PaperConvergence) != 1.541e11 || float64(r3[2].PaperConvergence) != 2.013e11 {
		t.Errorf("paper's Table 3 k_max entries %v, %v", r3[1].PaperConvergence, r3[2].PaperConvergence)
	}
	note := absentNote("k_div", "the largest integer smaller than k_div", []string{n2})
	if !strings.Contains(note, "not a batch size ≥ 1") {
		t.Errorf("note %q", note)
	}

	// k_div = 1.5: k_max = 1, so 0.99·k_max is absent but 2·k_max = 2 is a
	// row of ours; k_conv = 3.5 rounds to 4: both rows ours, no note.
	ent = qcTestEntry(t, []float64{10, 1}, 15, 35)
	r2, r3, n2, n3 = ent.qcRows(key)
	check("k_div 1.5", r2, true, []want{{"1", 1, true}, {"0.99kmax", 0.99, false}, {"2kmax", 2, true}, {"inf", inf, true}}, p2)
	check("k_conv 3.5", r3, false, []want{{"1", 1, true}, {"0.99kmax", 3.96, true}, {"2kmax", 8, true}, {"inf", inf, true}}, p3)
	if n2 == "" || n3 != "" {
		t.Errorf("notes %q, %q", n2, n3)
	}

	// m = 1 (the quadratic minimizer): k_div undefined. At the quadratic
	// minimizer the paper has no k_max entries: rows 1 and ∞ only. At a
	// circular one the paper's entries appear with k null.
	ent = qcTestEntry(t, []float64{10}, 50, 60)
	qkey := geoKey{"qc", 1, "quadratic", paperEps}
	r2, _, n2, _ = ent.qcRows(qkey)
	check("quadratic m=1", r2, true, []want{{"1", 1, true}, {"inf", inf, true}}, paperTable2["quadratic"][0])
	if n2 != "" {
		t.Errorf("note %q without an absent row", n2)
	}
	r2, _, n2, _ = ent.qcRows(key)
	check("circular m=1", r2, true, []want{{"1", 1, true}, {"0.99kmax", nan, false}, {"2kmax", nan, false}, {"inf", inf, true}}, p2)
	if tableColumns.csv(r2[1])[3] != "" || n2 == "" {
		t.Errorf("undefined k: csv k %q, note %q", tableColumns.csv(r2[1])[3], n2)
	}
}

func TestJudgeCountsTestableCells(t *testing.T) {
	// 96 cells above l (C = 2, l = 1), of which 6 have a growth window of
	// 3 steps and grow exponentially; 90 have a window of 1. Question 3
	// must say it held in the 6 testable cells, not in "all cells".
	var cells []cellRecord
	for i := range 96 {
		c := cellRecord{Section: "section5", LR: 2, Divergence: 1, Convergence: 0.5, Grew: 1, Escaped: 1,
			GrowthMS: 2, GrowthMSR2: 1, GrowthStep: 2, GrowthStepSE: 0.1, GrowthLo: 1.5, GrowthHi: 2.5, GrowthWindow: 1}
		if i < 6 {
			c.GrowthWindow = 3
		}
		cells = append(cells, c)
	}
	// 10 cells below u, 2 of them with an escape.
	for i := range 10 {
		c := cellRecord{Section: "section5", LR: 0.1, Divergence: 1, Convergence: 0.5}
		if i < 2 {
			c.Escaped = 0.5
		}
		cells = append(cells, c)
	}
	vs := judge("section5", "all cells", cells, false)
	if len(vs) != 3 {
		t.Fatalf("%d verdicts", len(vs))
	}
	for i, w := range []struct {
		held, cells, family int
		text                string
	}{
		{96, 96, 96, "held in all 96 cells with C > l"},
		{8, 10, 10, "held in 8 of 10 cells with C < u"},
		{6, 6, 96, "held in all 6 testable cells (90 of 96 cells with C > l untestable: growth window < 3 steps)"},
	} {
		v := vs[i]
		if v.Held != w.held || v.Cells != w.cells || v.Family != w.family || !strings.HasPrefix(v.Verdict, w.text) {
			t.Errorf("question %d: %+v, want held %d/%d of %d, %q", i+1, v, w.held, w.cells, w.family, w.text)
		}
		if (v.Held < v.Cells) != strings.HasPrefix(v.Detail, "did not hold in: ") {
			t.Errorf("question %d: detail %q", i+1, v.Detail)
		}
	}
	// No testable cell: not "held".
	for i := range cells {
		cells[i].GrowthWindow = 0
	}
	vs = judge("section5", "all cells", cells, false)
	if got := vs[2].Verdict; got != "not tested: all 96 cells with C > l untestable: growth window < 3 steps" {
		t.Errorf("untestable question 3: %q", got)
	}
}
