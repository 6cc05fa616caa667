package learning

import (
	"fmt"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"

	"github.com/flatminima/flatminima/problems"
)

var _ problems.HessianProjector = (*MLP)(nil)

// ProjectHessians writes the compressed sample Hessians
// B_k = Vᵀ∇²f_{idx[k]}(θ)V, V = [vs[0] … vs[r−1]], into dst[k·r²:(k+1)·r²]
// (row-major, symmetrised), in batched passes over chunks of samples: one
// forward pass, and for each direction v_j one R-operator pass
// (Pearlmutter 1994) whose per-sample parameter derivatives are never
// formed. With U_{k,l}, u_{k,l} the weight and bias blocks of vs[k] in layer
// l, the entry (k, j) for sample s is
//
//	Σ_l R{g_l}_s·(U_{k,l} a_{l−1,s} + u_{k,l}) + g_{l,s}·(U_{k,l} R{a_{l−1}}_s) + L2·v_kᵀv_j,
//
// where R{·} is the directional derivative along v_j (R{a_0} = 0). The
// products U_{k,l} a_{l−1,s} for every k, s are one matrix product per layer
// and chunk, and U_{k,l} R{a_{l−1}}_s one per layer, chunk and direction: the
// cost is about r + 1 full-batch Hessian-vector products plus
// 2r·N·Σ_l d_{l−1}d_l flops, where N·r single-sample products would pay
// the per-call overhead N·r times. The samples are processed in chunks whose
// scratch, 8·(r·Σ_l d_l + r·max_{l≥2} d_l) bytes per sample besides the
// evaluation's, fits MLPConfig.Scratch. It panics if a length does not
// match or an index is out of range.
func (m *MLP) ProjectHessians(dst, x []float64, vs [][]float64, idx []int) {
	m.checkLen("ProjectHessians", x)
	m.checkLen("ProjectHessians", vs...)
	r := len(vs)
	if len(dst) != len(idx)*r*r {
		panic(fmt.Sprintf("learning: MLP ProjectHessians: len(dst) = %d, want len(idx)·r² = %d", len(dst), len(idx)*r*r))
	}
	if r == 0 || len(idx) == 0 {
		return
	}
	m.checkIdx("ProjectHessians", idx)
	L := len(m.widths) - 1
	w := m.widths

	// U_l stacks the weight blocks of every v_k: row k·d_l + o is row o of
	// U_{k,l}; ub_l stacks the bias blocks.
	us := make([][]float64, L+1)
	ub := make([][]float64, L+1)
	sum, mx := 0, 0
	for l := 1; l <= L; l++ {
		out, in := w[l], w[l-1]
		us[l] = make([]float64, r*out*in)
		ub[l] = make([]float64, r*out)
		for k, v := range vs {
			U, b := m.weights(v, l)
			copy(us[l][k*out*in:], U.Data)
			copy(ub[l][k*out:], b)
		}
		sum += out
		if l >= 2 {
			mx = max(mx, out)
		}
	}
	gram := make([]float64, r*r)
	if m.l2 != 0 {
		for a := range r {
			for b := range r {
				gram[a*r+b] = m.l2 * floats.Dot(vs[a], vs[b])
			}
		}
	}
	perSample := 8 * r * (sum + mx)
	nc := max(1, min(m.chunk, m.scratch/perSample))
	nc = min(nc, len(idx))
	pa := make([][]float64, L+1)
	for l := 1; l <= L; l++ {
		pa[l] = make([]float64, nc*r*w[l])
	}
	q := make([]float64, nc*r*mx)

	ws := m.get(nc, true)
	defer m.pool.Put(ws)
	for s0 := 0; s0 < len(idx); s0 += nc {
		s1 := min(s0+nc, len(idx))
		n := s1 - s0
		in, lab := m.gather(ws, idx[s0:s1])
		m.eval(ws, in, lab, 1, true, x, nil, nil, nil)
		// PA_l = a_{l−1} U_lᵀ + 1 ub_lᵀ (n × r·d_l).
		for l := 1; l <= L; l++ {
			A := in
			if l > 1 {
				A = gen(ws.a[l-1], n, w[l-1])
			}
			P := gen(pa[l], n, r*w[l])
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, A, gen(us[l], r*w[l], w[l-1]), 0, P)
			addRows(P, ub[l])
		}
		out := dst[s0*r*r : s1*r*r]
		for k := range n {
			copy(out[k*r*r:(k+1)*r*r], gram)
		}
		for j, v := range vs {
			m.rop(ws, in, x, v, nil, 1, 0)
			for l := 1; l <= L; l++ {
				o := w[l]
				rg := ws.rg[l]
				for s := range n {
					row := out[s*r*r : (s+1)*r*r]
					rgs := rg[s*o : (s+1)*o]
					ps := pa[l][s*r*o : (s+1)*r*o]
					for k := range r {
						row[k*r+j] += floats.Dot(rgs, ps[k*o:(k+1)*o])
					}
				}
				if l == 1 {
					continue
				}
				Q := gen(q, n, r*o)
				blas64.Gemm(blas.NoTrans, blas.Trans, 1, gen(ws.ra[l-1], n, w[l-1]), gen(us[l], r*o, w[l-1]), 0, Q)
				g := ws.g[l]
				for s := range n {
					row := out[s*r*r : (s+1)*r*r]
					gs := g[s*o : (s+1)*o]
					qs := q[s*r*o : (s+1)*r*o]
					for k := range r {
						row[k*r+j] += floats.Dot(gs, qs[k*o:(k+1)*o])
					}
				}
			}
		}
		for s := range n {
			problems.Symmetrize(out[s*r*r:(s+1)*r*r], r)
		}
	}
}

var _ problems.ExpectedHessVecAter = (*MLP)(nil)

// ExpectedHessVecAt returns dst = ∇²F(x)v as a function of v for repeated
// products at one point: the forward pass and the output derivatives are
// computed once, so each product costs only the R-operator passes, about
// two thirds of an ExpectedHessVec. It holds one evaluation's scratch for
// its lifetime and serializes its calls (a mutex). When the samples do not
// fit one chunk of MLPConfig.Scratch it falls back to ExpectedHessVec. It
// panics if len(x) ≠ Dim, and the function if len(dst) or len(v) ≠ Dim.
func (m *MLP) ExpectedHessVecAt(x []float64) func(dst, v []float64) {
	m.checkLen("ExpectedHessVecAt", x)
	xc := append([]float64(nil), x...)
	n := len(m.labels)
	if n > m.chunk {
		return func(dst, v []float64) { m.ExpectedHessVec(dst, xc, v) }
	}
	ws := m.get(n, true) // owned by the closure, never returned to the pool
	in := gen(m.x.RawMatrix().Data, n, m.widths[0])
	scale := 1 / float64(n)
	m.eval(ws, in, m.labels, scale, true, xc, nil, nil, nil)
	var mu sync.Mutex
	return func(dst, v []float64) {
		m.checkLen("ExpectedHessVecAt", dst, v)
		mu.Lock()
		defer mu.Unlock()
		m.rop(ws, in, xc, v, dst, scale, 0)
		if m.l2 != 0 {
			floats.AddScaled(dst, m.l2, v)
		}
	}
}
