package main

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// dictionary parses DATA.md: for each file heading (a "### " line naming
// one or more files separated by ", "), the set of columns of its table.
func dictionary(t *testing.T, path string) (map[string]map[string]bool, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cols := map[string]map[string]bool{}
	var current []string
	col := regexp.MustCompile("^\\| `([^`]+)` \\|")
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := sc.Text()
		if h, ok := strings.CutPrefix(line, "### "); ok {
			current = strings.Split(h, ", ")
			for _, f := range current {
				cols[f] = map[string]bool{}
			}
			continue
		}
		if m := col.FindStringSubmatch(line); m != nil {
			for _, f := range current {
				cols[f][m[1]] = true
			}
		}
	}
	return cols, string(b)
}

// csvHeader returns the header of a CSV file, gunzipping a .gz one.
func csvHeader(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	h, err := csv.NewReader(r).Read()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return h
}

// jsonKeys returns the keys of every object of a JSON array.
func jsonKeys(t *testing.T, raw json.RawMessage) map[string]bool {
	t.Helper()
	var recs []map[string]any
	if err := json.Unmarshal(raw, &recs); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for _, r := range recs {
		for k := range r {
			keys[k] = true
		}
	}
	return keys
}

// TestDataDictionaryAndLinks runs every section with -runs 2 -iters 5 and
// checks that DATA.md names every file written and describes exactly the
// columns of every CSV file and the keys of every JSON record, and that
// every file REPORT.md links to exists and REPORT.md stays under 400 lines.
func TestDataDictionaryAndLinks(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every section")
	}
	beyondTiny(t)
	modelsTiny(t)
	e := &Env{Out: t.TempDir(), Runs: 2, Iters: 5, Seed: 1, Workers: 2, Log: io.Discard, start: time.Now(),
		samples: 40, replicates: 2}
	var names []string
	for _, s := range registry {
		names = append(names, s.name)
	}
	if err := runSections(e, names...); err != nil {
		t.Fatal(err)
	}
	dict, text := dictionary(t, filepath.Join(e.Out, "DATA.md"))

	entries, err := os.ReadDir(e.Out)
	if err != nil {
		t.Fatal(err)
	}
	var csvs int
	for _, ent := range entries {
		name := ent.Name()
		// Every file is named in DATA.md, by itself or by its pattern.
		named := strings.Contains(text, "### "+name) || strings.Contains(text, ", "+name) ||
			(strings.HasPrefix(name, "figure") && strings.Contains(text, "figure3.png … figure12.png")) ||
			(strings.HasPrefix(name, "beyond_") && strings.Contains(text, "beyond_*.png")) ||
			(strings.HasPrefix(name, "models_") && strings.Contains(text, "models_*.png"))
		if !named {
			t.Errorf("DATA.md does not describe %s", name)
		}
		if !strings.HasSuffix(name, ".csv") && !strings.HasSuffix(name, ".csv.gz") {
			continue
		}
		csvs++
		want := dict[name]
		if len(want) == 0 {
			t.Errorf("DATA.md has no columns for %s", name)
			continue
		}
		got := map[string]bool{}
		for _, c := range csvHeader(t, filepath.Join(e.Out, name)) {
			got[c] = true
			if !want[c] {
				t.Errorf("%s: column %q is not in DATA.md", name, c)
			}
		}
		for c := range want {
			if !got[c] {
				t.Errorf("%s: DATA.md describes %q, which the file does not have", name, c)
			}
		}
	}
	if csvs < 5 {
		t.Errorf("%d CSV files, want cells, verdicts, tables, comparison and runs", csvs)
	}

	// JSON: the records of tables.json, comparison.json and summary.json.
	checkKeys := func(file, dictFile string, keys map[string]bool) {
		t.Helper()
		if len(keys) == 0 {
			t.Errorf("%s: no records", file)
		}
		for k := range keys {
			if !dict[dictFile][k] {
				t.Errorf("%s: key %q is not described under %s in DATA.md", file, k, dictFile)
			}
		}
	}
	for _, f := range []string{"tables.json", "comparison.json"} {
		b, err := os.ReadFile(filepath.Join(e.Out, f))
		if err != nil {
			t.Fatal(err)
		}
		checkKeys(f, f, jsonKeys(t, b))
	}
	b, err := os.ReadFile(filepath.Join(e.Out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum map[string]json.RawMessage
	if err := json.Unmarshal(b, &sum); err != nil {
		t.Fatal(err)
	}
	for k := range sum {
		if !strings.Contains(text, `"`+k+`"`) {
			t.Errorf("summary.json: top-level key %q is not in DATA.md's layout", k)
		}
	}
	checkKeys("summary.json cells", "cells.csv", jsonKeys(t, sum["cells"]))
	checkKeys("summary.json tables", "tables.csv", jsonKeys(t, sum["tables"]))
	checkKeys("summary.json verdicts", "verdicts.csv", jsonKeys(t, sum["verdicts"]))

	// REPORT.md: every local link exists; under 400 lines.
	report, err := os.ReadFile(filepath.Join(e.Out, "REPORT.md"))
	if err != nil {
		t.Fatal(err)
	}
	var linked []string
	for _, m := range regexp.MustCompile(`\]\(([^)#][^)]*)\)`).FindAllStringSubmatch(string(report), -1) {
		if strings.Contains(m[1], "://") {
			continue
		}
		linked = append(linked, m[1])
		if _, err := os.Stat(filepath.Join(e.Out, m[1])); err != nil {
			t.Errorf("REPORT.md links to %s: %v", m[1], err)
		}
	}
	sort.Strings(linked)
	for _, want := range []string{"cells.csv", "tables.csv", "verdicts.csv", "DATA.md", "figure12.png", "beyond_two_point.png"} {
		if i := sort.SearchStrings(linked, want); i == len(linked) || linked[i] != want {
			t.Errorf("REPORT.md does not link to %s", want)
		}
	}
	// Reading order, and the caveats beside their numbers.
	last := -1
	for _, h := range []string{"## Summary of verdicts", "## Section 2", "## Tables 2–5", "### Table 2", "### Table 3",
		"## Section 4", "## Section 5", "## Beyond the paper", "## Appendix"} {
		i := strings.Index(string(report), h)
		if i < last {
			t.Errorf("REPORT.md: %q missing or out of order", h)
		}
		last = i
	}
	for _, c := range []string{"impossible under its own (19)–(20)", "ours/paper = 1 there by construction",
		"Why ours/paper is about 1e15", "Lemma 3.7 at the circular minimizer", "ended ≥ 2× farther",
		"95% profile-likelihood interval", "0–1 scale"} {
		if !strings.Contains(string(report), c) {
			t.Errorf("REPORT.md lacks %q", c)
		}
	}
	if strings.Contains(string(report), "Wilson") {
		t.Error("REPORT.md still speaks of a Wilson bracket")
	}
	if n := strings.Count(string(report), "\n"); n >= 400 {
		t.Errorf("REPORT.md has %d lines, want under 400", n)
	}
}
