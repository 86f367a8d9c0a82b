package fast

// acMatcher is an Aho-Corasick automaton over ASCII-folded bytes for all
// literals at once: one pass over a buffer, whatever the number of
// literals. Case-sensitive literals are found folded and then checked
// byte for byte. It is the portable matcher and the reference that any
// faster kernel is tested against.
type acMatcher struct {
	lits []Literal
	// class maps a byte (folded) to its column; column 0 is every byte
	// that no literal holds.
	class [256]uint8
	ncls  int
	// delta[s+c] is the next state, premultiplied by ncls; negative (^x)
	// when the next state x ends at least one literal.
	delta []int32
	// outs[s/ncls] lists the literals that end in state s.
	outs [][]int32
	// mark is the first literal whose last start find records.
	mark int32
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func newACMatcher(lits []Literal) *acMatcher {
	m := &acMatcher{lits: lits, mark: int32(len(lits))}
	// Columns: one per distinct folded byte in the literals.
	var col [256]uint8
	n := 1
	for _, l := range lits {
		for i := 0; i < len(l.Text); i++ {
			c := lower(l.Text[i])
			if col[c] == 0 {
				col[c] = uint8(n)
				n++
			}
		}
	}
	if n > 255 {
		panic("BUG: too many distinct literal bytes")
	}
	for b := 0; b < 256; b++ {
		m.class[b] = col[lower(byte(b))]
	}
	m.ncls = n

	// Trie.
	type node struct {
		next []int32 // by column; -1: none
		fail int32
		out  []int32
	}
	newNode := func() node {
		nx := make([]int32, n)
		for i := range nx {
			nx[i] = -1
		}
		return node{next: nx}
	}
	nodes := []node{newNode()}
	for id, l := range lits {
		s := int32(0)
		for i := 0; i < len(l.Text); i++ {
			c := col[lower(l.Text[i])]
			if nodes[s].next[c] < 0 {
				nodes = append(nodes, newNode())
				nodes[s].next[c] = int32(len(nodes) - 1)
			}
			s = nodes[s].next[c]
		}
		nodes[s].out = append(nodes[s].out, int32(id))
	}
	// Failure links and full transitions, breadth first.
	queue := []int32{}
	for c := 0; c < n; c++ {
		if t := nodes[0].next[c]; t >= 0 {
			nodes[t].fail = 0
			queue = append(queue, t)
		} else {
			nodes[0].next[c] = 0
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		f := nodes[s].fail
		nodes[s].out = append(nodes[s].out, nodes[f].out...)
		for c := 0; c < n; c++ {
			if t := nodes[s].next[c]; t >= 0 {
				nodes[t].fail = nodes[f].next[c]
				queue = append(queue, t)
			} else {
				nodes[s].next[c] = nodes[f].next[c]
			}
		}
	}
	m.delta = make([]int32, len(nodes)*n)
	m.outs = make([][]int32, len(nodes))
	for s, nd := range nodes {
		m.outs[s] = nd.out
		for c, t := range nd.next {
			v := t * int32(n)
			if len(nodes[t].out) > 0 {
				v = ^v
			}
			m.delta[s*n+c] = v
		}
	}
	return m
}

func (m *acMatcher) marks(from int) { m.mark = int32(from) }

// find sets the bit of every literal that occurs in buf and reports
// whether there was any; last[id-mark] is where the last occurrence of
// marked literal id starts (left as it was when there is none).
func (m *acMatcher) find(buf []byte, found []uint64, last []int) bool {
	any := false
	s := int32(0)
	delta, class := m.delta, &m.class
	for i := 0; i < len(buf); i++ {
		v := delta[int(s)+int(class[buf[i]])]
		if v >= 0 {
			s = v
			continue
		}
		s = ^v
		for _, id := range m.outs[int(s)/m.ncls] {
			l := &m.lits[id]
			if !l.Fold && string(buf[i+1-len(l.Text):i+1]) != l.Text {
				continue
			}
			found[id>>6] |= 1 << (id & 63)
			any = true
			if id >= m.mark {
				last[id-m.mark] = i + 1 - len(l.Text)
			}
		}
	}
	return any
}
