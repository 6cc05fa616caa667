package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/thresholds"
)

func init() { registerSection("section4", 40, section4) }

// Section 4 (§4.1): the four quadratic-circle models × {SGD-1, GD} × {start
// near the circular minimizer, near the quadratic one} (uniform in a disc of
// radius 1e−8) × the paper's learning rates, plus a grid scaled to our own
// thresholds; iterates projected onto the box (−10,10)×(−20,15).
const sec4Radius = 1e-8

var (
	// §4.1's learning rates near the circular minimizer, and near the
	// quadratic one (the paper's second "circular" is a misprint, SPEC §9).
	sec4PaperRates = map[string][]float64{
		"circular":  {1e10, 5e10, 1e11, 5e11, 1e12, 5e12},
		"quadratic": {1, 4, 16, 64, 256, 1024},
	}
	// sec4Factors scale our own convergence (u) and divergence (l) thresholds.
	sec4Factors = []float64{0.25, 0.5, 1, 2, 4}
	sec4Batches = []int{1, sgdk.FullBatch}
)

// sec4Key identifies a Section 4 cell for the figures.
type sec4Key struct {
	model     int
	minimizer string
	batch     int
	lr        float64
	label     string
}

// sec4Runs are the distances of a cell: to its minimizer and to the other.
type sec4Runs struct{ dist, other [][]float64 }

// scaledLabel encodes a scaled learning rate's factor and threshold.
func scaledLabel(f float64, of string) string { return fmt.Sprintf("scaled:%g:%s", f, of) }

// parseLabel splits a rate label into lr_label, factor and threshold name.
func parseLabel(s string) (label string, factor float64, of string) {
	parts := strings.Split(s, ":")
	if len(parts) == 3 {
		f, _ := strconv.ParseFloat(parts[1], 64)
		return parts[0], f, parts[2]
	}
	return s, math.NaN(), ""
}

