package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// TestFaultsAgainstRealServers puts a fault-injecting proxy in front of
// versitygw and Azurite. Transient faults (throttling, 5xx, bodies that
// break off) must leave the hits exactly those of a clean scan; permanent
// ones must be reported per object while the rest completes, exit 3.
func TestFaultsAgainstRealServers(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 1, FilesPerDay: 3, RecordsPerFile: 20, AzureRecordsPerHour: 20}, gen.DirSink(dir)); err != nil {
		t.Fatal(err)
	}
	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, dir)
	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	az.UploadDir(t, container, dir)
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_KEY", az.Key)

	type store struct {
		name, target, uri string
		extra             []string
	}
	stores := []store{
		{"s3", s3srv.Endpoint, "s3://" + bucket + "/AWSLogs/", []string{"--path-style"}},
		{"azure", az.ServiceURL, "azblob://" + az.Account + "/" + container + "/insights-activity-logs/", nil},
	}
	scan := func(t *testing.T, st store, endpoint string) (int, []string, string) {
		t.Helper()
		args := append([]string{"scan", st.uri, "--endpoint", endpoint, "--format", "jsonl", "--quiet", "--connections", "16"}, st.extra...)
		code, out, errOut := cli(t, args...)
		lines, _ := normalise(t, out, strings.SplitN(st.uri, "/AWSLogs/", 2)[0])
		return code, lines, errOut
	}
	for _, st := range stores {
		code, clean, errOut := scan(t, st, st.target)
		if code != exitOK || len(clean) == 0 {
			t.Fatalf("%s clean scan: exit %d, %d hits\n%s", st.name, code, len(clean), errOut)
		}
		for _, f := range []testservers.Fault{testservers.FaultSlowDown, testservers.FaultInternal, testservers.FaultTooMany, testservers.FaultReset, testservers.FaultTruncate} {
			t.Run(fmt.Sprintf("%s/transient-%s", st.name, f), func(t *testing.T) {
				fp := testservers.StartFaultProxy(t, st.target, testservers.FaultPolicy{Fault: f, Times: 1})
				code, got, errOut := scan(t, st, fp.URL)
				if fp.Injected() == 0 {
					t.Fatalf("no fault was injected")
				}
				if code != exitOK || strings.Join(got, "\n") != strings.Join(clean, "\n") {
					t.Errorf("exit %d, %d hits (clean scan: %d); stderr:\n%s", code, len(got), len(clean), errOut)
				}
			})
		}
		permanent := []testservers.Fault{testservers.FaultInternal}
		if st.name == "s3" {
			// Azure's reader resumes a broken body with range requests of
			// its own (sources/azblob), which this count would include.
			permanent = append(permanent, testservers.FaultReset)
		}
		for _, f := range permanent {
			t.Run(fmt.Sprintf("%s/permanent-%s", st.name, f), func(t *testing.T) {
				// Every download of a third of the objects fails, always.
				const maxAttempts = 2
				fp := testservers.StartFaultProxy(t, st.target, testservers.FaultPolicy{Fault: f,
					Match: func(key string) bool { return strings.Contains(key, "T00") || strings.Contains(key, "h=00") }})
				code, got, errOut := cli(t, append([]string{"scan", st.uri, "--endpoint", fp.URL, "--format", "jsonl", "--max-attempts", fmt.Sprint(maxAttempts), "--connections", "16"}, st.extra...)...)
				if fp.Injected() == 0 {
					t.Fatalf("no fault was injected")
				}
				if code != exitPartial || !strings.Contains(errOut, "PARTIAL") || !strings.Contains(errOut, "failed: ") {
					t.Errorf("exit %d, want %d; stderr:\n%s", code, exitPartial, errOut)
				}
				if len(jsonlHits(t, got)) == 0 && len(clean) > 3 {
					t.Errorf("the objects without faults yielded no hits")
				}
				// One retry layer per fault: the store sees at most
				// --max-attempts downloads of a failing object, not
				// the product of several layers' attempts.
				for key, n := range fp.Attempts() {
					if n > maxAttempts {
						t.Errorf("%s was requested %d times, want at most --max-attempts %d", key, n, maxAttempts)
					}
				}
			})
		}
	}
}
