package sigma

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// Rule is one Sigma detection rule.
type Rule struct {
	Title, ID, Status, Description, Author string
	// Name is the rule's name: key, the handle correlation rules refer
	// to it by (besides its id).
	Name                  string
	Date, Modified, Level string
	Tags                  []string
	Logsource             Logsource
	// Type is the log type the rule's logsource routes it to; Unknown
	// when the logsource is none retrohunt reads (not applicable).
	Type udm.LogType
	Pos  Pos    // where the rule's YAML document starts
	Text []byte // the file's text

	Selections []*Selection // in file order
	Condition  Cond
	// CondText is the condition as written (several joined by " or ").
	CondText string

	// Correlation is set, and the detection fields are empty, for a
	// correlation rule (correlation.go).
	Correlation *Correlation
}

// Logsource is a rule's logsource section.
type Logsource struct {
	Product, Service, Category string
}

// String renders the logsource as "product/service" (with the category
// when set).
func (l Logsource) String() string {
	var parts []string
	for _, p := range []struct{ k, v string }{{"category", l.Category}, {"product", l.Product}, {"service", l.Service}} {
		if p.v != "" {
			parts = append(parts, p.k+": "+p.v)
		}
	}
	return strings.Join(parts, ", ")
}

// Selection is one search identifier of the detection section: its
// groups are ORed, the items of a group ANDed.
type Selection struct {
	Name   string
	Pos    Pos
	Groups [][]*Item
}

// Lists resolves the placeholders of the expand modifier to reference
// lists by name (a reflist.Set satisfies it through a small adapter).
type Lists func(name string) (List, bool)

// List is a reference list as expand uses it.
type List interface {
	Match(v string, nocase bool) bool
	// Literals is a string list's values, nil for regex and CIDR lists.
	Literals() []string
}

// Options configure parsing.
type Options struct {
	// Lists resolves expand placeholders; nil: none is known, and a rule
	// that uses one is an error.
	Lists Lists
}

// ParseFile parses every Sigma rule (YAML document) of a file. It
// returns the rules that compiled and, as an ErrorList, every error
// found, with its file:line:col.
func ParseFile(file string, src []byte, opt Options) ([]*Rule, error) {
	var errs ErrorList
	var out []*Rule
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, yamlError(file, err))
			break
		}
		p := &parser{file: file, opt: opt}
		r := p.rule(&doc, src)
		sort.SliceStable(p.errs, func(i, j int) bool {
			a, b := p.errs[i].Pos, p.errs[j].Pos
			return a.Line < b.Line || a.Line == b.Line && a.Col < b.Col
		})
		errs = append(errs, p.errs...)
		if r != nil && len(p.errs) == 0 {
			out = append(out, r)
		}
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, &Error{Pos: Pos{File: file, Line: 1, Col: 1}, Msg: "no Sigma rule in file"})
	}
	if len(errs) > 0 {
		return out, errs
	}
	return out, nil
}

var yamlLine = regexp.MustCompile(`line (\d+)(?:, column (\d+))?`)

// yamlError turns the YAML library's error into an Error at the line
// (and column, when it says) it names.
func yamlError(file string, err error) *Error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	pos := Pos{File: file, Line: 1, Col: 1}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		if m[2] != "" {
			pos.Col, _ = strconv.Atoi(m[2])
		}
		msg = strings.TrimSpace(strings.TrimPrefix(strings.Replace(msg, m[0]+":", "", 1), ":"))
	}
	return &Error{Pos: pos, Msg: "YAML does not parse: " + msg}
}

type parser struct {
	file  string
	opt   Options
	title string
	errs  ErrorList
}

func (p *parser) pos(n *yaml.Node) Pos { return Pos{File: p.file, Line: n.Line, Col: n.Column} }

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: p.pos(n), Msg: fmt.Sprintf(format, args...), Rule: p.title})
}

func (p *parser) unsupported(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: p.pos(n), Msg: fmt.Sprintf(format, args...), Rule: p.title, Unsupported: true})
}

// pairs returns a mapping's key and value nodes, reporting duplicate
// keys (which the YAML library leaves to its user).
func (p *parser) pairs(m *yaml.Node) [][2]*yaml.Node {
	var out [][2]*yaml.Node
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if prev, ok := seen[k.Value]; ok {
			p.errorf(k, "duplicate key %q (first at line %d)", k.Value, prev.Line)
			continue
		}
		seen[k.Value] = k
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

func (p *parser) rule(doc *yaml.Node, src []byte) *Rule {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		p.errorf(top, "a Sigma rule is a YAML mapping")
		return nil
	}
	r := &Rule{Pos: p.pos(top), Text: src}
	kv := p.pairs(top)
	for _, e := range kv {
		if e[0].Value == "title" || e[0].Value == "name" && r.Title == "" {
			r.Title = e[1].Value
		}
	}
	p.title = r.Title
	var detection, correlation *yaml.Node
	for _, e := range kv {
		k, v := e[0], e[1]
		switch k.Value {
		case "name":
			r.Name = p.str(v)
		case "title":
		case "id":
			r.ID = p.str(v)
		case "status":
			r.Status = p.str(v)
		case "description":
			r.Description = p.str(v)
		case "author":
			r.Author = p.str(v)
		case "date":
			r.Date = p.str(v)
		case "modified":
			r.Modified = p.str(v)
		case "level":
			r.Level = p.str(v)
		case "tags":
			r.Tags = p.strs(v)
		case "logsource":
			r.Logsource = p.logsource(v)
		case "detection":
			detection = v
		case "correlation":
			correlation = v
		}
	}
	if r.Title == "" {
		p.errorf(top, "rule has no title")
	}
	if correlation != nil {
		if detection != nil {
			p.errorf(detection, "a rule has a detection or a correlation section, not both")
		}
		r.Correlation = p.correlation(correlation)
		return r
	}
	if detection == nil {
		p.errorf(top, "rule has no detection section")
		return nil
	}
	r.Type = route(r.Logsource)
	p.detection(r, detection)
	return r
}

