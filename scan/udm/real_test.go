package udm

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// realRecord returns line n (from 1) of a file under testdata/real, or
// the whole file when n is 0.
func realRecord(t *testing.T, file string, n int) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../../testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		return b
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for i := 1; sc.Scan(); i++ {
		if i == n {
			return append([]byte(nil), sc.Bytes()...)
		}
	}
	t.Fatalf("%s has no line %d", file, n)
	return nil
}

// TestIssue12Faults: each mapping fault issue 12 lists, on the real
// record that showed it. Expected values are read by hand from the
// records.
func TestIssue12Faults(t *testing.T) {
	type want map[string][]string
	for _, c := range []struct {
		file string
		line int
		want want
	}{
		// ConsoleLogin with responseElements.ConsoleLogin "Failure" and no
		// errorCode: a failure.
		{"real/elastic-aws/test-console-login-json.log", 2, want{
			"security_result.action":        {"BLOCK"},
			"security_result.summary":       {"Login to AWS Console failed."},
			"security_result.description":   {"Reason: Failed authentication"},
			"target.user.user_display_name": {"JaneDoe"},
			"extensions.auth.auth_details":  {"MFAUsed: No"},
		}},
		{"real/elastic-aws/test-console-login-json.log", 1, want{
			"security_result.action":  {"ALLOW"},
			"security_result.summary": {"Login to AWS Console succeeded."},
		}},
		// SendCommand with targets (Key=InstanceIds): the instance, not
		// the document.
		{"real/elastic-aws/test-send-command-targets-json.log", 1, want{
			"target.resource.name": {"i-0ddf9acf8eeb33959"},
		}},
		// sourceIPAddress "81.2.69.142, 192.168.10.10" and errorCode "200"
		// of a SAMLUser without an arn.
		{"real/elastic-aws/test-tls-details-json.log", 2, want{
			"principal.ip":            {"81.2.69.142", "192.168.10.10"},
			"principal.hostname":      nil,
			"security_result.action":  {"ALLOW"},
			"principal.user.userid":   {"some.user@my.company.com"},
			"principal.resource.type": {"SAMLUser"},
		}},
		// Callers without an arn.
		{"real/elastic-aws/test-assume-role-aws-service-json.log", 1, want{
			"principal.user.userid":   {"ec2.amazonaws.com"},
			"principal.resource.type": {"AWSService"},
		}},
		{"real/elastic-aws/test-user-authentication.log", 1, want{
			"principal.user.userid": {"redacted"}, // onBehalfOf.userId; "arn" is ""
		}},
		{"samples/aws_s3_ListObjects__anonymous_data_event.json", 0, want{
			"principal.user.userid": {"anonymous"}, // AWSAccount, principalId ""
		}},
		// Azure statuses that are no operation's outcome.
		{"samples/azure_RESOURCEHEALTH_healthevent__msdocs_jsonl.json", 0, want{
			"security_result.action":  {"UNKNOWN_ACTION"},
			"security_result.summary": {"Updated"},
		}},
		// REST shape: top-level claims.ipaddr.
		{"real/msdocs/azure-activity-log-schema-rest.jsonl", 1, want{
			"principal.ip":          {"111.111.1.111"},
			"principal.user.userid": {"rob@contoso.com"},
		}},
		// REST record with only resourceUri.
		{"real/msdocs/azure-activity-log-schema-rest-2017.jsonl", 1, want{
			"target.resource.name":    {"/subscriptions/s1/resourceGroups/MSSupportGroup/providers/microsoft.support/supporttickets/115012112305841"},
			"target.cloud.project.id": {"s1"},
		}},
	} {
		ev, err := Map(realRecord(t, c.file, c.line))
		if err != nil {
			t.Errorf("%s:%d: %v", c.file, c.line, err)
			continue
		}
		for k, v := range c.want {
			if got := ev.Values(k); !reflect.DeepEqual(got, v) {
				t.Errorf("%s:%d: %s = %q, want %q", c.file, c.line, k, got, v)
			}
		}
	}
}

