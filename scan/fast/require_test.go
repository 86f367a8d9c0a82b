package fast

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// The tests here check what a requirement promises, not which literals
// the optimiser picks today (which term of a conjunction, how a regex
// is cut up): any choice that keeps these properties is a good one.
//
//   - Sound: a record the reference path matches (udm.Map, Rule.Match)
//     holds the requirement, each literal judged against the record's
//     decoded texts by a search of its own (docs/fast-path.md, "Why the
//     prefilter is sound").
//   - From the rule: every literal is text of the rule.
//   - Dead means dead: a rule counted as never matching matches no
//     record of the corpus.

// ct and az make a CloudTrail and an Azure Activity record around fields
// (raw JSON members), by the keys udm.Detect recognises them by.
// ct and az make records of each type with a readable time, which the
// prefilter may pass over.
func ct(fields string) string {
	return `{"eventVersion":"1.08","eventTime":"2024-01-01T00:00:00Z",` + fields + `}`
}
func az(fields string) string {
	return `{"category":"Administrative","time":"2024-01-01T00:00:00Z",` + fields + `}`
}

// requireCases are rules (their events section) with records written by
// hand to match them, each chosen where a requirement could go wrong:
// case, escapes, which raw path a field comes from, the subscription cut
// out of a resource id, non-ASCII and invalid UTF-8, derived fields.
var requireCases = []struct {
	events  string
	matches []string
}{
	{`$e.metadata.product_event_type = "StartSession"`, []string{
		ct(`"eventName":"StartSession"`),
		ct(`"eventName":"Start\u0053ession"`), // the search decodes escapes
		ct(`"insightDetails":{"eventName":"StartSession"}`),
		az(`"operationName":"StartSession"`),
	}},
	{`$e.metadata.product_event_type = "StartSession" nocase`, []string{
		ct(`"eventName":"startSESSION"`),
		az(`"operationName":{"value":"STARTSESSION"}`),
		az(`"evt":{"name":"StartSession"}`),
	}},
	{`$e.metadata.product_event_type = "kase" nocase`, []string{
		ct(`"eventName":"KASE"`),
		ct(`"eventName":"` + "\u212a" + `ase"`), // Kelvin sign folds to k
		ct(`"eventName":"\u212Aase"`),           // escaped
		ct(`"eventName":"ka` + "\u017f" + `e"`), // long s folds to s
	}},
	{`$e.metadata.product_event_type in ("A1b2", "Xyz9") $e.principal.ip = "10.0.0.1"`, []string{
		ct(`"eventName":"Xyz9","sourceIPAddress":"10.0.0.1"`),
		az(`"operationName":"A1b2","callerIpAddress":"10.0.0.1"`),
		az(`"operationName":"A1b2","identity":{"claims":{"ipaddr":"10.0.0.1"}}`),
	}},
	{`$e.target.application = "ssm.amazonaws.com" $e.metadata.product_event_type = "StartSession"`, []string{
		ct(`"eventSource":"ssm.amazonaws.com","eventName":"StartSession"`),
		ct(`"insightDetails":{"eventSource":"ssm.amazonaws.com","eventName":"StartSession"}`),
	}},
	{`$e.target.cloud.project.id = "0000-1111"`, []string{
		az(`"resourceId":"/SUBSCRIPTIONS/0000-1111/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM"`),
		az(`"operationName":"x","subscriptionId":"/subscriptions/0000-1111"`),
		ct(`"recipientAccountId":"0000-1111"`),
		ct(`"userIdentity":{"accountId":"0000-1111"}`),
	}},
	{`$e.metadata.vendor_name = "AMAZON" $e.metadata.product_event_type = "StartSession"`, []string{
		ct(`"eventName":"StartSession"`),
	}},
	{`$e.metadata.vendor_name = "Amazon Web Services"`, nil},
	{`$e.metadata.vendor_name = "amazon" nocase`, []string{ct(`"eventName":"AnyCall"`)}},
	{`not $e.metadata.vendor_name = "AMAZON"`, []string{az(`"operationName":"X"`)}},
	{`$e.metadata.vendor_name != "Microsoft" $e.metadata.product_event_type = "StartSession"`, []string{
		ct(`"eventName":"StartSession"`),
	}},
	{`$e.principal.application = "x1234"`, []string{
		az(`"operationName":"op","identity":{"claims":{"appid":"x1234"}}`),
	}},
	{`$e.network.http.user_agent = "curl/8.0" $e.metadata.vendor_name = "Microsoft"`, nil},
	// Derived values are not in the record: "USER_LOGIN" is not.
	{`$e.metadata.event_type = "USER_LOGIN"`, []string{ct(`"eventName":"ConsoleLogin"`)}},
	{`$e.security_result.action = "ALLOW"`, []string{ct(`"eventName":"GetObject"`)}},
	{`$e.metadata.event_type = "USER_LOGIN" $e.metadata.vendor_name = "AMAZON"`, []string{ct(`"eventName":"ConsoleLogin"`)}},
	{`$e.security_result.action = "BLOCK" $e.metadata.vendor_name = "AMAZON"`, []string{ct(`"eventName":"GetObject","errorCode":"AccessDenied"`)}},
	{`$e.metadata.product_event_type != "StartSession"`, []string{ct(`"eventName":"Other"`), ct(`"eventSource":"s3.amazonaws.com"`)}},
	{`$e.metadata.product_version = "1.08"`, []string{ct(`"eventName":"x"`)}},
	{`not $e.metadata.product_event_type = "StartSession"`, []string{ct(`"eventName":"Other"`)}},
	// An absent field compares as "".
	{`$e.metadata.product_event_type = ""`, []string{ct(`"eventSource":"s3.amazonaws.com"`)}},
	{`$e.metadata.product_event_type = "ab"`, []string{ct(`"eventName":"ab"`)}},
	{`$e.metadata.product_event_type in ("StartSession", "")`, []string{
		ct(`"eventSource":"s3.amazonaws.com"`),
		ct(`"eventName":"StartSession"`),
	}},
	{`$e.metadata.product_event_type = "StartSession" or $e.metadata.event_type = "USER_LOGIN"`, []string{
		ct(`"eventName":"StartSession"`),
		ct(`"eventName":"ConsoleLogin"`),
	}},
	{`$e.metadata.product_event_type = "StartSession" or $e.metadata.vendor_name = "Nobody"`, []string{
		ct(`"eventName":"StartSession"`),
	}},
	{`$e.principal.user.user_display_name = "Zoë Ünalová" nocase`, []string{
		ct(`"userIdentity":{"userName":"ZOË ÜNALOVÁ"}`),
		ct(`"userIdentity":{"sessionContext":{"sessionIssuer":{"userName":"zoë ünalová"}}}`),
	}},
	{`$e.principal.user.user_display_name = "Zoë Ünalová"`, []string{
		ct(`"userIdentity":{"userName":"Zoë Ünalová"}`),
		ct(`"userIdentity":{"userName":"Zo\u00eb \u00dcnalov\u00e1"}`),
	}},
	{`$e.principal.user.user_display_name = "a` + "\xff" + `bcd"`, nil},
	// encoding/json decodes the invalid byte to U+FFFD, which the raw
	// bytes do not hold.
	{`$e.principal.user.user_display_name = "a` + "\uFFFD" + `bcd"`, []string{
		ct(`"userIdentity":{"userName":"a` + "\xff" + `bcd"}`),
	}},
	{"re.regex($e.target.resource.name, `(?i)VIRTUALMACHINES/RUNCOMMAND/ACTION`)", []string{
		az(`"resourceId":"/SUBSCRIPTIONS/S/PROVIDERS/MICROSOFT.COMPUTE/virtualMachines/runCommand/action"`),
	}},
	{"$e.target.resource.name = /runcommands?\\/(action|write)/ nocase", []string{
		az(`"resourceId":"/SUBSCRIPTIONS/S/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM/RUNCOMMANDS/WRITE"`),
		az(`"resourceId":"/subscriptions/s/providers/microsoft.compute/virtualmachines/vm/runcommand\/action"`),
	}},
	{"$e.target.resource.name = /^i-[0-9a-f]+$/", []string{ct(`"requestParameters":{"instanceId":"i-0abc"}`)}},
	{"$e.target.resource.name != /abcd/", []string{ct(`"eventName":"x"`)}},
	{"$e.target.resource.name = /(abc)+x*/", []string{
		ct(`"requestParameters":{"target":"zzabcabcxx"}`),
		ct(`"requestParameters":{"instanceIds":["i-1","ABC","abc"]}`),
	}},
	{"$e.target.resource.name = /(abc)?/", []string{ct(`"eventName":"x"`)}},
	{"$e.metadata.vendor_name = /^AMA/", []string{ct(`"eventName":"x"`)}},
	{"$e.metadata.vendor_name = /^Goo/", nil},
	// Issue 12: values split out of a list, picked from an array of
	// objects, or written by the mapper (a sentence, a prefix).
	{`$e.principal.ip = "192.168.10.10"`, []string{ct(`"sourceIPAddress":"81.2.69.142, 192.168.10.10"`)}},
	{`$e.target.resource.name = "i-0ddf9acf8eeb33959"`, []string{
		ct(`"requestParameters":{"targets":[{"key":"instanceids","values":["i-0ddf9acf8eeb33959"]}],"documentName":"AWS-RunShellScript"}`),
	}},
	{`$e.security_result.summary = "Login to AWS Console failed."`, []string{
		ct(`"eventName":"ConsoleLogin","responseElements":{"ConsoleLogin":"Failure"}`),
	}},
	{`$e.extensions.auth.auth_details = "MFAUsed: No"`, []string{
		ct(`"eventName":"ConsoleLogin","additionalEventData":{"MFAUsed":"No"}`),
	}},
	{`$e.security_result.description = "Reason: Failed authentication"`, []string{
		ct(`"errorMessage":"Failed authentication"`),
	}},
	{`$e.metadata.event_timestamp.seconds = "1704067200"`, []string{ct(`"eventName":"x"`)}},
	{`$e.principal.user.userid = "ec2.amazonaws.com"`, []string{
		ct(`"userIdentity":{"type":"AWSService","invokedBy":"ec2.amazonaws.com"}`),
	}},

	// issue 10's constructs
	{`any $e.target.resource.name = "i-aaa"`, []string{ct(`"eventName":"StopInstances","requestParameters":{"instanceIds":["i-aaa","i-bbb"]}`)}},
	{`all $e.target.resource.name = /^i-/`, []string{ct(`"eventName":"StopInstances","requestParameters":{"instanceIds":["i-aaa","i-bbb"]}`)}},
	{`not $e.target.resource.name = "i-aaa"`, []string{ct(`"eventName":"StopInstances","requestParameters":{"instanceIds":["i-aaa","i-bbb"]}`)}},
	{`$e.target.resource.name = "i-aaa" and $e.target.resource.name = "i-bbb"`, nil},
	{`strings.to_lower($e.metadata.product_event_type) = "stopinstances"`, []string{ct(`"eventName":"StopInstances"`)}},
	{`$e.principal.user.userid = $e.principal.ip`, nil},
	{"$n = $e.metadata.product_event_type\n $n = \"StopInstances\"", []string{ct(`"eventName":"StopInstances"`)}},
	{`$e.additional.fields["eventName"] = "StopInstances" or $e.metadata.product_event_type = "StartInstances"`, []string{ct(`"eventName":"StartInstances"`)}},
}

