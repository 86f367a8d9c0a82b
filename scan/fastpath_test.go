package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/fast"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// The fast path must give the reference path's hits, object failures and
// record skips (docs/fast-path.md): these tests run both over the same
// objects and compare.

// testRules exercise what the prefilter derives requirements from:
// nocase and exact strings, lists, regexes with alternation, constants,
// substrings cut by a derivation, negations and non-ASCII literals.
const testRules = `
rule t_exact_case {
  events:
    $e.metadata.product_event_type = "StartSession"
  condition:
    $e
}
rule t_regex_alt {
  events:
    re.regex($e.target.resource.name, ` + "`(?i)runcommands?/(action|write)`" + `)
  condition:
    $e
}
rule t_ip_and_agent {
  events:
    $e.principal.ip = "203.0.113.7" or $e.network.http.user_agent = /kubectl|Kelvin|ſtrange/ nocase
  condition:
    $e
}
rule t_subscription {
  events:
    $e.target.cloud.project.id = "ABCDEF00-1111-2222-3333-444455556666" nocase
    $e.metadata.product_event_type != "x"
  condition:
    $e
}
rule t_not_blocked_user {
  events:
    $e.principal.user.userid in nocase ("admin@contoso.com", "arn:aws:iam::111122223333:user/ops")
    not $e.security_result.action = "BLOCK"
  condition:
    $e
}
rule t_unicode {
  events:
    $e.principal.user.user_display_name = "Zoë Ünal" nocase
  condition:
    $e
}
rule t_dead {
  events:
    $e.metadata.vendor_name = "Amazon Web Services"
    $e.metadata.product_event_type = "StartSession"
  condition:
    $e
}
rule t_repeated_both {
  events:
    $e.metadata.product_event_type = "SendCommand"
    $e.target.resource.name = /^i-0/ and $e.target.resource.name = /^i-c/
  condition:
    $e
}
rule t_repeated_not {
  events:
    $e.metadata.product_event_type in ("SendCommand", "StartSession", "TerminateInstances")
    not $e.target.resource.name = /^i-0/
    any $e.target.resource.name != ""
  condition:
    $e
}
rule t_placeholder_outcome {
  events:
    $user = $e.principal.user.userid
    $ip = $e.principal.ip
    strings.to_lower($e.metadata.product_event_type) = "sendsshpublickey" or $e.principal.user.userid = $e.principal.ip
    re.regex($user, ` + "`" + `(?i)user/` + "`" + `)
    $e.target.application = /amazonaws\.com$/
  outcome:
    $risk_score = max(if($ip = /^10\./, 20, 70) + 5)
    $who = strings.to_lower($user)
    $targets = array_distinct($e.target.resource.name)
    $n = count($e.target.resource.name)
  condition:
    $e and $risk_score > 30
}
rule t_kelvin {
  events:
    $e.metadata.product_event_type = "SendSSHPublicKey" nocase
    $e.metadata.vendor_name = "AMAZON"
  condition:
    $e
}
`

