package output

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// writeVia writes body to path through Create and Commit.
func writeVia(path string, body []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	defer f.Abort()
	if _, err := f.Write(body); err != nil {
		return err
	}
	return f.Commit()
}

// readFIFO starts a reader of the FIFO at path and returns what it read
// once the writer closes.
func readFIFO(t *testing.T, path string) <-chan []byte {
	t.Helper()
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(path) // blocks until the writer opens
		if err != nil {
			got <- []byte("open: " + err.Error())
			return
		}
		defer f.Close()
		b, err := io.ReadAll(f)
		if err != nil {
			b = append(b, "read: "+err.Error()...)
		}
		got <- b
	}()
	return got
}

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode()
}

// Issue 15 item 2: a FIFO given as the output gets the bytes and stays
// a FIFO; the old code renamed a regular file over it.
func TestCreateWritesIntoFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "hits.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := readFIFO(t, fifo)
	if err := writeVia(fifo, []byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	// Check the mode first: were the FIFO replaced, its reader would
	// wait for a writer forever.
	if m := mode(t, fifo); m&os.ModeNamedPipe == 0 {
		t.Fatalf("%s is now %v, want a FIFO", fifo, m)
	}
	if b := <-got; string(b) != "hello\n" {
		t.Fatalf("reader got %q, want %q", b, "hello\n")
	}
	assertOnly(t, dir, "hits.fifo")
}

// A symlink to a FIFO is followed; both stay what they were.
func TestCreateFollowsSymlinkToFIFO(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "real.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(fifo, link); err != nil {
		t.Fatal(err)
	}
	got := readFIFO(t, fifo)
	if err := writeVia(link, []byte("via link")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, link); m&os.ModeSymlink == 0 {
		t.Fatalf("link is now %v, want a symlink", m)
	}
	if b := <-got; string(b) != "via link" {
		t.Fatalf("reader got %q", b)
	}
	if m := mode(t, fifo); m&os.ModeNamedPipe == 0 {
		t.Fatalf("fifo is now %v", m)
	}
	assertOnly(t, dir, "link", "real.fifo")
}

// A character device (a null device node made inside the temp dir, major
// 1 minor 3) is written to and stays a device. Only root can make one.
func TestCreateWritesIntoDevice(t *testing.T) {
	dir := t.TempDir()
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
		t.Skipf("mknod (needs root): %v", err)
	}
	if err := writeVia(dev, []byte("discarded")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, dev); m&os.ModeCharDevice == 0 || m&os.ModeDevice == 0 {
		t.Fatalf("%s is now %v, want a character device", dev, m)
	}
	assertOnly(t, dir, "null")
}

// A symlink to a regular file is replaced itself, never followed: the
// file it names keeps its bytes (cmd's TestOutputNeverFollowsSymlinks
// holds the same through the CLI).
func TestCreateReplacesSymlinkToRegular(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.parquet")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "hits.parquet")
	if err := os.Symlink("real.parquet", link); err != nil {
		t.Fatal(err)
	}
	if err := writeVia(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, link); !m.IsRegular() {
		t.Fatalf("link is now %v, want a regular file", m)
	}
	if b, _ := os.ReadFile(link); string(b) != "new" {
		t.Fatalf("output holds %q, want %q", b, "new")
	}
	if b, _ := os.ReadFile(real); string(b) != "old" {
		t.Fatalf("the link's target holds %q, want it untouched", b)
	}
	assertOnly(t, dir, "hits.parquet", "real.parquet")
}

// A regular file and a missing path are replaced and created as before.
func TestCreateRegularAndMissing(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old")
	os.WriteFile(old, []byte("previous"), 0o644)
	for _, p := range []string{old, filepath.Join(dir, "new")} {
		if err := writeVia(p, []byte("x")); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != "x" {
			t.Fatalf("%s holds %q", p, b)
		}
		if m := mode(t, p); !m.IsRegular() || m.Perm() != 0o640 {
			t.Fatalf("%s: mode %v, want a regular file 0640", p, m)
		}
	}
	assertOnly(t, dir, "new", "old")
}

// A directory, or a path under a regular file, fails in Create, before
// anything is written.
func TestCreateRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := Create(dir)
	if !errors.Is(err, ErrIsDir) {
		t.Fatalf("Create(dir) = %v, want ErrIsDir", err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if _, err := Create(filepath.Join(file, "under")); err == nil {
		t.Fatal("Create under a regular file succeeded")
	}
	assertOnly(t, dir, "file")
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("%s holds %v, want %v", dir, got, names)
	}
	for i := range got {
		if got[i] != names[i] {
			t.Fatalf("%s holds %v, want %v", dir, got, names)
		}
	}
}
