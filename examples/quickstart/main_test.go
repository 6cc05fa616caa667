package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// readmeBlock returns the first fenced block that follows the heading in
// README.md and opens with fence (for example "```go").
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

// TestReadmeQuickStart: the README's quick start is this program, byte for
// byte (so it compiles and passes go vet with the module), and prints what
// the README says it prints.
func TestReadmeQuickStart(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if got := readmeBlock(t, readme, "## Quick start", "```go"); got != string(src) {
		t.Errorf("README.md's quick start differs from examples/quickstart/main.go:\n%s", got)
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
	if want := readmeBlock(t, readme, "## Quick start", "prints\n\n```"); string(out) != want {
		t.Errorf("quick start prints\n%s\nREADME.md says\n%s", out, want)
	}
}
