// Package examples holds testable examples that reproduce, on reduced grids,
// the numbers and claims of V. Patel, "The Impact of Local Geometry and Batch
// Size on Stochastic Gradient Descent for Nonconvex Problems" (2018): the
// thresholds of Tables 2–5 at the paper's minimizers, and the behaviour of
// SGD-k that Sections 4 and 5 report (Figures 5–12). The full reproduction,
// with every grid, the figures and a report, is the program
// examples/reproduce (`go run ./examples/reproduce`).
//
// The package has no API; its examples are its content. They print with
// four significant digits so that their output is stable, and each states
// which claim of the paper it checks and whether it held on this library's
// models.
package examples
