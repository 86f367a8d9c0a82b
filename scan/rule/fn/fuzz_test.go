package fn

import (
	"math"
	"testing"
)

// FuzzFunctions calls every function with fuzzed constants and arguments
// of every kind: Bind may refuse them, but neither Bind nor Impl may
// panic, since Impl runs on every candidate record of a scan.
func FuzzFunctions(f *testing.F) {
	f.Add("a,b", "(a)", int64(1), 1.5, uint8(0))
	f.Add("http://[::1]:80/x", "America/Los_Angeles", int64(-1), math.Inf(1), uint8(3))
	f.Add("\xff\n\x00", "%Q%", int64(math.MinInt64), math.NaN(), uint8(7))
	f.Add("1708598631", "+05:30", int64(1<<62), -0.0, uint8(12))
	f.Fuzz(func(t *testing.T, s, c string, i int64, x float64, pick uint8) {
		vals := []Value{S(s), S(c), I(i), F(x), B(i%2 == 0), {}, L(S(s), I(i), F(x), Value{}), L()}
		for _, fn := range Table {
			min, max := fn.Arity()
			if max < 0 {
				max = min + 3
			}
			for n := min; n <= max; n++ {
				args := make([]Value, n)
				consts := make([]Value, n)
				for k := range args {
					args[k] = vals[(int(pick)+k*3+n)%len(vals)]
					if a, _ := fn.ArgAt(k); a.Const {
						consts[k] = S(c)
						args[k] = consts[k]
					}
				}
				impl, err := fn.Bind(Env{}, consts)
				if err != nil {
					continue
				}
				impl(args)
			}
		}
	})
}
