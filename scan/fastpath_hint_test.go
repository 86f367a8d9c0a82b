package scan

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources/local"
)

// TestFastPathHintIsTheElements: the splitter's hint (where the first
// nested value of the record it handed on ends) is for that record's
// bytes, an envelope element's; the record unwrapped from the element
// (EventBridge's detail, in place inside the element) is walked without
// it. Here the element's hint, were it applied to the unwrapped record,
// would land just past an object nested in the record's first value,
// and the walk would read that value's eventTime, a good one, as the
// record's, whose own is no time: the fast path would pass the record
// over while the reference path skips it ("no event time").
func TestFastPathHintIsTheElements(t *testing.T) {
	rec := `{"a":{"x":"y","b":{},"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z"},"eventVersion":"1.08","eventSource":"zz.example.com","eventName":"Zzz","eventTime":"no time"}`
	// Past the {} nested in a's value: where the element's hint must
	// not take the walk of rec.
	wrong := strings.Index(rec, `{}`) + 2
	// The element's first nested value, "resources", ends at wrong.
	prefix := `{"resources":[`
	n := wrong - len(prefix) - 1
	if n < 1 {
		t.Fatalf("rec's first nested value starts too early (%d)", wrong)
	}
	elem := prefix + strings.Repeat("1", n) + `],"detail-type":"AWS API Call via CloudTrail","source":"aws.ec2","detail":` + rec + `}`
	if end := strings.Index(elem, "]") + 1; end != wrong {
		t.Fatalf("the element's first nested value ends at %d, want %d", end, wrong)
	}
	src, err := local.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	rs := ruleSets(t)["builtin+test"]
	refW, fastW := testWorker(rs, nil), testWorker(rs, newFilter(rs))
	for _, body := range []string{
		"[" + elem + "]",
		fmt.Sprintf("{\n\"x\": 1\n}\n%s\n%s", elem, elem),
	} {
		for _, zip := range []bool{false, true} {
			b := []byte(body)
			if zip {
				b = gzipBytes(b)
			}
			ref := objectOutcome(t, src, refW, b)
			fst := objectOutcome(t, src, fastW, b)
			if d := sameOutcome(ref, fst); d != "" {
				t.Fatalf("object %q\n%s", body, d)
			}
			if !bytes.Contains([]byte(fmt.Sprint(ref)), []byte(ReasonNoEventTime)) {
				t.Fatalf("object %q: the reference path does not skip the record for its time: %+v", body, ref)
			}
		}
	}
}
