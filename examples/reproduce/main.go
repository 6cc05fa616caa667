// Command reproduce reproduces the experiments, tables and figures of Patel,
// "The Impact of Local Geometry and Batch Size on Stochastic Gradient Descent
// for Nonconvex Problems", and the library's comparisons beyond the paper.
//
// Usage:
//
//	go run ./examples/reproduce [-out results] [-runs 100] [-iters 20] [-seed 1] [-only section] [-workers n]
//
// Every number depends only on the seed (the paper's models keep their own
// documented seeds), never on -workers.
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
	flag.Parse()
	if err := run(e, *only); err != nil {
		fmt.Fprintln(os.Stderr, "reproduce:", err)
		os.Exit(1)
	}
}

func run(e *Env, only string) error {
	if e.Runs < 1 {
		return fmt.Errorf("-runs = %d must be at least 1", e.Runs)
	}
	if e.Iters < 1 {
		return fmt.Errorf("-iters = %d must be at least 1", e.Iters)
	}
	if e.Workers < 1 {
		return fmt.Errorf("-workers = %d must be at least 1", e.Workers)
	}
	found := only == ""
	for _, s := range registry {
		found = found || s.name == only
	}
	if !found {
		return fmt.Errorf("-only %q is not a section", only)
	}
	if err := os.MkdirAll(e.Out, 0o755); err != nil {
		return err
	}
	for _, s := range registry {
		if only != "" && s.name != only {
			continue
		}
		e.Progress("section %s", s.name)
		if err := s.run(e); err != nil {
			return fmt.Errorf("section %s: %w", s.name, err)
		}
	}
	if err := e.writeReport(); err != nil {
		return err
	}
	e.Progress("wrote %s", e.Out)
	return nil
}
