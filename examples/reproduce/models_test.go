package main

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// modelsTinySizes are the sizes of the models section in tests: 32 digits
// through a hidden layer of 40 (p = 3010, matrix-free), short runs.
var modelsTinySizes = modelsSizes{samples: 32, hidden: 40, lbfgs: 20, ceIters: 30,
	iters: 15, runs: 4, relTol: 0.5, grid: 3, gridRuns: 2,
	lyapReplicates: 2, lyapSteps: 60, lyapBurn: 10}

// modelsTiny sets modelsTinySizes for the test.
func modelsTiny(t *testing.T) {
	t.Helper()
	old := modelsSize
	modelsSize = modelsTinySizes
	t.Cleanup(func() { modelsSize = old })
}

func TestModelsSection(t *testing.T) {
	if testing.Short() {
		t.Skip("trains three models")
	}
	modelsTiny(t)
	e := &Env{Out: t.TempDir(), Runs: 2, Iters: 5, Seed: 1, Workers: 2, Log: io.Discard, start: time.Now()}
	if err := runSections(e, "models"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(e.Out, "models.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal(b, &rows); err != nil {
		t.Fatal(err)
	}
	if want := len(modelDefs) * len(beyondBatches); len(rows) != want {
		t.Fatalf("%d rows, want one per (minimizer, k) = %d", len(rows), want)
	}
	seen := map[[2]string]bool{}
	keys := []string{"model", "minimizer", "homogeneous", "k", "patel_convergence", "mean_square", "patel_divergence",
		"almost_sure", "almost_sure_se", "wu_sharpness", "wu_nonuniformity", "noise_floor", "escape", "escape_lo",
		"escape_hi", "verdict"}
	hom := map[string]bool{}
	for _, r := range rows {
		for _, k := range keys {
			if _, ok := r[k]; !ok {
				t.Errorf("row %v has no key %q", r["model"], k)
			}
		}
		model, _ := r["model"].(string)
		var k string
		switch v := r["k"].(type) {
		case string:
			k = v
			if v != "inf" {
				t.Errorf("k = %q, want a number or \"inf\"", v)
			}
		case float64:
			k = strings.TrimSpace(g4(v))
		default:
			t.Errorf("k = %v of type %T", r["k"], r["k"])
		}
		if seen[[2]string{model, k}] {
			t.Errorf("(%s, %s) twice", model, k)
		}
		seen[[2]string{model, k}] = true
		hom[model], _ = r["homogeneous"].(bool)
		// Numbers are finite or null (JSON has no NaN or Inf, so a
		// successful Unmarshal already rules them out); predictions are
		// finite and positive.
		num := func(key string) float64 {
			switch v := r[key].(type) {
			case float64:
				return v
			case nil:
				return math.NaN()
			}
			t.Errorf("%s: %s = %v is neither a number nor null", model, key, r[key])
			return math.NaN()
		}
		conv, ms, div := num("patel_convergence"), num("mean_square"), num("patel_divergence")
		for key, v := range map[string]float64{"patel_convergence": conv, "mean_square": ms, "patel_divergence": div, "almost_sure": num("almost_sure"), "wu_sharpness": num("wu_sharpness")} {
			if !(v > 0) {
				t.Errorf("%s, k = %s: %s = %v, want finite and positive", model, k, key, v)
			}
		}
		// One geometry: Patel convergence ≤ C* ≤ Patel divergence, to
		// rounding.
		if !(conv <= ms*(1+1e-9)) || !(ms <= div*(1+1e-9)) {
			t.Errorf("%s, k = %s: Patel convergence %v ≤ C* %v ≤ Patel divergence %v fails", model, k, conv, ms, div)
		}
		if v, _ := r["verdict"].(string); v == "" {
			t.Errorf("%s, k = %s: empty verdict", model, k)
		}
	}
	if hom["logistic"] || !hom["mlp-squared"] || hom["mlp-ce"] {
		t.Errorf("homogeneous flags %v, want only mlp-squared", hom)
	}
	for _, def := range modelDefs {
		if fi, err := os.Stat(filepath.Join(e.Out, def.file)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", def.file, err)
		}
	}
}

func TestModelVerdict(t *testing.T) {
	tiesBase := func(r modelRecord) modelRecord { r.PatelDivergence, r.WuSharpness = 4, 4; return r }
	base := modelRecord{PatelConvergence: 0.5, MeanSquare: 1, PatelDivergence: 2, AlmostSure: 3, WuSharpness: 4,
		WuNonUniformity: Num(math.NaN()), EscapeDouble: Num(math.NaN()), EscapeHalf: Num(math.NaN())}
	for _, tc := range []struct {
		name          string
		esc, lo, hi   float64
		double, half  float64
		want, wantNot []string
	}{
		{"matched", 3.1, 2.9, 3.3, math.NaN(), math.NaN(), []string{"matches almost-sure", "mean-square C* ×0.32"}, []string{"none", "level"}},
		{"two matched", 1.5, 0.9, 2.1, math.NaN(), math.NaN(), []string{"matches mean-square C* and Patel divergence"}, nil},
		{"between", 2.5, 2.4, 2.6, math.NaN(), math.NaN(), []string{"none matched: between Patel divergence and almost-sure"}, []string{"matches"}},
		{"above all", 10, 9, 11, math.NaN(), math.NaN(), []string{"none matched: above every prediction"}, nil},
		{"below all", 0.1, 0.09, 0.11, math.NaN(), math.NaN(), []string{"none matched: below every prediction"}, nil},
		{"level insensitive", 3.1, 2.9, 3.3, 3.2, 3.0, []string{"matches almost-sure"}, []string{"level"}},
		{"level sensitive", 3.1, 2.9, 3.3, 3.8, 3.0, []string{"matches almost-sure", "depends on the loss level (×2: 3.8"}, nil},
		{"ties", 3.5, 3.4, 3.6, math.NaN(), math.NaN(), []string{"between almost-sure and Patel divergence = Wu–Ma–E"}, nil},
		{"no threshold", math.Inf(1), 3, math.Inf(1), math.NaN(), math.NaN(), []string{"no measured threshold"}, nil},
	} {
		r := base
		if tc.name == "ties" {
			r = tiesBase(r)
		}
		r.Escape, r.EscapeLo, r.EscapeHi, r.EscapeDouble, r.EscapeHalf = Num(tc.esc), Num(tc.lo), Num(tc.hi), Num(tc.double), Num(tc.half)
		v := modelVerdict(r)
		for _, w := range tc.want {
			if !strings.Contains(v, w) {
				t.Errorf("%s: verdict %q lacks %q", tc.name, v, w)
			}
		}
		for _, w := range tc.wantNot {
			if strings.Contains(v, w) {
				t.Errorf("%s: verdict %q contains %q", tc.name, v, w)
			}
		}
	}
}
