package fast

import (
	"bytes"

	"github.com/retrohunt/retrohunt/scan/internal/structure"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// recognised reports whether udm.Map certainly maps rec, a JSON object,
// to a supported log type and reads its event time: it has a top-level
// key by which udm.Map recognises a CloudTrail or Azure Activity record,
// no Azure "category" of another log than Activity and the Entra ID and
// Graph logs udm maps, and the time the table reads for
// its type is a string udm.ParseTime reads. Only such a record may be
// passed over without mapping it: any other is skipped by the reference
// path (unrecognised, unsupported, no event time), and the fast path
// must skip it too, whatever the rules.
//
// It reads keys straight from the bytes and skips values without
// decoding them; whenever it is unsure (an escaped key or value, a value
// that is not a plain string, bytes that are not JSON) it says false,
// and the record takes the reference path, which decides. encoding/json
// keeps the last of duplicate keys, so every key is read, unless
// recognisedAt knows where the last "eventTime" is. (A search for the
// key over the rest of the record cost more than the walk; the
// prefilter's literal pass finds it at no extra cost.)
//
// Walking keys, colons and commas is this function's own job (the
// splitter never looks inside a record); where a string or a value ends
// it asks the splitter's scanner (scan/internal/structure: StringEnd,
// which also says whether a key holds an escape, and ValueEnd), so that
// strings, escapes and depth are followed by one piece of code.
func recognised(rec []byte) bool { return recognisedAt(rec, -1, 0) }

// eventTimeKey is CloudTrail's time key as stored, unescaped.
const eventTimeKey = `"eventTime"`

// recognisedAt is recognised for a record in which lastEventTime is
// where the last occurrence of the bytes "eventTime" (with the quotes)
// starts, and which holds no backslash; -1 when that is not known. A
// CloudTrail record (eventVersion or eventSource read) is recognised by
// its last eventTime alone, and a key is one string of the record's
// bytes (no escapes), so once the walk has read an eventTime key at
// lastEventTime, no later key can change the answer: the walk stops
// there, before the large values CloudTrail puts after the time
// (requestParameters, responseElements, resources). A record whose
// later bytes are not JSON is then passed over unread, as the fast path
// passes over any malformed record it does not read.
//
// nestedEnd, when not 0, is where the record's first nested value (the
// first object or array in it) ends, as the splitter found it while it
// looked for the record's end (structure.Scanner.FirstNestedEnd): the
// walk skips the first object or array value it meets to there without
// scanning it again (a CloudTrail record's userIdentity, before its
// eventTime). It must come from the splitter's scan of exactly rec's
// bytes. In valid JSON the first bracket outside strings after the
// record's '{' opens the first value that is an object or array, and
// the first close bracket back to depth 1 closes it, so the walk ends
// up where structure.ValueEnd would have taken it; on bytes that are
// not JSON it may end up elsewhere and answer otherwise than without
// the hint, which the equality contract allows (the reference path
// skips the record as malformed, docs/fast-path.md). A hint that is no
// close bracket past the value's start is not used.
func recognisedAt(rec []byte, lastEventTime, nestedEnd int) bool {
	return recognisedType(rec, lastEventTime, nestedEnd) != udm.Unknown
}

// recognisedType is recognisedAt that also says which log type udm.Map
// gives the record: udm.Unknown when it is not recognised, else the type
// udm's detection tells by the same keys, in the same order (eventVersion
// or eventSource: CloudTrail; else operationName, resourceId,
// correlationId or an "evt" object with a "name": Azure, whose
// "category" then names Activity or one of the tenant logs). The type
// is exact whenever the record is recognised: the walk reads every key
// udm's detection reads and says Unknown wherever it is unsure.
func recognisedType(rec []byte, lastEventTime, nestedEnd int) udm.LogType {
	var (
		trail, azure bool // a key of the type
		// The last values of the keys read. They stay in memory: kept
		// as slices in registers they were spilled and reloaded for
		// every key.
		v           walkValues
		eventTimeAt = -2 // where the last eventTime key starts
	)
	i := 1 // past '{'
	for {
		i = skipSpace(rec, i)
		if i >= len(rec) || rec[i] != '"' {
			return udm.Unknown
		}
		end, esc := stringEnd(rec, i+1)
		if end < 0 || esc {
			return udm.Unknown // an escaped key might be any of these
		}
		keyAt := i
		key := rec[i+1 : end]
		i = skipSpace(rec, end+1)
		if i >= len(rec) || rec[i] != ':' {
			return udm.Unknown
		}
		i = skipSpace(rec, i+1)
		start := i
		if i < len(rec) && rec[i] == '"' {
			// Fast path: most values are strings.
			i, _ = structure.StringEnd(rec, i+1)
		} else if nestedEnd != 0 && i < len(rec) && (rec[i] == '{' || rec[i] == '[') {
			// The first nested value: it ends where the splitter saw it
			// end.
			if nestedEnd > i+1 && nestedEnd <= len(rec) && (rec[nestedEnd-1] == '}' || rec[nestedEnd-1] == ']') {
				i = nestedEnd
			} else {
				i = skipValue(rec, i)
			}
			nestedEnd = 0
		} else {
			i = skipValue(rec, i)
		}
		if i < 0 {
			return udm.Unknown
		}
		switch string(key) {
		case "eventVersion", "eventSource":
			trail = true
		case "operationName", "resourceId", "correlationId":
			azure = true
		case "evt":
			v.evt = span{start, i}
		case "eventTime":
			v.eventTime, eventTimeAt = span{start, i}, keyAt
		case "time":
			v.tm = span{start, i}
		case "eventTimestamp":
			v.eventTS = span{start, i}
		case "category":
			v.categ = span{start, i}
		}
		if trail && eventTimeAt == lastEventTime {
			return ifTime(v.eventTime.of(rec), udm.AWSCloudTrail)
		}
		i = skipSpace(rec, i)
		if i >= len(rec) || (rec[i] != ',' && rec[i] != '}') {
			return udm.Unknown
		}
		if rec[i] == '}' {
			break
		}
		i++
	}
	evt, categ, tm := v.evt.of(rec), v.categ.of(rec), v.tm.of(rec)
	switch {
	case trail:
		return ifTime(v.eventTime.of(rec), udm.AWSCloudTrail)
	case !azure && (len(evt) == 0 || evt[0] != '{' || !hasKey(evt, "name")):
		// Detect also accepts an "evt" object with a "name" key (Datadog).
		return udm.Unknown
	}
	if categ != nil && !activityCategory(categ) {
		// Another Azure log: an Entra ID or Graph log reads "time"
		// only (udm.TenantLogType); any other is unsupported.
		return ifTime(tm, tenantCategory(categ))
	}
	if tm != nil {
		return ifTime(tm, udm.AzureActivity)
	}
	return ifTime(v.eventTS.of(rec), udm.AzureActivity)
}

// walkValues are where the values recognisedAt keeps lie in the record.
type walkValues struct {
	evt, eventTime, tm, eventTS, categ span
}

// span is where a value lies in a record: rec[start:end]. The zero span
// is no value (a value starts past the record's '{').
type span struct{ start, end int }

// of returns the value's bytes in rec, nil for the zero span.
func (s span) of(rec []byte) []byte {
	if s.end == 0 {
		return nil
	}
	return rec[s.start:s.end]
}

// ifTime is t when v is a time readsTime reads, else udm.Unknown (so is
// t).
func ifTime(v []byte, t udm.LogType) udm.LogType {
	if t == udm.Unknown || !readsTime(v) {
		return udm.Unknown
	}
	return t
}

// readsTime reports whether v, a JSON value, is a plain string that
// udm.ParseTime reads (udm.IsTimeBytes, which refuses a backslash as
// ParseTime does).
func readsTime(v []byte) bool {
	return len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' && udm.IsTimeBytes(v[1:len(v)-1])
}

// activityCategory reports whether v, a JSON value, is a plain string
// naming an Activity log category (udm.IsActivityCategory).
func activityCategory(v []byte) bool {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return false
	}
	for _, c := range udm.ActivityCategories {
		if bytes.EqualFold(v[1:len(v)-1], []byte(c)) {
			return true
		}
	}
	return false
}

