package fast

import (
	"testing"

	"github.com/retrohunt/retrohunt/scan/sigma"
)

// TestRequireWithSigma: Sigma requirements join the YARA-L ones in one
// Requirements (the expected formulas worked out by hand from the rules).
func TestRequireWithSigma(t *testing.T) {
	src := `title: keys
logsource: {product: azure, service: activitylogs}
detection:
    selection:
        operationName:
            - MICROSOFT.KEYVAULT/VAULTS/KEYS/UPDATE/ACTION
            - MICROSOFT.KEYVAULT/VAULTS/KEYS/CREATE
            - MICROSOFT.KEYVAULT/VAULTS/KEYS/DELETE
    condition: selection
---
title: trail
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName|cased: StopLogging
    filter:
        errorCode|exists: true
    condition: selection and not filter
---
title: gcp
logsource: {product: gcp, service: gcp.audit}
detection:
    selection:
        methodName: x
    condition: selection
`
	rs, err := sigma.ParseFile("t.yml", []byte(src), sigma.Options{})
	if err != nil {
		t.Fatal(err)
	}
	req := RequireWithSigma(nil, rs)
	// The three operation names share "microsoft.keyvault/vaults/keys/",
	// which stands for them; the not-applicable rule can match nothing.
	if got, want := req.String(), "i\"microsoft.keyvault/vaults/keys/\"\n\"StopLogging\""; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if req.Dead != 1 || req.Free {
		t.Errorf("dead %d free %v", req.Dead, req.Free)
	}
}
