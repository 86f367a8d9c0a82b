package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaral")
	os.WriteFile(bad, []byte("rule r {\n  events:\n    $e.metadata.product_event_type = \"x\n  condition:\n    $e\n}\n"), 0o644)
	unsupported := filepath.Join(dir, "match.yaral")
	os.WriteFile(unsupported, []byte("rule r {\n  events:\n    $e.principal.ip = \"1.2.3.4\"\n  match:\n    $e.principal.ip over 5m\n  condition:\n    $e\n}\n"), 0o644)
	sample := "../../testdata/samples/aws_ssm_SendCommand__stratus.json"
	f := func(wantCode int, wantErr string, args ...string) {
		t.Helper()
		code, out, errOut := cli(t, args...)
		if code != wantCode || !strings.Contains(errOut, wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", args, code, errOut, wantCode, wantErr)
		}
		if out != "" {
			t.Errorf("%v: stdout must carry data only, got %q", args, out)
		}
	}
	f(exitUsage, "flag provided but not defined: -bogus", "scan", sample, "--bogus")
	f(exitUsage, "unknown command", "scna")
	f(exitUsage, "no archive given", "scan")
	f(exitUsage, "is not before --until", "scan", sample, "--since", "2024-02-01", "--until", "2024-01-01")
	f(exitUsage, `cannot parse time "yesterday"`, "scan", sample, "--since", "yesterday")
	f(exitUsage, "is in the future", "scan", sample, "--since", "2999-01-01")
	f(exitUsage, "bad.yaral:3:38:", "scan", sample, "--rule", bad)
	f(exitUsage, "match.yaral:4:3: rule r: match on $e.principal.ip (only placeholders): multi-event construct not supported yet", "scan", sample, "--rule", unsupported)
	f(exitUsage, `rule "no_such_rule"`, "scan", sample, "--rule", "no_such_rule")
	f(exitUsage, "unknown output format", "scan", sample, "--format", "xml", "--out", filepath.Join(dir, "x"))
	f(exitUsage, "cannot open archive", "scan", filepath.Join(dir, "missing"))
	f(exitError, "cannot create output", "scan", sample, "--out", filepath.Join(dir, "no", "such", "dir", "hits.parquet"))
	if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
		t.Errorf("a usage error left an output file behind")
	}
}

func TestRulesCommands(t *testing.T) {
	code, out, _ := cli(t, "rules", "list")
	if code != exitOK || !strings.Contains(out, "direct_cloud_vm_connection_t1021_008  by name") || !strings.Contains(out, "azure_serial_console_connect") {
		t.Errorf("rules list: %d\n%s", code, out)
	}
	code, out, _ = cli(t, "rules", "show", "direct_cloud_vm_connection_t1021_008")
	seed, _ := os.ReadFile("../../scan/rules/builtin/named/direct_cloud_vm_connection_t1021_008.yaral")
	if code != exitOK || strings.TrimSpace(out) != strings.TrimSpace(string(seed)) {
		t.Errorf("rules show does not print the seed rule verbatim")
	}
	code, out, _ = cli(t, "rules", "lint", "aws_ssm_session_manager", "azure_run_command")
	if code != exitOK || strings.Count(out, "no findings") != 2 {
		t.Errorf("the built-in pack must lint clean: %d\n%s", code, out)
	}
}

// TestLintSeedRule pins what `rules lint` says of the seed rule (its
// comparisons that the UDM mapping of docs/udm.md can never make true, as
// the README describes): each dead comparison, with its position and a
// fix.
func TestLintSeedRule(t *testing.T) {
	code, out, _ := cli(t, "rules", "lint", "../../scan/rules/builtin/named/direct_cloud_vm_connection_t1021_008.yaral")
	if code != exitError {
		t.Errorf("exit %d, want %d for a rule with findings", code, exitError)
	}
	for _, want := range []string{
		`:16:27: never-true: never true: metadata.vendor_name is "AMAZON" for AWS_CLOUDTRAIL and "Microsoft" for AZURE_ACTIVITY and "Microsoft" for AZURE_AD and "Microsoft" for AZURE_AD_AUDIT and "Microsoft" for MICROSOFT_GRAPH_ACTIVITY_LOGS, never "Amazon Web Services"`,
		`fix: $e.metadata.vendor_name = "AMAZON"`,
		`:29:1: warning: StartSSHSession appears in no public CloudTrail record`,
		`:37:1: never-true: never true for AZURE_ACTIVITY: target.resource.name holds the resource id`,
		`fix: re.regex($e.metadata.product_event_type, ` + "`(?i)VIRTUALMACHINES/RUNCOMMAND/ACTION`",
		`:38:4: never-true`,
		`:38:38: warning: SERIALCONSOLE/CONSOLESERVICES/ACCESS is not an Azure operation`,
		`MICROSOFT.SERIALCONSOLE/SERIALPORTS/CONNECT/ACTION`,
		`:39:4: never-true`,
		`:12:1: note: metadata.event_type`,
		`:1:1: never-true: rule direct_cloud_vm_connection_t1021_008 can never match`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// TestOutputNeverFollowsSymlinks: --out naming a symlink replaces the link
// itself; the file it pointed to is untouched, and the new file is 0640.
func TestOutputNeverFollowsSymlinks(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hits.parquet")
	if err := os.Symlink(victim, out); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, "scan", "../../testdata/samples/aws_ssm_SendCommand__stratus.json", "--out", out, "--quiet")
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if b, _ := os.ReadFile(victim); string(b) != "keep me" {
		t.Errorf("the symlink's target was overwritten")
	}
	st, err := os.Lstat(out)
	if err != nil || st.Mode()&os.ModeSymlink != 0 || st.Mode().Perm() != 0o640 {
		t.Errorf("output %v %v, want a regular 0640 file", st.Mode(), err)
	}
}
