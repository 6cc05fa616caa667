package learning

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/flatminima/flatminima/problems"
)

// Activation selects the nonlinearity σ of the hidden layers of an MLP. Both
// are smooth, so that Hessians exist everywhere.
type Activation int

const (
	// Tanh is σ(z) = tanh z, with σ' = 1 − σ² and σ'' = −2σσ'.
	Tanh Activation = iota
	// Softplus is σ(z) = log(1 + e^z), with σ' = 1/(1 + e^{−z}) and
	// σ'' = σ'(1 − σ').
	Softplus
)

// String returns "tanh" or "softplus".
func (a Activation) String() string {
	switch a {
	case Tanh:
		return "tanh"
	case Softplus:
		return "softplus"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// Loss selects the per-sample loss ℓ(o, y) of an MLP on its output o ∈ R^C
// and label y ∈ {0, …, C−1}.
type Loss int

const (
	// CrossEntropy is the softmax cross-entropy
	// ℓ(o, y) = log Σ_c exp(o_c) − o_y, as PyTorch's nn.CrossEntropyLoss.
	// It has no minimizer on data the network interpolates.
	CrossEntropy Loss = iota
	// Squared is half the squared distance to the one-hot target,
	// ℓ(o, y) = ½‖o − e_y‖² (half of PyTorch's nn.MSELoss with
	// reduction="sum" on one-hot targets). Interpolating minimizers, where
	// every ℓ_i vanishes, exist when the network is wide enough.
	Squared
)

// String returns "cross-entropy" or "squared".
func (l Loss) String() string {
	switch l {
	case CrossEntropy:
		return "cross-entropy"
	case Squared:
		return "squared"
	}
	return fmt.Sprintf("Loss(%d)", int(l))
}

// MLPConfig describes the architecture and objective of an MLP.
type MLPConfig struct {
	// Hidden are the widths of the hidden layers, from the input towards
	// the output; each must be at least 1, and there must be at least one.
	Hidden []int
	// Activation is the nonlinearity of every hidden layer (Tanh by default).
	Activation Activation
	// Loss is the per-sample loss (CrossEntropy by default).
	Loss Loss
	// L2 ≥ 0 is the coefficient of the penalty (L2/2)‖θ‖², added to every
	// component.
	L2 float64
	// Classes is the number of outputs C. Zero means max(labels) + 1;
	// otherwise it must exceed every label.
	Classes int
	// Scratch bounds the scratch memory of one evaluation, in bytes; zero
	// means DefaultScratch. Full-batch and mini-batch evaluations process
	// their samples in chunks of as many as fit in it, so memory does not
	// grow with N. It must allow at least one sample:
	// 8·(6 Σ_{l≥1} d_l + d_0 + max_l d_l) bytes.
	Scratch int
}

// DefaultScratch is the default MLPConfig.Scratch, 256 MiB: the 1797 digits
// through a hidden layer of width 1500 fit in one chunk.
const DefaultScratch = 256 << 20

// MLP is a fully connected neural network on a labelled data set, as a
// finite-sum problem: component i is sample i,
//
//	f_i(θ) = ℓ(o(θ; x_i), y_i) + (L2/2)‖θ‖²,   F(θ) = (1/N) Σ_i f_i(θ),
//
// with uniform weights 1/N, where o(θ; x) = z_L is the output of the network
//
//	a_0 = x,   z_l = W_l a_{l−1} + b_l,   a_l = σ(z_l)   (l = 1, …, L−1),
//
// and z_L = W_L a_{L−1} + b_L is left linear. The loss ℓ and the activation σ
// are those of the MLPConfig.
//
// # Parameters
//
// θ packs the layers in order l = 1, …, L, each as PyTorch's nn.Linear
// stores it: the weight W_l (d_l × d_{l−1}, row-major), then the bias b_l
// (d_l). So θ of a PyTorch nn.Sequential of Linear layers, flattened by
// torch.nn.utils.parameters_to_vector, is θ here.
//
// # Derivatives
//
// The gradient is computed by backpropagation and the Hessian-vector product
// ∇²f(θ)v exactly by the R-operator of Pearlmutter (1994), "Fast exact
// multiplication by the Hessian", Neural Computation 6(1), 147–160: one
// forward pass, one forward pass of directional derivatives and one backward
// pass of each, at a few times the cost of a gradient and without forming
// ∇²f. Full-batch and mini-batch evaluations process their samples together
// through blas64.Gemm, so a native BLAS (blas64.Use) speeds up every heavy
// path: a gradient costs 3L − 1 matrix products and an HVP 8L − 5, each of
// N rows (or the batch size) by the widths of one layer.
//
// # Concurrency and memory
//
// An MLP is immutable after construction and safe for concurrent use: every
// evaluation takes its scratch space from a sync.Pool, so in steady state no
// method allocates (beyond what the BLAS implementation does). One
// evaluation's scratch holds 6 Σ_{l≥1} d_l + d_0 + max_{l<L} d_l floats per
// sample; samples are processed in chunks of as many as MLPConfig.Scratch
// bytes hold, so memory is bounded whatever N (results may then differ from
// one chunk by rounding). Concurrent evaluations each hold one scratch.
// Within an evaluation, everything that works sample by sample (the forward
// and R-forward passes through every layer, the R-backward pass's products
// g_l W_l, R{g_l} W_l + g_l V_l and their elementwise terms) runs on blocks
// of 64 samples, so that a block stays in cache from one step to the next,
// over up to runtime.GOMAXPROCS(0) goroutines; each entry is computed from
// its own sample only, so the results are bit-identical for any GOMAXPROCS.
// The products that sum over the samples (the weight derivatives) are
// full-batch products.
type MLP struct {
	x       *mat.Dense // N × d_0
	labels  []int
	ones    []float64 // N ones, for column sums
	widths  []int     // d_0, d_1, …, d_L = C
	woff    []int     // woff[l−1]: offset of W_l in θ; the bias follows it
	dim     int
	chunk   int // samples per evaluation chunk
	scratch int // bytes, MLPConfig.Scratch or DefaultScratch
	act     Activation
	loss    Loss
	l2      float64
	comps   []MLPComponent
	pool    sync.Pool // *workspace
}

var (
	_ problems.Problem           = (*MLP)(nil)
	_ problems.ExpectedGrader    = (*MLP)(nil)
	_ problems.ExpectedHessVecer = (*MLP)(nil)
	_ problems.Component         = (*MLPComponent)(nil)
	_ problems.HessVecer         = (*MLPComponent)(nil)
)

// NewMLP returns the MLP problem of cfg on the samples that are the rows of x,
// with labels[i] ∈ {0, …, C−1} the class of row i. x and labels are copied.
// It returns an error, naming the argument, when x is empty or has a
// non-finite entry, when labels does not have one entry per row of x or has a
// negative entry or one not below cfg.Classes, when there are fewer than two
// classes, when cfg.Hidden is empty or has a width below 1, when
// cfg.Activation or cfg.Loss is unknown, when cfg.L2 is negative or not
// finite, or when cfg.Scratch is negative or too small for one sample.
func NewMLP(x mat.Matrix, labels []int, cfg MLPConfig) (*MLP, error) {
	if x == nil {
		return nil, errors.New("learning: NewMLP: x is nil")
	}
	n, d := x.Dims()
	if n == 0 || d == 0 {
		return nil, fmt.Errorf("learning: NewMLP: x is %d×%d, want at least one row and one column", n, d)
	}
	if len(labels) != n {
		return nil, fmt.Errorf("learning: NewMLP: labels has length %d, x has %d rows", len(labels), n)
	}
	xd := mat.DenseCopyOf(x)
	for i := 0; i < n; i++ {
		for j, v := range xd.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("learning: NewMLP: x[%d][%d] = %v is not finite", i, j, v)
			}
		}
	}
	maxLabel := -1
	for i, y := range labels {
		if y < 0 {
			return nil, fmt.Errorf("learning: NewMLP: labels[%d] = %d is negative", i, y)
		}
		maxLabel = max(maxLabel, y)
	}
	c := cfg.Classes
	switch {
	case c < 0:
		return nil, fmt.Errorf("learning: NewMLP: cfg.Classes = %d is negative", c)
	case c == 0:
		c = maxLabel + 1
	case maxLabel >= c:
		return nil, fmt.Errorf("learning: NewMLP: label %d is not below cfg.Classes = %d", maxLabel, c)
	}
	if c < 2 {
		return nil, fmt.Errorf("learning: NewMLP: %d class, want at least 2 outputs (labels or cfg.Classes)", c)
	}
	if len(cfg.Hidden) == 0 {
		return nil, errors.New("learning: NewMLP: cfg.Hidden is empty, want at least one hidden layer")
	}
	for l, w := range cfg.Hidden {
		if w < 1 {
			return nil, fmt.Errorf("learning: NewMLP: cfg.Hidden[%d] = %d, want ≥ 1", l, w)
		}
	}
	if cfg.Activation != Tanh && cfg.Activation != Softplus {
		return nil, fmt.Errorf("learning: NewMLP: cfg.Activation = %d is unknown", int(cfg.Activation))
	}
	if cfg.Loss != CrossEntropy && cfg.Loss != Squared {
		return nil, fmt.Errorf("learning: NewMLP: cfg.Loss = %d is unknown", int(cfg.Loss))
	}
	if !(cfg.L2 >= 0) || math.IsInf(cfg.L2, 1) {
		return nil, fmt.Errorf("learning: NewMLP: cfg.L2 = %v, want finite and ≥ 0", cfg.L2)
	}
	m := &MLP{
		x:      xd,
		labels: append([]int(nil), labels...),
		ones:   make([]float64, n),
		act:    cfg.Activation,
		loss:   cfg.Loss,
		l2:     cfg.L2,
	}
	for i := range m.ones {
		m.ones[i] = 1
	}
	m.widths = append(append([]int{d}, cfg.Hidden...), c)
	for l := 1; l < len(m.widths); l++ {
		m.woff = append(m.woff, m.dim)
		m.dim += m.widths[l] * (m.widths[l-1] + 1)
	}
	perRow := d // bytes of scratch per sample, /8: the gathered input, …
	maxw := 0
	for l := 1; l < len(m.widths); l++ {
		perRow += 6 * m.widths[l] // a, σ', g, R{z}, R{a}, R{g}
		if l < len(m.widths)-1 {
			maxw = max(maxw, m.widths[l])
		}
	}
	perRow = 8 * (perRow + maxw) // … and the product g_l W_l
	scratch := cfg.Scratch
	switch {
	case scratch < 0:
		return nil, fmt.Errorf("learning: NewMLP: cfg.Scratch = %d is negative", scratch)
	case scratch == 0:
		scratch = DefaultScratch
	}
	if scratch < perRow {
		return nil, fmt.Errorf("learning: NewMLP: cfg.Scratch = %d bytes is below the %d bytes that one sample needs", scratch, perRow)
	}
	m.chunk = min(n, scratch/perRow)
	m.scratch = scratch
	m.comps = make([]MLPComponent, n)
	for i := range m.comps {
		m.comps[i] = MLPComponent{m: m, i: i}
	}
	m.pool.New = func() any { return new(workspace) }
	return m, nil
}

