package gen

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// memSink keeps every object in memory.
type memSink struct {
	mu   sync.Mutex
	objs map[string][]byte
}

func newMemSink() *memSink { return &memSink{objs: map[string][]byte{}} }

func (m *memSink) Put(key string, body []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.objs[key]; dup {
		return fmt.Errorf("duplicate key %s", key)
	}
	m.objs[key] = bytes.Clone(body)
	return nil
}

// smallConfig is the demo corpus of `gencorpus -size small`.
func smallConfig() Config {
	cfg, _ := Preset("small")
	cfg.Seed = 1
	return cfg
}

func generate(t *testing.T, cfg Config) (*memSink, Stats, []Truth) {
	t.Helper()
	sink := newMemSink()
	st, truth, err := Generate(cfg, sink)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return sink, st, truth
}

var (
	ctKeyRe = regexp.MustCompile(`^AWSLogs/(?:o-[a-z0-9]{10,32}/)?(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$`)
	ctSibRe = regexp.MustCompile(`^AWSLogs/(?:o-[a-z0-9]{10,32}/)?(\d{12})/(CloudTrail-Digest|CloudTrail-Insight)/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_(CloudTrail-Digest|CloudTrail-Insight)_[A-Za-z0-9_-]+\.json\.gz$`)
	azKeyRe = regexp.MustCompile(`^insights-activity-logs/resourceId=/SUBSCRIPTIONS/([0-9A-F-]{36})/y=(\d{4})/m=(\d{2})/d=(\d{2})/h=(\d{2})/m=00/PT1H\.json$`)
)

func gunzip(t *testing.T, key string, body []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: gzip: %v", key, err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: gunzip: %v", key, err)
	}
	return out
}

// azureRecords splits an Azure blob into records, checking the framing:
// JSON Lines with "\n" after each record, or the legacy envelope.
func azureRecords(t *testing.T, key string, body []byte) (recs []json.RawMessage, legacy bool) {
	t.Helper()
	if len(body) > 1 && body[0] == 0x1f && body[1] == 0x8b {
		body = gunzip(t, key, body)
	}
	if bytes.HasPrefix(body, []byte(`{"records":`)) {
		var env struct{ Records []json.RawMessage }
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("%s: legacy envelope: %v", key, err)
		}
		return env.Records, true
	}
	if len(body) == 0 || body[len(body)-1] != '\n' {
		t.Fatalf("%s: JSON Lines body does not end in a newline", key)
	}
	for i, line := range bytes.Split(body[:len(body)-1], []byte{'\n'}) {
		if !json.Valid(line) {
			t.Fatalf("%s: line %d is not valid JSON: %.200s", key, i, line)
		}
		recs = append(recs, json.RawMessage(line))
	}
	return recs, false
}

func ctRecords(t *testing.T, key string, body []byte) []json.RawMessage {
	t.Helper()
	var env struct{ Records []json.RawMessage }
	raw := gunzip(t, key, body)
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if !bytes.HasPrefix(raw, []byte(`{"Records":[`)) {
		t.Fatalf("%s: body does not start with {\"Records\":[", key)
	}
	return env.Records
}

func TestDeterministic(t *testing.T) {
	digest := func(cfg Config) ([32]byte, int) {
		sink, _, truth := generate(t, cfg)
		keys := make([]string, 0, len(sink.objs))
		for k := range sink.objs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		h := sha256.New()
		for _, k := range keys {
			fmt.Fprintf(h, "%s\x00%d\x00", k, len(sink.objs[k]))
			h.Write(sink.objs[k])
		}
		if err := WriteTruth(h, truth); err != nil {
			t.Fatal(err)
		}
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		return sum, len(keys)
	}
	cfg := smallConfig()
	cfg.AzureLegacyEnvelope = true
	a, n := digest(cfg)
	cfg.Workers = 1 // a different schedule must not change a byte
	b, _ := digest(cfg)
	if a != b || n == 0 {
		t.Fatalf("two runs differ: %x vs %x (%d objects)", a, b, n)
	}
	cfg.Seed++
	if c, _ := digest(cfg); c == a {
		t.Fatal("another seed gave the same corpus")
	}
}

