//go:build ignore

// Command gen_trigrams rewrites trigrams.txt from testdata/samples and
// the small generated corpus: `go generate ./scan/fast`.
package main

import (
	"fmt"
	"os"

	"github.com/retrohunt/retrohunt/scan/fast/internal/trigramgen"
)

func main() {
	b, err := trigramgen.Table("../../testdata/samples")
	if err == nil {
		err = os.WriteFile("trigrams.txt", b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen_trigrams:", err)
		os.Exit(1)
	}
}