// Dim returns the number of parameters p = Σ_l d_l (d_{l−1} + 1).
func (m *MLP) Dim() int { return m.dim }

// Len returns the number of samples N.
func (m *MLP) Len() int { return len(m.labels) }

// Weight returns 1/N.
func (m *MLP) Weight(int) float64 { return 1 / float64(len(m.labels)) }

// Component returns f_i, the loss on sample i plus the L2 term.
func (m *MLP) Component(i int) problems.Component { return &m.comps[i] }

// Widths returns the layer widths d_0 (inputs), d_1, …, d_L = C (outputs).
func (m *MLP) Widths() []int { return append([]int(nil), m.widths...) }

// Init returns parameters drawn as PyTorch's default initialization of
// nn.Linear: every weight and bias of layer l independently uniform on
// [−1/√d_{l−1}, 1/√d_{l−1}] (kaiming_uniform_ with a = √5, whose bound is
// 1/√fan_in). The draws come from a PCG stream seeded by seed; they are not
// PyTorch's random numbers.
func (m *MLP) Init(seed uint64) []float64 {
	rnd := rand.New(rand.NewPCG(seed, 0x6d6c70696e6974)) // "mlpinit"
	theta := make([]float64, m.dim)
	for l := 1; l < len(m.widths); l++ {
		bound := 1 / math.Sqrt(float64(m.widths[l-1]))
		lo, hi := m.woff[l-1], m.woff[l-1]+m.widths[l]*(m.widths[l-1]+1)
		for j := lo; j < hi; j++ {
			theta[j] = bound * (2*rnd.Float64() - 1)
		}
	}
	return theta
}

