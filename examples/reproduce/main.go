// Command reproduce reproduces the experiments, tables and figures of Patel,
// "The Impact of Local Geometry and Batch Size on Stochastic Gradient Descent
// for Nonconvex Problems", and the library's comparisons beyond the paper.
//
// Usage:
//
//	go run ./examples/reproduce [-out results] [-runs 100] [-iters 20] [-seed 1] [-only section] [-workers n]
//	        [-runs-csv gz|plain|none] [-maxmem 4] [-resume] [-shard i/n | -shard auto[/n]]
//	go run ./examples/reproduce -merge -out results SHARD_DIR...
//
// Every number depends only on the seed (the paper's models keep their own
// documented seeds), never on -workers.
//
// # Sections
//
//   - tables: the analogues of Tables 2–5 (thresholds at the paper's
//     minimizers beside the paper's values, with Monte Carlo standard errors
//     from independent re-estimates) and an ε-sensitivity table.
//
//   - section2: gradient descent on f(x) = x², C = 1.1, x0 = −1 (Figure 3).
//
//   - section4: the four quadratic-circle models × {SGD-1, GD} × {start near
//     the circular, near the quadratic minimizer} × the paper's learning
//     rates and a grid scaled to our thresholds (Figures 4–8).
//
//   - section5: the three Styblinski–Tang models × k ∈ {1, 200, 500, ∞} ×
//     {sharpest, flattest} × start radii × {1.5·l, 0.5·(u+l), 0.5·u}
//     (Figures 9–12).
//
//   - beyond: exact mean-square, almost-sure and measured escape
//     thresholds beside Patel's bounds, with phase diagrams.
//
//   - models: the same predictions, the noise floor in loss units and the
//     escape threshold measured in the loss, for ridge logistic regression
//     on breast cancer and two MLPs on digits, with verdicts.
//
// # Outputs
//
// In the -out folder: REPORT.md (verdicts, tables, figures and caveats),
// DATA.md (the data dictionary: every file, column, unit, and the meaning
// of empty, null and "inf"), summary.json, cells.csv, verdicts.csv,
// tables.csv/.json, comparison.csv/.json, models.csv/.json, runs.csv.gz (every distance of
// every run; -runs-csv plain writes runs.csv, none skips it), and the PNG
// figures. Non-finite numbers are null in JSON and empty in CSV; gradient
// descent's batch size is "inf".
//
// # Atomic outputs, resumption, shards
//
// Every output is written to a temporary file in the -out folder and renamed
// over its name (a symbolic link of that name is replaced, never followed).
// manifest.json lists the flags, the seed, the program's version and every
// output with its SHA-256; from before the first output until after the
// last it says "status": "incomplete", so a folder whose manifest says
// "complete" is one run's complete set. Outputs the previous manifest listed
// that this run does not write are removed; nothing else in the folder is
// touched. A run checkpoints every finished cell in the hidden file
// .reproduce-checkpoint (removed when it completes): -resume continues an
// interrupted run from it, refuses other flags, and writes the same bytes
// as an uninterrupted run.
//
// Before it starts, a run estimates its memory from -runs and -iters and
// refuses, with the estimate, when it exceeds -maxmem GiB (default 4).
//
// -shard i/n runs only cell set i of n (a cell is one cell of an experiment
// grid, or one case of the beyond section) and writes cells.bin and
// manifest.json. -shard auto takes i and n from a Slurm job array
// (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT);
// -shard auto/n takes i from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX).
// Without -shard nothing is sharded. -merge -out OUT SHARD_DIR... combines
// the n shard folders into the outputs of a single run with the same flags,
// byte for byte (manifest.json aside): it recomputes the geometry, tables,
// figures and REPORT.md from the cells. It refuses incomplete shards,
// shards with other flags, seeds or program versions, and a missing shard.
// Positional arguments are accepted only with -merge.
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
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	os.Exit(realMain(os.Args[1:], os.Getenv, os.Stderr))
}

// newEnv returns the Env of a command (tests shrink its Monte Carlo sizes).
var newEnv = func(log io.Writer) *Env { return &Env{Log: log, start: time.Now()} }

// activeOut is the output folder being written, for the signal handler.
var activeOut atomic.Pointer[outDir]

