package fn

import (
	"regexp"
	"strings"
	"testing"
)

// The benchmarks run one call per iteration on values shaped like
// CloudTrail's (an ARN, an event time in Unix seconds, a source IP), the
// way the evaluator calls an Impl per candidate record. The regexp
// baseline is the standard library's MatchString on the same input.

func bind(b *testing.B, name string, consts ...Value) Impl {
	b.Helper()
	f, ok := Lookup(name)
	if !ok {
		b.Fatalf("no %s", name)
	}
	impl, err := f.Bind(Env{Now: testNow}, consts)
	if err != nil {
		b.Fatal(err)
	}
	return impl
}

func BenchmarkFamilies(b *testing.B) {
	arn := S("arn:aws:sts::123456789012:assumed-role/Admin/session-name")
	run := func(name string, impl Impl, args []Value, n int) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(n))
			for b.Loop() {
				impl(args)
			}
		})
	}
	run("strings.to_lower", bind(b, "strings.to_lower", Value{}), []Value{arn}, len(arn.S))
	run("strings.contains", bind(b, "strings.contains", Value{}, S("Admin")), []Value{arn, S("Admin")}, len(arn.S))
	run("re.regex", bind(b, "re.regex", Value{}, S(`assumed-role/(?i)admin`)), []Value{arn, {}}, len(arn.S))
	std := regexp.MustCompile(`assumed-role/(?i)admin`)
	b.Run("re.regex/stdlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(arn.S)))
		for b.Loop() {
			std.MatchString(arn.S)
		}
	})
	run("re.capture", bind(b, "re.capture", Value{}, S(`assumed-role/([^/]+)`)), []Value{arn, {}}, len(arn.S))
	ip := S("2001:db8::17")
	run("net.ip_in_range_cidr", bind(b, "net.ip_in_range_cidr", Value{}, S("2001:db8::/32")), []Value{ip, {}}, len(ip.S))
	secs := S("1708598631")
	run("timestamp.get_hour", bind(b, "timestamp.get_hour", Value{}, S("America/Los_Angeles")), []Value{secs, {}}, len(secs.S))
	run("timestamp.get_timestamp", bind(b, "timestamp.get_timestamp", Value{}, S("%F %T"), S("UTC")), []Value{secs, {}, {}}, len(secs.S))
	run("math.round", bind(b, "math.round", Value{}, Value{}), []Value{S("1.2567"), I(2)}, 6)
	host := S("https://www.example.co.uk/path?q=1")
	run("strings.extract_domain", bind(b, "strings.extract_domain", Value{}), []Value{host}, len(host.S))
	l := L(S("10.0.0.1"), S("10.0.0.2"), S("10.0.0.3"))
	run("arrays.join_string", bind(b, "arrays.join_string", Value{}, S(",")), []Value{l, S(",")}, 24)
	long := S(strings.Repeat("x", 1000))
	run("hash.sha256", bind(b, "hash.sha256", Value{}), []Value{long}, len(long.S))
}
