package udm

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/udm.md from the table")

func TestDoc(t *testing.T) {
	path := "../../docs/udm.md"
	want := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/udm.md is out of date: run go test ./scan/udm -run TestDoc -update (%v)", err)
	}
}

func TestMapSamples(t *testing.T) {
	f := func(sample string, want map[string][]string) {
		t.Helper()
		raw, err := os.ReadFile(filepath.Join("../../testdata/samples", sample))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Map(raw)
		if err != nil {
			t.Fatalf("%s: %v", sample, err)
		}
		for k, v := range want {
			if !reflect.DeepEqual(ev.Values(k), v) {
				t.Errorf("%s: %s = %q, want %q", sample, k, ev.Values(k), v)
			}
		}
	}
	f("aws_ssm_StartAutomationExecution__accessdenied_eventbridge.json", map[string][]string{
		"metadata.vendor_name":        {"AMAZON"},
		"metadata.product_event_type": {"StartAutomationExecution"},
		"metadata.event_type":         {"USER_RESOURCE_ACCESS"},
		"target.application":          {"ssm.amazonaws.com"},
		"principal.ip":                nil,
		"principal.hostname":          {"events.amazonaws.com"},
		"security_result.action":      {"BLOCK"},
		"security_result.summary":     {"AccessDenied"},
	})
	f("aws_ssm_SendCommand__stratus.json", map[string][]string{
		"principal.ip":           {"253.252.51.07"}, // leading zeros: still an address
		"target.resource.name":   {"i-00456A8D163f546Ff", "i-cfE23b1a7ceba6f86", "i-9D40CCFc0aE91CFa5"},
		"security_result.action": {"ALLOW"},
		"principal.user.userid":  {"arn:aws:iam::056392974792:user/christophe"},
	})
	f("aws_s3_ListObjects__anonymous_data_event.json", map[string][]string{
		"principal.user.userid": {"anonymous"}, // AWSAccount: no arn, principalId "": its accountId
		"metadata.event_type":   {"RESOURCE_READ"},
	})
	f("azure_SERIALCONSOLE_SERIALPORTS_CONNECT_ACTION__limacharlie_export.json", map[string][]string{
		"metadata.vendor_name":        {"Microsoft"},
		"metadata.product_event_type": {"MICROSOFT.SERIALCONSOLE/SERIALPORTS/CONNECT/ACTION"},
		"principal.user.userid":       {"admin@example.com"},
		"target.cloud.project.id":     {"00000000-0000-0000-0000-000000000004"},
		"security_result.action":      {"ALLOW"},
	})
	f("azure_RUNCOMMAND_ACTION__stratus_REST_format.json", map[string][]string{
		"metadata.product_event_type": {"Microsoft.Compute/virtualMachines/runCommand/action"},
		"principal.user.userid":       {"you@domain.tld"},
		"metadata.event_timestamp":    {"2022-06-01T11:39:35.6986539Z"},
		"security_result.summary":     {"Succeeded"},
	})
	f("azure_EXTENSIONS_WRITE__stratus_datadog_format.json", map[string][]string{
		"metadata.product_event_type": {"MICROSOFT.COMPUTE/VIRTUALMACHINES/EXTENSIONS/WRITE"},
		"security_result.action":      {"UNKNOWN_ACTION"},
	})
	f("azure_support_supporttickets_write__msdocs_export.json", map[string][]string{
		"principal.user.userid": {"admin@contoso.com"}, // the UPN claim before evidence.principalId
		"metadata.event_type":   {"RESOURCE_WRITTEN"},
	})
}

func TestLooksLikeIP(t *testing.T) {
	for s, want := range map[string]bool{
		"1.2.3.4": true, "253.252.51.07": true, "2001:db8::1": true, "::1": true, "fe80::1%eth0": true,
		"events.amazonaws.com": false, "": false, "AWS Internal": false, "1.2.3": false, "a.b.c.d": false,
		"Microsoft.Resources": false,
	} {
		if LooksLikeIP(s) != want {
			t.Errorf("LooksLikeIP(%q) = %v", s, !want)
		}
	}
}

func TestMapRejects(t *testing.T) {
	for raw, want := range map[string]error{
		`[1,2]`:         ErrNotObject,
		`{"foo":"bar"}`: ErrUnrecognised,
	} {
		if _, err := Map([]byte(raw)); err != want {
			t.Errorf("Map(%s) = %v, want %v", raw, err, want)
		}
	}
	if _, err := Map([]byte(`{"eventVersion":`)); err == nil {
		t.Errorf("malformed JSON accepted")
	}
}

// FuzzMap: any bytes, no panic; a mapped record always has its
// constants, and maps as the whole decode (mapWhole) does.
func FuzzMap(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/samples/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	real, _ := filepath.Glob("../../testdata/real/*/*")
	for _, p := range real {
		b, _ := os.ReadFile(p)
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				f.Add(line)
			}
		}
	}
	f.Add([]byte(`{"eventVersion":"1.08","eventName":["a",1,true,null,{}],"userIdentity":{"arn":5}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if d := sameMapping(raw); d != "" {
			t.Fatal(d)
		}
		ev, err := Map(raw)
		if err != nil {
			return
		}
		if ev.First("metadata.vendor_name") == "" || ev.First("metadata.log_type") != ev.Type.String() {
			t.Fatalf("mapped record lacks its constants: %v", ev.Fields)
		}
	})
}
