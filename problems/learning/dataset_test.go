package learning

import (
	"math"
	"strings"
	"testing"

	"gonum.org/v1/gonum/floats/scalar"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

func TestReadCSV(t *testing.T) {
	in := "a, species ,b\n1,cat,2.5\n-3e1,dog,4\n0.5, cat ,0\n"
	d, err := ReadCSV(strings.NewReader(in), "species")
	if err != nil {
		t.Fatal(err)
	}
	want := mat.NewDense(3, 2, []float64{1, 2.5, -30, 4, 0.5, 0})
	if !mat.Equal(d.X, want) {
		t.Errorf("X = %v, want %v", mat.Formatted(d.X), mat.Formatted(want))
	}
	if got := strings.Join(d.FeatureNames, ","); got != "a,b" {
		t.Errorf("FeatureNames = %q", got)
	}
	if got := strings.Join(d.Classes, ","); got != "cat,dog" {
		t.Errorf("Classes = %q", got)
	}
	if !equalInts(d.Labels, []int{0, 1, 0}) {
		t.Errorf("Labels = %v", d.Labels)
	}
	if d.Len() != 3 || !equalInts(d.ClassCounts(), []int{2, 1}) || d.LabelName != "species" {
		t.Errorf("Len = %d, ClassCounts = %v, LabelName = %q", d.Len(), d.ClassCounts(), d.LabelName)
	}
}

func TestReadCSVIntegerLabels(t *testing.T) {
	// Integer labels are ordered by value, not by text ("10" < "2").
	in := "y,x\n10,1\n2,2\n-1,3\n2,4\n"
	d, err := ReadCSV(strings.NewReader(in), "y")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Classes, ","); got != "-1,2,10" {
		t.Errorf("Classes = %q, want -1,2,10", got)
	}
	if !equalInts(d.Labels, []int{2, 1, 0, 1}) {
		t.Errorf("Labels = %v, want [2 1 0 1]", d.Labels)
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "empty input"},
		{"no rows", "x,y\n", "no data rows"},
		{"no label column", "x,z\n1,2\n", `label column "y" is not in the header`},
		{"twice", "y,x,y\n1,2,3\n", "appears twice"},
		{"label only", "y\n1\n", "no feature column"},
		{"bad cell", "x,y,w\n1,0,2\n3,1,oops\n", `row 3, column "w": "oops"`},
		{"NaN cell", "x,y\n1,0\nNaN,1\n", `row 3, column "x": "NaN" is not a finite number`},
		{"Inf cell", "x,y\n+Inf,0\n", `row 2, column "x"`},
		{"empty cell", "x,y\n,0\n", `row 2, column "x"`},
		{"empty label", "x,y\n1,\n", `row 2, column "y": empty label`},
		{"ragged", "x,y\n1,0\n2\n", "row 3"},
	} {
		_, err := ReadCSV(strings.NewReader(tc.in), "y")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestStandardize(t *testing.T) {
	x := mat.NewDense(4, 3, []float64{
		1, 0.1, 10,
		2, 0.1, 20,
		3, 0.1, 40,
		6, 0.1, 80,
	})
	orig := mat.DenseCopyOf(x)
	d := &Dataset{X: x, Labels: []int{0, 1, 0, 1}, Classes: []string{"a", "b"}}
	mean, scale := d.Standardize()
	col := make([]float64, 4)
	for j := 0; j < 3; j++ {
		mat.Col(col, j, orig)
		m, s := stat.PopMeanStdDev(col, nil)
		if j == 1 {
			m, s = 0.1, 1 // the constant column: centred only
		}
		if !scalar.EqualWithinAbsOrRel(mean[j], m, 1e-15, 1e-15) || !scalar.EqualWithinAbsOrRel(scale[j], s, 1e-15, 1e-15) {
			t.Errorf("column %d: mean, scale = %v, %v, want %v, %v", j, mean[j], scale[j], m, s)
		}
		mat.Col(col, j, d.X)
		gm, gs := stat.PopMeanStdDev(col, nil)
		ws := 1.0
		if j == 1 {
			ws = 0
		}
		// Rounding of a few operations on O(1) numbers.
		if math.Abs(gm) > 1e-15 || math.Abs(gs-ws) > 1e-15 {
			t.Errorf("column %d after Standardize: mean %v, std %v, want 0, %v", j, gm, gs, ws)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
