package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// TestSecretsNeverLeak scans Azurite with a SAS token in the URL, once
// valid and once tampered with, and searches everything the runs wrote
// (stdout, stderr, the Parquet file, the summary JSON) for the signature
// and the account key.
func TestSecretsNeverLeak(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 3, RecordsPerFile: 20, AzureRecordsPerHour: 20}, gen.DirSink(dir)); err != nil {
		t.Fatal(err)
	}
	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	az.UploadDir(t, container, filepath.Join(dir, "insights-activity-logs"))
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_KEY", "")
	sas := az.ContainerSAS(t, container)
	q, _ := url.ParseQuery(sas)
	sig := q.Get("sig")
	if sig == "" {
		t.Fatal("the SAS has no signature")
	}
	secrets := []string{sig, url.QueryEscape(sig), az.Key}
	// The tampered signature differs in its first character: "A" unless
	// the signature (it changes with the SAS's times) starts with one,
	// when the tampered SAS was the valid one and the scan exited 0.
	forged := "A" + sig[1:]
	if sig[0] == 'A' {
		forged = "B" + sig[1:]
	}

	for _, c := range []struct {
		name, sas string
		want      int
	}{
		{"valid", sas, exitOK},
		{"tampered", strings.Replace(sas, url.QueryEscape(sig), url.QueryEscape(forged), 1), exitError},
	} {
		t.Run(c.name, func(t *testing.T) {
			work := t.TempDir()
			out, sum := filepath.Join(work, "hits.parquet"), filepath.Join(work, "summary.json")
			code, stdout, stderr := cli(t, "scan", az.ServiceURL+"/"+container+"/?"+c.sas, "--out", out, "--summary-json", sum)
			if code != c.want {
				t.Fatalf("exit %d, want %d\n%s", code, c.want, stderr)
			}
			all := stdout + stderr
			for _, p := range []string{out, sum} {
				if b, err := os.ReadFile(p); err == nil {
					all += string(b)
				}
			}
			if c.want == exitOK && !strings.Contains(all, "azblob://") {
				t.Fatalf("nothing was written to search")
			}
			for _, s := range secrets {
				if strings.Contains(all, s) {
					t.Errorf("a secret leaked into the output: %q", s[:6]+"…")
				}
			}
		})
	}
}
