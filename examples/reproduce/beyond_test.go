package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// beyondTiny shrinks the section's Monte Carlo sizes for the duration of a
// test (the program's sizes are beyondDefault).
func beyondTiny(t *testing.T) {
	t.Helper()
	old := beyondSize
	beyondSize = beyondSizes{iters: 20, grid: 3, gridRuns: 2, lyapReplicates: 2, lyapSteps: 60, lyapBurn: 10}
	if testing.Short() {
		beyondSize.grid, beyondSize.lyapSteps = 2, 40
	}
	t.Cleanup(func() { beyondSize = old })
}

// beyondEnv is a tiny configuration: 4 escape runs per probe.
func beyondEnv(t *testing.T, workers int) *Env {
	return &Env{Out: t.TempDir(), Runs: 4, Iters: 5, Seed: 3, Workers: workers, Log: io.Discard, start: time.Now()}
}

// TestBeyondSection runs the "beyond" section with tiny sizes and checks its
// files: comparison.csv and comparison.json exist and parse, have the output
// conventions (JSON null for a non-finite number, "inf" for k = ∞, empty CSV
// cells), hold 5 cases × 5 batch sizes, and every row has Patel's
// convergence bound ≤ the exact C*(k) ≤ Patel's divergence bound (Theorem
// 3.8 applied to the linearization; a relative 1e-9 for rounding); the
// phase diagrams exist; REPORT.md states the section's own iteration
// budget. -workers 1 and 2 give byte-identical comparison.csv and .json.
func TestBeyondSection(t *testing.T) {
	beyondTiny(t)
	var csvs, jsons [2][]byte
	for i, w := range []int{1, 2} {
		e := beyondEnv(t, w)
		if err := runSections(e, "beyond"); err != nil {
			t.Fatal(err)
		}
		var err error
		if csvs[i], err = os.ReadFile(filepath.Join(e.Out, "comparison.csv")); err != nil {
			t.Fatal(err)
		}
		if jsons[i], err = os.ReadFile(filepath.Join(e.Out, "comparison.json")); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			continue
		}
		for _, c := range []string{"beyond_qc1_quadratic.png", "beyond_st1_sharpest.png", "beyond_st1_flattest.png",
			"beyond_gaussian.png", "beyond_two_point.png"} {
			if fi, err := os.Stat(filepath.Join(e.Out, c)); err != nil || fi.Size() == 0 {
				t.Errorf("%s: %v", c, err)
			}
		}
		report, err := os.ReadFile(filepath.Join(e.Out, "REPORT.md"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(report), "20 iterations, this section's own budget: it does not follow -iters (5") {
			t.Error("REPORT.md does not state that the escape runs use their own iteration budget")
		}
	}
	if !bytes.Equal(csvs[0], csvs[1]) {
		t.Error("comparison.csv differs between -workers 1 and 2")
	}
	if !bytes.Equal(jsons[0], jsons[1]) {
		t.Error("comparison.json differs between -workers 1 and 2")
	}

	// CSV: header, 25 rows, batch column with "inf", numbers parse or are
	// empty (non-finite).
	recs, err := csv.NewReader(bytes.NewReader(csvs[0])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+5*5 {
		t.Fatalf("comparison.csv has %d lines, want 1 + 25", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, h := range comparisonColumns.header() {
		if _, ok := col[h]; !ok {
			t.Errorf("comparison.csv lacks column %q", h)
		}
	}
	num := func(row []string, name string) float64 {
		s := row[col[name]]
		if s == "" {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("%s = %q is not a finite number", name, s)
		}
		return v
	}
	cases := map[string]int{}
	for _, row := range recs[1:] {
		cases[row[col["problem"]]+"/"+row[col["minimizer"]]]++
		k := row[col["batch"]]
		if k != "inf" {
			if _, err := strconv.Atoi(k); err != nil {
				t.Errorf("batch %q is neither an integer nor inf", k)
			}
		}
		conv, ms, div := num(row, "patel_convergence"), num(row, "exact_mean_square"), num(row, "patel_divergence")
		if !(conv <= ms*(1+1e-9)) || !(ms <= div*(1+1e-9)) {
			t.Errorf("%v k = %s: Patel conv %v ≤ C* %v ≤ Patel div %v fails", row[:3], k, conv, ms, div)
		}
		for _, name := range []string{"wu_sharpness", "wu_nonuniformity", "almost_sure", "almost_sure_err",
			"escape", "escape_lo", "escape_hi", "noise_floor_half"} {
			num(row, name)
		}
		if row[col["iterations"]] != "20" || row[col["runs"]] != "4" {
			t.Errorf("iterations %s, runs %s; want 20 (the section's budget) and 4", row[col["iterations"]], row[col["runs"]])
		}
	}
	if len(cases) != 5 {
		t.Errorf("cases %v, want 5", cases)
	}
	for c, n := range cases {
		if n != 5 {
			t.Errorf("case %s has %d rows, want 5 batch sizes", c, n)
		}
	}

	// JSON: the same 25 rows; batch "inf" or a number, numbers finite or
	// null, and the CSV and JSON agree on C*.
	var js []map[string]any
	if err := json.Unmarshal(jsons[0], &js); err != nil {
		t.Fatal(err)
	}
	if len(js) != 25 {
		t.Fatalf("comparison.json has %d rows, want 25", len(js))
	}
	infs, nulls := 0, 0
	for i, r := range js {
		switch k := r["batch"].(type) {
		case string:
			if k != "inf" {
				t.Errorf("row %d: batch %q, want a number or \"inf\"", i, k)
			}
			infs++
		case float64:
		default:
			t.Errorf("row %d: batch %v (%T)", i, k, k)
		}
		for _, name := range comparisonColumns.header()[5:18] {
			switch v := r[name].(type) {
			case nil:
				nulls++
			case float64:
			default:
				t.Errorf("row %d: %s = %v (%T), want a number or null", i, name, v, v)
			}
		}
		if v, ok := r["exact_mean_square"].(float64); !ok || math.Abs(v-num(recs[i+1], "exact_mean_square")) > 1e-12*v {
			t.Errorf("row %d: JSON C* %v, CSV %s", i, r["exact_mean_square"], recs[i+1][col["exact_mean_square"]])
		}
	}
	if infs != 5 {
		t.Errorf("%d rows with batch \"inf\", want 5", infs)
	}
	// Wu's non-uniformity limit is +Inf at k = ∞ in every case: null.
	if nulls < 5 {
		t.Errorf("%d null numbers, want at least 5 (wu_nonuniformity at k = ∞)", nulls)
	}
	// An empty CSV cell for the same non-finite numbers.
	for _, row := range recs[1:] {
		if row[col["batch"]] == "inf" && row[col["wu_nonuniformity"]] != "" {
			t.Errorf("%v k = inf: wu_nonuniformity %q, want empty (+Inf)", row[:3], row[col["wu_nonuniformity"]])
		}
	}
}
