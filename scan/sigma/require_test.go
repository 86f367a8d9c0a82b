package sigma

import (
	"testing"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// TestRequire: the requirements worked out by hand from each detection.
func TestRequire(t *testing.T) {
	f := func(det, want string) {
		t.Helper()
		r := compileDetection(t, det, Options{})
		if got := r.Require().String(); got != want {
			t.Errorf("detection\n%s\ngot  %s\nwant %s", det, got, want)
		}
	}
	f(`    selection:
        eventSource: 'iam.amazonaws.com'
        eventName: 'DeleteSAMLProvider'
        status: 'success'
    condition: selection
`, `and(i"iam.amazonaws.com" i"DeleteSAMLProvider")`)
	f(`    selection:
        eventName|cased:
            - 'Start*Session'
            - 'SendCommand'
    filter:
        errorCode: null
    condition: selection and not filter
`, `or(and("Start" "Session") "SendCommand")`)
	f(`    keywords:
        - 'listKeys'
    sel:
        a|re: 'x(ab|cd)'
    condition: 1 of them
`, `or(i"listKeys" re(x(ab|cd)))`)
	f(`    sel:
        a|exists: true
    condition: sel
`, `any`)
	f(`    sel:
        a|base64offset|contains: '/bin/bash'
    condition: sel
`, `or(i"L2Jpbi9iYXNo" i"9iaW4vYmFza" i"vYmluL2Jhc2")`)
}

func TestCloudTrailStatusAlias(t *testing.T) {
	r := compileDetection(t, "    sel:\n        status: success\n    condition: sel\n", Options{})
	for rec, want := range map[string]bool{
		`{"eventName":"DeleteSAMLProvider"}`:                            true,
		`{"eventName":"DeleteSAMLProvider","errorCode":null}`:           true,
		`{"eventName":"DeleteSAMLProvider","errorCode":"NoSuchEntity"}`: false,
	} {
		var x Record
		x.Reset([]byte(rec), udm.AWSCloudTrail)
		if got := r.Match(&x); got != want {
			t.Errorf("%s: got %v, want %v", rec, got, want)
		}
	}
}