func TestObjectsDecodeAndKeysParse(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"small", smallConfig()},
		{"org-legacy-gzip", Config{Seed: 7, Days: 1, FilesPerDay: 4, RecordsPerFile: 30, OrgID: "o-a1b2c3d4e5",
			AzureLegacyEnvelope: true, AzureGzip: true, AzureRecordsPerHour: 10,
			Start: time.Date(2018, 10, 31, 22, 0, 0, 0, time.UTC)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink, st, _ := generate(t, tc.cfg)
			var records int64
			var stored, raw int64
			var legacyBlobs, siblings int
			for key, body := range sink.objs {
				stored += int64(len(body))
				switch {
				case ctKeyRe.MatchString(key):
					m := ctKeyRe.FindStringSubmatch(key)
					if m[1] != m[6] || m[2] != m[7] || m[3]+m[4]+m[5] != m[8][:8] {
						t.Errorf("%s: folder and file name disagree", key)
					}
					if (tc.cfg.OrgID != "") != strings.HasPrefix(key, "AWSLogs/o-") {
						t.Errorf("%s: organization layout mismatch", key)
					}
					keyTime, err := time.Parse("20060102T1504Z", m[8])
					if err != nil {
						t.Fatalf("%s: %v", key, err)
					}
					recs := ctRecords(t, key, body)
					raw += int64(len(gunzip(t, key, body)))
					records += int64(len(recs))
					for i, rec := range recs {
						var r struct {
							EventTime string
							AWSRegion string
						}
						if err := json.Unmarshal(rec, &r); err != nil {
							t.Fatalf("%s[%d]: %v", key, i, err)
						}
						et, err := time.Parse(time.RFC3339, r.EventTime)
						if err != nil {
							t.Fatalf("%s[%d]: eventTime: %v", key, i, err)
						}
						if et.After(keyTime) || et.Before(keyTime.Add(-15*time.Minute)) {
							t.Errorf("%s[%d]: eventTime %s outside [key-15m, key]", key, i, et)
						}
						if r.AWSRegion != m[2] {
							t.Errorf("%s[%d]: awsRegion %q in a %s key", key, i, r.AWSRegion, m[2])
						}
					}
				case ctSibRe.MatchString(key):
					siblings++
					dec := gunzip(t, key, body)
					raw += int64(len(dec))
					if !json.Valid(dec) {
						t.Errorf("%s: sibling is not valid JSON", key)
					}
				case azKeyRe.MatchString(key):
					m := azKeyRe.FindStringSubmatch(key)
					hour, err := time.Parse("2006010215", m[2]+m[3]+m[4]+m[5])
					if err != nil {
						t.Fatalf("%s: %v", key, err)
					}
					recs, legacy := azureRecords(t, key, body)
					if legacy {
						legacyBlobs++
					} else if hour.Before(time.Date(2018, 11, 1, 0, 0, 0, 0, time.UTC)) {
						t.Errorf("%s: JSON Lines before 2018-11-01", key)
					}
					if tc.cfg.AzureGzip {
						raw += int64(len(gunzip(t, key, body)))
					} else {
						raw += int64(len(body))
					}
					records += int64(len(recs))
					for i, rec := range recs {
						var r struct{ Time string }
						if err := json.Unmarshal(rec, &r); err != nil {
							t.Fatalf("%s[%d]: %v", key, i, err)
						}
						if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`).MatchString(r.Time) {
							t.Errorf("%s[%d]: time %q lacks 7 fractional digits", key, i, r.Time)
						}
						rt, err := time.Parse(time.RFC3339Nano, r.Time)
						if err != nil || rt.Before(hour) || !rt.Before(hour.Add(time.Hour)) {
							t.Errorf("%s[%d]: time %s outside its hour (%v)", key, i, r.Time, err)
						}
					}
				default:
					t.Errorf("key %q matches no layout", key)
				}
			}
			if records != st.Records || stored != st.CompressedBytes || raw != st.DecompressedBytes || len(sink.objs) != st.Objects {
				t.Errorf("stats %+v disagree with objects: %d records, %d stored, %d raw, %d objects",
					st, records, stored, raw, len(sink.objs))
			}
			if siblings != st.SiblingObjects || siblings < 3 {
				t.Errorf("%d siblings, stats say %d", siblings, st.SiblingObjects)
			}
			if tc.cfg.AzureLegacyEnvelope && legacyBlobs == 0 {
				t.Error("no legacy Azure envelope written")
			}
		})
	}
}

// field decodes the record and returns a top-level string field.
func field(t *testing.T, rec json.RawMessage, name string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[name].(string)
	return s
}

func TestTruthPointsAtRecords(t *testing.T) {
	cfg := smallConfig()
	cfg.AzureLegacyEnvelope = true
	sink, st, truth := generate(t, cfg)
	if st.Positives != len(truth) || len(truth) == 0 {
		t.Fatalf("%d positives, %d truth entries", st.Positives, len(truth))
	}
	records := func(key string) []json.RawMessage {
		body, ok := sink.objs[key]
		if !ok {
			t.Fatalf("truth names missing object %s", key)
		}
		if strings.HasPrefix(key, "AWSLogs/") {
			return ctRecords(t, key, body)
		}
		recs, _ := azureRecords(t, key, body)
		return recs
	}
	escaped := 0
	for _, tr := range truth {
		recs := records(tr.Key)
		if tr.RecordIndex < 0 || tr.RecordIndex >= len(recs) {
			t.Fatalf("%+v: index out of range (%d records)", tr, len(recs))
		}
		rec := recs[tr.RecordIndex]
		switch tr.LogType {
		case logCloudTrail:
			var r struct {
				EventName    string
				EventID      string
				ErrorCode    string
				UserIdentity struct{ ARN string }
			}
			if err := json.Unmarshal(rec, &r); err != nil {
				t.Fatal(err)
			}
			r.UserIdentity.ARN = field(t, json.RawMessage(mustGet(t, rec, "userIdentity")), "arn")
			if r.EventName != tr.EventName || r.EventID != tr.EventID || r.UserIdentity.ARN != tr.Principal {
				t.Errorf("%+v: record has %s %s %s", tr, r.EventName, r.EventID, r.UserIdentity.ARN)
			}
			if (r.ErrorCode != "") != (tr.Result == "failure") {
				t.Errorf("%+v: errorCode %q", tr, r.ErrorCode)
			}
			if tr.Kind == KindEscaped {
				escaped++
				if !bytes.Contains(rec, []byte(`"eventName":"Start\u0053ession"`)) {
					t.Errorf("escaped positive is not escaped: %.300s", rec)
				}
			}
		case logAzure:
			var r struct {
				OperationName string
				CorrelationID string
				ResultType    string
				Identity      struct {
					Claims        map[string]string
					Authorization struct{ Evidence struct{ PrincipalID string } }
				}
			}
			if err := json.Unmarshal(rec, &r); err != nil {
				t.Fatal(err)
			}
			who := r.Identity.Claims["http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"]
			if who == "" {
				who = r.Identity.Authorization.Evidence.PrincipalID
			}
			want := map[string]string{"Start": "pending", "Accept": "pending", "Success": "success", "Failure": "failure"}[r.ResultType]
			if r.OperationName != tr.EventName || r.CorrelationID != tr.EventID || who != tr.Principal || want != tr.Result {
				t.Errorf("%+v: record has %s %s %s %s", tr, r.OperationName, r.CorrelationID, who, r.ResultType)
			}
		default:
			t.Errorf("%+v: unknown log type", tr)
		}
	}
	if escaped != 1 {
		t.Errorf("%d escaped positives, want 1", escaped)
	}
	// Decoys exist and are not positives.
	for _, d := range st.Decoys {
		if _, ok := sink.objs[d.Key]; !ok {
			t.Errorf("decoy in missing object %s", d.Key)
		}
	}
	if !bytesInAny(sink, t, `amazon-ssm-agent\/`) {
		t.Error("no record with \\/ escapes in its userAgent")
	}
}

func mustGet(t *testing.T, rec json.RawMessage, name string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(rec, &m); err != nil {
		t.Fatal(err)
	}
	return m[name]
}

func bytesInAny(sink *memSink, t *testing.T, s string) bool {
	for key, body := range sink.objs {
		if strings.HasSuffix(key, ".gz") {
			body = gunzip(t, key, body)
		}
		if bytes.Contains(body, []byte(s)) {
			return true
		}
	}
	return false
}

func TestSmallCoversEveryKind(t *testing.T) {
	_, st, truth := generate(t, smallConfig())
	seen := map[string]map[string]bool{}
	for _, tr := range truth {
		if seen[tr.Kind] == nil {
			seen[tr.Kind] = map[string]bool{}
		}
		seen[tr.Kind][tr.Result] = true
	}
	for _, k := range append(append([]string(nil), AWSKinds...), AzureKinds...) {
		if len(seen[k]) == 0 {
			t.Errorf("no positive of kind %s", k)
		}
	}
	for _, k := range []string{KindStartSession, KindAzVMRunCommand} {
		if !seen[k]["failure"] || !seen[k]["success"] {
			t.Errorf("kind %s lacks a success or a failure: %v", k, seen[k])
		}
	}
	if !seen[KindAzVMRunCommand]["pending"] {
		t.Error("no pending Azure record")
	}
	decoys := map[string]bool{}
	for _, d := range st.Decoys {
		decoys[d.Kind] = true
	}
	for _, k := range append(append([]string{"insight-names-startsession"}, awsDecoyKinds...), azDecoyKinds...) {
		if !decoys[k] {
			t.Errorf("no decoy of kind %s", k)
		}
	}
}

func TestNoiseShare(t *testing.T) {
	_, st, truth := generate(t, Config{Seed: 3, Days: 1})
	noise := 1 - float64(len(truth))/float64(st.Records)
	if noise < 0.99 {
		t.Errorf("noise share %.4f < 0.99 (%d positives in %d records)", noise, len(truth), st.Records)
	}
}

func TestNoiseMix(t *testing.T) {
	sink, _, _ := generate(t, Config{Seed: 5, Days: 1, FilesPerDay: 24, RecordsPerFile: 200, AzureRecordsPerHour: -1})
	counts := map[string]int{}
	total := 0
	for key, body := range sink.objs {
		if !ctKeyRe.MatchString(key) {
			continue
		}
		for _, rec := range ctRecords(t, key, body) {
			var r struct{ EventSource, EventName string }
			if err := json.Unmarshal(rec, &r); err != nil {
				t.Fatal(err)
			}
			svc := strings.TrimSuffix(r.EventSource, ".amazonaws.com")
			if r.EventName == "UpdateInstanceInformation" {
				svc = "heartbeat"
			}
			counts[svc]++
			total++
		}
	}
	for svc, want := range map[string]float64{"heartbeat": 0.40, "ssm": 0.15, "s3": 0.15, "sts": 0.10, "ec2": 0.10, "kms": 0.10} {
		got := float64(counts[svc]) / float64(total)
		if got < want-0.03 || got > want+0.03 {
			t.Errorf("%s share %.3f, want about %.2f", svc, got, want)
		}
	}
}

func TestDirSinkAndWriteTruth(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Seed: 2, Days: 1, FilesPerDay: 2, RecordsPerFile: 5, AzureRecordsPerHour: 5}
	st, truth, err := Generate(cfg, DirSink(dir))
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files++
		}
		return err
	})
	if err != nil || files != st.Objects {
		t.Fatalf("%d files on disk, %d objects (%v)", files, st.Objects, err)
	}
	var buf bytes.Buffer
	if err := WriteTruth(&buf, truth); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&buf)
	n := 0
	for sc.Scan() {
		var tr Truth
		if err := json.Unmarshal(sc.Bytes(), &tr); err != nil {
			t.Fatalf("line %d: %v", n, err)
		}
		if tr != truth[n] {
			t.Fatalf("line %d: %+v, want %+v", n, tr, truth[n])
		}
		n++
	}
	if n != len(truth) {
		t.Fatalf("%d lines, want %d", n, len(truth))
	}
	if err := DirSink(dir).Put("../escape", nil); err == nil {
		t.Error("DirSink accepted a key outside its root")
	}
}

func TestInvalidConfig(t *testing.T) {
	for _, cfg := range []Config{
		{AWSAccounts: []string{"12345"}},
		{OrgID: "org-1"},
		{Days: -1},
		{PositiveRate: 2},
		{Subscriptions: []string{"not-a-guid"}},
	} {
		if _, _, err := Generate(cfg, newMemSink()); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// TestTooSmallConfigFails is the regression test for a hang: a config with
// fewer CloudTrail records than planted kinds and decoys searched forever
// for a free record.
func TestTooSmallConfigFails(t *testing.T) {
	_, _, err := Generate(Config{Days: 1, FilesPerDay: 1, RecordsPerFile: 5, AzureRecordsPerHour: 20}, DirSink(t.TempDir()))
	if err == nil || !strings.Contains(err.Error(), "too small") {
		t.Fatalf("err %v, want a too-small config error", err)
	}
}
