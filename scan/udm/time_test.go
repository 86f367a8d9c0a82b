package udm

import (
	"testing"
	"time"
)

// TestIssue12Times: the forms real exports write event times in, each
// with its instant written by hand, and placeholders that are no time.
// Before issue 12 every form but RFC 3339 became 0001-01-01T00:00:00Z.
func TestIssue12Times(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got, ok := ParseTime(in)
		if want == "" {
			if ok {
				t.Errorf("ParseTime(%q) = %v, want no time", in, got)
			}
			return
		}
		w, err := time.Parse(time.RFC3339Nano, want)
		if err != nil {
			t.Fatal(err)
		}
		if !ok || !got.Equal(w) || got.Location() != time.UTC {
			t.Errorf("ParseTime(%q) = %v, %v; want %s", in, got, ok, want)
		}
		if gb, okb := ParseTimeBytes([]byte(in)); okb != ok || !gb.Equal(got) {
			t.Errorf("ParseTimeBytes(%q) = %v, %v; ParseTime says %v, %v", in, gb, okb, got, ok)
		}
	}
	// CloudTrail delivery files.
	f("2024-08-01T12:19:17Z", "2024-08-01T12:19:17Z")
	// CloudTrail Lake and Athena exports: a space, nine digits, no zone.
	f("2025-01-13 19:58:59.000000000", "2025-01-13T19:58:59Z")
	f("2025-01-13 19:58:59.123", "2025-01-13T19:58:59.123Z")
	f("2025-01-13 19:58:59", "2025-01-13T19:58:59Z")
	f("2025-01-13 19:58:59.1", "2025-01-13T19:58:59.1Z")
	f("2025-01-13 19:58:59Z", "2025-01-13T19:58:59Z")
	// Azure: seven fraction digits.
	f("2019-01-14T19:31:53.6431339Z", "2019-01-14T19:31:53.6431339Z")
	f("2019-01-14T19:31:53.6431339", "2019-01-14T19:31:53.6431339Z")
	f("2020-06-12T13:07:46.766Z", "2020-06-12T13:07:46.766Z")
	f("2019-01-14t19:31:53z", "2019-01-14T19:31:53Z")
	// Offsets.
	f("2024-01-01T01:30:00+01:30", "2024-01-01T00:00:00Z")
	f("2023-12-31T23:00:00-01:00", "2024-01-01T00:00:00Z")
	f("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z")
	// Not times.
	for _, bad := range []string{
		"", "redacted", "REDACTED", "null", "0", "1700000000",
		"2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
		"2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01T00:00:60Z",
		"2024-01-01T00:00:00.Z", "2024-01-01T00:00:00.1234567890Z",
		" 2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z ", "2024-01-01T00:00:00 UTC",
		"2024-01-01_00:00:00", "2024/01/01 00:00:00", "2024-01-01T00:00:00+0100",
		"2024-01-01T00:00:00+24:00", "+024-01-01T00:00:00Z", "2024-1-01T00:00:00Z",
	} {
		f(bad, "")
	}
}

// TestIssue12TimeMapped: metadata.event_timestamp is the time read, in
// RFC 3339 UTC; a record without one maps with no event_timestamp.
func TestIssue12TimeMapped(t *testing.T) {
	f := func(rec, want string) {
		t.Helper()
		ev, err := Map([]byte(rec))
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.First("metadata.event_timestamp"); got != want {
			t.Errorf("%s: event_timestamp %q, want %q", rec, got, want)
		}
	}
	f(`{"eventVersion":"1.08","eventTime":"2025-01-13 19:58:59.000000000"}`, "2025-01-13T19:58:59Z")
	f(`{"eventVersion":"1.08","eventTime":"redacted"}`, "")
	f(`{"eventVersion":"1.08"}`, "")
	f(`{"resourceId":"/subscriptions/1","time":"2019-01-14T19:31:53.6431339Z"}`, "2019-01-14T19:31:53.6431339Z")
	f(`{"resourceId":"/subscriptions/1","eventTimestamp":"2019-01-14T19:31:53.64Z"}`, "2019-01-14T19:31:53.64Z")
}

// TestIssue12AKSAuditIsNotActivity: an AKS kube-audit record, in the
// shape of Microsoft's "AKS resource logs" reference (a diagnostic
// setting's export: category kube-audit, properties.log holding the
// Kubernetes audit event as a string), written by hand, is refused as
// an unsupported log type, never mapped as AZURE_ACTIVITY.
func TestIssue12AKSAuditIsNotActivity(t *testing.T) {
	rec := `{"operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read","category":"kube-audit","ResourceId":"/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS1","properties":{"log":"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"Metadata\",\"verb\":\"get\",\"requestURI\":\"/api/v1/namespaces/default/secrets\"}","stream":"stdout","pod":"kube-apiserver-5f7c9d7b8-abcde"},"time":"2024-03-01T10:00:00.0000000Z","Cloud":"AzureCloud","Environment":"prod"}`
	if _, err := Map([]byte(rec)); err != ErrUnsupported {
		t.Fatalf("kube-audit record: err %v, want ErrUnsupported", err)
	}
	for _, c := range []string{"Administrative", "administrative", "Write", "Action", "Policy"} {
		act := `{"operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE","category":"` + c + `","resourceId":"/SUBSCRIPTIONS/1","time":"2024-03-01T10:00:00Z"}`
		if ev, err := Map([]byte(act)); err != nil || ev.Type != AzureActivity {
			t.Errorf("category %s: %v", c, err)
		}
	}
}
