package spectral

import (
	"encoding/binary"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Operator is a symmetric linear map on R^Dim given by its action.
//
// Apply sets dst = A v. dst and v have length Dim and do not overlap; Apply
// must not modify v and must not keep either slice. The functions of this
// package call Apply from one goroutine at a time unless a Workers setting
// above 1 says otherwise.
type Operator interface {
	Dim() int
	Apply(dst, v []float64)
}

// Dense is the Operator of a mat.Symmetric matrix. A *mat.SymDense is
// applied by the BLAS routine Dsymv without allocating; any other
// mat.Symmetric through mat.VecDense.MulVec.
type Dense struct {
	a   mat.Symmetric
	raw blas64.Symmetric
	sym bool
}

var (
	_ Operator = (*Dense)(nil)
	_ Operator = Func{}
)

// NewDense returns the Operator v ↦ a·v. a is used, not copied: later
// changes to a change the operator.
func NewDense(a mat.Symmetric) *Dense {
	d := &Dense{a: a}
	if s, ok := a.(*mat.SymDense); ok {
		d.raw = s.RawSymmetric()
		d.sym = true
	}
	return d
}

// Dim returns the order of the matrix.
func (d *Dense) Dim() int { return d.a.SymmetricDim() }

// Apply sets dst = a·v.
func (d *Dense) Apply(dst, v []float64) {
	if d.sym {
		n := d.raw.N
		blas64.Symv(1, d.raw, blas64.Vector{N: n, Inc: 1, Data: v}, 0, blas64.Vector{N: n, Inc: 1, Data: dst})
		return
	}
	n := len(v)
	mat.NewVecDense(n, dst).MulVec(d.a, mat.NewVecDense(n, v))
}

// Func is the Operator of dimension N whose Apply calls F. F must be a
// symmetric linear map and follow the rules of Operator.Apply.
type Func struct {
	N int
	F func(dst, v []float64)
}

// Dim returns N.
func (f Func) Dim() int { return f.N }

// Apply calls F(dst, v).
func (f Func) Apply(dst, v []float64) { f.F(dst, v) }

// negated is −A, for Bottom.
type negated struct{ op Operator }

func (o negated) Dim() int { return o.op.Dim() }

func (o negated) Apply(dst, v []float64) {
	o.op.Apply(dst, v)
	for i := range dst {
		dst[i] = -dst[i]
	}
}

// stream returns the random generator of stream index idx for seed: ChaCha8
// keyed by (seed, idx, domain), so that streams of different indices and
// purposes are independent and need no hashing.
func stream(seed, idx, domain uint64) *rand.Rand {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[0:], seed)
	binary.LittleEndian.PutUint64(key[8:], idx)
	binary.LittleEndian.PutUint64(key[16:], domain)
	return rand.New(rand.NewChaCha8(key))
}

// rows views rows [0, r) of a row-major block of vectors of length n.
func rows(data []float64, r, n int) blas64.General {
	return blas64.General{Rows: r, Cols: n, Stride: n, Data: data[:r*n]}
}

// orthogonalize removes from w its components along the r rows of the
// row-major block basis (vectors of length len(w)), adding the removed
// coefficients to acc if acc is not nil. The rows must be orthonormal.
func orthogonalize(w []float64, basis []float64, r int, acc, scratch []float64) {
	if r == 0 {
		return
	}
	n := len(w)
	g := rows(basis, r, n)
	d := scratch[:r]
	blas64.Gemv(blas.NoTrans, 1, g, blas64.Vector{N: n, Inc: 1, Data: w}, 0, blas64.Vector{N: r, Inc: 1, Data: d})
	blas64.Gemv(blas.Trans, -1, g, blas64.Vector{N: r, Inc: 1, Data: d}, 1, blas64.Vector{N: n, Inc: 1, Data: w})
	if acc != nil {
		for i, v := range d {
			acc[i] += v
		}
	}
}