// ruleSets are the rule sets the differential tests run: the built-in
// pack, every built-in rule, the test rules, and a rule without any
// usable requirement (every record a candidate); the test Sigma rules
// alone and beside the YARA-L ones, and the SigmaHQ CloudTrail and
// Azure Activity rules beside the pack when that corpus is there.
func ruleSets(t testing.TB) map[string][]*Rule {
	t.Helper()
	all, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	extra, err := rule.ParseFile("test.yaral", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	free, err := rule.ParseFile("free.yaral", []byte(`
rule t_free {
  events:
    $e.principal.user.userid != ""
  condition:
    $e
}
rule t_map_access {
  events:
    $e.additional.fields["recipientAccountId"] != "" or $e.metadata.product_event_type = "GetCommandInvocation"
    all $e.target.resource.name != "x"
  outcome:
    $acct = $e.additional.fields["recipientAccountId"]
  condition:
    $e
}
rule t_number {
  events:
    $e.target.location.name in ("12345", 12345)
  condition:
    $e
}
`))
	if err != nil {
		t.Fatal(err)
	}
	sets := map[string][]*Rule{}
	for _, l := range all {
		if l.Default {
			sets["pack"] = append(sets["pack"], NewRule(l.Rule, l.Origin))
		}
		sets["builtin+test"] = append(sets["builtin+test"], NewRule(l.Rule, l.Origin))
	}
	for _, r := range extra {
		sets["builtin+test"] = append(sets["builtin+test"], NewRule(r, "test"))
	}
	for _, r := range free {
		sets["free"] = append(sets["free"], NewRule(r, "test"))
	}
	sets["builtin+test"] = append(sets["builtin+test"], parseSigma(t, "test.yml", testSigmaRules)...)
	sets["free"] = append(sets["free"], parseSigma(t, "free.yml", testSigmaFree)...)
	sets["sigma"] = parseSigma(t, "test.yml", testSigmaRules)
	if hq := sigmaHQRules(t); hq != nil {
		sets["pack+sigmahq"] = append(append([]*Rule(nil), sets["pack"]...), hq...)
	}
	for name, rs := range sets {
		yl, sg := splitRules(rs)
		if free := fast.RequireWithSigma(yl, sg).Free; free != (name == "free") {
			t.Fatalf("rule set %s: Free is %v", name, free)
		}
	}
	return sets
}

// collect is an output.Writer that keeps the hits.
type collect struct {
	mu   sync.Mutex
	hits []output.Hit
}

func (c *collect) Write(h []output.Hit) error {
	c.mu.Lock()
	c.hits = append(c.hits, h...)
	c.mu.Unlock()
	return nil
}
func (c *collect) Close() error { return nil }

// outcome is what a scan reports, in a form that compares.
type outcome struct {
	hits        []string
	failures    []string
	skips       []string // every record skip but malformed JSON
	malformed   int
	records     int64 // + malformed: the records the decoder split off
	objects     int64
	failed      int64
	compressed  int64
	hitsByRule  map[string]int64
	skipReasons map[string]int64
	truncated   bool // more skips than the summary lists
}

func outcomeOf(sum *Summary, hits []output.Hit) outcome {
	o := outcome{objects: sum.ObjectsScanned, failed: sum.ObjectsFailed, compressed: sum.BytesCompressed,
		hitsByRule: sum.HitsByRule, skipReasons: map[string]int64{}, truncated: len(sum.Skips) >= maxListed}
	for _, h := range hits {
		b, _ := json.Marshal(h)
		o.hits = append(o.hits, string(b))
	}
	sort.Strings(o.hits)
	for _, f := range sum.Failures {
		o.failures = append(o.failures, fmt.Sprint(f))
	}
	sort.Strings(o.failures)
	for _, s := range sum.Skips {
		if s.Reason == decode.ReasonMalformed {
			continue
		}
		o.skips = append(o.skips, fmt.Sprint(s))
	}
	sort.Strings(o.skips)
	for r, n := range sum.SkipReasons {
		if r == "record skipped: "+decode.ReasonMalformed {
			o.malformed = int(n)
			continue
		}
		o.skipReasons[r] = n
	}
	o.records = sum.Records + int64(o.malformed)
	return o
}

// sameOutcome reports how the fast path's outcome differs from the
// reference path's beyond what docs/fast-path.md allows.
func sameOutcome(ref, fst outcome) string {
	var diffs []string
	if !slices.Equal(ref.hits, fst.hits) {
		diffs = append(diffs, fmt.Sprintf("hits differ:\nreference (%d):\n%s\nfast (%d):\n%s", len(ref.hits), strings.Join(ref.hits, "\n"), len(fst.hits), strings.Join(fst.hits, "\n")))
	}
	if !slices.Equal(ref.failures, fst.failures) {
		diffs = append(diffs, fmt.Sprintf("failures differ:\n%v\n%v", ref.failures, fst.failures))
	}
	// Past maxListed the skips listed are the first to reach the summary,
	// which depends on the order objects finish: only the counts by
	// reason (below) are compared then.
	if !ref.truncated && !fst.truncated && !slices.Equal(ref.skips, fst.skips) {
		diffs = append(diffs, fmt.Sprintf("skips differ:\n%v\n%v", ref.skips, fst.skips))
	}
	if fst.malformed > ref.malformed {
		diffs = append(diffs, fmt.Sprintf("fast path reports %d malformed records, the reference %d", fst.malformed, ref.malformed))
	}
	records := ref.records == fst.records
	if ref.failed > 0 {
		// A failed object's skips are dropped: the malformed records the
		// fast path counted as records are not to be seen.
		records = fst.records >= ref.records
	}
	if !records || ref.objects != fst.objects || ref.failed != fst.failed || ref.compressed != fst.compressed {
		diffs = append(diffs, fmt.Sprintf("counts differ: reference %d records %d objects %d failed %d bytes, fast %d %d %d %d",
			ref.records, ref.objects, ref.failed, ref.compressed, fst.records, fst.objects, fst.failed, fst.compressed))
	}
	if fmt.Sprint(ref.hitsByRule) != fmt.Sprint(fst.hitsByRule) || fmt.Sprint(ref.skipReasons) != fmt.Sprint(fst.skipReasons) {
		diffs = append(diffs, fmt.Sprintf("per-rule or per-reason counts differ:\n%v %v\n%v %v", ref.hitsByRule, ref.skipReasons, fst.hitsByRule, fst.skipReasons))
	}
	return strings.Join(diffs, "\n")
}

func scanDir(t testing.TB, dir string, rs []*Rule, win sources.Window, reference bool) outcome {
	t.Helper()
	return scanDirWorkers(t, dir, rs, win, reference, 2)
}

// scanDirWorkers is scanDir on so many workers: one makes the order of
// the skips listed (the first maxListed) the listing's.
func scanDirWorkers(t testing.TB, dir string, rs []*Rule, win sources.Window, reference bool, workers int) outcome {
	t.Helper()
	src, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	var c collect
	cfg := Config{Rules: rs, Window: win, Reference: reference, Workers: workers,
		Limits: decode.Limits{MaxRecordBytes: 1 << 20, MaxDepth: 64}}
	sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, &c)
	if err != nil {
		t.Fatal(err)
	}
	return outcomeOf(sum, c.hits)
}