// ExpectedFunc returns F(θ) = (1/N) Σ_i ℓ_i(θ) + (L2/2)‖θ‖², evaluated in
// batched forward passes.
func (m *MLP) ExpectedFunc(x []float64) float64 {
	m.checkLen("ExpectedFunc", x)
	return m.run(0, len(m.labels), nil, x, nil, nil, nil)
}

// ExpectedGrad writes ∇F(θ) into grad, by batched forward and backward
// passes.
func (m *MLP) ExpectedGrad(grad, x []float64) {
	m.checkLen("ExpectedGrad", x, grad)
	m.run(0, len(m.labels), nil, x, grad, nil, nil)
}

// ExpectedHessVec writes ∇²F(θ)v into dst, by the batched R-operator. dst
// must not share memory with x or v.
func (m *MLP) ExpectedHessVec(dst, x, v []float64) {
	m.checkLen("ExpectedHessVec", x, dst, v)
	m.run(0, len(m.labels), nil, x, nil, dst, v)
}

// DenseHessianMaxBytes is the memory budget of ExpectedHessian: 8p² bytes
// for the p×p matrix, 1 GiB (p ≤ 11,585).
const DenseHessianMaxBytes = 1 << 30

// ExpectedHessian returns the dense ∇²F(θ), column by column from p
// full-batch Hessian-vector products: O(p) products and 8p² bytes, for small
// p and for tests. It returns an error naming the size when 8p² bytes exceed
// DenseHessianMaxBytes, before allocating. The MLP does not implement
// problems.ExpectedHessianer or problems.Hessianer, whose methods cannot
// refuse: generic code reaches its second derivatives through
// Hessian-vector products (problems.HessVecer, problems.ExpectedHessVecer)
// and ProjectHessians.
func (m *MLP) ExpectedHessian(x []float64) (*mat.SymDense, error) {
	if len(x) != m.dim {
		return nil, fmt.Errorf("learning: MLP ExpectedHessian: len(x) = %d, want Dim = %d", len(x), m.dim)
	}
	if b := 8 * float64(m.dim) * float64(m.dim); b > DenseHessianMaxBytes {
		return nil, fmt.Errorf("learning: MLP ExpectedHessian: a dense %d×%d Hessian needs %.4g bytes, above DenseHessianMaxBytes = %d", m.dim, m.dim, b, DenseHessianMaxBytes)
	}
	hess := mat.NewSymDense(m.dim, nil)
	e := make([]float64, m.dim)
	col := make([]float64, m.dim)
	for j := range e {
		e[j] = 1
		m.ExpectedHessVec(col, x, e)
		e[j] = 0
		for i := 0; i <= j; i++ {
			hess.SetSym(i, j, col[i])
		}
	}
	return hess, nil
}

