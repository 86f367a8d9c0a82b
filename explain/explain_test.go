package explain

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/rules"
	"github.com/retrohunt/retrohunt/sources/local"
)

// envelope is a CloudTrail object of three records, written by hand.
const envelope = `{"Records":[{"eventName":"A"},{"eventName":"B"},{"eventName":"C"}]}`

func TestFetch(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.json"), []byte(envelope), 0o644)
	os.WriteFile(filepath.Join(dir, "one.json"), []byte(`{"eventName":"Only"}`), 0o644)
	src, err := local.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()

	rec, err := Fetch(ctx, src, "x.json", 1)
	if err != nil || string(rec.Raw) != `{"eventName":"B"}` || rec.Index != 1 {
		t.Fatalf("record 1: %+v %v", rec, err)
	}
	rec, err = Fetch(ctx, src, "one.json", -1)
	if err != nil || string(rec.Raw) != `{"eventName":"Only"}` || rec.Index != 0 || rec.Total != 1 {
		t.Fatalf("the only record: %+v %v", rec, err)
	}

	// What names no single record is an InputError, with the reason.
	f := func(key string, index int, want string) {
		t.Helper()
		_, err := Fetch(ctx, src, key, index)
		var ie InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), want) {
			t.Errorf("Fetch(%q, %d) = %v, want an InputError with %q", key, index, err, want)
		}
	}
	f("x.json", -1, "holds more than one record")
	f("x.json", 3, "has no record 3: it holds 3 (indexes 0 to 2)")
	f("nope.json", 0, "no object file://")
}

// TestWriteEscapes: an object key is data; the view shows it escaped.
func TestWriteEscapes(t *testing.T) {
	var b strings.Builder
	rec := &Record{URI: "file:///tmp/evil\x1b]0;pwned\x07.json", Raw: []byte(`{"eventName":"StartSession","eventSource":"ssm.amazonaws.com"}`)}
	loaded, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, rec, loaded); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(b.String(), "\x1b\x07") || !strings.Contains(b.String(), `evil\x1b]0;pwned\x07.json`) {
		t.Errorf("URI not escaped:\n%s", b.String())
	}
}
