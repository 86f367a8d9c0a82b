package fast

import (
	"bytes"
	"math"

	"github.com/retrohunt/retrohunt/scan/internal/structure"
)

// recognised reports whether rec, a JSON object, certainly has a
// top-level key by which udm.Detect recognises a CloudTrail or Azure
// Activity record. It reads keys straight from the bytes and skips
// values without decoding them; whenever it is unsure (an escaped key
// that might be the one, bytes that are not JSON) it says false, and the
// record takes the reference path, which decides.
//
// Walking keys, colons and commas is this function's own job (the
// splitter never looks inside a record); where a string or a value ends
// it asks the splitter's scanner (scan/internal/structure), so that
// strings, escapes and depth are followed by one piece of code.
func recognised(rec []byte) bool {
	var (
		evt     []byte
		escaped bool // some key holds an escape
	)
	i := 1 // past '{'
	for {
		i = skipSpace(rec, i)
		if i >= len(rec) || rec[i] != '"' {
			return false
		}
		end, esc := stringEnd(rec, i+1)
		if end < 0 {
			return false
		}
		key := rec[i+1 : end]
		i = skipSpace(rec, end+1)
		if i >= len(rec) || rec[i] != ':' {
			return false
		}
		i = skipSpace(rec, i+1)
		start := i
		if i = skipValue(rec, i); i < 0 {
			return false
		}
		if esc {
			escaped = true
		} else {
			switch string(key) {
			case "eventVersion", "eventSource", "operationName", "resourceId", "correlationId":
				return true
			case "evt":
				evt = rec[start:i] // encoding/json keeps the last duplicate
			}
		}
		i = skipSpace(rec, i)
		if i >= len(rec) || (rec[i] != ',' && rec[i] != '}') {
			return false
		}
		if rec[i] == '}' {
			break
		}
		i++
	}
	if evt == nil || escaped || evt[0] != '{' {
		return false
	}
	// Detect also accepts an "evt" object with a "name" key (Datadog).
	return hasKey(evt, "name")
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
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// noLimit is the depth limit of the structure scans here: recognised
// only needs where a value ends, and a high limit keeps the block
// scanner on its counting fast path.
const noLimit = math.MaxInt32

// stringEnd returns the index of the quote that closes the string whose
// body starts at b[i], and whether the body holds an escape; -1 when the
// string does not end. The string's end is found by the same scanner
// that splits records (scan/internal/structure).
func stringEnd(b []byte, i int) (int, bool) {
	var s structure.Scanner
	end := s.String(b, i)
	if end < 0 {
		return -1, false
	}
	return end - 1, bytes.IndexByte(b[i:end-1], '\\') >= 0
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
		var s structure.Scanner
		return s.String(b, i+1)
	case '{', '[':
		s := structure.Scanner{MaxDepth: noLimit}
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
