package fast

import (
	"fmt"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
)

// BenchmarkLoadLiterals parses a rule whose "in" list names n literals
// (iocRule) and compiles its prefilter: the time before the first object
// is read (issue 15 item 8). The baseline parses only.
func BenchmarkLoadLiterals(b *testing.B) {
	for _, n := range []int{20_000, 200_000} {
		src := iocRule(n, "in")
		b.Run(fmt.Sprintf("parse/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for i := 0; i < b.N; i++ {
				if _, err := rule.ParseFile("ioc.yaral", src); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("parse+prefilter/%d", n), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(src)))
			for i := 0; i < b.N; i++ {
				rs, err := rule.ParseFile("ioc.yaral", src)
				if err != nil {
					b.Fatal(err)
				}
				New(rs)
			}
		})
	}
}
