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
	d := decoder{b: []byte(s)}
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
func (p partialKey) merge(q partialKey) (partialKey, bool) {
	out := partialKey{key: slices.Clone(p.key), known: slices.Clone(p.known)}
	added := false
	for i := range p.key {
		if !p.known[i] && q.known[i] {
			out.key[i], out.known[i], added = q.key[i], true, true
		}
	}
	return out, added
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
type splitter struct {
	spec Spec
	w    int64
	fn   func(*Window) error
	rule string
	buf  []splitCand // the group's candidates within w of the newest
	subs map[string]*sub
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
	// Keys whose last candidate is more than a window length old can
	// share no window with this one or any later: flush them.
	var old []string
	for name, sb := range s.subs {
		if c.Time > sb.last+s.w {
			old = append(old, name)
		}
	}
	slices.Sort(old)
	for _, name := range old {
		if err := s.subs[name].g.finish(); err != nil {
			return err
		}
		delete(s.subs, name)
	}
	n := 0
	for n < len(s.buf) && s.buf[n].c.Time < c.Time-s.w {
		n++
	}
	clear(s.buf[:n])
	s.buf = s.buf[n:]
	// The whole keys c completes with the buffered candidates: c's own
	// key merged with every agreeing key that adds columns, to a
	// fixpoint.
	keys := []partialKey{k}
	seen := map[string]bool{EncodeKey(k.key, k.known): true}
	linked := len(c.Key) > 0
	for i := 0; i < len(keys); i++ {
		for _, b := range s.buf {
			if !keys[i].agrees(b.k) || !linked && !keys[i].overlaps(b.k) {
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
	var names []string
	for _, m := range keys {
		if !m.full() {
			continue
		}
		name := EncodeKey(m.key, nil)
		if _, ok := s.subs[name]; ok {
			continue
		}
		sb := &sub{k: m, g: &grouper{spec: s.spec, w: s.w, fn: s.fn, rule: s.rule, key: m.key, last: math.MinInt64}}
		for _, b := range s.buf {
			if m.agrees(b.k) {
				if err := sb.g.add(b.c); err != nil {
					return err
				}
				sb.last = b.c.Time
			}
		}
		s.subs[name] = sb
	}
	s.buf = append(s.buf, splitCand{c: c, k: k})
	for name, sb := range s.subs {
		if sb.k.agrees(k) {
			names = append(names, name)
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
