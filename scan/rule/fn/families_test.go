package fn

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Cases marked "doc" are the examples of the function's page under
// https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-functions/.

func TestRe(t *testing.T) {
	check(t,
		`re.regex("www.google.com", "google") = true`, // doc 1: $e.principal.hostname = /google/
		`re.regex("fullest", "^full$") = false`,       // doc notes: anchors
		`re.regex("full", "^full$") = true`,
		`re.regex("joyfully", "full") = true`,
		// doc notes: a value with newlines matches on its first line only,
		// unless the pattern starts with (?s).
		`re.regex("first\nallUDM", ".*allUDM.*") = false`,
		`re.regex("first\nallUDM", "(?s).*allUDM.*") = true`,
		`re.regex("allUDM\nsecond", "^allUDM$") = true`,
		`re.regex("a\nb", "a$") = true`,
		`re.regex("", "^$") = true`,
		`re.regex(NULL, "^$") = true`,

		`re.capture("aaa1bbaa2", "a+[1-9]") = "aaa1"`,           // doc 1: no group, first whole match
		`re.capture("test@google.com", "@(.*)") = "google.com"`, // doc 2: one group
		`re.capture("test.google.com", "@(.*)") = ""`,           // doc 3: no match is ""
		`re.capture("abc", "(x)?abc") = ""`,                     // the group did not take part

		`re.replace("email@google.com", "com", "org") = "email@google.org"`,                                   // doc 1
		`re.replace("test1.test2.google.com", "test2\\.([a-z]*)\\.([a-z]*)", "\\2.\\1") = "test1.com.google"`, // doc 2
		`re.replace("name", "", "1") = "1n1a1m1e1"`,                                                           // doc 3
		`re.replace("", "^$", "none") = "none"`,                                                               // doc 3
		`re.replace("banana", "ana", "111") = "b111na"`,                                                       // doc description: non-overlapping, first first
		`re.replace("abc", "b", "[\\0]") = "a[b]c"`,                                                           // \0 is the whole match
		`re.replace("abc", "b", "$1\\\\") = "a$1\\c"`,                                                         // no Go $-expansion; \\ is a backslash
	)
}

func TestReBindErrors(t *testing.T) {
	f := func(call, want string) {
		t.Helper()
		_, _, err := eval(call + ` = ""`)
		var ae *ArgError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want an *ArgError containing %q", call, err, want)
		}
	}
	f(`re.regex("x", "(")`, "re.regex: argument 2 (regex): missing closing )")
	f(`re.capture("x", "(a)(b)")`, "re.capture: argument 2 (regex): 2 capture groups, at most 1 allowed")
	f(`re.replace("x", "[", "y")`, "re.replace: argument 2 (replaceRegex): missing closing ]")
	f(`net.ip_in_range_cidr("1.2.3.4", "1.2.3.4/33")`, `net.ip_in_range_cidr: argument 2 (subnetworkRange): invalid CIDR "1.2.3.4/33"`)
	f(`net.ip_in_range_cidr("1.2.3.4", "10.0.0.0")`, `invalid CIDR "10.0.0.0"`)
	f(`timestamp.get_hour(0, "Mars/Olympus")`, `timestamp.get_hour: argument 2 (time_zone): unknown time zone "Mars/Olympus"`)
	f(`timestamp.get_hour(0, "PST")`, `unknown time zone "PST"`) // doc: "PST" is not supported
	f(`timestamp.get_date(0, "EST")`, `unknown time zone "EST"`) // doc: "EST" is not supported
	f(`timestamp.get_hour(0, "+25:00")`, `unknown time zone "+25:00"`)
}

