package problems_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/flatminima/flatminima/problems"
)

// TestProjectHessians: on every built-in problem, the compressed Hessians
// of problems.ProjectHessians (rank-one, HVP or batched forms) equal
// V'∇²f_iV from the dense Hessians, with non-orthonormal directions and
// repeated indices. The dense reference is a different sum of the same
// O(1) terms: 1e-11 relative to the largest entry.
func TestProjectHessians(t *testing.T) {
	for _, c := range builtins(t) {
		t.Run(c.name, func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(31, 32))
			dim, r := c.p.Dim(), 3
			vs := make([][]float64, r)
			vm := mat.NewDense(dim, r, nil)
			for j := range vs {
				vs[j] = problems.RandVec(rnd, dim, 1)
				vm.SetCol(j, vs[j])
			}
			idx := []int{c.p.Len() - 1, 0, 0}
			got := make([]float64, len(idx)*r*r)
			problems.ProjectHessians(c.p, got, c.x, vs, idx)
			for k, i := range idx {
				h := mat.NewSymDense(dim, nil)
				problems.HessianOf(c.p.Component(i)).Hess(h, c.x)
				var hv, b mat.Dense
				hv.Mul(h, vm)
				b.Mul(vm.T(), &hv)
				scale := mat.Norm(&b, math.Inf(1))
				for a := range r {
					for j := range r {
						if d := math.Abs(got[k*r*r+a*r+j] - b.At(a, j)); d > 1e-11*math.Max(1, scale) {
							t.Fatalf("component %d: B[%d][%d] = %v, dense %v", i, a, j, got[k*r*r+a*r+j], b.At(a, j))
						}
					}
				}
			}
		})
	}
}

// TestProjectHessiansPanics: mismatched lengths and bad indices panic with
// a message naming the argument (programming errors, as the other
// problems functions).
func TestProjectHessiansPanics(t *testing.T) {
	c := builtins(t)[0]
	dim := c.p.Dim()
	v := make([]float64, dim)
	for name, f := range map[string]func(){
		"dst": func() { problems.ProjectHessians(c.p, make([]float64, 3), c.x, [][]float64{v}, []int{0}) },
		"x":   func() { problems.ProjectHessians(c.p, make([]float64, 1), c.x[:1], [][]float64{v}, []int{0}) },
		"vs":  func() { problems.ProjectHessians(c.p, make([]float64, 1), c.x, [][]float64{v[:1]}, []int{0}) },
		"idx": func() { problems.ProjectHessians(c.p, make([]float64, 1), c.x, [][]float64{v}, []int{c.p.Len()}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
