package scan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// golden is one line of testdata/real/golden.jsonl: the hit columns and
// UDM fields expected of a real record, written by hand from the record.
type golden struct {
	Rec            string              `json:"rec"`
	Error          string              `json:"error"`
	LogType        string              `json:"log_type"`
	AccountID      string              `json:"account_id"`
	Region         string              `json:"region"`
	PrincipalUser  string              `json:"principal_user"`
	PrincipalIP    string              `json:"principal_ip"`
	UserAgent      string              `json:"user_agent"`
	EventSource    string              `json:"event_source"`
	EventName      string              `json:"event_name"`
	TargetResource string              `json:"target_resource"`
	Result         string              `json:"result"`
	ResultDetail   string              `json:"result_detail"`
	EventID        string              `json:"event_id"`
	EventTime      string              `json:"event_time"`
	UDM            map[string][]string `json:"udm"`
	Comment        string              `json:"comment"`
	Note           string              `json:"note"`
}

// goldenRecord reads the record a golden line names: "file:line" under
// testdata, line 0 being the whole file.
func goldenRecord(t *testing.T, rec string) []byte {
	t.Helper()
	i := strings.LastIndexByte(rec, ':')
	n, err := strconv.Atoi(rec[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("golden rec %q is not file:line", rec)
	}
	b, err := os.ReadFile(filepath.Join("../testdata", rec[:i]))
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		return b
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for k := 1; sc.Scan(); k++ {
		if k == n {
			return append([]byte(nil), sc.Bytes()...)
		}
	}
	t.Fatalf("%s has no line %d", rec[:i], n)
	return nil
}

// TestGoldenRealRecords maps every real record of the golden file and
// compares the hit columns and UDM fields with the values written by
// hand from the raw records (testdata/real/golden.jsonl), and checks the
// corpus covers every userIdentity type and the Azure categories.
func TestGoldenRealRecords(t *testing.T) {
	f, err := os.Open("../testdata/real/golden.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	mapped := 0
	identities := map[string]bool{}
	categories := map[string]bool{}
	for sc.Scan() {
		var g golden
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			t.Fatalf("golden line %q: %v", sc.Text(), err)
		}
		if g.Rec == "" {
			continue // the header
		}
		raw := goldenRecord(t, g.Rec)
		ev, err := udm.Map(raw)
		if g.Error != "" {
			if got := skipReason(err); err == nil || !strings.Contains(got, g.Error) {
				t.Errorf("%s: error %v (%q), want %q", g.Rec, err, got, g.Error)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", g.Rec, err)
			continue
		}
		mapped++
		when, ok := eventTime(ev)
		if !ok {
			t.Errorf("%s: no event time", g.Rec)
		}
		h := (&Rule{Name: "golden"}).hit(ev, when, raw, "", "", 0)
		for _, c := range []struct{ name, got, want string }{
			{"log_type", h.LogType, g.LogType},
			{"account_id", h.AccountID, g.AccountID},
			{"region", h.Region, g.Region},
			{"principal_user", h.PrincipalUser, g.PrincipalUser},
			{"principal_ip", h.PrincipalIP, g.PrincipalIP},
			{"user_agent", h.UserAgent, g.UserAgent},
			{"event_source", h.EventSource, g.EventSource},
			{"event_name", h.EventName, g.EventName},
			{"target_resource", h.TargetResource, g.TargetResource},
			{"result", h.Result, g.Result},
			{"result_detail", h.ResultDetail, g.ResultDetail},
			{"event_id", h.EventID, g.EventID},
			{"event_time", h.EventTime.Format(time.RFC3339Nano), g.EventTime},
		} {
			if c.got != c.want {
				t.Errorf("%s: %s = %q, want %q", g.Rec, c.name, c.got, c.want)
			}
		}
		for k, want := range g.UDM {
			if got := ev.Values(k); !slices.Equal(got, want) {
				t.Errorf("%s: %s = %q, want %q", g.Rec, k, got, want)
			}
		}
		if v := ev.First("principal.resource.type"); v != "" {
			identities[v] = true
		}
		if v := ev.First("security_result.category_details"); v != "" {
			categories[v] = true
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if mapped < 90 {
		t.Errorf("%d mapped records in the golden file, want at least 90", mapped)
	}
	for _, id := range []string{"IAMUser", "AssumedRole", "Root", "AWSService", "AWSAccount", "FederatedUser", "SAMLUser", "WebIdentityUser", "IdentityCenterUser", "Unknown"} {
		if !identities[id] {
			t.Errorf("no golden record of userIdentity type %s", id)
		}
	}
	for _, c := range []string{"Administrative", "Security", "ServiceHealth", "Alert", "Autoscale", "Recommendation", "ResourceHealth", "Action"} {
		if !categories[c] {
			t.Errorf("no golden record of Azure category %s", c)
		}
	}
}
