package scan

import (
	"sort"
	"sync"
	"time"

	"github.com/retrohunt/retrohunt/output"
)

// maxListed bounds the failures and skips kept with their detail; the
// counts stay exact.
const maxListed = 200

// Problem is one object or record that was not fully scanned.
type Problem struct {
	URI    string `json:"uri"`
	Record int    `json:"record"` // -1 for the whole object
	Reason string `json:"reason"`
}

// Summary is the coverage report of a scan: what was looked at, what was
// not and why. Its JSON form is the --summary-json file.
type Summary struct {
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Targets  []string      `json:"targets"`

	ListRequests    int64 `json:"list_requests"`
	PrefixesListed  int64 `json:"prefixes_listed"`
	ObjectsListed   int64 `json:"objects_listed"`
	ObjectsPruned   int64 `json:"objects_pruned"`   // by the date in their key
	ObjectsFiltered int64 `json:"objects_filtered"` // by --accounts/--regions/--subscriptions
	ObjectsSibling  int64 `json:"objects_sibling"`  // CloudTrail digest/Insight/... objects found in a listing (no event records)
	FoldersSibling  int64 `json:"folders_sibling"`  // CloudTrail-Digest/, CloudTrail-Insight/... folders passed over by name: their objects are not listed, so not counted
	ObjectsEmpty    int64 `json:"objects_empty"`
	ObjectsIgnored  int64 `json:"objects_ignored"` // hidden files and notes in local copies
	ObjectsScanned  int64 `json:"objects_scanned"`
	ObjectsFailed   int64 `json:"objects_failed"`   // could not be read to the end
	ObjectsArchived int64 `json:"objects_archived"` // in an offline tier (Glacier, Azure Archive): not downloaded
	Unpruned        bool  `json:"unpruned_listing"`

	// FilesOutsideLayout counts the files found where the layout has
	// folders (notes.txt beside AWSLogs/, x.json.gz in a CloudTrail/
	// folder): not scanned, and not among ObjectsListed.
	// LogsOutsideLayout counts those of them named like logs (.json,
	// .jsonl, .gz, ...): the run is partial then.
	FilesOutsideLayout int64 `json:"files_outside_layout"`
	LogsOutsideLayout  int64 `json:"logs_outside_layout"`

	BytesCompressed   int64 `json:"bytes_compressed"`
	BytesDecompressed int64 `json:"bytes_decompressed"`

	Records            int64 `json:"records"`
	RecordsOutOfWindow int64 `json:"records_out_of_window"`
	RecordsSkipped     int64 `json:"records_skipped"`
	OpenAppendBlobs    int64 `json:"open_append_blobs"`

	// NotSelected counts listed objects Config.Select passed over, by
	// reason ("unchanged" since the last sweep, "other shard").
	NotSelected map[string]int64 `json:"not_selected,omitempty"`
	// HitsDuplicate counts hits dropped because the same CloudTrail event
	// (eventID) was delivered twice and already hit the rule.
	HitsDuplicate int64 `json:"hits_duplicate"`

	Hits       int64            `json:"hits"`
	HitsByRule map[string]int64 `json:"hits_by_rule"`
	// Detections are the detection rows of multi-event rules (one per
	// match key and window), counted apart from Hits.
	Detections       int64            `json:"detections"`
	DetectionsByRule map[string]int64 `json:"detections_by_rule,omitempty"`

	SkipReasons map[string]int64 `json:"skip_reasons"`
	Failures    []Problem        `json:"failures"`
	Skips       []Problem        `json:"skips"`
	ListErrors  []Problem        `json:"list_errors"`
	// OutsideLayout names up to 200 of the files outside the layout,
	// each with why it was not scanned.
	OutsideLayout []Problem `json:"outside_layout,omitempty"`

	// Live state for progress displays, read through Progress.
	queued      int64
	listingDone bool

	mu sync.Mutex
}

// Progress is a consistent snapshot of a running scan's counters.
type Progress struct {
	Started           time.Time
	ObjectsQueued     int64 // survived pruning, waiting or done
	ObjectsDone       int64 // scanned or failed
	ObjectsFailed     int64
	ListingDone       bool // ObjectsQueued is final: an ETA makes sense
	BytesCompressed   int64
	BytesDecompressed int64
	Records           int64
	RecordsSkipped    int64
	Hits              int64
}

// Progress returns the counters so far; it is safe while the scan runs.
func (s *Summary) Progress() Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Progress{
		Started:           s.Started,
		ObjectsQueued:     s.queued,
		ObjectsDone:       s.ObjectsScanned + s.ObjectsFailed,
		ObjectsFailed:     s.ObjectsFailed,
		ListingDone:       s.listingDone,
		BytesCompressed:   s.BytesCompressed,
		BytesDecompressed: s.BytesDecompressed,
		Records:           s.Records,
		RecordsSkipped:    s.RecordsSkipped,
		Hits:              s.Hits,
	}
}

