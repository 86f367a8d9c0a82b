package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/decode"
)

// The envelopes of issue 12, item 5, written by hand from their
// documented formats around public sample records (testdata/samples):
//
//   - `aws cloudtrail lookup-events` (AWS CLI reference, lookup-events
//     output: Events[] with EventId, EventName, ReadOnly, EventTime,
//     EventSource, Username, Resources and CloudTrailEvent, the record
//     as a JSON string);
//   - CloudWatch Logs subscription data (CloudWatch Logs user guide,
//     "Using subscription filters": messageType, owner, logGroup,
//     logStream, subscriptionFilters, logEvents[] of id, timestamp and
//     message), gzipped, as Firehose writes it: several envelopes one
//     after another, and a CONTROL_MESSAGE among them;
//   - EventBridge events (EventBridge user guide, "AWS API Call via
//     CloudTrail": version, id, detail-type, source, account, time,
//     region, resources, detail = the record), one per line.
func envelopeRecords(t *testing.T) [][]byte {
	t.Helper()
	return compactSamples(t, "aws_ssm_SendCommand__stratus.json", "aws_ssm_StartSession__stratus.json", "aws_ec2-instance-connect_SendSSHPublicKey__stratus.json")
}

// compactSamples reads public samples (testdata/samples) compacted to
// one line each, ready to be laid out in any envelope.
func compactSamples(t *testing.T, names ...string) [][]byte {
	t.Helper()
	var recs [][]byte
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "samples", name))
		if err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, b); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, compact.Bytes())
	}
	return recs
}

func quoted(rec []byte) string {
	b, _ := json.Marshal(string(rec))
	return string(b)
}

func lookupEvents(recs [][]byte) []byte {
	var els []string
	for i, r := range recs {
		els = append(els, fmt.Sprintf(`{"EventId":"e%d","EventName":"X","ReadOnly":"false","EventTime":"2024-08-01T12:19:17+00:00","EventSource":"ssm.amazonaws.com","Username":"u","Resources":[],"CloudTrailEvent":%s}`, i, quoted(r)))
	}
	return []byte("{\n    \"Events\": [\n" + strings.Join(els, ",\n") + "\n    ],\n    \"NextToken\": \"abc\"\n}\n")
}

func cwlEnvelope(recs [][]byte) []byte {
	var els []string
	for i, r := range recs {
		els = append(els, fmt.Sprintf(`{"id":"3719%d","timestamp":1722514757000,"message":%s}`, i, quoted(r)))
	}
	return []byte(`{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"aws-cloudtrail-logs-111122223333","logStream":"111122223333_CloudTrail_us-east-1","subscriptionFilters":["to-firehose"],"logEvents":[` + strings.Join(els, ",") + `]}`)
}

const cwlControl = `{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1722514757000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`

func eventBridge(recs [][]byte) []byte {
	var lines []string
	for i, r := range recs {
		lines = append(lines, fmt.Sprintf(`{"version":"0","id":"6f87d04b-9f74-4f04-a780-7acf4b0a9b3%d","detail-type":"AWS API Call via CloudTrail","source":"aws.ssm","account":"111122223333","time":"2024-08-01T12:19:17Z","region":"us-east-1","resources":[],"detail":%s}`, i, r))
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// TestIssue12Envelopes: each envelope's records are unwrapped and hit on
// both paths exactly as the same records in a CloudTrail envelope, at
// the index of their element (counted through the object: the control
// message's element is a record with no event in it), and the hit's raw
// column is the record, not its wrapping. Before, every element was
// skipped as "unrecognised record" (or the object failed).
func TestIssue12Envelopes(t *testing.T) {
	recs := envelopeRecords(t)
	env := func(rs ...[]byte) []byte {
		return slices.Concat([]byte(`{"Records":[`), bytes.Join(rs, []byte(",")), []byte("]}"))
	}
	rs := ruleSets(t)["builtin+test"]
	// A record's hits, and its raw, scanned alone in the plainest envelope.
	alone := make([][]string, len(recs))
	for i, r := range recs {
		hits, sum := scanObjectHits(t, env(r), rs, true)
		if sum.Partial() || len(hits) == 0 {
			t.Fatalf("record %d alone: partial %v, %d hits", i, sum.Partial(), len(hits))
		}
		for _, h := range hits {
			alone[i] = append(alone[i], h.RuleName)
		}
	}
	at := func(index ...int) []string { // the hits expected, records at these indexes
		var want []string
		for i, idx := range index {
			for _, name := range alone[i] {
				want = append(want, fmt.Sprintf("%s@%d", name, idx))
			}
		}
		sort.Strings(want)
		return want
	}
	cases := []struct {
		name    string
		body    []byte
		records int64 // records counted
		want    []string
	}{
		{"lookup-events", lookupEvents(recs), 3, at(0, 1, 2)},
		{"lookup-events, gzip", gzipBytes(lookupEvents(recs)), 3, at(0, 1, 2)},
		// Firehose: gzip members one after another, a control message
		// between them; indexes count through the object.
		{"CloudWatch Logs via Firehose", slices.Concat(gzipBytes(cwlEnvelope(recs[:1])), gzipBytes([]byte(cwlControl)), gzipBytes(cwlEnvelope(recs[1:]))), 4, at(0, 2, 3)},
		{"CloudWatch Logs, concatenated", slices.Concat(cwlEnvelope(recs[:2]), cwlEnvelope(recs[2:])), 3, at(0, 1, 2)},
		{"EventBridge, JSON Lines", eventBridge(recs), 3, at(0, 1, 2)},
		{"EventBridge, concatenated gzip", gzipBytes(bytes.ReplaceAll(eventBridge(recs), []byte("\n"), nil)), 3, at(0, 1, 2)},
	}
	for _, c := range cases {
		for _, reference := range []bool{true, false} {
			hits, sum := scanObjectHits(t, c.body, rs, reference)
			var got []string
			for _, h := range hits {
				got = append(got, fmt.Sprintf("%s@%d", h.RuleName, h.RecordIndex))
				if i := slices.IndexFunc(recs, func(r []byte) bool { return string(r) == h.Raw }); i < 0 {
					t.Errorf("%s (reference %v): hit %s's raw is not the unwrapped record: %.120s", c.name, reference, h.RuleName, h.Raw)
				}
			}
			sort.Strings(got)
			if sum.Partial() || sum.Records != c.records || !slices.Equal(got, c.want) {
				t.Errorf("%s (reference %v): partial %v (skips %v, failures %v), %d records, hits\n%v\nwant %d records, hits\n%v", c.name, reference, sum.Partial(), sum.Skips, sum.Failures, sum.Records, got, c.records, c.want)
			}
		}
	}
}

// TestIssue12LogEventNotJSON: a log event whose message is text is a
// record that cannot be read, skipped with its reason on both paths.
func TestIssue12LogEventNotJSON(t *testing.T) {
	body := []byte(`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","timestamp":1,"message":"GET /index.html 200"}]}`)
	for _, reference := range []bool{true, false} {
		_, sum := scanObjectHits(t, body, ruleSets(t)["pack"], reference)
		if sum.Records != 1 || len(sum.Skips) != 1 || sum.Skips[0].Reason != decode.ReasonLogEventNotJSON || sum.Skips[0].Record != 0 {
			t.Errorf("reference %v: %d records, skips %v", reference, sum.Records, sum.Skips)
		}
	}
}
