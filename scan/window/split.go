package window

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Rules whose event variables do not all assign the whole match key
// (Spec.SubKey). Google's adfs_dkm_key_access groups by $hostname, which
// only its $login events assign; its $object events join them through
// another placeholder ($subject). Such a candidate cannot be grouped by
// the match key on its own, so the rule groups candidates by values
// every joined event shares (the group key, possibly none) and the
// splitter completes each candidate's key inside its group: every whole
// match key that the group's candidates within one window length make
// up together (the key columns one assigns agreeing with the others';
// without a group key, only candidates that assign a common column with
// the same value are combined, so that unrelated events do not make a
// cross product of keys) gets its own grouper, which receives the group's candidates whose
// assigned columns agree with it. The rule's evaluation then keeps a
// window only if its events after the joins assign every key column.
//
// Memory: the candidates of one group within one window length, and one
// grouper per whole key live in that span.

// MaxSubKeys bounds the whole match keys one candidate can complete
// within its window span; beyond it Detect fails naming the rule, as a
// key made of many partial keys is a cross product that grows without
// bound.
const MaxSubKeys = 4096

// EncodeKey encodes a match key whose column i is unknown where
// known[i] is false (known nil: all known), for Candidate.Values[0]
// under Spec.SubKey.
func EncodeKey(key []string, known []bool) string {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(key)))
	for i, k := range key {
		if known != nil && !known[i] {
			b = append(b, 0)
			continue
		}
		b = append(b, 1)
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	return string(b)
}

// DecodeKey reverses EncodeKey; false for a malformed encoding.
func DecodeKey(s string) (key []string, known []bool, ok bool) {
	d := decoder{b: []byte(s), s: s}
	n := d.count()
	key, known = make([]string, n), make([]bool, n)
	for i := range n {
		if len(d.b) == 0 {
			return nil, nil, false
		}
		flag := d.b[0]
		d.b = d.b[1:]
		if flag == 1 {
			key[i], known[i] = d.str(), true
		}
	}
	if d.bad || len(d.b) != 0 {
		return nil, nil, false
	}
	return key, known, true
}

// partialKey is a candidate's match key as far as it assigns it.
type partialKey struct {
	key   []string
	known []bool
}

func (p partialKey) full() bool { return !slices.Contains(p.known, false) }

// agrees reports whether p and q hold the same value in every column
// both assign.
func (p partialKey) agrees(q partialKey) bool {
	for i := range p.key {
		if p.known[i] && q.known[i] && p.key[i] != q.key[i] {
			return false
		}
	}
	return true
}

// overlaps reports whether p and q both assign some column.
func (p partialKey) overlaps(q partialKey) bool {
	for i := range p.key {
		if p.known[i] && q.known[i] {
			return true
		}
	}
	return false
}

// merge is p with q's columns p does not assign; false when q adds none.
// Most partners add nothing: p is copied only when q adds a column.
func (p partialKey) merge(q partialKey) (partialKey, bool) {
	first := -1
	for i := range p.key {
		if !p.known[i] && q.known[i] {
			first = i
			break
		}
	}
	if first < 0 {
		return p, false
	}
	out := partialKey{key: slices.Clone(p.key), known: slices.Clone(p.known)}
	for i := first; i < len(p.key); i++ {
		if !p.known[i] && q.known[i] {
			out.key[i], out.known[i] = q.key[i], true
		}
	}
	return out, true
}

type splitCand struct {
	c Candidate
	k partialKey
}

// sub is the grouper of one whole match key of a group.
type sub struct {
	g    *grouper
	k    partialKey
	last int64 // the time of the last candidate it received
}

// splitter assigns the windows of one group of a Spec.SubKey rule.
//
// Without a group key (linked false) the group is all the rule's
// candidates, so nothing scans the buffer or the keys whole: the
// buffer is indexed by column value (a candidate combines only with
// those that assign a common column with the same value, and in such a
// rule every candidate assigns some column), and so are the keys'
// groupers (a candidate goes to the whole keys that hold its values);
// keys are retired in sweeps a quarter of a window length apart (late
// retirement changes no window: a grouper drops what its windows can no
// longer reach by itself).
type splitter struct {
	spec Spec
	w    int64
	fn   func(*Window) error
	rule string
	buf  []splitCand // the group's candidates within w of the newest
	subs map[string]*sub

	started bool
	linked  bool                  // the candidates carry a group key
	base    int64                 // absolute position of buf[0]
	byCol   []map[string][]int64  // !linked: per column and value, the buffered candidates assigning it (absolute positions, in order)
	subsBy  []map[string][]string // per column and value, the whole keys holding it
	sweep   int64                 // next retirement sweep at or after this time
}

