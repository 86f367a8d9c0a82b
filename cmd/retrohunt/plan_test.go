package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// countingProxy passes requests on to an S3 endpoint and counts the
// listings (ListObjectsV2: a GET with list-type) and object downloads (a
// GET of a key) that reach it.
type countingProxy struct {
	URL         string
	lists, gets atomic.Int64
}

func newCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	cp := &countingProxy{}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(&url.URL{Scheme: u.Scheme, Host: u.Host})
		r.Out.Host = r.In.Host // SigV4 signs the Host the client used
	}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			// Path style: /bucket is the bucket, /bucket/key an object.
			switch {
			case r.URL.Query().Has("list-type"):
				cp.lists.Add(1)
			case strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1:
				cp.gets.Add(1)
			}
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cp.URL = srv.URL
	return cp
}

// planNumbers reads the counts --plan printed.
func planNumbers(t *testing.T, out string) (objects, bytes, lists, gets int64) {
	t.Helper()
	num := func(re string) int64 {
		m := regexp.MustCompile(re).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("plan output lacks %s:\n%s", re, out)
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	return num(`objects +([\d,]+) to download`), num(`\(([\d,]+) bytes\)`), num(`list requests +([\d,]+) made`), num(`get requests +([\d,]+) to make`)
}

func count(t *testing.T, doc map[string]any, key string) int64 {
	t.Helper()
	v, ok := doc[key].(float64)
	if !ok {
		t.Fatalf("summary has no number %q: %v", key, doc)
	}
	return int64(v)
}

// planCorpus generates two days of CloudTrail and Azure archives.
func planCorpus(t *testing.T) string {
	dir := t.TempDir()
	if _, _, err := gen.Generate(gen.Config{Days: 2, FilesPerDay: 3, RecordsPerFile: 10, AzureRecordsPerHour: 5}, gen.DirSink(dir)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPlanMatchesScan: what --plan prints is what the scan then does on
// the same archive: the objects and compressed bytes it reads and the
// list requests it makes (the summary's own counts), and on S3 the list
// and get requests that reach the server.
func TestPlanMatchesScan(t *testing.T) {
	window := []string{"--since", "2025-03-10T12:00:00Z", "--until", "2025-03-11T06:00:00Z"}
	check := func(t *testing.T, args []string, proxy *countingProxy) {
		var planLists, planGets int64
		if proxy != nil {
			planLists, planGets = proxy.lists.Load(), proxy.gets.Load()
		}
		code, out, errOut := cli(t, append(append([]string{"scan", "--plan"}, args...), window...)...)
		if code != exitOK {
			t.Fatalf("--plan: exit %d\n%s", code, errOut)
		}
		t.Logf("--plan printed:\n%s", out)
		objects, bytes, lists, gets := planNumbers(t, out)
		if objects == 0 || gets != objects {
			t.Fatalf("plan: %d objects, %d gets\n%s", objects, gets, out)
		}
		var scanLists, scanGets int64
		if proxy != nil {
			if n := proxy.gets.Load() - planGets; n != 0 {
				t.Errorf("--plan downloaded %d objects", n)
			}
			planLists = proxy.lists.Load() - planLists
			scanLists, scanGets = proxy.lists.Load(), proxy.gets.Load()
		}
		sum := filepath.Join(t.TempDir(), "summary.json")
		code, _, errOut = cli(t, append(append([]string{"scan", "--format", "jsonl", "--quiet", "--summary-json", sum}, args...), window...)...)
		if code != exitOK {
			t.Fatalf("scan: exit %d\n%s", code, errOut)
		}
		doc := summaryOf(t, sum)
		if got := count(t, doc, "objects_scanned"); got != objects {
			t.Errorf("scan read %d objects, the plan said %d", got, objects)
		}
		if got := count(t, doc, "bytes_compressed"); got != bytes {
			t.Errorf("scan read %d compressed bytes, the plan said %d", got, bytes)
		}
		if got := count(t, doc, "list_requests"); got != lists {
			t.Errorf("scan made %d list requests, the plan said %d", got, lists)
		}
		if proxy != nil {
			if got := proxy.gets.Load() - scanGets; got != gets {
				t.Errorf("the server saw %d downloads, the plan said %d", got, gets)
			}
			if got := proxy.lists.Load() - scanLists; got != planLists {
				t.Errorf("the server saw %d listings during the scan, %d during the plan", got, planLists)
			}
		}
	}
	dir := planCorpus(t)
	t.Run("Local", func(t *testing.T) { check(t, []string{dir}, nil) })
	t.Run("S3", func(t *testing.T) {
		s3srv := testservers.SharedS3(t)
		bucket := s3srv.NewBucket(t)
		s3srv.UploadDir(t, bucket, dir)
		t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
		t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
		t.Setenv("AWS_REGION", s3srv.Region)
		proxy := newCountingProxy(t, s3srv.Endpoint)
		check(t, []string{"s3://" + bucket + "/AWSLogs/", "--endpoint", proxy.URL, "--path-style"}, proxy)
	})
	t.Run("Azure", func(t *testing.T) {
		az := testservers.SharedAzurite(t)
		container := az.NewContainer(t)
		az.UploadDir(t, container, filepath.Join(dir, "insights-activity-logs"))
		t.Setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString())
		check(t, []string{"azblob://" + az.Account + "/" + container + "/", "--endpoint", az.ServiceURL}, nil)
	})
}

// TestBudgetStopsBeforeDownload: a scan over --max-requests or
// --max-bytes exits 2 with the numbers, and no object was downloaded.
func TestBudgetStopsBeforeDownload(t *testing.T) {
	dir := planCorpus(t)
	s3srv := testservers.SharedS3(t)
	bucket := s3srv.NewBucket(t)
	s3srv.UploadDir(t, bucket, dir)
	t.Setenv("AWS_ACCESS_KEY_ID", s3srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3srv.SecretKey)
	t.Setenv("AWS_REGION", s3srv.Region)
	proxy := newCountingProxy(t, s3srv.Endpoint)
	base := []string{"scan", "s3://" + bucket + "/AWSLogs/", "--endpoint", proxy.URL, "--path-style", "--since", "2025-03-10", "--until", "2025-03-11", "--format", "jsonl"}
	for _, c := range []struct {
		name, flag, value, says string
	}{
		{"Requests", "--max-requests", "3", "more than --max-requests 3"},
		{"Bytes", "--max-bytes", "1KB", "more than --max-bytes 1,000"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "hits.jsonl")
			before := proxy.gets.Load()
			code, _, errOut := cli(t, append(base, c.flag, c.value, "--out", out)...)
			if code != exitUsage || !strings.Contains(errOut, "over budget") || !strings.Contains(errOut, c.says) {
				t.Fatalf("exit %d, want %d with %q; stderr:\n%s", code, exitUsage, c.says, errOut)
			}
			if n := proxy.gets.Load() - before; n != 0 {
				t.Errorf("an over-budget scan downloaded %d objects", n)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("an over-budget scan left %s (%v)", out, err)
			}
		})
	}
	t.Run("WithinBudget", func(t *testing.T) {
		code, _, errOut := cli(t, append(base, "--max-requests", "100000", "--max-bytes", "1GB", "--quiet")...)
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if proxy.gets.Load() == 0 {
			t.Error("a scan within its budget downloaded nothing")
		}
	})
}

