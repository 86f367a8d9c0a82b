package rule

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/window"
)

// TestMultiVariableWithoutTheKey: an event variable that assigns no
// match variable, joined to the one that does through another
// placeholder (Google's adfs_dkm_key_access: the object access's
// SubjectLogonId is the login's TargetLogonId; the login gives the
// host). By hand, 5m windows per host:
//   - object access 0x1 at 1000; logins with TargetLogonId 0x1 on H1 at
//     1100 and on H2 at 1150: two detections, [1000,1300] of records
//     1,2 (H1) and 1,3 (H2).
//   - object access 0x2 at 1200: no login of 0x2: none.
//   - login 0x1 on H1 at 2000: 1000s after the access: none.
//   - login 0x3 on H1 at 4800, object access 0x3 at 5000: a detection
//     [4800,5100] of records 7,6 (time order).
func TestMultiVariableWithoutTheKey(t *testing.T) {
	m := compileMulti(t, `rule dkm_key_access {
  meta:
    author = "t"
  events:
    $object.metadata.product_event_type = "4662"
    $object.principal.labels["SubjectLogonId"] = $subject
    $login.metadata.product_event_type = "4624"
    $login.target.labels["TargetLogonId"] = $subject
    $login.principal.hostname = $hostname
  match:
    $hostname over 5m
  outcome:
    $pids = array_distinct($object.principal.process.pid)
  condition:
    $object and $login
}`)
	object := func(rec, secs int64, subject, pid string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "4662", `principal.labels["SubjectLogonId"]`: subject, "principal.process.pid": pid}}
	}
	login := func(rec, secs int64, target, host string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "4624", `target.labels["TargetLogonId"]`: target, "principal.hostname": host}}
	}
	evs := []planted{
		object(1, 1000, "0x1", "11"), login(2, 1100, "0x1", "H1"), login(3, 1150, "0x1", "H2"),
		object(4, 1200, "0x2", "44"), login(5, 2000, "0x1", "H1"),
		object(6, 5000, "0x3", "66"), login(7, 4800, "0x3", "H1"),
	}
	checkMulti(t, m, evs, []string{
		`hostname=H1 [1000,1300] events=1,2 pids=["11"]`,
		`hostname=H2 [1000,1300] events=1,3 pids=["11"]`,
		`hostname=H1 [4800,5100] events=7,6 pids=["66"]`,
	})
}

// TestMultiKeyAcrossVariables: no event variable assigns the whole
// match key (Google's gcp_unauthorized_gke_pod_token_endpoint_usage:
// $app_token gives the trace and the token, $comp_token the token and
// the computer): the key is completed from the events that join. Here
// $x gives $a, $y gives $b, and they join on $j. By hand, 5m windows:
//   - x (a=A, j=J1) at 0, y (b=B, j=J1) at 60 and y (b=C, j=J1) at 100:
//     two detections, a=A,b=B of records 1,2 and a=A,b=C of 1,3.
//   - y (b=B, j=J1) at 1000: no x within 5m: none.
//   - x (a=A, j=J2) at 0: no y of J2: none.
//   - y (b=D, j=J3) at 0 alone, x (a=E, j=J3) at 600: 10m apart: none.
func TestMultiKeyAcrossVariables(t *testing.T) {
	m := compileMulti(t, `rule key_across_variables {
  meta:
    author = "t"
  events:
    $x.metadata.product_event_type = "X"
    $x.principal.hostname = $a
    $x.about.labels["trace"] = $j
    $y.metadata.product_event_type = "Y"
    $y.target.hostname = $b
    $y.about.labels["trace"] = $j
  match:
    $a, $b over 5m
  condition:
    $x and $y
}`)
	x := func(rec, secs int64, a, j string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "X", "principal.hostname": a, `about.labels["trace"]`: j}}
	}
	y := func(rec, secs int64, b, j string) planted {
		return planted{rec, secs, map[string]string{"metadata.product_event_type": "Y", "target.hostname": b, `about.labels["trace"]`: j}}
	}
	evs := []planted{
		x(1, 0, "A", "J1"), y(2, 60, "B", "J1"), y(3, 100, "C", "J1"), y(4, 1000, "B", "J1"),
		x(5, 0, "A", "J2"), y(6, 0, "D", "J3"), x(7, 600, "E", "J3"),
	}
	checkMulti(t, m, evs, []string{
		`a=A,b=B [0,300] events=1,2 `,
		`a=A,b=C [0,300] events=1,3 `,
	})
}

