// Package gen writes deterministic, realistic CloudTrail and Azure
// Activity Log archives for demos, end-to-end tests and benchmarks.
//
// The layouts follow docs/sources.md ("Layouts") exactly; record shapes are copied
// from the public samples in testdata/samples. Noise dominates (SSM
// agent heartbeats, S3 data events, STS, KMS, EC2 reads; Azure control
// plane writes and actions), a small planted share is T1021.008 activity
// listed in the returned []Truth, and a few tricky negatives that a
// correct scanner must not report are listed in Stats.Decoys.
//
// Every object is a pure function of (Config, object identity), so the
// workers may run in any order and the output stays byte-identical.
package gen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/retrohunt/retrohunt/sources"
)

// Config says what to generate. Zero fields take the documented
// defaults; the same Config (and Seed) always yields the same bytes.
type Config struct {
	Seed int64
	// Start is the first hour (UTC); it is truncated to the hour.
	// Default 2025-03-10T00:00Z.
	Start time.Time
	// Days is the number of 24-hour periods from Start. Default 1.
	Days int
	// AWSAccounts are 12-digit account ids. Default two accounts.
	AWSAccounts []string
	// Regions default to us-east-1 and eu-west-1.
	Regions []string
	// OrgID, when set ("o-" + 10–32 lower-case alnum), switches CloudTrail
	// keys to the organization-trail layout AWSLogs/<o-org>/<account>/….
	OrgID string
	// Subscriptions are Azure subscription GUIDs. Default one.
	Subscriptions []string
	// FilesPerDay is the number of CloudTrail objects per account, region
	// and day (real trails: 288). Default 24.
	FilesPerDay int
	// RecordsPerFile is the mean number of records per CloudTrail object
	// (uniform over ±50%). Default 100.
	RecordsPerFile int
	// AzureRecordsPerHour is the approximate number of records per hourly
	// blob. Default 50. Negative: no Azure blobs.
	AzureRecordsPerHour int
	// PositiveRate is the planted share of records. Default 0.001; every
	// Kind is planted at least once (AWS kinds when there are CloudTrail
	// objects, Azure kinds when there are Azure blobs) whatever the rate.
	PositiveRate float64
	// Gzip is kept for the shape the brief gave; it means AzureGzip.
	// CloudTrail objects are always gzip (.json.gz).
	Gzip bool
	// AzureGzip gzips PT1H.json bodies (the key keeps its name, as when
	// teams re-archive exports; readers detect gzip by magic bytes).
	AzureGzip bool
	// AzureLegacyEnvelope writes about a third of the Azure blobs (and
	// always the first) as {"records":[...]}. Blobs for hours before
	// 2018-11-01 use that envelope regardless.
	AzureLegacyEnvelope bool
	// GzipLevel is the klauspost/compress gzip level. Default
	// gzip.DefaultCompression.
	GzipLevel int
	// Workers generate objects in parallel. Default GOMAXPROCS.
	Workers int
}

// Sink receives finished objects. Generate calls Put from several
// goroutines at once (Config.Workers), so Put must be safe for
// concurrent use; it must not retain body after it returns.
type Sink interface {
	Put(key string, body []byte) error
}

// Truth is one planted positive record.
type Truth struct {
	Key string `json:"key"`
	// RecordIndex is the 0-based index in Records, in the legacy Azure
	// "records" array, or the 0-based line in a JSON Lines blob.
	RecordIndex int    `json:"record_index"`
	LogType     string `json:"log_type"` // "cloudtrail" | "azure-activity"
	// EventName is the decoded eventName, or the operationName exactly as
	// written (its casing varies).
	EventName string `json:"event_name"`
	// EventID is the CloudTrail eventID or the Azure correlationId.
	EventID string `json:"event_id"`
	// Principal is userIdentity.arn, or the UPN claim (else
	// identity.authorization.evidence.principalId).
	Principal string `json:"principal"`
	Result    string `json:"result"` // "success" | "failure" | "pending"
	Kind      string `json:"kind"`
}

// Decoy is a record that looks like a positive to a careless scanner but
// is not one (a name inside parameters, a sibling Insight file, a
// same-service non-connection call, a read of a run command).
type Decoy struct {
	Key         string `json:"key"`
	RecordIndex int    `json:"record_index"`
	EventName   string `json:"event_name"`
	Kind        string `json:"kind"`
}

// Stats counts what Generate wrote.
type Stats struct {
	Objects           int   // every object, siblings included
	CloudTrailObjects int   // CloudTrail event-log objects
	SiblingObjects    int   // CloudTrail-Digest and CloudTrail-Insight objects
	AzureObjects      int   // PT1H.json blobs
	Records           int64 // event records in CloudTrail objects and Azure blobs
	Positives         int   // len(Truth)
	CompressedBytes   int64 // bytes as stored (plain Azure blobs count as is)
	DecompressedBytes int64 // bytes after gunzip
	Decoys            []Decoy
}