// regionSource is an S3-like target whose bucket is in region.
type regionSource struct {
	sources.Source
	region string
}

func (r regionSource) Region() string      { return r.region }
func (r regionSource) URI(k string) string { return "s3://b/" + k }

func TestPlanRegionWarning(t *testing.T) {
	tgs := []scan.Target{{Source: regionSource{region: "eu-west-1"}, Prefix: "AWSLogs/"}}
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_DEFAULT_REGION", "")
	if w := regionWarnings(tgs); len(w) != 1 || !strings.Contains(w[0], "s3://b/AWSLogs/ is in region eu-west-1") || !strings.Contains(w[0], "us-east-1") {
		t.Errorf("bucket in eu-west-1 from us-east-1: %q", w)
	}
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "EU-WEST-1")
	if w := regionWarnings(tgs); len(w) != 0 {
		t.Errorf("same region, other case: %q", w)
	}
	t.Setenv("AWS_DEFAULT_REGION", "")
	if w := regionWarnings(tgs); len(w) != 0 {
		t.Errorf("machine region unknown: %q", w)
	}
}

func TestPlanCostAndSizes(t *testing.T) {
	// 1,000 LIST and 1,000 GET at S3 Standard list prices: $0.005 + $0.0004.
	if got := 1000*s3ListPrice + 1000*s3GetPrice; got < 0.0053999 || got > 0.0054001 {
		t.Errorf("S3 cost of 1,000 + 1,000 requests = %v, want 0.0054", got)
	}
	// 10,000 list and 10,000 reads at the hot tier's: $0.05 + $0.004.
	if got := 10000*azureListPrice + 10000*azureReadPrice; got < 0.053999 || got > 0.054001 {
		t.Errorf("Azure cost of 10,000 + 10,000 requests = %v, want 0.054", got)
	}
	f := func(in string, want int64) {
		t.Helper()
		var b byteSize
		err := b.Set(in)
		switch {
		case want < 0 && err == nil:
			t.Errorf("%q: accepted as %d", in, b)
		case want >= 0 && (err != nil || int64(b) != want):
			t.Errorf("%q = %d (%v), want %d", in, b, err, want)
		}
	}
	f("0", 0)
	f("1000000", 1000000)
	f("1KB", 1000)
	f("500MB", 500000000)
	f("2GiB", 2147483648)
	f("1.5 KiB", 1536)
	f("7B", 7)
	f("lots", -1)
	f("-1", -1)
	f("GB", -1)
}

