package valid_test

import (
	"fmt"
	"math"

	"github.com/flatminima/flatminima/problems/internal/valid"
)

// Each check names the argument, and the entry, that is wrong.
func Example() {
	fmt.Println(valid.Vec("learning", "y", []float64{1, math.NaN()}, 2))
	fmt.Println(valid.Vec("learning", "y", []float64{1}, 2))
	fmt.Println(valid.Dim("problems", "p", 0))
	fmt.Println(valid.Finite("paper", "c[0].Q1", 1))
	// Output:
	// learning: y[1] = NaN is not finite
	// learning: y has length 1, want 2
	// problems: p = 0, want at least 1
	// <nil>
}
