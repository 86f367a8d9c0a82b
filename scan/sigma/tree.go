package sigma

import (
	"encoding/json"
	"unicode/utf8"
)

// node is one JSON value of a record, parsed once per record: its bytes
// in the record and, for objects and arrays, its members.
type node struct {
	kind byte   // '{', '[', '"', 'n' number, 't' true, 'f' false, 'z' null
	raw  []byte // the value as written
	keys []string
	kids []*node
}

// parseTree parses a JSON value; nil when it is not valid JSON (the
// engine hands on only records the decoder or json.Valid accepted).
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
	case '{':
		n := &node{kind: '{'}
		p.i++
		p.space()
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			n.raw = p.b[start:p.i]
			return n
		}
		for {
			p.space()
			k := p.str()
			if k == nil {
				return nil
			}
			p.space()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return nil
			}
			p.i++
			v := p.value()
			if v == nil {
				return nil
			}
			n.keys = append(n.keys, k.text())
			n.kids = append(n.kids, v)
			more, ok := p.afterItem('}')
			if !ok {
				return nil
			}
			if more {
				continue
			}
			n.raw = p.b[start:p.i]
			return n
		}
	case '[':
		n := &node{kind: '['}
		p.i++
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			n.raw = p.b[start:p.i]
			return n
		}
		for {
			v := p.value()
			if v == nil {
				return nil
			}
			n.kids = append(n.kids, v)
			more, ok := p.afterItem(']')
			if !ok {
				return nil
			}
			if more {
				continue
			}
			n.raw = p.b[start:p.i]
			return n
		}
	case '"':
		return p.str()
	case 't', 'f', 'n':
		word := map[byte]string{'t': "true", 'f': "false", 'n': "null"}[c]
		if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
			return nil
		}
		p.i += len(word)
		k := c
		if c == 'n' {
			k = 'z'
		}
		return &node{kind: k, raw: p.b[start:p.i]}
	default:
		if c != '-' && (c < '0' || c > '9') {
			return nil
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
		return &node{kind: 'n', raw: p.b[start:p.i]}
	}
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
