// Package readme checks that a program under examples/ is, byte for byte, a
// Go block of the module's README.md and prints what the README says it
// prints, so that the README's code compiles, passes go vet and stays true.
package readme
