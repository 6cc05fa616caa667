package learning_test

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems/learning"
)

// FuzzNewLeastSquares: a 2×2 data matrix with fuzzed entries. Accepted data
// have a finite expected Hessian (an entry of 1e200 once gave +Inf); refused
// data get an error naming the argument.
func FuzzNewLeastSquares(f *testing.F) {
	f.Add(1.0, 2.0, 3.0, 4.0, 0.5, -1.0)
	f.Add(1e200, 2.0, 3.0, 4.0, 0.5, -1.0)
	f.Add(math.NaN(), 2.0, 3.0, 4.0, 0.5, -1.0)
	f.Add(1e153, -1e153, 1e153, 1e153, 1e300, -1e300)
	f.Fuzz(func(t *testing.T, a00, a01, a10, a11, y0, y1 float64) {
		a := mat.NewDense(2, 2, []float64{a00, a01, a10, a11})
		ls, err := learning.NewLeastSquares(a, []float64{y0, y1}, nil)
		if err != nil {
			if !strings.Contains(err.Error(), "a[") && !strings.Contains(err.Error(), "y") {
				t.Fatalf("error %q names no argument", err)
			}
			return
		}
		h := mat.NewSymDense(2, nil)
		ls.ExpectedHess(h, []float64{0, 0})
		for i := range 2 {
			for j := range 2 {
				if v := h.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("ExpectedHess[%d][%d] = %v", i, j, v)
				}
			}
		}
		if _, err := learning.NewLogistic(a, []float64{-1, 1}, nil, 0.1); err != nil {
			t.Fatalf("logistic refused data least squares accepted: %v", err)
		}
	})
}

// FuzzReadCSV: arbitrary text never panics; an accepted data set has as many
// labels as rows, labels in 0..C−1 and finite features.
func FuzzReadCSV(f *testing.F) {
	f.Add("a,b,label\n1,2,x\n3,4,y\n")
	f.Add("a,label\n1,0\nNaN,1\n")
	f.Add("a,label\n1\n")
	f.Add("label\n")
	f.Fuzz(func(t *testing.T, text string) {
		d, err := learning.ReadCSV(strings.NewReader(text), "label")
		if err != nil {
			return
		}
		n, p := d.X.Dims()
		if len(d.Labels) != n {
			t.Fatalf("%d labels for %d rows", len(d.Labels), n)
		}
		for i, l := range d.Labels {
			if l < 0 || l >= len(d.Classes) {
				t.Fatalf("label %d = %d outside 0..%d", i, l, len(d.Classes)-1)
			}
			for j := range p {
				if v := d.X.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("feature [%d][%d] = %v", i, j, v)
				}
			}
		}
	})
}