// BatchFunc returns the mean (1/|idx|) Σ_{i∈idx} f_i(θ) over the samples idx
// (repetitions count), evaluated in batched passes. It panics if idx is
// empty or an index is out of range.
func (m *MLP) BatchFunc(x []float64, idx []int) float64 {
	m.checkLen("BatchFunc", x)
	return m.run(0, m.checkIdx("BatchFunc", idx), idx, x, nil, nil, nil)
}

// BatchGrad writes the mean gradient (1/|idx|) Σ_{i∈idx} ∇f_i(θ) into grad,
// the SGD-k step direction for the batch idx, evaluated in batched passes.
// It panics if idx is empty or an index is out of range.
func (m *MLP) BatchGrad(grad, x []float64, idx []int) {
	m.checkLen("BatchGrad", x, grad)
	m.run(0, m.checkIdx("BatchGrad", idx), idx, x, grad, nil, nil)
}

// BatchHessVec writes (1/|idx|) Σ_{i∈idx} ∇²f_i(θ)v into dst, evaluated in
// batched passes. It panics if idx is empty or an index is out of range.
func (m *MLP) BatchHessVec(dst, x, v []float64, idx []int) {
	m.checkLen("BatchHessVec", x, dst, v)
	m.run(0, m.checkIdx("BatchHessVec", idx), idx, x, nil, dst, v)
}

// Objective returns F as a gonum optimize.Problem with Func = ExpectedFunc and
// Grad = ExpectedGrad, and no Hess, for minimizers that use gradients only
// (optimize.LBFGS, optimize.CG). It is safe for concurrent use.
func (m *MLP) Objective() optimize.Problem {
	return optimize.Problem{Func: m.ExpectedFunc, Grad: m.ExpectedGrad}
}

// Train minimizes F from x0 with gonum's L-BFGS (optimize.LBFGS) on
// Objective, using F and ∇F only, so that it works at any p without forming
// ∇²F; memory is O(p) per stored pair. settings may be nil for gonum's
// defaults (gradient threshold 1e-12 on ‖∇F‖_∞, at most 100 iterations
// without improvement of F by 1e-10). x0 is not modified; the minimizer is
// result.X. The error is optimize.Minimize's.
func (m *MLP) Train(x0 []float64, settings *optimize.Settings) (*optimize.Result, error) {
	if len(x0) != m.dim {
		return nil, fmt.Errorf("learning: Train: x0 has length %d, want Dim = %d", len(x0), m.dim)
	}
	return optimize.Minimize(m.Objective(), x0, settings, &optimize.LBFGS{})
}

