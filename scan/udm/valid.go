package udm

// valid reports whether b is one JSON value, exactly as json.Valid does
// (white space around it, encoding/json's nesting limit, bytes that are
// not UTF-8 allowed inside strings), without its state machine's call
// per byte: validating every candidate record was a tenth of a scan
// whose records mostly hit (TestValidMatchesEncodingJSON, FuzzValid).
func valid(b []byte) bool {
	v := validator{b: b}
	v.space()
	if !v.value(0) {
		return false
	}
	v.space()
	return v.i == len(v.b)
}

// maxNesting is encoding/json's limit on nested objects and arrays.
const maxNesting = 10000

type validator struct {
	b []byte
	i int
}

// plainByte marks the bytes a string holds as they are: not a control
// byte, a quote or a backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func (v *validator) space() {
	for v.i < len(v.b) {
		switch v.b[v.i] {
		case ' ', '\t', '\n', '\r':
			v.i++
		default:
			return
		}
	}
}

// value reads one value at v.i (white space before it already read) at
// the nesting depth of its container.
func (v *validator) value(depth int) bool {
	if v.i >= len(v.b) {
		return false
	}
	switch c := v.b[v.i]; c {
	case '{', '[':
		if depth++; depth > maxNesting {
			return false
		}
		closing := byte(']')
		if c == '{' {
			closing = '}'
		}
		v.i++
		v.space()
		if v.i < len(v.b) && v.b[v.i] == closing {
			v.i++
			return true
		}
		for {
			if c == '{' {
				if v.i >= len(v.b) || v.b[v.i] != '"' || !v.str() {
					return false
				}
				v.space()
				if v.i >= len(v.b) || v.b[v.i] != ':' {
					return false
				}
				v.i++
				v.space()
			}
			if !v.value(depth) {
				return false
			}
			v.space()
			if v.i >= len(v.b) {
				return false
			}
			switch v.b[v.i] {
			case ',':
				v.i++
				v.space()
				continue
			case closing:
				v.i++
				return true
			}
			return false
		}
	case '"':
		return v.str()
	case 't':
		return v.word("true")
	case 'f':
		return v.word("false")
	case 'n':
		return v.word("null")
	}
	return v.number()
}

func (v *validator) word(w string) bool {
	if len(v.b)-v.i < len(w) || string(v.b[v.i:v.i+len(w)]) != w {
		return false
	}
	v.i += len(w)
	return true
}

// str reads a string, its opening quote at v.i.
func (v *validator) str() bool {
	b := v.b
	i := v.i + 1
	for {
		for i < len(b) && plainByte[b[i]] {
			i++
		}
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case '"':
			v.i = i + 1
			return true
		case '\\':
			if i+1 >= len(b) {
				return false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if len(b)-i < 6 || !hex(b[i+2]) || !hex(b[i+3]) || !hex(b[i+4]) || !hex(b[i+5]) {
					return false
				}
				i += 6
			default:
				return false
			}
		default:
			return false // a control byte
		}
	}
}

func hex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (v *validator) number() bool {
	b, i := v.b, v.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return false
		}
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	}
	v.i = i
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
