package scan

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/internal/reqgate"
	"github.com/retrohunt/retrohunt/sources"
)

// gatedStore is an in-memory Source whose requests go through a reqgate.Gate:
// a listing is in flight while it fetches a page (pageSize keys), not
// while fn runs; an opened body is in flight until it is closed.
type gatedStore struct {
	objects  []sources.Object // sorted by key
	bodies   map[string][]byte
	pageSize int
	gate     *reqgate.Gate
	holdList bool // hold List pages at the gate
	holdGet  bool // hold opened bodies at the gate
}

func (s *gatedStore) Location() string      { return "mem://" }
func (s *gatedStore) URI(key string) string { return "mem://" + key }

func (s *gatedStore) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	var page []sources.Object
	for _, o := range s.objects {
		if strings.HasPrefix(o.Key, prefix) {
			page = append(page, o)
		}
	}
	for first := true; first || len(page) > 0; first = false {
		s.gate.Enter(s.holdList)
		s.gate.Leave()
		n := min(s.pageSize, len(page))
		for _, o := range page[:n] {
			if err := fn(o); err != nil {
				return err
			}
		}
		page = page[n:]
	}
	return nil
}

func (s *gatedStore) ListDirs(ctx context.Context, prefix string, fn func(sources.Entry) error) error {
	s.gate.Enter(false)
	s.gate.Leave()
	seen := map[string]bool{}
	for _, o := range s.objects {
		rest, ok := strings.CutPrefix(o.Key, prefix)
		if !ok {
			continue
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 && !seen[rest[:i]] {
			seen[rest[:i]] = true
			if err := fn(sources.Entry{Dir: prefix + rest[:i+1]}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *gatedStore) Open(ctx context.Context, o sources.Object) (io.ReadCloser, error) {
	s.gate.Enter(s.holdGet)
	return &gatedBody{Reader: bytes.NewReader(s.bodies[o.Key]), g: s.gate}, nil
}

type gatedBody struct {
	io.Reader
	g    *reqgate.Gate
	once sync.Once
}

func (b *gatedBody) Close() error { b.once.Do(b.g.Leave); return nil }

func (s *gatedStore) IsNotExist(error) bool          { return false }
func (s *gatedStore) IsPermanent(error) bool         { return false }
func (s *gatedStore) Properties() sources.Properties { return sources.Properties{Connections: 1000} }
func (s *gatedStore) add(key string, body []byte) {
	s.objects = append(s.objects, sources.Object{Key: key, Size: int64(len(body))})
	s.bodies[key] = body
}
func (s *gatedStore) sorted() {
	sort.Slice(s.objects, func(i, j int) bool { return s.objects[i].Key < s.objects[j].Key })
}
func newGatedStore(g *reqgate.Gate, pageSize int) *gatedStore {
	return &gatedStore{bodies: map[string][]byte{}, pageSize: pageSize, gate: g}
}

// cloudTrailObject is a gzip CloudTrail file of n records at t.
func cloudTrailObject(t time.Time, n int, id string) []byte {
	var b strings.Builder
	b.WriteString(`{"Records":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","accountId":"111122223333","userName":"u%d"},"eventTime":"%s","eventSource":"ssm.amazonaws.com","eventName":"DescribeInstanceInformation","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.%d","eventID":"%s-%d","recipientAccountId":"111122223333"}`,
			i, t.Format(time.RFC3339), i%250, id, i)
	}
	b.WriteString(`]}`)
	return gzipBytes([]byte(b.String()))
}

// TestConnectionsIsOneCap scans stores that hold their requests until
// Config.Connections of them are in flight at once: listing requests,
// buffered downloads and streamed objects each reach the cap, and no mix
// of them ever exceeds it.
func TestConnectionsIsOneCap(t *testing.T) {
	const conns = 4
	since := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	win := sources.Window{Since: since, Until: since.Add(8 * 24 * time.Hour)}
	regions := []string{"eu-west-1", "us-east-1", "ap-south-1"}
	key := func(region string, t time.Time, n int) string {
		return fmt.Sprintf("AWSLogs/111122223333/CloudTrail/%s/%s/111122223333_CloudTrail_%s_%s_%04d.json.gz",
			region, t.Format("2006/01/02"), region, t.Format("20060102T1504Z"), n)
	}
	// fill puts perDay objects in every region and day of the window (24
	// day folders, each listed with its own requests), the nth object with
	// records[n%len(records)] records; it returns the objects and records.
	fill := func(s *gatedStore, perDay int, records []int) (objects, recs int) {
		for _, r := range regions {
			for d := since; d.Before(win.Until); d = d.Add(24 * time.Hour) {
				for i := 0; i < perDay; i++ {
					at := d.Add(time.Duration(i+1) * time.Minute)
					k := records[objects%len(records)]
					objects++
					recs += k
					s.add(key(r, at, objects), cloudTrailObject(at, k, fmt.Sprint(objects)))
				}
			}
		}
		s.sorted()
		return objects, recs
	}
	cases := []struct {
		name               string
		holdList, holdGet  bool
		perDay             int
		records            []int
		workers            int
		bufferBytes        int64
		wantOpen, streamed bool
	}{
		// Day folders listed at once: leaf listings reach the cap.
		{name: "list", holdList: true, perDay: 1, records: []int{2}, workers: 2, wantOpen: true},
		// Buffered downloads reach the cap.
		{name: "download", holdGet: true, perDay: 3, records: []int{2}, workers: 2, wantOpen: true},
		// Every object is streamed by its worker: streamed opens reach
		// the cap.
		{name: "streamed", holdGet: true, perDay: 2, records: []int{40}, workers: conns, bufferBytes: 1024, wantOpen: true, streamed: true},
		// Nothing held, small pages, a mix of buffered and streamed
		// objects: the cap is never exceeded.
		{name: "mixed", perDay: 4, records: []int{2, 40}, workers: 3, bufferBytes: 2000},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := reqgate.New(conns)
			if c.wantOpen {
				defer g.Watch(t)()
			}
			s := newGatedStore(g, 2)
			s.holdList, s.holdGet = c.holdList, c.holdGet
			n, records := fill(s, c.perDay, c.records)
			if c.bufferBytes > 0 {
				streamed := 0
				for _, o := range s.objects {
					if o.Size > c.bufferBytes/4 {
						streamed++
					}
				}
				if c.streamed && streamed != n || !c.streamed && (streamed == 0 || streamed == n) {
					t.Fatalf("%d of %d objects are streamed", streamed, n)
				}
			}
			cfg := Config{Window: win, Workers: c.workers, Connections: conns, BufferBytes: c.bufferBytes,
				Now: func() time.Time { return win.Until.Add(time.Hour) }}
			sum, err := Run(context.Background(), cfg, []Target{{Source: s}}, &collect{})
			if err != nil {
				t.Fatal(err)
			}
			if sum.ObjectsScanned != int64(n) || sum.ObjectsFailed != 0 || sum.Records != int64(records) {
				t.Fatalf("scanned %d objects (%d failed), %d records; want %d objects, %d records; failures %v",
					sum.ObjectsScanned, sum.ObjectsFailed, sum.Records, n, records, sum.Failures)
			}
			got := g.Max()
			if got > conns {
				t.Fatalf("%d requests in flight at once, over the cap of %d", got, conns)
			}
			if c.wantOpen && got != conns {
				t.Fatalf("at most %d requests in flight, want the cap %d", got, conns)
			}
		})
	}
}