// MLPComponent is the component f_i(θ) = ℓ(o(θ; x_i), y_i) + (L2/2)‖θ‖² of an
// MLP, for one sample i. It is safe for concurrent use.
type MLPComponent struct {
	m *MLP
	i int
}

// Func returns f_i(θ).
func (c *MLPComponent) Func(x []float64) float64 {
	c.m.checkLen("Func", x)
	return c.m.run(c.i, c.i+1, nil, x, nil, nil, nil)
}

// Grad writes ∇f_i(θ) into grad.
func (c *MLPComponent) Grad(grad, x []float64) {
	c.m.checkLen("Grad", x, grad)
	c.m.run(c.i, c.i+1, nil, x, grad, nil, nil)
}

// HessVec writes ∇²f_i(θ)v into dst by the R-operator. dst must not share
// memory with x or v.
func (c *MLPComponent) HessVec(dst, x, v []float64) {
	c.m.checkLen("HessVec", x, dst, v)
	c.m.run(c.i, c.i+1, nil, x, nil, dst, v)
}

func (m *MLP) checkLen(name string, s ...[]float64) {
	for _, v := range s {
		if len(v) != m.dim {
			panic("learning: MLP " + name + ": dimension mismatch")
		}
	}
}

func (m *MLP) checkIdx(name string, idx []int) int {
	if len(idx) == 0 {
		panic("learning: MLP " + name + ": empty batch")
	}
	for _, i := range idx {
		if i < 0 || i >= len(m.labels) {
			panic("learning: MLP " + name + ": index out of range")
		}
	}
	return len(idx)
}

// run evaluates the mean of f_i over the samples lo..hi−1 (idx == nil) or
// idx[lo..hi−1], in chunks of at most m.chunk samples so that the scratch
// stays within its budget: it returns the mean, writes the mean gradient into
// grad when grad is not nil and the mean Hessian-vector product with v into
// hv when hv is not nil.
func (m *MLP) run(lo, hi int, idx []int, theta, grad, hv, v []float64) float64 {
	n := hi - lo
	ws := m.get(min(n, m.chunk), hv != nil)
	defer m.pool.Put(ws)
	d := m.widths[0]
	scale := 1 / float64(n)
	var f float64
	for s := lo; s < hi; s += m.chunk {
		e := min(s+m.chunk, hi)
		var in blas64.General
		var lab []int
		if idx == nil {
			in = gen(m.x.RawMatrix().Data[s*d:], e-s, d)
			lab = m.labels[s:e]
		} else {
			in, lab = m.gather(ws, idx[s:e])
		}
		f += m.eval(ws, in, lab, scale, s == lo, theta, grad, hv, v)
	}
	if m.l2 != 0 {
		f += 0.5 * m.l2 * floats.Dot(theta, theta)
		if grad != nil {
			floats.AddScaled(grad, m.l2, theta)
		}
		if hv != nil {
			floats.AddScaled(hv, m.l2, v)
		}
	}
	return f
}

// gather copies the samples idx and their labels into the workspace.
func (m *MLP) gather(ws *workspace, idx []int) (blas64.General, []int) {
	d := m.widths[0]
	if cap(ws.in) < len(idx)*d {
		ws.in = make([]float64, len(idx)*d)
	}
	if cap(ws.lab) < len(idx) {
		ws.lab = make([]int, len(idx))
	}
	ws.lab = ws.lab[:len(idx)]
	for k, i := range idx {
		copy(ws.in[k*d:(k+1)*d], m.x.RawRowView(i))
		ws.lab[k] = m.labels[i]
	}
	return gen(ws.in, len(idx), d), ws.lab
}

// workspace is the scratch of one evaluation on a batch of at most cap rows.
// Index l = 1..L of a, d, g, rz, ra, rg is layer l; a[L] holds the outputs
// (then the softmax probabilities), d[l] = σ'(z_l).
type workspace struct {
	in, p               []float64
	lab                 []int
	a, d, g, rz, ra, rg [][]float64
}

// get returns a workspace for a batch of n rows, with the R-pass arrays when
// withR.
func (m *MLP) get(n int, withR bool) *workspace {
	ws := m.pool.Get().(*workspace)
	L := len(m.widths) - 1
	grow := func(s *[]float64, size int) {
		if cap(*s) < size {
			*s = make([]float64, size)
		}
		*s = (*s)[:size]
	}
	if ws.a == nil {
		ws.a = make([][]float64, L+1)
		ws.d = make([][]float64, L+1)
		ws.g = make([][]float64, L+1)
		ws.rz = make([][]float64, L+1)
		ws.ra = make([][]float64, L+1)
		ws.rg = make([][]float64, L+1)
	}
	maxw := 0
	for l := 1; l <= L; l++ {
		size := n * m.widths[l]
		grow(&ws.a[l], size)
		grow(&ws.d[l], size)
		grow(&ws.g[l], size)
		if withR {
			grow(&ws.rz[l], size)
			grow(&ws.ra[l], size)
			grow(&ws.rg[l], size)
		}
		if l < L {
			maxw = max(maxw, m.widths[l])
		}
	}
	grow(&ws.p, n*maxw)
	return ws
}

