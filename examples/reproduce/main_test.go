package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tinyEnv is a configuration small enough for a test: few runs, iterations
// and Monte Carlo points.
func tinyEnv(t *testing.T, workers int) *Env {
	return &Env{Out: t.TempDir(), Runs: 3, Iters: 4, Seed: 7, Workers: workers, Log: io.Discard,
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
	if strings.Join(recs[0], ",") != strings.Join(tablesHeader, ",") || len(recs) != len(tabs)+1 {
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
	for _, s := range []string{"## Verdicts", "Table 2", "Table 5", "ε-sensitivity", "![Figure 3](figure3.png)", "![Figure 12](figure12.png)"} {
		if !bytes.Contains(report, []byte(s)) {
			t.Errorf("REPORT.md lacks %q", s)
		}
	}
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
