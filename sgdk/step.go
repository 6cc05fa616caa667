package sgdk

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/floats"

	"github.com/flatminima/flatminima/problems"
)

// sgdPlan is the immutable, validated part of SGD-k on one problem: the
// components fetched once, the alias table built once, the settings. One plan
// is shared by all runs of an Ensemble; it is safe for concurrent use when the
// problem's components are (their methods only read shared state).
type sgdPlan struct {
	s       Settings
	dim, n  int
	k       int // FullBatch: gradient descent
	weights []float64
	comps   []problems.Component
	exp     problems.ExpectedGrader // nil: sum the components
	alias   *problems.Alias         // with replacement and k ≤ Len
	multi   *problems.Multinomial   // with replacement and k > Len
	batch   problems.BatchGrader    // nil: sum the component gradients
}

// newSGDPlan validates s for p and prepares the shared state. It allocates
// O(Len) once; nothing is allocated per iteration afterwards.
func newSGDPlan(p problems.Problem, s Settings) (*sgdPlan, error) {
	if err := validateSettings(p, s); err != nil {
		return nil, err
	}
	pl := &sgdPlan{s: s, dim: p.Dim(), n: p.Len(), k: s.BatchSize}
	pl.weights = make([]float64, pl.n)
	pl.comps = make([]problems.Component, pl.n)
	for i := range pl.n {
		pl.weights[i] = p.Weight(i)
		pl.comps[i] = p.Component(i)
	}
	if bg, ok := p.(problems.BatchGrader); ok {
		pl.batch = bg
	}
	if pl.k == FullBatch {
		if eg, ok := p.(problems.ExpectedGrader); ok {
			pl.exp = eg
		}
	} else if !s.WithoutReplacement && pl.k > pl.n {
		m, err := problems.NewMultinomial(pl.weights)
		if err != nil {
			return nil, fmt.Errorf("sgdk: problem weights: %w", err)
		}
		pl.multi = m
	} else if !s.WithoutReplacement {
		a, err := problems.NewAlias(pl.weights)
		if err != nil {
			return nil, fmt.Errorf("sgdk: problem weights: %w", err)
		}
		pl.alias = a
	}
	return pl, nil
}

// sgdWork is the scratch of one goroutine running a plan.
type sgdWork struct {
	dir  []float64 // Σ_j ∇f_{ξ_j}(x), or ∇F(x) for full batch
	tmp  []float64 // one component gradient
	next []float64 // the candidate iterate before projection
	perm []int     // permutation for sampling without replacement

	counts []float64 // the batch's multinomial counts when k > Len
	idx    []int     // the batch's indices, for a problems.BatchGrader
}

func (pl *sgdPlan) newWork() *sgdWork {
	w := &sgdWork{
		dir:  make([]float64, pl.dim),
		tmp:  make([]float64, pl.dim),
		next: make([]float64, pl.dim),
	}
	if pl.k != FullBatch && pl.s.WithoutReplacement {
		w.perm = make([]int, pl.n)
		resetPerm(w.perm)
	}
	if pl.multi != nil {
		w.counts = make([]float64, pl.n)
	} else if pl.batch != nil && pl.k != FullBatch && !pl.s.WithoutReplacement {
		w.idx = make([]int, pl.k)
	}
	return w
}

// direction writes into w.dir the search direction at x and returns the
// factor by which C_n multiplies it: ∇F(x) with factor 1 for full batch,
// else Σ_{j=1..k} ∇f_{ξ_j}(x) with factor 1/k (eq. (8) corrected), or the
// batch mean with factor 1 from a problems.BatchGrader. With
// replacement, k ≤ Len draws k alias samples and k > Len draws the batch's
// multinomial counts, so a step never costs more than Len gradients.
func (pl *sgdPlan) direction(w *sgdWork, x []float64, rnd *rand.Rand) float64 {
	switch {
	case pl.k == FullBatch && pl.exp != nil:
		pl.exp.ExpectedGrad(w.dir, x)
		return 1
	case pl.k == FullBatch:
		clear(w.dir)
		for i, c := range pl.comps {
			c.Grad(w.tmp, x)
			floats.AddScaled(w.dir, pl.weights[i], w.tmp)
		}
		return 1
	case pl.s.WithoutReplacement && pl.batch != nil:
		drawDistinct(w.perm, pl.k, rnd)
		pl.batch.BatchGrad(w.dir, x, w.perm[:pl.k])
		return 1
	case pl.s.WithoutReplacement:
		drawDistinct(w.perm, pl.k, rnd)
		clear(w.dir)
		for _, i := range w.perm[:pl.k] {
			pl.comps[i].Grad(w.tmp, x)
			floats.Add(w.dir, w.tmp)
		}
	case pl.multi != nil:
		// The batch as its multinomial counts: at most N gradients whatever
		// k is, the same law as k independent draws.
		pl.multi.Counts(w.counts, pl.k, rnd)
		clear(w.dir)
		for i, c := range w.counts {
			if c == 0 {
				continue
			}
			pl.comps[i].Grad(w.tmp, x)
			floats.AddScaled(w.dir, c, w.tmp)
		}
	case pl.batch != nil:
		// The same draws as below, evaluated as one batch (the mean).
		for j := range w.idx {
			w.idx[j] = pl.alias.Sample(rnd)
		}
		pl.batch.BatchGrad(w.dir, x, w.idx)
		return 1
	default:
		clear(w.dir)
		for range pl.k {
			pl.comps[pl.alias.Sample(rnd)].Grad(w.tmp, x)
			floats.Add(w.dir, w.tmp)
		}
	}
	return 1 / float64(pl.k)
}

// step computes x_n = Proj(x_{n−1} − C_n·direction) in place in x, where x
// holds x_{n−1} on entry. It returns false, leaving x unchanged, when the
// unprojected candidate is not finite (the run diverged at iteration n). The
// candidate is checked before projection so that an overflow is reported as
// divergence even when the box would clip it back.
func (pl *sgdPlan) step(w *sgdWork, x []float64, c float64, rnd *rand.Rand) bool {
	scale := c * pl.direction(w, x, rnd)
	for d, v := range x {
		u := v - scale*w.dir[d]
		if math.IsNaN(u) || math.IsInf(u, 0) {
			return false
		}
		w.next[d] = u
	}
	if pl.s.Bounds != nil {
		pl.s.Bounds.Project(w.next)
	}
	copy(x, w.next)
	return true
}