func gen(data []float64, r, c int) blas64.General {
	return blas64.General{Rows: r, Cols: c, Stride: c, Data: data[:r*c]}
}

// weights returns W_l and b_l of layer l as views of θ.
func (m *MLP) weights(theta []float64, l int) (blas64.General, []float64) {
	out, in := m.widths[l], m.widths[l-1]
	off := m.woff[l-1]
	return gen(theta[off:off+out*in], out, in), theta[off+out*in : off+out*(in+1)]
}

// eval evaluates the data term on the chunk whose inputs are the rows of in
// and whose labels are labels: it returns scale·Σ ℓ_i over the chunk and,
// when grad (hv) is not nil, adds scale·Σ ∇ℓ_i (scale·Σ ∇²ℓ_i v) to it, or
// overwrites it when first.
func (m *MLP) eval(ws *workspace, in blas64.General, labels []int, scale float64, first bool, theta, grad, hv, v []float64) float64 {
	n := in.Rows
	L := len(m.widths) - 1
	w := m.widths
	// Forward pass, block by block of rows through every layer, so that a
	// block's activations are still in cache when the next layer's product
	// reads them: z_l = a_{l−1} W_lᵀ + 1 b_lᵀ, a_l = σ(z_l) and σ'(z_l);
	// for an HVP the block's R-forward pass follows, on the same rows.
	rowBlocks(n, func(r0, r1 int) {
		for l := 1; l <= L; l++ {
			W, b := m.weights(theta, l)
			o := w[l]
			z := rowsOf(ws.a[l], r0, r1, o)
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, m.layerIn(ws.a, in, l, r0, r1), W, 0, z)
			addRows(z, b)
			if l < L {
				m.activate(z.Data, ws.d[l][r0*o:r1*o])
			}
		}
		if hv != nil {
			m.rforward(ws, in, theta, v, r0, r1)
		}
	})

	// Loss and its derivative in the outputs, g_L = scale·∂ℓ/∂z_L; for
	// cross-entropy a[L] is overwritten by the softmax probabilities.
	inv := scale
	var f float64
	c := w[L]
	for k := 0; k < n; k++ {
		o := ws.a[L][k*c : (k+1)*c]
		g := ws.g[L][k*c : (k+1)*c]
		y := labels[k]
		switch m.loss {
		case CrossEntropy:
			lse := logSumExp(o)
			f += lse - o[y]
			for j := range o {
				o[j] = math.Exp(o[j] - lse)
				g[j] = inv * o[j]
			}
		case Squared:
			for j := range o {
				t := o[j]
				if j == y {
					t--
				}
				f += 0.5 * t * t
				g[j] = inv * t
			}
		}
		g[y] -= inv * boolf(m.loss == CrossEntropy)
	}
	f *= inv

	beta := 1.0
	if first {
		beta = 0
	}
	if grad != nil {
		m.backward(ws, in, theta, grad, beta)
	}
	if hv != nil {
		m.rbackward(ws, in, theta, v, hv, scale, beta)
	}
	return f
}

// backward sets grad to beta·grad plus the gradient of the chunk's data term
// by backpropagation: ∂/∂W_l = g_lᵀ a_{l−1}, ∂/∂b_l = g_lᵀ1,
// g_{l−1} = (g_l W_l) ⊙ σ'(z_{l−1}).
func (m *MLP) backward(ws *workspace, in blas64.General, theta, grad []float64, beta float64) {
	n := in.Rows
	L := len(m.widths) - 1
	w := m.widths
	ones := blas64.Vector{N: n, Inc: 1, Data: m.ones[:n]}
	for l := L; l >= 1; l-- {
		W, _ := m.weights(theta, l)
		gW, gb := m.weights(grad, l)
		G := gen(ws.g[l], n, w[l])
		A := in
		if l > 1 {
			A = gen(ws.a[l-1], n, w[l-1])
		}
		blas64.Gemm(blas.Trans, blas.NoTrans, 1, G, A, beta, gW)
		blas64.Gemv(blas.Trans, 1, G, ones, beta, blas64.Vector{N: len(gb), Inc: 1, Data: gb})
		if l > 1 {
			Gp := gen(ws.g[l-1], n, w[l-1])
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, G, W, 0, Gp)
			floats.Mul(Gp.Data, ws.d[l-1][:len(Gp.Data)])
		}
	}
}