// TestPlanWithState: --plan asks the sweep's state as the scan would, so
// after a sweep it plans to download nothing and says why.
func TestPlanWithState(t *testing.T) {
	dir := planCorpus(t)
	st := filepath.Join(t.TempDir(), "sweep.state")
	window := []string{"--since", "2025-03-10T12:00:00Z", "--until", "2025-03-11T06:00:00Z"}
	code, before, errOut := cli(t, append([]string{"scan", "--plan", dir, "--state", st}, window...)...)
	if code != exitOK {
		t.Fatalf("--plan before the sweep: exit %d\n%s", code, errOut)
	}
	objects, _, _, _ := planNumbers(t, before)
	if code, _, errOut := cli(t, append([]string{"scan", dir, "--state", st, "--format", "jsonl", "--quiet"}, window...)...); code != exitOK {
		t.Fatalf("sweep: exit %d\n%s", code, errOut)
	}
	saved, err := os.ReadFile(st)
	if err != nil {
		t.Fatal(err)
	}
	code, after, errOut := cli(t, append([]string{"scan", "--plan", dir, "--state", st}, window...)...)
	if code != exitOK {
		t.Fatalf("--plan after the sweep: exit %d\n%s", code, errOut)
	}
	if now, err := os.ReadFile(st); err != nil || !bytes.Equal(now, saved) {
		t.Errorf("--plan changed the state file (%v)", err)
	}
	if n, _, _, _ := planNumbers(t, after); n != 0 {
		t.Errorf("after the sweep the plan would download %d objects, want 0\n%s", n, after)
	}
	if want := fmt.Sprintf("passed over      %d objects: unchanged since the last sweep", objects); !strings.Contains(after, want) {
		t.Errorf("plan after the sweep lacks %q:\n%s", want, after)
	}
}
