package gen

// rng is a splitmix64 generator. It is ours rather than math/rand's so the
// corpus stays byte-identical across Go releases, and it is cheap enough
// to sit in the per-record hot loop.
type rng struct{ s uint64 }

func newRNG(seed uint64) rng { return rng{s: mix(seed)} }

func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// derive returns a seed for a sub-stream named by the parts, so every
// object can be generated independently of the order workers run in.
func derive(seed uint64, parts ...uint64) uint64 {
	h := mix(seed)
	for _, p := range parts {
		h = mix(h ^ p)
	}
	return h
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a value in [0, n); n must be > 0 and < 1<<32.
func (r *rng) intn(n int) int {
	return int((r.next() >> 32) * uint64(n) >> 32)
}

// between returns a value in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability perMille/1000.
func (r *rng) chance(perMille int) bool { return r.intn(1000) < perMille }

func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

func pick[T any](r *rng, s []T) T { return s[r.intn(len(s))] }

const (
	hexLower = "0123456789abcdef"
	alnum    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	upperNum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
)

// appendRand appends n characters drawn from set (len(set) <= 64).
func (r *rng) appendRand(dst []byte, set string, n int) []byte {
	var v uint64
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			v = r.next()
		}
		dst = append(dst, set[int((v&63)*uint64(len(set))>>6)])
		v >>= 6
	}
	return dst
}

func (r *rng) str(set string, n int) string { return string(r.appendRand(nil, set, n)) }

// appendUUID appends a random version-4 UUID in lower-case hex.
func (r *rng) appendUUID(dst []byte) []byte {
	a, b := r.next(), r.next()
	a = a&^(0xf<<12) | 4<<12 // version nibble
	b = b&^(0x3<<62) | 2<<62 // variant bits
	dst = appendHex(dst, a>>32, 8)
	dst = append(dst, '-')
	dst = appendHex(dst, a>>16, 4)
	dst = append(dst, '-')
	dst = appendHex(dst, a, 4)
	dst = append(dst, '-')
	dst = appendHex(dst, b>>48, 4)
	dst = append(dst, '-')
	return appendHex(dst, b, 12)
}

func (r *rng) uuid() string { return string(r.appendUUID(make([]byte, 0, 36))) }

// appendHex appends the low n nibbles of v, most significant first.
func appendHex(dst []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, hexLower[(v>>(4*uint(i)))&0xf])
	}
	return dst
}
