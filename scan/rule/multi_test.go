package rule

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan/window"
)

// planted is one event of a planted corpus: its record index and UDM
// fields (the time as metadata.event_timestamp.seconds).
type planted struct {
	rec    int64
	secs   int64
	fields map[string]string
}

// eventRFC3339 is the event with its time as the mapper serves it today:
// metadata.event_timestamp in RFC 3339, no .seconds.
func (p planted) eventRFC3339() mapEvent {
	ev := p.event()
	delete(ev, "metadata.event_timestamp.seconds")
	ev["metadata.event_timestamp"] = []string{time.Unix(p.secs, 0).UTC().Format(time.RFC3339)}
	return ev
}

func (p planted) event() mapEvent {
	ev := mapEvent{"metadata.event_timestamp.seconds": {strconv.FormatInt(p.secs, 10)}}
	for k, v := range p.fields {
		ev[k] = strings.Split(v, "|")
	}
	return ev
}

func compileMulti(t testing.TB, src string) *Multi {
	t.Helper()
	rules, err := ParseFileOptions("t.yaral", []byte(src), Options{MultiEvent: true})
	if err != nil {
		t.Fatalf("ParseFileOptions: %v", err)
	}
	m, err := CompileMulti(rules[0], 0, 0)
	if err != nil {
		t.Fatalf("CompileMulti: %v", err)
	}
	return m
}

