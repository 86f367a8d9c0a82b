package main

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// TestURLSecretsThroughCLI is issue 15 item 10 through `retrohunt scan`:
// a password in --endpoint is not printed, a query on an s3:// URL is a
// usage error that does not echo it, and a SAS token can come from
// AZURE_STORAGE_SAS_TOKEN instead of the command line.
func TestURLSecretsThroughCLI(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_KEY", "")
	t.Setenv("AZURE_STORAGE_SAS_TOKEN", "")

	code, _, stderr := cli(t, "scan", "--endpoint", "http://user:Pa55w0rdXyz@127.0.0.1:1", "--path-style", "--region", "us-east-1", "--max-attempts", "1", "s3://bucket/AWSLogs/")
	if code != exitError || strings.Contains(stderr, "Pa55w0rdXyz") || !strings.Contains(stderr, "cannot reach") {
		t.Errorf("endpoint with a password: exit %d, stderr:\n%s", code, stderr)
	}

	code, _, stderr = cli(t, "scan", "s3://bucket/AWSLogs/?X-Amz-Signature=SECRET1")
	if code != exitUsage || strings.Contains(stderr, "SECRET1") {
		t.Errorf("s3:// URL with a query: exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
	}

	dir := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 2, RecordsPerFile: 10, AzureRecordsPerHour: 10}, gen.DirSink(dir)); err != nil {
		t.Fatal(err)
	}
	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	az.UploadDir(t, container, filepath.Join(dir, "insights-activity-logs"))
	sas := az.ContainerSAS(t, container)
	q, _ := url.ParseQuery(sas)
	t.Setenv("AZURE_STORAGE_SAS_TOKEN", sas)
	code, stdout, stderr := cli(t, "scan", "--format", "jsonl", "--out", "-", az.ServiceURL+"/"+container+"/")
	if code != exitOK {
		t.Fatalf("SAS from the environment: exit %d\n%s", code, stderr)
	}
	if strings.Contains(stdout+stderr, q.Get("sig")) || strings.Contains(stdout+stderr, url.QueryEscape(q.Get("sig"))) {
		t.Error("the SAS signature is in the output")
	}
}
