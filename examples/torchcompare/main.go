// Command torchcompare writes, for the tanh cross-entropy MLPs 64-32-10 and
// 64-1500-10 on the standardized digits, parameters θ, a direction v, and
// this library's full-batch F(θ), ∇F(θ) and ∇²F(θ)v with the least and
// median times of one HVP, one gradient and the top 10 (64-32-10) or 20
// (64-1500-10) Hessian eigenvalues (spectral.Top on
// geometry.HessianOperator), so that hvp.py in this folder can compare them
// with PyTorch's autograd (and scipy's eigsh) on the same machine:
//
//	go run ./examples/torchcompare -out /tmp/tc
//	/usr/bin/python3 examples/torchcompare/hvp.py /tmp/tc   # Debian python3-torch, python3-numpy
//
// Vectors are written as raw little-endian float64 (numpy.fromfile), the
// rest as go.json. Nothing in the module depends on Python.
//
// hvp.py runs PyTorch and its BLAS on one thread (its --threads flag), so a
// like-for-like comparison runs this command with GOMAXPROCS=1 (gonum's
// pure-Go Dgemm and the MLP's blocks of samples use GOMAXPROCS goroutines),
// with OpenBLAS as below also with OPENBLAS_NUM_THREADS=1, and states
// GOMAXPROCS otherwise.
//
// The sibling commands time the rest: ./scale the geometry and thresholds
// of the trained network and the matrix-free Estimate, ./logistic the
// logistic-regression paths (with dense.py, the same per-point work in
// numpy).
//
// To time with OpenBLAS (Debian libopenblas-dev) instead of gonum's pure-Go
// BLAS without adding a dependency to this module, build a copy of a
// command in a throwaway module that replaces this one by its path and
// plugs the native BLAS in from an init function:
//
//	// go.mod: require gonum.org/v1/netlib …;
//	//         replace github.com/flatminima/flatminima => /path/to/flatminima
//	func init() { blas64.Use(netlib.Implementation{}) } // gonum.org/v1/netlib/blas/netlib
//
//	CGO_LDFLAGS=-lopenblas go build …
//
// and run it with OPENBLAS_NUM_THREADS=1 where the library already runs
// its own workers (geometry.Estimate), or OpenBLAS's threads and the
// workers oversubscribe the cores.
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/flatminima/flatminima/geometry"
	"github.com/flatminima/flatminima/geometry/spectral"
	"github.com/flatminima/flatminima/problems/learning"
)

func main() {
	out := flag.String("out", "torchcompare", "output folder")
	reps := flag.Int("reps", 10, "timed repetitions (the median is reported)")
	eigTol := flag.Float64("eigtol", 1e-8, "relative residual tolerance of the top eigenpairs (eigsh's tol is relative too)")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	d, err := learning.Digits()
	if err != nil {
		log.Fatal(err)
	}
	d.Standardize()
	summary := map[string]any{}
	for _, h := range []int{32, 1500} {
		m, err := learning.NewMLP(d.X, d.Labels, learning.MLPConfig{Hidden: []int{h}})
		if err != nil {
			log.Fatal(err)
		}
		theta, v := m.Init(1), m.Init(2)
		grad := make([]float64, m.Dim())
		hv := make([]float64, m.Dim())
		f := m.ExpectedFunc(theta)
		m.ExpectedGrad(grad, theta)
		m.ExpectedHessVec(hv, theta, v)
		name := fmt.Sprintf("h%d", h)
		for suffix, x := range map[string][]float64{"theta": theta, "v": v, "grad": grad, "hv": hv} {
			if err := write(filepath.Join(*out, name+"_"+suffix+".bin"), x); err != nil {
				log.Fatal(err)
			}
		}
		hvpMin, hvpMed := timing(*reps, func() { m.ExpectedHessVec(hv, theta, v) })
		gradMin, gradMed := timing(*reps, func() { m.ExpectedGrad(grad, theta) })
		// The top k eigenvalues of ∇²F(θ) by Lanczos on the full-batch
		// Hessian-vector product, as hvp.py does with scipy's eigsh.
		k := 10
		if h > 100 {
			k = 20
		}
		op, err := geometry.HessianOperator(m, theta)
		if err != nil {
			log.Fatal(err)
		}
		var top *spectral.Eigen
		eigMin, eigMed := timing(max(1, *reps/5), func() {
			if top, err = spectral.Top(op, k, spectral.Settings{Seed: 1, Tol: *eigTol}); err != nil {
				log.Fatal(err)
			}
		})
		summary[name] = map[string]any{
			"hidden": h, "p": m.Dim(), "f": f,
			"hvp_seconds": hvpMed, "hvp_min_seconds": hvpMin,
			"grad_seconds": gradMed, "grad_min_seconds": gradMin,
			"eigs_k": k, "eigs_seconds": eigMed, "eigs_min_seconds": eigMin,
			"eigs_values": top.Values, "eigs_steps": top.Steps,
		}
	}
	b, err := json.MarshalIndent(summary, "", "  ")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*out, "go.json"), b, 0o644); err != nil {
		log.Fatal(err)
	}
	os.Stdout.Write(append(b, '\n'))
}

func write(path string, x []float64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := binary.Write(f, binary.LittleEndian, x); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// timing returns the least and the median wall time of reps calls of fn,
// after one warm-up. On a shared machine the least is the better estimate of
// the cost.
func timing(reps int, fn func()) (least, median float64) {
	fn()
	t := make([]float64, reps)
	for i := range t {
		start := time.Now()
		fn()
		t[i] = time.Since(start).Seconds()
	}
	slices.Sort(t)
	return t[0], t[reps/2]
}
