package sigma

import (
	"encoding/base64"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"go.yaml.in/yaml/v3"
)

// Item is one field condition of a selection, or a keyword search when
// Field is "".
type Item struct {
	Field     string
	Modifiers []string
	Values    []string // as written; "null" for null
	Pos       Pos
	// All ANDs the values (the all modifier); they are ORed otherwise.
	All bool

	exists  int8 // exists modifier: 1 true, -1 false, 0 not used
	numeric bool // some value is a YAML number (lint)
	neq     bool
	preds   [][]pred // per value, its alternatives (base64offset, expand)
	req     []*Req   // per value, for the prefilter
}

// pred tests one value of the field; null is the value null, which
// tests the field as a whole.
type pred interface {
	test(r *Record, v Value) bool
}

type nullPred struct{}

func (nullPred) test(*Record, Value) bool { return false }

// strPred matches a pattern; eq short-cuts a cased comparison of whole
// values without wildcards.
type strPred struct {
	re    *regexp.Regexp
	eq    string
	exact bool
}

func (p *strPred) test(_ *Record, v Value) bool {
	if v.Kind == Null {
		return false
	}
	if p.exact {
		return v.S == p.eq
	}
	return p.re.MatchString(v.S)
}

type rePred struct{ re *regexp.Regexp }

func (p *rePred) test(_ *Record, v Value) bool {
	return v.Kind != Null && p.re.MatchString(v.S)
}

type cidrPred struct{ prefix netip.Prefix }

func (p *cidrPred) test(_ *Record, v Value) bool {
	if v.Kind != String {
		return false
	}
	a, err := netip.ParseAddr(v.S)
	return err == nil && p.prefix.Contains(a.Unmap())
}

type cmpPred struct {
	op   string // lt lte gt gte eq
	x    float64
	part string // a time modifier: minute, hour, day, week, month, year
}

func (p *cmpPred) test(_ *Record, v Value) bool {
	if v.Kind != Number && v.Kind != String {
		return false
	}
	var f float64
	if p.part != "" {
		t, err := time.Parse(time.RFC3339Nano, v.S)
		if err != nil {
			return false
		}
		f = float64(timePart(t, p.part))
	} else {
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(v.S), 64); err != nil {
			return false
		}
	}
	switch p.op {
	case "lt":
		return f < p.x
	case "lte":
		return f <= p.x
	case "gt":
		return f > p.x
	case "gte":
		return f >= p.x
	}
	return f == p.x
}

func timePart(t time.Time, part string) int {
	switch part {
	case "minute":
		return t.Minute()
	case "hour":
		return t.Hour()
	case "day":
		return t.Day()
	case "week":
		_, w := t.ISOWeek()
		return w
	case "month":
		return int(t.Month())
	}
	return t.Year()
}

// refPred compares the value with every value of another field.
type refPred struct {
	field string
	a     anchor
	cased bool
}

func (p *refPred) test(r *Record, v Value) bool {
	if v.Kind == Null {
		return false
	}
	others, _ := r.Values(p.field)
	for _, o := range others {
		if o.Kind == Null {
			continue
		}
		x, y := v.S, o.S
		if !p.cased {
			x, y = strings.ToLower(x), strings.ToLower(y)
		}
		var ok bool
		switch p.a {
		case whole:
			ok = x == y || !p.cased && strings.EqualFold(v.S, o.S)
		case prefix:
			ok = strings.HasPrefix(x, y)
		case suffix:
			ok = strings.HasSuffix(x, y)
		default:
			ok = strings.Contains(x, y)
		}
		if ok {
			return true
		}
	}
	return false
}

// listPred holds when the value is in a reference list.
type listPred struct {
	l     List
	cased bool
}

func (p *listPred) test(_ *Record, v Value) bool {
	return v.Kind != Null && v.Kind != Object && p.l.Match(v.S, !p.cased)
}

// knownModifiers is every modifier of the specification's appendix.
var knownModifiers = map[string]bool{
	"contains": true, "startswith": true, "endswith": true, "all": true,
	"exists": true, "cased": true, "neq": true, "windash": true,
	"re": true, "i": true, "m": true, "s": true,
	"base64": true, "base64offset": true, "utf16le": true, "utf16be": true, "utf16": true, "wide": true,
	"lt": true, "lte": true, "gt": true, "gte": true,
	"minute": true, "hour": true, "day": true, "week": true, "month": true, "year": true,
	"cidr": true, "expand": true, "fieldref": true,
}