// TestFastPathMatchesReferenceOnCorpus scans a generated archive (both
// layouts, an org trail, legacy Azure envelopes, gzip Azure blobs,
// siblings, decoys, escaped positives) and an archive of mutated records
// through both paths, with several rule sets and windows.
func TestFastPathMatchesReferenceOnCorpus(t *testing.T) {
	root := t.TempDir()
	cfg := gen.Config{Days: 2, FilesPerDay: 6, RecordsPerFile: 20, AzureRecordsPerHour: 50,
		OrgID: "o-a1b2c3d4e5", AzureLegacyEnvelope: true, AzureGzip: true, PositiveRate: 0.02}
	if _, _, err := gen.Generate(cfg, gen.DirSink(filepath.Join(root, "gen"))); err != nil {
		t.Fatal(err)
	}
	writeMutated(t, filepath.Join(root, "mutated"), seedRecords(t, filepath.Join(root, "gen")), 3000, 1)
	windows := map[string]sources.Window{
		"all":  {},
		"half": {Since: time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC), Until: time.Date(2025, 3, 11, 6, 0, 0, 0, time.UTC)},
	}
	for name, rs := range ruleSets(t) {
		for wname, win := range windows {
			t.Run(name+"/"+wname, func(t *testing.T) {
				if raceEnabled && (wname != "all" || name != "builtin+test") {
					// The race detector looks at the workers'
					// concurrency, which neither the window nor the
					// rule set changes ("builtin+test" holds YARA-L and
					// Sigma rules); the run without it compares every
					// pair, and under -race they took minutes.
					t.Skip("compared without -race")
				}
				// Each archive is a target of its own: the walk follows
				// the generated corpus's layout and would never list the
				// mutated objects beside it (issue 12: before, they were
				// not scanned at all).
				for _, dir := range []string{"gen", "mutated"} {
					workers := 2
					if dir == "mutated" {
						workers = 1 // more skips than are listed
					}
					ref := scanDirWorkers(t, filepath.Join(root, dir), rs, win, true, workers)
					fst := scanDirWorkers(t, filepath.Join(root, dir), rs, win, false, workers)
					if d := sameOutcome(ref, fst); d != "" {
						t.Fatalf("%s: %s", dir, d)
					}
					if name != "free" && (dir == "gen" || wname == "all") && len(ref.hits) < 10 {
						t.Fatalf("%s: only %d hits: the test proves little", dir, len(ref.hits))
					}
					if dir == "gen" || wname != "all" {
						continue
					}
					// Issue 12: records without a readable time and
					// Azure resource logs are among the mutations,
					// skipped alike on both paths whatever the rules.
					for _, r := range []string{"record skipped: " + ReasonNoEventTime, "record skipped: unsupported log type (Azure resource log, not Activity)"} {
						if ref.skipReasons[r] == 0 {
							t.Errorf("no record %q: the test proves little (%v)", r, ref.skipReasons)
						}
					}
				}
			})
		}
	}
}