// TestConstArgs: a Const parameter needs a literal at the call site (a
// zero Kind in consts: the argument is a field or an expression); an
// optional one may be left out.
func TestConstArgs(t *testing.T) {
	f := func(name string, consts []Value, want string) {
		t.Helper()
		fn, _ := Lookup(name)
		_, err := fn.Bind(Env{}, consts)
		var ae *ArgError
		if want == "" && err != nil || want != "" && (!errors.As(err, &ae) || err.Error() != want) {
			t.Errorf("%s%v: error %v, want %q", name, consts, err, want)
		}
	}
	f("re.regex", []Value{{}, {}}, "re.regex: argument 2 (regex): must be a literal")
	f("re.regex", []Value{{}}, "re.regex: argument 2 (regex): must be a literal")
	f("re.regex", []Value{{}, S("a")}, "")
	f("timestamp.get_hour", []Value{{}}, "")
	f("timestamp.get_hour", []Value{{}, {}}, "timestamp.get_hour: argument 2 (time_zone): must be a literal")
	f("timestamp.get_timestamp", []Value{{}, S("%F")}, "")
	f("strings.to_lower", []Value{{}}, "")

	// re.replace with a replacement that is not a literal: parsed per call.
	fn, _ := Lookup("re.replace")
	impl, err := fn.Bind(Env{}, []Value{{}, S("(o+)"), {}})
	if err != nil {
		t.Fatal(err)
	}
	if got := impl([]Value{S("foo boo"), {}, S("<\\1>")}); got.S != "f<oo> b<oo>" {
		t.Errorf("re.replace per call = %q", got.S)
	}
	if got := impl([]Value{S("foo"), {}, S("\\9")}); got.S != "foo" {
		t.Errorf("re.replace with a bad replacement = %q, want the input unchanged", got.S)
	}
}

func TestAccepts(t *testing.T) {
	for _, c := range []struct {
		arg  Kind
		k    Kind
		want bool
	}{
		{String, String, true}, {String, Int, false}, {Float, Int, true}, {Float, String, true},
		{Int, Float, false}, {Int, String, true}, {List, String, true}, {Any, Bool, true},
		{Bool, String, false}, {String, 0, true},
	} {
		if got := (Arg{Kind: c.arg}).Accepts(c.k); got != c.want {
			t.Errorf("%s accepts %s = %v", c.arg, c.k, got)
		}
	}
}

func TestRegexHelper(t *testing.T) {
	r, err := CompileRegex("ADMIN", true)
	if err != nil {
		t.Fatal(err)
	}
	if !r.MatchString("is admin") || r.MatchString("x\nadmin") {
		t.Error("nocase or first-line semantics wrong")
	}
	for pattern, all := range map[string]bool{
		"(?s)admin": true, "(?is)admin": true, "(?i)(?s)admin": true, "(?s)(?i)admin": true,
		"(?i-s)admin": false, "(?s)(?-s)admin": false, "(?i)admin": false, "(?s:a)dmin": false, "x(?s)admin": false,
	} {
		r, err := CompileRegex(pattern, true)
		if err != nil {
			t.Fatal(err)
		}
		target := "x\nADMIN"
		if pattern == "(?s:a)dmin" || pattern == "x(?s)admin" {
			target = "y\nxADMIN"
		}
		if got := r.MatchString(target); got != all {
			t.Errorf("%s on %q = %v, want %v (all lines only with a leading (?s))", pattern, target, got, all)
		}
	}
}

func TestNet(t *testing.T) {
	check(t,
		`net.ip_in_range_cidr("192.0.2.17", "192.0.2.0/24") = true`, // doc 1
		`net.ip_in_range_cidr("192.0.3.1", "192.0.2.0/24") = false`,
		`net.ip_in_range_cidr("2001:db8::1", "2001:db8::/32") = true`, // doc 2
		`net.ip_in_range_cidr("2001:db9::1", "2001:db8::/32") = false`,
		`net.ip_in_range_cidr("192.0.2.1", "2001:db8::/32") = false`,
		`net.ip_in_range_cidr("::ffff:192.0.2.1", "192.0.2.0/24") = true`, // IPv4-mapped IPv6
		`net.ip_in_range_cidr("not an ip", "192.0.2.0/24") = false`,
		`net.ip_in_range_cidr("", "0.0.0.0/0") = false`,
		`net.ip_in_range_cidr("10.1.2.3", "10.1.2.3/32") = true`,
		`net.ip_in_range_cidr("10.1.2.3", "10.9.9.9/8") = true`, // host bits in the range are ignored
	)
}

