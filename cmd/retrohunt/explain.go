package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/retrohunt/retrohunt/explain"
)

const explainUsage = `Usage: retrohunt explain [--rule RULE]... [--record N] RECORD

Shows why a record does or does not match a rule: the record's UDM view
(every mapped field, its values and the raw path each came from), then the
rule's events section evaluated clause by clause, the verdict, and the
rule's lint findings. Clauses that can never be true for any record are
marked "dead".

RECORD is a JSON file holding one record; any archive object (a CloudTrail
.json.gz, an Azure PT1H.json) with --record N; or a hit's source_uri
(file://, s3://, azblob://, https://) with its record_index as --record.
RULE is a rule file (YARA-L .yaral or Sigma .yml), a directory of them or a built-in rule name
(default: the built-in T1021.008 pack).

Examples:
  retrohunt explain --rule aws_ssm_session_manager testdata/samples/aws_ssm_StartSession__stratus.json
  retrohunt explain --rule direct_cloud_vm_connection_t1021_008 testdata/samples/azure_RUNCOMMAND_ACTION__SYNTH_export.json
  retrohunt explain --rule my_rule.yaral s3://org-trail/AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/01/x.json.gz --record 17

Flags:
`

type explainFlags struct {
	ruleFlags
	record int
	src    sourceFlags
}

func (f *explainFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.rules, "rule", "rule file (.yaral or Sigma .yml), directory of them, or built-in rule name; repeatable (default: the built-in T1021.008 pack)")
	f.registerLists(fs)
	fs.IntVar(&f.record, "record", -1, "explain record `N` of the object (a hit's record_index); needed when the object holds more than one")
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
	loaded, _, err := loadRules(ctx, &f.ruleFlags, &f.src)
	if err != nil {
		return err
	}
	loc := pos[0]
	if strings.HasPrefix(strings.ToLower(loc), "file://") {
		// Provenance URIs escape the path ("%20"); the local source
		// takes a plain path.
		u, err := url.Parse(loc)
		if err != nil {
			return usagef("explain: cannot parse %s: %v", loc, err)
		}
		loc = u.Path
	}
	t, err := openTarget(ctx, loc, &f.src, 4)
	if err != nil {
		return err
	}
	rec, err := explain.Fetch(ctx, t.Source, t.Prefix, f.record)
	var ie explain.InputError
	if errors.As(err, &ie) {
		return usageError{fmt.Errorf("explain: %w", err)}
	}
	if err != nil {
		return err
	}
	return explain.Write(stdout, rec, loaded)
}
