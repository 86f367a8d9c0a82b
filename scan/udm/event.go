package udm

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Event is the UDM view of one record, built by the reference mapper. It
// reads the record's bytes for extracted.fields: use it while they are
// unchanged.
type Event struct {
	Type LogType
	// Fields holds every mapped UDM path with its values.
	Fields map[string][]string
	// Origin says, per UDM path, which raw path (or "constant") it came
	// from: `retrohunt explain` prints it.
	Origin map[string]string

	// raw is the record, from which Values reads extracted.fields["<raw
	// dotted path>"] when a rule asks: an Event is valid only while the
	// bytes given to Map are unchanged (the scan maps, matches and builds
	// the hits of a record before it reuses its buffer).
	raw []byte
	// lazy is set on an event of MapLazy: its fields are mapped when
	// first read.
	lazy *lazyFields
}

// ExtractedPrefix begins the UDM paths that read a raw field by its
// dotted path: extracted.fields["requestParameters.bucketName"] (SecOps'
// view of the raw log).
const ExtractedPrefix = `extracted.fields["`

// Values implements rule.Event. extracted.fields["a.b"] is the raw path
// a.b of the record, read as the table's paths are (through arrays,
// scalars only, empty strings no value).
func (e *Event) Values(path string) []string {
	if e.lazy != nil {
		e.lazy.field(e, path)
	}
	if v, ok := e.Fields[path]; ok {
		return v
	}
	if e.raw == nil || !strings.HasPrefix(path, ExtractedPrefix) || !strings.HasSuffix(path, `"]`) {
		return nil
	}
	key := path[len(ExtractedPrefix) : len(path)-2]
	if key == "" {
		return nil
	}
	return nonEmpty(valuesAt(e.raw, strings.Split(key, ".")))
}

// First returns the first value of a UDM path, or "".
func (e *Event) First(path string) string {
	if e.lazy != nil {
		e.lazy.field(e, path)
	}
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
	doc, t, err := parse(raw)
	if err != nil {
		return nil, err
	}
	objects := map[string]members{"": doc} // the objects on paths, by path
	var slab strSlab
	ev := apply(t, func(p string) ([]string, bool) { return lookupInto(objects, p, &slab) }, func(p string, emit func(key, val string)) {
		if v, ok := spanAt(objects, p); ok {
			keys(v, p, emit)
		}
	})
	ev.raw = raw // not copied: a record near --max-record-bytes must not cost another record's size
	return ev, nil
}

// MapLazy is Map, except that each UDM field is mapped when it is first
// read (Event.Values, Event.First) instead of all at once: the record is
// validated, split at its top level and recognised as Map does, with
// the same errors, and a field read has the values Map gives it. A rule
// reads a few of the forty-odd fields of a record, so a record that is
// mapped for a rule or two costs that much. Origin stays empty, and
// Fields holds only what was read: `retrohunt explain` uses Map.
func MapLazy(raw []byte) (*Event, error) {
	doc, t, err := parse(raw)
	if err != nil {
		return nil, err
	}
	lz := &lazyFields{objects: map[string]members{"": doc}}
	lz.get = func(p string) ([]string, bool) { return lookupInto(lz.objects, p, &lz.slab) }
	if t == AWSCloudTrail {
		lz.eventName = eventNameOf(lz.get)
	}
	return &Event{Type: t, Fields: make(map[string][]string, 16), raw: raw, lazy: lz}, nil
}

// parse validates a record, splits its top level and tells its log type,
// or says why it is none: Map's errors.
func parse(raw []byte) (members, LogType, error) {
	// A valid object is split by hand (splitObject, as the objects
	// under it are); anything else, and an object with a key that
	// splitObject does not decode, takes json.Unmarshal, which says what
	// is wrong with it. encoding/json's decoder into a map was a tenth of
	// a hit-heavy scan's time (BenchmarkPrefilterSets/sigma/object).
	var doc members
	ok := false
	if valid(raw) { // json.Valid's verdict
		doc, ok = splitObject(raw)
	}
	if !ok {
		var whole map[string]span
		if err := json.Unmarshal(raw, &whole); err != nil {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				return nil, Unknown, ErrNotObject
			}
			return nil, Unknown, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		doc = membersOf(whole)
	}
	if doc == nil {
		return nil, Unknown, ErrNotObject // null
	}
	t := detect(doc)
	if t == Unknown {
		return nil, Unknown, ErrUnrecognised
	}
	if t == AzureActivity && !activityCategory(doc.at("category")) {
		// Another Azure log: one of the tenant logs we map, or not ours.
		if t = tenantType(doc.at("category")); t == Unknown {
			return nil, Unknown, ErrUnsupported
		}
	}
	return doc, t, nil
}

