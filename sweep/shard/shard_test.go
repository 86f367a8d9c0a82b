package shard

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	f := func(in string, want Shard) {
		t.Helper()
		got, err := Parse(in)
		if err != nil || got != want {
			t.Errorf("Parse(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	f("3/16", Shard{3, 16})
	f("0/1", Shard{0, 1})
	f("9999/10000", Shard{9999, 10000})
	for _, bad := range []string{"", "3", "16/16", "-1/4", "1/0", "a/4", "1/b", "1/10001", "1/2/3", " 1/2"} {
		if s, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", bad, s)
		}
	}
}

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestResolve(t *testing.T) {
	f := func(flag string, getenv func(string) string, want Shard, wantErr string) {
		t.Helper()
		got, err := resolve(flag, getenv)
		switch {
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("resolve(%q) = %v, %v; want an error with %q", flag, got, err, wantErr)
		case wantErr == "" && (err != nil || got != want):
			t.Errorf("resolve(%q) = %v, %v; want %v", flag, got, err, want)
		}
	}
	none := env()
	f("", none, Shard{}, "")
	f("3/16", none, Shard{3, 16}, "")
	f("auto/16", env(EnvKubernetes, "3"), Shard{3, 16}, "")
	f("auto/16", env(EnvBatchIndex, "15"), Shard{15, 16}, "")
	f("auto", env(EnvBatchIndex, "2", EnvBatchArraySize, "4"), Shard{2, 4}, "")
	f("auto/4", env(EnvBatchIndex, "2", EnvBatchArraySize, "4"), Shard{2, 4}, "")
	// Kubernetes first, when both are set.
	f("auto/8", env(EnvKubernetes, "1", EnvBatchIndex, "5"), Shard{1, 8}, "")
	// An explicit flag wins over the environment.
	f("0/1", env(EnvKubernetes, "3"), Shard{0, 1}, "")

	f("auto/4", env(EnvBatchIndex, "2", EnvBatchArraySize, "5"), Shard{}, "differs from the array size")
	f("auto", env(EnvKubernetes, "2"), Shard{}, "pass --shard auto/N")
	f("auto/16", none, Shard{}, "neither JOB_COMPLETION_INDEX")
	f("auto/4", env(EnvKubernetes, "4"), Shard{}, "JOB_COMPLETION_INDEX=4")
	f("auto/x", env(EnvKubernetes, "1"), Shard{}, "count must be a number")
	f("", env(EnvKubernetes, "3"), Shard{}, "--shard auto/N")
	if _, err := resolve("", env(EnvBatchIndex, "0")); !errors.Is(err, ErrUnsharded) {
		t.Errorf("an array job without --shard: %v", err)
	}
	if s, ok, err := fromEnv(4, none); ok || err != nil || s != (Shard{}) {
		t.Errorf("fromEnv without variables = %v %v %v", s, ok, err)
	}
}

// keys is a realistic key set: CloudTrail objects of 3 accounts, 4
// regions and a month of days, and Azure hour blobs.
func keys() []string {
	var ks []string
	for _, acct := range []string{"111122223333", "444455556666", "777788889999"} {
		for _, region := range []string{"us-east-1", "us-west-2", "eu-west-1", "ap-south-1"} {
			for d := 1; d <= 30; d++ {
				for f := 0; f < 20; f++ {
					ks = append(ks, fmt.Sprintf("s3://org-trail/AWSLogs/o-a1b2c3d4e5/%s/CloudTrail/%s/2024/04/%02d/%s_CloudTrail_%s_202404%02dT%02d%02dZ_%016X.json.gz",
						acct, region, d, acct, region, d, f, f*3, f*7919+d))
				}
			}
		}
	}
	for h := 0; h < 24*30; h++ {
		ks = append(ks, fmt.Sprintf("azblob://logs/insights-activity-logs/resourceId=/SUBSCRIPTIONS/11111111-2222-3333-4444-555555555555/y=2024/m=04/d=%02d/h=%02d/m=00/PT1H.json", h/24+1, h%24))
	}
	return ks
}

// n shards partition the key set: every key owned by exactly one, each
// with about 1/n of them.
func TestPartition(t *testing.T) {
	ks := keys()
	for _, n := range []int{1, 2, 3, 7, 16, 64} {
		counts := make([]int, n)
		for _, k := range ks {
			owners := 0
			for i := 0; i < n; i++ {
				if (Shard{i, n}).Owns(k) {
					owners++
					counts[i]++
				}
			}
			if owners != 1 {
				t.Fatalf("n=%d: %s owned by %d shards", n, k, owners)
			}
		}
		// Within 5 standard deviations of a fair split: a hash that
		// only used part of the key would be far outside.
		mean := float64(len(ks)) / float64(n)
		tol := 5 * math.Sqrt(mean*(1-1/float64(n)))
		for i, c := range counts {
			if math.Abs(float64(c)-mean) > tol {
				t.Errorf("n=%d: shard %d owns %d keys, mean %.0f ± %.0f", n, i, c, mean, tol)
			}
		}
	}
	if !(Shard{}).Owns(ks[0]) || (Shard{}).Sharded() || !(Shard{1, 2}).Sharded() {
		t.Error("the zero Shard must own everything")
	}
}

// The assignment never changes: these are FNV-1a 64 values, fixed here
// so that a change to the hash (which would move objects between
// per-shard state files) fails.
func TestStable(t *testing.T) {
	f := func(uri string, n, want int) {
		t.Helper()
		if got := Of(uri, n); got != want {
			t.Errorf("Of(%q, %d) = %d, want %d", uri, n, got, want)
		}
	}
	f("", 16, 12)                              // FNV-1a 64 offset basis 0xcbf29ce484222325
	f("a", 16, 10)                             // 0xaf63dc4c8601ec8c
	f("foobar", 1<<10, 0x85944171f73967e8>>54) // the published FNV-1a 64 test vector
}

func TestSuffixAndString(t *testing.T) {
	s := Shard{3, 16}
	if got := s.Suffix("s3://b/retrohunt/ct.state"); got != "s3://b/retrohunt/ct.state-3-of-16" {
		t.Errorf("Suffix = %q", got)
	}
	if got := (Shard{}).Suffix("ct.state"); got != "ct.state" {
		t.Errorf("unsharded Suffix = %q", got)
	}
	if s.String() != "3/16" || (Shard{}).String() != "" {
		t.Errorf("String = %q", s.String())
	}
}
