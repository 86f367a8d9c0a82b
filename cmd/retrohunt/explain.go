package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/retrohunt/retrohunt/explain"
	"github.com/retrohunt/retrohunt/report"
	"github.com/retrohunt/retrohunt/scan/rules"
)

const explainUsage = `Usage: retrohunt explain [--rule RULE]... [--record N] RECORD
       retrohunt explain [--rule RULE]... --detection N HITS

Shows why a record does or does not match a rule: the record's UDM view
(every mapped field, its values and the raw path each came from), then the
rule's events section evaluated clause by clause, the verdict, and the
rule's lint findings. Clauses that can never be true for any record are
marked "dead".

RECORD is a JSON file holding one record; any archive object (a CloudTrail
.json.gz, an Azure PT1H.json) with --record N; or a hit's source_uri
(file://, s3://, azblob://, https://) with its record_index as --record.
With --detection N, HITS is a scan's output (what 'retrohunt report'
reads: a Parquet file, a folder or lake, a prefix in object storage) and N
a detection row of a multi-event rule, numbered from 1 in the order
'retrohunt report' lists DETECTIONS (window start, then rule). explain
fetches each contributing event again from its source_uri and
record_index, shows its event variable's conditions clause by clause,
then evaluates the window again: each variable's events after the
joins, the condition and its value, the outcomes.

RULE is a rule file (YARA-L .yaral or Sigma .yml), a directory of them or a built-in rule name
(default: the built-in T1021.008 pack).

Examples:
  retrohunt explain --rule aws_ssm_session_manager testdata/samples/aws_ssm_StartSession__stratus.json
  retrohunt explain --rule direct_cloud_vm_connection_t1021_008 testdata/samples/azure_RUNCOMMAND_ACTION__SYNTH_export.json
  retrohunt explain --rule my_rule.yaral s3://org-trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/01/x.json.gz --record 17
  retrohunt explain --rule brute_force.yaral --detection 1 hits.parquet

Flags:
`

type explainFlags struct {
	ruleFlags
	record    int
	detection int
	src       sourceFlags
}

func (f *explainFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.rules, "rule", "rule file (.yaral or Sigma .yml), directory of them, or built-in rule name; repeatable (default: the built-in T1021.008 pack)")
	f.registerLists(fs)
	fs.IntVar(&f.record, "record", -1, "explain record `N` of the object (a hit's record_index); needed when the object holds more than one")
	fs.IntVar(&f.detection, "detection", 0, "explain detection row `N` (from 1, in report's order) of the HITS given instead of a RECORD")
	f.src.register(fs)
}

func cmdExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f explainFlags
	fs, pos, err := parseCommand("explain", explainUsage, stderr, f.register, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return usagef("explain: want exactly one RECORD (a file or a source URI), got %d", len(pos))
	}
	if f.record < -1 {
		return usagef("explain: --record must be >= 0")
	}
	if f.detection < 0 || f.detection > 0 && f.record >= 0 {
		return usagef("explain: --detection N (from 1) takes HITS, without --record")
	}
	loaded, _, err := loadRules(ctx, &f.ruleFlags, &f.src)
	if err != nil {
		return err
	}
	if f.detection > 0 {
		return explainDetection(ctx, stdout, pos[0], f.detection, loaded, &f.src)
	}
	rec, err := fetchRecord(ctx, pos[0], f.record, &f.src)
	if err != nil {
		return err
	}
	return explain.Write(stdout, rec, loaded)
}

// fetchRecord fetches record index (-1: the only one) of the object at
// loc, a path or URI; what names no single record is a usage error.
func fetchRecord(ctx context.Context, loc string, index int, sf *sourceFlags) (*explain.Record, error) {
	if strings.HasPrefix(strings.ToLower(loc), "file://") {
		// Provenance URIs escape the path ("%20"); the local source
		// takes a plain path.
		u, err := url.Parse(loc)
		if err != nil {
			return nil, usagef("explain: cannot parse %s: %v", loc, err)
		}
		loc = u.Path
	}
	t, err := openTarget(ctx, loc, sf, 4)
	if err != nil {
		return nil, err
	}
	rec, err := explain.Fetch(ctx, t.Source, t.Prefix, index)
	var ie explain.InputError
	if errors.As(err, &ie) {
		return nil, usageError{fmt.Errorf("explain: %w", err)}
	}
	return rec, err
}

// explainDetection explains detection row n of the hits at arg.
func explainDetection(ctx context.Context, stdout io.Writer, arg string, n int, loaded []rules.Loaded, sf *sourceFlags) error {
	set := report.NewDetectionSet()
	if err := loadHits(ctx, set, arg, sf); err != nil {
		var ie report.InputError
		if errors.As(err, &ie) {
			return usageError{fmt.Errorf("explain: %w", err)}
		}
		return err
	}
	dets := set.Report().Detections
	if n > len(dets) {
		return usagef("explain: %s holds %d detection rows; --detection %d is past them", arg, len(dets), n)
	}
	d := dets[n-1]
	i := slices.IndexFunc(loaded, func(l rules.Loaded) bool { return l.Multi != nil && l.Rule.Name == d.RuleName })
	if i < 0 {
		if slices.ContainsFunc(loaded, func(l rules.Loaded) bool {
			return l.Sigma != nil && l.Sigma.Correlation != nil && l.Sigma.Title == d.RuleName
		}) {
			return usagef("explain: detection %d is of the Sigma correlation %s: --detection explains YARA-L multi-event rules only; explain each event its events column lists with --rule (its base rules) and its source_uri with --record record_index", n, d.RuleName)
		}
		return usagef("explain: detection %d is of rule %s: rule %s is not among the rules loaded (give its file with --rule)", n, d.RuleName, d.RuleName)
	}
	fetch := func(ctx context.Context, uri string, index int64) (*explain.Record, error) {
		return fetchRecord(ctx, uri, int(index), sf)
	}
	err := explain.WriteDetection(ctx, stdout, d, n, len(dets), loaded[i], fetch)
	var ie explain.InputError
	if errors.As(err, &ie) {
		return usageError{fmt.Errorf("explain: %w", err)}
	}
	return err
}
