// Command reproduce reproduces the experiments, tables and figures of Patel,
// "The Impact of Local Geometry and Batch Size on Stochastic Gradient Descent
// for Nonconvex Problems", and the library's comparisons beyond the paper.
//
// Usage:
//
//	go run ./examples/reproduce [-out results] [-runs 100] [-iters 20] [-seed 1] [-only section] [-workers n] [-runs-csv gz|plain|none]
//
// Every number depends only on the seed (the paper's models keep their own
// documented seeds), never on -workers.
//
// # Sections
//
//   - tables: the analogues of Tables 2–5 (thresholds at the paper's
//     minimizers beside the paper's values, with Monte Carlo standard errors
//     from independent re-estimates) and an ε-sensitivity table.
//   - section2: gradient descent on f(x) = x², C = 1.1, x0 = −1 (Figure 3).
//   - section4: the four quadratic-circle models × {SGD-1, GD} × {start near
//     the circular, near the quadratic minimizer} × the paper's learning
//     rates and a grid scaled to our thresholds (Figures 4–8).
//   - section5: the three Styblinski–Tang models × k ∈ {1, 200, 500, ∞} ×
//     {sharpest, flattest} × start radii × {1.5·l, 0.5·(u+l), 0.5·u}
//     (Figures 9–12).
//   - beyond: exact mean-square, almost-sure and measured escape
//     thresholds beside Patel's bounds, with phase diagrams.
//
// # Outputs
//
// In the -out folder: REPORT.md (verdicts, tables, figures and caveats),
// DATA.md (the data dictionary: every file, column, unit, and the meaning
// of empty, null and "inf"), summary.json, cells.csv, verdicts.csv,
// tables.csv/.json, comparison.csv/.json, runs.csv.gz (every distance of
// every run; -runs-csv plain writes runs.csv, none skips it), and the PNG
// figures. Non-finite numbers are null in JSON and empty in CSV; gradient
// descent's batch size is "inf".
//
// # Statistics of a cell
//
// See stability.CellStats: escaped, grew and converged are fractions of runs;
// growth_ms is the per-step factor of the mean over runs of
// e_N = (x_N − x*)'H̄_m(x_N − x*) (H̄ restricted to its m retained
// eigenpairs), fitted by least squares on log mean e_N over the iterations
// before any run touches the box (and, at the quadratic-circle minimizers,
// before any run leaves B(x*, ε), the ball of the geometry); growth_step is
// the mean one-step ratio e_{N+1}/e_N (unbiased for a number in
// [ρ_lo, ρ_hi] at a homogeneous minimizer); growth_lo and growth_hi are
// ρ_lo, ρ_hi of Lemma 3.7 (thresholds.GrowthBounds); growth_run_median is
// the lower median (gonum stat.Quantile, Empirical) over runs of the per-run
// per-step distance factor over the same window.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	e := &Env{Log: os.Stderr, start: time.Now()}
	flag.StringVar(&e.Out, "out", "results", "output folder")
	flag.IntVar(&e.Runs, "runs", 100, "independent runs per cell")
	flag.IntVar(&e.Iters, "iters", 20, "iterations per run")
	flag.Uint64Var(&e.Seed, "seed", 1, "seed of runs and Monte Carlo points")
	flag.IntVar(&e.Workers, "workers", runtime.GOMAXPROCS(0), "goroutines (results do not depend on it)")
	var names []string
	for _, s := range registry {
		names = append(names, s.name)
	}
	only := flag.String("only", "", "run one section: "+strings.Join(names, "|"))
	flag.StringVar(&e.RunsCSV, "runs-csv", "gz", "per-iterate distances: gz (runs.csv.gz), plain (runs.csv) or none")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "reproduce runs the experiments of Patel's \"The Impact of Local Geometry and Batch Size on SGD\n"+
			"for Nonconvex Problems\" and the comparisons beyond the paper, and writes REPORT.md, DATA.md,\n"+
			"the CSV/JSON data and the figures into the -out folder.\n\nUsage: go run ./examples/reproduce [flags]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(e, *only); err != nil {
		fmt.Fprintln(os.Stderr, "reproduce:", err)
		os.Exit(1)
	}
}

// run runs every registered section, or only the one named only, and
// writes the outputs.
func run(e *Env, only string) error {
	var names []string
	for _, s := range registry {
		if only == "" || s.name == only {
			names = append(names, s.name)
		}
	}
	if len(names) == 0 {
		return fmt.Errorf("-only %q is not a section", only)
	}
	return runSections(e, names...)
}

// runSections runs the named sections in their registered order and writes
// runs.csv, summary.json and REPORT.md.
func runSections(e *Env, names ...string) error {
	if e.Runs < 1 {
		return fmt.Errorf("-runs = %d must be at least 1", e.Runs)
	}
	if e.Iters < 1 {
		return fmt.Errorf("-iters = %d must be at least 1", e.Iters)
	}
	if e.Workers < 1 {
		return fmt.Errorf("-workers = %d must be at least 1", e.Workers)
	}
	switch e.RunsCSV {
	case "", "gz", "plain", "none":
	default:
		return fmt.Errorf("-runs-csv = %q, want gz, plain or none", e.RunsCSV)
	}
	selected := map[string]bool{}
	for _, n := range names {
		found := false
		for _, s := range registry {
			found = found || s.name == n
		}
		if !found {
			return fmt.Errorf("-only %q is not a section", n)
		}
		selected[n] = true
	}
	if err := os.MkdirAll(e.Out, 0o755); err != nil {
		return err
	}
	for _, s := range registry {
		if !selected[s.name] {
			continue
		}
		e.Progress("running %s", s.name)
		if err := s.run(e); err != nil {
			e.closeRuns()
			return fmt.Errorf("section %s: %w", s.name, err)
		}
	}
	if err := e.closeRuns(); err != nil {
		return err
	}
	e.reportVerdicts()
	if err := e.writeSummary(); err != nil {
		return err
	}
	if err := e.writeDataDictionary(); err != nil {
		return err
	}
	if err := e.writeReport(); err != nil {
		return err
	}
	e.Progress("report: %s", e.Path("REPORT.md"))
	return nil
}
