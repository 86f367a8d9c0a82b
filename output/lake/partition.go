package lake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/retrohunt/retrohunt/output"
)

// The partition columns, in the order given to Options.PartitionBy.
const (
	ByDate    = "date"    // the hit's event_time, UTC day: date=2024-03-01
	ByRule    = "rule"    // rule_name: rule=aws_ssm_run_command
	ByAccount = "account" // account_id (AWS account or Azure subscription)
)

// MaxSegment bounds a partition's path segment ("account=…"): the
// longest column name, "=", and MaxValue.
const MaxSegment = len(ByAccount) + 1 + MaxValue

// DefaultPartition is Hive's name for an empty or missing value.
const DefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// ParsePartitionBy reads a --partition-by value: a comma-separated list
// of date, rule and account, each at most once, in path order.
func ParsePartitionBy(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var by []string
	for _, c := range strings.Split(s, ",") {
		by = append(by, strings.TrimSpace(c))
	}
	return by, checkPartitionBy(by)
}

func checkPartitionBy(by []string) error {
	seen := map[string]bool{}
	for _, c := range by {
		switch c {
		case ByDate, ByRule, ByAccount:
		default:
			return fmt.Errorf("unknown partition column %q (want date, rule or account)", c)
		}
		if seen[c] {
			return fmt.Errorf("partition column %q given twice", c)
		}
		seen[c] = true
	}
	return nil
}

// Partition returns the Hive partition path of h under by, without a
// trailing slash: "date=2024-03-01/rule=aws_ssm_run_command"; "" when by
// is empty.
func Partition(by []string, h *output.Hit) string {
	var b strings.Builder
	for i, c := range by {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(c)
		b.WriteByte('=')
		var v string
		switch c {
		case ByDate:
			if !h.EventTime.IsZero() {
				v = h.EventTime.UTC().Format("2006-01-02")
			}
		case ByRule:
			v = h.RuleName
		case ByAccount:
			v = h.AccountID
		}
		if v == "" {
			b.WriteString(DefaultPartition)
		} else {
			value(&b, v)
		}
	}
	return b.String()
}

// MaxValue bounds a partition value in a path, escaped; with the column
// name and "=" a path segment stays far below the 255 bytes file systems
// allow, and a key of three partitions below S3's 1,024.
const MaxValue = 96

// hashedPrefix is how much of a long escaped value is kept readable.
const hashedPrefix = MaxValue - 1 - 16

// value writes v escaped; a value longer than MaxValue escaped keeps its
// first bytes (never half an escape) followed by "~" and 16 hex digits of
// its SHA-256, so the same value always maps to the same folder and
// different values to different ones. The column in the file keeps the
// whole value.
func value(b *strings.Builder, v string) {
	var e strings.Builder
	escape(&e, v)
	s := e.String()
	if len(s) <= MaxValue {
		b.WriteString(s)
		return
	}
	cut := hashedPrefix
	if i := strings.LastIndexByte(s[:cut], '%'); i >= 0 && i > cut-3 {
		cut = i
	}
	sum := sha256.Sum256([]byte(v))
	b.WriteString(s[:cut])
	b.WriteByte('~')
	b.WriteString(hex.EncodeToString(sum[:8]))
}

// escape writes v as Hive escapes partition values
// (FileUtils.escapePathName): control characters and "#%'*/:=?\{[]^ as
// %XX, so any value is one path element that Hive, Spark, Athena and
// DuckDB read back as v.
func escape(b *strings.Builder, v string) {
	const hexd = "0123456789ABCDEF"
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c == 0x7f || strings.IndexByte("\"#%'*/:=?\\{[]^", c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hexd[c>>4])
			b.WriteByte(hexd[c&15])
			continue
		}
		b.WriteByte(c)
	}
}
