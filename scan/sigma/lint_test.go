package sigma

import (
	"strings"
	"testing"
)

func TestLint(t *testing.T) {
	src := `title: lint me
logsource:
    product: aws
    service: cloudtrail
detection:
    selection:
        eventNmae: 'DeleteTrail'
        errorCode|contains: 403
        eventSource|contains|all: 'x'
        userAgent|cidr: 10.0.0.0/8
    unused:
        eventName: y
    condition: selection
`
	rs, err := ParseFile("l.yml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range Lint(rs[0]) {
		got = append(got, f.Pos.String()+" "+f.Msg)
	}
	want := []string{
		`l.yml:7:9 field eventNmae: no AWS_CLOUDTRAIL record has a top-level "eventNmae"`,
		`l.yml:8:9 contains applies to strings, and a value of errorCode is a number`,
		`l.yml:9:9 all on a single value: the specification does not allow it; write the value without all`,
		`l.yml:10:9 cidr compares IP addresses, and AWS_CLOUDTRAIL records hold none in userAgent (they are in sourceIPAddress)`,
		`l.yml:11:5 search identifier unused is not used by the condition`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
