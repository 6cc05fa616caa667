package learning

import (
	"fmt"
	"testing"
)

func TestShippedDatasets(t *testing.T) {
	for _, tc := range []struct {
		name          string
		load          func() (*Dataset, error)
		rows, cols    int
		classes, want string
	}{
		// Counts from the UCI descriptions of the data sets.
		{"BreastCancer", BreastCancer, 569, 30, "[benign malignant]", "[357 212]"},
		{"Digits", Digits, 1797, 64, "[0 1 2 3 4 5 6 7 8 9]", "[178 182 177 183 181 182 181 179 174 180]"},
	} {
		d, err := tc.load()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r, c := d.X.Dims(); r != tc.rows || c != tc.cols || len(d.Labels) != r || len(d.FeatureNames) != c {
			t.Errorf("%s: X is %d×%d with %d labels and %d names, want %d×%d", tc.name, r, c, len(d.Labels), len(d.FeatureNames), tc.rows, tc.cols)
		}
		if got := fmt.Sprint(d.Classes); got != tc.classes {
			t.Errorf("%s: Classes = %s, want %s", tc.name, got, tc.classes)
		}
		if got := fmt.Sprint(d.ClassCounts()); got != tc.want {
			t.Errorf("%s: ClassCounts = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func TestShippedFirstRows(t *testing.T) {
	// The first rows of the source files.
	bc, err := BreastCancer()
	if err != nil {
		t.Fatal(err)
	}
	if bc.X.At(0, 0) != 17.99 || bc.X.At(0, 29) != 0.1189 || bc.Classes[bc.Labels[0]] != "malignant" || bc.FeatureNames[0] != "mean radius" {
		t.Errorf("breast cancer row 1: %v … %v, %q", bc.X.At(0, 0), bc.X.At(0, 29), bc.Classes[bc.Labels[0]])
	}
	dg, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	if dg.X.At(0, 2) != 5 || dg.X.At(0, 3) != 13 || dg.Labels[0] != 0 || dg.Labels[1] != 1 || dg.FeatureNames[63] != "pixel_7_7" {
		t.Errorf("digits row 1: %v %v, labels %d %d", dg.X.At(0, 2), dg.X.At(0, 3), dg.Labels[0], dg.Labels[1])
	}
}