func parseEvents(t *testing.T, events string) *rule.Rule {
	t.Helper()
	rs, err := rule.ParseFile("t.yaral", []byte("rule t {\n events:\n "+events+"\n condition:\n $e\n}\n"))
	if err != nil || len(rs) != 1 {
		t.Fatalf("%s: %v", events, err)
	}
	return rs[0]
}

// texts returns the decoded texts of a record's JSON tokens: its strings
// (keys included), numbers and literals. A record without escapes is cut
// at its quotes and punctuation, so invalid UTF-8 stays as the raw bytes
// hold it; one with escapes is decoded by encoding/json, as the fast path
// decodes it before searching again (TestUnescapeMatchesEncodingJSON).
func texts(t *testing.T, raw []byte) []string {
	t.Helper()
	var out []string
	if bytes.IndexByte(raw, '\\') < 0 {
		const punct = " \t\r\n{}[]:,"
		for i := 0; i < len(raw); {
			switch c := raw[i]; {
			case c == '"':
				j := bytes.IndexByte(raw[i+1:], '"')
				if j < 0 {
					t.Fatalf("unterminated string in %s", raw)
				}
				out = append(out, string(raw[i+1:i+1+j]))
				i += j + 2
			case strings.IndexByte(punct, c) >= 0:
				i++
			default:
				j := i
				for j < len(raw) && strings.IndexByte(punct+`"`, raw[j]) < 0 {
					j++
				}
				out = append(out, string(raw[i:j]))
				i = j
			}
		}
		return out
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case string:
			out = append(out, v)
		case json.Number:
			out = append(out, v.String())
		case bool:
			out = append(out, map[bool]string{true: "true", false: "false"}[v])
		}
	}
	return out
}

