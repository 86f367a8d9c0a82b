package rule

import (
	"errors"
	"testing"
)

// mapEvent is an Event backed by a map from UDM path to values.
type mapEvent map[string][]string

func (m mapEvent) Values(path string) []string { return m[path] }

// wrapEvents makes a one-rule file around an events section.
func wrapEvents(events string) string {
	return "rule t {\nevents:\n" + events + "\ncondition:\n$e\n}\n"
}

func mustParse(t testing.TB, src string) []*Rule {
	t.Helper()
	rules, err := ParseFile("t.yaral", []byte(src))
	if err != nil {
		t.Fatalf("ParseFile(%q): %v", src, err)
	}
	return rules
}

func mustParseEvents(t testing.TB, events string) *Rule {
	t.Helper()
	rules := mustParse(t, wrapEvents(events))
	if len(rules) != 1 {
		t.Fatalf("got %d rules, want 1", len(rules))
	}
	return rules[0]
}

// parseErr returns the *Error from parsing src, failing when there is none.
func parseErr(t testing.TB, name, src string) *Error {
	t.Helper()
	_, err := ParseFile(name, []byte(src))
	if err == nil {
		t.Fatalf("ParseFile(%q): no error", src)
	}
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("ParseFile(%q): error %T is not a *Error: %v", src, err, err)
	}
	return pe
}
