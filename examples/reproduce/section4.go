package main

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/flatminima/flatminima/problems/paper"
	"github.com/flatminima/flatminima/sgdk"
	"github.com/flatminima/flatminima/sgdk/stability"
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
	// quadratic one (the paper's second "circular" is a misprint).
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
			grid := stability.Grid{
				Sites:   []stability.Site{ent.sgdkSite(fmt.Sprintf("model %d %s", model, mn))},
				Batches: sec4Batches,
				Radii:   []float64{sec4Radius},
				Rates: func(_ stability.Site, k int) ([]stability.Rate, error) {
					var rs []stability.Rate
					for _, c := range sec4PaperRates[mn] {
						rs = append(rs, stability.Rate{Label: "paper", Value: c})
					}
					u, l := thresholds.Convergence(g, kOf(k)), thresholds.Divergence(g, kOf(k))
					for _, f := range sec4Factors {
						rs = append(rs, stability.Rate{Label: scaledLabel(f, "u"), Value: f * u})
					}
					for _, f := range sec4Factors {
						rs = append(rs, stability.Rate{Label: scaledLabel(f, "l"), Value: f * l})
					}
					return rs, nil
				},
				Runs: e.Runs, Iterations: e.Iters, Workers: e.Workers,
				// One seed per (model, minimizer) grid, derived from -seed.
				Seed: stability.CellSeed(e.Seed, 4000+cellIndex),
			}
			cellIndex++
			err = e.runGrid(fmt.Sprintf("section4/model%d/%s", model, mn), &grid, func(gc stability.GridCell, res *stability.CellResult) error {
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
	fmt.Fprintf(&b, "%d runs × %d iterations per cell, started uniformly in the disc of radius %g about the minimizer, "+
		"projected onto (−10,10)×(−20,15); 4 models × 2 minimizers × {SGD-1, GD} × (the paper's 6 rates + 10 rates "+
		"scaled to our u and l). *escaped*: left B(x*, 7.5) (half the distance between the minimizers) or touched the "+
		"box; *grew*: final distance ≥ 2× the start; *converged*: final distance < start. The growth statistics use the "+
		"window of iterations before any run touches the box or leaves B(x*, ε), ε = %g, the ball of the geometry. "+
		"Every cell with its statistics: [cells.csv](cells.csv) (section = section4; columns in [DATA.md](DATA.md)).\n\n",
		e.Runs, e.Iters, sec4Radius, paperEps)
	for _, mn := range qcMinimizers {
		var sub []cellRecord
		for _, c := range cells {
			if c.Minimizer == mn {
				sub = append(sub, c)
			}
		}
		e.verdicts = append(e.verdicts, judge("section4", mn+" minimizer", sub, true)...)
	}
	b.WriteString("**Calibration.** " + qcCalibration + " The onsets below therefore agree with §4.2 by construction " +
		"where the paper states one.\n\n")
	b.WriteString(sec4LemmaNote(cells))
	b.WriteString("### The paper's observations (§4.2) on our models\n\n")
	b.WriteString(sec4Transitions(cells))
	b.WriteString("\n### Figures\n\n")
	for _, f := range sec4FigureList {
		fmt.Fprintf(&b, "**%s.** %s\n\n![%s](%s)\n\n", f.title, f.caption, f.title, f.file)
	}
	e.Report(orderSection4, "Section 4: quadratic-circle sums (Figures 4–8)", b.String())
	return nil
}

// sec4LemmaNote explains the circular minimizer's one-step growth against
// Lemma 3.7's bounds: the bounds come from the geometry of B(0, ε), ε =
// 0.02, where only the broad walls have curvature (the fine walls, all
// inside the ball, add zero to the ball average by the divergence theorem),
// while the runs move at r ≈ 1e−8, on the fine walls.
func sec4LemmaNote(cells []cellRecord) string {
	var n, in, above int
	var ratios []float64
	var ex cellRecord
	for _, c := range cells {
		if c.Minimizer != "circular" || !(float64(c.LR) > float64(c.Divergence)) || c.GrowthWindow < 3 {
			continue
		}
		n++
		switch {
		case growthInBounds(c):
			in++
		case float64(c.GrowthStep) > float64(c.GrowthHi):
			above++
			ratios = append(ratios, float64(c.GrowthStep)/float64(c.GrowthHi))
			if ex.Runs == 0 {
				ex = c
			}
		}
	}
	if n == 0 {
		return ""
	}
	sort.Float64s(ratios)
	med := math.NaN()
	if len(ratios) > 0 {
		med = ratios[len(ratios)/2]
	}
	s := fmt.Sprintf("**Lemma 3.7 at the circular minimizer.** In %d of the %d testable cells with C > l the measured "+
		"one-step ratio of e_N lies in Lemma 3.7's [ρ_lo, ρ_hi] (within 2 s.e.); it lies below ρ_lo in %d and above ρ_hi in %d",
		in, n, n-in-above, above)
	if len(ratios) > 0 {
		s += fmt.Sprintf(" (median ratio to ρ_hi %s; for example model %d, k = %s, C = %s: %s against [%s, %s])",
			g4(med), ex.Model, ex.Batch, g4(float64(ex.LR)), g4(float64(ex.GrowthStep)), g4(float64(ex.GrowthLo)), g4(float64(ex.GrowthHi)))
	}
	s += ". The cause is the geometry the bounds are computed from: ρ_lo and ρ_hi are computed from (λ, s_f, t_f) averaged over " +
		"B(0, ε), ε = 0.02, where the curvature is that of the broad walls (the fine walls lie inside the ball and add " +
		"nothing to the ball average), but the runs start at r ≈ 1e−8 and move on the fine walls, whose curvature and " +
		"spread the ε = 0.02 geometry does not contain (Figure 4, right: F rises as r² there and as r³ near ε). The " +
		"divergence and exponential-growth verdicts at this minimizer test the ε-geometry's thresholds on motion they " +
		"do not describe.\n\n"
	return s
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
	{"Figure 4", "The expected objective F of the four models, one row per model. Left: log10(F − min F + δ) on the box (colour bar), " +
		"δ = 1e−6·(max F − min F); only the quadratic basin about (0, −15) shows, because the circular basin about (0, 0) (ring) is " +
		"about 1e−11 deep (Models 1, 2) or 3e−15 (Models 3, 4) below a plateau F ≈ 0.01. Right: the circular basin on its own scale, " +
		"F(r, 0) − F(0, 0) against r on logarithmic axes, r from 1e−9 to 1 along the ray from (0, 0) (F is radial there; the " +
		"difference is summed per component, without cancellation): the fine walls make F rise as r² from 1e−9 to 1e−5, the broad " +
		"walls as r³ beyond 1e−4. Dashed: the radius 1e−8 of the start disc (green) and ε = 0.02, the radius of the ball whose " +
		"geometry gives the thresholds (red).", "figure4.png"},
	{"Figure 5", "SGD-1 on Models 1 and 3 started near the circular minimizer: distance to it on a logarithmic axis, one faint line per run; " +
		"rows: the paper's learning rates; the two panels of a row share their range. Dashed red: the escape radius R = 7.5.", "figure5.png"},
	{"Figure 6", "As Figure 5 for SGD-1 on Models 1 and 2 started near the quadratic minimizer.", "figure6.png"},
	{"Figure 7", "As Figure 5 for gradient descent on Models 1 and 3 started near the circular minimizer.", "figure7.png"},
	{"Figure 8", "SGD-1 (left) and gradient descent (right) on Model 1 started near the quadratic minimizer: distance to the circular " +
		"minimizer (15 at the start). At C = 1 and 4 every run stays at the quadratic minimizer, so every line lies on 15; dashed red: " +
		"7.5, midway between the minimizers.", "figure8.png"},
}

func section4Figures(e *Env, runs map[sec4Key]sec4Runs) error {
	if err := figure4(e); err != nil {
		return err
	}
	type col struct {
		model int
		batch int
		other bool // distance to the other minimizer
	}
	figs := []struct {
		file      string
		minimizer string
		cols      []col
	}{
		{"figure5.png", "circular", []col{{1, 1, false}, {3, 1, false}}},
		{"figure6.png", "quadratic", []col{{1, 1, false}, {2, 1, false}}},
		{"figure7.png", "circular", []col{{1, sgdk.FullBatch, false}, {3, sgdk.FullBatch, false}}},
		{"figure8.png", "quadratic", []col{{1, 1, true}, {1, sgdk.FullBatch, true}}},
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
				method := "SGD-1 (k = 1)"
				if cl.batch == sgdk.FullBatch {
					method = "GD (k = ∞)"
				}
				title := fmt.Sprintf("Model %d, %s minimizer, %s, C = %s", cl.model, f.minimizer, method, g4(c))
				if cl.other {
					d = r.other
					title = fmt.Sprintf("Model %d, from quadratic min., %s, C = %s", cl.model, method, g4(c))
				}
				p, err := distancePanel(title, d, 7.5, i == 0)
				if err != nil {
					return err
				}
				if cl.other {
					p.Y.Label.Text = "distance to circular min."
				}
				grid[i][j] = p
			}
		}
		if err := saveGrid(e, f.file, grid, 3.4*vg.Inch, 2.1*vg.Inch, gridOptions{shareY: true}); err != nil {
			return err
		}
	}
	return nil
}

