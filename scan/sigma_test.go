package scan

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/retrohunt/retrohunt/internal/corpora"
	"github.com/retrohunt/retrohunt/scan/sigma"
)

// testSigmaRules exercise what the prefilter derives from Sigma rules:
// equality and lists, wildcards, keywords, re, null and negated filters,
// windash, base64offset, a fold-sensitive literal, and a logsource
// retrohunt does not read. They run beside the YARA-L rules of the
// builtin+test set, over the generated corpus and its mutations.
const testSigmaRules = `title: T Sigma SSM Session Or Command
id: 00000000-0000-0000-0000-000000000001
date: 2026-01-01
level: high
tags: [attack.lateral-movement, attack.t1021.008]
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventSource: ssm.amazonaws.com
        eventName:
            - StartSession
            - SendCommand
    status_null:
        errorCode: null
    status_denied:
        errorCode|contains: 'denied'
    condition: selection and 1 of status_*
---
title: T Sigma Keywords Instance Connect
logsource: {product: aws, service: cloudtrail}
detection:
    keywords:
        - 'SendSSHPublicKey'
        - 'sendserialconsole*key'
    condition: keywords
---
title: T Sigma Agent Regex
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        userAgent|re|i: 'aws-cli/2\.[0-9]+'
        eventSource|endswith: '.amazonaws.com'
    filter:
        eventName|startswith: 'Describe'
    condition: selection and not filter
---
title: T Sigma Azure VM Actions
logsource: {product: azure, service: activitylogs}
detection:
    selection:
        operationName: 'Microsoft.Compute/virtualMachines/*/action'
    filter_start:
        operationName|endswith: '/start/action'
    filter_deallocate:
        operationName|endswith: '/deallocate/action'
    condition: selection and not 1 of filter_*
---
title: T Sigma Azure Keywords
logsource: {product: azure, service: activitylogs}
detection:
    keywords:
        - 'roleAssignments/write'
    selection:
        OperationNameValue|windash|contains: 'storageAccounts/listKeys/action'
    condition: keywords or selection
---
title: T Sigma Kelvin And Base64
logsource: {product: aws, service: cloudtrail}
detection:
    selection_k:
        userAgent|contains: 'kubectl'
    selection_b:
        requestParameters|base64offset|contains: '/bin/bash'
    condition: 1 of selection_*
---
title: T Sigma Not Applicable
logsource: {product: gcp, service: gcp.audit}
detection:
    selection:
        methodName: 'SetIamPolicy'
    condition: selection
`

// testSigmaFree has no requirement: every record is a candidate.
const testSigmaFree = `title: T Sigma Free
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        errorCode|exists: false
    filter:
        eventName: 'x'
    condition: selection and not filter
`

func parseSigma(t testing.TB, file, src string) []*Rule {
	t.Helper()
	rs, err := sigma.ParseFile(file, []byte(src), sigma.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []*Rule
	for _, r := range rs {
		out = append(out, NewSigmaRule(r, file))
	}
	return out
}

// sigmaHQRules returns the SigmaHQ CloudTrail and Azure Activity rules,
// or nil when the corpus is not beside the clone (the sets that use it
// are then left out, not the tests).
func sigmaHQRules(t testing.TB) []*Rule {
	t.Helper()
	root := os.Getenv(corpora.Env)
	if root == "" {
		root = filepath.Join("..", "..", "shared", "corpora")
	}
	var out []*Rule
	for _, dir := range []string{"aws/cloudtrail", "azure/activity_logs"} {
		names, _ := filepath.Glob(filepath.Join(root, "sigmahq", "rules", "cloud", dir, "*.yml"))
		sort.Strings(names)
		for _, n := range names {
			src, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, parseSigma(t, n, string(src))...)
		}
	}
	return out
}

func TestSigmaRuleMetadata(t *testing.T) {
	r := parseSigma(t, "t.yml", testSigmaRules)[0]
	// The values written in testSigmaRules' first rule.
	if r.Name != "T Sigma SSM Session Or Command" || r.Version != "00000000-0000-0000-0000-000000000001@2026-01-01" ||
		r.Severity != "HIGH" || r.Technique != "T1021.008" || r.Tactic != "Lateral Movement" {
		t.Errorf("got %+v", r)
	}
	all := parseSigma(t, "t.yml", testSigmaRules)
	if na := NotApplicable(all); len(na) != 1 || na[0].Name != "T Sigma Not Applicable" {
		t.Errorf("not applicable: %v", na)
	}
}
