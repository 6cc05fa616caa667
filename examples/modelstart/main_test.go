package main

import (
	"testing"

	"github.com/flatminima/flatminima/examples/internal/readme"
)

// TestReadmeModelStart: the README's second quick start is this program,
// byte for byte, and prints what the README says it prints.
func TestReadmeModelStart(t *testing.T) {
	readme.Check(t, "../../README.md", "## Your own minimizer", "main.go", main)
}