// fieldsHint is the size an event's maps are made with.
const fieldsHint = 40

// apply builds the event of a record of type t from Table: get looks
// up a raw path, each calls emit for every scalar under a raw object
// (Keys rows). Map and its whole-decode oracle share it, and only it,
// with Table and derive.
func apply(t LogType, get func(path string) ([]string, bool), each func(path string, emit func(key, val string))) *Event {
	// Room for the fields of a usual record (16 to 40 on the generated
	// corpus) from the start: growing the maps was a twentieth of a
	// hit-heavy scan's time (BenchmarkPrefilterSets/sigma/object).
	ev := &Event{Type: t, Fields: make(map[string][]string, fieldsHint), Origin: make(map[string]string, fieldsHint)}
	eventName := ""
	if t == AWSCloudTrail {
		eventName = eventNameOf(get)
	}
	applyAll(ev, eventName, get, each)
	return ev
}

// eventNameOf is a CloudTrail record's eventName, which some rows are
// limited to (Row.Event); "" when it has none or several.
func eventNameOf(get func(path string) ([]string, bool)) string {
	if v, ok := get("eventName"); ok && len(v) == 1 {
		return v[0]
	}
	return ""
}

// applyAll maps every row of Table for ev's type into ev, in table
// order, leaving the fields ev already has as they are.
func applyAll(ev *Event, eventName string, get func(path string) ([]string, bool), each func(path string, emit func(key, val string))) {
	for i := range Table {
		r := &Table[i]
		if r.Type != ev.Type || r.Raw || r.Event != "" && r.Event != eventName {
			continue // Raw rows are read by Event.Values
		}
		if r.Keys {
			for _, p := range r.From {
				each(p, func(key, val string) {
					if val == "" {
						return
					}
					k := r.UDM + `["` + key + `"]`
					if _, ok := ev.Fields[k]; !ok && ev.Origin != nil {
						ev.Origin[k] = key
					}
					ev.Fields[k] = append(ev.Fields[k], val)
				})
			}
			continue
		}
		if _, done := ev.Fields[r.UDM]; done {
			continue // an earlier row of the field gave it
		}
		applyRow(ev, r, get)
	}
}

// applyRow maps one row that is not a Keys row into ev.
func applyRow(ev *Event, r *Row, get func(path string) ([]string, bool)) {
	origin := func(from string) {
		if ev.Origin != nil {
			ev.Origin[r.UDM] = from
		}
	}
	if len(r.From) == 0 {
		ev.Fields[r.UDM] = []string{r.Const}
		origin("constant")
		return
	}
	for _, p := range r.From {
		vals, ok := get(p)
		if !ok {
			continue
		}
		if out := deriveAny(r, nonEmpty(vals)); len(out) > 0 {
			ev.Fields[r.UDM] = out
			origin(p)
			break
		}
		if r.Derive.isTime() {
			// The first time present is the event's time, read or
			// not: the fast path's recognised reads that one.
			break
		}
	}
	if _, ok := ev.Fields[r.UDM]; !ok && r.Derive == ActionFromErr {
		// No errorCode at all is the common, successful case.
		ev.Fields[r.UDM] = []string{"ALLOW"}
		origin("errorCode (absent)")
	}
}

// lazyFields is what MapLazy keeps to map a field when it is read.
type lazyFields struct {
	objects   map[string]members
	slab      strSlab
	get       func(path string) ([]string, bool)
	eventName string
	all       bool     // every row was applied
	absent    []string // paths read that have no value
}

// field maps path into ev.Fields unless it was read before: the rows of
// that UDM field alone, in table order, as applyAll would, since no
// other row writes it. A path a Keys row may serve (a key of a map,
// `labels["requestParameters.sslPolicy"]`) takes every row at once, as
// Map does, whose order decides such a key's values.
func (lz *lazyFields) field(ev *Event, path string) {
	if lz.all {
		return
	}
	if _, ok := ev.Fields[path]; ok {
		return
	}
	for _, a := range lz.absent {
		if a == path {
			return
		}
	}
	ix := rowIndex()[ev.Type]
	if ix == nil {
		return
	}
	if ix.keyed(path) {
		lz.all = true
		applyAll(ev, lz.eventName, lz.get, func(p string, emit func(key, val string)) {
			if v, ok := spanAt(lz.objects, p); ok {
				keys(v, p, emit)
			}
		})
		return
	}
	for _, i := range ix.rows[path] {
		r := &Table[i]
		if r.Event != "" && r.Event != lz.eventName {
			continue
		}
		if _, done := ev.Fields[path]; done {
			break
		}
		applyRow(ev, r, lz.get)
	}
	if _, ok := ev.Fields[path]; !ok {
		lz.absent = append(lz.absent, path)
	}
}