// rop sets hv (when not nil) to beta·hv plus the Hessian-vector product of
// the chunk's data term by the R-operator R{·} = ∂/∂r (·)(θ + r v) at r = 0 (Pearlmutter 1994): forward,
//
//	R{z_l} = R{a_{l−1}} W_lᵀ + a_{l−1} V_lᵀ + 1 v_bᵀ,   R{a_l} = σ'(z_l) ⊙ R{z_l},
//
// then backward, with g_l the output derivatives of eval,
//
//	R{g_L} = scale·∇²_z ℓ R{z_L},
//	R{g_{l−1}} = (R{g_l} W_l + g_l V_l) ⊙ σ'(z_{l−1}) + (g_l W_l) ⊙ σ''(z_{l−1}) ⊙ R{z_{l−1}},
//	R{∂/∂W_l} = R{g_l}ᵀ a_{l−1} + g_lᵀ R{a_{l−1}},   R{∂/∂b_l} = R{g_l}ᵀ 1,
//
// where the rows of R{g_L} are the samples'. The forward pass of eval must
// have filled ws.
func (m *MLP) rop(ws *workspace, in blas64.General, theta, v, hv []float64, scale, beta float64) {
	rowBlocks(in.Rows, func(r0, r1 int) { m.rforward(ws, in, theta, v, r0, r1) })
	m.rbackward(ws, in, theta, v, hv, scale, beta)
}

// rforward is the R-forward pass of rop on the rows r0..r1−1 of the batch,
// through every layer.
func (m *MLP) rforward(ws *workspace, in blas64.General, theta, v []float64, r0, r1 int) {
	L := len(m.widths) - 1
	w := m.widths
	for l := 1; l <= L; l++ {
		W, _ := m.weights(theta, l)
		V, vb := m.weights(v, l)
		o := w[l]
		rz := rowsOf(ws.rz[l], r0, r1, o)
		blas64.Gemm(blas.NoTrans, blas.Trans, 1, m.layerIn(ws.a, in, l, r0, r1), V, 0, rz)
		if l > 1 {
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, rowsOf(ws.ra[l-1], r0, r1, w[l-1]), W, 1, rz)
		}
		addRows(rz, vb)
		if l < L {
			floats.MulTo(ws.ra[l][r0*o:r1*o], ws.d[l][r0*o:r1*o], rz.Data)
		}
	}
}

// rbackward is the backward pass of rop, after rforward on every row.
func (m *MLP) rbackward(ws *workspace, in blas64.General, theta, v, hv []float64, scale, beta float64) {
	n := in.Rows
	L := len(m.widths) - 1
	w := m.widths

	// R{g_L}: cross-entropy ∇²_z ℓ = diag(π) − ππᵀ (π the probabilities in
	// a[L]); squared ∇²_z ℓ = I.
	inv := scale
	c := w[L]
	for k := 0; k < n; k++ {
		rz := ws.rz[L][k*c : (k+1)*c]
		rg := ws.rg[L][k*c : (k+1)*c]
		switch m.loss {
		case CrossEntropy:
			pi := ws.a[L][k*c : (k+1)*c]
			s := floats.Dot(pi, rz)
			for j := range rg {
				rg[j] = inv * pi[j] * (rz[j] - s)
			}
		case Squared:
			floats.ScaleTo(rg, inv, rz)
		}
	}

	ones := blas64.Vector{N: n, Inc: 1, Data: m.ones[:n]}
	for l := L; l >= 1; l-- {
		W, _ := m.weights(theta, l)
		V, _ := m.weights(v, l)
		G := gen(ws.g[l], n, w[l])
		RG := gen(ws.rg[l], n, w[l])
		// With hv nil only the R-pass arrays are wanted (ProjectHessians).
		if hv != nil {
			hW, hb := m.weights(hv, l)
			if l == 1 {
				blas64.Gemm(blas.Trans, blas.NoTrans, 1, RG, in, beta, hW)
			} else {
				blas64.Gemm(blas.Trans, blas.NoTrans, 1, RG, gen(ws.a[l-1], n, w[l-1]), beta, hW)
				blas64.Gemm(blas.Trans, blas.NoTrans, 1, G, gen(ws.ra[l-1], n, w[l-1]), 1, hW)
			}
			blas64.Gemv(blas.Trans, 1, RG, ones, beta, blas64.Vector{N: len(hb), Inc: 1, Data: hb})
		}
		if l == 1 {
			break
		}
		// Block by block of rows, while the block is in cache: P = g_l W_l,
		// R{g_{l−1}} from R{g_l} W_l + g_l V_l and P, and g_{l−1} = P ⊙ σ'
		// when a later pass reads it (layer l−1 ≥ 2; layer 1's g_1 enters
		// neither R{∂/∂W_1} nor ProjectHessians).
		o, c := w[l-1], w[l]
		needG := l-1 >= 2
		rowBlocks(n, func(r0, r1 int) {
			nb := r1 - r0
			Gb := gen(G.Data[r0*c:], nb, c)
			RGb := gen(RG.Data[r0*c:], nb, c)
			P := gen(ws.p[r0*o:], nb, o)
			RGp := gen(ws.rg[l-1][r0*o:], nb, o)
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, Gb, W, 0, P)
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, RGb, W, 0, RGp)
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, Gb, V, 1, RGp)
			m.rgPrev(RGp.Data, P.Data, ws.d[l-1][r0*o:r1*o], ws.a[l-1][r0*o:r1*o], ws.rz[l-1][r0*o:r1*o])
			if needG {
				floats.MulTo(ws.g[l-1][r0*o:r1*o], P.Data, ws.d[l-1][r0*o:r1*o])
			}
		})
	}
}

