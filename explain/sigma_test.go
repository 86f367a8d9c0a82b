package explain

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rules"
)

// TestWriteSigma: explain evaluates a Sigma rule clause by clause on the
// record's own JSON (the record's values read by hand from it).
func TestWriteSigma(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.yml")
	src := `title: Sigma Explained
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventSource: ssm.amazonaws.com
        eventName|startswith: Start
    filter:
        errorCode|exists: true
    condition: selection and not filter
`
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := rules.Load([]string{p})
	if err != nil {
		t.Fatal(err)
	}
	raw := []byte(`{"eventVersion":"1.08","eventTime":"2024-03-01T10:00:00Z","eventSource":"ssm.amazonaws.com","eventName":"StartSession"}`)
	var out bytes.Buffer
	if err := Write(&out, &Record{URI: "file:///r.json", Raw: raw}, loaded); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"sigma rule Sigma Explained (" + p + ")",
		`true   5:9          eventSource: "ssm.amazonaws.com"  ← "ssm.amazonaws.com"`,
		`true   6:9          eventName|startswith: "Start"  ← "StartSession"`,
		`false  8:9            errorCode|exists: "true"  ← (absent)`,
		"verdict: MATCH: Sigma Explained fires on this record",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
