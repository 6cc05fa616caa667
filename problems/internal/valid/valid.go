package valid

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Finite returns an error naming name if v is NaN or infinite.
func Finite(pkg, name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%s: %s = %v is not finite", pkg, name, v)
	}
	return nil
}

// Vec returns an error naming name if len(v) != dim or an entry of v is
// NaN or infinite. The bad entry is named name[j].
func Vec(pkg, name string, v []float64, dim int) error {
	if len(v) != dim {
		return fmt.Errorf("%s: %s has length %d, want %d", pkg, name, len(v), dim)
	}
	for j, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%s: %s[%d] = %v is not finite", pkg, name, j, x)
		}
	}
	return nil
}

// Dim returns an error naming name if dim < 1.
func Dim(pkg, name string, dim int) error {
	if dim < 1 {
		return fmt.Errorf("%s: %s = %d, want at least 1", pkg, name, dim)
	}
	return nil
}

// ResizeSym makes an empty hess n×n, as the Hess methods of the problems
// document, and panics (a programming error, not user data) when a non-empty
// hess has another size.
func ResizeSym(pkg string, hess *mat.SymDense, n int) {
	if hess.IsEmpty() {
		hess.ReuseAsSym(n)
	}
	if d := hess.SymmetricDim(); d != n {
		panic(fmt.Sprintf("%s: Hess: hess is %d×%d, want %d×%d", pkg, d, d, n, n))
	}
}