// item compiles one field condition (field "" for keywords) whose value
// node is v; k is the node errors about the key point at.
func (p *parser) item(k *yaml.Node, field string, mods []modifier, v *yaml.Node) *Item {
	it := &Item{Field: field, Pos: p.pos(k)}
	has := map[string]bool{}
	bad := false
	for _, m := range mods {
		if !knownModifiers[m.name] {
			p.errs = append(p.errs, &Error{Pos: Pos{File: p.file, Line: k.Line, Col: m.col}, Msg: "unknown modifier " + strconv.Quote(m.name), Rule: p.title})
			bad = true
			continue
		}
		if (m.name == "i" || m.name == "m" || m.name == "s") && !has["re"] {
			p.errs = append(p.errs, &Error{Pos: Pos{File: p.file, Line: k.Line, Col: m.col}, Msg: "modifier " + m.name + " only follows re", Rule: p.title})
			bad = true
		}
		has[m.name] = true
		it.Modifiers = append(it.Modifiers, m.name)
	}
	if bad {
		return nil
	}
	it.All = has["all"]
	it.neq = has["neq"]

	var vals []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		vals = []*yaml.Node{v}
	case yaml.SequenceNode:
		for _, c := range v.Content {
			if c.Kind != yaml.ScalarNode {
				p.errorf(c, "a value is a string, a number, a boolean or null")
				return nil
			}
			vals = append(vals, c)
		}
	default:
		p.errorf(v, "field %s: a value is a string, a number, a boolean, null or a list of them", field)
		return nil
	}

	if has["exists"] {
		it.Values = []string{v.Value}
		if len(vals) != 1 || (vals[0].Value != "true" && vals[0].Value != "false") || vals[0].Tag != "!!bool" {
			p.errorf(v, "exists takes true or false")
			return nil
		}
		it.exists = 1
		if vals[0].Value == "false" {
			it.exists = -1
		}
		return it
	}
	if field == "" && (has["fieldref"] || has["exists"]) {
		p.errorf(k, "keywords take no field modifiers such as fieldref")
		return nil
	}
	for _, n := range vals {
		it.Values = append(it.Values, n.Value)
		if n.Tag == "!!null" {
			it.Values[len(it.Values)-1] = "null"
		}
		if n.Tag == "!!int" || n.Tag == "!!float" {
			it.numeric = true
		}
		pr, reqs, ok := p.value(it, has, n)
		if !ok {
			return nil
		}
		it.preds = append(it.preds, pr)
		it.req = append(it.req, orReq(reqs))
	}
	return it
}

// value compiles one value into its predicates (ORed: base64offset and
// expand give several) and their requirements.
func (p *parser) value(it *Item, has map[string]bool, n *yaml.Node) ([]pred, []*Req, bool) {
	if n.Tag == "!!null" {
		return []pred{nullPred{}}, []*Req{nil}, true
	}
	s := n.Value
	cased := has["cased"]
	a := whole
	switch {
	case has["contains"]:
		a = anywhere
	case has["startswith"]:
		a = prefix
	case has["endswith"]:
		a = suffix
	case it.Field == "":
		// A keyword is searched for in every value, as full-text search
		// finds a word in a log line.
		a = anywhere
	}
	for _, op := range []string{"lt", "lte", "gt", "gte"} {
		if has[op] {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				p.errorf(n, "%s compares numbers; %q is not one", op, s)
				return nil, nil, false
			}
			part := ""
			for _, t := range []string{"minute", "hour", "day", "week", "month", "year"} {
				if has[t] {
					part = t
				}
			}
			return []pred{&cmpPred{op: op, x: x, part: part}}, []*Req{nil}, true
		}
	}
	for _, t := range []string{"minute", "hour", "day", "week", "month", "year"} {
		if has[t] {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				p.errorf(n, "%s compares numbers; %q is not one", t, s)
				return nil, nil, false
			}
			return []pred{&cmpPred{op: "eq", x: x, part: t}}, []*Req{nil}, true
		}
	}
	if has["re"] {
		flags := ""
		for _, f := range []string{"i", "m", "s"} {
			if has[f] {
				flags += f
			}
		}
		src := s
		if flags != "" {
			src = "(?" + flags + ")" + s
		}
		re, err := regexp.Compile(src)
		if err != nil {
			p.errorf(n, "re: %v", err)
			return nil, nil, false
		}
		return []pred{&rePred{re: re}}, []*Req{{Op: ReqRegex, Text: src}}, true
	}
	if has["cidr"] {
		pf, err := netip.ParsePrefix(s)
		if err != nil {
			p.errorf(n, "cidr: %q is not a CIDR range", s)
			return nil, nil, false
		}
		return []pred{&cidrPred{prefix: pf.Masked()}}, []*Req{nil}, true
	}
	if has["fieldref"] {
		return []pred{&refPred{field: s, a: a, cased: cased}}, []*Req{nil}, true
	}
	if has["expand"] {
		return p.expand(n, s, a, cased)
	}

	// Transformations, in the order written.
	texts := []string{s}
	encoded := false
	for _, m := range it.Modifiers {
		switch m {
		case "base64":
			for i, t := range texts {
				texts[i] = base64.StdEncoding.EncodeToString([]byte(t))
			}
			encoded = true
		case "base64offset":
			var out []string
			for _, t := range texts {
				out = append(out, base64Offsets(t)...)
			}
			texts, encoded = out, true
		case "utf16le", "wide", "utf16be", "utf16":
			for i, t := range texts {
				texts[i] = encodeUTF16(t, m)
			}
			encoded = true
		}
	}
	var preds []pred
	var reqs []*Req
	for _, t := range texts {
		pat := plain(t)
		if !encoded {
			pat = parseWildcards(t)
		}
		if has["windash"] {
			pat = pat.windash()
		}
		sp := &strPred{}
		if txt, ok := pat.text(); ok && cased && a == whole {
			sp.exact, sp.eq = true, txt
		} else {
			sp.re = pat.compile(a, cased)
		}
		preds = append(preds, sp)
		if has["utf16le"] || has["utf16be"] || has["utf16"] || has["wide"] {
			reqs = append(reqs, nil) // NUL bytes: not searched for
			continue
		}
		reqs = append(reqs, runsReq(pat.runs(), !cased))
	}
	return preds, reqs, true
}

