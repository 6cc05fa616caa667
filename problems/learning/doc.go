// Package learning implements stochastic problems from data and
// distributions: least squares on a data matrix (LeastSquares) and on a
// Gaussian population (GaussianLeastSquares, a problems.Sampler with exact
// moments), ridge logistic regression (Logistic), a fully connected neural
// network (MLP) on a labelled data set, and the Dataset type with its CSV
// reader, label mapping and standardization. Least squares and logistic
// regression have rank-one component Hessians c_i(x)·a_i a_iᵀ, which the
// library uses in O(p) per component. Every finite problem is a finite sum
// in the sense of package problems,
//
//	F(θ) = Σ_i p_i f_i(θ),
//
// with one component f_i per sample and uniform weights p_i = 1/N, so SGD-k
// (package sgdk) draws mini-batches of samples and the local-geometry tools
// (package geometry) see the per-sample Hessians ∇²f_i that set the
// thresholds of Patel, "The Impact of Local Geometry and Batch Size on
// Stochastic Gradient Descent for Nonconvex Problems".
//
// # The MLP
//
// NewMLP builds the network of an MLPConfig: hidden layers with tanh or
// softplus activations (smooth, so Hessians exist), linear outputs, softmax
// cross-entropy or half squared error on one-hot targets, and an optional
// penalty (L2/2)‖θ‖² in every component. Its parameters are packed as
// PyTorch's nn.Linear layers, so that θ can be exchanged with PyTorch.
//
// Derivatives are exact: gradients by backpropagation, Hessian-vector products
// ∇²f(θ)v by Pearlmutter's R-operator (B. A. Pearlmutter, "Fast exact
// multiplication by the Hessian", Neural Computation 6(1):147–160, 1994), so
// the curvature of networks with 10⁵ parameters is reachable without a p×p
// matrix. A full batch or mini-batch is evaluated at once by matrix products
// through gonum's blas64, so plugging in a native BLAS with blas64.Use (for
// example gonum.org/v1/netlib with OpenBLAS) speeds up every heavy path.
//
// The capabilities are methods: ExpectedFunc, ExpectedGrad and
// ExpectedHessVec for F; BatchFunc, BatchGrad and BatchHessVec for the mean
// over a mini-batch; Func, Grad and HessVec of each component; and
// ProjectHessians, the compressed sample Hessians Vᵀ∇²f_iV of many samples
// in batched passes. The dense ExpectedHessian is assembled from p
// Hessian-vector products and needs 8p² bytes: it is for small networks and
// tests, and refused above DenseHessianMaxBytes. Train minimizes F by
// L-BFGS with F and ∇F only.
//
// # Data
//
// ReadCSV reads a table with a header row and a named label column; labels
// may be any text and are mapped to 0..C−1 (integers in numeric order).
// Standardize centres and scales the features. BreastCancer and Digits
// return two small public data sets of the UCI Machine Learning Repository
// (CC BY 4.0) that ship with the package: see testdata/README.md.
//
// # Conventions
//
// As in gonum/optimize, derivatives are written into a destination that the
// caller provides and comes first; methods never modify θ or v; constructors
// copy their inputs. Bad input to a constructor returns an error naming the
// argument; a slice of the wrong length passed to an evaluation method is a
// programming error and panics. An MLP is safe for concurrent use.
package learning