func TestMath(t *testing.T) {
	check(t,
		`math.abs(0-5) = 5`,
		`math.abs(5) = 5`,
		`math.abs(0-1.5) = 1.5`,
		`math.abs("-7") = 7`,
		`math.ceil(2.000000) = 2`,
		`math.ceil(1.2) = 2`,
		`math.ceil(0-1.2) = 0-1`,
		`math.ceil(3) = 3`,
		`math.floor(2.000000) = 2`,
		`math.floor(1.8) = 1`,
		`math.floor(0-1.2) = 0-2`,
		`math.round(10.7) = 11`,     // doc
		`math.round(0-10.7) = 0-11`, // doc
		`math.round(0-1.2) = 0-1`,   // doc
		`math.round(4) = 4`,         // doc: an int stays an int
		// doc prints math.round(1.2567, 2) // returns 1.25, which no
		// rounding gives: 1.2567 is nearer 1.26, and truncation is not
		// rounding. We round half away from zero.
		`math.round(1.2567, 2) = 1.26`,
		`math.round(2.5) = 3`,
		`math.round(0-2.5) = 0-3`,
		`math.round(1234.5, 0-2) = 1200`,
		`math.log(1) = 0.0`,
		`math.log(2.718281828459045) = 1.0`,
		`math.pow(2, 10) = 1024.0`,
		`math.pow(4, 0.5) = 2.0`,
		`math.sqrt(9) = 3.0`,
		`math.sqrt(2) = 1.414214`,
		`math.is_increasing(1716769112, 1716769113, 1716769114) = true`, // doc 1
		`math.is_increasing(-1.200000, 0, 3) = true`,                    // doc 2
		`math.is_increasing(0-1.200000, 0, 0-3) = false`,                // doc 3
		`math.is_increasing(0-1.200000, 0-1.50000, 0) = false`,          // doc 4
		`math.is_increasing(0-1.200000, 0, 0) = false`,                  // doc 5: strictly
		`math.geo_distance(0-122.897680, 37.407574, 0-122.021810, 97.407574) = -1.000000`, // doc 3
		`math.geo_distance(-122.897680, 37.407574, -122.897680, 37.407574) = 0.000000`,    // doc 4
		`math.geo_distance(181, 0, 0, 0) = -1.0`,
	)
}

// TestGeoDistance: the documented distances (examples 1 and 2) to within
// 0.1 m; the spherical model with S2's Earth radius does not give their
// last printed digits (see earthRadius).
func TestGeoDistance(t *testing.T) {
	for _, c := range []struct {
		call string
		want float64
	}{
		{`math.geo_distance(-122.020287, 37.407574, -122.021810, 37.407574)`, 134.564318},  // doc 1
		{`math.geo_distance(-122.000000, 37.407574, -122.021810, 37.407574)`, 1926.421905}, // doc 2
		{`math.geo_distance(0, 0, 180, 0)`, 6371010 * 3.141592653589793},                   // half the equator
	} {
		p := &exprParser{src: c.call}
		v, err := p.expr()
		if err != nil || v.Kind != Float || v.F < c.want-0.1 || v.F > c.want+0.1 {
			t.Errorf("%s = %v (%v), want %f", c.call, v, err, c.want)
		}
	}
}

