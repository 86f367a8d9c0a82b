package scan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/retrohunt/retrohunt/sources/local"
)

// TestIssue12SiblingFoldersAreNotObjects (issue 12, item 6): the
// summary's non-event objects counted a CloudTrail-Digest folder as one
// object, whatever it held. A folder the walk passes over by name is
// counted as a folder (its objects are never listed), and a non-event
// object found in a listing (an Insight file under CloudTrail/) as an
// object. Expected counts are read off the archive built here.
func TestIssue12SiblingFoldersAreNotObjects(t *testing.T) {
	root := t.TempDir()
	put := func(rel, body string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	acct := "AWSLogs/111122223333/"
	for _, n := range []string{"a", "b", "c"} {
		put(acct+"CloudTrail-Digest/us-east-1/2024/03/01/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20240301T0"+n+"Z.json.gz", "x")
	}
	put(acct+"CloudTrail-Insight/us-east-1/2024/03/01/111122223333_CloudTrail-Insight_us-east-1_20240301T0000Z_x.json.gz", "x")
	put(acct+"CloudTrail/us-east-1/2024/03/01/111122223333_CloudTrail_us-east-1_20240301T0000Z_x.json",
		`{"Records":[{"eventVersion":"1.08","eventTime":"2024-03-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}]}`)
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), Config{Workers: 1}, []Target{{Source: src}}, &collect{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.FoldersSibling != 2 || sum.ObjectsSibling != 0 || sum.ObjectsScanned != 1 || sum.Records != 1 {
		t.Errorf("folders_sibling %d, objects_sibling %d, scanned %d, records %d; want 2, 0, 1, 1", sum.FoldersSibling, sum.ObjectsSibling, sum.ObjectsScanned, sum.Records)
	}
}