// Partial reports whether anything that should have been scanned was not:
// the exit code is 3 then.
func (s *Summary) Partial() bool {
	return s.ObjectsFailed > 0 || s.ObjectsArchived > 0 || s.RecordsSkipped > 0 || len(s.ListErrors) > 0 || s.LogsOutsideLayout > 0
}

// ReasonLogOutsideLayout is the skip reason of a file named like a log
// found where the layout has folders.
const ReasonLogOutsideLayout = "object not scanned: named like a log but outside the layout, name it as an archive argument"

// outsideCounts adds a walk's files outside the layout; those named
// like logs are logs not scanned: partial coverage.
func (s *Summary) outsideCounts(files, logs int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.FilesOutsideLayout += files
	s.LogsOutsideLayout += logs
	if logs > 0 {
		if s.SkipReasons == nil {
			s.SkipReasons = make(map[string]int64)
		}
		s.SkipReasons[ReasonLogOutsideLayout] += logs
	}
}

// outside names a file the walk found where the layout has folders;
// outsideCounts counts it.
func (s *Summary) outside(uri string, log bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	why := "not scanned: outside the layout, not a log by its name"
	if log {
		why = "not scanned: named like a log but outside the layout; name it as an archive argument to scan it (retrohunt scan " + uri + ")"
	}
	if len(s.OutsideLayout) < maxListed {
		s.OutsideLayout = append(s.OutsideLayout, Problem{URI: uri, Record: -1, Reason: why})
	}
}

func (s *Summary) fail(uri string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ObjectsFailed++
	s.reason("object failed: " + reasonClass(err))
	if len(s.Failures) < maxListed {
		s.Failures = append(s.Failures, Problem{URI: uri, Record: -1, Reason: err.Error()})
	}
}

func (s *Summary) archived(uri string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ObjectsArchived++
	s.reason("object not scanned: archive tier, restore it first")
	if len(s.Failures) < maxListed {
		s.Failures = append(s.Failures, Problem{URI: uri, Record: -1, Reason: "archive tier: restore the object (S3 Glacier restore, Azure rehydrate) and scan again"})
	}
}

func (s *Summary) notSelected(why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.NotSelected == nil {
		s.NotSelected = map[string]int64{}
	}
	s.NotSelected[why]++
}

// written counts the hits handed to the Writer, duplicates already
// dropped, and the duplicates dropped from them.
func (s *Summary) written(hits []output.Hit, duplicates int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.HitsDuplicate += duplicates
	for _, h := range hits {
		if h.RowKind == "detection" {
			if s.DetectionsByRule == nil {
				s.DetectionsByRule = make(map[string]int64)
			}
			s.DetectionsByRule[h.RuleName]++
			s.Detections++
			continue
		}
		if s.HitsByRule == nil {
			s.HitsByRule = make(map[string]int64)
		}
		s.HitsByRule[h.RuleName]++
		s.Hits++
	}
}

func (s *Summary) listError(uri string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ListErrors = append(s.ListErrors, Problem{URI: uri, Record: -1, Reason: err.Error()})
}

func (s *Summary) reason(r string) {
	if s.SkipReasons == nil {
		s.SkipReasons = make(map[string]int64)
	}
	s.SkipReasons[r]++
}

// objectStats is what one worker learns from one object; it is merged
// into the Summary once per object, not once per record.
type objectStats struct {
	uri          string
	compressed   int64
	decompressed int64
	records      int64
	outOfWindow  int64
	openBlob     bool
	skips        []Problem
}

// merge counts what one object yielded. A failed object (scanned false)
// counts its records, but not as an object scanned.
func (s *Summary) merge(o *objectStats, scanned bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if scanned {
		s.ObjectsScanned++
	}
	s.BytesCompressed += o.compressed
	s.BytesDecompressed += o.decompressed
	s.Records += o.records
	s.RecordsOutOfWindow += o.outOfWindow
	if o.openBlob {
		s.OpenAppendBlobs++
	}
	s.RecordsSkipped += int64(len(o.skips))
	for _, p := range o.skips {
		s.reason("record skipped: " + p.Reason)
		if len(s.Skips) < maxListed {
			s.Skips = append(s.Skips, p)
		}
	}
}

// RuleNames returns the rules with hits, most hits first.
func (s *Summary) RuleNames() []string {
	names := make([]string, 0, len(s.HitsByRule))
	for n := range s.HitsByRule {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := s.HitsByRule[names[i]], s.HitsByRule[names[j]]
		if a != b {
			return a > b
		}
		return names[i] < names[j]
	})
	return names
}