// Kinds of planted positives, in the order the coverage round plants them.
var (
	AWSKinds = []string{
		KindStartSession, KindResumeSession, KindTerminateSession, KindSendCommand,
		KindStartAutomation, KindSendSSHPublicKey, KindSendSerialConsoleSSHPublicKey,
		KindOpenTunnel, KindEnableSerialConsoleAccess, KindEscaped,
	}
	AzureKinds = []string{
		KindAzVMRunCommand, KindAzVMRunCommandsWrite, KindAzSerialConsole, KindAzVMExtension,
		KindAzVMSSRunCommand, KindAzVMSSExtension, KindAzAKSRunCommand,
	}
)

const (
	KindStartSession                  = "ssm-start-session"
	KindResumeSession                 = "ssm-resume-session"
	KindTerminateSession              = "ssm-terminate-session"
	KindSendCommand                   = "ssm-send-command"
	KindStartAutomation               = "ssm-start-automation-execution"
	KindSendSSHPublicKey              = "ec2-instance-connect-send-ssh-public-key"
	KindSendSerialConsoleSSHPublicKey = "ec2-instance-connect-send-serial-console-ssh-public-key"
	KindOpenTunnel                    = "ec2-instance-connect-open-tunnel"
	KindEnableSerialConsoleAccess     = "ec2-enable-serial-console-access"
	KindEscaped                       = "escaped-positive"

	KindAzVMRunCommand       = "azure-vm-runcommand-action"
	KindAzVMRunCommandsWrite = "azure-vm-runcommands-write"
	KindAzSerialConsole      = "azure-serialconsole-connect-action"
	KindAzVMExtension        = "azure-vm-extensions-write"
	KindAzVMSSRunCommand     = "azure-vmss-vm-runcommand-action"
	KindAzVMSSExtension      = "azure-vmss-extensions-write"
	KindAzAKSRunCommand      = "azure-aks-runcommand-action"
)

const (
	logCloudTrail = "cloudtrail"
	logAzure      = "azure-activity"
)

func (c Config) withDefaults() (Config, error) {
	if c.Start.IsZero() {
		c.Start = time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
	}
	c.Start = c.Start.UTC().Truncate(time.Hour)
	if c.Days == 0 {
		c.Days = 1
	}
	if len(c.AWSAccounts) == 0 {
		c.AWSAccounts = []string{"111122223333", "444455556666"}
	}
	if len(c.Regions) == 0 {
		c.Regions = []string{"us-east-1", "eu-west-1"}
	}
	if len(c.Subscriptions) == 0 {
		r := newRNG(derive(uint64(c.Seed), 2))
		c.Subscriptions = []string{r.uuid()}
	}
	if c.FilesPerDay == 0 {
		c.FilesPerDay = 24
	}
	if c.RecordsPerFile == 0 {
		c.RecordsPerFile = 100
	}
	if c.AzureRecordsPerHour == 0 {
		c.AzureRecordsPerHour = 50
	}
	if c.PositiveRate == 0 {
		c.PositiveRate = 0.001
	}
	if c.GzipLevel == 0 {
		c.GzipLevel = gzip.DefaultCompression
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	c.AzureGzip = c.AzureGzip || c.Gzip
	switch {
	case c.Days < 0 || c.Days > 3660:
		return c, fmt.Errorf("days %d out of range [1, 3660]", c.Days)
	case c.FilesPerDay < 0 || c.FilesPerDay > 1440:
		return c, fmt.Errorf("files per day %d out of range [0, 1440]", c.FilesPerDay)
	case c.RecordsPerFile < 1 || c.RecordsPerFile > 100000:
		return c, fmt.Errorf("records per file %d out of range [1, 100000]", c.RecordsPerFile)
	case c.AzureRecordsPerHour > 100000:
		return c, fmt.Errorf("azure records per hour %d above 100000", c.AzureRecordsPerHour)
	case c.PositiveRate < 0 || c.PositiveRate > 0.5:
		return c, fmt.Errorf("positive rate %g out of range [0, 0.5]", c.PositiveRate)
	case c.GzipLevel < gzip.HuffmanOnly || c.GzipLevel > gzip.BestCompression:
		return c, fmt.Errorf("gzip level %d out of range", c.GzipLevel)
	}
	for _, a := range c.AWSAccounts {
		if !sources.IsAccountID(a) {
			return c, fmt.Errorf("account id %q is not 12 digits", a)
		}
	}
	if c.OrgID != "" && !sources.IsOrgID(c.OrgID) {
		return c, fmt.Errorf("organization id %q does not match o-[a-z0-9]{10,32}", c.OrgID)
	}
	for _, s := range c.Subscriptions {
		if len(s) != 36 {
			return c, fmt.Errorf("subscription %q is not a GUID", s)
		}
	}
	return c, nil
}

// Generate writes the corpus cfg describes into sink and returns what it
// wrote and the planted positives, sorted by key and record index.
func Generate(cfg Config, sink Sink) (Stats, []Truth, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return Stats{}, nil, fmt.Errorf("invalid config: %w", err)
	}
	w := newWorld(&cfg)
	p := makePlan(&cfg, w)
	if p.err != nil {
		return Stats{}, nil, fmt.Errorf("invalid config: %w", p.err)
	}

	results := make([]result, len(p.objects))
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan int)
	)
	for range cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := newWorker(&cfg, w)
			for i := range next {
				if err := k.run(&p.objects[i], &results[i], sink); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range p.objects {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return Stats{}, nil, firstErr
	}

	var st Stats
	var truth []Truth
	for i := range results {
		res := &results[i]
		st.Objects++
		switch p.objects[i].kind {
		case objCloudTrail:
			st.CloudTrailObjects++
		case objAzure:
			st.AzureObjects++
		}
		st.Records += int64(res.records)
		st.CompressedBytes += res.stored
		st.DecompressedBytes += res.raw
		truth = append(truth, res.truth...)
		st.Decoys = append(st.Decoys, res.decoys...)
	}
	// Siblings come last: digests list the log files' hashes.
	k := newWorker(&cfg, w)
	for _, s := range p.siblings(&cfg, w, results) {
		res, err := k.putSibling(s, sink)
		if err != nil {
			return Stats{}, nil, err
		}
		st.Objects++
		st.SiblingObjects++
		st.CompressedBytes += res.stored
		st.DecompressedBytes += res.raw
		st.Decoys = append(st.Decoys, res.decoys...)
	}
	sort.Slice(truth, func(i, j int) bool {
		if truth[i].Key != truth[j].Key {
			return truth[i].Key < truth[j].Key
		}
		return truth[i].RecordIndex < truth[j].RecordIndex
	})
	sort.Slice(st.Decoys, func(i, j int) bool {
		if st.Decoys[i].Key != st.Decoys[j].Key {
			return st.Decoys[i].Key < st.Decoys[j].Key
		}
		return st.Decoys[i].RecordIndex < st.Decoys[j].RecordIndex
	})
	st.Positives = len(truth)
	return st, truth, nil
}

