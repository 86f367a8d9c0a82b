package fast

import (
	"fmt"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
)

// iocRule is a rule naming n distinct literals of 12 bytes or more, as
// an IOC list does: one "in" list, or n comparisons joined by "or".
func iocRule(n int, form string) []byte {
	var b strings.Builder
	b.WriteString("rule ioc {\n events:\n ")
	for i := 0; i < n; i++ {
		lit := fmt.Sprintf(`"IocEvent%07d"`, i)
		switch {
		case form == "in" && i == 0:
			b.WriteString("$e.metadata.product_event_type in (" + lit)
		case form == "in":
			b.WriteString(", " + lit)
		case i == 0:
			b.WriteString("$e.metadata.product_event_type = " + lit)
		default:
			b.WriteString(" or $e.metadata.product_event_type = " + lit)
		}
		if i%8 == 7 {
			b.WriteString("\n")
		}
	}
	if form == "in" {
		b.WriteString(")")
	}
	b.WriteString("\n condition:\n $e\n}\n")
	return []byte(b.String())
}

// TestLoadIsLinearInLiterals is issue 15 item 8: loading a rule with
// 20k literals took 14 s (pairwise comparison of requirements). It
// counts allocations, not time: parsing a rule and deriving its
// requirements at 10× the literals may allocate at most about 10× as
// much. (The matcher is built only up to MaxLiterals literals.)
func TestLoadIsLinearInLiterals(t *testing.T) {
	sizes := []int{1_000, 10_000, 100_000}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, form := range []string{"in", "or"} {
		t.Run(form, func(t *testing.T) {
			var prev float64
			for i, n := range sizes {
				src := iocRule(n, form)
				allocs := testing.AllocsPerRun(1, func() {
					rs, err := rule.ParseFile("ioc.yaral", src)
					if err != nil {
						t.Fatal(err)
					}
					Require(rs)
				})
				t.Logf("%s, %d literals: %.0f allocations", form, n, allocs)
				if i > 0 && allocs > 13*prev {
					t.Fatalf("%d literals: %.0f allocations, %.1f times as many as for %d: not linear", n, allocs, allocs/prev, sizes[i-1])
				}
				prev = allocs
			}
		})
	}
}

// TestManyLiteralsMakeEveryRecordACandidate: above MaxLiterals the
// prefilter searches nothing and lets every record through, which is
// sound whatever the rule (docs/fast-path.md, "Many literals").
func TestManyLiteralsMakeEveryRecordACandidate(t *testing.T) {
	for _, n := range []int{MaxLiterals, MaxLiterals + 1} {
		rs, err := rule.ParseFile("ioc.yaral", iocRule(n, "in"))
		if err != nil {
			t.Fatal(err)
		}
		f := New(rs)
		req := f.Requirements()
		if over := n > MaxLiterals; req.TooMany != over || req.Free != over {
			t.Fatalf("%d literals: TooMany %v, Free %v", n, req.TooMany, req.Free)
		}
		c := f.NewChecker()
		rec := []byte(ct(`"eventName":"Nothing"`))
		if got, want := c.Candidate(rec), n > MaxLiterals; got != want {
			t.Fatalf("%d literals: a record naming none of them is a candidate: %v, want %v", n, got, want)
		}
		if !c.Candidate([]byte(ct(fmt.Sprintf(`"eventName":"IocEvent%07d"`, n-1)))) {
			t.Fatalf("%d literals: a record naming the last is no candidate", n)
		}
	}
}
