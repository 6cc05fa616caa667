package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/flatminima/flatminima/problems"
)

// Env is what every section of the reproduction receives: the command-line
// settings and the writers for the output folder. Sections register
// themselves with registerSection from an init function in their own file.
type Env struct {
	Out     string    // output folder
	Runs    int       // runs per cell
	Iters   int       // iterations per run
	Seed    uint64    // seed of runs and Monte Carlo points (models keep theirs)
	Workers int       // goroutines; results do not depend on it
	Log     io.Writer // progress (stderr)
	RunsCSV string    // runs file: "gz" (runs.csv.gz, default), "plain" (runs.csv) or "none"

	start  time.Time
	report []reportPart

	// Collected for summary.json (written at the end of run) by the sections
	// of report.go: the cells of every experiment, the rows of tables.json
	// and the verdicts.
	cells    []cellRecord
	tables   []tableRow
	verdicts []verdict
	runs     *runsWriter                 // runs.csv, opened on first use
	geo      map[geoKey]*geoEntry        // minimizers with their geometry (tables.go)
	probs    map[string]problems.Problem // the paper's models, built once

	// The output folder and the cells' results (outdir.go, cells.go),
	// set up by runSections; the command line's settings for the manifest.
	out    *outDir
	store  *cellStore
	flags  map[string]string // every flag's value (nil: from the fields)
	shard  *shardSpec        // -shard
	resume bool              // -resume
	merge  *mergeSource      // -merge
	maxMem float64           // -maxmem in GiB (0: defaultMaxMem)

	// samples and replicates override the Monte Carlo points per geometry
	// estimate and the number of re-estimates for standard errors (0: the
	// defaults paperSamples and replicates); tests make them small.
	samples, replicates int
}

type reportPart struct {
	order int
	title string
	body  string
}

type section struct {
	name  string
	order int
	run   func(*Env) error
}

var registry []section

// registerSection adds a section that `-only name` selects; sections run in
// increasing order.
func registerSection(name string, order int, run func(*Env) error) {
	registry = append(registry, section{name: name, order: order, run: run})
	sort.SliceStable(registry, func(i, j int) bool { return registry[i].order < registry[j].order })
}

// Report adds a part of REPORT.md; parts appear in order of their order
// argument, then in the order they were added.
func (e *Env) Report(order int, title, markdown string) {
	e.report = append(e.report, reportPart{order: order, title: title, body: markdown})
}

// Progress prints a progress line on Log with the elapsed time.
func (e *Env) Progress(format string, args ...any) {
	if e.Log == nil {
		return
	}
	fmt.Fprintf(e.Log, "[%6.1fs] %s\n", time.Since(e.start).Seconds(), fmt.Sprintf(format, args...))
}

// Path returns the path of name in the output folder.
func (e *Env) Path(name string) string { return filepath.Join(e.Out, name) }

// Write writes the output name with write: to a temporary file in the
// output folder, renamed over name when write succeeds (outDir.Write).
func (e *Env) Write(name string, write func(io.Writer) error) error {
	return e.output().Write(name, write)
}

// Create starts the output name, written as by Write: Close makes it
// visible under its name, unless a write failed.
func (e *Env) Create(name string) (*outFile, error) { return e.output().Create(name) }

// output returns the output folder; a section run on its own (in tests)
// writes into Out without a manifest.
func (e *Env) output() *outDir {
	if e.out == nil {
		e.out = &outDir{dir: e.Out, written: map[string]fileEntry{}, temps: map[string]struct{}{}, noManifest: true}
	}
	return e.out
}

// WriteJSON writes v, indented, to name in the output folder. Use Num for
// numbers that may be non-finite (they are written as null).
func (e *Env) WriteJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return e.Write(name, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// WriteCSV writes a header and rows to name in the output folder.
func (e *Env) WriteCSV(name string, header []string, rows [][]string) error {
	return e.Write(name, func(f io.Writer) error {
		w := csv.NewWriter(f)
		w.Write(header)
		w.WriteAll(rows)
		return w.Error()
	})
}

// SavePNG saves p as a PNG of the given size in the output folder.
func (e *Env) SavePNG(name string, p *plot.Plot, w, h vg.Length) error {
	return e.Write(name, func(f io.Writer) error {
		c, err := p.WriterTo(w, h, "png")
		if err != nil {
			return err
		}
		_, err = c.WriteTo(f)
		return err
	})
}

// Num is a float64 that marshals to JSON null when it is not finite
// (DESIGN.md's output conventions).
type Num float64

// MarshalJSON implements json.Marshaler.
func (n Num) MarshalJSON() ([]byte, error) {
	v := float64(n)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(v, 'g', -1, 64)), nil
}

// Batch is a batch size that marshals to the string "inf" for gradient
// descent (k = +Inf) and to a JSON number otherwise (an integer when k is
// one; 0.99·k_max in the tables need not be).
type Batch float64

// MarshalJSON implements json.Marshaler.
func (k Batch) MarshalJSON() ([]byte, error) {
	v := float64(k)
	if math.IsInf(v, 1) {
		return []byte(`"inf"`), nil
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return []byte(k.String()), nil
}

// String returns "inf" for gradient descent, else the integer batch size.
func (k Batch) String() string {
	if math.IsInf(float64(k), 1) {
		return "inf"
	}
	return strconv.FormatFloat(float64(k), 'f', -1, 64)
}

// csvNum formats v for CSV: empty when not finite.
func csvNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// writeReport writes REPORT.md from the parts the sections added.
func (e *Env) writeReport() error {
	sort.SliceStable(e.report, func(i, j int) bool { return e.report[i].order < e.report[j].order })
	var b strings.Builder
	b.WriteString("# Reproduction of Patel, \"The Impact of Local Geometry and Batch Size on SGD for Nonconvex Problems\"\n\n")
	fmt.Fprintf(&b, "Generated by `go run ./examples/reproduce` with -runs %d -iters %d -seed %d.\n\n", e.Runs, e.Iters, e.Seed)
	for _, p := range e.report {
		fmt.Fprintf(&b, "## %s\n\n%s\n\n", p.title, strings.TrimSpace(p.body))
	}
	return e.Write("REPORT.md", func(w io.Writer) error {
		_, err := io.WriteString(w, b.String())
		return err
	})
}
