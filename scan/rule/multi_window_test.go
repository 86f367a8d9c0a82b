package rule

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestMultiTumbling: Google's windowing page's tumbling example, "$user
// by 30m": fixed, adjacent 30-minute slots aligned on the epoch, each
// evaluated alone, window_start and window_end its bounds (in outcome:
// and condition:). By hand, three logins or more in one slot:
//   - alice at 0, 600, 1700 (slot [0,1800): 3, a detection) and 1810,
//     2000 (slot [1800,3600): 2). A 30m hop window would have seen 600,
//     1700, 1810 and 2000 together; a slot does not.
//   - bob at 1700 (slot 0: 1), 1900, 2000, 3500 (slot [1800,3600): 3, a
//     detection).
//
// With "window_start >= 1800" in the condition only bob's remains.
func TestMultiTumbling(t *testing.T) {
	src := `rule logins_per_slot {
  meta:
    author = "t"
  events:
    $e.metadata.event_type = "USER_LOGIN"
    $user = $e.target.user.userid
  match:
    $user by 30m
  outcome:
    $from = window_start
    $to = window_end
    $logins = count($e.metadata.id)
  condition:
    #e >= 3%s
}`
	login := func(rec, secs int64, user string) planted {
		return planted{rec, secs, map[string]string{"metadata.event_type": "USER_LOGIN", "target.user.userid": user, "metadata.id": fmt.Sprint(rec)}}
	}
	evs := []planted{
		login(1, 0, "alice"), login(2, 600, "alice"), login(3, 1700, "alice"), login(4, 1810, "alice"), login(5, 2000, "alice"),
		login(6, 1700, "bob"), login(7, 1900, "bob"), login(8, 2000, "bob"), login(9, 3500, "bob"),
	}
	m := compileMulti(t, fmt.Sprintf(src, ""))
	if k := m.Spec().Kind.String(); k != "tumbling" {
		t.Fatalf("window kind %s, want tumbling", k)
	}
	checkMulti(t, m, evs, []string{
		`user=alice [0,1800] events=1,2,3 from=0 to=1800 logins=3`,
		`user=bob [1800,3600] events=7,8,9 from=1800 to=3600 logins=3`,
	})
	checkMulti(t, compileMulti(t, fmt.Sprintf(src, " and window_start >= 1800")), evs, []string{
		`user=bob [1800,3600] events=7,8,9 from=1800 to=3600 logins=3`,
	})
	// Arithmetic of counts and bounds in condition: alice has 3 logins
	// in her first slot and 2 in her second, bob 1 and 3; "#e * 600 >=
	// window_end - window_start" (1800) holds for 3 logins.
	checkMulti(t, compileMulti(t, fmt.Sprintf(src, " and #e * 600 >= window_end - window_start")), evs, []string{
		`user=alice [0,1800] events=1,2,3 from=0 to=1800 logins=3`,
		`user=bob [1800,3600] events=7,8,9 from=1800 to=3600 logins=3`,
	})
}

// TestMultiSuppressionWindow: options: suppression_window (Google's
// options page: a multi-event rule's detections are suppressed per
// match key over a tumbling window of that length, which must be longer
// than the match window). retrohunt keeps, per match key and epoch-
// aligned slot of the suppression window, the detection whose window
// starts first. By hand, "#e >= 2" over 5m, suppression 1h:
//   - 1.1.1.1 at 0 and 60, at 1000 and 1060, at 4000 and 4060: three
//     windows of two; the first two start in slot [0,3600), the third in
//     [3600,7200): the one at 1000 is suppressed.
//   - 2.2.2.2 at 1000 and 1060: another key, kept.
func TestMultiSuppressionWindow(t *testing.T) {
	src := `rule pairs {
  meta:
    author = "t"
  events:
    $e.metadata.event_type = "USER_LOGIN"
    $ip = $e.principal.ip
  match:
    $ip over 5m
  condition:
    #e >= 2
  options:
    suppression_window = %s
}`
	login := func(rec, secs int64, ip string) planted {
		return planted{rec, secs, map[string]string{"metadata.event_type": "USER_LOGIN", "principal.ip": ip}}
	}
	evs := []planted{
		login(1, 0, "1.1.1.1"), login(2, 60, "1.1.1.1"), login(3, 1000, "1.1.1.1"), login(4, 1060, "1.1.1.1"),
		login(5, 4000, "1.1.1.1"), login(6, 4060, "1.1.1.1"), login(7, 1000, "2.2.2.2"), login(8, 1060, "2.2.2.2"),
	}
	m := compileMulti(t, fmt.Sprintf(src, "1h"))
	checkMulti(t, m, evs, []string{
		`ip=1.1.1.1 [0,300] events=1,2 `,
		`ip=1.1.1.1 [4000,4300] events=5,6 `,
		`ip=2.2.2.2 [1000,1300] events=7,8 `,
	})
	// Not longer than the match window: refused, as SecOps refuses it.
	rules, err := ParseFileOptions("t.yaral", []byte(fmt.Sprintf(src, "5m")), Options{MultiEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CompileMulti(rules[0], 0, 0); err == nil || !strings.Contains(err.Error(), "suppression_window 5m must be longer than the match window 5m") {
		t.Errorf("suppression_window 5m over a 5m window: %v", err)
	}
}

// TestWindowKeywordsRefused: window_start and window_end are not
// allowed in events: (Google's windowing page: only condition, order
// and outcome), and a single-event rule has no window for them; "by"
// takes no pivot.
func TestWindowKeywordsRefused(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"events", `rule r {
  events:
    $e.metadata.event_timestamp.seconds > window_start
  match:
    $e.principal.ip by 1h
  condition:
    $e
}`, "3:43: window_start is only allowed in condition: and outcome:"},
		{"single", `rule r {
  events:
    $e.metadata.event_type = "USER_LOGIN"
  outcome:
    $w = window_end
  condition:
    $e
}`, "5:10: window_end is the bound of a match window"},
		{"pivot", `rule r {
  events:
    $e.metadata.event_type = "USER_LOGIN"
    $u = $e.principal.user.userid
  match:
    $u by 1h after $e
  condition:
    $e
}`, `6:14: expected next section after match:, found "after"`},
	} {
		_, err := ParseFileOptions("t.yaral", []byte(tc.src), Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	// A single-event rule's suppression_window would need the hits
	// suppressed: refused as unsupported at the option.
	_, err := ParseFileOptions("t.yaral", []byte(`rule r {
  events:
    $e.metadata.event_type = "USER_LOGIN"
  outcome:
    $suppression_key = $e.principal.hostname
  condition:
    $e
  options:
    suppression_window = 5m
}`), Options{})
	var re *Error
	if !errors.As(err, &re) || !re.Unsupported || !strings.Contains(err.Error(), "9:5: suppression_window on a single-event rule") {
		t.Errorf("single-event suppression_window: err = %v, want an Unsupported error at 9:5", err)
	}
}
