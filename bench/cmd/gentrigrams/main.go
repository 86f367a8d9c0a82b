// Command gentrigrams writes scan/fast's trigram table from the public
// samples and the small generated corpus (package bench/gen/trigrams).
// scan/fast runs it through go generate, from its own directory:
//
//	go generate ./scan/fast    (or make generate)
//
// which is
//
//	go run ../../bench/cmd/gentrigrams -samples ../../testdata/samples -out trigrams.txt
//
// Nothing is written when any input fails to read.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/retrohunt/retrohunt/bench/gen/trigrams"
)

func main() {
	samples := flag.String("samples", "", "directory of the public samples (*.json)")
	out := flag.String("out", "", "file to write the table to")
	flag.Parse()
	if *samples == "" || *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gentrigrams -samples DIR -out FILE")
		os.Exit(2)
	}
	b, err := trigrams.Table(*samples)
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentrigrams:", err)
		os.Exit(1)
	}
}
