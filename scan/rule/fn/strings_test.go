package fn

import "testing"

// Cases marked "doc" are the examples of the function's page under
// https://cloud.google.com/chronicle/docs/detection/yara-l-2-0-functions/
// (strings-concat, strings-coalesce, ...), with an event field replaced by
// the literal the example says it holds; the others are edge cases read
// from the page's description.

func TestStringsConcat(t *testing.T) {
	check(t,
		`strings.concat("google", ":", 80) = "google:80"`,                     // doc 1
		`strings.concat("google", "-test") = "google-test"`,                   // doc 2
		`strings.concat("google", 2.5) = "google2.5"`,                         // doc 3
		`strings.concat("google", "-test", 80, 2.5) = "google-test802.5"`,     // doc 4
		`strings.concat("a", 1.0) = "a1"`,                                     // doc 3: whole floats have no decimal point
		`strings.concat("a", 0.12345678901234567890) = "a0.1234567890123456"`, // doc 3: cut at the 16th decimal
		`strings.concat("a", NULL, "b") = "ab"`,                               // an absent field is ""
		`strings.concat("") = ""`,
	)
}

func TestStringsCoalesce(t *testing.T) {
	check(t,
		`strings.coalesce("suspicious@gmail.com", "x@y") = "suspicious@gmail.com"`, // doc 1, from set
		`strings.coalesce("", "suspicious@gmail.com") = "suspicious@gmail.com"`,    // doc 1, from empty
		`strings.coalesce("", "", "", "No IP") = "No IP"`,                          // doc 2
		`strings.coalesce(NULL, "10.0.0.1", "No IP") = "10.0.0.1"`,                 // doc 2: unset field
		`strings.coalesce("", "") = ""`,                                            // all empty
	)
}

func TestStringsContains(t *testing.T) {
	check(t,
		`strings.contains("moon", "moo") = true`,
		`strings.contains("moon", "mooo") = false`,
		`strings.contains("moon", "") = true`,
		`strings.contains("", "") = true`,
		`strings.contains("Moon", "moo") = false`, // case-sensitive
	)
}

func TestStringsCase(t *testing.T) {
	check(t,
		`strings.to_lower("AbC") = "abc"`,
		`strings.to_upper("AbC") = "ABC"`,
		`strings.to_lower("ÀÉÎ") = "àéî"`,
		`strings.to_upper("") = ""`,
		`strings.to_lower(NULL) = ""`,
		`strings.reverse("abc") = "cba"`,
		`strings.reverse("ab€") = "€ba"`, // by character, not byte
		`strings.reverse("") = ""`,
	)
}

func TestStringsTrim(t *testing.T) {
	check(t,
		`strings.trim("str", "str") = ""`,                    // doc 1
		`strings.trim("str", "") = "str"`,                    // doc 2
		`strings.trim("", "str") = ""`,                       // doc 3
		`strings.trim("a aastraa aa ", " a") = "str"`,        // doc 4
		`strings.ltrim("str", "str") = ""`,                   // doc 1
		`strings.ltrim("str", "") = "str"`,                   // doc 2
		`strings.ltrim("", "str") = ""`,                      // doc 3
		`strings.ltrim("a aastraa aa ", " a") = "straa aa "`, // doc 4
		`strings.rtrim("str", "str") = ""`,                   // doc 1
		`strings.rtrim("str", "") = "str"`,                   // doc 2
		`strings.rtrim("", "str") = ""`,                      // doc 3
		// doc 4 prints "a aasstr", a typo: removing trailing spaces and
		// a's from "a aastraa aa " leaves "a aastr".
		`strings.rtrim("a aastraa aa ", " a") = "a aastr"`,
	)
}

func TestStringsCountSubstrings(t *testing.T) {
	check(t,
		"strings.count_substrings(\"this`string`has`four`backticks\", \"`\") = 4", // doc 1
		`strings.count_substrings("str", "str") = 1`,                              // doc 2
		`strings.count_substrings("str", "") = 0`,                                 // doc 3
		`strings.count_substrings("", "str") = 0`,                                 // doc 4
		`strings.count_substrings("", "") = 0`,                                    // doc 5
		`strings.count_substrings("fooABAbarABAbazABA", "AB") = 3`,                // doc 6
		`strings.count_substrings("ABABABA", "ABA") = 2`,                          // doc 7: non-overlapping
	)
}

