package scan

import "testing"

// The names are the state file's vocabulary (docs/sweeps.md).
func TestObjectStatusNames(t *testing.T) {
	for st, name := range map[ObjectStatus]string{ObjectScanned: "scanned", ObjectFailed: "failed", ObjectSkipped: "skipped"} {
		b, err := st.MarshalText()
		if err != nil || string(b) != name || st.String() != name {
			t.Errorf("%d: MarshalText %q %v, String %q; want %q", st, b, err, st.String(), name)
		}
		var back ObjectStatus = 99
		if err := back.UnmarshalText([]byte(name)); err != nil || back != st {
			t.Errorf("UnmarshalText(%q) = %d, %v", name, back, err)
		}
	}
	var s ObjectStatus
	if err := s.UnmarshalText([]byte("Scanned")); err == nil {
		t.Error("UnmarshalText accepts an unknown name")
	}
	if _, err := ObjectStatus(7).MarshalText(); err == nil {
		t.Error("MarshalText of an unnamed status: no error")
	}
}