// runMulti runs the whole multi-event path over evs in the given order
// with a candidate budget, and renders each detection as
// "match [start,end] records outcomes".
func runMulti(t *testing.T, m *Multi, evs []planted, budget int64) []string {
	t.Helper()
	s := window.NewStore(t.TempDir(), budget)
	for _, p := range evs {
		checkCandidates(t, m, p.event(), "s3://bucket/obj.json.gz", p.rec)
		checkCandidates(t, m, p.eventRFC3339(), "s3://bucket/obj.json.gz", p.rec)
		err := m.Candidates(p.event(), "s3://bucket/obj.json.gz", p.rec, s.Add)
		if err != nil {
			t.Fatalf("Candidates(record %d): %v", p.rec, err)
		}
	}
	var out []string
	sup := m.NewSuppressor()
	err := window.Detect(s, func(string) (window.Spec, bool) { return m.Spec(), true }, func(w *window.Window) error {
		d, ok := m.Evaluate(w)
		if !ok || !sup.Keep(d) {
			return nil
		}
		var match, recs, outs []string
		for _, k := range d.Match {
			match = append(match, k.Name+"="+k.Value.String())
		}
		for _, e := range d.Events {
			recs = append(recs, strconv.FormatInt(e.Record, 10))
		}
		for _, o := range d.Outcomes {
			outs = append(outs, o.Name+"="+string(o.Value.AppendJSON(nil)))
		}
		out = append(out, fmt.Sprintf("%s [%d,%d] events=%s %s", strings.Join(match, ","), d.Start/1e9, d.End/1e9, strings.Join(recs, ","), strings.Join(outs, " ")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// checkMulti runs evs in order and shuffled with a budget of a few
// candidates (spilling), and compares both with want.
func checkMulti(t *testing.T, m *Multi, evs []planted, want []string) {
	t.Helper()
	slices.Sort(want)
	// The per-variable rules the prefilter sees pass every record that
	// yields a candidate of their variable.
	vrs, err := m.VarRules()
	if err != nil {
		t.Fatalf("VarRules: %v", err)
	}
	for _, p := range evs {
		err := m.Candidates(p.event(), "s", p.rec, func(c window.Candidate) error {
			if !vrs[c.Var].Match(p.event()) {
				t.Errorf("record %d is a candidate of %s, but its rule does not match:\n%s", p.rec, m.Rule.Vars[c.Var], vrs[c.Var])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := runMulti(t, m, evs, 1<<30); !slices.Equal(got, want) {
		t.Errorf("detections:\ngot  %q\nwant %q", got, want)
	}
	shuffled := slices.Clone(evs)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if got := runMulti(t, m, shuffled, 400); !slices.Equal(got, want) {
		t.Errorf("detections, shuffled and spilled:\ngot  %q\nwant %q", got, want)
	}
}

// TestMultiBruteForce: five or more failed console logins from one IP
// within 10m (the match section example of Google's docs, counting with
// #e >= 5). 198.51.100.7 fails six times in minutes 0-5 (and succeeds
// once, which is no candidate), 203.0.113.9 fails four times, and
// 198.51.100.7 fails again four times an hour later. By hand: one
// detection, the window from the first failure, the six failures, six
// attempts by two users.
func TestMultiBruteForce(t *testing.T) {
	m := compileMulti(t, `rule console_brute_force {
  meta:
    author = "t"
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.action = "BLOCK"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  outcome:
    $attempts = count($e.metadata.id)
    $users = array_distinct($e.target.user.userid)
  condition:
    #e >= 5
}`)
	fail := func(rec, secs int64, ip, user string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "ConsoleLogin", "security_result.action": "BLOCK",
			"principal.ip": ip, "target.user.userid": user, "metadata.id": "id" + strconv.FormatInt(rec, 10)}}
	}
	evs := []planted{
		fail(0, 1000, "198.51.100.7", "alice"), fail(1, 1060, "198.51.100.7", "bob"), fail(2, 1120, "198.51.100.7", "alice"),
		fail(3, 1180, "198.51.100.7", "bob"), fail(4, 1240, "198.51.100.7", "alice"), fail(5, 1300, "198.51.100.7", "alice"),
		{6, 1310, map[string]string{"metadata.product_event_type": "ConsoleLogin", "security_result.action": "ALLOW", "principal.ip": "198.51.100.7", "target.user.userid": "alice"}},
		fail(7, 1000, "203.0.113.9", "root"), fail(8, 1100, "203.0.113.9", "root"), fail(9, 1200, "203.0.113.9", "root"), fail(10, 1300, "203.0.113.9", "root"),
		fail(11, 5000, "198.51.100.7", "alice"), fail(12, 5060, "198.51.100.7", "alice"), fail(13, 5120, "198.51.100.7", "alice"), fail(14, 5180, "198.51.100.7", "alice"),
	}
	checkMulti(t, m, evs, []string{
		`ip=198.51.100.7 [1000,1600] events=0,1,2,3,4,5 attempts=6 users=["alice","bob"]`,
	})
}

// TestMultiKeyCreatedThenUsed: an access key created, then used within
// an hour from another IP (a sliding window after the creation, a join
// on the key through the match variable, an inequality join on the IP
// and time ordering). By hand: AKIA1 is used from its creator's IP
// (no), from 9.9.9.9 (yes) and after the hour (no); AKIA2 is used
// before its creation and from the creator's IP (no); AKIA3 is used at
// second 10000 after a creation at 9000 (yes: time ordering compares
// numbers, not the strings "9000" and "10000").
func TestMultiKeyCreatedThenUsed(t *testing.T) {
	m := compileMulti(t, `rule key_created_then_used_from_new_ip {
  meta:
    author = "t"
  events:
    $create.metadata.product_event_type = "CreateAccessKey"
    $key = $create.target.resource.name
    $use.metadata.product_event_type != "CreateAccessKey"
    $key = $use.principal.user.product_object_id
    $create.principal.ip != $use.principal.ip
    $create.metadata.event_timestamp.seconds < $use.metadata.event_timestamp.seconds
  match:
    $key over 1h after $create
  outcome:
    $ips = array_distinct($use.principal.ip)
  condition:
    $create and $use
}`)
	create := func(rec, secs int64, key, ip string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "CreateAccessKey", "target.resource.name": key, "principal.ip": ip}}
	}
	use := func(rec, secs int64, key, ip string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "ListBuckets", "principal.user.product_object_id": key, "principal.ip": ip}}
	}
	evs := []planted{
		create(1, 1000, "AKIA1", "1.1.1.1"), use(2, 1100, "AKIA1", "1.1.1.1"), use(3, 1200, "AKIA1", "9.9.9.9"), use(4, 4601, "AKIA1", "8.8.8.8"),
		create(5, 5000, "AKIA2", "2.2.2.2"), use(6, 4900, "AKIA2", "7.7.7.7"), use(7, 5100, "AKIA2", "2.2.2.2"),
		create(8, 9000, "AKIA3", "3.3.3.3"), use(9, 10000, "AKIA3", "6.6.6.6"),
	}
	want := []string{
		`key=AKIA1 [1000,4600] events=1,3 ips=["9.9.9.9"]`,
		`key=AKIA3 [9000,12600] events=8,9 ips=["6.6.6.6"]`,
	}
	checkMulti(t, m, evs, want)
	// The same with the time only in RFC 3339: the ordering reads the
	// seconds derived from it.
	s := window.NewStore(t.TempDir(), 0)
	for _, p := range evs {
		if err := m.Candidates(p.eventRFC3339(), "s", p.rec, s.Add); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := window.Detect(s, func(string) (window.Spec, bool) { return m.Spec(), true }, func(w *window.Window) error {
		if d, ok := m.Evaluate(w); ok {
			got = append(got, d.Match[0].Value.String())
		}
		return nil
	})
	if err != nil || !slices.Equal(got, []string{"AKIA1", "AKIA3"}) {
		t.Errorf("with RFC 3339 times: detections for %v (%v), want AKIA1 and AKIA3", got, err)
	}
}

// TestMultiRunCommandBurst: one user sends Run Commands to three or more
// distinct instances within 5m (count_distinct in outcome, compared in
// condition). By hand: ops reaches i-1, i-2, i-2, i-3 in four minutes
// (3 distinct: a detection); dev reaches i-1 five times (1: none).
func TestMultiRunCommandBurst(t *testing.T) {
	m := compileMulti(t, `rule run_command_burst {
  meta:
    author = "t"
  events:
    $e.metadata.product_event_type = "SendCommand"
    $user = $e.principal.user.userid
  match:
    $user over 5m
  outcome:
    $instances = count_distinct($e.target.resource.name)
    $risk_score = max(70)
    $who = $user
  condition:
    $e and $instances >= 3
}`)
	cmd := func(rec, secs int64, user, inst string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "SendCommand", "principal.user.userid": user, "target.resource.name": inst}}
	}
	evs := []planted{
		cmd(1, 100, "ops", "i-1"), cmd(2, 160, "ops", "i-2"), cmd(3, 220, "ops", "i-2"), cmd(4, 340, "ops", "i-3"),
		cmd(5, 100, "dev", "i-1"), cmd(6, 110, "dev", "i-1"), cmd(7, 120, "dev", "i-1"), cmd(8, 130, "dev", "i-1"), cmd(9, 140, "dev", "i-1"),
	}
	checkMulti(t, m, evs, []string{
		`user=ops [100,400] events=1,2,3,4 instances=3 risk_score=70 who="ops"`,
	})
}

// TestMultiNonExistence: a console login with no MFA event for the same
// user within 5m after it ($login and !$mfa over a sliding window). By
// hand: alice has MFA after 60s (none), bob has none (a detection),
// carol's MFA comes after 400s, outside the window (a detection).
func TestMultiNonExistence(t *testing.T) {
	m := compileMulti(t, `rule login_without_mfa {
  meta:
    author = "t"
  events:
    $login.metadata.product_event_type = "ConsoleLogin"
    $user = $login.target.user.userid
    $mfa.metadata.product_event_type = "MFAChallenge"
    $user = $mfa.principal.user.userid
  match:
    $user over 5m after $login
  condition:
    $login and !$mfa
}`)
	login := func(rec, secs int64, user string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "ConsoleLogin", "target.user.userid": user}}
	}
	mfa := func(rec, secs int64, user string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "MFAChallenge", "principal.user.userid": user}}
	}
	evs := []planted{login(1, 0, "alice"), mfa(2, 60, "alice"), login(3, 0, "bob"), login(4, 0, "carol"), mfa(5, 400, "carol")}
	checkMulti(t, m, evs, []string{
		`user=bob [0,300] events=3 `,
		`user=carol [0,300] events=4 `,
	})
}

