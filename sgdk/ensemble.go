package sgdk

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"

	"github.com/flatminima/flatminima/problems"
)

// Ensemble describes Runs independent runs of SGD-k on one problem with the
// same Settings, started at points drawn uniformly in the ball
// B(Center, Radius) (or at the given Starts), recording at every iterate the
// Euclidean distance to each Watch point and, optionally, a Measure.
//
// Run index i uses its own random stream problems.Stream(Seed, i): it first
// draws its start point (when Starts is nil), then its batches, from a fresh
// state (sampling without replacement starts from the identity permutation in
// every run). Results are therefore a function of the fields alone and are
// bit-identical for every Workers value.
//
// The trajectories are kept in memory: about
// 8·Runs·(W·(Iterations+1) + 2·Dim) bytes, W = len(Watch) (+1 with a
// Measure). Run refuses, with the size in the error, an ensemble above
// EnsembleMemoryBudget.
type Ensemble struct {
	// Problem is the stochastic problem; its components are fetched once and
	// shared by the workers, so their methods must be safe for concurrent
	// use (the problems of package problems are).
	Problem problems.Problem

	// Settings of every run. A Step schedule must be safe for concurrent use.
	Settings Settings

	// Runs is the number of independent runs, at least 1.
	Runs int

	// Seed selects the random streams.
	Seed uint64

	// Workers is the number of goroutines; 0 means runtime.GOMAXPROCS(0).
	// It does not change the results.
	Workers int

	// Center and Radius define the ball B(Center, Radius) in which the start
	// points are drawn uniformly: θ = c + r·U^{1/p}·z/‖z‖ with z ~ N(0, I_p),
	// U ~ U(0, 1). Radius = 0 starts every run at Center. The ball must lie
	// within half the float64 range, Radius + max_d |Center_d| ≤
	// math.MaxFloat64/2, so that every start is finite. They are ignored
	// when Starts is set.
	Center []float64
	Radius float64

	// Starts, when not nil, gives the start point of every run explicitly
	// (len(Starts) = Runs); the points are not modified.
	Starts [][]float64

	// Watch lists the points whose distance to every iterate is recorded
	// (for example the minimizers of the problem). It may be empty.
	Watch [][]float64

	// Measure, when not nil, is evaluated at every iterate, for example the
	// error e_N = (x_N − x*)'H(x_N − x*) of Lemma 3.6. It is called from
	// several goroutines at once, so it must be safe for concurrent use, and
	// it must not modify or retain x.
	Measure func(x []float64) float64
}

// EnsembleResult holds the trajectories of an Ensemble. Index run is the run
// index, iter the iteration 0..Iterations (0 is the start point).
//
// After a run diverges at iteration n (Diverged[run], DivergedAt[run] = n),
// its distances and measures at iterations n..Iterations are +Inf: a diverged
// run is never reported as NaN. A Measure value that is itself NaN is stored
// as it is.
type EnsembleResult struct {
	// Distances[w][run][iter] is ‖x_iter − Watch[w]‖₂.
	Distances [][][]float64

	// Measures[run][iter] is Measure(x_iter); nil when Measure is nil.
	Measures [][]float64

	// Starts[run] is the start point and Final[run] the last finite iterate.
	Starts, Final [][]float64

	// Iterations[run] is the number of steps completed.
	Iterations []int

	// Diverged[run] reports whether the run produced a non-finite iterate,
	// at iteration DivergedAt[run] (0 when it did not diverge).
	Diverged   []bool
	DivergedAt []int
}

// EnsembleMemoryBudget is the most memory, in bytes (4 GiB), that the
// results of one Ensemble may hold; see Ensemble.
const EnsembleMemoryBudget = 4 << 30

// DivergedCount returns the number of runs that diverged.
func (r *EnsembleResult) DivergedCount() int {
	n := 0
	for _, d := range r.Diverged {
		if d {
			n++
		}
	}
	return n
}

