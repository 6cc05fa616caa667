// Command scale times the heavy paths of this library on the tanh
// cross-entropy MLP 64-hidden-10 on the standardized digits (p = 2410 for a
// hidden width of 32, 112,510 for 1500), trained to x* by learning.Train:
//
//	go run ./examples/torchcompare/scale -hidden 32 -mode linearize
//	go run ./examples/torchcompare/scale -hidden 32 -mode estimate
//	go run ./examples/torchcompare/scale -hidden 32 -mode eigs -r 10
//
// linearize: the geometry at x* (geometry.Linearize, compressed onto the top
// r eigenvectors of H): the top r λ, s and t of the linearization, and
// C*(k) for k = 1, 8, 64, ∞. estimate: the matrix-free geometry.Estimate at
// its default Samples. eigs: the top r Hessian eigenvalues by spectral.Top
// on geometry.HessianOperator at Init(1), for comparison with hvp.py's
// eigsh. Each reports wall and CPU time (the process's user+system time), so
// that timings on a shared machine can be judged; run it under
// /usr/bin/time -v for the peak memory.
package main

import (
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"runtime/pprof"
	"syscall"
	"time"

	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems/learning"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func start() (time.Time, time.Duration) { return time.Now(), cpu() }

func report(name string, w0 time.Time, c0 time.Duration) {
	fmt.Printf("%-28s wall %8.3f s   cpu %8.3f s\n", name, time.Since(w0).Seconds(), (cpu() - c0).Seconds())
}

func main() {
	hidden := flag.Int("hidden", 32, "hidden width")
	mode := flag.String("mode", "linearize", "linearize, estimate or eigs")
	r := flag.Int("r", 20, "number of eigenpairs (eigs)")
	tol := flag.Float64("tol", 1e-8, "relative residual tolerance of Lanczos (eigs)")
	nomult := flag.Bool("nomult", false, "skip Lanczos' multiplicity check (eigs)")
	l2 := flag.Float64("l2", 0, "L2 coefficient of the MLP")
	iters := flag.Int("iters", 300, "L-BFGS iterations of the training")
	prof := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	d, err := learning.Digits()
	if err != nil {
		log.Fatal(err)
	}
	d.Standardize()
	m, err := learning.NewMLP(d.X, d.Labels, learning.MLPConfig{Hidden: []int{*hidden}, L2: *l2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("MLP 64-%d-10, p = %d, N = %d\n", *hidden, m.Dim(), m.Len())
	x := m.Init(1)
	if *mode == "eigs" {
		op, err := geometry.HessianOperator(m, x)
		if err != nil {
			log.Fatal(err)
		}
		w0, c0 := start()
		top, err := spectral.Top(op, *r, spectral.Settings{Seed: 1, Tol: *tol, NoMultiplicityCheck: *nomult})
		if err != nil {
			log.Fatal(err)
		}
		report(fmt.Sprintf("top-%d eigenvalues", *r), w0, c0)
		fmt.Printf("%d Hessian-vector products; λ_1..λ_%d = %.6g\n", top.Steps, *r, top.Values)
		return
	}

	w0, c0 := start()
	res, err := m.Train(x, &optimize.Settings{MajorIterations: *iters, GradientThreshold: 1e-8})
	if err != nil {
		log.Printf("training: %v (continuing from its last point)", err)
	}
	x = res.X
	g := make([]float64, m.Dim())
	m.ExpectedGrad(g, x)
	var gi float64
	for _, v := range g {
		gi = math.Max(gi, math.Abs(v))
	}
	report(fmt.Sprintf("train (%d iterations)", res.Stats.MajorIterations), w0, c0)
	fmt.Printf("F(x*) = %.6g, ‖∇F(x*)‖_∞ = %.3g\n", m.ExpectedFunc(x), gi)

	switch *mode {
	case "linearize":
		// With ball nil the Hessians are taken at x* and r = DefaultMaxRank.
		w0, c0 = start()
		lin, err := geometry.Linearize(m, x, nil)
		if err != nil {
			log.Fatal(err)
		}
		report("linearize at x*", w0, c0)
		loc, err := lin.Local()
		if err != nil {
			log.Printf("Local: %v", err)
		}
		if loc != nil {
			fmt.Printf("λ_1..λ_%d = %.5g\ns = %.5g, t = %.5g\n", len(loc.Eigenvalues), loc.Eigenvalues, loc.S, loc.T)
		}
		for _, k := range []float64{1, 8, 64, math.Inf(1)} {
			c, err := lin.MeanSquare(k)
			fmt.Printf("C*(%v) = %.6g  %v\n", k, c, errString(err))
		}
		fmt.Printf("indefinite compressed components: %d of %d\n", len(lin.Subspace.Indefinite), m.Len())
		report("linearize + thresholds", w0, c0)
	case "estimate":
		w0, c0 = start()
		loc, err := geometry.Estimate(m, x, geometry.Settings{Seed: 1})
		report("Estimate (matrix-free)", w0, c0)
		if err != nil {
			log.Printf("Estimate: %v", err)
		}
		if loc != nil {
			fmt.Printf("path %v, samples %d, m = %d, λ = %.5g\ns = %.5g ± %.2g, t = %.5g ± %.2g, trace %.5g ± %.2g\n",
				loc.Path, loc.Samples, loc.M, loc.Eigenvalues, loc.S, loc.SErr, loc.T, loc.TErr, loc.Trace, loc.TraceErr)
		}
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return "(" + err.Error() + ")"
}
