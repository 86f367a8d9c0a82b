package fast

import (
	"bytes"
	"math"
	"sync"
	"testing"

	"github.com/retrohunt/retrohunt/bench/gen"
	"github.com/retrohunt/retrohunt/scan/decode"
	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rules"
)

// BenchmarkTrigramModel measures what the trigram model buys: the
// prefilter compiled with a frequency model for the pruning (which term
// of a conjunction is searched for: prune=) and one for the Teddy
// anchors (which trigram anchors each literal and which bucket it joins:
// anchor=), run over the records of the generated medium corpus (Seed
// 1; the table itself comes from the small corpus at Seed 0 and the
// samples). The models:
//
//   - trigram: trigrams.txt, as compiled in production.
//   - unigram: a plain byte-frequency table, the bytes' shares of the
//     same table, each trigram as likely as its three bytes apart
//     (the rare-byte heuristic of memchr-style searchers).
//   - none: every trigram equally likely; pruning keeps the first term
//     and anchors only minimise how many trigrams a bucket admits.
//
// It reports, per MB of records, the candidate records (what goes on to
// the reference mapper, at a few tens of MB/s) and the anchor hits
// (positions where the Teddy tables admit the trigram, each compared
// with its bucket's literals); the candidates' share of the bytes; the
// literals searched for; and the prefilter's own speed (MB/s, which
// swings with the machine's load; the counts do not):
//
//	go test -run '^$' -bench TrigramModel -benchtime 3x ./scan/fast
func BenchmarkTrigramModel(b *testing.B) {
	recs, size := modelCorpus(b)
	all, err := rules.Builtin()
	if err != nil {
		b.Fatal(err)
	}
	sets := map[string][]*rule.Rule{}
	for _, l := range all {
		if l.Default {
			sets["pack"] = append(sets["pack"], l.Rule)
		}
		sets["builtin"] = append(sets["builtin"], l.Rule)
	}
	prod := trigrams()
	models := map[string]*trigramTable{
		"trigram": prod,
		"unigram": unigramTable(prod),
		"none":    newTrigramTable(nil),
	}
	// compile builds the filter with one model for the pruning and
	// another for the anchors and buckets (same literals, other tables).
	compile := func(rs []*rule.Rule, prune, anchor string) *Filter {
		saved := trigrams
		defer func() { trigrams = saved }()
		tbl := models[prune]
		trigrams = func() *trigramTable { return tbl }
		f := New(rs)
		tbl = models[anchor] // what trigrams returns from now on
		f.m = newMatcher(f.lits)
		f.m.marks(f.eventTime)
		return f
	}
	for _, set := range []string{"pack", "builtin"} {
		for _, m := range [][2]string{
			{"trigram", "trigram"}, {"trigram", "unigram"}, {"trigram", "none"},
			{"unigram", "unigram"}, {"none", "none"},
		} {
			b.Run(set+"/prune="+m[0]+"/anchor="+m[1], func(b *testing.B) {
				f := compile(sets[set], m[0], m[1])
				chk := f.NewChecker()
				cands, hits, candBytes := 0, 0, 0
				td, _ := f.m.(*teddy)
				for _, r := range recs {
					if chk.Candidate(r) {
						cands++
						candBytes += len(r)
					}
					if td != nil {
						hits += td.anchorHits(r)
					}
				}
				b.SetBytes(size)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					for _, r := range recs {
						chk.Candidate(r)
					}
				}
				// After the loop: ResetTimer drops reported metrics.
				mb := float64(size) / 1e6
				b.ReportMetric(float64(cands)/mb, "candidates/MB")
				b.ReportMetric(100*float64(candBytes)/float64(size), "candidate-bytes-%")
				if td != nil {
					b.ReportMetric(float64(hits)/mb, "anchorhits/MB")
				}
				b.ReportMetric(float64(len(f.req.Literals)), "literals")
			})
		}
	}
}

// anchorHits counts the positions of buf where the tables admit the
// trigram (bucketsAt, the kernel's test), short literals left out.
func (t *teddy) anchorHits(buf []byte) int {
	n := 0
	for k := 0; k+teddyWidth <= len(buf); k++ {
		if t.bucketsAt(buf, k) != 0 {
			n++
		}
	}
	return n
}

// unigramTable is the byte-frequency model of t: each byte's share of
// the listed trigrams' occurrences, and every trigram of listed bytes
// weighted as the product of its bytes' frequencies.
func unigramTable(t *trigramTable) *trigramTable {
	var bytesIn []byte
	for c := 0; c < 256; c++ {
		if t.index[c] != 0 {
			bytesIn = append(bytesIn, byte(c))
		}
	}
	var f1 [256]float64
	total := 0.0
	for _, a := range bytesIn {
		for _, bb := range bytesIn {
			for _, c := range bytesIn {
				if w := t.cube[(int(t.index[a])*t.n+int(t.index[bb]))*t.n+int(t.index[c])]; w > 0 {
					v := t.pow[w]
					f1[a] += v
					f1[bb] += v
					f1[c] += v
					total += 3 * v
				}
			}
		}
	}
	// The trigram count the table was built from: a third of total.
	n := total / 3
	var ws []trigramWeight
	for _, a := range bytesIn {
		for _, bb := range bytesIn {
			for _, c := range bytesIn {
				p := f1[a] / total * f1[bb] / total * f1[c] / total
				if w := math.Round(math.Log2(p * n)); w >= 0 {
					ws = append(ws, trigramWeight{t: [3]byte{a, bb, c}, w: uint8(min(w, 254))})
				}
			}
		}
	}
	return newTrigramTable(ws)
}

var modelRecords = sync.OnceValues(func() ([][]byte, error) {
	cfg, _ := gen.Preset("medium")
	cfg.Seed = 1
	sink := &recordSink{}
	if _, _, err := gen.Generate(cfg, sink); err != nil {
		return nil, err
	}
	return sink.recs, sink.err
})

func modelCorpus(b *testing.B) ([][]byte, int64) {
	recs, err := modelRecords()
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, r := range recs {
		size += int64(len(r))
	}
	return recs, size
}

// recordSink splits each generated object into records as the engine's
// decoder does.
type recordSink struct {
	mu   sync.Mutex
	recs [][]byte
	err  error
}

func (s *recordSink) Put(key string, body []byte) error {
	var recs [][]byte
	_, err := decode.NewDecoder(decode.Limits{}).Decode(bytes.NewReader(body), func(_ int, raw []byte) error {
		recs = append(recs, bytes.Clone(raw))
		return nil
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		// Siblings (digests and the like) are not logs; the engine
		// leaves them out too.
		return nil
	}
	s.recs = append(s.recs, recs...)
	return nil
}