func section4(e *Env) error {
	runs := map[sec4Key]sec4Runs{}
	var cells []cellRecord
	cellIndex := 0
	for model := 1; model <= 4; model++ {
		for _, mn := range qcMinimizers {
			ent, err := e.site(geoKey{"qc", model, mn, paperEps})
			if err != nil {
				return err
			}
			g := ent.g
			grid := sgdk.Grid{
				Sites:   []sgdk.Site{ent.sgdkSite(fmt.Sprintf("model %d %s", model, mn))},
				Batches: sec4Batches,
				Radii:   []float64{sec4Radius},
				Rates: func(_ sgdk.Site, k int) ([]sgdk.Rate, error) {
					var rs []sgdk.Rate
					for _, c := range sec4PaperRates[mn] {
						rs = append(rs, sgdk.Rate{Label: "paper", Value: c})
					}
					u, l := thresholds.Convergence(g, kOf(k)), thresholds.Divergence(g, kOf(k))
					for _, f := range sec4Factors {
						rs = append(rs, sgdk.Rate{Label: scaledLabel(f, "u"), Value: f * u})
					}
					for _, f := range sec4Factors {
						rs = append(rs, sgdk.Rate{Label: scaledLabel(f, "l"), Value: f * l})
					}
					return rs, nil
				},
				Runs: e.Runs, Iterations: e.Iters, Workers: e.Workers,
				// One seed per (model, minimizer) grid, derived from -seed.
				Seed: sgdk.CellSeed(e.Seed, 4000+cellIndex),
			}
			cellIndex++
			err = grid.Run(func(gc sgdk.GridCell, res *sgdk.CellResult) error {
				k := gc.BatchSize
				label, factor, of := parseLabel(gc.Rate.Label)
				u, l := thresholds.Convergence(g, kOf(k)), thresholds.Divergence(g, kOf(k))
				rec := newCellRecord("section4", model, k, mn, gc.Radius, gc.Rate.Value, label, res.Stats, u, l, ent.escape)
				if of != "" {
					rec.LRFactor, rec.LROf = Num(factor), of
				}
				cells = append(cells, rec)
				if label == "paper" {
					runs[sec4Key{model, mn, k, gc.Rate.Value, label}] = sec4Runs{res.Distances[0], res.Distances[1]}
				}
				return e.addRuns("section4", model, k, mn, gc.Radius, label, gc.Rate.Value, res.Distances[0], res.Distances[1])
			})
			if err != nil {
				return err
			}
			e.Progress("section4: model %d %s minimizer done", model, mn)
		}
	}
	e.cells = append(e.cells, cells...)
	if err := section4Figures(e, runs); err != nil {
		return err
	}
	e.Progress("section4: figures done")

	var b strings.Builder
	fmt.Fprintf(&b, "%d runs × %d iterations per cell, started uniformly in the disc of radius %g around the minimizer, "+
		"projected onto (−10,10)×(−20,15). *escaped*: left B(x*, R), R = 7.5 (half the distance between the minimizers), "+
		"or touched the box; *grew*: final distance ≥ 2× the start distance; *converged*: final distance < start distance. "+
		"growth_ms: per-step factor of the mean over runs of e_N = (x_N − x*)'H̄_m(x_N − x*) (H̄ restricted to its m "+
		"retained eigenpairs), fitted over the *window* of iterations before any run touches the box or leaves B(x*, ε), "+
		"ε = %g, the ball whose geometry gives the thresholds (± jackknife standard error); growth_step: the mean one-step "+
		"ratio e_{N+1}/e_N over the same window (± standard error), which Lemma 3.7 puts in [ρ_lo, ρ_hi] at these "+
		"homogeneous minimizers; run median: median over runs of the per-run per-step distance factor over the window. "+
		"u, l: our convergence and divergence thresholds at this k (Tables 2–3).\n\n", e.Runs, e.Iters, sec4Radius, paperEps)
	b.WriteString("### Verdicts\n\n")
	for _, mn := range qcMinimizers {
		var sub []cellRecord
		for _, c := range cells {
			if c.Minimizer == mn {
				sub = append(sub, c)
			}
		}
		verdicts, vs := judge("section4", mn+" minimizer", sub, true)
		e.verdicts = append(e.verdicts, vs...)
		b.WriteString(verdicts)
	}
	b.WriteString("\n")
	b.WriteString("### The paper's observations (§4.2) on our models\n\n")
	b.WriteString(sec4Transitions(cells))
	b.WriteString("\n### Figures\n\n")
	for _, f := range sec4FigureList {
		fmt.Fprintf(&b, "**%s.** %s\n\n![%s](%s)\n\n", f.title, f.caption, f.title, f.file)
	}
	b.WriteString("### All cells\n\n")
	b.WriteString(cellTable(cells))
	e.Report(40, "Section 4: quadratic-circle sums (Figures 4–8)", b.String())
	return nil
}

// sec4Transitions reports, on the paper's grid, the learning rates between
// which SGD-1 and GD begin to diverge (the first rate at which at least half
// of the runs grew), beside the paper's statements.
func sec4Transitions(cells []cellRecord) string {
	paperSays := map[string]string{
		"1 circular 1":  "between 5e10 and 1e11",
		"3 circular 1":  "between 5e11 and 1e12",
		"1 quadratic 1": "between 4 and 16",
		"2 quadratic 1": "between 256 and 1024",
	}
	var rows [][]string
	for model := 1; model <= 4; model++ {
		for _, mn := range qcMinimizers {
			for _, k := range sec4Batches {
				prev, first := math.NaN(), math.NaN()
				var u, l float64
				for _, c := range cells {
					if c.Model != model || c.Minimizer != mn || c.Batch != batchOf(k) || c.LRLabel != "paper" {
						continue
					}
					u, l = float64(c.Convergence), float64(c.Divergence)
					if c.Grew >= 0.5 {
						first = float64(c.LR)
						break
					}
					prev = float64(c.LR)
				}
				obs := "no divergence on the grid"
				switch {
				case !math.IsNaN(first) && math.IsNaN(prev):
					obs = "diverges at every rate (from " + g4(first) + ")"
				case !math.IsNaN(first):
					obs = "between " + g4(prev) + " and " + g4(first)
				}
				ps := paperSays[fmt.Sprintf("%d %s %d", model, mn, k)]
				if ps == "" {
					ps = "—"
				}
				rows = append(rows, []string{strconv.Itoa(model), mn, batchOf(k).String(), obs, ps, g4(u), g4(l)})
			}
		}
	}
	return "Observed onset of divergence (first rate of the paper's grid at which at least half of the runs grew ≥ 2×):\n\n" +
		mdTable([]string{"model", "start near", "k", "observed onset", "paper (§4.2)", "u", "l"}, rows)
}

