package sigma

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/udm"
)

// treeValue rebuilds a Go value from a parsed tree as encoding/json
// would decode it: objects as maps (a repeated key: the last one wins,
// as in encoding/json), arrays as slices, scalars decoded from their raw
// bytes.
func treeValue(t *testing.T, n *node) any {
	n.expand()
	switch n.kind {
	case '{':
		m := map[string]any{}
		for i, k := range n.keys {
			m[string(k)] = treeValue(t, &n.kids[i])
		}
		return m
	case '[':
		a := []any{}
		for i := range n.kids {
			a = append(a, treeValue(t, &n.kids[i]))
		}
		return a
	}
	v, err := decodeNumbers(n.raw)
	if err != nil {
		t.Fatalf("scalar %q of kind %q: %v", n.raw, n.kind, err)
	}
	return v
}

// decodeNumbers decodes JSON keeping numbers as written (json.Number),
// so that 1E1000 compares as text instead of overflowing a float64.
func decodeNumbers(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// FuzzTree: the record tree every Sigma rule reads holds what
// encoding/json decodes from any valid JSON value, and each node's raw
// bytes are the value as written.
func FuzzTree(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":1,"b":[true,false,null,"x\"y"],"c":{"d":-1.5e3}}`,
		` { "a" : [ 1 , { "b" : "\u00e9\ud83d\ude00" } ] } `, `{"a":1,"a":2}`, `"s"`, `0`,
		`{"eventName":"ConsoleLogin","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		n := parseTree(b)
		if n == nil {
			t.Fatalf("parseTree(%q) = nil for valid JSON", b)
		}
		want, err := decodeNumbers(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := treeValue(t, n); !reflect.DeepEqual(got, want) {
			t.Fatalf("parseTree(%q) holds %#v, encoding/json %#v", b, got, want)
		}
	})
}

// TestRecordParsesWhatIsRead: reading a record's top-level field parses
// its top level, not the objects and arrays under it, and the top level
// in a few allocations (the root, the slices of its members and keys,
// the value read, the field's cache), not a few per member: with 200
// objects nested in another member, the lookup of eventName allocates
// at most 12 times, where parsing every value took at least three
// allocations per nested object, 600 here. Reading a nested field
// parses its objects.
func TestRecordParsesWhatIsRead(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"eventVersion":"1.08","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","requestParameters":{"tags":[`)
	for i := range 200 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"key":"k%d","value":"v%d"}`, i, i)
	}
	b.WriteString(`]},"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s"}}`)
	raw := []byte(b.String())
	var r Record
	n := testing.AllocsPerRun(20, func() {
		r.Reset(raw, udm.AWSCloudTrail)
		if vs, ok := r.Values("eventName"); !ok || len(vs) != 1 || vs[0].S != "AssumeRole" {
			t.Fatalf("eventName = %v %v", vs, ok)
		}
	})
	if n > 12 {
		t.Errorf("reading eventName allocates %v times, want at most 12", n)
	}
	r.Reset(raw, udm.AWSCloudTrail)
	if vs, ok := r.Values("requestParameters.tags.value"); !ok || len(vs) != 200 || vs[199].S != "v199" {
		t.Errorf("requestParameters.tags.value = %d values, want 200", len(vs))
	}
	if vs, ok := r.Values("userIdentity.type"); !ok || len(vs) != 1 || vs[0].S != "AssumedRole" {
		t.Errorf("userIdentity.type = %v %v", vs, ok)
	}
}
