package readme_test

import (
	"fmt"
	"testing"

	"github.com/flatminima/flatminima/examples/internal/readme"
)

// Block finds the code and the printed output under a heading.
func ExampleBlock() {
	doc := "## Start\n\n```go\nfmt.Println(1)\n```\n\nprints\n\n```\n1\n```\n"
	var t testing.T
	fmt.Printf("%q\n", readme.Block(&t, doc, "## Start", "```go"))
	fmt.Printf("%q\n", readme.Block(&t, doc, "## Start", "prints\n\n```"))
	// Output:
	// "fmt.Println(1)\n"
	// "1\n"
}
