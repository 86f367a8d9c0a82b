package sources

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"
)

func noWait(int) time.Duration { return 0 }

func TestRetryOpen(t *testing.T) {
	f := func(failures []error, attempts int, wantErr error, wantCalls int64) {
		t.Helper()
		fs := &fakeSource{failures: failures}
		src := Retry(fs, attempts, noWait)
		rc, err := src.Open(context.Background(), Object{Key: "k"})
		if wantErr == nil {
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if string(b) != "k" {
				t.Fatalf("body %q", b)
			}
		} else if !errors.Is(err, wantErr) {
			t.Fatalf("Open error %v, want %v", err, wantErr)
		}
		if got := fs.calls.Load(); got != wantCalls {
			t.Fatalf("calls = %d, want %d", got, wantCalls)
		}
	}
	f(nil, 3, nil, 1)
	f([]error{errTransient, errTransient}, 3, nil, 3)
	f([]error{errTransient, errTransient, errTransient}, 3, errTransient, 3)
	f([]error{errPermanent}, 3, errPermanent, 1)
	f([]error{errTransient, errPermanent}, 5, errPermanent, 2)
}

func TestRetryListOnlyBeforeFirstEntry(t *testing.T) {
	// The fake fails List after passing its first key: no retry, or fn
	// would see "a" twice.
	fs := &fakeSource{keys: []string{"a", "b"}, failures: []error{errTransient}}
	src := Retry(fs, 5, noWait)
	var seen []string
	err := src.List(context.Background(), "", func(o Object) error {
		seen = append(seen, o.Key)
		return nil
	})
	if !errors.Is(err, errTransient) || len(seen) != 1 {
		t.Fatalf("List: err %v, seen %v; want transient error after one key", err, seen)
	}

	// ListDirs fails before its first entry: retried.
	fs = &fakeSource{keys: []string{"a", "b"}, failures: []error{errTransient, errTransient}}
	src = Retry(fs, 5, noWait)
	var dirs []string
	err = src.ListDirs(context.Background(), "", func(d string) error {
		dirs = append(dirs, d)
		return nil
	})
	if err != nil || len(dirs) != 2 || fs.calls.Load() != 3 {
		t.Fatalf("ListDirs: err %v, dirs %v, calls %d", err, dirs, fs.calls.Load())
	}

	// An error from fn is returned as is, never retried.
	errFn := errors.New("fn failed")
	fs = &fakeSource{keys: []string{"a"}}
	src = Retry(fs, 5, noWait)
	if err := src.ListDirs(context.Background(), "", func(string) error { return errFn }); err != errFn {
		t.Fatalf("ListDirs returned %v, want fn's error", err)
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	fs := &fakeSource{failures: []error{errTransient, errTransient, errTransient}}
	src := Retry(fs, 10, func(int) time.Duration { return time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := src.Open(ctx, Object{Key: "k"}); !errors.Is(err, errTransient) {
		t.Fatalf("Open: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("Retry slept through a cancelled context")
	}
	if u, ok := src.(interface{ Unwrap() Source }); !ok || u.Unwrap() != Source(fs) {
		t.Fatal("Unwrap does not return the wrapped Source")
	}
}
