package main

import (
	"fmt"
	"math"
)

// defaultMaxMem is the default memory budget (-maxmem), in GiB.
const defaultMaxMem = 4

// memoryEstimate returns an upper estimate, in bytes, of the memory a run
// of the named sections needs with runs runs of iters iterations per cell.
// The terms (float64 arithmetic, so no flag value overflows it):
//
//   - a base of 256 MiB: the program, the geometry estimates, the figures'
//     canvases;
//   - per cell being computed: its distance and energy rows (3 per run, of
//     iters+1 float64s) three times (the result, its encoding and the
//     checkpoint record), and the start and final iterates (2 per run, at
//     most 100 coordinates: Styblinski–Tang Model 3);
//   - the distances kept for Figures 5–8 (96 cells × 2 rows per run) and
//     Figures 9–12 (96 cells × 1 row), and the points of the panels of the
//     largest figure (16 panels × 16 bytes per iterate and run);
//   - the "beyond" section's escape runs: about 4 KiB per run;
//
// all but the base doubled, for the garbage collector's headroom (GOGC =
// 100 lets the heap grow to twice the live data). Measured: -only section4
// -runs 2000 -iters 50 peaks at 519 MiB resident against an estimate of
// 625 MiB.
func memoryEstimate(runs, iters int, sections []string) float64 {
	r, row := float64(runs), 8*(float64(iters)+1)
	est := 256.0 * (1 << 20)
	perCell := r * (9*row + 2*100*8)
	kept := 0.0
	for _, s := range sections {
		switch s {
		case "tables":
		case "section2":
			kept += 10 * row
		case "section4":
			kept += 96*2*r*row + 16*r*2*row
		case "section5":
			kept += 96*r*row + 16*r*2*row
		case "beyond":
			kept += r * 4096
		default:
			kept += 96*2*r*row + 16*r*2*row
		}
	}
	return est + 2*(perCell+kept)
}

// checkMemory refuses a run whose memoryEstimate exceeds maxGiB GiB.
func checkMemory(runs, iters int, sections []string, maxGiB float64) error {
	if !(maxGiB > 0) || math.IsInf(maxGiB, 0) {
		return fmt.Errorf("-maxmem = %v must be a positive number of GiB", maxGiB)
	}
	est := memoryEstimate(runs, iters, sections)
	if est > maxGiB*(1<<30) {
		return fmt.Errorf("-runs %d with -iters %d needs about %s of memory, above the budget -maxmem = %g GiB: "+
			"lower -runs or -iters, or raise -maxmem on a machine with more memory", runs, iters, bytesString(est), maxGiB)
	}
	return nil
}

// bytesString formats a number of bytes with a binary prefix.
func bytesString(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return fmt.Sprintf("%.3g %s", b, units[i])
}
