package output_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/output/lake"
	"github.com/retrohunt/retrohunt/sources/local"
)

// outcomeHits are two hits written by hand: one of a rule with an
// outcome section ($risk_score and two more variables, a string and a
// number, in rule order), one of a rule without.
func outcomeHits() []output.Hit {
	t0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	score := int64(85)
	return []output.Hit{
		{RuleName: "a_with_outcomes", Severity: "HIGH", EventTime: t0, LogType: "AWS_CLOUDTRAIL", AccountID: "111122223333",
			Raw: `{"eventName":"StartSession"}`, RiskScore: &score,
			Outcomes: `{"risk_score":85,"principal":"arn:aws:iam::111122223333:user/alice","event_count":3}`},
		{RuleName: "b_without", Severity: "LOW", EventTime: t0.Add(time.Minute), LogType: "AWS_CLOUDTRAIL", AccountID: "111122223333",
			Raw: `{"eventName":"SendCommand"}`},
	}
}

// TestJSONLOutcomes: outcomes is embedded as a JSON object (in rule
// order, typed) and risk_score is a number; both null without.
func TestJSONLOutcomes(t *testing.T) {
	var buf bytes.Buffer
	w := output.NewJSONL(&buf)
	if err := w.Write(outcomeHits()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines", len(lines))
	}
	for _, want := range []string{`"risk_score":85,`, `"outcomes":{"risk_score":85,"principal":"arn:aws:iam::111122223333:user/alice","event_count":3}`} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line 1 lacks %s:\n%s", want, lines[0])
		}
	}
	for _, want := range []string{`"risk_score":null,`, `"outcomes":null`} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("line 2 lacks %s:\n%s", want, lines[1])
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
		t.Fatal(err)
	}
	if o, ok := m["outcomes"].(map[string]any); !ok || o["event_count"] != 3.0 || m["risk_score"] != 85.0 {
		t.Errorf("decoded line 1: outcomes %#v, risk_score %#v", m["outcomes"], m["risk_score"])
	}
}

