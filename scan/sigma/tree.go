package sigma

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// node is one JSON value of a record: its bytes in the record and, for
// objects and arrays, its members, parsed when first looked into
// (expand): a rule reads a few fields of a record, and parsing every
// value of it was a fifth of a scan whose every record hits. The members
// are values, not pointers, and a key is the record's bytes unless it
// holds an escape or non-ASCII bytes: expanding an object takes a few
// allocations, not a few per member.
type node struct {
	kind  byte   // '{', '[', '"', 'n' number, 't' true, 'f' false, 'z' null
	lazy  bool   // an object or array whose members are not parsed yet
	items int32  // how many members or elements it has (set with lazy)
	raw   []byte // the value as written
	keys  [][]byte
	kids  []node
}

// parseTree checks that b is one JSON value and returns it, its members
// parsed when asked for; nil when it is not valid JSON (the engine hands
// on only records the decoder or json.Valid accepted).
func parseTree(b []byte) *node {
	p := treeParser{b: b}
	n := &node{}
	if !p.fill(n) {
		return nil
	}
	p.space()
	if p.i != len(b) {
		return nil
	}
	return n
}

// expand parses the members of an object or the elements of an array,
// each object and array among them left to its own expand. The bytes
// were checked whole by parseTree (skip), so this cannot fail.
func (n *node) expand() {
	if !n.lazy {
		return
	}
	n.lazy = false
	obj := n.kind == '{'
	n.kids = make([]node, 0, n.items)
	if obj {
		n.keys = make([][]byte, 0, n.items)
	}
	p := treeParser{b: n.raw, i: 1}
	closing := byte(']')
	if obj {
		closing = '}'
	}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == closing {
		return
	}
	for {
		var key []byte
		if obj {
			p.space()
			start := p.i
			if !p.skipStr() {
				return
			}
			key = keyText(p.b[start:p.i])
			p.space()
			p.i++ // ':'
		}
		n.kids = append(n.kids, node{})
		if !p.fill(&n.kids[len(n.kids)-1]) {
			n.kids = n.kids[:len(n.kids)-1]
			return
		}
		if obj {
			n.keys = append(n.keys, key)
		}
		if more, ok := p.afterItem(closing); !more || !ok {
			return
		}
	}
}

// keyText is a key's text, decoded as encoding/json does, from its bytes
// with the quotes: the bytes between them when they hold no escape and
// only ASCII.
func keyText(raw []byte) []byte {
	n := node{kind: '"', raw: raw}
	if body := raw[1 : len(raw)-1]; plainText(body) {
		return body
	}
	return []byte(n.text())
}

type treeParser struct {
	b []byte
	i int
}

func (p *treeParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// afterItem reads what follows an object member or an array element,
// after white space: a comma (more is true) or the closing bracket, which
// ends the node. ok is false for anything else or the end of the input.
func (p *treeParser) afterItem(closing byte) (more, ok bool) {
	p.space()
	if p.i >= len(p.b) {
		return false, false
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return true, true
	case closing:
		p.i++
		return false, true
	}
	return false, false
}

// fill reads one value into n: an object or array whole but lazy (its
// members parsed by expand), a string or another scalar as its bytes.
func (p *treeParser) fill(n *node) bool {
	p.space()
	if p.i >= len(p.b) {
		return false
	}
	start := p.i
	switch c := p.b[p.i]; c {
	case '{', '[':
		items, ok := p.skipItems()
		if !ok {
			return false
		}
		*n = node{kind: c, raw: p.b[start:p.i], lazy: true, items: items}
		return true
	case '"':
		if !p.skipStr() {
			return false
		}
		*n = node{kind: '"', raw: p.b[start:p.i]}
		return true
	}
	k := p.scalar()
	if k == 0 {
		return false
	}
	*n = node{kind: k, raw: p.b[start:p.i]}
	return true
}

// scalar reads true, false, null or a number and returns its kind ('t',
// 'f', 'z', 'n'), or 0 when none starts here.
func (p *treeParser) scalar() byte {
	switch c := p.b[p.i]; c {
	case 't', 'f', 'n':
		word := "null"
		switch c {
		case 't':
			word = "true"
		case 'f':
			word = "false"
		}
		if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
			return 0
		}
		p.i += len(word)
		if c == 'n' {
			return 'z'
		}
		return c
	default:
		if c != '-' && (c < '0' || c > '9') {
			return 0
		}
		p.i++
		for p.i < len(p.b) {
			switch d := p.b[p.i]; {
			case d >= '0' && d <= '9', d == '.', d == 'e', d == 'E', d == '+', d == '-':
				p.i++
				continue
			}
			break
		}
		return 'n'
	}
}

// skip reads one value as fill and expand do, without building nodes:
// the same grammar as the tree parser always had, so that parseTree
// refuses what it refused when it built the whole tree at once.
func (p *treeParser) skip() bool {
	p.space()
	if p.i >= len(p.b) {
		return false
	}
	switch p.b[p.i] {
	case '{', '[':
		_, ok := p.skipItems()
		return ok
	case '"':
		return p.skipStr()
	}
	return p.scalar() != 0
}

// skipItems is skip for an object or array at p.i: how many members or
// elements it has.
func (p *treeParser) skipItems() (int32, bool) {
	c := p.b[p.i]
	closing := byte(']')
	if c == '{' {
		closing = '}'
	}
	p.i++
	p.space()
	if p.i < len(p.b) && p.b[p.i] == closing {
		p.i++
		return 0, true
	}
	var n int32
	for {
		if c == '{' {
			p.space()
			if !p.skipStr() {
				return 0, false
			}
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return 0, false
			}
			p.i++
		}
		if !p.skip() {
			return 0, false
		}
		n++
		more, ok := p.afterItem(closing)
		if !ok {
			return 0, false
		}
		if !more {
			return n, true
		}
	}
}

// skipStr reads a string as str does, without a node.
func (p *treeParser) skipStr() bool {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return false
	}
	p.i++
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '\\':
			p.i += 2
			continue
		case '"':
			p.i++
			return true
		}
		p.i++
	}
	return false
}

// text decodes a string node as encoding/json does.
func (n *node) text() string {
	body := n.raw[1 : len(n.raw)-1]
	if plainText(body) {
		return string(body)
	}
	var s string
	if json.Unmarshal(n.raw, &s) != nil {
		return string(body)
	}
	return s
}

// plainText reports whether a string's bytes between its quotes are its
// text: no escape, ASCII only.
func plainText(body []byte) bool {
	for _, c := range body {
		if c == '\\' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// member returns the value of key: exactly, else, when fold is set,
// every member whose key equals it under Unicode case folding (exact is
// false then).
func (n *node) member(key string, fold bool, out []*node) ([]*node, bool) {
	n.expand()
	for i, k := range n.keys {
		if string(k) == key {
			// encoding/json keeps the last of duplicate keys.
			last := &n.kids[i]
			for j := i + 1; j < len(n.keys); j++ {
				if string(n.keys[j]) == key {
					last = &n.kids[j]
				}
			}
			return append(out, last), true
		}
	}
	if !fold {
		return out, false
	}
	kb := []byte(key)
	for i, k := range n.keys {
		if bytes.EqualFold(k, kb) {
			out = append(out, &n.kids[i])
		}
	}
	return out, false
}