type figureInfo struct{ title, caption, file string }

var sec4FigureList = []figureInfo{
	{"Figure 4", "The expected objective F of the four models on the box, log10(F − min F + δ) with δ = 1e−6·(max F − min F).", "figure4.png"},
	{"Figure 5", "SGD-1 on Models 1 and 3 started near the circular minimizer: log10 distance to it, one line per run; rows: learning rates; dashed: escape radius R.", "figure5.png"},
	{"Figure 6", "SGD-1 on Models 1 and 2 started near the quadratic minimizer: log10 distance to it.", "figure6.png"},
	{"Figure 7", "GD on Models 1 and 3 started near the circular minimizer: log10 distance to it.", "figure7.png"},
	{"Figure 8", "SGD-1 (left) and GD (right) on Model 1 started near the quadratic minimizer: log10 distance to the circular minimizer.", "figure8.png"},
}

func section4Figures(e *Env, runs map[sec4Key]sec4Runs) error {
	if err := figure4(e); err != nil {
		return err
	}
	type col struct {
		model int
		batch int
		other bool
		name  string
	}
	figs := []struct {
		file      string
		minimizer string
		cols      []col
	}{
		{"figure5.png", "circular", []col{{1, 1, false, "Model 1, SGD-1"}, {3, 1, false, "Model 3, SGD-1"}}},
		{"figure6.png", "quadratic", []col{{1, 1, false, "Model 1, SGD-1"}, {2, 1, false, "Model 2, SGD-1"}}},
		{"figure7.png", "circular", []col{{1, sgdk.FullBatch, false, "Model 1, GD"}, {3, sgdk.FullBatch, false, "Model 3, GD"}}},
		{"figure8.png", "quadratic", []col{{1, 1, true, "Model 1, SGD-1, to circular"}, {1, sgdk.FullBatch, true, "Model 1, GD, to circular"}}},
	}
	for _, f := range figs {
		rates := sec4PaperRates[f.minimizer]
		grid := make([][]*plot.Plot, len(rates))
		for i, c := range rates {
			grid[i] = make([]*plot.Plot, len(f.cols))
			for j, cl := range f.cols {
				r, ok := runs[sec4Key{cl.model, f.minimizer, cl.batch, c, "paper"}]
				if !ok {
					continue
				}
				d := r.dist
				if cl.other {
					d = r.other
				}
				p, err := distancePanel(fmt.Sprintf("%s, C = %s", cl.name, g4(c)), d, 7.5)
				if err != nil {
					return err
				}
				grid[i][j] = p
			}
		}
		if err := saveGrid(e, f.file, grid, 3.2*vg.Inch, 2*vg.Inch); err != nil {
			return err
		}
	}
	return nil
}

// figure4 draws log10(1 + F − min F) of the four models on the box.
func figure4(e *Env) error {
	grid := [][]*plot.Plot{make([]*plot.Plot, 2), make([]*plot.Plot, 2)}
	for model := 1; model <= 4; model++ {
		p, err := e.model("qc", model)
		if err != nil {
			return err
		}
		n := p.Len()
		comps := make([]func([]float64) float64, n)
		w := make([]float64, n)
		for i := range n {
			comps[i] = p.Component(i).Func
			w[i] = p.Weight(i)
		}
		x := make([]float64, 2)
		f := func(a, b float64) float64 {
			x[0], x[1] = a, b
			var s float64
			for i, fi := range comps {
				s += w[i] * fi(x)
			}
			return s
		}
		gf := sampleGrid(f, -10, 10, -20, 15, 160)
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, row := range gf.z {
			for _, v := range row {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		// F spans many orders of magnitude between the basins and the
		// plateau: show log10(F − min F + δ), δ = 1e−6·(max F − min F).
		delta := 1e-6 * (hi - lo)
		for _, row := range gf.z {
			for c, v := range row {
				row[c] = math.Log10(v - lo + delta)
			}
		}
		grid[(model-1)/2][(model-1)%2] = heatPanel(fmt.Sprintf("Model %d: log10(F − min F + δ)", model), gf)
	}
	return saveGrid(e, "figure4.png", grid, 3.5*vg.Inch, 3.5*vg.Inch)
}