func (p *parser) str(n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "expected a string")
		return ""
	}
	return n.Value
}

func (p *parser) strs(n *yaml.Node) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "expected a list of strings")
		return nil
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, p.str(c))
	}
	return out
}

func (p *parser) logsource(n *yaml.Node) Logsource {
	var l Logsource
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "logsource is a mapping")
		return l
	}
	for _, e := range p.pairs(n) {
		switch e[0].Value {
		case "product":
			l.Product = strings.ToLower(p.str(e[1]))
		case "service":
			l.Service = strings.ToLower(p.str(e[1]))
		case "category":
			l.Category = strings.ToLower(p.str(e[1]))
		}
	}
	return l
}

// route returns the log type a logsource's records are: Unknown for a
// logsource retrohunt does not read.
func route(l Logsource) udm.LogType {
	if l.Category != "" {
		return udm.Unknown
	}
	for _, r := range Routes {
		if r.Product == l.Product && r.Service == l.Service {
			return r.Type
		}
	}
	return udm.Unknown
}

// Routes maps logsources to the log types retrohunt reads.
var Routes = []struct {
	Product, Service string
	Type             udm.LogType
}{
	{"aws", "cloudtrail", udm.AWSCloudTrail},
	{"azure", "activitylogs", udm.AzureActivity},
	{"azure", "signinlogs", udm.AzureADSignIn},
	{"azure", "auditlogs", udm.AzureADAudit},
}

func (p *parser) detection(r *Rule, n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "detection is a mapping")
		return
	}
	var cond *yaml.Node
	for _, e := range p.pairs(n) {
		k, v := e[0], e[1]
		switch k.Value {
		case "condition":
			cond = v
			continue
		case "timeframe":
			p.unsupported(k, "timeframe belongs to aggregations and correlations, which need the windowed engine of issue 11")
			continue
		}
		if s := p.selection(k, v); s != nil {
			r.Selections = append(r.Selections, s)
		}
	}
	if cond == nil {
		p.errorf(n, "detection has no condition")
		return
	}
	var conds []Cond
	var texts []string
	switch cond.Kind {
	case yaml.ScalarNode:
		if c := p.condition(r, cond); c != nil {
			conds = append(conds, c)
		}
		texts = append(texts, cond.Value)
	case yaml.SequenceNode:
		for _, c := range cond.Content {
			if c.Kind != yaml.ScalarNode {
				p.errorf(c, "a condition is a string")
				continue
			}
			if x := p.condition(r, c); x != nil {
				conds = append(conds, x)
			}
			texts = append(texts, c.Value)
		}
	default:
		p.errorf(cond, "condition is a string or a list of strings")
	}
	r.CondText = strings.Join(texts, " or ")
	switch len(conds) {
	case 0:
	case 1:
		r.Condition = conds[0]
	default:
		r.Condition = &OrCond{Terms: conds}
	}
}

func (p *parser) selection(k, v *yaml.Node) *Selection {
	s := &Selection{Name: k.Value, Pos: p.pos(k)}
	switch v.Kind {
	case yaml.MappingNode:
		s.Groups = append(s.Groups, p.items(v))
	case yaml.SequenceNode:
		maps, scalars := 0, 0
		for _, c := range v.Content {
			if c.Kind == yaml.MappingNode {
				maps++
			} else {
				scalars++
			}
		}
		switch {
		case maps > 0 && scalars > 0:
			p.errorf(v, "search identifier %s mixes maps and plain values", k.Value)
			return nil
		case maps > 0:
			for _, c := range v.Content {
				s.Groups = append(s.Groups, p.items(c))
			}
		default:
			if it := p.item(v, "", nil, v); it != nil {
				s.Groups = append(s.Groups, []*Item{it})
			}
		}
	case yaml.ScalarNode:
		if it := p.item(v, "", nil, v); it != nil {
			s.Groups = append(s.Groups, []*Item{it})
		}
	default:
		p.errorf(v, "search identifier %s is a map or a list", k.Value)
		return nil
	}
	return s
}

// items reads a map of field conditions, ANDed.
func (p *parser) items(m *yaml.Node) []*Item {
	var out []*Item
	for _, e := range p.pairs(m) {
		k, v := e[0], e[1]
		field, mods := splitKey(k)
		if it := p.item(k, field, mods, v); it != nil {
			out = append(out, it)
		}
	}
	return out
}

// modifier is one "|name" of a key with its column.
type modifier struct {
	name string
	col  int
}

// splitKey splits "field|mod1|mod2" into the field and its modifiers,
// with the column each modifier starts at.
func splitKey(k *yaml.Node) (string, []modifier) {
	col := k.Column
	if k.Style&(yaml.SingleQuotedStyle|yaml.DoubleQuotedStyle) != 0 {
		col++
	}
	parts := strings.Split(k.Value, "|")
	var mods []modifier
	off := len(parts[0]) + 1
	for _, m := range parts[1:] {
		mods = append(mods, modifier{name: m, col: col + off})
		off += len(m) + 1
	}
	return parts[0], mods
}
