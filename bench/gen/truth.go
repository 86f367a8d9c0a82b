package gen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// WriteTruth writes t as JSON Lines (truth.jsonl), one Truth a line.
func WriteTruth(w io.Writer, t []Truth) error { return writeLines(w, t) }

// WriteDecoys writes d as JSON Lines (decoys.jsonl), one Decoy a line.
func WriteDecoys(w io.Writer, d []Decoy) error { return writeLines(w, d) }

func writeLines[T any](w io.Writer, items []T) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for i := range items {
		if err := enc.Encode(&items[i]); err != nil {
			return fmt.Errorf("cannot encode line %d: %w", i, err)
		}
	}
	return bw.Flush()
}
