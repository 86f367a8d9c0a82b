package scan

import "fmt"

// DownloadError is a buffered object that could not be read from its
// store: the summary counts it as "download failed", whatever the
// store's error says.
type DownloadError struct {
	// Attempts is how often the object was requested when that was more
	// than once; 0 after a single request or a permanent error.
	Attempts int
	Err      error
}

func (e *DownloadError) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("download (%d attempts): %v", e.Attempts, e.Err)
	}
	return "download: " + e.Err.Error()
}

func (e *DownloadError) Unwrap() error { return e.Err }