// expand resolves a placeholder value: a whole-value %name% names a
// reference list (a value in the list matches); with contains,
// startswith or endswith, a string list's values become the values.
func (p *parser) expand(n *yaml.Node, s string, a anchor, cased bool) ([]pred, []*Req, bool) {
	name, ok := placeholder(s)
	if !ok {
		p.unsupported(n, "expand: retrohunt resolves a value that is one placeholder %%name%%, not %q", s)
		return nil, nil, false
	}
	if p.opt.Lists == nil {
		p.errorf(n, "expand: no reference list %q is loaded (--reference-list)", name)
		return nil, nil, false
	}
	l, ok := p.opt.Lists(name)
	if !ok {
		p.errorf(n, "expand: no reference list %q is loaded (--reference-list)", name)
		return nil, nil, false
	}
	lits := l.Literals()
	if a == whole {
		var req *Req
		if lits != nil {
			var kids []*Req
			for _, v := range lits {
				kids = append(kids, lit(v, !cased))
			}
			req = orReq(kids)
		}
		return []pred{&listPred{l: l, cased: cased}}, []*Req{req}, true
	}
	if lits == nil {
		p.unsupported(n, "expand: %%%s%% is a regex or CIDR list; contains, startswith and endswith take a string list", name)
		return nil, nil, false
	}
	var preds []pred
	var reqs []*Req
	for _, v := range lits {
		pat := plain(v)
		preds = append(preds, &strPred{re: pat.compile(a, cased)})
		reqs = append(reqs, lit(v, !cased))
	}
	return preds, reqs, true
}

// placeholder returns name when s is "%name%" (a \% is a plain percent).
func placeholder(s string) (string, bool) {
	if len(s) < 3 || s[0] != '%' || s[len(s)-1] != '%' {
		return "", false
	}
	name := s[1 : len(s)-1]
	if strings.ContainsAny(name, "%\\") {
		return "", false
	}
	return name, true
}

// base64Offsets returns the three base64 forms of s that appear in the
// encoding of any text holding s, whatever its offset modulo 3: s is
// encoded after 0, 1 and 2 filler bytes and the characters that depend
// on the filler or on what follows are cut off.
func base64Offsets(s string) []string {
	start := [3]int{0, 2, 3}
	end := [3]int{0, 3, 2}
	var out []string
	for i := 0; i < 3; i++ {
		enc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat(" ", i) + s))
		lo, hi := start[i], len(enc)-end[(len(s)+i)%3]
		if lo < hi {
			out = append(out, enc[lo:hi])
		}
	}
	return out
}

// encodeUTF16 encodes s as UTF-16: little-endian (utf16le, wide),
// big-endian (utf16be), or little-endian after a byte order mark (utf16).
func encodeUTF16(s, m string) string {
	u := utf16.Encode([]rune(s))
	var b []byte
	if m == "utf16" {
		b = append(b, 0xff, 0xfe)
	}
	for _, c := range u {
		if m == "utf16be" {
			b = append(b, byte(c>>8), byte(c))
		} else {
			b = append(b, byte(c), byte(c>>8))
		}
	}
	return string(b)
}
