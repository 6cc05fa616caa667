package problems

import (
	"math"
	"strings"
	"testing"
)

func TestNewBoxErrors(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		lower, upper []float64
		want         string
	}{
		{nil, nil, "Lower is empty"},
		{[]float64{0}, []float64{1, 2}, "Lower has length 1, Upper 2"},
		{[]float64{0, nan}, []float64{1, 2}, "Lower[1]"},
		{[]float64{0, 0}, []float64{1, nan}, "Upper[1]"},
		{[]float64{0, 3}, []float64{1, 2}, "Lower[1] = 3, Upper[1] = 2"},
		{[]float64{1}, []float64{1}, "Lower[0] = 1, Upper[0] = 1"},
	} {
		_, err := NewBox(tc.lower, tc.upper)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewBox(%v, %v): error %v, want one containing %q", tc.lower, tc.upper, err, tc.want)
		}
	}
	var b *Box
	if err := b.Validate(); err == nil {
		t.Error("nil box: no error")
	}
}

func TestBox(t *testing.T) {
	lower, upper := []float64{-1, 0}, []float64{1, 2}
	b, err := NewBox(lower, upper)
	if err != nil {
		t.Fatal(err)
	}
	lower[0] = 5 // NewBox copies its arguments
	if b.Lower[0] != -1 || b.Dim() != 2 {
		t.Fatalf("box %v, Dim %d: want a copy of [-1 0]..[1 2] and Dim 2", b, b.Dim())
	}
	for _, tc := range []struct {
		x                  []float64
		contains, boundary bool
		projected          []float64
	}{
		{[]float64{0, 1}, true, false, []float64{0, 1}},
		{[]float64{-1, 1}, true, true, []float64{-1, 1}},
		{[]float64{1, 2}, true, true, []float64{1, 2}},
		{[]float64{-3, 1}, false, false, []float64{-1, 1}},
		{[]float64{0.5, 7}, false, false, []float64{0.5, 2}},
		{[]float64{math.Inf(-1), math.Inf(1)}, false, false, []float64{-1, 2}},
		{[]float64{math.NaN(), 1}, false, false, nil},
	} {
		if got := b.Contains(tc.x); got != tc.contains {
			t.Errorf("Contains(%v) = %v, want %v", tc.x, got, tc.contains)
		}
		if got := b.OnBoundary(tc.x); got != tc.boundary {
			t.Errorf("OnBoundary(%v) = %v, want %v", tc.x, got, tc.boundary)
		}
		if tc.projected == nil {
			continue
		}
		x := append([]float64(nil), tc.x...)
		b.Project(x)
		for d := range x {
			if x[d] != tc.projected[d] {
				t.Errorf("Project(%v) = %v, want %v", tc.x, x, tc.projected)
				break
			}
		}
		if !b.Contains(x) {
			t.Errorf("Project(%v) = %v is not contained", tc.x, x)
		}
	}
	for _, x := range [][]float64{nil, {0}, {0, 1, 2}} {
		if b.Contains(x) || b.OnBoundary(x) {
			t.Errorf("x = %v of the wrong length: Contains or OnBoundary true", x)
		}
	}
}