// figure4 draws, per model (one row each), log10(F − min F + δ) on the box
// (left) and, right, the circular basin on its own scale: log10 of
// F(r, 0) − F(0, 0) against log10 r along the ray from the circular
// minimizer, r from 1e−9 to 1. The basin is about 1e−11 deep (Models 1, 2)
// or 3e−15 (Models 3, 4), invisible at the scale of the box.
func figure4(e *Env) error {
	grid := make([][]*plot.Plot, 4)
	bars := map[*plot.Plot]*plot.Plot{}
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
		q, ok := p.(*paper.QuadCircle)
		if !ok {
			return fmt.Errorf("figure 4: model %d is a %T, not a *paper.QuadCircle", model, p)
		}
		prof, err := circularProfile(q, fmt.Sprintf("Model %d: circular basin, F(r,0) − F(0,0)", model))
		if err != nil {
			return err
		}
		heat, bar := heatPanel(fmt.Sprintf("Model %d: F on the box", model), gf, "log10(F − min F + δ)")
		bars[heat] = bar
		// Mark the circular minimizer, whose basin the box scale hides.
		mark, err := plotter.NewScatter(plotter.XYs{{X: 0, Y: 0}})
		if err != nil {
			return err
		}
		mark.GlyphStyle.Shape = draw.RingGlyph{}
		mark.GlyphStyle.Radius = vg.Points(4)
		mark.GlyphStyle.Color = color.NRGBA{R: 20, G: 60, B: 180, A: 255}
		heat.Add(mark)
		heat.Legend.Add("circular minimizer (0,0): right panel", mark)
		heat.Legend.Top = true
		grid[model-1] = []*plot.Plot{heat, prof}
	}
	return saveGrid(e, "figure4.png", grid, 3.8*vg.Inch, 3*vg.Inch, gridOptions{bars: bars})
}