// rowsOf returns rows r0..r1−1 of the batch matrix with c columns stored in
// s.
func rowsOf(s []float64, r0, r1, c int) blas64.General {
	return gen(s[r0*c:], r1-r0, c)
}

// layerIn returns rows r0..r1−1 of the input a_{l−1} of layer l: of the
// batch inputs in for l = 1, of the activations a[l−1] otherwise.
func (m *MLP) layerIn(a [][]float64, in blas64.General, l, r0, r1 int) blas64.General {
	if l == 1 {
		return blas64.General{Rows: r1 - r0, Cols: in.Cols, Stride: in.Stride, Data: in.Data[r0*in.Stride:]}
	}
	return rowsOf(a[l-1], r0, r1, m.widths[l-1])
}

// rgPrev sets rg to rg ⊙ σ'(z) + p ⊙ σ⁽²⁾(z) ⊙ rz, with the second
// derivative σ⁽²⁾(z) computed from a = σ(z) and d = σ'(z).
func (m *MLP) rgPrev(rg, p, d, a, rz []float64) {
	switch m.act {
	case Tanh:
		for j, pj := range p {
			rg[j] = rg[j]*d[j] + pj*(-2*a[j]*d[j])*rz[j]
		}
	case Softplus:
		for j, pj := range p {
			rg[j] = rg[j]*d[j] + pj*(d[j]*(1-d[j]))*rz[j]
		}
	}
}

// rowBlock is the number of rows (samples) of a batch that the per-sample
// steps handle at once: 64 rows of a layer of width 1500 take 750 KiB, so a
// block stays in cache between the step that writes it and the next one that
// reads it.
const rowBlock = 64

// rowBlocks calls body(r0, r1) for the blocks r0..r1−1 of rowBlock rows of
// 0..n−1, over up to runtime.GOMAXPROCS(0) goroutines. body must only touch
// rows r0..r1−1 of its arrays and compute each entry from entries of the same
// rows, so that the results do not depend on the number of goroutines or on
// their scheduling.
func rowBlocks(n int, body func(r0, r1 int)) {
	nb := (n + rowBlock - 1) / rowBlock
	if nb == 1 || runtime.GOMAXPROCS(0) == 1 {
		for r0 := 0; r0 < n; r0 += rowBlock {
			body(r0, min(r0+rowBlock, n))
		}
		return
	}
	problems.Parallel(nb, 0, func() func(int) {
		return func(b int) { body(b*rowBlock, min((b+1)*rowBlock, n)) }
	})
}

// activate replaces z by σ(z) in a and writes σ'(z) into d.
func (m *MLP) activate(a, d []float64) {
	switch m.act {
	case Tanh:
		for j, z := range a {
			t := math.Tanh(z)
			a[j] = t
			d[j] = 1 - t*t
		}
	case Softplus:
		for j, z := range a {
			a[j] = softplus(z)
			d[j] = logistic(z)
		}
	}
}

// addRows adds b to every row of z.
func addRows(z blas64.General, b []float64) {
	for k := 0; k < z.Rows; k++ {
		floats.Add(z.Data[k*z.Stride:k*z.Stride+z.Cols], b)
	}
}

func logSumExp(o []float64) float64 {
	mx := floats.Max(o)
	var s float64
	for _, v := range o {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
