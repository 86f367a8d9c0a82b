package decode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"strings"
	"testing"
)

// depthOneByteAtATime is depthProblem written the plain way, sharing no
// code with the structure scanner: the oracle for depthProblem.
func depthOneByteAtATime(b []byte, max int) string {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > max {
				return fmt.Sprintf("record nests deeper than %d", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return ""
}

// TestDepthProblemFollowsTheWholeLine: a JSON Lines line is checked as a
// whole, whatever it holds (values one after another, a close bracket
// before any open one, strings and escapes), as the plain loop does.
func TestDepthProblemFollowsTheWholeLine(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{`{`, `}`, `[`, `]`, `"`, `\`, `\\`, `\"`, `"a":`, `,`, ` `, `"{[}]"`, strings.Repeat("x", 70), `1`, `"k":"v"`, `[[[[`, `]]]]`}
	for i := 0; i < 100000; i++ {
		var b strings.Builder
		for n := rng.Intn(40); n > 0; n-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		line := []byte(b.String())
		max := 1 + rng.Intn(6)
		if got, want := depthProblem(line, max), depthOneByteAtATime(line, max); got != want {
			t.Fatalf("%q max %d: %q, want %q", line, max, got, want)
		}
	}
}

// randValue returns a random JSON value: strings hold quotes, backslashes,
// brackets and non-ASCII (which encoding/json escapes), some long enough
// for the block scanner and the copying path.
func randValue(rng *rand.Rand, depth int) any {
	switch k := rng.Intn(8); {
	case k < 2 && depth < 6:
		m := map[string]any{}
		for n := rng.Intn(5); n > 0; n-- {
			m[randString(rng)] = randValue(rng, depth+1)
		}
		return m
	case k < 3 && depth < 6:
		a := []any{}
		for n := rng.Intn(5); n > 0; n-- {
			a = append(a, randValue(rng, depth+1))
		}
		return a
	case k < 6:
		return randString(rng)
	case k < 7:
		return rng.NormFloat64() * 1e6
	}
	return []any{true, false, nil}[rng.Intn(3)]
}

func randString(rng *rand.Rand) string {
	parts := []string{`"`, `\`, `\\"`, `]`, `}`, `{[`, "é", "\n", "a", "key", strings.Repeat("y", 50)}
	var b strings.Builder
	for n := rng.Intn(8); n > 0; n-- {
		b.WriteString(parts[rng.Intn(len(parts))])
	}
	if rng.Intn(50) == 0 {
		b.WriteString(strings.Repeat(`z\"`, 300)) // past a 64-byte window
	}
	return b.String()
}

// TestSplitMatchesEncodingJSON splits valid objects in every envelope and
// checks each record's bytes against what encoding/json finds there
// (json.RawMessage keeps a value's bytes as stored), through both
// policies and through the in-place and the copying paths.
func TestSplitMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	for i := 0; i < 300; i++ {
		var recs []any
		for n := 1 + rng.Intn(6); n > 0; n-- {
			m := map[string]any{"eventVersion": "1.08"}
			for k := rng.Intn(4); k > 0; k-- {
				m[randString(rng)] = randValue(rng, 1)
			}
			recs = append(recs, m)
		}
		compact, _ := json.Marshal(map[string]any{"Records": recs})
		indented, _ := json.MarshalIndent(map[string]any{"records": recs}, "", "  ")
		array, _ := json.MarshalIndent(recs, " ", "\t")
		var stream bytes.Buffer
		for _, r := range recs {
			b, _ := json.MarshalIndent(r, "", " ")
			stream.Write(b)
			stream.WriteString("\n")
		}
		// Envelopes as re-serialisers write them: keys sorted (jq -S, and
		// encoding/json's maps), "Records" after other members, twice.
		others := map[string]any{"Records": recs}
		for k := rng.Intn(4); k > 0; k-- {
			others[randString(rng)] = randValue(rng, 1)
		}
		sorted, _ := json.MarshalIndent(others, "", strings.Repeat(" ", rng.Intn(80)))
		half, _ := json.Marshal(recs[:len(recs)/2])
		rest, _ := json.Marshal(recs[len(recs)/2:])
		duplicate := []byte(`{"Records":` + string(half) + `,"n":[1,{"records":2}],"records":` + string(rest) + `}`)
		concatenated := bytes.Join([][]byte{compact, indented, array, sorted, duplicate, stream.Bytes()}, []byte("\n"))
		for _, body := range [][]byte{compact, indented, array, stream.Bytes(), sorted, duplicate, concatenated} {
			want := oracleRecords(t, body)
			for _, window := range []int{64, 256 << 10} {
				for _, fast := range []bool{false, true} {
					if got := splitRecords(body, window, fast); fmt.Sprint(got) != fmt.Sprint(want) {
						t.Fatalf("window %d fast %v: %s\nsplit into\n%q\nencoding/json finds\n%q", window, fast, body, got, want)
					}
				}
			}
		}
	}
}

// oracleRecords returns the records of body as encoding/json finds them:
// each top-level value in turn, an array's elements, the elements of
// every "Records" or "records" array of an object that has one (other
// members passed over, duplicate keys each read), else the value itself.
func oracleRecords(t *testing.T, body []byte) []string {
	var out []string
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		var doc json.RawMessage
		if err := dec.Decode(&doc); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, documentRecords(t, doc)...)
	}
}

func documentRecords(t *testing.T, doc json.RawMessage) []string {
	var out []string
	elements := func(v json.RawMessage) {
		var arr []json.RawMessage
		if err := json.Unmarshal(v, &arr); err != nil {
			t.Fatal(err)
		}
		for _, r := range arr {
			out = append(out, string(r))
		}
	}
	switch doc[0] {
	case '[':
		elements(doc)
		return out
	case '{':
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.Token() // {
		envelope := false
		for dec.More() {
			k, _ := dec.Token()
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			if k == "Records" || k == "records" {
				envelope = true
				elements(v)
			}
		}
		if envelope {
			return out
		}
	}
	return []string{string(doc)}
}

func splitRecords(body []byte, window int, fast bool) []string {
	defer func(old int) { fastWindow = old }(fastWindow)
	fastWindow = window
	var out []string
	fn := func(_ int, raw []byte) error {
		out = append(out, string(raw))
		return nil
	}
	d := NewDecoder(Limits{})
	var err error
	if fast {
		_, err = d.DecodeUnchecked(bytes.NewReader(body), fn)
	} else {
		_, err = d.Decode(bytes.NewReader(body), fn)
	}
	if err != nil {
		out = append(out, "error: "+err.Error())
	}
	return out
}
