package shard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/output/lake"
)

// The deploy/ examples must parse and must drive the CLI as the docs say:
// an Indexed Job whose completions match --shard auto/N, an AWS Batch job
// definition whose --shard takes the array from the environment.

func deployFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkArgs checks a sweep's scan arguments and returns --shard.
func checkArgs(t *testing.T, args []string) string {
	t.Helper()
	if len(args) < 2 || args[0] != "scan" {
		t.Fatalf("args %q: want scan and an archive URL", args)
	}
	flags := map[string]string{}
	for _, a := range args[2:] {
		k, v, ok := strings.Cut(a, "=")
		if !ok || !strings.HasPrefix(k, "--") {
			t.Errorf("argument %q: write flags as --name=value", a)
			continue
		}
		flags[k] = v
	}
	for _, k := range []string{"--since", "--state", "--out", "--partition-by", "--shard", "--summary-json"} {
		if flags[k] == "" {
			t.Errorf("args lack %s", k)
		}
	}
	if out := flags["--out"]; !strings.HasSuffix(out, "/") {
		t.Errorf("--out=%s: a lake prefix ends with /", out)
	}
	if _, err := lake.ParsePartitionBy(flags["--partition-by"]); err != nil {
		t.Error(err)
	}
	return flags["--shard"]
}

// flagsOf reads --name=value arguments after the first n.
func flagsOf(args []string, n int) map[string]string {
	flags := map[string]string{}
	for _, a := range args[min(n, len(args)):] {
		if k, v, ok := strings.Cut(a, "="); ok {
			flags[k] = v
		}
	}
	return flags
}

// checkCorrelate checks a correlate step's arguments against its
// sweep's: the same lake and rules, a state of its own, no shard.
func checkCorrelate(t *testing.T, sweepArgs, args []string) {
	t.Helper()
	if len(args) < 2 || args[0] != "correlate" {
		t.Fatalf("args %q: want correlate and the lake", args)
	}
	sw, co := flagsOf(sweepArgs, 2), flagsOf(args, 2)
	if args[1] != sw["--out"] {
		t.Errorf("correlate reads %s, the shards write %s", args[1], sw["--out"])
	}
	if co["--rule"] == "" || co["--rule"] != sw["--rule"] {
		t.Errorf("correlate --rule=%s, the shards --rule=%s: rule versions must match", co["--rule"], sw["--rule"])
	}
	if co["--state"] == "" || strings.HasPrefix(co["--state"], sw["--state"]) {
		t.Errorf("correlate --state=%s: want a state of its own (the shards': %s)", co["--state"], sw["--state"])
	}
	if _, ok := co["--shard"]; ok {
		t.Error("correlate takes no --shard: it is one process")
	}
}

