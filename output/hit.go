// Package output writes hits: Parquet for data lakes, JSON Lines for
// pipes, and a table for people. The column names are a public API that
// lake tables are built on (docs/output.md): add columns only at the end.
package output

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Hit is one record that matched one rule, with its provenance.
type Hit struct {
	RuleName       string    `parquet:"rule_name,zstd,dict" json:"rule_name"`
	RuleVersion    string    `parquet:"rule_version,zstd,dict" json:"rule_version"`
	Severity       string    `parquet:"severity,zstd,dict" json:"severity"`
	Technique      string    `parquet:"technique,zstd,dict" json:"technique"`
	EventTime      time.Time `parquet:"event_time,timestamp(microsecond)" json:"event_time"`
	LogType        string    `parquet:"log_type,zstd,dict" json:"log_type"`
	AccountID      string    `parquet:"account_id,zstd,dict" json:"account_id"`
	Region         string    `parquet:"region,zstd,dict" json:"region"`
	PrincipalUser  string    `parquet:"principal_user,zstd" json:"principal_user"`
	PrincipalIP    string    `parquet:"principal_ip,zstd" json:"principal_ip"`
	UserAgent      string    `parquet:"user_agent,zstd" json:"user_agent"`
	EventSource    string    `parquet:"event_source,zstd,dict" json:"event_source"`
	EventName      string    `parquet:"event_name,zstd,dict" json:"event_name"`
	TargetResource string    `parquet:"target_resource,zstd" json:"target_resource"`
	Result         string    `parquet:"result,zstd,dict" json:"result"`
	ResultDetail   string    `parquet:"result_detail,zstd,dict" json:"result_detail"`
	EventID        string    `parquet:"event_id,zstd" json:"event_id"`
	SourceURI      string    `parquet:"source_uri,zstd" json:"source_uri"`
	SourceETag     string    `parquet:"source_etag,zstd" json:"source_etag"`
	RecordIndex    int64     `parquet:"record_index,zstd" json:"record_index"`
	Raw            string    `parquet:"raw,zstd" json:"raw"`
	// Columns added after the issue-2 schema go below, never above.
	Tactic string `parquet:"tactic,zstd,dict" json:"tactic"`
	// RawBytes is the record's exact bytes when they are not valid UTF-8
	// (and Raw holds them with U+FFFD in place of each run of invalid
	// bytes);
	// "", a Parquet null, otherwise. RawRecord gives the record either
	// way. The column is BINARY, not STRING; in JSON Lines it is base64.
	// A string, not a []byte, so that Hit stays comparable.
	RawBytes string `parquet:"raw_bytes,optional,zstd,bytes" json:"raw_bytes"`
	// RiskScore is the value of the rule's $risk_score outcome variable,
	// or nil (a Parquet null) when the rule defines none: a score of 0
	// and no score are different answers. Hits holding one are compared
	// with reflect.DeepEqual, not ==.
	RiskScore *int64 `parquet:"risk_score,optional" json:"risk_score"`
	// Outcomes holds every outcome variable of the rule that matched, as
	// one JSON object in the rule's order, names without the "$" and
	// values typed (numbers stay numbers); "" (a Parquet null) when the
	// rule has no outcome section. docs/output.md says why JSON and not
	// a MAP column.
	Outcomes string `parquet:"outcomes,optional,zstd" json:"outcomes"`
	// The columns of detection rows: one row per match key and window of
	// a multi-event rule (docs/yaral_windows.md). A hit row leaves every
	// one of them null, RowKind included: coalesce(row_kind, 'hit').
	RowKind string `parquet:"row_kind,optional,zstd,dict" json:"row_kind,omitempty"` // "detection"
	// WindowStart and WindowEnd bound the detection's window.
	WindowStart *time.Time `parquet:"window_start,optional,timestamp(microsecond)" json:"window_start,omitempty"`
	WindowEnd   *time.Time `parquet:"window_end,optional,timestamp(microsecond)" json:"window_end,omitempty"`
	// Match is a JSON object of the match variables' values (names
	// without "$"), in match-section order.
	Match string `parquet:"match,optional,zstd" json:"match,omitempty"`
	// Events is a JSON list of the contributing events' provenance
	// ({"var", "source_uri", "record_index", "event_time"}), in time
	// order, at most the scan's cap; EventCount is the true count.
	Events     string `parquet:"events,optional,zstd" json:"events,omitempty"`
	EventCount *int64 `parquet:"event_count,optional" json:"event_count,omitempty"`
	// WindowTruncated marks a window that reaches outside the scanned
	// --since/--until: events not scanned might have changed it.
	WindowTruncated *bool `parquet:"window_truncated,optional" json:"window_truncated,omitempty"`
}

// RawRecord returns the record exactly as stored: RawBytes when set,
// else Raw.
func (h *Hit) RawRecord() []byte {
	if h.RawBytes != "" {
		return []byte(h.RawBytes)
	}
	return []byte(h.Raw)
}

// MakeValid makes every string of h valid UTF-8, the promise of the
// STRING columns (readers such as DuckDB refuse a file that breaks it):
// each run of invalid bytes becomes one U+FFFD. Raw's exact bytes move
// to RawBytes first. The Parquet and JSON Lines writers call it on every
// hit (the lake writes through the Parquet writer); it is idempotent.
func (h *Hit) MakeValid() {
	if !utf8.ValidString(h.Raw) {
		if h.RawBytes == "" {
			h.RawBytes = h.Raw
		}
		h.Raw = strings.ToValidUTF8(h.Raw, "\uFFFD")
	}
	for _, p := range [...]*string{&h.RuleName, &h.RuleVersion, &h.Severity, &h.Technique, &h.LogType, &h.AccountID,
		&h.Region, &h.PrincipalUser, &h.PrincipalIP, &h.UserAgent, &h.EventSource, &h.EventName, &h.TargetResource,
		&h.Result, &h.ResultDetail, &h.EventID, &h.SourceURI, &h.SourceETag, &h.Tactic} {
		if !utf8.ValidString(*p) {
			*p = strings.ToValidUTF8(*p, "\uFFFD")
		}
	}
}

// Writer receives hits in batches from one goroutine. Close flushes and
// finishes the output (the Parquet footer) exactly once.
type Writer interface {
	Write(hits []Hit) error
	Close() error
}
