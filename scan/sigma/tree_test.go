package sigma

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// treeValue rebuilds a Go value from a parsed tree as encoding/json
// would decode it: objects as maps (a repeated key: the last one wins,
// as in encoding/json), arrays as slices, scalars decoded from their raw
// bytes.
func treeValue(t *testing.T, n *node) any {
	switch n.kind {
	case '{':
		m := map[string]any{}
		for i, k := range n.keys {
			m[k] = treeValue(t, n.kids[i])
		}
		return m
	case '[':
		a := []any{}
		for _, k := range n.kids {
			a = append(a, treeValue(t, k))
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
