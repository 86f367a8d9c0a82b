package scan

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/local"
)

// Issue 15 item 14 (a) and (b): what a failing folder and a dead store
// cost.

// writeCloudTrailTree writes one small CloudTrail object per account and
// day under root and returns how many.
func writeCloudTrailTree(t *testing.T, root string, accounts []string, days int) int {
	t.Helper()
	n := 0
	for _, acct := range accounts {
		for d := 1; d <= days; d++ {
			dir := filepath.Join(root, "AWSLogs", acct, "CloudTrail", "us-east-1", "2024", "03", fmt.Sprintf("%02d", d))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			body := `{"Records":[{"eventVersion":"1.08","eventTime":"2024-03-` + fmt.Sprintf("%02d", d) + `T10:00:00Z","eventSource":"ssm.amazonaws.com","eventName":"StartSession","eventID":"` + acct + fmt.Sprint(d) + `","recipientAccountId":"` + acct + `"}]}`
			name := fmt.Sprintf("%s_CloudTrail_us-east-1_202403%02dT1000Z_x.json.gz", acct, d)
			if err := os.WriteFile(filepath.Join(dir, name), gzipBytes([]byte(body)), 0o644); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	return n
}

// brokenFolder fails every listing under one prefix, as a store does for
// a folder the identity may not read.
type brokenFolder struct {
	*local.Source
	under string
}

var errDenied = errors.New("AccessDenied (HTTP 403)")

func (s brokenFolder) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	if strings.HasPrefix(prefix, s.under) {
		return errDenied
	}
	return s.Source.List(ctx, prefix, fn)
}

func (s brokenFolder) ListDirs(ctx context.Context, prefix string, fn func(sources.Entry) error) error {
	if strings.HasPrefix(prefix, s.under) {
		return errDenied
	}
	return s.Source.ListDirs(ctx, prefix, fn)
}

// TestFailingFolderIsAllThatIsNotCovered: one account's folder cannot be
// listed; the other accounts are scanned, and the summary names that
// folder only, not the whole archive argument.
func TestFailingFolderIsAllThatIsNotCovered(t *testing.T) {
	root := t.TempDir()
	accounts := []string{"111111111111", "222222222222", "333333333333"}
	total := writeCloudTrailTree(t, root, accounts, 3)
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	broken := "AWSLogs/222222222222/"
	var c collect
	cfg := Config{Rules: ruleSets(t)["pack"], Workers: 2, Limits: decode.Limits{MaxRecordBytes: 1 << 20, MaxDepth: 64}}
	sum, err := Run(context.Background(), cfg, []Target{{Source: brokenFolder{src, broken}, Prefix: "AWSLogs/"}}, &c)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(total - 3); sum.ObjectsScanned != want {
		t.Errorf("scanned %d objects, want %d (all but the broken account's 3)", sum.ObjectsScanned, want)
	}
	if len(sum.ListErrors) != 1 || sum.ListErrors[0].URI != src.URI(broken) {
		t.Errorf("list errors %v, want only %s", sum.ListErrors, src.URI(broken))
	}
	if !sum.Partial() {
		t.Error("the summary does not say partial")
	}
}

// deadStore lists a local tree but answers no download: each Open dials
// a closed loopback port, as a store that went away mid-scan does.
type deadStore struct {
	*local.Source
	addr  string
	opens atomic.Int64
}

func (s *deadStore) Open(ctx context.Context, o sources.Object) (io.ReadCloser, error) {
	s.opens.Add(1)
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", s.addr)
	if err == nil {
		c.Close()
		return nil, errors.New("BUG: the closed port answered")
	}
	return nil, fmt.Errorf("GetObject %s: %w", o.Key, err)
}

func (s *deadStore) IsPermanent(error) bool { return false }

// TestDeadStoreStopsTheScan: when no download gets an answer, the scan
// stops with ErrStoreUnreachable after a bounded number of requests
// instead of trying every object.
func TestDeadStoreStopsTheScan(t *testing.T) {
	root := t.TempDir()
	accounts := []string{"111111111111", "222222222222", "333333333333", "444444444444"}
	total := writeCloudTrailTree(t, root, accounts, 25) // 100 objects
	src, err := local.New(root)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more: connection refused
	dead := &deadStore{Source: src, addr: addr}
	const conns = 4
	var c collect
	cfg := Config{Rules: ruleSets(t)["pack"], Workers: 2, Connections: conns, Attempts: 3,
		Limits: decode.Limits{MaxRecordBytes: 1 << 20, MaxDepth: 64}}
	sum, err := Run(context.Background(), cfg, []Target{{Source: dead, Prefix: "AWSLogs/"}}, &c)
	if !errors.Is(err, ErrStoreUnreachable) {
		t.Fatalf("Run: %v, want ErrStoreUnreachable", err)
	}
	// deadStoreAfter failures, plus at most one in flight per connection.
	if n := dead.opens.Load(); n > deadStoreAfter+conns || n >= int64(total) {
		t.Errorf("%d downloads tried of %d objects, want at most %d", n, total, deadStoreAfter+conns)
	}
	if sum.ObjectsScanned != 0 {
		t.Errorf("%d objects scanned", sum.ObjectsScanned)
	}
}
