// Package output writes hits: Parquet for data lakes, JSON Lines for
// pipes, and a table for people. The column names are a public API that
// lake tables are built on (docs/output.md): add columns only at the end.
package output

import "time"

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
}

// Writer receives hits in batches from one goroutine. Close flushes and
// finishes the output (the Parquet footer) exactly once.
type Writer interface {
	Write(hits []Hit) error
	Close() error
}
