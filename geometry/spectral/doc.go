// Package spectral implements matrix-free tools for symmetric linear
// operators: the extreme eigenpairs by Lanczos (Top and Bottom) and
// stochastic estimates of traces and spectral densities (Trace, Quadrature).
// An operator is anything with Dim and Apply(dst, v) (dst = Av), such as a
// Hessian-vector product; Dense and Func adapt a matrix or a function.
//
// # Eigenpairs
//
// Top returns the r largest eigenvalues with orthonormal eigenvectors and
// their measured residuals ‖Av − λv‖; Bottom the r smallest. They use
// Lanczos with full reorthogonalization, thick restarts and locking, and
// close with runs from fresh random vectors that return a repeated
// eigenvalue as often as its multiplicity. Which eigenvalues count as zero
// (a rank rule) is left to the caller. A run that exhausts its step budget
// returns a *NotConvergedError holding the approximations found so far.
//
// # Traces
//
// Trace is Hutchinson's estimator tr(A) ≈ mean of zᵀAz over Rademacher
// probes z, with its standard error. Quadrature runs a few Lanczos steps
// from each probe (stochastic Lanczos quadrature) and gives tr f(A) for any
// f and a smoothed spectral density from the same steps.
//
// # Reproducibility
//
// Every random vector comes from a ChaCha8 stream keyed by the Seed setting
// and the index of the run or probe, so results are a deterministic function
// of the operator and the settings, and do not depend on Workers.
package spectral
