package sigma

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// holds reports whether a record's text with its escapes decoded
// satisfies q, literals compared ASCII-case-insensitively when Fold
// (non-ASCII folded literals and regexes are taken as satisfied: scan/fast
// handles them and its own tests check it).
func holds(q *Req, text string) bool {
	if q == nil {
		return true
	}
	switch q.Op {
	case ReqLit:
		for i := 0; i < len(q.Text); i++ {
			if q.Text[i] >= utf8.RuneSelf {
				return true
			}
		}
		if q.Fold {
			return strings.Contains(strings.ToLower(text), strings.ToLower(q.Text))
		}
		return strings.Contains(text, q.Text)
	case ReqRegex:
		return true
	case ReqAnd:
		for _, k := range q.Kids {
			if !holds(k, text) {
				return false
			}
		}
		return true
	}
	for _, k := range q.Kids {
		if holds(k, text) {
			return true
		}
	}
	return false
}

// FuzzParseAndRequire: any file parses without panicking; for a rule that
// parses and a record it matches, the rule's requirement holds for the
// record (Require is sound: the prefilter never drops a match).
func FuzzParseAndRequire(f *testing.F) {
	f.Add("title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n    s:\n        eventName|contains: Sess\n    condition: s\n",
		`{"eventName":"StartSession"}`)
	f.Add("title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n    k:\n        - 'a*b?c'\n    f:\n        x: null\n    condition: k and not f\n",
		`{"a":["xAzzbQc"],"x":1}`)
	f.Add("title: t\nlogsource: {product: azure, service: activitylogs}\ndetection:\n    s:\n        OperationNameValue|endswith: '/WRITE'\n        requestParameters|contains|all: ['\"a\"', 'b']\n    condition: 1 of them\n",
		`{"operationName":{"value":"x/write"},"requestParameters":{"p":"{\"a\":\"b\"}"}}`)
	f.Add("title: t\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n    s:\n        a|base64offset|contains: hello\n        b|windash: '-x'\n    condition: s\n",
		`{"a":"aGVsbG8=","b":"/X"}`)
	f.Fuzz(func(t *testing.T, src, rec string) {
		rs, _ := ParseFile("f.yml", []byte(src), Options{})
		if !json.Valid([]byte(rec)) {
			return
		}
		text := string(unescape(nil, []byte(rec)))
		for _, r := range rs {
			for _, typ := range []udm.LogType{udm.AWSCloudTrail, udm.AzureActivity} {
				if r.Type != typ {
					continue
				}
				var x Record
				x.Reset([]byte(rec), typ)
				if r.Match(&x) && !holds(r.Require(), text) {
					t.Fatalf("rule matches %s but its requirement %s does not hold", rec, r.Require())
				}
				r.Explain(&x)
				Lint(r)
			}
		}
	})
}