// circularExcess returns F(x) − F(0, 0) of q without the cancellation of
// subtracting two values near F(0, 0) = 0.01: for a component whose circular
// basin h_i is active at both x and (0, 0), f_i(x) − f_i(0) = C1·(S(σ(x)) −
// S(σ(0))) is summed directly (the basin is ~1e−11 deep, 1e−9 relative to
// F(0, 0), and below float64 resolution for Models 3 and 4); otherwise the
// difference of f_i is used.
func circularExcess(q *paper.QuadCircle, x []float64) float64 {
	zero := []float64{0, 0}
	smooth := func(c paper.QuadCircleComponent, r float64) float64 {
		switch {
		case r <= c.C2:
			return 0
		case r >= c.C3:
			return 1
		}
		s := (r - c.C2) / (c.C3 - c.C2)
		return s * s * s * (s*(6*s-15) + 10)
	}
	r := math.Hypot(x[0], x[1])
	var d float64
	for i := range q.Len() {
		c := q.Params(i)
		if c.G(x) > c.H(x) && c.G(zero) > c.H(zero) {
			d += q.Weight(i) * c.C1 * (smooth(c, r) - smooth(c, 0))
		} else {
			d += q.Weight(i) * (c.Func(x) - c.Func(zero))
		}
	}
	return d
}

// circularProfile returns a panel of F(r, 0) − F(0, 0) against r, r from
// 1e−9 to 1, on logarithmic axes, with dashed vertical lines at the radius of the
// Section 4 start disc (sec4Radius) and at ε (paperEps), the radius of the
// ball whose geometry gives the thresholds.
func circularProfile(q *paper.QuadCircle, title string) (*plot.Plot, error) {
	const npts = 361 // log10 r from −9 to 0 in steps of 0.025
	xy := make(plotter.XYs, 0, npts)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for j := range npts {
		lr := -9 + 9*float64(j)/float64(npts-1)
		d := circularExcess(q, []float64{math.Pow(10, lr), 0})
		if !(d > 0) {
			continue
		}
		xy = append(xy, plotter.XY{X: math.Pow(10, lr), Y: d})
		ylo, yhi = math.Min(ylo, d), math.Max(yhi, d)
	}
	if len(xy) < 2 {
		return nil, fmt.Errorf("figure 4: %s: F(r, 0) − F(0, 0) is not positive", title)
	}
	p := newPanel(title, "r", "F(r,0) − F(0,0)")
	setLog(&p.X)
	setLog(&p.Y)
	l, err := plotter.NewLine(xy)
	if err != nil {
		return nil, err
	}
	l.Color = color.NRGBA{R: 20, G: 60, B: 180, A: 255}
	l.Width = vg.Points(1.2)
	p.Add(l)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.TextStyle.Font.Size = vg.Points(7)
	p.Legend.Add("F(r,0) − F(0,0)", l)
	for _, m := range []struct {
		r    float64
		name string
		col  color.Color
	}{
		{sec4Radius, "start disc, r = " + g4(sec4Radius), color.NRGBA{G: 140, A: 255}},
		{paperEps, "ball B(0, ε), ε = " + g4(paperEps), color.NRGBA{R: 200, A: 255}},
	} {
		v, err := plotter.NewLine(plotter.XYs{{X: m.r, Y: ylo}, {X: m.r, Y: yhi}})
		if err != nil {
			return nil, err
		}
		v.Color = m.col
		v.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		v.Width = vg.Points(0.8)
		p.Add(v)
		p.Legend.Add(m.name, v)
	}
	p.X.Min, p.X.Max = 1e-9, 1
	return p, nil
}
