//go:build !linux

package local

import "time"

// folder stands for a folder being walked; elsewhere than on Linux each
// file is stat'ed by its path.
type folder struct{}

func openDir(path string) folder { return folder{} }

func (folder) close() {}

func (folder) stat(dir, sep, name string) (size int64, mtime time.Time, ok bool) {
	return statPath(dir + sep + name)
}