// TestMultiNoTime: an event that passes a filter but has no timestamp
// yields ErrNoTime and no candidate; one that passes none is silent.
func TestMultiNoTime(t *testing.T) {
	m := compileMulti(t, `rule r {
  meta:
    author = "t"
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  condition:
    $e
}`)
	add := func(window.Candidate) error { t.Fatal("candidate added"); return nil }
	if err := m.Candidates(mapEvent{"metadata.product_event_type": {"ConsoleLogin"}, "principal.ip": {"1.2.3.4"}}, "s", 0, add); !errors.Is(err, ErrNoTime) {
		t.Fatalf("Candidates without a time = %v, want ErrNoTime", err)
	}
	if err := m.Candidates(mapEvent{"metadata.product_event_type": {"GetObject"}}, "s", 0, add); err != nil {
		t.Fatalf("Candidates of a non-candidate = %v", err)
	}
}

// TestMultiStillRejectedByDefault: without Options.MultiEvent a match:
// rule is still rejected as Unsupported, so the single-event path never
// sees one.
func TestMultiStillRejectedByDefault(t *testing.T) {
	src := "rule r {\n  events:\n    $e.metadata.product_event_type = \"x\"\n    $ip = $e.principal.ip\n  match:\n    $ip over 10m\n  condition:\n    #e > 2\n}\n"
	_, err := ParseFile("t.yaral", []byte(src))
	var el ErrorList
	if !errors.As(err, &el) || len(el) == 0 || !el[0].Unsupported {
		t.Fatalf("ParseFile = %v, want Unsupported errors", err)
	}
}

