package trigrams

import (
	"os"
	"testing"
)

// TestTrigramsUpToDate regenerates the trigram table from the samples
// and the generated corpus and wants the committed
// scan/fast/trigrams.txt byte for byte: a change to either (or to the
// generator) must come with the regenerated table. It lives here rather
// than in scan/fast so that scan/fast's tests need not import bench.
func TestTrigramsUpToDate(t *testing.T) {
	want, err := Table("../../../testdata/samples")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../../scan/fast/trigrams.txt")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatal("scan/fast/trigrams.txt is out of date: run go generate ./scan/fast (or make generate)")
	}
}