// validate checks the fields of e and returns the plan, naming the bad field
// on error.
func (e *Ensemble) validate() (*sgdPlan, error) {
	if e.Problem == nil {
		return nil, errors.New("sgdk: Ensemble.Problem is nil")
	}
	pl, err := newSGDPlan(e.Problem, e.Settings)
	if err != nil {
		return nil, err
	}
	if e.Runs < 1 {
		return nil, fmt.Errorf("sgdk: Ensemble.Runs = %d is not positive", e.Runs)
	}
	if e.Workers < 0 {
		return nil, fmt.Errorf("sgdk: Ensemble.Workers = %d is negative", e.Workers)
	}
	if e.Starts != nil {
		if len(e.Starts) != e.Runs {
			return nil, fmt.Errorf("sgdk: len(Ensemble.Starts) = %d, Runs = %d", len(e.Starts), e.Runs)
		}
		for i, x := range e.Starts {
			if err := checkStart(x, pl.dim, fmt.Sprintf("Ensemble.Starts[%d]", i)); err != nil {
				return nil, err
			}
		}
	} else {
		if err := checkStart(e.Center, pl.dim, "Ensemble.Center"); err != nil {
			return nil, err
		}
		if !(e.Radius >= 0) || math.IsInf(e.Radius, 1) {
			return nil, fmt.Errorf("sgdk: Ensemble.Radius = %v is not finite and nonnegative", e.Radius)
		}
		if c := floats.Norm(e.Center, math.Inf(1)); !(e.Radius+c <= math.MaxFloat64/2) {
			return nil, fmt.Errorf("sgdk: Ensemble.Radius = %v with max|Center| = %v puts start points beyond half the float64 range (Radius + max|Center| ≤ %v)", e.Radius, c, math.MaxFloat64/2)
		}
	}
	for w, x := range e.Watch {
		if err := checkStart(x, pl.dim, fmt.Sprintf("Ensemble.Watch[%d]", w)); err != nil {
			return nil, err
		}
	}
	series := len(e.Watch)
	if e.Measure != nil {
		series++
	}
	// In float64, so that the product cannot overflow.
	perRun := float64(series)*(float64(e.Settings.Iterations)+1) + 2*float64(pl.dim)
	if bytes := 8 * float64(e.Runs) * perRun; bytes > EnsembleMemoryBudget {
		return nil, fmt.Errorf("sgdk: Ensemble needs about %.3g GiB for Runs = %d × (%d recorded series × (Iterations+1) = %d + 2·Dim = %d) float64s, above EnsembleMemoryBudget = 4 GiB",
			bytes/(1<<30), e.Runs, series, e.Settings.Iterations+1, 2*pl.dim)
	}
	// The schedule is deterministic: check every step once here instead of
	// failing in every run.
	for n := 1; n <= e.Settings.Iterations; n++ {
		if _, err := checkStep(e.Settings.Step, n); err != nil {
			return nil, err
		}
	}
	return pl, nil
}

// Run runs the ensemble and returns its trajectories. It returns an error
// naming the field for invalid input (see Ensemble and the function Run); a
// diverging run is not an error. Memory is O((len(Watch)+1)·Runs·Iterations).
func (e *Ensemble) Run() (*EnsembleResult, error) {
	pl, err := e.validate()
	if err != nil {
		return nil, err
	}
	runs, iters := e.Runs, e.Settings.Iterations
	res := &EnsembleResult{
		Distances:  make([][][]float64, len(e.Watch)),
		Starts:     make([][]float64, runs),
		Final:      make([][]float64, runs),
		Iterations: make([]int, runs),
		Diverged:   make([]bool, runs),
		DivergedAt: make([]int, runs),
	}
	for w := range res.Distances {
		res.Distances[w] = ensembleRows(runs, iters+1)
	}
	if e.Measure != nil {
		res.Measures = ensembleRows(runs, iters+1)
	}
	errs := make([]error, runs)
	problems.Parallel(runs, e.Workers, func() func(int) {
		work := pl.newWork()
		return func(i int) { errs[i] = e.runOne(pl, work, i, res) }
	})
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return res, nil
}

// runOne performs run i and fills its entries of res.
func (e *Ensemble) runOne(pl *sgdPlan, work *sgdWork, i int, res *EnsembleResult) error {
	rnd := problems.Stream(e.Seed, uint64(i))
	x := make([]float64, pl.dim)
	if e.Starts != nil {
		copy(x, e.Starts[i])
	} else {
		problems.BallPoint(x, e.Center, e.Radius, rnd)
	}
	res.Starts[i] = append([]float64(nil), x...)
	rec := func(iter int, x []float64) bool {
		for w, c := range e.Watch {
			res.Distances[w][i][iter] = floats.Distance(x, c, 2)
		}
		if e.Measure != nil {
			res.Measures[i][iter] = e.Measure(x)
		}
		return true
	}
	r, err := pl.run(work, x, rnd, rec)
	if err != nil {
		return err
	}
	res.Final[i] = r.X
	res.Iterations[i] = r.Iterations
	res.Diverged[i] = r.Diverged
	res.DivergedAt[i] = r.DivergedAt
	if r.Diverged {
		inf := math.Inf(1)
		for w := range e.Watch {
			for n := r.DivergedAt; n <= pl.s.Iterations; n++ {
				res.Distances[w][i][n] = inf
			}
		}
		if e.Measure != nil {
			for n := r.DivergedAt; n <= pl.s.Iterations; n++ {
				res.Measures[i][n] = inf
			}
		}
	}
	return nil
}

// ensembleRows returns rows×cols float64s as rows slices of one backing array.
func ensembleRows(rows, cols int) [][]float64 {
	data := make([]float64, rows*cols)
	out := make([][]float64, rows)
	for i := range out {
		out[i] = data[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return out
}
