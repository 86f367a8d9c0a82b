package udm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Event is the UDM view of one record, built by the reference mapper.
type Event struct {
	Type LogType
	// Fields holds every mapped UDM path with its values.
	Fields map[string][]string
	// Origin says, per UDM path, which raw path (or "constant") it came
	// from: `retrohunt explain` prints it.
	Origin map[string]string
}

// Values implements rule.Event.
func (e *Event) Values(path string) []string { return e.Fields[path] }

// First returns the first value of a UDM path, or "".
func (e *Event) First(path string) string {
	if v := e.Fields[path]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// ErrNotObject is returned for a record that is valid JSON but no object.
var ErrNotObject = errors.New("record is not a JSON object")

// ErrUnrecognised is returned for an object that is neither a CloudTrail
// nor an Azure Activity record.
var ErrUnrecognised = errors.New("record is neither CloudTrail nor Azure Activity (no eventVersion/eventSource, no operationName/resourceId)")

// ErrMalformed is returned for a record that is not well-formed JSON.
var ErrMalformed = errors.New("malformed JSON")

// Map is the reference mapper: it decodes the whole record with
// encoding/json and applies Table. It is slow and obviously right; the
// fast path must agree with it.
func Map(raw []byte) (*Event, error) {
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
			vals, ok := lookup(doc, p)
			if !ok {
				continue
			}
			if out := derive(r.Derive, vals); len(out) > 0 {
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

// Detect tells a CloudTrail record from an Azure Activity record by keys
// only CloudTrail has, then keys only Azure has.
func Detect(doc map[string]any) LogType {
	if _, ok := doc["eventVersion"]; ok {
		return AWSCloudTrail
	}
	if _, ok := doc["eventSource"]; ok {
		return AWSCloudTrail
	}
	for _, k := range []string{"operationName", "resourceId", "correlationId"} {
		if _, ok := doc[k]; ok {
			return AzureActivity
		}
	}
	if evt, ok := doc["evt"].(map[string]any); ok {
		if _, ok := evt["name"]; ok {
			return AzureActivity
		}
	}
	return Unknown
}

// lookup resolves a raw path. Strings, numbers and booleans are values;
// an array yields each scalar element (a repeated field). A path whose
// leaf is an object, or null, is absent.
func lookup(doc map[string]any, path string) ([]string, bool) {
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

var pathCache sync.Map // string → []string

// splitPath splits "a.b.[c.d]" into ["a" "b" "c.d"].
func splitPath(path string) []string {
	if v, ok := pathCache.Load(path); ok {
		return v.([]string)
	}
	var segs []string
	p := path
	for p != "" {
		if p[0] == '[' {
			end := strings.IndexByte(p, ']')
			if end < 0 {
				panic("BUG: unterminated [ in udm path")
			}
			segs = append(segs, p[1:end])
			p = strings.TrimPrefix(p[end+1:], ".")
			continue
		}
		seg, rest, _ := strings.Cut(p, ".")
		segs = append(segs, seg)
		p = rest
	}
	pathCache.Store(path, segs)
	return segs
}