func TestTimestamp(t *testing.T) {
	// 1708598631 is 2024-02-22 10:43:51 UTC, a Thursday (the instant of
	// timestamp.get_timestamp's documented examples 4 and 5).
	check(t,
		`timestamp.get_timestamp(1708598631) = "2024-02-22 10:43:51"`, // doc 1
		`timestamp.get_timestamp(1708598631, "%F %T", "GMT") = "2024-02-22 10:43:51"`,
		`timestamp.get_timestamp(1708598631, "%Y-%m", "GMT") = "2024-02"`,              // doc 3
		`timestamp.get_timestamp(1708598631, "SECOND", "GMT") = "2024-02-22 10:43:51"`, // doc 4
		`timestamp.get_timestamp(1708598631, "MINUTE", "GMT") = "2024-02-22 10:43"`,
		`timestamp.get_timestamp(1708598631, "HOUR", "GMT") = "2024-02-22 10"`,
		`timestamp.get_timestamp(1708598631, "DATE", "GMT") = "2024-02-22"`,
		`timestamp.get_timestamp(1708598631, "WEEK", "GMT") = "2024-02-18"`, // the week's Sunday
		`timestamp.get_timestamp(1708598631, "MONTH", "GMT") = "2024-02"`,
		`timestamp.get_timestamp(1708598631, "YEAR", "GMT") = "2024"`,
		`timestamp.get_timestamp(1708598631, "%F %T", "America/Los_Angeles") = "2024-02-22 02:43:51"`,
		`timestamp.get_timestamp(1708598631, "%d/%m/%y %H:%M:%S %z %a %b %j", "+05:30") = "22/02/24 16:13:51 +0530 Thu Feb 053"`,
		`timestamp.get_timestamp(1708598631, "%A %B %e %I%p %%", "UTC") = "Thursday February 22 10AM %"`,
		`timestamp.get_date(1708598631) = "2024-02-22"`,
		`timestamp.get_date(1708598631, "America/Los_Angeles") = "2024-02-22"`,
		`timestamp.get_date(1708560000, "America/Los_Angeles") = "2024-02-21"`, // 00:00 UTC is 16:00 the day before
		`timestamp.get_date(1708560000, "-08:00") = "2024-02-21"`,
		`timestamp.get_date(1708560000, "+5") = "2024-02-22"`,
		`timestamp.get_hour(1708598631) = 10`,
		`timestamp.get_hour(1708598631, "America/Los_Angeles") = 2`,
		`timestamp.get_hour(1708598631, "+05:30") = 16`,
		`timestamp.get_hour(1708598631, "Europe/London") = 10`,
		`timestamp.get_hour(1719830000, "Europe/London") = 11`, // 2024-07-01 10:33 UTC, BST
		`timestamp.get_hour("1708598631") = 10`,                // UDM seconds are decimal strings
		`timestamp.get_minute(1708598631) = 43`,
		`timestamp.get_minute(1708598631, "+05:30") = 13`,
		`timestamp.get_minute(1708598631, "-03:15") = 28`,
		`timestamp.get_day_of_week(1708598631) = 5`,                                         // Thursday; 1 = Sunday
		`timestamp.get_day_of_week(1708560000, "America/Los_Angeles") = 4`,                  // Wednesday there
		`timestamp.get_day_of_week(0) = 5`,                                                  // 1970-01-01 was a Thursday
		`timestamp.get_week(1708598631) = 7`,                                                // %U: Sundays start weeks, week 0 before the first
		`timestamp.get_week(1704067200) = 0`,                                                // 2024-01-01, a Monday
		`timestamp.get_week(1704585600) = 1`,                                                // 2024-01-07, the first Sunday
		`timestamp.as_unix_seconds("2024-02-22 10:43:00") = 1708598580`,                     // doc 1
		`timestamp.as_unix_seconds("2024-02-22 10:43:00", "America/New_York") = 1708616580`, // doc 2
		`timestamp.as_unix_seconds("2024-02-22 10:43:00", "+01:00") = 1708594980`,
		`timestamp.current_seconds() = 1708598631`, // Env.Now of the test
	)
	// Not a timestamp: no value, so no comparison holds.
	for _, c := range []string{`timestamp.as_unix_seconds("yesterday")`, `timestamp.get_hour("soon")`} {
		p := &exprParser{src: c}
		v, err := p.expr()
		if err != nil || !v.IsNull() {
			t.Errorf("%s = %v (%v), want no value", c, v, err)
		}
	}
}

