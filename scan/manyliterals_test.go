package scan

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/sources"
)

// TestFastPathMatchesReferenceWithManyLiterals is issue 15 item 8's
// soundness check: a rule naming 100,000 literals (an IOC list) is past
// fast.MaxLiterals, and the fast path still reports what the reference
// path does on a generated archive, hits included.
func TestFastPathMatchesReferenceWithManyLiterals(t *testing.T) {
	root := t.TempDir()
	cfg := gen.Config{Days: 1, FilesPerDay: 4, RecordsPerFile: 20, AzureRecordsPerHour: 10, PositiveRate: 0.05}
	if _, _, err := gen.Generate(cfg, gen.DirSink(filepath.Join(root, "gen"))); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("rule ioc {\n events:\n $e.metadata.product_event_type in nocase (\"StartSession\", \"SendCommand\"")
	for i := 0; i < 100_000; i++ {
		fmt.Fprintf(&b, ", \"IocEvent%07d\"", i)
	}
	b.WriteString(")\n condition:\n $e\n}\n")
	parsed, err := rule.ParseFile("ioc.yaral", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !fast.Require(parsed).TooMany {
		t.Fatalf("a rule of 100,002 literals is within fast.MaxLiterals (%d): the test proves nothing", fast.MaxLiterals)
	}
	rs := []*Rule{NewRule(parsed[0], "test")}
	ref := scanDir(t, root, rs, sources.Window{}, true)
	fst := scanDir(t, root, rs, sources.Window{}, false)
	if d := sameOutcome(ref, fst); d != "" {
		t.Fatal(d)
	}
	if len(ref.hits) == 0 {
		t.Fatal("no hits: the test proves little")
	}
	t.Logf("%d hits, %d records", len(ref.hits), ref.records)

	var warned []string
	scfg := Config{Rules: rs, Workers: 1, Warn: func(s string) { warned = append(warned, s) },
		Limits: decode.Limits{MaxRecordBytes: 1 << 20, MaxDepth: 64}}
	if _, err := Run(context.Background(), scfg, nil, &collect{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(warned, "\n"), "prefilter is off") {
		t.Errorf("no warning that the prefilter is off: %q", warned)
	}
}
