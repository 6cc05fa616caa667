package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// readmeBlock returns the first fenced block that follows the heading in
// README.md and opens with fence.
func readmeBlock(t *testing.T, readme, heading, fence string) string {
	t.Helper()
	_, rest, ok := strings.Cut(readme, heading)
	if !ok {
		t.Fatalf("README.md has no %q", heading)
	}
	_, rest, ok = strings.Cut(rest, fence+"\n")
	if !ok {
		t.Fatalf("README.md has no %s block after %q", fence, heading)
	}
	block, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("unterminated block in README.md")
	}
	return block
}

// TestReadmeModelStart: the README's second quick start is this program,
// byte for byte, and prints what the README says it prints.
func TestReadmeModelStart(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	const heading = "## Your own minimizer"
	if got := readmeBlock(t, readme, heading, "```go"); got != string(src) {
		t.Errorf("README.md's block differs from examples/modelstart/main.go:\n%s", got)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	main()
	os.Stdout = stdout
	w.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := readmeBlock(t, readme, heading, "prints\n\n```"); string(out) != want {
		t.Errorf("modelstart prints\n%s\nREADME.md says\n%s", out, want)
	}
}