func TestStringsBase64Hex(t *testing.T) {
	check(t,
		`strings.base64_decode("dGVzdA==") = "test"`,           // doc 1, the field holding "test" encoded
		`strings.base64_decode("dGVzdA") = "test"`,             // unpadded
		`strings.base64_decode("not base64!") = "not base64!"`, // doc: invalid input comes back unchanged
		`strings.base64_decode("") = ""`,
		`strings.from_hex("616263") = "abc"`,
		`strings.from_hex("4A4b") = "JK"`,
		`strings.from_hex("123") = ""`, // odd length: not hex
		`strings.from_hex("zz") = ""`,
		`strings.url_decode("three%20nine%20four") = "three nine four"`,
		`strings.url_decode("a+b") = "a b"`,
		`strings.url_decode("%E4%B8%8A%E6%B5%B7%2B%E4%B8%AD%E5%9C%8B") = "上海+中國"`,
		`strings.url_decode("%gg") = ""`,
	)
}

func TestStringsSplit(t *testing.T) {
	check(t,
		`strings.split("a,b,c", ",") = ["a", "b", "c"]`,
		`strings.split("a,b,c") = ["a", "b", "c"]`, // default delimiter ","
		`strings.split("a::b", "::") = ["a", "b"]`,
		`strings.split("abc", ",") = ["abc"]`,
		`strings.split("", ",") = [""]`,
		`strings.split("a,,b", ",") = ["a", "", "b"]`,
	)
}

func TestStringsExtractHostname(t *testing.T) {
	check(t,
		`strings.extract_hostname("") = ""`,                                                                   // doc 1
		`strings.extract_hostname("1234") = "1234"`,                                                           // doc 2
		`strings.extract_hostname("\\\\") = ""`,                                                               // doc 3
		`strings.extract_hostname("http://例子.卷筒纸.中国") = "例子.卷筒纸.中国"`,                                          // doc 4
		`strings.extract_hostname("mailto:?to=&subject=&body=") = "mailto"`,                                   // doc 5
		"strings.extract_hostname(\"     \\t   !$5*^)&dahgsdfs;http://www.google.com\") = \"www.google.com\"", // doc 6
		`strings.extract_hostname("test#@google.com") = "test"`,                                               // doc 7
		`strings.extract_hostname("https://test#@google.com") = "test"`,                                       // doc 8
		`strings.extract_hostname("https://user:pw@Example.COM:8443/p?q=1") = "Example.COM"`,                  // case kept
		`strings.extract_hostname("http://[2001:db8::1]:80/") = "2001:db8::1"`,
		`strings.extract_hostname("example.com/path") = "example.com"`,
	)
}

func TestStringsExtractDomain(t *testing.T) {
	check(t,
		`strings.extract_domain("") = ""`,                                                               // doc 1
		`strings.extract_domain("1234") = ""`,                                                           // doc 2
		`strings.extract_domain("\\\\") = ""`,                                                           // doc 3
		`strings.extract_domain("http://例子.卷筒纸.中国") = "卷筒纸.中国"`,                                         // doc 4
		`strings.extract_domain("mailto:?to=&subject=&body=") = ""`,                                     // doc 5
		"strings.extract_domain(\"     \\t   !$5*^)&dahgsdfs;http://www.google.com\") = \"google.com\"", // doc 6
		`strings.extract_domain("test#@google.com") = ""`,                                               // doc 7
		`strings.extract_domain("https://test#@google.com") = ""`,                                       // doc 8
		`strings.extract_domain("foo.us.com") = "us.com"`,                                               // doc note: private suffixes are not suffixes
		`strings.extract_domain("https://www.example.co.uk/x") = "example.co.uk"`,
		`strings.extract_domain("a.b.c.amazonaws.com") = "amazonaws.com"`,
		`strings.extract_domain("co.uk") = ""`, // a public suffix alone has no domain
		`strings.extract_domain("http://192.168.0.1/") = ""`,
	)
}

// TestPublicSuffixList: the embedded list is whole (a failed regeneration
// would leave a header alone) and holds the ICANN section only.
func TestPublicSuffixList(t *testing.T) {
	rules := suffixRules()
	if len(rules) < 5000 {
		t.Fatalf("%d rules: publicsuffix.txt is truncated (go generate ./scan/rule/fn)", len(rules))
	}
	for name, want := range map[string]uint8{"com": ruleNormal, "co.uk": ruleNormal, "ck": ruleWildcard, "www.ck": ruleException, "中国": ruleNormal} {
		if rules[name] != want {
			t.Errorf("rule %q = %d, want %d", name, rules[name], want)
		}
	}
	for _, private := range []string{"us.com", "amazonaws.com", "blogspot.com"} {
		if rules[private] != 0 {
			t.Errorf("private suffix %q is in the list", private)
		}
	}
}
