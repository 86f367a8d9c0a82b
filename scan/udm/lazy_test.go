package udm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
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
	ev := &Event{Type: t, Fields: make(map[string][]string), Origin: make(map[string]string)}
	for _, r := range Table {
		if r.Type != t {
			continue
		}
		if len(r.From) == 0 {
			ev.Fields[r.UDM] = []string{r.Const}
			ev.Origin[r.UDM] = "constant"
			continue
		}
		for _, p := range r.From {
			vals, ok := lookupWhole(doc, p)
			if !ok {
				continue
			}
			if out := deriveAny(r.Derive, vals); len(out) > 0 {
				ev.Fields[r.UDM] = out
				ev.Origin[r.UDM] = p
			}
			break
		}
		if _, ok := ev.Fields[r.UDM]; !ok && r.Derive == ActionFromErr {
			// No errorCode at all is the common, successful case.
			ev.Fields[r.UDM] = []string{"ALLOW"}
			ev.Origin[r.UDM] = "errorCode (absent)"
		}
	}
	return ev, nil
}
func lookupWhole(doc map[string]any, path string) ([]string, bool) {
	if head, rest, ok := strings.Cut(path, ".[*]."); ok {
		return lookupWholeEach(doc, head, rest)
	}
	var cur any = doc
	for _, seg := range splitPath(path) {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[seg]; !ok {
			return nil, false
		}
	}
	switch v := cur.(type) {
	case string:
		return []string{v}, true
	case json.Number:
		return []string{v.String()}, true
	case bool:
		return []string{strconv.FormatBool(v)}, true
	case []any:
		var out []string
		for _, e := range v {
			switch e := e.(type) {
			case string:
				out = append(out, e)
			case json.Number:
				out = append(out, e.String())
			case bool:
				out = append(out, strconv.FormatBool(e))
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

// sameMapping reports how Map's result differs from mapWhole's: the
// same error class, or the same fields and origins; for bytes that are
// not JSON, ErrMalformed.
func sameMapping(raw []byte) string {
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
// these), with duplicate keys and padding, map as the whole decode does.
func TestMapMatchesWholeDecode(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/samples/*.json")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		if d := sameMapping(b); d != "" {
			t.Errorf("%s: %s", p, d)
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
		for k := 0; k < 1+rng.Intn(12); k++ {
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
