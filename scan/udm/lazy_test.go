package udm

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// mapWhole is Map as it was before it decoded only what Table reads: the
// whole record into map[string]any, then Table. It is the oracle for
// Map, sharing with it only Table, Detect, splitPath and derive.
// wholeCategory is Map's category rule on the whole decode: a record
// laid out as Activity whose top-level category (a string, or the
// REST shape's {"value": ...}) is not an Activity category names another
// log and is unsupported; no category, or null, is Activity.
func wholeCategory(doc map[string]any) error {
	c, ok := doc["category"]
	if !ok {
		return nil
	}
	if m, isObject := c.(map[string]any); isObject {
		if c, ok = m["value"]; !ok {
			return nil
		}
	}
	var name string
	switch c := c.(type) {
	case nil:
		return nil
	case string:
		name = c
	case json.Number:
		name = c.String()
	case bool:
		name = strconv.FormatBool(c)
	default: // an array or an object names no category
		return ErrUnsupported
	}
	if !IsActivityCategory(name) {
		return ErrUnsupported
	}
	return nil
}

func mapWhole(raw []byte) (*Event, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the record", ErrMalformed)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, ErrNotObject
	}
	t := Detect(doc)
	if t == Unknown {
		return nil, ErrUnrecognised
	}
	if t == AzureActivity {
		if err := wholeCategory(doc); err != nil {
			if t = wholeTenantType(doc); t == Unknown {
				return nil, err
			}
		}
	}
	ev := apply(t, func(p string) ([]string, bool) { return lookupWhole(doc, p) }, func(p string, emit func(key, val string)) {
		var cur any = doc
		for _, seg := range splitPath(p) {
			m, ok := cur.(map[string]any)
			if !ok {
				return
			}
			if cur, ok = m[seg]; !ok {
				return
			}
		}
		keysWhole(cur, p, emit)
	})
	return ev, nil
}
func lookupWhole(doc map[string]any, path string) ([]string, bool) {
	if head, rest, ok := strings.Cut(path, ".[*]."); ok {
		return lookupWholeEach(doc, head, rest)
	}
	out, ok := valuesWhole(doc, splitPath(path))
	return out, ok && len(out) > 0
}