// typeRows indexes Table for one log type: the rows of each UDM field
// that are neither Keys nor Raw rows, in table order, and the UDM
// prefixes of its Keys rows.
type typeRows struct {
	rows map[string][]int
	keys []string // each Keys row's UDM + `["`
}

// keyed reports whether a Keys row may serve path.
func (x *typeRows) keyed(path string) bool {
	for _, k := range x.keys {
		if strings.HasPrefix(path, k) {
			return true
		}
	}
	return false
}

// rowIndex is Table's index by log type, built once (Table is complete
// after the package's initialisation).
var rowIndex = sync.OnceValue(func() map[LogType]*typeRows {
	out := map[LogType]*typeRows{}
	for i := range Table {
		r := &Table[i]
		x := out[r.Type]
		if x == nil {
			x = &typeRows{rows: map[string][]int{}}
			out[r.Type] = x
		}
		switch {
		case r.Raw:
		case r.Keys:
			x.keys = append(x.keys, r.UDM+`["`)
		default:
			x.rows[r.UDM] = append(x.rows[r.UDM], i)
		}
	}
	return out
})

// nonEmpty drops the empty strings: an empty value is no value, and the
// next raw path is tried ("arn": "" of an IdentityCenterUser).
func nonEmpty(vals []string) []string {
	for i, v := range vals {
		if v == "" {
			out := append([]string(nil), vals[:i]...)
			for _, v := range vals[i+1:] {
				if v != "" {
					out = append(out, v)
				}
			}
			return out
		}
	}
	return vals
}

// members is a JSON object split into its members, each value left as
// its bytes, in the record's order; get reads the last of duplicate
// keys, as encoding/json does. A slice searched from its end rather than
// a map: the objects the table reads hold a few dozen members, and
// building a map of each was a tenth of a hit-heavy scan. An object of
// more than sortedMembers members is sorted by key instead, its
// duplicates dropped, and searched by bisection.
type members []entry

// sortedMembers is the most members an object is searched linearly in.
const sortedMembers = 32

// entry is one member of an object: its key's bytes between the
// quotes, and the key decoded when they hold an escape or non-ASCII
// bytes (dec); its value's bytes.
type entry struct {
	raw span
	key string
	dec bool
	val span
}

// is reports whether the member's key is k.
func (e *entry) is(k string) bool {
	if e.dec {
		return e.key == k
	}
	return string(e.raw) == k
}

// name is the member's key.
func (e *entry) name() string {
	if e.dec {
		return e.key
	}
	return string(e.raw)
}

// get returns the value of key, the last one if it is held twice.
func (m members) get(key string) (span, bool) {
	if len(m) > sortedMembers {
		i, ok := slices.BinarySearchFunc(m, key, func(e entry, k string) int { return strings.Compare(e.key, k) })
		if !ok {
			return nil, false
		}
		return m[i].val, true
	}
	for i := len(m) - 1; i >= 0; i-- {
		if m[i].is(key) {
			return m[i].val, true
		}
	}
	return nil, false
}

// at is get's value alone: nil when key is absent.
func (m members) at(key string) span {
	v, _ := m.get(key)
	return v
}

