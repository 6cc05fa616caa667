package main

import (
	"testing"

	"github.com/flatminima/flatminima/examples/internal/readme"
)

// TestReadmeQuickStart: the README's quick start is this program, byte for
// byte (so it compiles and passes go vet with the module), and prints what
// the README says it prints.
func TestReadmeQuickStart(t *testing.T) {
	readme.Check(t, "../../README.md", "## Quick start", "main.go", main)
}
