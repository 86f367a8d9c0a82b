package udm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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

// ErrUnsupported is returned for a record laid out as Azure Activity
// (operationName, resourceId, time) that is another Azure log: a
// resource log sent by a diagnostic setting, such as AKS's kube-audit,
// whose "category" is not one of the Activity log's.
var ErrUnsupported = errors.New("unsupported log type: an Azure resource log (its category is not an Activity log category)")

// ErrMalformed is returned for a record that is not well-formed JSON.
var ErrMalformed = errors.New("malformed JSON")

// Map is the reference mapper: it reads the record with encoding/json
// and applies Table. It is slow and obviously right; the fast path must
// agree with it.
//
// It decodes only what Table reads: each object on a path is split into
// its members, whose values stay the record's bytes (spans of raw, not
// copies) until a path's leaf is decoded. Whatever a record holds
// elsewhere costs no memory, so a record's mapping takes a small
// multiple of the values it maps, never of the record.
func Map(raw []byte) (*Event, error) {
	var doc members
	if err := json.Unmarshal(raw, &doc); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, ErrNotObject
		}
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if doc == nil {
		return nil, ErrNotObject // null
	}
	t := detect(doc)
	if t == Unknown {
		return nil, ErrUnrecognised
	}
	if t == AzureActivity && !activityCategory(doc["category"]) {
		// Another Azure log: one of the tenant logs we map, or not ours.
		if t = tenantType(doc["category"]); t == Unknown {
			return nil, ErrUnsupported
		}
	}
	ev := &Event{Type: t, Fields: make(map[string][]string), Origin: make(map[string]string)}
	objects := map[string]members{"": doc} // the objects on paths, by path
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
			vals, ok := lookup(objects, p)
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

// members is a JSON object split into its members, each value left as
// its bytes. The last of duplicate keys wins, as in encoding/json.
type members map[string]span

// span is a JSON value's bytes as stored in the record: json.Unmarshal
// hands an Unmarshaler a piece of its input, which lives as long as the
// record, so it is kept without a copy.
type span []byte

func (s *span) UnmarshalJSON(b []byte) error {
	*s = b
	return nil
}

// detect is Detect on a record's members.
func detect(doc members) LogType {
	for _, k := range []string{"eventVersion", "eventSource"} {
		if _, ok := doc[k]; ok {
			return AWSCloudTrail
		}
	}
	for _, k := range []string{"operationName", "resourceId", "correlationId"} {
		if _, ok := doc[k]; ok {
			return AzureActivity
		}
	}
	if evt, ok := object(doc["evt"]); ok {
		if _, ok := evt["name"]; ok {
			return AzureActivity
		}
	}
	return Unknown
}

// ActivityCategories are the categories of the Azure Activity log: the
// event categories of its schema and the operation classes (Write,
// Delete, Action) the storage export writes for Administrative events.
// Compared without regard to case.
var ActivityCategories = []string{
	"Administrative", "ServiceHealth", "ResourceHealth", "Alert", "Autoscale",
	"Security", "Recommendation", "Policy", "Write", "Delete", "Action",
}

// IsActivityCategory reports whether c is an Activity log category.
func IsActivityCategory(c string) bool {
	for _, a := range ActivityCategories {
		if strings.EqualFold(c, a) {
			return true
		}
	}
	return false
}

// activityCategory reports whether a record's top-level "category" (a
// string in the export, {"value": ...} in the REST shape) allows it to be
// an Activity record: absent, or an Activity category. Anything else
// names another log (kube-audit, AuditEvent, ...).
func activityCategory(v span) bool {
	if len(v) == 0 {
		return true
	}
	if m, ok := object(v); ok {
		if v = m["value"]; len(v) == 0 {
			return true
		}
	}
	c, ok := scalar(v)
	if !ok {
		return string(v) == "null" // no category; an array or object names none of Activity's
	}
	return IsActivityCategory(c)
}

// object splits a value into its members, if it is an object.
func object(v span) (members, bool) {
	if len(v) == 0 || v[0] != '{' {
		return nil, false
	}
	var m members
	if json.Unmarshal(v, &m) != nil {
		return nil, false
	}
	return m, true
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

// lookup resolves a raw path through objects, which caches the objects
// split so far by their path. Strings, numbers and booleans are values;
// an array yields each scalar element (a repeated field). A path whose
// leaf is an object, or null, is absent.
func lookup(objects map[string]members, path string) ([]string, bool) {
	if strings.Contains(path, "[*]") {
		return lookupEach(objects, path)
	}
	segs := splitPath(path)
	cur, at := objects[""], ""
	for i, seg := range segs[:len(segs)-1] {
		at = strings.Join(segs[:i+1], "\x00")
		m, ok := objects[at]
		if !ok {
			if m, ok = object(cur[seg]); !ok {
				m = nil // not an object: every path through it is absent
			}
			objects[at] = m
		}
		if m == nil {
			return nil, false
		}
		cur = m
	}
	v, ok := cur[segs[len(segs)-1]]
	if !ok {
		return nil, false
	}
	if len(v) > 0 && v[0] == '[' {
		out := arrayValues(v)
		return out, len(out) > 0
	}
	if s, ok := scalar(v); ok {
		return []string{s}, true
	}
	return nil, false
}

// scalar decodes a string, number or boolean; a number is its literal,
// as json.Number keeps it.
func scalar(v span) (string, bool) {
	if len(v) == 0 {
		return "", false
	}
	switch c := v[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return "", false
		}
		return s, true
	case c == 't':
		return "true", true
	case c == 'f':
		return "false", true
	case c == '-' || c >= '0' && c <= '9':
		return string(v), true
	}
	return "", false // null
}

// arrayValues returns an array's scalar elements, passing over the
// others without decoding them.
func arrayValues(v span) []string {
	var out []string
	dec := json.NewDecoder(bytes.NewReader(v))
	if _, err := dec.Token(); err != nil {
		return nil
	}
	for dec.More() {
		var e span // valid until the next Decode: used at once
		if dec.Decode(&e) != nil {
			return out
		}
		if s, ok := scalar(e); ok {
			out = append(out, s)
		}
	}
	return out
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
