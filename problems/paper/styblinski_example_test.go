package paper_test

import (
	"fmt"
	"log"

	"github.com/flatminima/flatminima/problems/paper"
)

// The standard Styblinski–Tang function, c = (1, −16, 5), as a single
// component in one dimension: its two minima, the local maximum between
// them, and their curvatures.
func ExampleStyblinskiTang() {
	c := []paper.STComponent{{C1: []float64{1}, C2: []float64{-16}, C3: []float64{5}}}
	st, err := paper.NewStyblinskiTang(c, nil)
	if err != nil {
		log.Fatal(err)
	}
	lower, upper := st.CoordinateMinima()
	fmt.Printf("minima %.5g and %.5g, maximum %.4g\n", lower[0], upper[0], st.CoordinateMaxima()[0])
	for _, m := range []struct {
		name string
		x    []float64
	}{{"sharpest", st.Sharpest()}, {"flattest", st.Flattest()}} {
		h := make([]float64, 1)
		mo := make([]float64, 1)
		st.DiagonalMoments(h, mo, m.x)
		fmt.Printf("%s: x = %.5g, F = %.4g, curvature %.4g\n", m.name, m.x[0], st.Func(m.x), h[0])
	}
	// Output:
	// minima -2.9035 and 2.7468, maximum 0.1567
	// sharpest: x = -2.9035, F = -39.17, curvature 34.58
	// flattest: x = 2.7468, F = -25.03, curvature 29.27
}

// Model 1 of the paper's §5 and its two extreme minimizers. The models are
// random but reproducible: the same seed gives the same coefficients.
func ExampleStyblinskiTangModel() {
	st, err := paper.StyblinskiTangModel(1, 1)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("p = %d, N = %d\n", st.Dim(), st.Len())
	for _, m := range []struct {
		name string
		x    []float64
	}{{"sharpest", st.Sharpest()}, {"flattest", st.Flattest()}} {
		h := make([]float64, st.Dim())
		mo := make([]float64, st.Dim())
		st.DiagonalMoments(h, mo, m.x)
		lo, hi := h[0], h[0]
		for _, v := range h {
			lo, hi = min(lo, v), max(hi, v)
		}
		fmt.Printf("%s: curvatures in [%.3g, %.3g]\n", m.name, lo, hi)
	}
	// Output:
	// p = 10, N = 200
	// sharpest: curvatures in [20.4, 35.4]
	// flattest: curvatures in [17.2, 29.9]
}
