package window

import (
	"cmp"
	"encoding/binary"
	"errors"
	"slices"
	"strings"
)

// Candidate is one event that passed one event variable's filter of one
// rule.
type Candidate struct {
	Rule string   // the rule's id
	Var  int      // index of the event variable it passed
	Key  []string // the match variables' values, in match-section order
	Time int64    // event time, Unix nanoseconds
	// Values are the values the rule's outcomes and condition read from
	// this event, encoded by the caller; the Store carries them opaque.
	Values []string
	// Provenance.
	Source string // source_uri
	Record int64  // record_index within the source object
}

// size is what a candidate costs in memory, for the budget: the struct,
// the slice and string headers and the bytes.
func (c *Candidate) size() int64 {
	n := int64(120 + len(c.Rule) + len(c.Source))
	for _, k := range c.Key {
		n += 16 + int64(len(k))
	}
	for _, v := range c.Values {
		n += 16 + int64(len(v))
	}
	return n
}

// compare orders candidates by rule, key, time, then the rest, so that
// the order is total and a run of the same candidates in any arrival
// order merges to the same sequence.
func compare(a, b *Candidate) int {
	if c := strings.Compare(a.Rule, b.Rule); c != 0 {
		return c
	}
	if c := compareStrings(a.Key, b.Key); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Time, b.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Var, b.Var); c != 0 {
		return c
	}
	if c := strings.Compare(a.Source, b.Source); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Record, b.Record); c != 0 {
		return c
	}
	return compareStrings(a.Values, b.Values)
}

// compareStrings is slices.Compare for strings with one comparison per
// element (slices.Compare's cmp.Compare makes two when a is not less,
// and keys of one group are equal).
func compareStrings(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// sameGroup reports whether a and b share rule and match key.
func sameGroup(a, b *Candidate) bool {
	return a.Rule == b.Rule && slices.Equal(a.Key, b.Key)
}

// appendBody appends c's encoding without its length prefix: strings
// as a uvarint length and the bytes, integers as varints.
func appendBody(dst []byte, c *Candidate) []byte {
	dst = appendString(dst, c.Rule)
	dst = binary.AppendUvarint(dst, uint64(c.Var))
	dst = binary.AppendUvarint(dst, uint64(len(c.Key)))
	for _, k := range c.Key {
		dst = appendString(dst, k)
	}
	dst = binary.AppendVarint(dst, c.Time)
	dst = binary.AppendUvarint(dst, uint64(len(c.Values)))
	for _, v := range c.Values {
		dst = appendString(dst, v)
	}
	dst = appendString(dst, c.Source)
	return binary.AppendVarint(dst, c.Record)
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

var errCorrupt = errors.New("corrupt candidate record")

// decodeCandidate decodes one body (without its length prefix). Its
// strings are substrings of one copy of b.
func decodeCandidate(b []byte, c *Candidate) error {
	d := decoder{b: b, s: string(b)}
	c.Rule = d.str()
	c.Var = int(d.uvarint())
	nk := d.count()
	c.Key = make([]string, nk)
	for i := range c.Key {
		c.Key[i] = d.str()
	}
	c.Time = d.varint()
	nv := d.count()
	c.Values = make([]string, nv)
	for i := range c.Values {
		c.Values[i] = d.str()
	}
	c.Source = d.str()
	c.Record = d.varint()
	if d.bad || len(d.b) != 0 {
		return errCorrupt
	}
	return nil
}

// decoder reads b. With s set (a string of the same bytes as b when
// the decoder started), str returns substrings of s instead of copies.
type decoder struct {
	b   []byte
	s   string
	bad bool
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a slice length, refusing one the rest cannot hold (each
// element takes at least a byte).
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		d.b = nil
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.bad = true
		d.b = nil
		return ""
	}
	var s string
	if d.s != "" {
		at := len(d.s) - len(d.b)
		s = d.s[at : at+int(n)]
	} else {
		s = string(d.b[:n])
	}
	d.b = d.b[n:]
	return s
}
