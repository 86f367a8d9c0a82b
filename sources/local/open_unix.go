//go:build unix

package local

import (
	"io"
	"io/fs"
	"runtime"
	"syscall"
)

// file is an object opened for reading by Source.Open: its descriptor,
// read with plain read(2) calls. An *os.File costs four fcntl calls and
// an epoll_ctl on Linux besides the open (os.Open puts the descriptor in
// non-blocking mode for the poller, which refuses regular files, and
// then takes the mode back): with the bytes of a small archive object
// already in the page cache, those were a third of opening and reading
// it (BenchmarkOpenRead). It reads and fails as the *os.File would, word
// for word (TestOpenMatchesOS). Like any body a Source opens, it is read
// and closed by one goroutine, and must be closed.
type file struct {
	fd   int // -1 once closed
	name string
	// cleanup closes fd if the file is dropped unclosed, as an *os.File's
	// does; Close stops it first, so a descriptor number reused after
	// Close is never closed by it.
	cleanup runtime.Cleanup
}

// maxRW caps one read, as os.File does (1 GiB): some kernels refuse
// larger counts.
const maxRW = 1 << 30

func openFile(name string) (io.ReadCloser, error) {
	for {
		fd, err := syscall.Open(name, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		f := &file{fd: fd, name: name}
		f.cleanup = runtime.AddCleanup(f, closeFD, fd)
		return f, nil
	}
}

func (f *file) Read(p []byte) (int, error) {
	if f.fd < 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: fs.ErrClosed}
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) > maxRW {
		p = p[:maxRW]
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *file) Close() error {
	if f.fd < 0 {
		return &fs.PathError{Op: "close", Path: f.name, Err: fs.ErrClosed}
	}
	fd := f.fd
	f.fd = -1
	f.cleanup.Stop()
	// As os.File: close(2) is not retried on EINTR (the descriptor is
	// gone either way on Linux).
	if err := syscall.Close(fd); err != nil {
		return &fs.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// closeFD is the cleanup of a file dropped without Close.
func closeFD(fd int) { syscall.Close(fd) }
