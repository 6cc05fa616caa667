package learning

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Dataset is a labelled data set: N samples of d numeric features, each with
// a class label in 0..C−1.
type Dataset struct {
	// X is N × d, one sample a row.
	X *mat.Dense
	// Labels[i] ∈ {0, …, C−1} is the class of row i.
	Labels []int
	// Classes[c] is the text of the label that was mapped to class c
	// (C = len(Classes)).
	Classes []string
	// FeatureNames[j] is the header of column j of X.
	FeatureNames []string
	// LabelName is the header of the label column.
	LabelName string
}

// ReadCSV reads a data set from comma-separated values: a header row naming
// the columns, then one sample a row. The column whose header is labelColumn
// holds the labels; every other column is a numeric feature (parsed by
// strconv.ParseFloat, surrounding spaces ignored; NaN and ±Inf are refused).
//
// Labels are text. When every label parses as an integer, classes are
// ordered by integer value; otherwise by the text, in byte order. The
// distinct labels, in that order, are mapped to 0, …, C−1, and Classes holds
// the mapping. So integer labels 0..C−1 with every class present keep their
// values.
//
// It returns an error that names the row (counting the header as row 1, as a
// spreadsheet does) and the column of a bad cell, or names labelColumn when
// no column or more than one has that header; an empty file, a file with a
// header only and a file with no feature column are errors too.
func ReadCSV(r io.Reader, labelColumn string) (*Dataset, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err == io.EOF {
		return nil, errors.New("learning: ReadCSV: empty input, want a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("learning: ReadCSV: %w", err)
	}
	lc := -1
	var names []string
	for j, h := range header {
		h = strings.TrimSpace(h)
		if h == labelColumn {
			if lc >= 0 {
				return nil, fmt.Errorf("learning: ReadCSV: label column %q appears twice in the header (columns %d and %d)", labelColumn, lc+1, j+1)
			}
			lc = j
			continue
		}
		names = append(names, h)
	}
	if lc < 0 {
		return nil, fmt.Errorf("learning: ReadCSV: label column %q is not in the header", labelColumn)
	}
	if len(names) == 0 {
		return nil, errors.New("learning: ReadCSV: no feature column besides the label column")
	}
	d := len(names)
	var data []float64
	var text []string
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("learning: ReadCSV: row %d: %w", row, err)
		}
		for j, cell := range rec {
			cell = strings.TrimSpace(cell)
			if j == lc {
				if cell == "" {
					return nil, fmt.Errorf("learning: ReadCSV: row %d, column %q: empty label", row, labelColumn)
				}
				text = append(text, cell)
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("learning: ReadCSV: row %d, column %q: %q is not a finite number", row, strings.TrimSpace(header[j]), cell)
			}
			data = append(data, v)
		}
	}
	if len(text) == 0 {
		return nil, errors.New("learning: ReadCSV: no data rows after the header")
	}
	labels, classes := mapLabels(text)
	return &Dataset{
		X:            mat.NewDense(len(text), d, data),
		Labels:       labels,
		Classes:      classes,
		FeatureNames: names,
		LabelName:    labelColumn,
	}, nil
}

// mapLabels maps label texts to 0..C−1 in the order ReadCSV documents.
func mapLabels(text []string) ([]int, []string) {
	var classes []string
	seen := map[string]bool{}
	for _, s := range text {
		if !seen[s] {
			seen[s] = true
			classes = append(classes, s)
		}
	}
	ints := make(map[string]int64, len(classes))
	numeric := true
	for _, s := range classes {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			numeric = false
			break
		}
		ints[s] = v
	}
	if numeric {
		slices.SortFunc(classes, func(a, b string) int {
			if ints[a] != ints[b] {
				return cmpInt(ints[a], ints[b])
			}
			return strings.Compare(a, b) // "1" and "01"
		})
	} else {
		slices.Sort(classes)
	}
	index := make(map[string]int, len(classes))
	for c, s := range classes {
		index[s] = c
	}
	labels := make([]int, len(text))
	for i, s := range text {
		labels[i] = index[s]
	}
	return labels, classes
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Len returns the number of samples N.
func (d *Dataset) Len() int { r, _ := d.X.Dims(); return r }

// ClassCounts returns the number of samples of each class 0..C−1.
func (d *Dataset) ClassCounts() []int {
	n := make([]int, len(d.Classes))
	for _, y := range d.Labels {
		n[y]++
	}
	return n
}

// Standardize transforms every column of X in place to mean zero and unit
// population standard deviation (divisor N, as scikit-learn's
// StandardScaler), x_ij ← (x_ij − mean_j)/scale_j, and returns mean and scale.
// scale_j is the standard deviation of column j, except that a constant
// column has scale_j = 1 (as StandardScaler): it is only centred, to zeros. Apply the same mean and scale to new samples.
func (d *Dataset) Standardize() (mean, scale []float64) {
	n, p := d.X.Dims()
	mean = make([]float64, p)
	scale = make([]float64, p)
	col := make([]float64, n)
	for j := 0; j < p; j++ {
		mat.Col(col, j, d.X)
		m, s := stat.PopMeanStdDev(col, nil)
		if floats.Min(col) == floats.Max(col) {
			// Exactly constant: rounding in the mean could otherwise leave
			// a tiny nonzero standard deviation to divide by.
			m, s = col[0], 1
		}
		mean[j], scale[j] = m, s
		for i := range col {
			col[i] = (col[i] - m) / s
		}
		d.X.SetCol(j, col)
	}
	return mean, scale
}
