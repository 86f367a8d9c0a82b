package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// TestMain runs the test binary as the retrohunt command when asked to,
// so tests can signal a real process; otherwise it runs the tests and
// stops the shared servers.
func TestMain(m *testing.M) {
	if os.Getenv("RETROHUNT_TEST_AS_CLI") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	testservers.Main(m)
}

// normalise drops what legitimately differs between stores (the URI
// scheme and root, the ETag) and returns the hits as sorted JSON lines.
func normalise(t *testing.T, out, root string) ([]string, []string) {
	t.Helper()
	var lines, etags []string
	for _, h := range jsonlHits(t, out) {
		h["source_uri"] = strings.TrimPrefix(h["source_uri"].(string), root)
		etags = append(etags, h["source_etag"].(string))
		delete(h, "source_etag")
		b, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	sort.Strings(lines)
	return lines, etags
}

// TestSameHitsFromEveryStore scans one generated corpus from a local
// directory, from a real S3 server (versitygw) and from Azurite, through
// the CLI, and requires byte-identical hits apart from the source URI's
// root and the ETag, which the remote stores must fill in.
func TestSameHitsFromEveryStore(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 4, RecordsPerFile: 20, AzureRecordsPerHour: 30,
		OrgID: "o-a1b2c3d4e5", AzureLegacyEnvelope: true}, gen.DirSink(dir)); err != nil {
		t.Fatal(err)
	}
	// The generator writes the container folder; remote stores hold what
	// is below it, as a real insights-activity-logs container does.
	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, dir)
	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	az.UploadDir(t, container, filepath.Join(dir, "insights-activity-logs"))

	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString())

	local := dir
	code, out, errOut := cli(t, "scan", local, "--format", "jsonl", "--quiet")
	if code != exitOK {
		t.Fatalf("local: exit %d\n%s", code, errOut)
	}
	all, _ := normalise(t, out, "file://"+filepath.ToSlash(local)+"/")
	var wantAWS, wantAzure []string
	for _, l := range all {
		if strings.Contains(l, `"log_type":"AWS_CLOUDTRAIL"`) {
			wantAWS = append(wantAWS, l)
		} else {
			wantAzure = append(wantAzure, strings.Replace(l, `"source_uri":"insights-activity-logs/`, `"source_uri":"`, 1))
		}
	}
	if len(wantAWS) == 0 || len(wantAzure) == 0 {
		t.Fatalf("the corpus planted too little: %d AWS, %d Azure hits", len(wantAWS), len(wantAzure))
	}

	code, out, errOut = cli(t, "scan", "s3://"+bucket+"/AWSLogs/", "--endpoint", s3srv.Endpoint, "--path-style", "--format", "jsonl", "--quiet")
	if code != exitOK {
		t.Fatalf("s3: exit %d\n%s", code, errOut)
	}
	gotAWS, etags := normalise(t, out, "s3://"+bucket+"/")
	if strings.Join(gotAWS, "\n") != strings.Join(wantAWS, "\n") {
		t.Errorf("S3 hits differ from local:\n got %s\nwant %s", strings.Join(gotAWS, "\n"), strings.Join(wantAWS, "\n"))
	}
	for _, e := range etags {
		if e == "" || strings.Contains(e, `"`) {
			t.Errorf("S3 hit has ETag %q", e)
		}
	}

	code, out, errOut = cli(t, "scan", "azblob://"+az.Account+"/"+container+"/", "--endpoint", az.ServiceURL, "--format", "jsonl", "--quiet")
	if code != exitOK {
		t.Fatalf("azure: exit %d\n%s", code, errOut)
	}
	gotAzure, etags := normalise(t, out, "azblob://"+az.Account+"/"+container+"/")
	if strings.Join(gotAzure, "\n") != strings.Join(wantAzure, "\n") {
		t.Errorf("Azure hits differ from local:\n got %s\nwant %s", strings.Join(gotAzure, "\n"), strings.Join(wantAzure, "\n"))
	}
	for _, e := range etags {
		if e == "" {
			t.Errorf("Azure hit without ETag")
		}
	}
	if strings.Contains(errOut+out, az.Key) {
		t.Errorf("the account key leaked into the output")
	}

	// Several sources in one run: every hit once.
	code, out, errOut = cli(t, "scan", "s3://"+bucket+"/AWSLogs/", "azblob://"+az.Account+"/"+container+"/", local,
		"--endpoint", s3srv.Endpoint, "--path-style", "--format", "jsonl", "--quiet")
	if code != exitOK {
		t.Fatalf("several sources: exit %d\n%s", code, errOut)
	}
	// The CloudTrail events scanned from both S3 and the local copy are the
	// same events (eventIDs): each hits once. Azure records are never
	// merged this way (their event_id is the operation's correlationId).
	if want := len(all) + len(wantAzure); len(jsonlHits(t, out)) != want {
		t.Errorf("several sources: %d hits, want %d", len(jsonlHits(t, out)), want)
	}
}

// TestArchivedObjectsAreReportedNotRead: an object in an offline tier is
// listed, counted and named in the summary, never downloaded, and the scan
// exits partial.
func TestArchivedObjectsAreReportedNotRead(t *testing.T) {
	ctx := context.Background()
	key := "AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/15/111122223333_CloudTrail_us-east-1_20240115T1005Z_a1b2c3d4e5f6a7b8.json.gz"
	body := gz(t, mustJSON(map[string]any{"Records": []any{sample(t, "aws_ssm_SendCommand__stratus.json")}}))

	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	if err := az.Put(ctx, container, key, body); err != nil {
		t.Fatal(err)
	}
	bc := az.Client().ServiceClient().NewContainerClient(container).NewBlobClient(key)
	if _, err := bc.SetTier(ctx, blob.AccessTierArchive, nil); err != nil {
		t.Fatalf("SetTier: %v", err)
	}
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString())
	code, out, errOut := cli(t, "scan", "azblob://"+az.Account+"/"+container+"/", "--endpoint", az.ServiceURL, "--format", "jsonl")
	if code != exitPartial || out != "" || !strings.Contains(errOut, "archive tier") || !strings.Contains(errOut, key) {
		t.Errorf("azure archive tier: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}

	// versitygw keeps no storage class, so the S3 side is tested on the
	// listing attributes in sources/s3 (TestArchived).
}
