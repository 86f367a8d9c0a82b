//go:build !purego

package inflate

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// fastLoopRuns counts the fast loop's returns that checkFastLoops
// compared, by how they ended (0 at a margin, 1 at the block's end, 2
// corrupt).
var fastLoopRuns [3]int

// checkFastLoops makes huffman run, at every entry to the fast loop
// until the test ends, both fastLoopBMI2 and the Go reference fastLoop
// on the same state, the assembly on the real output and fastLoop on a
// copy of it, and fail the test unless they return the same state
// (bitbuf, bitsleft, pos, op, end, err) and leave the same bytes in the
// whole output buffer (words past op included). Without BMI2 it does
// nothing: huffman runs fastLoop.
func checkFastLoops(t testing.TB) {
	if !asmFastLoop {
		return
	}
	prev := runFastLoop
	t.Cleanup(func() { runFastLoop = prev })
	runFastLoop = func(in, out []byte, tables *codeTables, bitbuf uint64, bitsleft uint, pos, op int) (uint64, uint, int, int, bool, error) {
		ref := bytes.Clone(out)
		got := fastLoopState(fastLoopArch(in, out, tables, bitbuf, bitsleft, pos, op))
		want := fastLoopState(fastLoop(in, ref, tables, bitbuf, bitsleft, pos, op))
		if got != want {
			t.Fatalf("fast loop from bitbuf %#x, bitsleft %d, pos %d of %d, op %d of %d: assembly {%v}, Go {%v}", bitbuf, bitsleft, pos, len(in), op, len(out), got, want)
		}
		if !bytes.Equal(out, ref) {
			t.Fatalf("fast loop from bitbuf %#x, bitsleft %d, pos %d of %d, op %d of %d: the assembly's output differs from Go's at byte %d", bitbuf, bitsleft, pos, len(in), op, len(out), firstDiff(out, ref))
		}
		fastLoopRuns[got.status()]++
		return got.bitbuf, got.bitsleft, got.pos, got.op, got.end, got.err
	}
}

type loopState struct {
	bitbuf   uint64
	bitsleft uint
	pos, op  int
	end      bool
	err      error
}

func (s loopState) String() string {
	return fmt.Sprintf("bitbuf %#x, bitsleft %d, pos %d, op %d, end %v, err %v", s.bitbuf, s.bitsleft, s.pos, s.op, s.end, s.err)
}

func fastLoopState(bitbuf uint64, bitsleft uint, pos, op int, end bool, err error) loopState {
	return loopState{bitbuf, bitsleft, pos, op, end, err}
}

func (s loopState) status() int {
	switch {
	case !s.end:
		return 0
	case s.err == nil:
		return 1
	}
	return 2
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestFastLoopBMI2MatchesGo runs the assembly fast loop against the Go
// one (checkFastLoops compares them at every return) over the suite's
// corpus whole and damaged (random bits flipped, bytes overwritten), and
// straight from random states (fewer of both under -short): random complete codes (randomLengths,
// TestTablesDecodeLikeBitByBit's) and the fixed code, one-symbol and
// empty distance codes (their invalid entries), random input bits and
// random bit buffers, positions and outputs.
func TestFastLoopBMI2MatchesGo(t *testing.T) {
	if !asmFastLoop {
		t.Skip("no BMI2: huffman runs the Go fast loop")
	}
	checkFastLoops(t)
	fastLoopRuns = [3]int{}
	damaged, states := 8, 20000
	if testing.Short() || raceEnabled {
		damaged, states = 2, 2000
	}
	var d Decompressor
	rng := rand.New(rand.NewPCG(9, 10))
	for i, src := range corpus(t) {
		if msg := differ(&d, src); msg != "" {
			t.Errorf("object %d: %s", i, msg)
		}
		for range damaged {
			m := bytes.Clone(src)
			for range 1 + rng.IntN(4) {
				if rng.IntN(2) == 0 {
					bit := rng.IntN(len(m) * 8)
					m[bit/8] ^= 1 << (bit % 8)
				} else {
					m[rng.IntN(len(m))] = byte(rng.Uint32())
				}
			}
			if msg := differ(&d, m); msg != "" {
				t.Errorf("object %d damaged: %s", i, msg)
			}
		}
	}
	t.Logf("corpus: fast loop returns at a margin %d, at a block's end %d, corrupt %d", fastLoopRuns[0], fastLoopRuns[1], fastLoopRuns[2])
	if fastLoopRuns[0] == 0 || fastLoopRuns[1] == 0 || fastLoopRuns[2] == 0 {
		t.Errorf("the corpus's fast loop returns %v: each kind of return must be seen", fastLoopRuns)
	}

	var runs [3]int
	for round := range states {
		tables := randomTables(rng)
		in := make([]byte, fastInMargin+rng.IntN(3000))
		for i := range in {
			in[i] = byte(rng.Uint32())
		}
		out := make([]byte, fastOutMargin+rng.IntN(80000))
		op := rng.IntN(len(out) - fastOutMargin + 1)
		for i := range out {
			out[i] = byte(rng.Uint32())
		}
		pos := rng.IntN(len(in) - fastInMargin + 1)
		bitsleft := uint(rng.IntN(64))
		bitbuf := rng.Uint64() & (1<<bitsleft - 1)
		ref := bytes.Clone(out)
		got := fastLoopState(fastLoopArch(in, out, tables, bitbuf, bitsleft, pos, op))
		want := fastLoopState(fastLoop(in, ref, tables, bitbuf, bitsleft, pos, op))
		where := fmt.Sprintf("round %d: from bitbuf %#x, bitsleft %d, pos %d of %d, op %d of %d", round, bitbuf, bitsleft, pos, len(in), op, len(out))
		if got != want {
			t.Fatalf("%s: assembly {%v}, Go {%v}", where, got, want)
		}
		if !bytes.Equal(out, ref) {
			t.Fatalf("%s: the assembly's output differs from Go's at byte %d", where, firstDiff(out, ref))
		}
		runs[got.status()]++
	}
	t.Logf("random states: fast loop returns at a margin %d, at a block's end %d, corrupt %d", runs[0], runs[1], runs[2])
	if runs[0] == 0 || runs[1] == 0 || runs[2] == 0 {
		t.Errorf("the random states' fast loop returns %v: each kind of return must be seen", runs)
	}
}

// randomTables builds a random pair of tables: a random complete
// literal/length code (or the fixed code's), a random complete distance
// code, a one-symbol one (half its entries invalid) or an empty one.
func randomTables(rng *rand.Rand) *codeTables {
	if rng.IntN(10) == 0 {
		return fixedTables()
	}
	var tables codeTables
	for {
		lens := randomLengths(rng, 286, 2+rng.IntN(284))
		if rng.IntN(4) != 0 && lens[256] == 0 {
			continue // most blocks can end
		}
		if _, ok := build(tables.lit[:], lens, litBits, litKind); !ok {
			panic("a complete code refused")
		}
		break
	}
	var lens []uint8
	switch rng.IntN(10) {
	case 0:
		lens = make([]uint8, 30)
		lens[rng.IntN(30)] = 1
	case 1:
		lens = make([]uint8, 30)
	default:
		lens = randomLengths(rng, 30, 2+rng.IntN(29))
	}
	if _, ok := build(tables.dist[:], lens, distBits, distKind); !ok {
		panic("a distance code refused")
	}
	return &tables
}
