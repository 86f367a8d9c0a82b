package sigma

import (
	"encoding/json"
	"unicode/utf8"
)

// node is one JSON value of a record: its bytes in the record and, for
// objects and arrays, its members, parsed when first looked into
// (expand): a rule reads a few fields of a record, and parsing every
// value of it was a fifth of a scan whose every record hits.
type node struct {
	kind byte   // '{', '[', '"', 'n' number, 't' true, 'f' false, 'z' null
	raw  []byte // the value as written
	keys []string
	kids []*node
	lazy bool // an object or array whose members are not parsed yet
}

// parseTree checks that b is one JSON value and returns it, its members
// parsed when asked for; nil when it is not valid JSON (the engine hands
// on only records the decoder or json.Valid accepted).
func parseTree(b []byte) *node {
	p := treeParser{b: b}
	n := p.value()
	if n == nil {
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
	p := treeParser{b: n.raw, i: 1}
	closing := byte(']')
	if n.kind == '{' {
		closing = '}'
	}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == closing {
		return
	}
	for {
		var key *node
		if n.kind == '{' {
			p.space()
			if key = p.str(); key == nil {
				return
			}
			p.space()
			p.i++ // ':'
		}
		v := p.value()
		if v == nil {
			return
		}
		if key != nil {
			n.keys = append(n.keys, key.text())
		}
		n.kids = append(n.kids, v)
		if more, ok := p.afterItem(closing); !more || !ok {
			return
		}
	}
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

func (p *treeParser) value() *node {
	p.space()
	if p.i >= len(p.b) {
		return nil
	}
	start := p.i
	switch c := p.b[p.i]; c {
	case '{', '[':
		if !p.skip() {
			return nil
		}
		return &node{kind: c, raw: p.b[start:p.i], lazy: true}
	case '"':
		return p.str()
	}
	k := p.scalar()
	if k == 0 {
		return nil
	}
	return &node{kind: k, raw: p.b[start:p.i]}
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

// skip reads one value as value does, without building its nodes: the
// same grammar, so that parseTree refuses what it refused when it built
// the whole tree at once.
func (p *treeParser) skip() bool {
	p.space()
	if p.i >= len(p.b) {
		return false
	}
	switch c := p.b[p.i]; c {
	case '{', '[':
		closing := byte(']')
		if c == '{' {
			closing = '}'
		}
		p.i++
		p.space()
		if p.i < len(p.b) && p.b[p.i] == closing {
			p.i++
			return true
		}
		for {
			if c == '{' {
				p.space()
				if !p.skipStr() {
					return false
				}
				p.space()
				if p.i >= len(p.b) || p.b[p.i] != ':' {
					return false
				}
				p.i++
			}
			if !p.skip() {
				return false
			}
			more, ok := p.afterItem(closing)
			if !ok {
				return false
			}
			if !more {
				return true
			}
		}
	case '"':
		return p.skipStr()
	}
	return p.scalar() != 0
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

// str reads a string; its raw bytes include the quotes.
func (p *treeParser) str() *node {
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil
	}
	start := p.i
	p.i++
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '\\':
			p.i += 2
			continue
		case '"':
			p.i++
			return &node{kind: '"', raw: p.b[start:p.i]}
		}
		p.i++
	}
	return nil
}

// text decodes a string node as encoding/json does.
func (n *node) text() string {
	body := n.raw[1 : len(n.raw)-1]
	plain := true
	for _, c := range body {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(body)
	}
	var s string
	if json.Unmarshal(n.raw, &s) != nil {
		return string(body)
	}
	return s
}

// member returns the value of key: exactly, else every member whose key
// equals it under Unicode case folding (exact is false then).
func (n *node) member(key string, fold func(a, b string) bool, out []*node) ([]*node, bool) {
	n.expand()
	for i, k := range n.keys {
		if k == key {
			// encoding/json keeps the last of duplicate keys.
			last := n.kids[i]
			for j := i + 1; j < len(n.keys); j++ {
				if n.keys[j] == key {
					last = n.kids[j]
				}
			}
			return append(out, last), true
		}
	}
	for i, k := range n.keys {
		if fold(k, key) {
			out = append(out, n.kids[i])
		}
	}
	return out, false
}
