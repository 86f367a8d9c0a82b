package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			code, script, errOut := cli(t, "completion", shell)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, %s", code, errOut)
			}
			for _, want := range []string{"scan", "explain", "report", "rules", "completion", "--since", "--progress", "--record", "--html",
				"--summary-json", "direct_cloud_vm_connection_t1021_008", "plain", "jsonl"} {
				if shell == "fish" && strings.HasPrefix(want, "--") {
					want = "-l " + want[2:] + " "
				}
				if !strings.Contains(script, want) {
					t.Errorf("script lacks %q", want)
				}
			}
			// The shell's own syntax check: bash is everywhere; zsh and
			// fish are checked where installed.
			path := filepath.Join(t.TempDir(), "retrohunt."+shell)
			if err := os.WriteFile(path, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			bin, err := exec.LookPath(shell)
			if err != nil {
				if shell == "bash" {
					t.Fatal("bash not found")
				}
				t.Skipf("%s not installed; syntax not checked", shell)
			}
			if out, err := exec.Command(bin, "-n", path).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
		})
	}
	code, _, errOut := cli(t, "completion", "tcsh")
	if code != exitUsage || !strings.Contains(errOut, `unknown shell "tcsh"`) {
		t.Errorf("tcsh: exit %d %q", code, errOut)
	}
}

// TestBashCompletionCompletes runs the bash function as bash would.
func TestBashCompletionCompletes(t *testing.T) {
	_, script, _ := cli(t, "completion", "bash")
	path := filepath.Join(t.TempDir(), "c.bash")
	os.WriteFile(path, []byte(script), 0o644)
	f := func(want string, words ...string) {
		t.Helper()
		line := `source "$1"; COMP_WORDS=(`
		for _, w := range words {
			line += `'` + w + `' `
		}
		line += `); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _retrohunt; echo "${COMPREPLY[*]}"`
		out, err := exec.Command("bash", "-c", line, "bash", path).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", words, err, out)
		}
		if got := strings.TrimSpace(string(out)); got != want {
			t.Errorf("%v: completes to %q, want %q", words, got, want)
		}
	}
	f("report", "retrohunt", "rep")
	f("--profile --progress", "retrohunt", "scan", "--pro")
	f("auto plain none", "retrohunt", "scan", "--progress", "")
	f("jsonl", "retrohunt", "scan", "--format", "j")
	f("aws_ssm_run_command aws_ssm_session_manager", "retrohunt", "explain", "--rule", "aws_ssm_")
	f("--record", "retrohunt", "explain", "--rec")
	f("--html --html-max-hits", "retrohunt", "report", "--htm")
	f("list lint", "retrohunt", "rules", "l")
	f("bash", "retrohunt", "completion", "b")
	f("", "retrohunt", "scan", "--since", "")
}

// Every command has a usage text with at least one example, through
// `help COMMAND` and `COMMAND -h` alike.
func TestHelpTexts(t *testing.T) {
	code, top, _ := cli(t, "--help")
	if code != exitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(top, "retrohunt "+c.name) {
			t.Errorf("top usage does not list %s", c.name)
		}
		if c.name == "help" {
			continue
		}
		code, out, errOut := cli(t, "help", c.name)
		if code != exitOK || errOut != "" {
			t.Errorf("help %s: exit %d, stderr %q", c.name, code, errOut)
		}
		if !strings.Contains(out, "Usage:") || !strings.Contains(out, "Example") || !strings.Contains(out, "  retrohunt "+c.name) {
			t.Errorf("help %s has no usage with an example:\n%s", c.name, out)
		}
		code, out, errOut = cli(t, c.name, "-h")
		if code != exitOK || !strings.Contains(out+errOut, "Usage:") {
			t.Errorf("%s -h: exit %d\n%s%s", c.name, code, out, errOut)
		}
	}
	code, _, errOut := cli(t, "help", "nope")
	if code != exitUsage || !strings.Contains(errOut, `unknown command "nope"`) {
		t.Errorf("help nope: exit %d %q", code, errOut)
	}
}
