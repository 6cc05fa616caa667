package paper_test

import (
	"fmt"
	"log"
	"math"

	"github.com/flatminima/flatminima/problems/paper"
)

// The paper's four quadratic-circle models (Problem 4.1) share their two
// minimizers: the circular one at (0, 0), where every component's circular
// basin h_i is active, and the quadratic one at (0, −15), where every
// parabola g_i = 0 passes. Both are homogeneous: every component's gradient
// vanishes there.
func ExampleQuadCircleModel() {
	grad := make([]float64, 2)
	for model := 1; model <= 4; model++ {
		q, err := paper.QuadCircleModel(model)
		if err != nil {
			log.Fatal(err)
		}
		for _, x := range [][]float64{q.Circular(), q.Quadratic()} {
			var worst float64 // largest component gradient entry
			for i := range q.Len() {
				q.Component(i).Grad(grad, x)
				worst = max(worst, math.Abs(grad[0]), math.Abs(grad[1]))
			}
			fmt.Printf("model %d: F(%.4g, %.4g) = %.4g, max |∇f_i| = %.4g\n", model, x[0], x[1], q.Func(x), worst)
		}
	}
	// A point between them lies on the plateau of the circular basins.
	q, _ := paper.QuadCircleModel(1)
	fmt.Printf("F(0, -7) = %.4g on the box %v × %v\n", q.Func([]float64{0, -7}), q.Box().Lower, q.Box().Upper)
	// Output:
	// model 1: F(0, 0) = 0.01, max |∇f_i| = 0
	// model 1: F(0, -15) = 0, max |∇f_i| = 0
	// model 2: F(0, 0) = 0.01, max |∇f_i| = 0
	// model 2: F(0, -15) = 0, max |∇f_i| = 0
	// model 3: F(0, 0) = 0.01, max |∇f_i| = 0
	// model 3: F(0, -15) = 0, max |∇f_i| = 0
	// model 4: F(0, 0) = 0.01, max |∇f_i| = 0
	// model 4: F(0, -15) = 0, max |∇f_i| = 0
	// F(0, -7) = 0.01 on the box [-10 -20] × [10 15]
}
