package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// sampleHits is what the built-in pack must say of every public sample in
// testdata/samples (provenance: testdata/samples/SOURCES.md): the rules
// that fire, or none for the noise samples.
var sampleHits = map[string][]string{
	"aws_cloudtrail_Insight_UpdateInstanceInformation__awsdocs.json":          nil,
	"aws_ec2-instance-connect_SendSSHPublicKey__stratus.json":                 {"aws_ec2_instance_connect"},
	"aws_ec2-instance-connect_SendSerialConsoleSSHPublicKey__stratus.json":    {"aws_ec2_instance_connect"},
	"aws_ec2_EnableSerialConsoleAccess__stratus.json":                         {"aws_ec2_serial_console_enabled"},
	"aws_s3_ListObjects__anonymous_data_event.json":                           nil,
	"aws_ssm_DescribeInstanceInformation__stratus.json":                       nil,
	"aws_ssm_GetCommandInvocation__stratus.json":                              nil,
	"aws_ssm_ResumeSession__SYNTH_from_stratus_shape.json":                    {"aws_ssm_session_manager"},
	"aws_ssm_SendCommand__stratus.json":                                       {"aws_ssm_run_command"},
	"aws_ssm_StartAutomationExecution__accessdenied_eventbridge.json":         {"aws_ssm_run_command"},
	"aws_ssm_StartSession__assumedrole_console_2021.json":                     {"aws_ssm_session_manager"},
	"aws_ssm_StartSession__iamuser_cli_2020.json":                             {"aws_ssm_session_manager"},
	"aws_ssm_StartSession__stratus.json":                                      {"aws_ssm_session_manager"},
	"aws_ssm_TerminateSession__stratus.json":                                  {"aws_ssm_session_manager"},
	"aws_ssm_UpdateInstanceInformation__real_agent_heartbeat.json":            nil,
	"azure_EVENTHUB_LISTKEYS_ACTION__elastic_export_uppercase.json":           nil,
	"azure_EXTENSIONS_WRITE__SYNTH_export.json":                               {"azure_vm_extension_write"},
	"azure_EXTENSIONS_WRITE__stratus_datadog_format.json":                     {"azure_vm_extension_write"},
	"azure_RESOURCEHEALTH_healthevent__msdocs_jsonl.json":                     nil,
	"azure_RUNCOMMAND_ACTION__SYNTH_export.json":                              {"azure_run_command"},
	"azure_RUNCOMMAND_ACTION__stratus_REST_format.json":                       {"azure_run_command"},
	"azure_SERIALCONSOLE_SERIALPORTS_CONNECT_ACTION__limacharlie_export.json": {"azure_serial_console_connect"},
	"azure_WEB_sites_start_action__elastic_export_mixedcase.json":             nil,
	"azure_support_supporttickets_write__msdocs_export.json":                  nil,
	"entra_audit_AddServicePrincipalCredentials__elastic_sample.json":         {"entra_sp_credential_added"},
	"entra_audit_UpdateDevice_user__elastic_raw.json":                         nil,
	"entra_audit_UpdateServicePrincipal__elastic_sample.json":                 nil,
	"entra_signin_SignInLogs_failure_50140__elastic_raw.json":                 nil,
	"entra_signin_SignInLogs_success__elastic_sample.json":                    nil,
	"graph_GET_me_photos_404_user__elastic_raw.json":                          nil,
	"graph_GET_organization_app__elastic_raw.json":                            nil,
}

// cli runs the command in-process and returns its exit code and outputs.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func jsonlHits(t *testing.T, out string) []map[string]any {
	t.Helper()
	var hits []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var h map[string]any
		if err := json.Unmarshal([]byte(line), &h); err != nil {
			t.Fatalf("hit line is not JSON: %v\n%s", err, line)
		}
		hits = append(hits, h)
	}
	return hits
}

func TestSamplesThroughCLI(t *testing.T) {
	files, err := filepath.Glob("../../testdata/samples/*.json")
	if err != nil || len(files) != len(sampleHits) {
		t.Fatalf("want %d samples in testdata/samples, found %d (%v)", len(sampleHits), len(files), err)
	}
	for _, f := range files {
		name := filepath.Base(f)
		want, ok := sampleHits[name]
		if !ok {
			t.Errorf("sample %s has no expectation", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			code, out, errOut := cli(t, "scan", f, "--format", "jsonl", "--quiet")
			if code != exitOK {
				t.Fatalf("exit %d, stderr:\n%s", code, errOut)
			}
			var got []string
			for _, h := range jsonlHits(t, out) {
				got = append(got, h["rule_name"].(string))
			}
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("rules fired %v, want %v", got, want)
			}
		})
	}
}

// The seed rule runs verbatim and matches none of the samples: its AWS
// branch compares metadata.vendor_name with "Amazon Web Services" (SecOps
// writes "AMAZON") and its Azure branch matches operation names against
// target.resource.name, a resource id (README, docs/udm.md). The scan
// warns why.
func TestSeedRuleRunsAndSaysWhyItIsSilent(t *testing.T) {
	code, out, errOut := cli(t, "scan", "../../testdata/samples", "--rule", "direct_cloud_vm_connection_t1021_008", "--format", "jsonl")
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if strings.TrimSpace(out) != "" {
		t.Errorf("seed rule matched, want no hits:\n%s", out)
	}
	for _, want := range []string{`never "Amazon Web Services"`, "can never match"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestSampleHitFields(t *testing.T) {
	code, out, errOut := cli(t, "scan", "../../testdata/samples/aws_ssm_StartAutomationExecution__accessdenied_eventbridge.json", "--format", "jsonl")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	hits := jsonlHits(t, out)
	if len(hits) != 1 {
		t.Fatalf("want 1 hit, got %d", len(hits))
	}
	h := hits[0]
	for k, want := range map[string]any{
		"rule_name":     "aws_ssm_run_command",
		"log_type":      "AWS_CLOUDTRAIL",
		"event_name":    "StartAutomationExecution",
		"event_source":  "ssm.amazonaws.com",
		"result":        "failure",
		"result_detail": "AccessDenied",
		"principal_ip":  "events.amazonaws.com",
		"technique":     "T1021.008",
		"severity":      "HIGH",
		"record_index":  float64(0),
	} {
		if h[k] != want {
			t.Errorf("%s = %v, want %v", k, h[k], want)
		}
	}
	raw, _ := os.ReadFile("../../testdata/samples/aws_ssm_StartAutomationExecution__accessdenied_eventbridge.json")
	got, _ := json.Marshal(h["raw"])
	var a, b any
	json.Unmarshal(raw, &a)
	json.Unmarshal(got, &b)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("raw is not the record")
	}
}
