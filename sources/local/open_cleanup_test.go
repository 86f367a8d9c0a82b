//go:build linux

package local

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// TestDroppedFileIsClosed: a body dropped without Close has its
// descriptor closed once collected, as an *os.File's is; and a body
// closed before it is dropped never closes the descriptor number again
// (which a later open may have been given).
func TestDroppedFileIsClosed(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a.json")
	if err := os.WriteFile(name, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	open := func() (*file, int) {
		rc, err := openFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := rc.(*file)
		if !ok {
			t.Skipf("openFile returned a %T", rc)
		}
		return f, f.fd
	}
	isOpen := func(fd int) bool {
		_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		return err == nil
	}
	collect := func(until func() bool) bool {
		for range 100 {
			runtime.GC()
			runtime.Gosched()
			if until() {
				return true
			}
		}
		return false
	}

	_, fd := open() // dropped at once
	if !collect(func() bool { return !isOpen(fd) }) {
		t.Errorf("descriptor %d of a dropped body is still open after 100 collections", fd)
	}

	f, fd := open()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	f = nil
	g, gfd := open() // most likely given fd again
	defer g.Close()
	collect(func() bool { return false })
	if !isOpen(gfd) {
		t.Fatalf("descriptor %d (reused from %d) was closed by the first body's cleanup", gfd, fd)
	}
	buf := make([]byte, 8)
	if n, err := g.Read(buf); err != nil || string(buf[:n]) != "{}" {
		t.Fatalf("read %q, %v", buf[:n], err)
	}
	_ = f
}
