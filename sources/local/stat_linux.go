package local

import (
	"time"

	"golang.org/x/sys/unix"
)

// folder is a descriptor of a folder being walked, for statAt; -1 when
// it could not be opened (then each file is stat'ed by its path).
type folder int

// openDir opens path as a folder for stat.
func openDir(path string) folder {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1
		}
		return folder(fd)
	}
}

func (d folder) close() {
	if d >= 0 {
		unix.Close(int(d))
	}
}

// stat is os.Stat(dir+sep+name) for a file of the folder dir (sep is
// "/", or "" after the root directory): whether it is a regular file,
// following a symbolic link, with its size and modification time.
// Relative to the folder's descriptor, the kernel looks up one name, not
// every folder of the path, and nothing is allocated for the result.
func (d folder) stat(dir, sep, name string) (size int64, mtime time.Time, ok bool) {
	if d < 0 {
		return statPath(dir + sep + name)
	}
	var st unix.Stat_t
	for {
		err := unix.Fstatat(int(d), name, &st, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
			return 0, time.Time{}, false
		}
		return st.Size, time.Unix(st.Mtim.Unix()), true
	}
}
