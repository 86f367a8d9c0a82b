package sigma

import (
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// compileDetection parses a rule around a detection section (indented by
// four spaces in det) for the CloudTrail logsource.
func compileDetection(t *testing.T, det string, opt Options) *Rule {
	t.Helper()
	src := "title: t\nlogsource:\n    product: aws\n    service: cloudtrail\ndetection:\n" + det
	rs, err := ParseFile("t.yml", []byte(src), opt)
	if err != nil {
		t.Fatalf("%v\n%s", err, src)
	}
	return rs[0]
}

// check runs a detection on records and compares with the verdicts
// worked out by hand from the specification.
func check(t *testing.T, det string, cases map[string]bool) {
	t.Helper()
	checkOpt(t, det, Options{}, cases)
}

func checkOpt(t *testing.T, det string, opt Options, cases map[string]bool) {
	t.Helper()
	r := compileDetection(t, det, opt)
	for rec, want := range cases {
		var x Record
		x.Reset([]byte(rec), udm.AWSCloudTrail)
		if got := r.Match(&x); got != want {
			t.Errorf("detection\n%s\nrecord %s: got %v, want %v", det, rec, got, want)
		}
	}
}

func TestMatchEquality(t *testing.T) {
	// "All values are treated as case-insensitive strings"; a list is OR.
	check(t, `    selection:
        eventName:
            - DeleteTrail
            - StopLogging
        eventSource: cloudtrail.amazonaws.com
    condition: selection
`, map[string]bool{
		`{"eventName":"DeleteTrail","eventSource":"cloudtrail.amazonaws.com"}`:  true,
		`{"eventName":"stoplogging","eventSource":"CloudTrail.amazonaws.com"}`:  true,
		`{"eventName":"StartLogging","eventSource":"cloudtrail.amazonaws.com"}`: false,
		`{"eventName":"DeleteTrail"}`:                                           false,
		`{"eventName":"DeleteTrailX","eventSource":"cloudtrail.amazonaws.com"}`: false,
	})
}

func TestMatchNumbersAreStrings(t *testing.T) {
	check(t, `    selection:
        code: 4738
    condition: selection
`, map[string]bool{
		`{"code":4738}`:   true,
		`{"code":"4738"}`: true,
		`{"code":47380}`:  false,
	})
}

func TestMatchNestedArraysAndObjects(t *testing.T) {
	check(t, `    selection:
        requestParameters.containerDefinitions.command|contains: 'curl'
    condition: selection
`, map[string]bool{
		`{"requestParameters":{"containerDefinitions":[{"command":["sh","-c","curl x"]}]}}`:      true,
		`{"requestParameters":{"containerDefinitions":[{"command":["sh"]},{"command":"CURL"}]}}`: true,
		`{"requestParameters":{"containerDefinitions":[{"image":"curl"}]}}`:                      false,
	})
	// A field naming an object compares its JSON text, escapes decoded.
	check(t, `    selection:
        requestParameters|contains|all:
            - '"s3:GetObject"'
            - '"Allow"'
    condition: selection
`, map[string]bool{
		`{"requestParameters":{"policyDocument":"{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}"}}`: true,
		`{"requestParameters":{"policyDocument":"{\"Effect\":\"Deny\",\"Action\":\"s3:GetObject\"}"}}`:  false,
	})
	// A key holding dots is reached by the dotted path too.
	check(t, `    selection:
        a.b.c: x
    condition: selection
`, map[string]bool{
		`{"a":{"b.c":"x"}}`:     true,
		`{"a.b":{"c":"X"}}`:     true,
		`{"a":{"b":{"c":"y"}}}`: false,
	})
}

func TestMatchStringModifiers(t *testing.T) {
	check(t, `    selection:
        userAgent|startswith: 'aws-cli/'
        userIdentity.arn|endswith: ':root'
        errorMessage|contains: 'denied'
    condition: selection
`, map[string]bool{
		`{"userAgent":"AWS-CLI/2.0 Python","userIdentity":{"arn":"arn:aws:iam::1:root"},"errorMessage":"Access DENIED"}`: true,
		`{"userAgent":"x aws-cli/2.0","userIdentity":{"arn":"arn:aws:iam::1:root"},"errorMessage":"denied"}`:             false,
		`{"userAgent":"aws-cli/2.0","userIdentity":{"arn":"arn:aws:iam::1:rootx"},"errorMessage":"denied"}`:              false,
		`{"userAgent":"aws-cli/2.0","userIdentity":{"arn":"arn:aws:iam::1:root"},"errorMessage":"allowed"}`:              false,
	})
	// all: every value must match (ANDed).
	check(t, `    selection:
        cmd|contains|all:
            - 'a1'
            - 'b2'
    condition: selection
`, map[string]bool{
		`{"cmd":"b2 then a1"}`: true,
		`{"cmd":"a1 only"}`:    false,
	})
	// cased: case-sensitive.
	check(t, `    selection:
        eventName|cased: 'ConsoleLogin'
    condition: selection
`, map[string]bool{
		`{"eventName":"ConsoleLogin"}`: true,
		`{"eventName":"consolelogin"}`: false,
	})
}

func TestMatchWildcards(t *testing.T) {
	// The specification's examples: prog?.exe, antivirus_V*.exe, escapes.
	check(t, `    selection:
        a: 'prog?.exe'
    condition: selection
`, map[string]bool{
		`{"a":"progA.exe"}`:  true,
		`{"a":"progAB.exe"}`: false,
		`{"a":"prog.exe"}`:   false,
	})
	check(t, `    selection:
        a: 'antivirus_V*.exe'
    condition: selection
`, map[string]bool{
		`{"a":"antivirus_V21.2.1.exe"}`: true,
		`{"a":"antivirus_V.exe"}`:       true,
		`{"a":"antivirus_X.exe"}`:       false,
	})
	// \* is a plain star; \\* a backslash then a wildcard; \\\* a
	// backslash and a plain star; a lone \ is plain.
	check(t, `    s1:
        a: 'x\*'
    s2:
        b: 'x\\*'
    s3:
        c: 'x\\\*'
    s4:
        d: 'C:\Windows'
    condition: s1 and s2 and s3 and s4
`, map[string]bool{
		`{"a":"x*","b":"x\\anything","c":"x\\*","d":"c:\\windows"}`: true,
		`{"a":"xy","b":"x\\anything","c":"x\\*","d":"c:\\windows"}`: false,
		`{"a":"x*","b":"xanything","c":"x\\*","d":"c:\\windows"}`:   false,
		`{"a":"x*","b":"x\\anything","c":"x\\y","d":"c:\\windows"}`: false,
	})
}

func TestMatchNullExistsEmpty(t *testing.T) {
	check(t, `    selection:
        eventName: SendCommand
    status_null:
        errorCode: null
    condition: selection and status_null
`, map[string]bool{
		`{"eventName":"SendCommand"}`:                      true,
		`{"eventName":"SendCommand","errorCode":null}`:     true,
		`{"eventName":"SendCommand","errorCode":"Denied"}`: false,
	})
	check(t, `    selection:
        errorCode|exists: true
    condition: selection
`, map[string]bool{
		`{"errorCode":null}`: true, // presence, not value (specification)
		`{"errorCode":""}`:   true,
		`{"other":1}`:        false,
	})
	check(t, `    selection:
        errorCode|exists: false
    condition: selection
`, map[string]bool{
		`{"errorCode":"x"}`: false,
		`{"other":1}`:       true,
	})
	check(t, `    selection:
        a: ''
    condition: selection
`, map[string]bool{
		`{"a":""}`:  true,
		`{"a":"x"}`: false,
		`{}`:        false,
	})
}

func TestMatchRegex(t *testing.T) {
	check(t, `    selection:
        userIdentity.arn|re: '.+:assumed-role/aws:.+'
    condition: selection
`, map[string]bool{
		`{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"}}`: true,
		`{"userIdentity":{"arn":"arn:aws:sts::1:assumed-role/AWS:ec2-instance/i-1"}}`: false, // case-sensitive by default
	})
	check(t, `    selection:
        a|re|i: '^abc$'
    condition: selection
`, map[string]bool{`{"a":"ABC"}`: true, `{"a":"xABC"}`: false})
	check(t, `    selection:
        a|re|m: '^b$'
    condition: selection
`, map[string]bool{`{"a":"a\nb\nc"}`: true, `{"a":"a b"}`: false})
	check(t, `    selection:
        a|re|s: 'a.b'
    condition: selection
`, map[string]bool{`{"a":"a\nb"}`: true})
	check(t, `    selection:
        a|re: 'a.b'
    condition: selection
`, map[string]bool{`{"a":"a\nb"}`: false})
}

func TestMatchNumericCIDRFieldref(t *testing.T) {
	check(t, `    selection:
        n|gt: 10
        m|lte: 5
    condition: selection
`, map[string]bool{
		`{"n":11,"m":5}`:     true,
		`{"n":"10.5","m":0}`: true,
		`{"n":10,"m":5}`:     false,
		`{"n":11,"m":6}`:     false,
		`{"n":"x","m":1}`:    false,
	})
	check(t, `    selection:
        n|lt: 10
        m|gte: 5
    condition: selection
`, map[string]bool{`{"n":9.99,"m":5}`: true, `{"n":10,"m":5}`: false})
	check(t, `    selection:
        sourceIPAddress|cidr: 10.0.0.0/8
    condition: selection
`, map[string]bool{
		`{"sourceIPAddress":"10.1.2.3"}`:     true,
		`{"sourceIPAddress":"11.1.2.3"}`:     false,
		`{"sourceIPAddress":"AWS Internal"}`: false,
	})
	check(t, `    selection:
        userIdentity.arn|fieldref|endswith: requestParameters.userName
    condition: selection
`, map[string]bool{
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/Bob"},"requestParameters":{"userName":"bob"}}`:   true,
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/Alice"},"requestParameters":{"userName":"bob"}}`: false,
		`{"userIdentity":{"arn":"arn:aws:iam::1:user/Bob"}}`:                                          false,
	})
	check(t, `    selection:
        a|fieldref: b
    condition: selection
`, map[string]bool{`{"a":"X","b":"x"}`: true, `{"a":"X","b":"y"}`: false})
}

func TestMatchEncodings(t *testing.T) {
	// base64 of "/bin/bash" and its three offsets: the values the
	// modifier appendix's tools document for this string.
	check(t, `    selection:
        a|base64: '/bin/bash'
    condition: selection
`, map[string]bool{`{"a":"L2Jpbi9iYXNo"}`: true, `{"a":"L2Jpbi9iYXNoCg=="}`: false})
	check(t, `    selection:
        a|base64offset|contains: '/bin/bash'
    condition: selection
`, map[string]bool{
		`{"a":"xxL2Jpbi9iYXNoxx"}`: true,
		`{"a":"IC9iaW4vYmFzaA=="}`: true, // " /bin/bash"
		`{"a":"ICAvYmluL2Jhc2g="}`: true, // "  /bin/bash"
		`{"a":"L2Jpbi9zaA=="}`:     false,
	})
	// utf16le ("wide") of cmd is 63 00 6d 00 64 00; utf16be 00 63 ...;
	// utf16 puts FF FE first.
	check(t, `    selection:
        a|wide|contains: 'cmd'
    condition: selection
`, map[string]bool{`{"a":"xc\u0000m\u0000d\u0000"}`: true, `{"a":"cmd"}`: false})
	check(t, `    selection:
        a|utf16be: 'cmd'
    condition: selection
`, map[string]bool{`{"a":"\u0000c\u0000m\u0000d"}`: true})
	check(t, `    selection:
        a|utf16|base64: 'cmd'
    condition: selection
`, map[string]bool{`{"a":"//5jAG0AZAA="}`: true})
	// windash: - / – — ― are interchangeable.
	check(t, `    selection:
        a|windash|contains: ' -enc '
    condition: selection
`, map[string]bool{
		`{"a":"powershell /enc x"}`:      true,
		`{"a":"powershell \u2013enc x"}`: true,
		`{"a":"powershell enc x"}`:       false,
	})
}

func TestMatchKeywords(t *testing.T) {
	check(t, `    keywords:
        - 'Microsoft.Authorization/roleAssignments/write'
        - 'listKeys'
    condition: keywords
`, map[string]bool{
		`{"operationName":"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE"}`:          true,
		`{"properties":{"x":["Microsoft.Storage/storageAccounts/listKeys/action"]}}`: true,
		`{"operationName":"Microsoft.Authorization/roleAssignments/delete"}`:         false,
		`{"Microsoft.Authorization/roleAssignments/write":"keys are not searched"}`:  false,
	})
	check(t, `    keywords:
        '|all':
            - 'OabVirtualDirectory'
            - ' -ExternalUrl '
    condition: keywords
`, map[string]bool{
		`{"a":"Set-OabVirtualDirectory -ExternalUrl x"}`:       true,
		`{"a":"Set-OabVirtualDirectory","b":" -ExternalUrl "}`: true,
		`{"a":"Set-OabVirtualDirectory"}`:                      false,
	})
}

func TestMatchConditions(t *testing.T) {
	det := `    selection_a:
        a: 1
    selection_b:
        b: 1
    filter:
        c: 1
    _private:
        d: 1
`
	cases := []struct {
		cond string
		rec  string
		want bool
	}{
		{"selection_a and not filter", `{"a":1}`, true},
		{"selection_a and not filter", `{"a":1,"c":1}`, false},
		{"1 of selection_*", `{"b":1}`, true},
		{"all of selection_*", `{"b":1}`, false},
		{"all of selection_*", `{"a":1,"b":1}`, true},
		{"1 of them", `{"d":1}`, false}, // _private is not in them
		{"1 of them", `{"c":1}`, true},
		{"all of them", `{"a":1,"b":1,"c":1}`, true},
		{"all of them", `{"a":1,"b":1}`, false},
		{"not selection_a or selection_b and filter", `{"a":1,"b":1}`, false},
		{"not selection_a or selection_b and filter", `{"a":1,"b":1,"c":1}`, true},
		{"(not selection_a or selection_b) and filter", `{"c":1}`, true},
		{"NOT selection_a AND 1 OF filter", `{"c":1}`, true},
		{"selection_a and not 1 of filter*", `{"a":1,"c":1}`, false},
	}
	for _, c := range cases {
		r := compileDetection(t, det+"    condition: "+c.cond+"\n", Options{})
		var x Record
		x.Reset([]byte(c.rec), udm.AWSCloudTrail)
		if got := r.Match(&x); got != c.want {
			t.Errorf("%s on %s: got %v, want %v", c.cond, c.rec, got, c.want)
		}
	}
	// A list of conditions is ORed.
	r := compileDetection(t, det+"    condition:\n        - selection_a\n        - selection_b\n", Options{})
	var x Record
	x.Reset([]byte(`{"b":1}`), udm.AWSCloudTrail)
	if !r.Match(&x) {
		t.Error("condition list is not ORed")
	}
}

type testList []string

func (l testList) Match(v string, nocase bool) bool {
	for _, s := range l {
		if s == v || nocase && strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}
func (l testList) Literals() []string { return l }

func TestMatchExpand(t *testing.T) {
	lists := func(name string) (List, bool) {
		if name == "Administrators" {
			return testList{"alice", "bob"}, true
		}
		return nil, false
	}
	checkOpt(t, `    selection:
        userIdentity.userName|expand: '%Administrators%'
    condition: selection
`, Options{Lists: lists}, map[string]bool{
		`{"userIdentity":{"userName":"Bob"}}`:   true,
		`{"userIdentity":{"userName":"carol"}}`: false,
	})
	src := "title: t\ndetection:\n    s:\n        a|expand: '%Servers%'\n    condition: s\n"
	if _, err := ParseFile("e.yml", []byte(src), Options{Lists: lists}); err == nil || !strings.Contains(err.Error(), `e.yml:4:19: expand: no reference list "Servers"`) {
		t.Errorf("unknown list: got %v", err)
	}
}

func TestAzureAliases(t *testing.T) {
	src := `title: t
logsource:
    product: azure
    service: activitylogs
detection:
    selection:
        CategoryValue: 'Administrative'
        ResourceProviderValue: 'Microsoft.ADHybridHealthService'
        ResourceId|contains: 'AdFederationService'
        OperationNameValue: 'Microsoft.ADHybridHealthService/services/delete'
    condition: selection
`
	rs, err := ParseFile("a.yml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for rec, want := range map[string]bool{
		// The storage export: category and operationName are strings.
		`{"category":"Administrative","operationName":"MICROSOFT.ADHYBRIDHEALTHSERVICE/SERVICES/DELETE","resourceId":"/x/AdFederationService/y"}`: true,
		// The REST shape: {"value": ...} objects.
		`{"category":{"value":"Administrative"},"operationName":{"value":"Microsoft.ADHybridHealthService/services/delete"},"resourceProviderName":{"value":"Microsoft.ADHybridHealthService"},"resourceId":"/AdFederationService"}`: true,
		`{"category":"Administrative","operationName":"Microsoft.ADHybridHealthService/services/write","resourceId":"/x/AdFederationService/y"}`:                                                                                     false,
	} {
		var x Record
		x.Reset([]byte(rec), udm.AzureActivity)
		if got := rs[0].Match(&x); got != want {
			t.Errorf("%s: got %v, want %v", rec, got, want)
		}
	}
}
