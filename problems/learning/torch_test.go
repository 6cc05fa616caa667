package learning

import (
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/floats/scalar"
)

// TestMLPAgainstPyTorch compares F, ∇F and ∇²F·v with PyTorch autograd
// (float64, double backward) on the first 40 standardized digits, for a
// tanh cross-entropy and a softplus squared-loss network with an L2 term.
// The reference values were written by examples/torchcompare/fixture.py.
func TestMLPAgainstPyTorch(t *testing.T) {
	f, err := os.Open("testdata/torch_mlp.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Rows  int
		Cases []struct {
			Activation, Loss   string
			Hidden             []int
			L2                 float64
			P                  int
			Theta, V, Grad, Hv []float64
			F                  float64
		}
	}
	if err := json.NewDecoder(zr).Decode(&ref); err != nil {
		t.Fatal(err)
	}
	d, err := Digits()
	if err != nil {
		t.Fatal(err)
	}
	d.Standardize()
	x := d.X.Slice(0, ref.Rows, 0, 64)
	labels := d.Labels[:ref.Rows]
	if len(ref.Cases) != 2 {
		t.Fatalf("%d reference cases, want 2", len(ref.Cases))
	}
	for _, c := range ref.Cases {
		cfg := MLPConfig{Hidden: c.Hidden, L2: c.L2, Classes: 10}
		if c.Activation == "softplus" {
			cfg.Activation = Softplus
		}
		if c.Loss == "squared" {
			cfg.Loss = Squared
		}
		m, err := NewMLP(x, labels, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if m.Dim() != c.P {
			t.Fatalf("%s %s: Dim = %d, PyTorch has %d parameters", c.Activation, c.Loss, m.Dim(), c.P)
		}
		grad := make([]float64, c.P)
		hv := make([]float64, c.P)
		m.ExpectedGrad(grad, c.Theta)
		m.ExpectedHessVec(hv, c.Theta, c.V)
		// The same float64 formulas summed in another order: a few hundred
		// roundings of O(1) terms, relative to the largest entry.
		const tol = 1e-13
		if got := m.ExpectedFunc(c.Theta); !scalar.EqualWithinRel(got, c.F, tol) {
			t.Errorf("%s %s: F = %v, PyTorch %v", c.Activation, c.Loss, got, c.F)
		}
		for _, cmp := range []struct {
			name      string
			got, want []float64
		}{{"gradient", grad, c.Grad}, {"HVP", hv, c.Hv}} {
			if e := floats.Distance(cmp.got, cmp.want, math.Inf(1)) / floats.Norm(cmp.want, math.Inf(1)); e > tol {
				t.Errorf("%s %s: %s differs from PyTorch's by %.3g relative", c.Activation, c.Loss, cmp.name, e)
			} else {
				t.Logf("%s %s: %s max relative difference from PyTorch %.3g", c.Activation, c.Loss, cmp.name, e)
			}
		}
	}
}