// realMain runs the command with the arguments args and the environment
// getenv and returns its exit code.
func realMain(args []string, getenv func(string) string, stderr io.Writer) int {
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	e := newEnv(stderr)
	fs.StringVar(&e.Out, "out", "results", "output folder")
	fs.IntVar(&e.Runs, "runs", 100, "independent runs per cell")
	fs.IntVar(&e.Iters, "iters", 20, "iterations per run")
	fs.Uint64Var(&e.Seed, "seed", 1, "seed of runs and Monte Carlo points")
	fs.IntVar(&e.Workers, "workers", runtime.GOMAXPROCS(0), "goroutines (results do not depend on it)")
	var names []string
	for _, s := range registry {
		names = append(names, s.name)
	}
	only := fs.String("only", "", "run one section: "+strings.Join(names, "|"))
	fs.StringVar(&e.RunsCSV, "runs-csv", "gz", "per-iterate distances: gz (runs.csv.gz), plain (runs.csv) or none")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "reproduce runs the experiments of Patel's \"The Impact of Local Geometry and Batch Size on SGD\n"+
			"for Nonconvex Problems\" and the comparisons beyond the paper, and writes REPORT.md, DATA.md,\n"+
			"the CSV/JSON data and the figures into the -out folder.\n\n"+
			"Usage: go run ./examples/reproduce [flags]\n       go run ./examples/reproduce -merge -out OUT SHARD_DIR...\n\n")
		fs.PrintDefaults()
	}
	fs.Float64Var(&e.maxMem, "maxmem", defaultMaxMem, "memory budget in GiB: a run whose estimate exceeds it is refused")
	fs.BoolVar(&e.resume, "resume", false, "continue an interrupted run in -out from its checkpoint (same flags)")
	shard := fs.String("shard", "", "run only cell set i of n: i/n, auto (Slurm job array) or auto/n (Kubernetes Indexed Job)")
	merge := fs.Bool("merge", false, "combine the shard folders given as arguments into -out")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	err := func() error {
		if !*merge && fs.NArg() > 0 {
			return fmt.Errorf("unexpected argument %q: positional arguments are accepted only with -merge (use -only to run one section)", fs.Arg(0))
		}
		if *merge {
			if *shard != "" || e.resume {
				return fmt.Errorf("-merge runs no cells: it takes neither -shard nor -resume")
			}
			src, flags, _, err := openShards(fs.Args())
			if err != nil {
				return err
			}
			e.merge = src
			for _, dir := range fs.Args() {
				if sameDir(dir, e.Out) {
					return fmt.Errorf("-merge: -out %s is one of the shard folders", e.Out)
				}
			}
			// The shards' flags, unless given (then they must agree).
			for _, name := range resultFlags {
				if set[name] {
					if v := fs.Lookup(name).Value.String(); v != flags[name] {
						return fmt.Errorf("-merge: -%s %s differs from the shards' %q", name, v, flags[name])
					}
					continue
				}
				if err := fs.Set(name, flags[name]); err != nil {
					return fmt.Errorf("-merge: the shards' -%s: %w", name, err)
				}
			}
		}
		s, err := parseShard(*shard, getenv)
		if err != nil {
			return err
		}
		e.shard = s
		e.flags = map[string]string{}
		fs.VisitAll(func(f *flag.Flag) { e.flags[f.Name] = f.Value.String() })
		if s != nil {
			e.flags["shard"] = s.String() // resolved from the environment
		}
		if e.merge != nil {
			defer e.merge.close()
		}
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		defer func() {
			signal.Stop(sig)
			close(sig)
		}()
		go func() {
			s, ok := <-sig
			if !ok {
				return
			}
			if d := activeOut.Load(); d != nil {
				d.removeTemps()
			}
			fmt.Fprintf(stderr, "reproduce: %v: stopped; the manifest in %s says \"incomplete\" (continue with -resume)\n", s, e.Out)
			code := 130
			if s == syscall.SIGTERM {
				code = 143
			}
			os.Exit(code)
		}()
		return run(e, *only)
	}()
	if err != nil {
		fmt.Fprintln(stderr, "reproduce:", err)
		return 1
	}
	return 0
}

// sameDir reports whether a and b name the same existing folder.
func sameDir(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
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
// runs.csv, summary.json, REPORT.md and manifest.json (a shard writes
// cells.bin and manifest.json).
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
	maxMem := e.maxMem
	if maxMem == 0 {
		maxMem = defaultMaxMem
	}
	if err := checkMemory(e.Runs, e.Iters, names, maxMem); err != nil {
		return err
	}
	flags := e.flags
	if flags == nil {
		flags = map[string]string{"out": e.Out, "runs": strconv.Itoa(e.Runs), "iters": strconv.Itoa(e.Iters),
			"seed": strconv.FormatUint(e.Seed, 10), "workers": strconv.Itoa(e.Workers), "only": strings.Join(names, ",")}
	}
	version := buildVersion()
	man := manifest{Program: "reproduce", Version: version, Flags: flags, Seed: e.Seed, Shard: e.shard}
	if e.merge != nil {
		for _, d := range e.merge.dirs {
			abs, err := filepath.Abs(d)
			if err != nil {
				abs = d
			}
			man.MergedFrom = append(man.MergedFrom, abs)
		}
	}
	out, err := openOutDir(e.Out, man)
	if err != nil {
		return err
	}
	if e.shard != nil {
		out.discard, out.keep = true, map[string]bool{cellsName: true}
	}
	e.out = out
	activeOut.Store(out)
	defer activeOut.Store(nil)
	header := cellsHeader{Version: version, Flags: flags, Shard: e.shard}
	if e.merge != nil {
		e.store = &cellStore{header: header, merge: e.merge, groupIdx: map[string]int{}, keys: map[string]bool{}}
	} else {
		c, err := openCheckpoint(e.Out, header, e.resume, e.shard)
		if err != nil {
			return err
		}
		e.store = c
	}
	defer e.store.closeLog()
	if e.resume && len(e.store.old) > 0 {
		e.Progress("resuming: %d finished cells in the checkpoint", len(e.store.old))
	}
	if e.shard != nil {
		e.Progress("shard %v", *e.shard)
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
	if e.merge != nil {
		if err := e.merge.check(e.store.groups); err != nil {
			return err
		}
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
	if e.shard != nil {
		if err := e.store.writeShardCells(e); err != nil {
			return err
		}
	}
	if err := e.store.removeLog(e.Out); err != nil {
		return err
	}
	if err := out.finish(); err != nil {
		return err
	}
	if e.shard != nil {
		e.Progress("shard %s: cells in %s", e.shard, e.Path("cells.bin"))
	} else {
		e.Progress("report: %s", e.Path("REPORT.md"))
	}
	return nil
}