func TestCurrentSecondsFixedPerRun(t *testing.T) {
	f, _ := Lookup("timestamp.current_seconds")
	now := time.Unix(1700000000, 0)
	impl, err := f.Bind(Env{Now: now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v := impl(nil); v.Kind != Int || v.I != 1700000000 {
		t.Errorf("got %v", v)
	}
}

func TestArrays(t *testing.T) {
	check(t,
		`arrays.concat(["test1", "test2"], ["test3"]) = ["test1", "test2", "test3"]`, // doc 1
		`arrays.concat([""], [""]) = ["", ""]`,                                       // doc 2
		`arrays.concat([], []) = []`,                                                 // doc 3
		`arrays.index_to_float([1.2, 2.1, 3.5, 4.6], 1) = 2.1`,                       // doc 1
		`arrays.index_to_float([1.2, 2.1, 3.5, 4.6], 0-1) = 4.6`,                     // doc 2
		`arrays.index_to_float([1.2, 2.1, 3.5, 4.6], 6) = 0.0`,                       // doc 3
		`arrays.index_to_float([], 0) = 0.0`,                                         // doc 4
		`arrays.index_to_float(["1.2", "3.3", "2.4"], 1) = 3.3`,                      // doc 5
		`arrays.index_to_float([1, 3, 2], 2) = 2.0`,                                  // doc 6
		`arrays.index_to_int(["str0", "str1", "str2"], 1) = 0`,                       // doc 1
		`arrays.index_to_int(["44", "11", "22", "33"], 0-1) = 33`,                    // doc 2
		`arrays.index_to_int(["44", "11", "22", "33"], 5) = 0`,                       // doc 3
		`arrays.index_to_int([1.100000, 1.200000, 1.300000], 1) = 1`,                 // doc 4
		`arrays.index_to_int([1, 2, 3], 0) = 1`,                                      // doc 5
		`arrays.index_to_int([1, 2, 3], 0-4) = 0`,
		`arrays.index_to_str(["test1", "test2", "test3", "test4"], 1) = "test2"`,   // doc 1
		`arrays.index_to_str(["test1", "test2", "test3", "test4"], 0-1) = "test4"`, // doc 2
		`arrays.index_to_str(["test1", "test2", "test3", "test4"], 6) = ""`,        // doc 3
		`arrays.index_to_str([], 0) = ""`,                                          // doc 4
		`arrays.index_to_str([1.200000, 3.300000, 2.400000], 0) = "1.2"`,           // doc 5
		`arrays.index_to_str([1, 3, 2], 2) = "2"`,                                  // doc 6
		`arrays.join_string(["foo", "bar"], ",") = "foo,bar"`,                      // doc 1
		`arrays.join_string(["foo", NULL, "bar"], ",") = "foo,bar"`,                // doc 2
		`arrays.join_string(["foo", "bar"]) = "foobar"`,                            // doc 3
		`arrays.join_string([], ",") = ""`,
		`arrays.length(["10.0.0.1", "10.0.0.2"]) = 2`,
		`arrays.length([]) = 0`,
		`arrays.length(NULL) = 0`,
		`arrays.size(["test1", "test2", "test3"]) = 3`,
		`arrays.max([10, 20]) = 20.000000`,
		`arrays.max([10.000000, 20.000000]) = 20.000000`,
		`arrays.max([0-10, 0-20]) = -10.0`,
		`arrays.max([]) = 0.0`,
		`arrays.min([10, 20]) = 10.000000`,                          // doc 1
		`arrays.min([10.000000, 20.000000]) = 10.000000`,            // doc 2
		`arrays.min([10.000000, 20.000000, 0.0], true) = 10.000000`, // doc 3
		`arrays.min([10, 0]) = 0.0`,
		`arrays.min([]) = 0.0`, // doc: zero for an empty array
		`arrays.min([0, 0], true) = 0.0`,
	)
}

func TestCast(t *testing.T) {
	check(t,
		`cast.as_bool("123") = false`,              // doc 1
		`cast.as_bool(1) = true`,                   // doc 2
		`cast.as_bool("true") = true`,              // doc 3
		`cast.as_bool("TRUE") = true`,              // doc 4
		`cast.as_bool(0-1) = false`,                // doc 5
		`cast.as_bool(0) = false`,                  // doc 6
		`cast.as_bool("") = false`,                 // doc 7
		`cast.as_bool("1") = false`,                // doc: only the int 1 and "true"
		`cast.as_float("str") = 0.0`,               // doc 1
		`cast.as_float("") = 0.0`,                  // doc 2
		`cast.as_float("1.012345678") = 1.0123456`, // doc 3 (seven decimals shown)
		`cast.as_float("-3") = -3.0`,
		`cast.as_string(123) = "123"`,       // doc
		`cast.as_string(2.25) = "2.25"`,     // doc
		`cast.as_string(true, "") = "true"`, // doc
		`cast.as_string(false) = "false"`,
		`cast.as_string("abc") = "abc"`,
		`cast.as_string(NULL, "casting error") = "casting error"`,
	)
}

func TestHash(t *testing.T) {
	check(t,
		// FIPS 180-2 test vectors
		`hash.sha256("") = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`,
		`hash.sha256("abc") = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`,
	)
}

func TestArity(t *testing.T) {
	f := func(name string, min, max int) {
		t.Helper()
		fn, ok := Lookup(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		if a, b := fn.Arity(); a != min || b != max {
			t.Errorf("%s: arity %d..%d, want %d..%d", name, a, b, min, max)
		}
	}
	f("strings.concat", 1, -1)
	f("strings.to_lower", 1, 1)
	f("arrays.join_string", 1, 2)
	f("timestamp.get_timestamp", 1, 3)
	f("timestamp.current_seconds", 0, 0)
	if _, ok := Lookup("strings.nope"); ok {
		t.Error("Lookup found an unknown function")
	}
	for _, name := range []string{"math.random", "fingerprint"} {
		if Rejected[name] == "" {
			t.Errorf("%s is neither implemented nor Rejected", name)
		}
	}
}

func TestValueHelpers(t *testing.T) {
	ints := []struct {
		v    Value
		want int64
		ok   bool
	}{
		{S(" 42 "), 42, true}, {S("-7"), -7, true}, {S("3.9"), 3, true}, {S("1e3"), 1000, true},
		{S("99999999999999999999"), 0, false}, {S("abc"), 0, false}, {S(""), 0, false},
		{Value{}, 0, true}, {B(true), 1, true}, {F(-2.7), -2, true}, {L(), 0, false},
	}
	for _, c := range ints {
		if got, ok := AsInt(c.v); got != c.want || ok != c.ok {
			t.Errorf("AsInt(%s %q) = %d, %v", c.v.Kind, c.v.String(), got, ok)
		}
	}
	if f, ok := AsFloat(S("99999999999999999999")); !ok || f != 1e20 {
		t.Errorf("AsFloat of a big int string = %v, %v", f, ok)
	}
	cmp := []struct {
		a, b Value
		want int
		ok   bool
	}{
		{I(1), F(1.5), -1, true}, {S("10"), I(9), 1, true}, {S("b"), S("a"), 1, true},
		{S("x"), I(1), 0, false}, {B(false), B(true), -1, true}, {Value{}, S(""), 0, false},
		{F(2), I(2), 0, true}, {L(), L(), 0, false},
	}
	for _, c := range cmp {
		if got, ok := Compare(c.a, c.b); got != c.want || ok != c.ok {
			t.Errorf("Compare(%q, %q) = %d, %v", c.a.String(), c.b.String(), got, ok)
		}
	}
	for v, want := range map[float64]string{1: "1", 2.5: "2.5", -0.25: "-0.25", 1e21: "1000000000000000000000", 1e-20: "0"} {
		if got := F(v).String(); got != want {
			t.Errorf("F(%g).String() = %q, want %q", v, got, want)
		}
	}
	if got := L(S("a"), I(1)).String(); got != `["a", 1]` {
		t.Errorf("list String = %s", got)
	}
}

// TestUndocumentedButUsed: functions Google's own community rules call
// (rules/community/microsoft/windows/currentversion_autorun_keys_modification.yaral,
// gcp/google_cloud_service_account_key_created_or_uploaded.yaral) though
// the function reference we could read has no page for them; the cases
// follow their names and the rules' use.
func TestUndocumentedButUsed(t *testing.T) {
	check(t,
		`strings.starts_with("c:\\program files\\avg\\antivirus\\setup\\x.exe", "c:\\program files\\avg\\") = true`,
		`strings.starts_with("abc", "b") = false`,
		`strings.starts_with("abc", "") = true`,
		`strings.starts_with(NULL, "a") = false`,
		`cast.as_int("1708598631") = 1708598631`,
		`cast.as_int("42") = 42`,
		`cast.as_int("-3") = 0-3`,
		`cast.as_int("2.9") = 2`,
		`cast.as_int("abc") = 0`,
		`cast.as_int("") = 0`,
		`cast.as_int(7) = 7`,
	)
}

func TestBytesToBase64(t *testing.T) {
	check(t,
		// doc 1, the bytes literal b'0000...' written as strings.from_hex
		`bytes.to_base64(strings.from_hex("000000006f8ec5586d026f9ddac56e9f2fe15b8a0000000001000000cd000000")) = "AAAAAG+OxVhtAm+d2sVuny/hW4oAAAAAAQAAAM0AAAA="`,
		`bytes.to_base64("test") = "dGVzdA=="`,
		`bytes.to_base64("") = ""`,
		`bytes.to_base64(NULL, "invalid bytes") = "invalid bytes"`, // doc 2: no bytes, the default
	)
}

// TestAppendJSON: the encoding/json decoder reads back what AppendJSON
// writes (an oracle that shares no code with it).
func TestAppendJSON(t *testing.T) {
	v := L(S("a\"b\n\x01é"), I(-3), F(2.5), F(1e21), B(true), Value{}, L(), F(math.NaN()), S("\xffok"))
	out := v.AppendJSON(nil)
	var got []any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	want := []any{"a\"b\n\x01é", -3.0, 2.5, 1e21, true, nil, []any{}, nil, "\ufffdok"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AppendJSON = %s, decoded %#v", out, got)
	}
}
