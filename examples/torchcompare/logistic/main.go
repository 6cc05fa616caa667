// Command logistic times geometry.Estimate on ridge logistic regression:
//
//	go run ./examples/torchcompare/logistic -mode cancer
//	go run ./examples/torchcompare/logistic -mode dense -p 100 -n 200 -out /tmp/lg
//	/usr/bin/python3 examples/torchcompare/dense.py /tmp/lg
//
// cancer: the default Estimate at the minimizer of ridge (1e-2) logistic
// regression on the standardized Wisconsin breast cancer data, with the
// intercept column penalized and unpenalized (p = 31, N = 569), timed.
// dense: the rank-one path (geometry.PathRankOne), or with -path dense the
// generic dense path (geometry.PathDense, every component Hessian a p×p
// matrix), on random data of the given size, timed per point with one
// worker; it writes the data, the center and the sample points so that
// dense.py repeats the same per-point work with numpy.
// Both report wall and CPU time (user + system) of this process.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"syscall"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/problems/learning"
)

func cpu() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func main() {
	mode := flag.String("mode", "cancer", "cancer or dense")
	p := flag.Int("p", 100, "dimension (dense)")
	n := flag.Int("n", 200, "samples (dense)")
	samples := flag.Int("samples", 200, "ball points (dense)")
	path := flag.String("path", "rank-one", "rank-one or dense: the geometry path timed (dense)")
	out := flag.String("out", "", "folder for dense.py's inputs (dense)")
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
	switch *mode {
	case "cancer":
		cancer()
	case "dense":
		dense(*p, *n, *samples, *path, *out)
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
}

func cancer() {
	d, err := learning.BreastCancer()
	if err != nil {
		log.Fatal(err)
	}
	d.Standardize()
	rows, cols := d.X.Dims()
	a := mat.NewDense(rows, cols+1, nil)
	a.Slice(0, rows, 0, cols).(*mat.Dense).Copy(d.X)
	for i := range rows {
		a.Set(i, cols, 1)
	}
	y := make([]float64, rows)
	for i, l := range d.Labels {
		y[i] = float64(l)
	}
	for _, icpt := range []bool{false, true} {
		var lg *learning.Logistic
		if icpt {
			lg, err = learning.NewLogisticIntercept(a, y, nil, 1e-2, cols)
		} else {
			lg, err = learning.NewLogistic(a, y, nil, 1e-2)
		}
		if err != nil {
			log.Fatal(err)
		}
		x, err := lg.Minimizer()
		if err != nil {
			log.Fatal(err)
		}
		w0, c0 := time.Now(), cpu()
		loc, err := geometry.Estimate(lg, x, geometry.Settings{Seed: 1})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("breast cancer, p = %d, N = %d, unpenalized intercept %v: Estimate (path %v, %d points) wall %.3f s, cpu %.3f s\n",
			lg.Dim(), lg.Len(), icpt, loc.Path, loc.Samples, time.Since(w0).Seconds(), (cpu() - c0).Seconds())
		fmt.Printf("  λ_1 = %.5g, λ_m = %.5g (m = %d), s = %.5g ± %.2g, t = %.5g ± %.2g\n",
			loc.Eigenvalues[0], loc.Eigenvalues[loc.M-1], loc.M, loc.S, loc.SErr, loc.T, loc.TErr)
	}
}

func dense(p, n, samples int, path, out string) {
	gp := geometry.PathRankOne
	switch path {
	case "rank-one":
	case "dense":
		gp = geometry.PathDense
	default:
		log.Fatalf("unknown path %q", path)
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	a := mat.NewDense(n, p, nil)
	y := make([]float64, n)
	for i := range n {
		for j := range p {
			a.Set(i, j, rnd.NormFloat64()/math.Sqrt(float64(p)))
		}
		y[i] = float64(rnd.IntN(2))
	}
	const ridge = 1e-2
	lg, err := learning.NewLogistic(a, y, nil, ridge)
	if err != nil {
		log.Fatal(err)
	}
	x, err := lg.Minimizer()
	if err != nil {
		log.Fatal(err)
	}
	set := geometry.Settings{Path: gp, Samples: samples, Seed: 1, Workers: 1}
	best := math.Inf(1)
	var loc *geometry.Local
	for range 3 {
		w0 := time.Now()
		loc, err = geometry.Estimate(lg, x, set)
		if err != nil {
			log.Fatal(err)
		}
		best = math.Min(best, time.Since(w0).Seconds())
	}
	fmt.Printf("%v path, p = %d, N = %d, %d points, 1 worker: best of 3 %.3f s, %.2f ms per point\n", gp, p, n, samples, best, 1e3*best/float64(samples))
	fmt.Printf("  s = %.10g, t = %.10g\n", loc.S, loc.T)
	if out == "" {
		return
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		log.Fatal(err)
	}
	write := func(name string, v []float64) {
		f, err := os.Create(filepath.Join(out, name))
		if err != nil {
			log.Fatal(err)
		}
		if err := binary.Write(f, binary.LittleEndian, v); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}
	write("a.bin", a.RawMatrix().Data)
	write("y.bin", y)
	write("x.bin", x)
	js, _ := json.Marshal(map[string]any{"p": p, "n": n, "ridge": ridge, "radius": loc.Radius, "samples": samples, "path": path,
		"go_ms_per_point": 1e3 * best / float64(samples), "s": loc.S, "t": loc.T})
	if err := os.WriteFile(filepath.Join(out, "go.json"), js, 0o644); err != nil {
		log.Fatal(err)
	}
}