// TestMultiPlaceholderCountAndRows: "#ip >= 3" counts the distinct
// values of a placeholder over the window; outcome arithmetic around
// aggregations, if() inside one and a constant outcome; a repeated field
// read only by an outcome splits the event into one row per element (as
// for single-event rules), so count_distinct sees every element. By
// hand: alice fails from 10.0.0.1, 10.0.0.2, 10.0.0.1 and 10.0.0.3 (3
// distinct: a detection) on hosts h1, h2|h3 (one event, two elements),
// h1, h4 (4 distinct); bob fails four times from 2 IPs (none).
func TestMultiPlaceholderCountAndRows(t *testing.T) {
	m := compileMulti(t, `rule distributed_failures {
  meta:
    author = "t"
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $e.security_result.action = "BLOCK"
    $user = $e.target.user.userid
    $ip = $e.principal.ip
  match:
    $user over 1h
  outcome:
    $hosts = count_distinct($e.target.hostname)
    $risk_score = max(if($e.security_result.action = "BLOCK", 40, 10)) + 20
    $tactic = "Credential Access"
    $high = if($hosts > 3, true, false)
  condition:
    #ip >= 3
}`)
	fail := func(rec, secs int64, user, ip, host string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "ConsoleLogin", "security_result.action": "BLOCK",
			"principal.ip": ip, "target.user.userid": user, "target.hostname": host}}
	}
	evs := []planted{
		fail(1, 100, "alice", "10.0.0.1", "h1"), fail(2, 200, "alice", "10.0.0.2", "h2|h3"), fail(3, 300, "alice", "10.0.0.1", "h1"), fail(4, 400, "alice", "10.0.0.3", "h4"),
		fail(5, 100, "bob", "10.0.0.1", "h1"), fail(6, 200, "bob", "10.0.0.2", "h1"), fail(7, 300, "bob", "10.0.0.1", "h1"), fail(8, 400, "bob", "10.0.0.2", "h1"),
	}
	checkMulti(t, m, evs, []string{
		`user=alice [100,3700] events=1,2,3,4 hosts=4 risk_score=60 tactic="Credential Access" high=true`,
	})
}

// TestEventTime: .seconds and .nanos, else the RFC 3339 form the mapper
// serves; 2024-03-01T00:00:00Z is 1709251200 (60 days after
// 2024-01-01, 1704067200).
func TestEventTime(t *testing.T) {
	for _, c := range []struct {
		ev   mapEvent
		want int64
		ok   bool
	}{
		{mapEvent{"metadata.event_timestamp.seconds": {"1709251210"}, "metadata.event_timestamp.nanos": {"500000000"}}, 1709251210500000000, true},
		{mapEvent{"metadata.event_timestamp": {"2024-03-01T00:00:10.5Z"}}, 1709251210500000000, true},
		{mapEvent{"metadata.event_timestamp": {"yesterday"}}, 0, false},
		{mapEvent{}, 0, false},
	} {
		if got, ok := EventTime(c.ev); got != c.want || ok != c.ok {
			t.Errorf("EventTime(%v) = %d, %v; want %d, %v", c.ev, got, ok, c.want, c.ok)
		}
	}
}

// TestMultiZeroValues: a login without a source IP has the zero value
// "" for $ip and is no candidate (SecOps excludes zero values of match
// placeholders), unless options: allow_zero_values = true, when the
// three such logins form their own group. By hand: two IPs with two
// logins each and three logins without an IP, "#e >= 3".
func TestMultiZeroValues(t *testing.T) {
	src := `rule zero {
  meta:
    author = "t"
  events:
    $e.metadata.product_event_type = "ConsoleLogin"
    $ip = $e.principal.ip
  match:
    $ip over 10m
  condition:
    #e >= 3
%s}`
	login := func(rec, secs int64, ip string) planted {
		f := map[string]string{"metadata.product_event_type": "ConsoleLogin"}
		if ip != "" {
			f["principal.ip"] = ip
		}
		return planted{rec, secs, f}
	}
	evs := []planted{login(1, 0, "1.1.1.1"), login(2, 10, "1.1.1.1"), login(3, 0, "2.2.2.2"), login(4, 10, "2.2.2.2"),
		login(5, 0, ""), login(6, 10, ""), login(7, 20, "")}
	checkMulti(t, compileMulti(t, fmt.Sprintf(src, "")), evs, nil)
	checkMulti(t, compileMulti(t, fmt.Sprintf(src, "  options:\n    allow_zero_values = true\n")), evs, []string{
		`ip= [0,600] events=5,6,7 `,
	})
}
