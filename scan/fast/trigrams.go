package fast

import (
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
)

//go:generate go run ../../bench/cmd/gentrigrams -samples ../../testdata/samples -out trigrams.txt

// trigramsTxt is the frequency model of the anchor choice and the
// pruning: for the 4096 most common ASCII-folded trigrams of the public
// samples and a generated corpus, log2 of how often each occurs, one
// "weight quoted-trigram" line each, sorted by trigram. It is generated
// by bench/cmd/gentrigrams (it needs the corpus generator, which sits
// above scan); bench/gen/trigrams' TestTrigramsUpToDate keeps it in
// step.
//
//go:embed trigrams.txt
var trigramsTxt string

// trigramWeight is one line of trigrams.txt.
type trigramWeight struct {
	t [3]byte
	w uint8
}

// parseTrigrams reads trigrams.txt: comment lines start with '#'; the
// trigrams must be 3 bytes, unique and sorted.
func parseTrigrams(txt string) ([]trigramWeight, error) {
	var out []trigramWeight
	for n, line := range strings.Split(strings.TrimSuffix(txt, "\n"), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		ws, q, ok := strings.Cut(line, " ")
		w, err := strconv.ParseUint(ws, 10, 8)
		if !ok || err != nil {
			return nil, fmt.Errorf("line %d: want a weight (0-255), a space and a quoted trigram: %q", n+1, line)
		}
		t, err := strconv.Unquote(q)
		if err != nil || len(t) != 3 {
			return nil, fmt.Errorf("line %d: want a quoted 3-byte trigram: %q", n+1, line)
		}
		e := trigramWeight{t: [3]byte{t[0], t[1], t[2]}, w: uint8(w)}
		if len(out) > 0 && string(out[len(out)-1].t[:]) >= t {
			return nil, fmt.Errorf("line %d: trigram %q out of order", n+1, t)
		}
		out = append(out, e)
	}
	return out, nil
}

// trigrams is the model the prefilter compiles with: trigrams.txt as a
// trigramTable. It is a variable so that a test can compile with
// another model (trigrams_model_test.go).
var trigrams = sync.OnceValue(func() *trigramTable {
	ws, err := parseTrigrams(trigramsTxt)
	if err != nil {
		panic("BUG: trigrams.txt: " + err.Error())
	}
	return newTrigramTable(ws)
})

// trigramTable is a list of trigram weights as a dense cube over the
// bytes they hold (every other byte shares index 0).
type trigramTable struct {
	index [256]uint8
	n     int
	cube  []uint8 // n*n*n weights + 1, 0 for unlisted
	pow   [256]float64
	bi    []float64 // n*n: the summed frequency of the trigrams a bigram starts
}

func newTrigramTable(ws []trigramWeight) *trigramTable {
	t := &trigramTable{n: 1}
	for _, e := range ws {
		for _, c := range e.t {
			if t.index[c] == 0 {
				t.index[c] = uint8(t.n)
				t.n++
			}
		}
	}
	t.cube = make([]uint8, t.n*t.n*t.n)
	for _, e := range ws {
		t.cube[(int(t.index[e.t[0]])*t.n+int(t.index[e.t[1]]))*t.n+int(t.index[e.t[2]])] = e.w + 1
	}
	t.pow[0] = 1
	for w := 1; w < 256; w++ {
		t.pow[w] = math.Exp2(float64(w - 1))
	}
	t.bi = make([]float64, t.n*t.n)
	for _, e := range ws {
		t.bi[int(t.index[e.t[0]])*t.n+int(t.index[e.t[1]])] += t.pow[e.w+1]
	}
	return t
}

// bigram is how often the folded bigram ab starts a listed trigram.
func (t *trigramTable) bigram(a, b byte) float64 {
	return t.bi[int(t.index[a])*t.n+int(t.index[b])]
}

// freq estimates how often the folded trigram abc occurs: 2**weight, or
// 1 when unlisted.
func (t *trigramTable) freq(a, b, c byte) float64 {
	i := (int(t.index[a])*t.n+int(t.index[b]))*t.n + int(t.index[c])
	return t.pow[t.cube[i]]
}
