package sources

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSizeReader(t *testing.T) {
	f := func(body string, size int64, wantErr bool) {
		t.Helper()
		got, err := io.ReadAll(SizeReader(strings.NewReader(body), size))
		if wantErr {
			if !errors.Is(err, ErrSize) {
				t.Errorf("SizeReader(%q, %d): %q, %v; want ErrSize", body, size, got, err)
			}
			return
		}
		if err != nil || string(got) != body {
			t.Errorf("SizeReader(%q, %d) = %q, %v", body, size, got, err)
		}
		b, err := ReadBody(strings.NewReader(body), size)
		if err != nil || string(b) != body {
			t.Errorf("ReadBody(%q, %d) = %q, %v", body, size, b, err)
		}
	}
	f("", 0, false)
	f("abc", 3, false)
	f(strings.Repeat("x", 100000), 100000, false)
	f("abc", 2, true)
	f("abc", 4, true)
	f("", 1, true)
	f("abc", -1, true)
	for _, c := range []struct {
		body string
		size int64
	}{{"abc", 2}, {"abc", 4}, {"", -1}} {
		if _, err := ReadBody(strings.NewReader(c.body), c.size); err == nil {
			t.Errorf("ReadBody(%q, %d) succeeded", c.body, c.size)
		}
	}
	if err := (Condition{IfMatch: "x", IfNoneMatch: true}).Check(); !errors.Is(err, ErrConditions) {
		t.Errorf("Check = %v", err)
	}
}