// TestResultOf: pending is for the Start/Accept records of an operation;
// the statuses of health, alert and recommendation events, and a missing
// resultType, are no outcome.
func TestResultOf(t *testing.T) {
	for in, want := range map[string]string{
		"Success": "success", "Succeeded": "success", "Failure": "failure", "Failed": "failure",
		"Canceled": "failure", "Start": "pending", "Started": "pending", "Accept": "pending", "Accepted": "pending",
		"Updated": "", "Active": "", "Resolved": "", "In Progress": "", "": "",
	} {
		if got := ResultOf(in); got != want {
			t.Errorf("ResultOf(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestAWSEventType: rows of Google's "Event Identifier to Event Type"
// table (AWS_CLOUDTRAIL field mapping reference) and the prefix rules.
func TestAWSEventType(t *testing.T) {
	for name, want := range map[string]string{
		"ConsoleLogin": "USER_LOGIN", "GetApplication": "RESOURCE_READ", "ListConfigurationProfiles": "RESOURCE_READ",
		"DescribeAutoScalingGroups": "RESOURCE_READ", "CreateAutoScalingGroup": "RESOURCE_CREATION",
		"CreateOrUpdateTags": "RESOURCE_CREATION", "DeleteAutoScalingGroup": "RESOURCE_DELETION",
		"AttachInstances": "RESOURCE_PERMISSIONS_CHANGE", "AttachLoadBalancerTargetGroups": "RESOURCE_PERMISSIONS_CHANGE",
		"CompleteLifecycleAction": "STATUS_UPDATE", "DeregisterScalableTarget": "RESOURCE_DELETION",
	} {
		if got := awsEventType(name); got != want {
			t.Errorf("awsEventType(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestExtractedFields: extracted.fields["<raw dotted path>"] is the raw
// field, values read by hand from the records.
func TestExtractedFields(t *testing.T) {
	ev, err := Map(realRecord(t, "real/elastic-aws/test-send-command-targets-json.log", 1))
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]string{
		`extracted.fields["requestParameters.documentName"]`:             {"EncryptFilesAndUploadRansomNote"},
		`extracted.fields["requestParameters.targets.values"]`:           {"i-0ddf9acf8eeb33959"},
		`extracted.fields["requestParameters.targets.key"]`:              {"instanceids"},
		`extracted.fields["userIdentity.userName"]`:                      {"pwncloud-backdoor-user"},
		`extracted.fields["eventVersion"]`:                               {"1.08"},
		`extracted.fields["readOnly"]`:                                   {"false"},
		`extracted.fields["responseElements.command.timeoutSeconds"]`:    {"3600"},
		`extracted.fields["responseElements.command.outputS3KeyPrefix"]`: nil, // ""
		`extracted.fields["responseElements.command"]`:                   nil, // an object
		`extracted.fields["nosuch.field"]`:                               nil,
		`extracted.fields[""]`:                                           nil,
	} {
		if got := ev.Values(path); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if _, listed := ev.Fields[`extracted.fields["eventVersion"]`]; listed {
		t.Errorf("extracted.fields are read on demand, not listed")
	}
	az, err := Map(realRecord(t, "real/msdocs/azure-activity-log-schema-rest.jsonl", 6))
	if err != nil {
		t.Fatal(err)
	}
	if got := az.Values(`extracted.fields["properties.processName"]`); !reflect.DeepEqual(got, []string{`c:\mydirectory\doubleetension.pdf.exe`}) {
		t.Errorf("Azure extracted.fields = %q", got)
	}
	r := Rows(AWSCloudTrail)
	served := false
	for i := range r {
		served = served || r[i].Serves(`extracted.fields["requestParameters.bucketName"]`)
	}
	if !served || !Known(`extracted.fields["a.b"]`) || Known(`extracted.fields[""]`) {
		t.Errorf("the table does not serve extracted.fields")
	}
}