func (s *splitter) add(c Candidate) error {
	if len(c.Values) == 0 {
		return fmt.Errorf("rule %s: candidate without its match key", s.rule)
	}
	key, known, ok := DecodeKey(c.Values[0])
	if !ok {
		return fmt.Errorf("rule %s: %w", s.rule, errCorrupt)
	}
	k := partialKey{key, known}
	if !s.started {
		s.started, s.linked, s.sweep = true, len(c.Key) > 0, math.MinInt64
		s.byCol, s.subsBy = make([]map[string][]int64, len(key)), make([]map[string][]string, len(key))
		for j := range key {
			s.byCol[j], s.subsBy[j] = map[string][]int64{}, map[string][]string{}
		}
	}
	if len(key) != len(s.byCol) {
		return fmt.Errorf("rule %s: %w", s.rule, errCorrupt)
	}
	if err := s.retire(c.Time); err != nil {
		return err
	}
	s.drop(c.Time - s.w)
	// The whole keys c completes with the buffered candidates: c's own
	// key merged with every agreeing key that adds columns, to a
	// fixpoint.
	keys := []partialKey{k}
	seen := map[string]bool{EncodeKey(k.key, k.known): true}
	for i := 0; i < len(keys); i++ {
		for _, at := range s.partners(keys[i]) {
			b := &s.buf[at]
			if !keys[i].agrees(b.k) || !s.linked && !keys[i].overlaps(b.k) {
				continue
			}
			m, added := keys[i].merge(b.k)
			if !added {
				continue
			}
			e := EncodeKey(m.key, m.known)
			if seen[e] {
				continue
			}
			seen[e] = true
			keys = append(keys, m)
			if len(keys) > MaxSubKeys {
				return fmt.Errorf("rule %s: more than %d match keys made of the candidates of one window length", s.rule, MaxSubKeys)
			}
		}
	}
	for _, m := range keys {
		if !m.full() {
			continue
		}
		name := EncodeKey(m.key, nil)
		if _, ok := s.subs[name]; ok {
			continue
		}
		sb := &sub{k: m, g: &grouper{spec: s.spec, w: s.w, fn: s.fn, rule: s.rule, key: m.key, last: math.MinInt64}}
		for _, at := range s.partners(m) {
			if b := &s.buf[at]; m.agrees(b.k) {
				if err := sb.g.add(b.c); err != nil {
					return err
				}
				sb.last = b.c.Time
			}
		}
		s.subs[name] = sb
		for j, v := range m.key {
			s.subsBy[j][v] = append(s.subsBy[j][v], name)
		}
	}
	pos := s.base + int64(len(s.buf))
	s.buf = append(s.buf, splitCand{c: c, k: k})
	if !s.linked {
		for j, v := range k.key {
			if k.known[j] {
				s.byCol[j][v] = append(s.byCol[j][v], pos)
			}
		}
	}
	var names []string
	j0 := slices.Index(k.known, true)
	if j0 < 0 {
		for name := range s.subs {
			names = append(names, name)
		}
	} else {
		for _, name := range s.subsBy[j0][k.key[j0]] {
			if s.subs[name].k.agrees(k) {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	for _, name := range names {
		sb := s.subs[name]
		if err := sb.g.add(c); err != nil {
			return err
		}
		sb.last = c.Time
	}
	return nil
}

// partners returns the indexes in buf of the candidates that may agree
// with p, in time order: all of them in a linked group, else those
// assigning one of p's values in its column.
func (s *splitter) partners(p partialKey) []int {
	var out []int
	if s.linked {
		out = make([]int, len(s.buf))
		for i := range out {
			out[i] = i
		}
		return out
	}
	for j, v := range p.key {
		if p.known[j] {
			for _, a := range s.byCol[j][v] {
				out = append(out, int(a-s.base))
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// drop removes the buffered candidates before time lo.
func (s *splitter) drop(lo int64) {
	n := 0
	for n < len(s.buf) && s.buf[n].c.Time < lo {
		if !s.linked {
			k := s.buf[n].k
			for j, v := range k.key {
				if !k.known[j] {
					continue
				}
				l := s.byCol[j][v]
				if len(l) <= 1 {
					delete(s.byCol[j], v)
				} else {
					s.byCol[j][v] = l[1:] // the oldest first: this one
				}
			}
		}
		n++
	}
	clear(s.buf[:n])
	s.buf = s.buf[n:]
	s.base += int64(n)
}

// retire finishes the groupers of keys whose last candidate is more
// than a window length before t: they share no window with it or any
// later one. It sweeps a quarter of a window length apart.
func (s *splitter) retire(t int64) error {
	if t < s.sweep {
		return nil
	}
	s.sweep = t + max(s.w/4, 1)
	var old []string
	for name, sb := range s.subs {
		if t > sb.last+s.w {
			old = append(old, name)
		}
	}
	slices.Sort(old)
	for _, name := range old {
		sb := s.subs[name]
		if err := sb.g.finish(); err != nil {
			return err
		}
		delete(s.subs, name)
		for j, v := range sb.k.key {
			l := slices.DeleteFunc(s.subsBy[j][v], func(n string) bool { return n == name })
			if len(l) == 0 {
				delete(s.subsBy[j], v)
			} else {
				s.subsBy[j][v] = l
			}
		}
	}
	return nil
}

func (s *splitter) finish() error {
	names := make([]string, 0, len(s.subs))
	for name := range s.subs {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := s.subs[name].g.finish(); err != nil {
			return err
		}
	}
	s.subs, s.buf = nil, nil
	return nil
}