// result is what one worker learned while writing one object.
type result struct {
	truth   []Truth
	decoys  []Decoy
	records int
	stored  int64
	raw     int64
	sha256  string // of the uncompressed body, when a digest lists it
	oldest  time.Time
	newest  time.Time
}

// worker owns the buffers and the gzip writer it reuses for every object.
type worker struct {
	cfg  *Config
	w    *world
	body []byte
	zbuf bytes.Buffer
	zw   *gzip.Writer
	ct   ctWriter
	az   azWriter
}

func newWorker(cfg *Config, w *world) *worker {
	zw, err := gzip.NewWriterLevel(nil, cfg.GzipLevel)
	if err != nil {
		panic("BUG: gzip level validated but rejected: " + err.Error())
	}
	k := &worker{cfg: cfg, w: w, body: make([]byte, 0, 1<<20), zw: zw}
	k.ct.cfg = cfg
	k.az.cfg = cfg
	return k
}

func (k *worker) run(o *object, res *result, sink Sink) error {
	var gz bool
	switch o.kind {
	case objCloudTrail:
		k.body = k.ct.object(k.body[:0], k.w, o, res)
		gz = true
	case objAzure:
		k.body = k.az.blob(k.body[:0], k.w, o, res)
		gz = k.cfg.AzureGzip
	default:
		panic("BUG: sibling in the worker queue")
	}
	if o.hash {
		sum := sha256.Sum256(k.body)
		res.sha256 = hex.EncodeToString(sum[:])
	}
	stored, err := k.put(o.key, k.body, gz, sink)
	res.stored, res.raw = int64(stored), int64(len(k.body))
	return err
}

func (k *worker) put(key string, body []byte, gz bool, sink Sink) (int, error) {
	out := body
	if gz {
		k.zbuf.Reset()
		k.zw.Reset(&k.zbuf)
		if _, err := k.zw.Write(body); err != nil {
			return 0, fmt.Errorf("gzip %s: %w", key, err)
		}
		if err := k.zw.Close(); err != nil {
			return 0, fmt.Errorf("gzip %s: %w", key, err)
		}
		out = k.zbuf.Bytes()
	}
	if err := sink.Put(key, out); err != nil {
		return 0, fmt.Errorf("put %s: %w", key, err)
	}
	return len(out), nil
}

// DirSink writes each object to root/<key>, creating directories. It is
// safe for concurrent use.
func DirSink(root string) Sink { return &dirSink{root: root} }

type dirSink struct {
	root string
	dirs sync.Map // directories already created
}

func (d *dirSink) Put(key string, body []byte) error {
	if key == "" || filepath.IsAbs(key) || !filepath.IsLocal(filepath.FromSlash(key)) {
		return errors.New("key is not a relative local path")
	}
	path := filepath.Join(d.root, filepath.FromSlash(key))
	dir := filepath.Dir(path)
	if _, ok := d.dirs.Load(dir); !ok {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		d.dirs.Store(dir, struct{}{})
	}
	return os.WriteFile(path, body, 0o644)
}
