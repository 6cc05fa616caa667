// Package paper implements the test problems of V. Patel, "The Impact of
// Local Geometry and Batch Size on Stochastic Gradient Descent for Nonconvex
// Problems" (2018): the quadratic-circle sums of Problem 4.1 and Appendix A,
// with the four models of its Section 4, and the Styblinski–Tang sums of
// Problem 5.1, with the three models of its Section 5 and their sharpest
// and flattest minimizers. Each is a problems.Problem, with exact gradients,
// Hessians and Hessian-vector products.
//
// # Quadratic-circle sums
//
// A component is f = min{g, h} on R² with the parabola well
// g(x) = q1 (x2 − q2 x1² − q3)² of (A1) and the circular basin h of (A2), a
// quintic smoothstep in ‖x‖ between radii C2 and C3 (C², see the errata of
// package thresholds for the misprinted middle case). Where g ≤ h the
// derivatives are g's. QuadCircleModel builds the paper's Models 1–4, with
// a circular minimizer at (0, 0) and a quadratic one at (0, −15); their
// constants are calibrated so that the thresholds at the quadratic minimizer
// match the paper's Tables 2–3.
//
// # Styblinski–Tang sums
//
// A component is f(x) = ½ Σ_d (c1_d x_d⁴ + c2_d x_d² + c3_d x_d), (54) with
// the ½ in front of the whole sum, c1, c3 ≥ 0 and c2 ≤ 0, on (−5, 5)^p. The
// Hessians are diagonal, so the curvature moments have closed forms
// (DiagonalMoments). F is separable: per coordinate the averaged cubic has
// three real roots when 8ā2³ + 27ā1ā3² < 0, the outer two minima, so there
// are 2^p minimizers; Sharpest and Flattest pick the larger- and
// smaller-curvature root in every coordinate, which dominate all others in
// the Loewner order. The minimizers are inhomogeneous.
package paper
