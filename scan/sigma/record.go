package sigma

import (
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
// empty; Reset points it at a record. It parses the record once, when a
// rule first asks, and caches the fields rules ask for, so the rules of
// one record share the work.
type Record struct {
	raw   []byte
	typ   udm.LogType
	root  *node
	ok    bool // root was parsed
	cache map[string]field
	words []Value // every scalar leaf, for keyword searches
	wok   bool
	segs  []string
}

type field struct {
	vals   []Value
	exists bool
}

// Reset makes r the view of raw, a record of log type t (which decides the
// field aliases of docs/sigma.md). raw must stay unchanged while r is used.
func (r *Record) Reset(raw []byte, t udm.LogType) {
	r.raw, r.typ, r.root, r.ok, r.words, r.wok = raw, t, nil, false, r.words[:0], false
	clear(r.cache)
}

func (r *Record) tree() *node {
	if !r.ok {
		r.ok = true
		r.root = parseTree(r.raw)
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
	for _, p := range aliases(r.typ, path) {
		vs, ok := r.lookup(p.path)
		switch {
		case p.outcome:
			out := "success"
			for _, v := range vs {
				if v.Kind != Null {
					out = "failure"
				}
			}
			f.vals, f.exists = append(f.vals, Value{Kind: String, S: out}), true
		case p.provider:
			// The resource provider: the operation name up to its first '/'.
			f.exists = f.exists || ok
			for _, v := range vs {
				if v.Kind == String {
					prov, _, _ := strings.Cut(v.S, "/")
					f.vals = append(f.vals, Value{Kind: String, S: prov})
				}
			}
		default:
			f.exists = f.exists || ok
			f.vals = append(f.vals, vs...)
		}
	}
	if r.cache == nil {
		r.cache = map[string]field{}
	}
	r.cache[path] = f
	return f.vals, f.exists
}

func (r *Record) lookup(path string) ([]Value, bool) {
	root := r.tree()
	if root == nil || root.kind != '{' {
		return nil, false
	}
	var out []Value
	r.segs = splitDots(r.segs[:0], path)
	exists := walkMembers(root, r.segs, r.typ == udm.AzureActivity, &out)
	return out, exists
}

func splitDots(dst []string, path string) []string {
	for {
		i := strings.IndexByte(path, '.')
		if i < 0 {
			return append(dst, path)
		}
		dst = append(dst, path[:i])
		path = path[i+1:]
	}
}

// walkMembers finds segs in the object m: a key may itself hold dots, so
// every split of the remaining path into a key and a rest is tried,
// longest key first. A key matches exactly, or, when the object has no
// such key, every key equal to it under Unicode case folding.
func walkMembers(m *node, segs []string, rest bool, out *[]Value) bool {
	exists := false
	var found []*node
	for j := len(segs); j >= 1; j-- {
		key := segs[0]
		if j > 1 {
			key = strings.Join(segs[:j], ".")
		}
		found, _ = m.member(key, true, found[:0])
		for _, v := range found {
			if walk(v, segs[j:], rest, out) {
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
func walk(v *node, segs []string, rest bool, out *[]Value) bool {
	switch v.kind {
	case '[':
		v.expand()
		if len(segs) == 0 {
			for i := range v.kids {
				walk(&v.kids[i], nil, rest, out)
			}
			return true
		}
		exists := false
		for i := range v.kids {
			if walk(&v.kids[i], segs, rest, out) {
				exists = true
			}
		}
		return exists
	case '{':
		if len(segs) == 0 {
			if rest {
				if val, exact := v.member("value", false, nil); exact {
					return walk(val[0], nil, false, out)
				}
			}
			*out = append(*out, Value{Kind: Object, S: string(unescape(nil, v.raw))})
			return true
		}
		return walkMembers(v, segs, rest, out)
	}
	if len(segs) > 0 {
		return false
	}
	*out = append(*out, scalar(v))
	return true
}

func scalar(v *node) Value {
	switch v.kind {
	case '"':
		return Value{Kind: String, S: v.text()}
	case 't', 'f':
		return Value{Kind: Bool, S: string(v.raw)}
	case 'z':
		return Value{Kind: Null}
	}
	return Value{Kind: Number, S: string(v.raw)}
}

// Words returns every scalar value of the record (strings, numbers,
// booleans), in document order: what a keyword search looks at.
func (r *Record) Words() []Value {
	if !r.wok {
		r.wok = true
		if root := r.tree(); root != nil {
			r.words = leaves(root, r.words[:0])
		}
	}
	return r.words
}

func leaves(v *node, out []Value) []Value {
	switch v.kind {
	case '[', '{':
		v.expand()
		for i := range v.kids {
			out = leaves(&v.kids[i], out)
		}
	case 'z':
	default:
		out = append(out, scalar(v))
	}
	return out
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