// TestTableRiskScore: the table gains a RISK column when a hit has a
// score, and is unchanged otherwise.
func TestTableRiskScore(t *testing.T) {
	render := func(hs []output.Hit) string {
		var buf bytes.Buffer
		w := output.NewTable(&buf)
		if err := w.Write(hs); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	hs := outcomeHits()
	got := strings.Split(render(hs), "\n")
	if !strings.Contains(got[0], "SEVERITY  RISK  EVENT") || !strings.Contains(got[1], "HIGH      85    ") || !strings.Contains(got[2], "LOW       -     ") {
		t.Errorf("table with a score:\n%s", strings.Join(got, "\n"))
	}
	if plain := render(hs[1:]); strings.Contains(plain, "RISK") {
		t.Errorf("table without a score has RISK:\n%s", plain)
	}
}

// TestParquetOutcomesReadBack writes a Parquet file and a lake and reads
// both back with parquet-go (output.ReadFile) and with DuckDB:
// risk_score IS NULL without a score, outcomes->>'principal' and
// json_extract(outcomes, '$.event_count') with.
func TestParquetOutcomesReadBack(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "hits.parquet")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	pw := output.NewParquet(f)
	if err := pw.Write(outcomeHits()); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	lakeDir := filepath.Join(dir, "lake") + "/"
	st, err := local.NewDir(lakeDir)
	if err != nil {
		t.Fatal(err)
	}
	lw, err := lake.New(context.Background(), st, "", lake.Options{PartitionBy: []string{lake.ByRule}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := lw.Write(outcomeHits()); err != nil {
		t.Fatal(err)
	}
	if err := lw.CloseWithManifest(map[string]any{"hits": 2}); err != nil {
		t.Fatal(err)
	}

	want := outcomeHits()
	check := func(name string, got []output.Hit) {
		t.Helper()
		if len(got) != 2 {
			t.Fatalf("%s: %d hits", name, len(got))
		}
		sort.Slice(got, func(i, j int) bool { return got[i].RuleName < got[j].RuleName })
		for i := range want {
			if !reflect.DeepEqual(got[i].RiskScore, want[i].RiskScore) || got[i].Outcomes != want[i].Outcomes {
				t.Errorf("%s hit %d: risk_score %v outcomes %q, want %v %q", name, i, got[i].RiskScore, got[i].Outcomes, want[i].RiskScore, want[i].Outcomes)
			}
		}
	}
	got, err := output.ReadFile(file, output.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	check("file", got)
	var fromLake []output.Hit
	filepath.WalkDir(lakeDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".parquet") {
			hs, err := output.ReadFile(p, output.ReadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			fromLake = append(fromLake, hs...)
		}
		return nil
	})
	check("lake", fromLake)

	rows := duckdb(t, `
SELECT rule_name, risk_score IS NULL AS no_score, risk_score, outcomes->>'principal' AS principal,
       CAST(json_extract(outcomes, '$.event_count') AS INTEGER) AS n, outcomes IS NULL AS no_outcomes
FROM read_parquet(?) ORDER BY rule_name`, file, lakeDir+"**/*.parquet")
	for _, name := range []string{"file", "lake"} {
		want := `[{"rule_name":"a_with_outcomes","no_score":false,"risk_score":"85","principal":"arn:aws:iam::111122223333:user/alice","n":3,"no_outcomes":false},` +
			`{"rule_name":"b_without","no_score":true,"risk_score":null,"principal":null,"n":null,"no_outcomes":true}]`
		if rows == nil {
			return // skipped
		}
		if string(rows[name]) != want {
			t.Errorf("DuckDB %s:\n got %s\nwant %s", name, rows[name], want)
		}
	}
}

// duckdb runs query with its one ? replaced by the file and then by the
// lake glob (hive_partitioning), in DuckDB (@duckdb/node-api in
// .cache/duckdb, installed by .ci/install-test-servers.sh), and returns
// the rows of each as JSON. It skips (nil) when node or the package is
// missing, unless RETROHUNT_REQUIRE_SERVERS=1.
func duckdb(t *testing.T, query, file, lakeGlob string) map[string]json.RawMessage {
	t.Helper()
	mods, _ := filepath.Abs("../.cache/duckdb/node_modules")
	node, err := exec.LookPath("node")
	if _, serr := os.Stat(filepath.Join(mods, "@duckdb", "node-api")); err != nil || serr != nil {
		if os.Getenv("RETROHUNT_REQUIRE_SERVERS") == "1" {
			t.Fatalf("DuckDB: node (%v) or @duckdb/node-api in %s (%v) missing; run .ci/install-test-servers.sh", err, mods, serr)
		}
		t.Log("DuckDB check skipped: node or @duckdb/node-api missing (.ci/install-test-servers.sh)")
		return nil
	}
	script := filepath.Join(t.TempDir(), "q.js")
	os.WriteFile(script, []byte(`
const {DuckDBInstance} = require("@duckdb/node-api");
(async () => {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  const q = process.argv[2];
  const out = {};
  for (const [name, src] of [["file", "'" + process.argv[3] + "'"], ["lake", "'" + process.argv[4] + "', hive_partitioning = true"]]) {
    const r = await c.runAndReadAll(q.replace("?", src));
    out[name] = r.getRowObjectsJson();
  }
  console.log(JSON.stringify(out));
})().catch(e => { console.error(e.message); process.exit(1); });
`), 0o644)
	cmd := exec.Command(node, script, query, file, lakeGlob)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("DuckDB: %v\n%s", err, stderr.String())
	}
	var rows map[string]json.RawMessage
	if err := json.Unmarshal(out, &rows); err != nil {
		t.Fatalf("DuckDB output %q: %v", out, err)
	}
	return rows
}