// seedRecords returns records to mutate: every public sample, and the
// generated corpus's records that some rule set hits plus some noise.
func seedRecords(t testing.TB, dir string) [][]byte {
	t.Helper()
	var out [][]byte
	samples, _ := filepath.Glob("../testdata/samples/*.json")
	for _, s := range samples {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, splitRecords(t, b)...)
	}
	n := 0
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || n > 40 {
			return nil
		}
		n++
		b, _ := os.ReadFile(p)
		recs := splitRecords(t, b)
		for i, r := range recs {
			if i%7 == 0 || bytes.Contains(r, []byte("Session")) || bytes.Contains(bytes.ToUpper(r), []byte("RUNCOMMAND")) {
				out = append(out, r)
			}
		}
		return nil
	})
	if len(out) < 50 {
		t.Fatalf("only %d seed records", len(out))
	}
	return out
}

func splitRecords(t testing.TB, body []byte) [][]byte {
	var out [][]byte
	_, err := decode.NewDecoder(decode.Limits{}).Decode(bytes.NewReader(body), func(_ int, raw []byte) error {
		out = append(out, bytes.Clone(raw))
		return nil
	})
	if err != nil {
		t.Fatalf("seed object: %v", err)
	}
	return out
}

// writeMutated writes n mutated records, in JSON Lines, envelope and
// gzip objects of various sizes.
func writeMutated(t testing.TB, dir string, seeds [][]byte, n int, seed int64) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for obj := 0; n > 0; obj++ {
		k := min(n, 1+rng.Intn(60))
		n -= k
		recs := make([][]byte, k)
		for i := range recs {
			recs[i] = mutate(rng, seeds[rng.Intn(len(seeds))])
		}
		body := shaped(obj%nShapes, recs, (obj/nShapes)%2 == 1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("obj%04d.json", obj)), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// shaped lays records out as one object: JSON Lines (0), the CloudTrail
// envelope (1), the legacy Azure envelope (2), and the shapes of issue
// 15: an envelope whose key comes after other members, sorted and
// pretty-printed as jq -S writes it (3), two envelopes one after the
// other, two gzip members when zipped (4), and a duplicate "Records"
// key (5); and the envelopes of issue 12 that wrap each record:
// `aws cloudtrail lookup-events` output (6), CloudWatch Logs
// subscription data, two envelopes one after the other (7), and
// EventBridge events, one per line (8).
func shaped(shape int, recs [][]byte, zip bool) []byte {
	half := len(recs) / 2
	var docs [][]byte
	switch shape {
	case 6:
		docs = [][]byte{lookupEvents(recs)}
	case 7:
		docs = [][]byte{cwlEnvelope(recs[:half]), cwlEnvelope(recs[half:])}
	case 8:
		docs = [][]byte{eventBridge(recs)}
	case 0:
		docs = [][]byte{append(bytes.Join(recs, []byte("\n")), '\n')}
	case 1:
		docs = [][]byte{slices.Concat([]byte(`{"Records":[`), bytes.Join(recs, []byte(",")), []byte("]}"))}
	case 2:
		docs = [][]byte{slices.Concat([]byte(`{"records": [`), bytes.Join(recs, []byte(",\n ")), []byte("\n]}"))}
	case 3:
		docs = [][]byte{slices.Concat([]byte("{\n  \"Count\": 2,\n  \"Meta\": {\"Records\": [{\"eventVersion\": \"1\"}]},\n  \"Records\": [\n    "),
			bytes.Join(recs, []byte(",\n    ")), []byte("\n  ],\n  \"z\": [1, \"]\"]\n}\n"))}
	case 4:
		docs = [][]byte{
			slices.Concat([]byte(`{"Records":[`), bytes.Join(recs[:half], []byte(",")), []byte("]}")),
			slices.Concat([]byte(`{"Records":[`), bytes.Join(recs[half:], []byte(",")), []byte("]}\n")),
		}
	case 5:
		docs = [][]byte{slices.Concat([]byte(`{"Records":[`), bytes.Join(recs[:half], []byte(",")), []byte(`],"n":1,"Records":[`),
			bytes.Join(recs[half:], []byte(",")), []byte("]}"))}
	}
	var body []byte
	for _, d := range docs {
		if zip {
			d = gzipBytes(d)
		}
		body = append(body, d...)
	}
	return body
}

// nShapes is the number of shapes shaped lays records out in.
const nShapes = 9

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// stringField finds "key": "value" pairs of the fields rules read.
var stringField = regexp.MustCompile(`"(eventName|eventSource|operationName|resourceId|value|name|userAgent|sourceIPAddress|callerIpAddress|arn|caller|userName|awsRegion|location|errorCode|resultType|eventVersion|subscriptionId|[a-zA-Z]+)"\s*:\s*"((?:[^"\\]|\\.)*)"`)

var decisiveKey = regexp.MustCompile(`^(eventName|eventSource|operationName|resourceId|value)$`)
var relevantKey = regexp.MustCompile(`^(eventName|eventSource|operationName|resourceId|value|name|userAgent|sourceIPAddress|callerIpAddress|arn|caller|userName|eventTime|time|eventTimestamp|category)$`)

// mutate applies one to three random edits that a careless fast path
// gets wrong: escapes, odd casing, Unicode folding, duplicate keys,
// numbers and arrays where strings are expected, missing and huge
// fields, nesting, and broken JSON.
func mutate(rng *rand.Rand, rec []byte) []byte {
	out := bytes.Clone(rec)
	for n := 1 + rng.Intn(3); n > 0; n-- {
		locs := stringField.FindAllSubmatchIndex(out, -1)
		if len(locs) == 0 {
			break
		}
		m := locs[rng.Intn(len(locs))]
		want := relevantKey
		if rng.Intn(2) == 0 {
			want = decisiveKey
		}
		for try := 0; try < 30 && rng.Intn(6) > 0 && !want.Match(out[m[2]:m[3]]); try++ {
			// Mostly edit the fields the rules read.
			m = locs[rng.Intn(len(locs))]
		}
		key, val := string(out[m[2]:m[3]]), out[m[4]:m[5]]
		var repl string // the new `"key":"value"` text, or a whole new record
		switch rng.Intn(18) {
		case 0: // escape some characters
			repl = `"` + key + `":"` + escapeSome(rng, val) + `"`
		case 16: // escape the value wherever it occurs, so that no raw copy is left
			if len(val) < 3 || bytes.IndexByte(val, '\\') >= 0 {
				continue
			}
			out = bytes.ReplaceAll(out, val, []byte(escapeSome(rng, val)))
			continue
		case 1: // flip the case of letters
			v := []byte(string(val))
			for i := range v {
				if rng.Intn(2) == 0 && (v[i]|0x20 >= 'a' && v[i]|0x20 <= 'z') {
					v[i] ^= 0x20
				}
			}
			repl = `"` + key + `":"` + string(v) + `"`
		case 2: // Unicode folds: Kelvin sign for k, long s for s, raw or escaped
			v := string(val)
			kelvin, longS := "\u212a", "ſ"
			if rng.Intn(2) == 0 {
				kelvin, longS = `\u212A`, `\u017f`
			}
			v = strings.Replace(strings.Replace(v, "k", kelvin, 1), "s", longS, 1)
			repl = `"` + key + `":"` + v + `"`
		case 3: // duplicate key before: the later one wins
			repl = `"` + key + `":"StartSession","` + key + `":"` + string(val) + `"`
		case 4: // duplicate key after: the later one wins
			repl = `"` + key + `":"` + string(val) + `","` + key + `":"SendCommand"`
		case 5: // a number where a string is expected
			repl = `"` + key + `":12345`
		case 6: // an array
			repl = `"` + key + `":["` + string(val) + `",7,true,null,{"x":"` + string(val) + `"}]`
		case 7: // drop the field
			repl = `"dropped_` + key + `":null`
		case 8: // a huge field, now and then over the record limit
			n := 100 + rng.Intn(2000)
			if rng.Intn(8) == 0 {
				n *= 20
			}
			repl = `"` + key + `":"` + string(val) + `","pad":"` + strings.Repeat("A\\\"b/", n) + `"`
		case 9: // nest the value
			repl = `"` + key + `":{"value":"` + string(val) + `","name":"` + string(val) + `"}`
		case 10: // non-ASCII text
			repl = `"` + key + `":"Zoë Ünal ` + string(val) + ` 😀"`
		case 11: // copy the value of another rule-relevant string
			others := []string{"StartSession", "ssm.amazonaws.com", "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION",
				"ec2-instance-connect.amazonaws.com", "SendSSHPublicKey", "203.0.113.7", "admin@contoso.com",
				"/subscriptions/abcdef00-1111-2222-3333-444455556666/x", "Microsoft.Compute/virtualMachines/runCommands/write", "kubectl/v1"}
			repl = `"` + key + `":"` + others[rng.Intn(len(others))] + `"`
		case 12: // escape a key
			repl = `"` + escapeSome(rng, []byte(key)) + `":"` + string(val) + `"`
		case 13: // break the JSON inside a balanced record
			repl = `"` + key + `":"` + string(val) + `",,`
		case 14: // an invalid UTF-8 byte
			repl = `"` + key + `":"` + string(val) + "\xff\""
		case 15: // a control character, invalid in JSON strings
			repl = `"` + key + `":"` + string(val) + "\t\""
		case 17: // a time as exports write it, a placeholder, another log's category (issue 12)
			others := []string{"2025-01-13 19:58:59.000000000", "2019-01-14T19:31:53.6431339Z", "2019-01-14T19:31:53.6431339",
				"2025-03-10 12:00:00", "redacted", "", "2024-02-30T00:00:00Z", "kube-audit", "Administrative", "write"}
			repl = `"` + key + `":"` + others[rng.Intn(len(others))] + `"`
		}
		out = slices.Concat(out[:m[0]], []byte(repl), out[m[1]:])
	}
	return out
}

// escapeSome escapes some characters of v, at least one.
func escapeSome(rng *rand.Rand, v []byte) string {
	var b strings.Builder
	if len(v) > 0 && v[0] < 0x80 && v[0] != '\\' {
		fmt.Fprintf(&b, `\u%04x`, v[0])
		v = v[1:]
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == '\\' && i+1 < len(v):
			b.WriteByte(c)
			b.WriteByte(v[i+1])
			i++
		case c == '/' && rng.Intn(2) == 0:
			b.WriteString(`\/`)
		case c < 0x80 && rng.Intn(3) == 0:
			fmt.Fprintf(&b, `\u%04X`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// testWorker returns a worker on the reference path (filter nil) or the
// fast path, with small record limits.
func testWorker(rs []*Rule, filter *fast.Filter) *worker {
	cfg := Config{Rules: rs, Reference: filter == nil, Limits: decode.Limits{MaxRecordBytes: 1 << 16, MaxDepth: 16}}.withDefaults()
	return newWorker(cfg, filter)
}

// objectOutcome runs one in-memory object through w.object.
func objectOutcome(t testing.TB, src sources.Source, w *worker, body []byte) outcome {
	t.Helper()
	sum := &Summary{}
	j := job{src: src, obj: sources.Object{Key: "obj.json", Size: int64(len(body))}, data: bytes.NewBuffer(body)}
	res, err := w.object(context.Background(), j, sum)
	if err != nil {
		t.Fatal(err)
	}
	sum.written(res.Hits, 0) // as the writer counts them
	return outcomeOf(sum, res.Hits)
}

// recordOnBothPaths runs rec, the one record of a CloudTrail object,
// through the reference worker and the fast one, fails t when their
// outcomes differ, and returns the reference path's.
func recordOnBothPaths(t testing.TB, src sources.Source, refW, fastW *worker, rec []byte) outcome {
	t.Helper()
	body := append(append([]byte(`{"Records":[`), rec...), "]}"...)
	ref := objectOutcome(t, src, refW, body)
	if d := sameOutcome(ref, objectOutcome(t, src, fastW, body)); d != "" {
		t.Fatalf("record %s\n%s", rec, d)
	}
	return ref
}

// TestFastPathMatchesReferenceOnMutations checks many small objects of
// mutated records one at a time, so a difference names its record.
func TestFastPathMatchesReferenceOnMutations(t *testing.T) {
	root := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 4, RecordsPerFile: 20, AzureRecordsPerHour: 20, PositiveRate: 0.05}, gen.DirSink(root)); err != nil {
		t.Fatal(err)
	}
	seeds := seedRecords(t, root)
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewSource(2))
	rs := ruleSets(t)["builtin+test"]
	refW, fastW := testWorker(rs, nil), testWorker(rs, newFilter(rs))
	hits, n := 0, 4000
	if raceEnabled {
		n = 500 // the race detector checks the concurrency, not the cases
	}
	for i := 0; i < n; i++ {
		rec := mutate(rng, seeds[rng.Intn(len(seeds))])
		hits += len(recordOnBothPaths(t, src, refW, fastW, rec).hits)
	}
	if hits < n/8 {
		t.Fatalf("only %d hits among the mutations", hits)
	}
}

// FuzzFastPath feeds a record, and a mutation of it, through both paths
// in each envelope (shaped, the wrapping envelopes of issue 12 among
// them, and a bare array), plain and gzip, and requires the same hits, skips
// and failures. Seeds: testdata/fuzz/FuzzFastPath and the public samples.
func FuzzFastPath(f *testing.F) {
	samples, _ := filepath.Glob("../testdata/samples/*.json")
	for i, s := range samples {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		for _, r := range splitRecords(f, b) {
			f.Add(r, uint8(i))
		}
	}
	src, err := local.New(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	rs := ruleSets(f)["builtin+test"]
	refW, fastW := testWorker(rs, nil), testWorker(rs, newFilter(rs))
	f.Fuzz(func(t *testing.T, rec []byte, shape uint8) {
		variant := mutate(rand.New(rand.NewSource(int64(shape))), rec)
		var body []byte
		if shape%16 == 15 {
			// A bare array.
			body = slices.Concat([]byte("[\n"), rec, []byte(",\n"), variant, []byte("\n]"))
			if shape&16 != 0 {
				body = gzipBytes(body)
			}
		} else {
			body = shaped(int(shape%16)%nShapes, [][]byte{rec, variant}, shape&16 != 0)
		}
		ref := objectOutcome(t, src, refW, body)
		fst := objectOutcome(t, src, fastW, body)
		if d := sameOutcome(ref, fst); d != "" {
			t.Fatalf("object %q\n%s", body, d)
		}
	})
}
