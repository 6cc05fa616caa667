package readme

import (
	"io"
	"os"
	"strings"
	"testing"
)

// Block returns the first fenced block that follows heading in readme and
// opens with fence (for example "```go"); it fails t when there is none.
func Block(t testing.TB, readme, heading, fence string) string {
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

// Check compares src (a program's main.go) with the Go block under heading
// in readmePath, runs run with its standard output captured, and compares
// the output with the block that follows "prints" under the same heading.
func Check(t testing.TB, readmePath, heading, src string, run func()) {
	t.Helper()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	code, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := Block(t, readme, heading, "```go"); got != string(code) {
		t.Errorf("README.md's block under %q differs from %s:\n%s", heading, src, got)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	run()
	os.Stdout = stdout
	w.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := Block(t, readme, heading, "prints\n\n```"); string(out) != want {
		t.Errorf("%s prints\n%s\nREADME.md says\n%s", src, out, want)
	}
}