// kubeDoc parses a deploy YAML file and returns a path getter.
func kubeDoc(t *testing.T, name string) func(string) any {
	doc, err := parseYAML(deployFile(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return func(path string) any {
		t.Helper()
		v := doc
		for _, p := range strings.Split(path, ".") {
			switch n := v.(type) {
			case map[string]any:
				v = n[p]
			case []any:
				i, _ := strconv.Atoi(p)
				if i >= len(n) {
					t.Fatalf("%s: no element %d", path, i)
				}
				v = n[i]
			default:
				t.Fatalf("%s: no %s", path, p)
			}
		}
		return v
	}
}

func strList(v any) []string {
	var out []string
	for _, a := range v.([]any) {
		out = append(out, a.(string))
	}
	return out
}

// TestKubernetesCorrelateJob: the second Job runs correlate over the
// sweep's lake with its rules, later than the sweep's Job can last.
func TestKubernetesCorrelateJob(t *testing.T) {
	sweepDoc, get := kubeDoc(t, "kubernetes/indexed-job.yaml"), kubeDoc(t, "kubernetes/correlate-job.yaml")
	if get("apiVersion") != "batch/v1" || get("kind") != "CronJob" || get("spec.concurrencyPolicy") != "Forbid" {
		t.Error("want a batch/v1 CronJob with concurrencyPolicy Forbid")
	}
	job := "spec.jobTemplate.spec."
	if get(job+"completions") != "1" || get(job+"template.spec.restartPolicy") != "Never" {
		t.Error("correlate is one pod (completions 1) with restartPolicy Never")
	}
	checkCorrelate(t, strList(sweepDoc(job+"template.spec.containers.0.args")), strList(get(job+"template.spec.containers.0.args")))
	// "M H * * *": correlate starts after the sweep's deadline.
	minutes := func(cron string) int {
		f := strings.Fields(cron)
		m, _ := strconv.Atoi(f[0])
		h, _ := strconv.Atoi(f[1])
		return 60*h + m
	}
	deadline, _ := strconv.Atoi(sweepDoc(job + "activeDeadlineSeconds").(string))
	if start, end := minutes(get("spec.schedule").(string)), minutes(sweepDoc("spec.schedule").(string))+deadline/60; start < end {
		t.Errorf("correlate starts at minute %d of the day, before the sweep's Job may end (%d)", start, end)
	}
}

func TestKubernetesIndexedJob(t *testing.T) {
	doc, err := parseYAML(deployFile(t, "kubernetes/indexed-job.yaml"))
	if err != nil {
		t.Fatalf("indexed-job.yaml: %v", err)
	}
	get := func(path string) any {
		t.Helper()
		v := doc
		for _, p := range strings.Split(path, ".") {
			switch n := v.(type) {
			case map[string]any:
				v = n[p]
			case []any:
				i, _ := strconv.Atoi(p)
				if i >= len(n) {
					t.Fatalf("%s: no element %d", path, i)
				}
				v = n[i]
			default:
				t.Fatalf("%s: no %s", path, p)
			}
		}
		return v
	}
	str := func(path string) string { t.Helper(); s, _ := get(path).(string); return s }
	num := func(path string) int {
		t.Helper()
		n, err := strconv.Atoi(str(path))
		if err != nil {
			t.Fatalf("%s = %v: want a number", path, get(path))
		}
		return n
	}
	if str("apiVersion") != "batch/v1" || str("kind") != "CronJob" {
		t.Errorf("want a batch/v1 CronJob, got %s %s", str("apiVersion"), str("kind"))
	}
	if str("spec.concurrencyPolicy") != "Forbid" {
		t.Error("two nights' sweeps must not share the state files: concurrencyPolicy Forbid")
	}
	job := "spec.jobTemplate.spec."
	if str(job+"completionMode") != "Indexed" {
		t.Error("completionMode is not Indexed: pods get no JOB_COMPLETION_INDEX")
	}
	completions, parallelism := num(job+"completions"), num(job+"parallelism")
	if parallelism > completions {
		t.Errorf("parallelism %d > completions %d", parallelism, completions)
	}
	if str(job+"template.spec.restartPolicy") != "Never" {
		t.Error("podFailurePolicy needs restartPolicy Never")
	}
	var args []string
	for _, a := range get(job + "template.spec.containers.0.args").([]any) {
		args = append(args, a.(string))
	}
	flag := checkArgs(t, args)
	if flag != "auto/"+strconv.Itoa(completions) {
		t.Errorf("--shard=%s with %d completions: want auto/%d", flag, completions, completions)
	}
	// Pod 3 of the Job owns shard 3.
	s, err := resolve(flag, env(EnvKubernetes, "3"))
	if err != nil || s != (Shard{3, completions}) {
		t.Errorf("pod 3: shard %v, %v", s, err)
	}
}

// jobDefinition is the part of RegisterJobDefinition the example uses;
// unknown fields fail, so a misspelt key does not go unnoticed.
type jobDefinition struct {
	JobDefinitionName    string   `json:"jobDefinitionName"`
	Type                 string   `json:"type"`
	PlatformCapabilities []string `json:"platformCapabilities"`
	ContainerProperties  struct {
		Image                string     `json:"image"`
		Command              []string   `json:"command"`
		JobRoleArn           string     `json:"jobRoleArn"`
		ExecutionRoleArn     string     `json:"executionRoleArn"`
		ResourceRequirements []typedVal `json:"resourceRequirements"`
		Environment          []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"environment"`
		EphemeralStorage struct {
			SizeInGiB int `json:"sizeInGiB"`
		} `json:"ephemeralStorage"`
		NetworkConfiguration struct {
			AssignPublicIP string `json:"assignPublicIp"`
		} `json:"networkConfiguration"`
		FargatePlatformConfiguration struct {
			PlatformVersion string `json:"platformVersion"`
		} `json:"fargatePlatformConfiguration"`
		LogConfiguration struct {
			LogDriver string `json:"logDriver"`
		} `json:"logConfiguration"`
	} `json:"containerProperties"`
	RetryStrategy struct {
		Attempts       int `json:"attempts"`
		EvaluateOnExit []struct {
			OnExitCode string `json:"onExitCode,omitempty"`
			OnReason   string `json:"onReason,omitempty"`
			Action     string `json:"action"`
		} `json:"evaluateOnExit"`
	} `json:"retryStrategy"`
	Timeout struct {
		AttemptDurationSeconds int `json:"attemptDurationSeconds"`
	} `json:"timeout"`
	PropagateTags bool              `json:"propagateTags"`
	Tags          map[string]string `json:"tags"`
}

type typedVal struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

func TestAWSBatchJobDefinition(t *testing.T) {
	d := json.NewDecoder(bytes.NewReader(deployFile(t, "aws-batch/job-definition.json")))
	d.DisallowUnknownFields()
	var jd jobDefinition
	if err := d.Decode(&jd); err != nil {
		t.Fatalf("job-definition.json: %v", err)
	}
	if jd.Type != "container" || jd.JobDefinitionName == "" || jd.ContainerProperties.Image == "" {
		t.Errorf("job definition %+v", jd)
	}
	if a := jd.RetryStrategy.Attempts; a < 1 || a > 10 {
		t.Errorf("retryStrategy.attempts %d: AWS Batch allows 1 to 10", a)
	}
	for _, e := range jd.RetryStrategy.EvaluateOnExit {
		if a := strings.ToUpper(e.Action); a != "RETRY" && a != "EXIT" {
			t.Errorf("evaluateOnExit action %q", e.Action)
		}
	}
	flag := checkArgs(t, jd.ContainerProperties.Command)
	var co jobDefinition
	d = json.NewDecoder(bytes.NewReader(deployFile(t, "aws-batch/correlate-job-definition.json")))
	d.DisallowUnknownFields()
	if err := d.Decode(&co); err != nil {
		t.Fatalf("correlate-job-definition.json: %v", err)
	}
	if co.Type != "container" || co.JobDefinitionName == "" || co.JobDefinitionName == jd.JobDefinitionName {
		t.Errorf("correlate job definition %+v", co)
	}
	checkCorrelate(t, jd.ContainerProperties.Command, co.ContainerProperties.Command)
	// Child 5 of an array of 16.
	s, err := resolve(flag, env(EnvBatchIndex, "5", EnvBatchArraySize, "16"))
	if err != nil || s != (Shard{5, 16}) {
		t.Errorf("array child 5 of 16: shard %v, %v", s, err)
	}
}

// parseYAML reads the block-style subset of YAML that Kubernetes
// manifests use: mappings, sequences (also of mappings), plain and
// quoted scalars, and flow sequences of scalars ([2, 3]) and {}. It is
// strict about indentation and duplicate keys, which is what catches a
// broken edit; it is not a YAML parser.
func parseYAML(b []byte) (any, error) {
	var ls []yline
	for i, raw := range strings.Split(string(b), "\n") {
		text := stripComment(raw)
		if strings.TrimSpace(text) == "" {
			continue
		}
		trimmed := strings.TrimLeft(text, " ")
		if strings.HasPrefix(trimmed, "\t") || strings.Contains(text[:len(text)-len(trimmed)], "\t") {
			return nil, fmt.Errorf("line %d: tab in indentation", i+1)
		}
		ls = append(ls, yline{no: i + 1, indent: len(text) - len(trimmed), text: strings.TrimRight(trimmed, " ")})
	}
	if len(ls) == 0 {
		return nil, fmt.Errorf("empty document")
	}
	p := &yparser{ls: ls}
	v, err := p.block(0)
	if err == nil && p.i < len(p.ls) {
		err = fmt.Errorf("line %d: unexpected indentation", p.ls[p.i].no)
	}
	return v, err
}

type yline struct {
	no, indent int
	text       string
}

type yparser struct {
	ls []yline
	i  int
}

func stripComment(s string) string {
	inQuote := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote != 0:
			if c == inQuote {
				inQuote = 0
			}
		case c == '"' || c == '\'':
			inQuote = c
		case c == '#' && (i == 0 || s[i-1] == ' '):
			return s[:i]
		}
	}
	return s
}

func (p *yparser) block(indent int) (any, error) {
	l := p.ls[p.i]
	if l.indent != indent {
		return nil, fmt.Errorf("line %d: indented %d, want %d", l.no, l.indent, indent)
	}
	if l.text == "-" || strings.HasPrefix(l.text, "- ") {
		return p.seq(indent)
	}
	return p.mapping(indent)
}

func (p *yparser) mapping(indent int) (any, error) {
	m := map[string]any{}
	for p.i < len(p.ls) && p.ls[p.i].indent == indent && !strings.HasPrefix(p.ls[p.i].text, "- ") {
		l := p.ls[p.i]
		k, v, ok := strings.Cut(l.text, ":")
		if !ok || k == "" || (v != "" && v[0] != ' ') {
			return nil, fmt.Errorf("line %d: want key: value, got %q", l.no, l.text)
		}
		k = unquote(k)
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("line %d: key %q twice", l.no, k)
		}
		p.i++
		v = strings.TrimSpace(v)
		if v != "" {
			sv, err := scalar(v, l.no)
			if err != nil {
				return nil, err
			}
			m[k] = sv
			continue
		}
		if p.i == len(p.ls) {
			return nil, fmt.Errorf("line %d: %s has no value", l.no, k)
		}
		next := p.ls[p.i]
		switch {
		case next.indent > indent:
			child, err := p.block(next.indent)
			if err != nil {
				return nil, err
			}
			m[k] = child
		case next.indent == indent && strings.HasPrefix(next.text, "- "):
			child, err := p.seq(indent)
			if err != nil {
				return nil, err
			}
			m[k] = child
		default:
			return nil, fmt.Errorf("line %d: %s has no value", l.no, k)
		}
	}
	if p.i < len(p.ls) && p.ls[p.i].indent > indent {
		return nil, fmt.Errorf("line %d: unexpected indentation", p.ls[p.i].no)
	}
	return m, nil
}

func (p *yparser) seq(indent int) (any, error) {
	var s []any
	for p.i < len(p.ls) && p.ls[p.i].indent == indent && strings.HasPrefix(p.ls[p.i].text, "- ") {
		l := p.ls[p.i]
		item := strings.TrimSpace(l.text[2:])
		if k, _, ok := strings.Cut(item, ": "); ok && !strings.ContainsAny(k, " \"'[{") || strings.HasSuffix(item, ":") {
			// "- key: value": a mapping whose first line this is.
			p.ls[p.i] = yline{no: l.no, indent: indent + 2, text: item}
			m, err := p.mapping(indent + 2)
			if err != nil {
				return nil, err
			}
			s = append(s, m)
			continue
		}
		p.i++
		v, err := scalar(item, l.no)
		if err != nil {
			return nil, err
		}
		s = append(s, v)
	}
	return s, nil
}

func scalar(v string, no int) (any, error) {
	switch {
	case v == "{}":
		return map[string]any{}, nil
	case strings.HasPrefix(v, "["):
		if !strings.HasSuffix(v, "]") {
			return nil, fmt.Errorf("line %d: unterminated flow sequence %q", no, v)
		}
		var s []any
		for _, e := range strings.Split(v[1:len(v)-1], ",") {
			if e = strings.TrimSpace(e); e != "" {
				s = append(s, unquote(e))
			}
		}
		return s, nil
	case strings.HasPrefix(v, "{"), strings.HasPrefix(v, "&"), strings.HasPrefix(v, "*"), strings.HasPrefix(v, "|"), strings.HasPrefix(v, ">"):
		return nil, fmt.Errorf("line %d: %q is beyond this checker's YAML subset", no, v)
	case (v[0] == '"' || v[0] == '\'') && (len(v) < 2 || v[len(v)-1] != v[0]):
		return nil, fmt.Errorf("line %d: unterminated quote %q", no, v)
	}
	return unquote(v), nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

func TestParseYAML(t *testing.T) {
	good := "a: 1\nb:\n  c: \"x # not a comment\" # comment\n  d:\n  - e: 2\n    f: [1, 2]\n  - s3://plain:x\ng: {}\n"
	v, err := parseYAML([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(v); got != "map[a:1 b:map[c:x # not a comment d:[map[e:2 f:[1 2]] s3://plain:x]] g:map[]]" {
		t.Errorf("parsed %s", got)
	}
	for _, bad := range []string{
		"a: 1\n  b: 2\n",      // stray indentation
		"a: 1\na: 2\n",        // duplicate key
		"a:\n\tb: 1\n",        // tab
		"a: [1, 2\n",          // unterminated flow
		"a: \"x\n",            // unterminated quote
		"a:\n  b: 1\n c: 2\n", // dedent to no level
		"just text\n",         // not a mapping
	} {
		if _, err := parseYAML([]byte(bad)); err == nil {
			t.Errorf("parseYAML(%q) succeeded", bad)
		}
	}
}
