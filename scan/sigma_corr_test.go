package scan

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/sigma"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// ctRecord is a CloudTrail record of user (an IAMUser of account
// 111122223333) calling name on source at the given time.
func ctRecord(at, source, name, ip, user, extra string) string {
	return fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111122223333","arn":"arn:aws:iam::111122223333:user/%s","userName":%q},"eventTime":%q,"eventSource":%q,"eventName":%q,"awsRegion":"us-east-1","sourceIPAddress":%q,"eventID":"%s-%s-%s"%s}`,
		user, user, at, source, name, ip, user, name, at, extra)
}

func failedLogin(at, ip string) string {
	return ctRecord("2024-03-01T"+at+"Z", "signin.amazonaws.com", "ConsoleLogin", ip, "alice", `,"responseElements":{"ConsoleLogin":"Failure"}`)
}

func iamCall(at, name, user string) string {
	return ctRecord("2024-03-01T"+at+"Z", "iam.amazonaws.com", name, "198.51.100.20", user, "")
}

// correlationArchive plants the records of TestSigmaCorrelations in two
// CloudTrail objects of 2024-03-01 (returns the archive's root).
func correlationArchive(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	put := func(name string, recs ...string) {
		p := filepath.Join(root, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(`{"Records":[`+strings.Join(recs, ",")+`]}`), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const a, b, c = "198.51.100.7", "203.0.113.9", "192.0.2.44"
	put("111122223333_CloudTrail_us-east-1_20240301T0000Z_a.json",
		// event_count: a fails five times in [00:00, 00:10] (a success
		// at 00:05 is no failure); b four times; c five times, but
		// no ten minutes hold more than four of them.
		failedLogin("00:00:00", a), failedLogin("00:02:00", a), failedLogin("00:04:00", a),
		ctRecord("2024-03-01T00:05:00Z", "signin.amazonaws.com", "ConsoleLogin", a, "alice", `,"responseElements":{"ConsoleLogin":"Success"}`),
		failedLogin("00:06:00", a), failedLogin("00:08:00", a),
		failedLogin("00:00:00", b), failedLogin("00:01:00", b), failedLogin("00:02:00", b), failedLogin("00:03:00", b),
		failedLogin("01:00:00", c), failedLogin("01:03:00", c), failedLogin("01:06:00", c), failedLogin("01:09:00", c), failedLogin("01:12:00", c))
	put("111122223333_CloudTrail_us-east-1_20240301T0200Z_b.json",
		// value_count: carol calls ListUsers, ListRoles, ListUsers,
		// GetUser within the hour (3 distinct names); dave three calls
		// of 2 distinct names. DeleteUser is no read call.
		iamCall("02:00:00", "ListUsers", "carol"), iamCall("02:10:00", "ListRoles", "carol"),
		iamCall("02:20:00", "ListUsers", "carol"), iamCall("02:30:00", "GetUser", "carol"),
		iamCall("02:00:00", "ListUsers", "dave"), iamCall("02:05:00", "ListUsers", "dave"),
		iamCall("02:10:00", "ListRoles", "dave"), iamCall("02:15:00", "DeleteUser", "dave"),
		// temporal_ordered: eve creates then attaches 10 minutes later;
		// mallory attaches then creates (wrong order); trent creates
		// and attaches 20 minutes later (outside 15m).
		iamCall("03:00:00", "CreateUser", "eve"), iamCall("03:10:00", "AttachUserPolicy", "eve"),
		iamCall("03:00:00", "AttachUserPolicy", "mallory"), iamCall("03:05:00", "CreateUser", "mallory"),
		iamCall("04:00:00", "CreateUser", "trent"), iamCall("04:20:00", "AttachUserPolicy", "trent"))
	return root
}

// correlationRules loads testdata/sigma/correlation as scan.Run takes
// it: the correlations as multi-event rules.
func correlationRules(t *testing.T) []*MultiRule {
	t.Helper()
	dir := "../testdata/sigma/correlation"
	names, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var all, corrs []*sigma.Rule
	for _, n := range names {
		src, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := sigma.ParseFile(n, src, sigma.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			all = append(all, r)
			if r.Correlation != nil {
				corrs = append(corrs, r)
			}
		}
	}
	if errs := sigma.Resolve(corrs, all); errs != nil {
		t.Fatal(errs)
	}
	var out []*MultiRule
	for _, c := range corrs {
		m, err := NewSigmaCorrelation(c, "test")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// wantCorrelations are TestSigmaCorrelations' detection rows, by hand
// (see correlationArchive): rule, match, window, event times, events'
// var, truncated.
type corrRow struct {
	rule, match   string
	start, end    string
	times         []string
	vars          []string
	truncated     bool
	severity, tag string
}

var wantCorrelations = []corrRow{
	{"Console brute force from one address", `{"sourceIPAddress":"198.51.100.7"}`, "00:00:00", "00:10:00",
		[]string{"00:00:00", "00:02:00", "00:04:00", "00:06:00", "00:08:00"}, []string{"failed_console_login"},
		true, "HIGH", "T1110"}, // the scan starts less than 10m before
	{"IAM enumeration by one user", `{"userIdentity.userName":"carol"}`, "02:00:00", "03:00:00",
		[]string{"02:00:00", "02:10:00", "02:20:00", "02:30:00"}, []string{"iam_read_call"}, false, "MEDIUM", "T1087.004"},
	{"User created then given a policy by one principal", `{"userIdentity.arn":"arn:aws:iam::111122223333:user/eve"}`, "03:00:00", "03:15:00",
		[]string{"03:00:00", "03:10:00"}, []string{"9c8b7a60-0000-4000-8000-0000000000c1", "9c8b7a60-0000-4000-8000-0000000000c2"}, false, "HIGH", "T1136.003"},
}

// checkCorrelationRows compares detection rows with wantCorrelations.
func checkCorrelationRows(t *testing.T, label string, dets []output.Hit) {
	t.Helper()
	slices.SortFunc(dets, func(a, b output.Hit) int { return a.EventTime.Compare(b.EventTime) })
	if len(dets) != len(wantCorrelations) {
		for _, d := range dets {
			t.Logf("%s: %s %s %s", label, d.RuleName, d.Match, d.Events)
		}
		t.Fatalf("%s: %d detections, want %d", label, len(dets), len(wantCorrelations))
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(s string) time.Time {
		d, err := time.Parse("15:04:05", s)
		if err != nil {
			t.Fatal(err)
		}
		return day.Add(time.Duration(d.Hour())*time.Hour + time.Duration(d.Minute())*time.Minute)
	}
	for i, w := range wantCorrelations {
		d := dets[i]
		var events []struct {
			Var       string `json:"var"`
			SourceURI string `json:"source_uri"`
			EventTime string `json:"event_time"`
		}
		if err := json.Unmarshal([]byte(d.Events), &events); err != nil {
			t.Fatal(err)
		}
		var times, vars []string
		for _, e := range events {
			times = append(times, e.EventTime[11:19])
			if !slices.Contains(vars, e.Var) {
				vars = append(vars, e.Var)
			}
			if !strings.HasSuffix(e.SourceURI, ".json") {
				t.Errorf("%s: event %+v", label, e)
			}
		}
		switch {
		case d.RuleName != w.rule || d.RowKind != "detection" || d.Severity != w.severity || d.Technique != w.tag:
			t.Errorf("%s: row %d: %s %s %s %s", label, i, d.RuleName, d.RowKind, d.Severity, d.Technique)
		case d.Match != w.match:
			t.Errorf("%s: %s: match %s, want %s", label, w.rule, d.Match, w.match)
		case !d.WindowStart.Equal(at(w.start)) || !d.WindowEnd.Equal(at(w.end)):
			t.Errorf("%s: %s: window %v - %v", label, w.rule, d.WindowStart, d.WindowEnd)
		case *d.EventCount != int64(len(w.times)) || !slices.Equal(times, w.times) || !slices.Equal(vars, w.vars):
			t.Errorf("%s: %s: event_count %d, events at %v of %v; want %v of %v", label, w.rule, *d.EventCount, times, vars, w.times, w.vars)
		case *d.WindowTruncated != w.truncated:
			t.Errorf("%s: %s: truncated %v", label, w.rule, *d.WindowTruncated)
		}
	}
}

// TestSigmaCorrelations: the three correlation rules of
// testdata/sigma/correlation through scan.Run on the fast and the
// reference path: one detection each, the near-misses (four events,
// events further apart than the timespan, two distinct values, the
// wrong order) none.
func TestSigmaCorrelations(t *testing.T) {
	src, err := local.New(correlationArchive(t))
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, reference := range []bool{false, true} {
		var c collect
		cfg := Config{Multi: correlationRules(t), Reference: reference, Workers: 2,
			Window:       sources.Window{Since: day, Until: day.Add(24 * time.Hour)},
			CandidateDir: t.TempDir(), Limits: decode.Limits{MaxRecordBytes: 1 << 20, MaxDepth: 64}}
		sum, err := Run(context.Background(), cfg, []Target{{Source: src}}, &c)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Detections != 3 || sum.Hits != 0 {
			t.Errorf("reference=%v: summary %d detections, %d hits", reference, sum.Detections, sum.Hits)
		}
		checkCorrelationRows(t, fmt.Sprintf("reference=%v", reference), c.hits)
	}
}
