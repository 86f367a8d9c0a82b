// Package fn is the YARA-L 2.0 function library: strings.*, re.*, net.*,
// math.*, timestamp.*, arrays.*, cast.* and hash.*, as Google documents
// them (cloud.google.com/chronicle/docs/detection/yara-l-2-0-functions),
// for the functions that make sense on archived records. It imports
// nothing of retrohunt's; the rule parser (scan/rule) looks functions up
// in Table, checks a call's arguments against Func.Args, binds each call
// site once with Func.Bind and runs the returned Impl per record.
//
// Table is the one list of functions: docs/yaral_functions.md is
// generated from it (Markdown; go test ./scan/rule/fn -run TestDoc
// -update) and lint reads it. Rejected lists the documented functions
// retrohunt refuses, with the reason.
//
// # Values
//
// A Value is a string, int, float, bool or list (the values of a repeated
// field), or null (Kind 0) for no value. The functions read their
// arguments leniently, because UDM values reach them as strings: where a
// number is expected a string holding a decimal number is read as that
// number, and null reads as "" or 0, SecOps' default for an unset field.
// Where a number is expected and the argument holds none, the result is
// null, which no comparison matches.
//
// # Choices where the documentation is silent or wrong
//
// They are listed in Markdown's "Choices" section, so the generated page
// states them next to the table.
package fn

import (
	"fmt"
	"slices"
	"strings"
)

// choices are the decisions docs/yaral_functions.md states, each with its
// reason.
var choices = []string{
	"**Strings for numbers.** UDM values are strings, so every numeric parameter also takes a string holding a decimal number (`timestamp.get_hour($e.metadata.event_timestamp.seconds)` works on the decimal string the mapper produces). A string that holds no number makes the result *no value*, which no comparison matches; an unset field reads as `\"\"` or `0`, SecOps' default values.",
	"**`re.regex` and the first line.** As the function's page says, a value with line breaks is matched on its first line only unless the pattern starts with `(?s)` (or with flags that set s, such as `(?is)` or `(?i)(?s)`: `nocase` adds `(?i)` in front); `CompileRegex` gives `/re/` literals the same rule. `re.capture` and `re.replace` see the whole value (their pages say nothing of lines).",
	"**`re.capture` without a match** returns `\"\"`, as its page documents (\"the function returns an empty string\"), not *no value*: `\"\" != re.capture(...)` is how the page tells rules to skip events without a match.",
	"**`re.replace`'s replacement** uses RE2's syntax: `\\1` to `\\9` insert a group, `\\0` the whole match, `\\\\` a backslash; `$` is literal. A `\\N` for a group the regex lacks is an error at parse time.",
	"**`math.round`** rounds half away from zero. Its page prints `math.round(1.2567, 2) // returns 1.25`, which no rounding gives (truncation is not rounding); retrohunt returns 1.26. Without `decimalPlaces` the result is an int, as the page's `math.round(4) // returns 4` shows.",
	"**`strings.rtrim`**'s page prints `strings.rtrim(\"a aastraa aa \", \" a\") = \"a aasstr\"`, a typo: removing trailing spaces and `a`s leaves `\"a aastr\"`, which is what retrohunt returns (and what `strings.trim` and `strings.ltrim`'s examples imply).",
	"**`math.geo_distance`** is the haversine distance on a sphere of radius 6,371,010 m (S2's Earth radius). It is within 0.05 m of the page's examples but not equal to their last printed digits; no single spherical radius reproduces both.",
	"**`timestamp.get_timestamp` granularities.** The page lists SECOND, MINUTE, HOUR, DATE, WEEK, MONTH and YEAR but its examples past SECOND are cut off in every copy we could read. retrohunt formats them as `%F %T`, `%F %H:%M`, `%F %H`, `%F`, the date of the week's Sunday (`%F`), `%Y-%m` and `%Y`. Format elements follow BigQuery's; an unknown element is copied as written.",
	"**Time zones** are IANA names (`America/Los_Angeles`), `UTC`/`GMT`, or offsets `(+|-)H[H][:M[M]]`. Abbreviations such as `PST` and `EST` are refused at parse time, as the pages say they are not supported (the IANA database does know `EST`; SecOps does not take it). The zone database is compiled in (`time/tzdata`), so results do not depend on the host.",
	"**`strings.extract_domain`** uses the ICANN section of the Public Suffix List embedded from Debian's `publicsuffix` package (`scan/rule/fn/publicsuffix.txt`); private suffixes are not suffixes, as the page says (`foo.us.com` gives `us.com`). An IP address, a single label and a bare public suffix give `\"\"`. `strings.extract_hostname` follows the page's examples: the text after the first `://` (or all of it) up to `/`, `?` or `#`, after the last `@`, without the port.",
	"**`cast.as_float`** returns the full float64; the page shows `1.0123456` for `\"1.012345678\"` (\"up to 7 decimal places\"). Comparisons with literals are exact, so write the literal you mean.",
	"**`strings.base64_decode`** accepts padded and unpadded base64, standard or URL-safe alphabet; anything else comes back unchanged, as its page documents.",
	"**`strings.starts_with` and `cast.as_int`** have no page in the function reference we could read, but Google's own community rules call them (`currentversion_autorun_keys_modification.yaral`, `google_cloud_service_account_key_created_or_uploaded.yaral`), so SecOps runs them; retrohunt implements what their names and those rules imply (a case-sensitive prefix test; the number a value holds as an int, 0 when none). `strings.ends_with` appears nowhere and is not implemented.",
	"**Bytes.** YARA-L's BYTES values (`b'01'`) are strings of those bytes here: `strings.from_hex` makes one, `bytes.to_base64` and `cast.as_string` read one.",
	"**`timestamp.current_seconds`** is the time the run started, the same for every record, so a rerun over the same archive at the same start time gives the same hits.",
}

// Markdown renders docs/yaral_functions.md from Table and Rejected.
func Markdown() string {
	var b strings.Builder
	b.WriteString("<!-- Generated from scan/rule/fn by `go test ./scan/rule/fn -run TestDoc -update`; do not edit by hand. -->\n")
	b.WriteString("# YARA-L functions\n\n")
	b.WriteString("The functions retrohunt runs in `events:`, `outcome:` and `condition:` expressions, as Google documents them in the [YARA-L 2.0 function reference](https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-functions). ")
	b.WriteString("A parameter marked *literal* must be a string literal in the rule (regexes, CIDR ranges, time zones and formats are compiled once when the rule is parsed); a parameter in [brackets] may be left out; `...` repeats the last one. ")
	b.WriteString("`float` parameters take ints too. Every example below is run by the package's tests.\n\n")
	b.WriteString("| function | returns | example |\n|---|---|---|\n")
	for _, f := range Table {
		fmt.Fprintf(&b, "| `%s` | %s | `%s` |\n", cell(f.Signature()), cell(f.Doc), cell(f.Example))
	}
	b.WriteString("\n## Choices\n\n")
	for _, c := range choices {
		b.WriteString("- " + c + "\n")
	}
	b.WriteString("\n## Not supported\n\nA rule that calls one of these is refused when it is parsed, with the reason.\n\n| function | why |\n|---|---|\n")
	names := make([]string, 0, len(Rejected))
	for n := range Rejected {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "| `%s` | %s |\n", n, cell(Rejected[n]))
	}
	return b.String()
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(s, "|", `\|`)
}
