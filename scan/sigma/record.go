package sigma

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// Kind is the JSON kind of a value a field yields.
type Kind uint8

const (
	String Kind = iota
	Number
	Bool
	Null
	Object
)

// Value is one value of a field: a string decoded from JSON, a number's
// or boolean's text as written, or an object's JSON text with its string
// escapes decoded. Arrays yield their elements.
type Value struct {
	Kind Kind
	S    string
}

// Record is one JSON record as Sigma rules read it. The zero Record is
// empty; Reset points it at a record. It caches the fields rules ask for,
// so the rules of one record share the work.
type Record struct {
	raw   []byte
	typ   udm.LogType
	root  members
	ok    bool // root was read
	cache map[string]field
	words []Value // every scalar leaf, for keyword searches
	wok   bool
}

type members map[string]json.RawMessage

type field struct {
	vals   []Value
	exists bool
}

// Reset makes r the view of raw, a record of log type t (which decides the
// field aliases of docs/sigma.md). raw must stay unchanged while r is used.
func (r *Record) Reset(raw []byte, t udm.LogType) {
	r.raw, r.typ, r.root, r.ok, r.words, r.wok = raw, t, nil, false, nil, false
	clear(r.cache)
}

func (r *Record) object() members {
	if !r.ok {
		r.ok = true
		_ = json.Unmarshal(r.raw, &r.root)
	}
	return r.root
}

// Values returns the values of a dotted field path and whether the field
// exists (present, even when null or an empty array).
func (r *Record) Values(path string) ([]Value, bool) {
	if f, ok := r.cache[path]; ok {
		return f.vals, f.exists
	}
	var f field
	paths := aliases(r.typ, path)
	for _, p := range paths {
		if p.outcome {
			vs, _ := r.lookup(p.path)
			out := "success"
			for _, v := range vs {
				if v.Kind != Null {
					out = "failure"
				}
			}
			f.vals, f.exists = append(f.vals, Value{Kind: String, S: out}), true
			continue
		}
		if p.provider {
			// The resource provider: the operation name up to its first '/'.
			vs, ok := r.lookup(p.path)
			f.exists = f.exists || ok
			for _, v := range vs {
				if v.Kind == String {
					prov, _, _ := strings.Cut(v.S, "/")
					f.vals = append(f.vals, Value{Kind: String, S: prov})
				}
			}
			continue
		}
		vs, ok := r.lookup(p.path)
		f.exists = f.exists || ok
		f.vals = append(f.vals, vs...)
	}
	if r.cache == nil {
		r.cache = map[string]field{}
	}
	r.cache[path] = f
	return f.vals, f.exists
}

func (r *Record) lookup(path string) ([]Value, bool) {
	root := r.object()
	if root == nil {
		return nil, false
	}
	var out []Value
	exists := walkMembers(root, strings.Split(path, "."), r.typ == udm.AzureActivity, &out)
	return out, exists
}

// walkMembers finds segs in the object m: a key may itself hold dots, so
// every split of the remaining path into a key and a rest is tried,
// longest key first. A key matches exactly, or, when the object has no
// such key, every key equal to it under Unicode case folding.
func walkMembers(m members, segs []string, rest bool, out *[]Value) bool {
	exists := false
	for j := len(segs); j >= 1; j-- {
		key := strings.Join(segs[:j], ".")
		if v, ok := m[key]; ok {
			if walk(v, segs[j:], rest, out) {
				exists = true
			}
			continue
		}
		for k, v := range m {
			if strings.EqualFold(k, key) && walk(v, segs[j:], rest, out) {
				exists = true
			}
		}
	}
	return exists
}

// walk follows segs from the JSON value v, appending the values at its
// end to out; arrays are transparent. rest makes an object with a "value"
// member stand for that member at the end of a path (the Azure REST
// shape's {"value": …, "localizedValue": …}).
func walk(v json.RawMessage, segs []string, rest bool, out *[]Value) bool {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return false
	}
	switch v[0] {
	case '[':
		var elems []json.RawMessage
		if json.Unmarshal(v, &elems) != nil {
			return false
		}
		if len(segs) == 0 {
			for _, e := range elems {
				walk(e, nil, rest, out)
			}
			return true
		}
		exists := false
		for _, e := range elems {
			if walk(e, segs, rest, out) {
				exists = true
			}
		}
		return exists
	case '{':
		var m members
		if json.Unmarshal(v, &m) != nil {
			return false
		}
		if len(segs) == 0 {
			if val, ok := m["value"]; rest && ok {
				return walk(val, nil, false, out)
			}
			*out = append(*out, Value{Kind: Object, S: string(unescape(nil, v))})
			return true
		}
		return walkMembers(m, segs, rest, out)
	}
	if len(segs) > 0 {
		return false
	}
	*out = append(*out, scalar(v))
	return true
}

func scalar(v json.RawMessage) Value {
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) != nil {
			return Value{Kind: Null}
		}
		return Value{Kind: String, S: s}
	case 't', 'f':
		return Value{Kind: Bool, S: string(v)}
	case 'n':
		return Value{Kind: Null}
	}
	return Value{Kind: Number, S: string(v)}
}

// Words returns every scalar value of the record (strings, numbers,
// booleans), in document order: what a keyword search looks at.
func (r *Record) Words() []Value {
	if !r.wok {
		r.wok = true
		var vs []Value
		leaves(json.RawMessage(r.raw), &vs)
		r.words = vs
	}
	return r.words
}

func leaves(v json.RawMessage, out *[]Value) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return
	}
	switch v[0] {
	case '[':
		var elems []json.RawMessage
		if json.Unmarshal(v, &elems) == nil {
			for _, e := range elems {
				leaves(e, out)
			}
		}
	case '{':
		var m members
		if json.Unmarshal(v, &m) == nil {
			for _, e := range m {
				leaves(e, out)
			}
		}
	default:
		if s := scalar(v); s.Kind != Null {
			*out = append(*out, s)
		}
	}
}

// unescape appends the JSON text v with the escapes inside its strings
// decoded, as the prefilter decodes a record's (a string's \" becomes ").
func unescape(dst, v []byte) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 >= len(v) {
			dst = append(dst, c)
			continue
		}
		i++
		switch v[i] {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, n := hexRune(v[i+1:])
			if n == 0 {
				dst = append(dst, '\\', 'u')
				continue
			}
			i += n
			if utf16.IsSurrogate(r) {
				if len(v) > i+2 && v[i+1] == '\\' && v[i+2] == 'u' {
					if r2, n2 := hexRune(v[i+3:]); n2 > 0 {
						if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
							r = d
							i += 2 + n2
						}
					}
				}
				if utf16.IsSurrogate(r) {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default:
			dst = append(dst, v[i]) // \" \\ \/
		}
	}
	return dst
}

func hexRune(b []byte) (rune, int) {
	if len(b) < 4 {
		return 0, 0
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, 0
		}
	}
	return r, 4
}