// TestMultiKeyChainWithoutGroup: no value is shared by all four event
// variables (Google's gcp_unauthorized_gke_pod_token_endpoint_usage
// shape: $app gives trace and token, $k8 the trace, $comp token and
// computer, $enrich the computer), so the candidates form one group and
// keys are completed from candidates that agree on a match variable.
// By hand, 1h windows, all four needed:
//   - app (T1, K1) at 0, k8 (T1) at 60, comp (K1, C1) at 120, enrich
//     (C1) at 180: a detection T1,K1,C1 of records 1-4.
//   - app (T2, K2) at 0, k8 (T2) at 10, enrich (C2) at 20 and comp
//     (K3, C2) at 30: no comp of K2, so no key T2,K2,C2 has all four.
//
// A rule whose variables share nothing at all is refused.
func TestMultiKeyChainWithoutGroup(t *testing.T) {
	m := compileMulti(t, `rule token_chain {
  meta:
    author = "t"
  events:
    $app.metadata.product_event_type = "app"
    $trace = $app.about.labels["traceId"]
    $token = $app.about.labels["Authorization"]
    $k8.metadata.product_event_type = "k8"
    $trace = $k8.about.labels["traceId"]
    $comp.metadata.product_event_type = "comp"
    $token = $comp.target.process.command_line
    $computer = $comp.principal.hostname
    $enrich.metadata.product_event_type = "enrich"
    $computer = $enrich.principal.hostname
  match:
    $trace, $token, $computer over 1h
  condition:
    $app and $k8 and $comp and $enrich
}`)
	ev := func(rec, secs int64, kind string, f map[string]string) planted {
		f["metadata.product_event_type"] = kind
		return planted{rec, secs, f}
	}
	evs := []planted{
		ev(1, 0, "app", map[string]string{`about.labels["traceId"]`: "T1", `about.labels["Authorization"]`: "K1"}),
		ev(2, 60, "k8", map[string]string{`about.labels["traceId"]`: "T1"}),
		ev(3, 120, "comp", map[string]string{"target.process.command_line": "K1", "principal.hostname": "C1"}),
		ev(4, 180, "enrich", map[string]string{"principal.hostname": "C1"}),
		ev(5, 0, "app", map[string]string{`about.labels["traceId"]`: "T2", `about.labels["Authorization"]`: "K2"}),
		ev(6, 10, "k8", map[string]string{`about.labels["traceId"]`: "T2"}),
		ev(7, 20, "enrich", map[string]string{"principal.hostname": "C2"}),
		ev(8, 30, "comp", map[string]string{"target.process.command_line": "K3", "principal.hostname": "C2"}),
	}
	checkMulti(t, m, evs, []string{`trace=T1,token=K1,computer=C1 [0,3600] events=1,2,3,4 `})

	rules, err := ParseFileOptions("t.yaral", []byte(`rule cross {
  events:
    $x.metadata.product_event_type = "X"
    $a = $x.principal.hostname
    $y.metadata.product_event_type = "Y"
    $b = $y.target.hostname
  match:
    $a, $b over 5m
  condition:
    $x and $y
}`), Options{MultiEvent: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := CompileMulti(rules[0], 0, 0); !errors.Is(err, ErrMulti) || !strings.Contains(err.Error(), "cross product") {
		t.Errorf("a rule whose variables share nothing: %v, want ErrMulti naming the cross product", err)
	}
}

// TestMultiPartialKeyOracle checks the completion of keys against a
// brute force on random events of the dkm_key_access shape, for each
// window kind: the oracle
// gives every object access (which assigns no host) to every host that
// any login of its subject has, anywhere in time, as a candidate of
// that (subject, host) stream, and cuts those streams with the plain
// grouper of the window kind; the engine must make the same detections from the
// partial keys, grouped by subject and completed within one window
// length.
func TestMultiPartialKeyOracle(t *testing.T) {
	for _, win := range []string{"over 5m", "over 5m after $login", "over 5m before $object", "by 5m"} {
		t.Run(win, func(t *testing.T) { partialKeyOracle(t, win) })
	}
}

func partialKeyOracle(t *testing.T, win string) {
	m := compileMulti(t, `rule dkm_key_access {
  events:
    $object.metadata.product_event_type = "4662"
    $object.principal.labels["SubjectLogonId"] = $subject
    $login.metadata.product_event_type = "4624"
    $login.target.labels["TargetLogonId"] = $subject
    $login.principal.hostname = $hostname
  match:
    $hostname `+win+`
  outcome:
    $n = count($object.metadata.id)
  condition:
    $object and #login >= 1
}`)
	total := 0
	for seed := uint64(1); seed <= 30; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		var evs []planted
		for i := range 40 {
			subj := fmt.Sprint("s", rng.IntN(3))
			secs := int64(rng.IntN(2000))
			if rng.IntN(2) == 0 {
				evs = append(evs, planted{int64(i), secs, map[string]string{"metadata.product_event_type": "4662", `principal.labels["SubjectLogonId"]`: subj, "metadata.id": fmt.Sprint(i)}})
			} else {
				evs = append(evs, planted{int64(i), secs, map[string]string{"metadata.product_event_type": "4624", `target.labels["TargetLogonId"]`: subj, "principal.hostname": fmt.Sprint("h", rng.IntN(3))}})
			}
		}
		// The oracle's streams.
		hosts := map[string]map[string]bool{} // subject -> hosts of its logins
		for _, p := range evs {
			if h := p.fields["principal.hostname"]; h != "" {
				s := p.fields[`target.labels["TargetLogonId"]`]
				if hosts[s] == nil {
					hosts[s] = map[string]bool{}
				}
				hosts[s][h] = true
			}
		}
		st := window.NewStore(t.TempDir(), 0)
		for _, p := range evs {
			checkCandidates(t, m, p.event(), "s", p.rec)
			err := m.Candidates(p.event(), "s", p.rec, func(c window.Candidate) error {
				k, known, _ := window.DecodeKey(c.Values[0])
				if known[0] {
					c.Key = []string{c.Key[0], k[0]}
					return st.Add(c)
				}
				for h := range hosts[c.Key[0]] {
					cc := c
					cc.Key = []string{c.Key[0], h}
					if err := st.Add(cc); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		plain := m.Spec()
		plain.SubKey = false
		var want []string
		err := window.Detect(st, func(string) (window.Spec, bool) { return plain, true }, func(w *window.Window) error {
			w.Key = w.Key[1:]
			if d, ok := m.Evaluate(w); ok {
				var recs []string
				for _, e := range d.Events {
					recs = append(recs, strconv.FormatInt(e.Record, 10))
				}
				want = append(want, fmt.Sprintf("hostname=%s [%d,%d] events=%s n=%s", d.Match[0].Value.String(), d.Start/1e9, d.End/1e9, strings.Join(recs, ","), d.Outcomes[0].Value.AppendJSON(nil)))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(want)
		total += len(want)
		if got := runMulti(t, m, evs, 1<<30); !slices.Equal(got, want) {
			t.Errorf("seed %d: detections\ngot  %q\nwant %q", seed, got, want)
		}
	}
	if total < 20 {
		t.Errorf("%d detections over 30 corpora: the oracle tests little", total)
	}
	t.Logf("%d detections over 30 corpora", total)
}