// asciiLower folds A-Z only, as the search does.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// found is the bit set of rs.Literals that occur inside one of texts.
func found(rs *Requirements, texts []string) []uint64 {
	bits := make([]uint64, (len(rs.Literals)+63)/64+1)
	for i, l := range rs.Literals {
		for _, s := range texts {
			if l.Fold {
				s = asciiLower(s)
			}
			if strings.Contains(s, l.Text) {
				bits[i/64] |= 1 << (i % 64)
				break
			}
		}
	}
	return bits
}

// candidate reports whether a record is one for rs, judged by the
// oracle: a literal search, or ſ or K anywhere when FoldKS.
func candidate(t *testing.T, rs *Requirements, raw []byte) bool {
	ts := texts(t, raw)
	if rs.FoldKS {
		for _, s := range ts {
			if strings.ContainsAny(s, "\u017f\u212a") {
				return true
			}
		}
	}
	return rs.Any(found(rs, ts))
}

// matches runs the reference path on raw.
func matches(t *testing.T, r *rule.Rule, raw []byte) bool {
	t.Helper()
	ev, err := udm.Map(raw)
	if err != nil {
		t.Fatalf("record %s: %v", raw, err)
	}
	return r.Match(ev)
}

// checkFromRule fails for a literal that is not text of r (escapes in
// regexes dropped; ASCII-folded for a case-insensitive literal).
func checkFromRule(t *testing.T, r *rule.Rule, rs *Requirements) {
	t.Helper()
	src := strings.ReplaceAll(string(r.Text), `\`, "")
	for _, l := range rs.Literals {
		s := src
		if l.Fold {
			s = asciiLower(src)
		}
		if !strings.Contains(s, l.Text) {
			t.Errorf("rule %s: literal %q is not in its text", r.Name, l.Text)
		}
	}
}

// samples returns the public sample records (testdata/samples, with
// their provenance in SOURCES.md), one JSON object each.
func samples(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("../../testdata/samples/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// corpus is every record the tests know: the hand-written ones and the
// samples.
func corpus(t *testing.T) map[string][]byte {
	out := samples(t)
	for _, c := range requireCases {
		for _, m := range c.matches {
			out[m] = []byte(m)
		}
	}
	return out
}

func TestRequireSound(t *testing.T) {
	all := corpus(t)
	useful := 0
	for _, c := range requireCases {
		r := parseEvents(t, c.events)
		rs := Require([]*rule.Rule{r})
		checkFromRule(t, r, rs)
		if !rs.Free && rs.Dead == 0 {
			useful++
		}
		for _, m := range c.matches {
			if !matches(t, r, []byte(m)) {
				t.Fatalf("%s: the case's record does not match it: %s", c.events, m)
			}
		}
		// The case's records are in the corpus.
		for name, raw := range all {
			if matches(t, r, raw) && !candidate(t, rs, raw) {
				t.Errorf("%s: the requirement %s fails a record the rule matches: %s", c.events, rs, name)
			}
			if rs.Dead != 0 && matches(t, r, raw) {
				t.Errorf("%s: counted dead, but matches %s", c.events, name)
			}
		}
	}
	// Sound and useless is easy: most cases have a requirement to check.
	if useful < len(requireCases)/3 {
		t.Errorf("only %d of %d cases have a requirement", useful, len(requireCases))
	}
}

// The requirement of a rule set holds wherever one of its rules matches,
// and the built-in pack is prefiltered: some sample no rule matches is
// not a candidate.
func TestRequireBuiltin(t *testing.T) {
	pack := builtinPack(t)
	for _, r := range pack {
		checkFromRule(t, r, Require([]*rule.Rule{r}))
	}
	rs := Require(pack)
	if rs.Free || rs.Dead != 0 {
		t.Fatalf("built-in pack: free %v, dead %d; want every rule prefiltered and none dead", rs.Free, rs.Dead)
	}
	rejected := 0
	for name, raw := range corpus(t) {
		hit := false
		for _, r := range pack {
			if matches(t, r, raw) {
				hit = true
				if !candidate(t, Require([]*rule.Rule{r}), raw) {
					t.Errorf("rule %s matches %s, but its requirement fails it", r.Name, name)
				}
			}
		}
		switch c := candidate(t, rs, raw); {
		case hit && !c:
			t.Errorf("the pack matches %s, but its requirement fails it", name)
		case !hit && !c:
			rejected++
		}
	}
	if rejected == 0 {
		t.Error("the pack's requirement passes every record, matched or not")
	}
}

// TestRequireReferenceList: a string list gives its values as literals
// (a value equal to an entry contains it), soundly on the corpus; a
// regex or CIDR list, or a list past MaxLiterals, gives none.
func TestRequireReferenceList(t *testing.T) {
	lists := reflist.Set{}
	for name, src := range map[string]string{
		"events": "// event names\nStopInstances\nTerminateInstances\n",
		"nets":   "10.0.0.0/8\n",
	} {
		kind := reflist.String
		if name == "nets" {
			kind = reflist.CIDR
		}
		l, err := reflist.Parse(name, kind, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		lists[name] = l
	}
	var big strings.Builder
	for i := range MaxLiterals + 1 {
		fmt.Fprintf(&big, "Event%05d\n", i)
	}
	l, err := reflist.Parse("big", reflist.String, []byte(big.String()))
	if err != nil {
		t.Fatal(err)
	}
	lists["big"] = l
	all := corpus(t)
	for events, want := range map[string]string{
		`$e.metadata.product_event_type in %events`:        `or("StopInstances" "TerminateInstances")`,
		`$e.metadata.product_event_type in %events nocase`: `or(i"stopinstances" i"terminateinstances")`,
		`$e.principal.ip in cidr %nets`:                    `any`,
		`$e.metadata.product_event_type in %big`:           `any`,
	} {
		rs, err := rule.ParseFileOptions("t.yaral", []byte("rule t {\n events:\n "+events+"\n condition:\n $e\n}\n"), rule.Options{Lists: lists})
		if err != nil {
			t.Fatal(err)
		}
		req := Require(rs)
		if got := req.String(); got != want {
			t.Errorf("%s: requirement %s, want %s", events, got, want)
		}
		for name, raw := range all {
			if matches(t, rs[0], raw) && !candidate(t, req, raw) {
				t.Errorf("%s: the requirement %s fails a record the rule matches: %s", events, req, name)
			}
		}
	}
}
