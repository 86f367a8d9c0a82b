package report

import (
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/output"
)

// TestHTMLShowsRiskScore: the hit table has a Risk column when a hit has
// a risk_score ("-" for one without), and none otherwise.
func TestHTMLShowsRiskScore(t *testing.T) {
	render := func(hs ...output.Hit) string {
		s := NewSet()
		s.add(hs)
		var b strings.Builder
		if err := WriteHTML(&b, s.Report(), 0); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	score := int64(85)
	scored := hit("with_outcomes", "alice", march(1, 10), 0)
	scored.RiskScore = &score
	plain := hit("without", "bob", march(1, 11), 1)
	out := render(scored, plain)
	if !strings.Contains(out, `<th class="n">Risk</th>`) || !strings.Contains(out, `<td class="n">85</td>`) || !strings.Contains(out, `<td class="n">-</td><td>`) {
		t.Errorf("no Risk column or cells:\n%s", out[strings.Index(out, "<h2>Hits"):])
	}
	if out := render(plain); strings.Contains(out, ">Risk<") {
		t.Errorf("a Risk column without any score")
	}
}
