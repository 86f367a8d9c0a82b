package fast

import (
	"bytes"
	"math"

	"github.com/retrohunt/retrohunt/scan/internal/structure"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// The key walk as it was at main 9a10d13, before it read strings with
// structure.StringEnd and times with udm.IsTimeBytes: the reference the faster walk is compared with
// (TestRecognisedMatchesReference, FuzzRecognised). It asks
// structure.Scanner for every string and value, and udm.ParseTimeBytes
// for the time. Kept verbatim but for the names and the fix of 5d3e447
// (an "evt" key without a value).

func refRecognisedAt(rec []byte, lastEventTime int) bool {
	var (
		trail, azure                       bool
		evt, eventTime, tm, eventTS, categ []byte
		eventTimeAt                        = -2
	)
	i := 1
	for {
		i = refSkipSpace(rec, i)
		if i >= len(rec) || rec[i] != '"' {
			return false
		}
		end, esc := refStringEnd(rec, i+1)
		if end < 0 || esc {
			return false
		}
		keyAt := i
		key := rec[i+1 : end]
		i = refSkipSpace(rec, end+1)
		if i >= len(rec) || rec[i] != ':' {
			return false
		}
		i = refSkipSpace(rec, i+1)
		start := i
		if i = refSkipValue(rec, i); i < 0 {
			return false
		}
		switch string(key) {
		case "eventVersion", "eventSource":
			trail = true
		case "operationName", "resourceId", "correlationId":
			azure = true
		case "evt":
			evt = rec[start:i]
		case "eventTime":
			eventTime, eventTimeAt = rec[start:i], keyAt
		case "time":
			tm = rec[start:i]
		case "eventTimestamp":
			eventTS = rec[start:i]
		case "category":
			categ = rec[start:i]
		}
		if trail && eventTimeAt == lastEventTime {
			return refReadsTime(eventTime)
		}
		i = refSkipSpace(rec, i)
		if i >= len(rec) || (rec[i] != ',' && rec[i] != '}') {
			return false
		}
		if rec[i] == '}' {
			break
		}
		i++
	}
	switch {
	case trail:
		return refReadsTime(eventTime)
	case !azure && (len(evt) == 0 || evt[0] != '{' || !refHasKey(evt, "name")):
		return false
	}
	if categ != nil && !refActivityCategory(categ) {
		return refTenantCategory(categ) && refReadsTime(tm)
	}
	if tm != nil {
		return refReadsTime(tm)
	}
	return refReadsTime(eventTS)
}

func refReadsTime(v []byte) bool {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return false
	}
	_, ok := udm.ParseTimeBytes(v[1 : len(v)-1])
	return ok
}

func refActivityCategory(v []byte) bool {
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

func refTenantCategory(v []byte) bool {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
		return false
	}
	for c := range udm.TenantCategories {
		if bytes.EqualFold(v[1:len(v)-1], []byte(c)) {
			return true
		}
	}
	return false
}

func refHasKey(obj []byte, want string) bool {
	i := 1
	for {
		i = refSkipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return false
		}
		end, esc := refStringEnd(obj, i+1)
		if end < 0 {
			return false
		}
		if !esc && string(obj[i+1:end]) == want {
			return true
		}
		i = refSkipSpace(obj, end+1)
		if i >= len(obj) || obj[i] != ':' {
			return false
		}
		if i = refSkipValue(obj, refSkipSpace(obj, i+1)); i < 0 {
			return false
		}
		i = refSkipSpace(obj, i)
		if i >= len(obj) || obj[i] != ',' {
			return false
		}
		i++
	}
}

func refStringEnd(b []byte, i int) (int, bool) {
	var s structure.Scanner
	end := s.String(b, i)
	if end < 0 {
		return -1, false
	}
	return end - 1, bytes.IndexByte(b[i:end-1], '\\') >= 0
}

func refSkipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		var s structure.Scanner
		return s.String(b, i+1)
	case '{', '[':
		s := structure.Scanner{MaxDepth: math.MaxInt32}
		return s.Scan(b, i)
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

func refSkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}