// tenantCategory returns the tenant log that v, a JSON value, names
// when it is a plain string naming one udm maps (udm.TenantLogType),
// else udm.Unknown. The categories differ under folding, so at most one
// is equal to v.
func tenantCategory(v []byte) udm.LogType {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return udm.Unknown
	}
	for c, t := range udm.TenantCategories {
		if bytes.EqualFold(v[1:len(v)-1], []byte(c)) {
			return t
		}
	}
	return udm.Unknown
}

// hasKey reports whether the object obj certainly has key at its top
// level.
func hasKey(obj []byte, want string) bool {
	i := 1
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return false
		}
		end, esc := stringEnd(obj, i+1)
		if end < 0 {
			return false
		}
		if !esc && string(obj[i+1:end]) == want {
			return true
		}
		i = skipSpace(obj, end+1)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		if i = skipValue(obj, skipSpace(obj, i+1)); i < 0 {
			return false
		}
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != ',' {
			return false
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	// Fast path: JSON's white space is below '!', and most records have
	// none between their tokens.
	if i < len(b) && b[i] > ' ' {
		return i
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// stringEnd returns the index of the quote that closes the string whose
// body starts at b[i], and whether the body holds an escape; -1 when the
// string does not end (structure.StringEnd).
func stringEnd(b []byte, i int) (int, bool) {
	end, esc := structure.StringEnd(b, i)
	if end < 0 {
		return -1, false
	}
	return end - 1, esc
}

// skipValue returns the index just past the JSON value at b[i], or -1.
// Strings, objects and arrays end where the record splitter's scanner
// says (strings, escapes and bracket depth, which is exact for valid
// JSON); any other value at the next delimiter or space.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		end, _ := structure.StringEnd(b, i+1)
		return end
	case '{', '[':
		return structure.ValueEnd(b, i)
	}
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\n', '\r', '\t':
			return i
		}
		i++
	}
	return i
}
