package learning

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
)

//go:embed testdata/breast_cancer.csv.gz
var breastCancerCSV []byte

//go:embed testdata/digits.csv.gz
var digitsCSV []byte

// BreastCancer returns the Wisconsin diagnostic breast cancer data set (UCI
// Machine Learning Repository, CC BY 4.0; W. H. Wolberg, W. N. Street and
// O. L. Mangasarian, 1995): 569 samples of 30 real features of cell nuclei,
// labelled by the column "diagnosis" as "benign" (class 0, 357 samples) or
// "malignant" (class 1, 212 samples). The features are not standardized.
func BreastCancer() (*Dataset, error) { return shipped("breast_cancer", breastCancerCSV, "diagnosis") }

// Digits returns the test part of the optical recognition of handwritten
// digits data set (UCI Machine Learning Repository, CC BY 4.0; E. Alpaydin and
// C. Kaynak, 1998), as scikit-learn's load_digits: 1797 images of 8×8 pixels
// with grey levels 0..16, features "pixel_r_c" in row-major order, labelled by
// the column "digit" with classes 0..9 (each class is about a tenth). The
// features are not standardized.
func Digits() (*Dataset, error) { return shipped("digits", digitsCSV, "digit") }

func shipped(name string, gz []byte, label string) (*Dataset, error) {
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, fmt.Errorf("learning: %s: %w", name, err)
	}
	d, err := ReadCSV(r, label)
	if err != nil {
		return nil, fmt.Errorf("learning: %s: %w", name, err)
	}
	return d, nil
}