// sorted returns the members sorted by key, each key once with its last
// value, every key decoded (dec).
func (m members) sorted() members {
	out := make(members, len(m))
	for i, e := range m {
		out[i] = entry{key: e.name(), dec: true, val: e.val}
	}
	slices.SortStableFunc(out, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	n := 0
	for i := range out {
		if i+1 < len(out) && out[i+1].key == out[i].key {
			continue // a later duplicate follows: it wins
		}
		out[n] = out[i]
		n++
	}
	return out[:n]
}

// membersOf turns encoding/json's view of an object into members.
func membersOf(m map[string]span) members {
	if m == nil {
		return nil
	}
	out := make(members, 0, len(m))
	for k, v := range m {
		out = append(out, entry{key: k, dec: true, val: v})
	}
	slices.SortFunc(out, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	return out
}

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
		if _, ok := doc.get(k); ok {
			return AWSCloudTrail
		}
	}
	for _, k := range []string{"operationName", "resourceId", "correlationId"} {
		if _, ok := doc.get(k); ok {
			return AzureActivity
		}
	}
	if evt, ok := object(doc.at("evt")); ok {
		if _, ok := evt.get("name"); ok {
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
		if v = m.at("value"); len(v) == 0 {
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
	return splitObject(v)
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
	return lookupInto(objects, path, nil)
}

// lookupInto is lookup with the slice of a single value taken from slab
// when it is not nil.
func lookupInto(objects map[string]members, path string, slab *strSlab) ([]string, bool) {
	if strings.Contains(path, "[*]") {
		return lookupEach(objects, path)
	}
	sp := splitPathAt(path)
	segs := sp.segs
	cur := objects[""]
	for i, seg := range segs[:len(segs)-1] {
		if v := cur.at(seg); len(v) > 0 && v[0] == '[' {
			// An array on the path: through each of its elements.
			out := valuesAt(v, segs[i+1:])
			return out, len(out) > 0
		}
		at := sp.at[i]
		m, ok := objects[at]
		if !ok {
			if m, ok = object(cur.at(seg)); !ok {
				m = nil // not an object: every path through it is absent
			}
			objects[at] = m
		}
		if m == nil {
			return nil, false
		}
		cur = m
	}
	v, ok := cur.get(segs[len(segs)-1])
	if !ok {
		return nil, false
	}
	if len(v) > 0 && v[0] == '[' {
		out := arrayValues(v)
		return out, len(out) > 0
	}
	if s, ok := scalar(v); ok {
		if slab != nil {
			return slab.one(s), true
		}
		return []string{s}, true
	}
	return nil, false
}

// strSlab hands out one-value slices from a shared array: an event's
// single values take one allocation per 32 instead of one each.
type strSlab []string

// one returns a slice holding v alone, whose capacity ends with it (an
// append copies it rather than writing into its neighbour).
func (s *strSlab) one(v string) []string {
	if len(*s) == cap(*s) {
		*s = make([]string, 0, 32)
	}
	*s = append(*s, v)
	n := len(*s)
	return (*s)[n-1 : n : n]
}

// valuesAt is the values of the path segs inside v: through objects by
// key, through arrays by each element; at the end of the path a scalar
// is its value and an array yields its scalar elements.
func valuesAt(v span, segs []string) []string {
	if len(v) == 0 {
		return nil
	}
	if v[0] == '[' {
		if len(segs) == 0 {
			return arrayValues(v)
		}
		elems, ok := splitArray(v)
		if !ok {
			return nil
		}
		var out []string
		for _, e := range elems {
			out = append(out, valuesAt(e, segs)...)
		}
		return out
	}
	if len(segs) == 0 {
		if s, ok := scalar(v); ok {
			return []string{s}
		}
		return nil
	}
	m, ok := object(v)
	if !ok {
		return nil
	}
	return valuesAt(m.at(segs[0]), segs[1:])
}

// spanAt is the value at a raw path, through objects only.
func spanAt(objects map[string]members, path string) (span, bool) {
	var v span
	cur := objects[""]
	for i, seg := range splitPath(path) {
		if i > 0 {
			m, ok := object(v)
			if !ok {
				return nil, false
			}
			cur = m
		}
		var ok bool
		if v, ok = cur.get(seg); !ok {
			return nil, false
		}
	}
	return v, true
}

// keys calls emit for every string, number and boolean inside v with its
// dotted path from prefix; an array's elements share the array's path.
// Members are visited in key order, so the values of one key come in an
// order fixed by the record.
func keys(v span, prefix string, emit func(key, val string)) {
	if len(v) == 0 {
		return
	}
	switch v[0] {
	case '{':
		m, ok := object(v)
		if !ok {
			return
		}
		if len(m) <= sortedMembers {
			m = m.sorted()
		}
		for _, e := range m {
			keys(e.val, prefix+"."+e.key, emit)
		}
	case '[':
		elems, ok := splitArray(v)
		if !ok {
			return
		}
		for _, e := range elems {
			keys(e, prefix, emit)
		}
	default:
		if s, ok := scalar(v); ok {
			emit(prefix, s)
		}
	}
}

// scalar decodes a string, number or boolean; a number is its literal,
// as json.Number keeps it.
func scalar(v span) (string, bool) {
	if len(v) == 0 {
		return "", false
	}
	switch c := v[0]; {
	case c == '"':
		return decodeString(v)
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
	elems, _ := splitArray(v)
	var out []string
	for _, e := range elems {
		if s, ok := scalar(e); ok {
			out = append(out, s)
		}
	}
	return out
}

var pathCache sync.Map // string → *splitted

// splitted is a path's segments and, for each one but the last, the key
// lookup caches the object on the path up to it by (the segments so far
// joined with NUL bytes).
type splitted struct {
	segs []string
	at   []string
}

// splitPath splits "a.b.[c.d]" into ["a" "b" "c.d"].
func splitPath(path string) []string { return splitPathAt(path).segs }

// splitPathAt is splitPath with the keys of the objects on the path.
func splitPathAt(path string) *splitted {
	if v, ok := pathCache.Load(path); ok {
		return v.(*splitted)
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
	sp := &splitted{segs: segs}
	for i := 1; i < len(segs); i++ {
		sp.at = append(sp.at, strings.Join(segs[:i], "\x00"))
	}
	pathCache.Store(path, sp)
	return sp
}
