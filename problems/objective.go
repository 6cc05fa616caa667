package problems

import (
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Objective returns the expected objective F(x) = Σ_i p_i f_i(x) of p as a
// gonum optimize.Problem, with Grad ∇F(x) = Σ_i p_i ∇f_i(x) and Hess
// H(x) = Σ_i p_i ∇²f_i(x), for refining a minimizer with
// optimize.Minimize. Grad uses p's ExpectedGrad and Hess its ExpectedHess
// when p implements ExpectedGrader or ExpectedHessianer; otherwise they sum
// the components. Func always sums the components.
//
// The returned functions are safe for concurrent use (as gonum's global
// methods with Settings.Concurrent require) whenever p's methods and its
// components' methods are. Their scratch space comes from a sync.Pool, so
// in steady state Grad and Hess do not allocate beyond what p does.
// Hess allocates hess when it is empty. Status is nil.
func Objective(p Problem) optimize.Problem {
	o := &objective{p: p, n: p.Dim()}
	o.grads.New = func() any { s := make([]float64, o.n); return &s }
	o.hesss.New = func() any { return mat.NewSymDense(o.n, nil) }
	prob := optimize.Problem{Func: o.fn, Grad: o.grad, Hess: o.hess}
	if g, ok := p.(ExpectedGrader); ok {
		prob.Grad = g.ExpectedGrad
	}
	if h, ok := p.(ExpectedHessianer); ok {
		prob.Hess = func(hess *mat.SymDense, x []float64) {
			if hess.IsEmpty() {
				hess.ReuseAsSym(len(x))
			}
			h.ExpectedHess(hess, x)
		}
	}
	return prob
}

type objective struct {
	p     Problem
	n     int
	grads sync.Pool // *[]float64 of length n
	hesss sync.Pool // *mat.SymDense of size n
}

func (o *objective) fn(x []float64) float64 {
	var f float64
	for i := 0; i < o.p.Len(); i++ {
		f += o.p.Weight(i) * o.p.Component(i).Func(x)
	}
	return f
}

func (o *objective) grad(grad, x []float64) {
	if len(grad) != o.n || len(x) != o.n {
		panic("problems: Objective Grad: dimension mismatch")
	}
	sp := o.grads.Get().(*[]float64)
	s := *sp
	for j := range grad {
		grad[j] = 0
	}
	for i := 0; i < o.p.Len(); i++ {
		o.p.Component(i).Grad(s, x)
		floats.AddScaled(grad, o.p.Weight(i), s)
	}
	o.grads.Put(sp)
}

func (o *objective) hess(hess *mat.SymDense, x []float64) {
	if hess.IsEmpty() {
		hess.ReuseAsSym(o.n)
	}
	if hess.SymmetricDim() != o.n || len(x) != o.n {
		panic("problems: Objective Hess: dimension mismatch")
	}
	s := o.hesss.Get().(*mat.SymDense)
	dst := hess.RawSymmetric()
	for a := 0; a < o.n; a++ {
		row := dst.Data[a*dst.Stride+a : a*dst.Stride+o.n]
		for b := range row {
			row[b] = 0
		}
	}
	for i := 0; i < o.p.Len(); i++ {
		HessianOf(o.p.Component(i)).Hess(s, x)
		w := o.p.Weight(i)
		src := s.RawSymmetric()
		for a := 0; a < o.n; a++ {
			floats.AddScaled(dst.Data[a*dst.Stride+a:a*dst.Stride+o.n], w, src.Data[a*src.Stride+a:a*src.Stride+o.n])
		}
	}
	o.hesss.Put(s)
}
