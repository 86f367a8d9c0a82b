package structure

import (
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

// naive is the scanner written the plain way, one byte and one switch at
// a time, sharing no code with Scanner: the oracle for Scan. It stops at
// the end of the first value ("end <offset> deep <tooDeep> first
// <FirstNestedEnd>").
func naive(v []byte, maxDepth int) string { return follow(v, maxDepth, true) }

// naiveAll follows all of v the plain way, past the ends of values (a
// close bracket at depth 0 goes below 0), and reports its state.
func naiveAll(v []byte, maxDepth int) string {
	return strings.TrimPrefix(follow(v, maxDepth, false), "open ")
}

func follow(v []byte, maxDepth int, stopAtEnd bool) string {
	depth, inString, escaped, tooDeep := 0, false, false, false
	first := 0 // past the first close bracket that takes the depth to 1
	for i, c := range v {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > maxDepth {
				tooDeep = true
			}
		case c == '}' || c == ']':
			depth--
			if depth == 1 && first == 0 {
				first = i + 1
			}
			if depth == 0 && stopAtEnd {
				return strings.Join([]string{"end", strconv.Itoa(i + 1), "deep", boolS(tooDeep), "first", strconv.Itoa(first)}, " ")
			}
		}
	}
	return strings.Join([]string{"open", strconv.Itoa(depth), boolS(inString), boolS(escaped), boolS(tooDeep), strconv.Itoa(first)}, " ")
}

// scanAll follows all of v with Scan, starting again after each value's
// end, as a caller checking a whole line does, and reports its state.
func scanAll(v []byte, maxDepth int) string {
	s := Scanner{MaxDepth: maxDepth}
	for i := 0; i < len(v); {
		if i = s.Scan(v, i); i < 0 {
			break
		}
	}
	return strings.Join([]string{strconv.Itoa(s.depth), boolS(s.inString), boolS(s.escaped), boolS(s.tooDeep), strconv.Itoa(s.FirstNestedEnd())}, " ")
}

// naiveString returns the index past the quote closing the string body
// that starts at v[0], or -1: the oracle for String.
func naiveString(v []byte) int {
	escaped := false
	for i, c := range v {
		switch {
		case escaped:
			escaped = false
		case c == '\\':
			escaped = true
		case c == '"':
			return i + 1
		}
	}
	return -1
}

// stringPieces scans the string body v with String, fed in pieces cut at
// cuts.
func stringPieces(v []byte, cuts []int) int {
	var s Scanner
	prev := 0
	for _, c := range append(cuts, len(v)) {
		if c <= prev || c > len(v) {
			continue
		}
		if end := s.String(v[:c], prev); end >= 0 {
			return end
		}
		prev = c
	}
	return -1
}

// scanBoth scans v with the block scanner and with the byte loop alone,
// fed in pieces cut at cuts, and reports both results.
func scanBoth(v []byte, maxDepth int, cuts []int) (fast, slow string) {
	run := func(bytesOnly bool) string {
		s := Scanner{MaxDepth: maxDepth}
		prev := 0
		for _, c := range append(cuts, len(v)) {
			if c <= prev || c > len(v) {
				continue
			}
			var end int
			if bytesOnly {
				end = s.scanBytes(v[:c], prev)
			} else {
				end = s.Scan(v[:c], prev)
			}
			if end >= 0 {
				return strings.Join([]string{"end", strconv.Itoa(end), "deep", boolS(s.tooDeep), "first", strconv.Itoa(s.FirstNestedEnd())}, " ")
			}
			prev = c
		}
		return strings.Join([]string{"open", strconv.Itoa(s.depth), boolS(s.inString), boolS(s.escaped), boolS(s.tooDeep), strconv.Itoa(s.FirstNestedEnd())}, " ")
	}
	return run(false), run(true)
}

func boolS(b bool) string {
	if b {
		return "t"
	}
	return "f"
}

func TestStructureBlocksMatchBytes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	pieces := []string{`{`, `}`, `[`, `]`, `"`, `\`, `\\`, `\"`, `"a":`, `,`, ` `, `"{[}]"`, strings.Repeat("x", 70), `1`, `"k":"v"`, `\u0041`}
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		b.WriteString("{")
		for n := rng.Intn(60); n > 0; n-- {
			b.WriteString(pieces[rng.Intn(len(pieces))])
		}
		v := []byte(b.String())
		var cuts []int
		for n := rng.Intn(4); n > 0; n-- {
			cuts = append(cuts, rng.Intn(len(v)+1))
		}
		sortInts(cuts)
		maxDepth := 1 + rng.Intn(6)
		fast, slow := scanBoth(v, maxDepth, cuts)
		if fast != slow {
			t.Fatalf("%q cuts %v max %d: blocks %s, bytes %s", v, cuts, maxDepth, fast, slow)
		}
		if want := naive(v, maxDepth); fast != want {
			t.Fatalf("%q cuts %v max %d: Scan %s, one byte at a time %s", v, cuts, maxDepth, fast, want)
		}
		if got, want := scanAll(v[1:], maxDepth), naiveAll(v[1:], maxDepth); got != want {
			t.Fatalf("%q max %d, whole: Scan %s, one byte at a time %s", v[1:], maxDepth, got, want)
		}
		body := v[1:]
		if got, want := stringPieces(body, cuts), naiveString(body); got != want {
			t.Fatalf("string body %q cuts %v: String %d, one byte at a time %d", body, cuts, got, want)
		}
	}
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

func FuzzStructure(f *testing.F) {
	f.Add([]byte(`{"a":"`+strings.Repeat(`x\"`, 40)+`","b":[{"c":"]"}]}`), uint8(3), uint16(70))
	f.Fuzz(func(t *testing.T, v []byte, maxDepth uint8, cut uint16) {
		v = append([]byte{'{'}, v...)
		eachKernel(func(kernel string) {
			fast, slow := scanBoth(v, 1+int(maxDepth%8), []int{int(cut)})
			if fast != slow {
				t.Fatalf("%q cut %d: blocks (%s) %s, bytes %s", v, cut, kernel, fast, slow)
			}
		})
		fast, _ := scanBoth(v, 1+int(maxDepth%8), []int{int(cut)})
		if want := naive(v, 1+int(maxDepth%8)); fast != want {
			t.Fatalf("%q cut %d: Scan %s, one byte at a time %s", v, cut, fast, want)
		}
		if got, want := scanAll(v[1:], 1+int(maxDepth%8)), naiveAll(v[1:], 1+int(maxDepth%8)); got != want {
			t.Fatalf("%q whole: Scan %s, one byte at a time %s", v[1:], got, want)
		}
		if got, want := stringPieces(v[1:], []int{int(cut)}), naiveString(v[1:]); got != want {
			t.Fatalf("string body %q cut %d: String %d, one byte at a time %d", v[1:], cut, got, want)
		}
		checkStateless(t, v)
		if len(v) > 1 {
			checkStateless(t, v[1:])
		}
	})
}