// valuesWhole walks segs from v: objects by key, arrays by each element.
// At the end a scalar is its value and an array its scalar elements; ok
// is false for a path that is absent or ends at an object or null.
func valuesWhole(v any, segs []string) ([]string, bool) {
	if a, isArray := v.([]any); isArray && len(segs) > 0 {
		var out []string
		for _, e := range a {
			vals, _ := valuesWhole(e, segs)
			out = append(out, vals...)
		}
		return out, len(out) > 0
	}
	if len(segs) > 0 {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[segs[0]]; !ok {
			return nil, false
		}
		return valuesWhole(v, segs[1:])
	}
	if s, ok := scalarWhole(v); ok {
		return []string{s}, true
	}
	if a, ok := v.([]any); ok {
		var out []string
		for _, e := range a {
			if s, ok := scalarWhole(e); ok {
				out = append(out, s)
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

func scalarWhole(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func keysWhole(v any, prefix string, emit func(key, val string)) {
	switch v := v.(type) {
	case map[string]any:
		names := make([]string, 0, len(v))
		for k := range v {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			keysWhole(v[k], prefix+"."+k, emit)
		}
	case []any:
		for _, e := range v {
			keysWhole(e, prefix, emit)
		}
	default:
		if s, ok := scalarWhole(v); ok {
			emit(prefix, s)
		}
	}
}

// sameMapping reports how Map's result differs from mapWhole's: the
// same error class, or the same fields and origins; for bytes that are
// not JSON, ErrMalformed.
func sameMapping(raw []byte) string {
	if d := sameLazy(raw); d != "" {
		return "MapLazy: " + d
	}
	got, gerr := Map(raw)
	if !json.Valid(raw) {
		// The whole decode let a record followed by a stray ] or } pass
		// (Decoder.More stops there); Map refuses all that is not JSON.
		// The decoder hands on valid JSON only.
		if !errors.Is(gerr, ErrMalformed) {
			return fmt.Sprintf("invalid JSON: error %v, want malformed", gerr)
		}
		return ""
	}
	want, werr := mapWhole(raw)
	for _, class := range []error{ErrMalformed, ErrNotObject, ErrUnrecognised, ErrUnsupported} {
		if errors.Is(gerr, class) != errors.Is(werr, class) {
			return fmt.Sprintf("error %v, want %v", gerr, werr)
		}
	}
	if (gerr == nil) != (werr == nil) {
		return fmt.Sprintf("error %v, want %v", gerr, werr)
	}
	if gerr != nil {
		return ""
	}
	if got.Type != want.Type || !reflect.DeepEqual(got.Fields, want.Fields) || !reflect.DeepEqual(got.Origin, want.Origin) {
		return fmt.Sprintf("mapped\n%v\n%v\nwant\n%v\n%v", got.Fields, got.Origin, want.Fields, want.Origin)
	}
	return ""
}

// TestMapMatchesWholeDecode: the samples, and records whose every path
// Table reads holds a random value (strings with escapes and invalid
// UTF-8, number literals, booleans, null, objects, arrays of all of
// these), with duplicate keys and padding, and objects of few and of
// many members, map as the whole decode does.
func TestMapMatchesWholeDecode(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/samples/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		if d := sameMapping(b); d != "" {
			t.Errorf("%s: %s", p, d)
		}
	}
	real, _ := filepath.Glob("../../testdata/real/*/*")
	for _, p := range real {
		b, _ := os.ReadFile(p)
		for i, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if d := sameMapping(line); d != "" {
				t.Errorf("%s:%d: %s", p, i+1, d)
			}
		}
	}
	var paths []string
	for _, r := range Table {
		paths = append(paths, r.From...)
	}
	paths = append(paths, "eventVersion", "operationName", "resourceId", "evt.name", "correlationId")
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < 5000; i++ {
		var b strings.Builder
		b.WriteString("{")
		n := 1 + rng.Intn(12)
		if i%4 == 0 {
			n = 30 + rng.Intn(40) // past sortedMembers, with duplicates
		}
		for k := 0; k < n; k++ {
			if k > 0 {
				b.WriteString(",")
			}
			member(&b, rng, splitPath(paths[rng.Intn(len(paths))]))
		}
		b.WriteString("}")
		raw := []byte(b.String())
		if d := sameMapping(raw); d != "" {
			t.Fatalf("%s\n%s", raw, d)
		}
	}
}

// member writes "seg0":{"seg1":...value} for a path, sometimes with a
// value that cuts the path short.
func member(b *strings.Builder, rng *rand.Rand, segs []string) {
	key, _ := json.Marshal(segs[0])
	b.Write(key)
	b.WriteString(" : ")
	if len(segs) > 1 && rng.Intn(8) > 0 {
		b.WriteString("{")
		if rng.Intn(3) == 0 {
			b.WriteString(`"other":[1,{"x":"y"}],`)
		}
		member(b, rng, segs[1:])
		b.WriteString("}")
		return
	}
	randValue(b, rng, 0)
}

func randValue(b *strings.Builder, rng *rand.Rand, depth int) {
	switch k := rng.Intn(10); {
	case k < 3:
		s := []string{"StartSession", "ssm.amazonaws.com", "1.2.3.4", "arn:aws:iam::1:user/x", "a\\u00e9b", "\\\"q\\\"", "x\xffy", "", "MICROSOFT.COMPUTE\\/X"}[rng.Intn(9)]
		b.WriteString(`"` + s + `"`)
	case k < 5:
		b.WriteString([]string{"0", "-0", "12345", "1.50", "1e5", "-2.5E-3", "123456789012345678901234567890"}[rng.Intn(7)])
	case k < 6:
		b.WriteString(strconv.FormatBool(rng.Intn(2) == 0))
	case k < 7:
		b.WriteString("null")
	case k < 8 && depth < 3:
		b.WriteString(`{"a":`)
		randValue(b, rng, depth+1)
		b.WriteString("}")
	default:
		if depth >= 3 {
			b.WriteString(`"deep"`)
			return
		}
		b.WriteString("[")
		for n := rng.Intn(4); n > 0; n-- {
			randValue(b, rng, depth+1)
			if n > 1 {
				b.WriteString(", ")
			}
		}
		b.WriteString("]")
	}
}

// TestMapAllocations: splitting an object makes one slice of its
// members, and a key without escapes is not copied out of the record:
// mapping the sample CloudTrail and Azure records takes fewer
// allocations than the fields it maps times three (a value's string,
// its slice, its map slot). With a map per object and every key copied,
// the CloudTrail sample took 161.
func TestMapAllocations(t *testing.T) {
	for _, f := range []string{"aws_ssm_StartSession__assumedrole_console_2021.json", "azure_RUNCOMMAND_ACTION__SYNTH_export.json"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/samples", f))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := Map(b)
		if err != nil {
			t.Fatal(err)
		}
		n := testing.AllocsPerRun(20, func() { Map(b) })
		if limit := float64(3 * len(ev.Fields)); n > limit {
			t.Errorf("%s: %v allocations to map %d fields, want at most %v", f, n, len(ev.Fields), limit)
		}
	}
}

// sameLazy reports how MapLazy's event differs from Map's: the same
// error, and, read in an order drawn from the record's bytes, the same
// values and first value of every field Map gives the record, of every
// field Table maps for its type, of a key under each Keys row that the
// record does not hold, and of raw paths (extracted.fields); once with
// a Keys row's key read first and once without any.
func sameLazy(raw []byte) string {
	want, werr := Map(raw)
	got, gerr := MapLazy(raw)
	if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
		return fmt.Sprintf("error %v, want %v", gerr, werr)
	}
	if werr != nil {
		return ""
	}
	if got.Type != want.Type {
		return fmt.Sprintf("type %v, want %v", got.Type, want.Type)
	}
	var paths []string
	for k := range want.Fields {
		paths = append(paths, k)
	}
	for _, r := range Table {
		if r.Type != want.Type {
			continue
		}
		switch {
		case r.Keys:
			paths = append(paths, r.UDM+`["no.such.key"]`)
		case !r.Raw:
			paths = append(paths, r.UDM)
		}
	}
	paths = append(paths, ExtractedPrefix+`eventName"]`, ExtractedPrefix+`userIdentity.arn"]`, "no.such.field")
	slices.Sort(paths)
	h := fnv.New64a()
	h.Write(raw)
	rng := rand.New(rand.NewSource(int64(h.Sum64())))
	rng.Shuffle(len(paths), func(i, j int) { paths[i], paths[j] = paths[j], paths[i] })
	plainFirst := slices.Clone(paths)
	slices.SortStableFunc(plainFirst, func(a, b string) int {
		keyed := func(p string) int {
			if strings.Contains(p, `["`) {
				return 1
			}
			return 0
		}
		return cmp.Compare(keyed(a), keyed(b))
	})
	for round, order := range [][]string{paths, plainFirst} {
		if round > 0 {
			got, _ = MapLazy(raw)
		}
		for _, p := range order {
			if g, w := got.Values(p), want.Values(p); !reflect.DeepEqual(g, w) {
				return fmt.Sprintf("%s = %q, want %q", p, g, w)
			}
			if g, w := got.First(p), want.First(p); g != w {
				return fmt.Sprintf("First(%s) = %q, want %q", p, g, w)
			}
		}
	}
	return ""
}
