package scan

import "fmt"

// statusNames are the ObjectStatus names a sweep's state file stores
// (docs/sweeps.md); they are part of its format and never change.
var statusNames = [...]string{
	ObjectScanned: "scanned",
	ObjectFailed:  "failed",
	ObjectSkipped: "skipped",
}

// String returns the status's name: "scanned", "failed" or "skipped".
func (s ObjectStatus) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("ObjectStatus(%d)", uint8(s))
}

// MarshalText encodes the status as its name.
func (s ObjectStatus) MarshalText() ([]byte, error) {
	if int(s) >= len(statusNames) {
		return nil, fmt.Errorf("BUG: object status %d has no name", uint8(s))
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText decodes a status name; an unknown one is an error.
func (s *ObjectStatus) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if string(b) == n {
			*s = ObjectStatus(i)
			return nil
		}
	}
	return fmt.Errorf("unknown object status %q", b)
}
