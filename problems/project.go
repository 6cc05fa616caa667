package problems

import (
	"fmt"

	"gonum.org/v1/gonum/floats"
)

// HessianProjector is an optional interface of a Problem that compresses
// many component Hessians onto a common subspace in batched passes: for the
// components idx[k] it writes the r×r matrices
//
//	B_k = Vᵀ ∇²f_{idx[k]}(x) V,   V = [vs[0] … vs[r−1]] (p×r),
//
// row-major and symmetrised, into dst[k·r²:(k+1)·r²]. It is what the
// compression of Definition 3.14 onto the top eigenvectors of H needs, at
// the cost of a few matrix products instead of |idx|·r single-component
// Hessian-vector products. dst has length len(idx)·r²; x and the vs are not
// modified. Implementations may panic on mismatched lengths or an index out
// of range, as ProjectHessians does.
type HessianProjector interface {
	ProjectHessians(dst, x []float64, vs [][]float64, idx []int)
}

// ProjectHessians writes B_k = Vᵀ∇²f_{idx[k]}(x)V (V = [vs...], r = len(vs))
// for every k into dst[k·r²:(k+1)·r²], row-major and symmetrised as
// (B + Bᵀ)/2. It uses p's HessianProjector when p has one; otherwise the
// rank-one structure of a component when it has one (z = Vᵀa,
// B = c·zzᵀ + ρVᵀV, O(pr + r²) after one Gram matrix VᵀV), else r Hessian-vector products of
// HessVecOf (O(r) products and O(pr²)). It panics, naming the argument,
// when len(dst) ≠ len(idx)·r², a vs[j] or x does not have length p.Dim() or
// an index is out of range.
func ProjectHessians(p Problem, dst, x []float64, vs [][]float64, idx []int) {
	r, dim := len(vs), p.Dim()
	if len(dst) != len(idx)*r*r {
		panic(fmt.Sprintf("problems: ProjectHessians: len(dst) = %d, want len(idx)·r² = %d", len(dst), len(idx)*r*r))
	}
	if len(x) != dim {
		panic(fmt.Sprintf("problems: ProjectHessians: len(x) = %d, want Dim = %d", len(x), dim))
	}
	for j, v := range vs {
		if len(v) != dim {
			panic(fmt.Sprintf("problems: ProjectHessians: len(vs[%d]) = %d, want Dim = %d", j, len(v), dim))
		}
	}
	for k, i := range idx {
		if i < 0 || i >= p.Len() {
			panic(fmt.Sprintf("problems: ProjectHessians: idx[%d] = %d out of range [0, %d)", k, i, p.Len()))
		}
	}
	if r == 0 || len(idx) == 0 {
		return
	}
	if hp, ok := p.(HessianProjector); ok {
		hp.ProjectHessians(dst, x, vs, idx)
		return
	}
	z := make([]float64, r)
	hv := make([]float64, dim)
	var gram []float64 // V'(ridge)V, computed when a rank-one component needs it
	var last rankOne   // the ridge gram was computed for
	for k, i := range idx {
		b := dst[k*r*r : (k+1)*r*r]
		c := p.Component(i)
		if HessVecFormOf(c) == FormRankOne {
			ro := rankOneOf(c)
			s, a := ro.hess(x)
			// V'(ridge)V, ρV'V or V'diag(d)V, is computed again only
			// when the ridge differs from the previous component's.
			if gram == nil || !sameRidge(ro, last) {
				if gram == nil {
					gram = make([]float64, r*r)
				}
				for u := range r {
					for w := range r {
						if ro.d != nil {
							gram[u*r+w] = dotDiag(vs[u], ro.d, vs[w])
						} else {
							gram[u*r+w] = ro.rho * floats.Dot(vs[u], vs[w])
						}
					}
				}
				last = ro
			}
			for j, v := range vs {
				z[j] = floats.Dot(v, a)
			}
			for u := range r {
				for w := range r {
					b[u*r+w] = s*z[u]*z[w] + gram[u*r+w]
				}
			}
			continue
		}
		h := HessVecOf(c)
		for j, v := range vs {
			h.HessVec(hv, x, v)
			for u, w := range vs {
				b[u*r+j] = floats.Dot(w, hv)
			}
		}
		Symmetrize(b, r)
	}
}

// Symmetrize replaces the r×r row-major matrix b by (b + bᵀ)/2.
func Symmetrize(b []float64, r int) {
	for u := range r {
		for w := u + 1; w < r; w++ {
			s := (b[u*r+w] + b[w*r+u]) / 2
			b[u*r+w], b[w*r+u] = s, s
		}
	}
}

// ExpectedHessVecAter is an optional interface of a Problem that prepares
// repeated products with H(x) = Σ_i p_i ∇²f_i(x) at one point, as Lanczos
// needs: ExpectedHessVecAt returns a function setting dst = H(x)v that may
// reuse work done once for x (for a neural network, the forward pass and
// the output derivatives). x is copied; dst must not alias v.
type ExpectedHessVecAter interface {
	ExpectedHessVecAt(x []float64) func(dst, v []float64)
}

// sameRidge reports whether the constant parts of a and b are equal.
func sameRidge(a, b rankOne) bool {
	if (a.d == nil) != (b.d == nil) {
		return false
	}
	if a.d == nil {
		return a.rho == b.rho
	}
	return floats.Equal(a.d, b.d)
}

// dotDiag returns Σ_j u_j d_j v_j.
func dotDiag(u, d, v []float64) float64 {
	var s float64
	for j, x := range u {
		s += x * d[j] * v[j]
	}
	return s
}
