// Package sources lists and opens audit-log archives wherever they live.
//
// A Source is deliberately small: listing, opening and classifying errors.
// Everything that is the same for every store (layout-aware descent, date
// pruning, concurrency caps, retries) is written once in this package on
// top of that interface, so a new backend only has to speak its protocol.
package sources

import (
	"context"
	"errors"
	"io"
	"time"
)

// Object is one stored archive file.
type Object struct {
	// Key is the object's name inside its Source, with "/" separators,
	// exactly as the store spells it (never a local path).
	Key     string
	Size    int64
	ETag    string
	ModTime time.Time
	// Archived is true for an object in an offline tier (S3 Glacier
	// Flexible Retrieval or Deep Archive not restored, Azure Archive):
	// a GET would fail, so it is reported, never downloaded.
	Archived bool
}

// Entry is one child of a folder as a delimiter listing returns it: a
// sub-folder or an object stored directly in the folder.
type Entry struct {
	// Dir is a sub-folder's prefix, ending in "/"; "" for an object.
	Dir string
	// Object is the object, when Dir is "".
	Object Object
}

// Properties describe how a Source wants to be driven.
type Properties struct {
	// Connections is the number of requests the store serves well in
	// parallel; wrappers cap concurrency with it.
	Connections int
}

// Source is a store of archive objects: a local directory, an S3 bucket or
// an Azure Blob container.
type Source interface {
	// Location is the Source's URI for messages and provenance
	// (e.g. "s3://bucket"). It never contains credentials.
	Location() string

	// URI is the provenance URI of one object. It never contains credentials.
	URI(key string) string

	// List calls fn once for each object whose key starts with prefix, at
	// any depth. fn runs in the caller's goroutine, once per object; List
	// stops at the first error fn returns and returns that error.
	List(ctx context.Context, prefix string, fn func(Object) error) error

	// ListDirs lists one folder level with delimiter "/": it calls fn
	// once for each common prefix one level below prefix, such as
	// "AWSLogs/111122223333/" for prefix "AWSLogs/" (Entry.Dir), and once
	// for each object stored directly under prefix (Entry.Object), both
	// from the same requests (S3 CommonPrefixes and Contents, Azure
	// BlobPrefixes and BlobItems, a local ReadDir). The order of folders
	// and objects is not specified. prefix is "" or ends with "/". The
	// same rules for fn apply as for List.
	ListDirs(ctx context.Context, prefix string, fn func(Entry) error) error

	// Open returns the object's body. The caller closes it.
	Open(ctx context.Context, o Object) (io.ReadCloser, error)

	// IsNotExist reports whether err means the object or container is
	// missing.
	IsNotExist(err error) bool

	// IsPermanent reports whether retrying the request that returned err
	// cannot help (missing object, access denied, bad request).
	IsPermanent(err error) bool

	Properties() Properties
}

// WithObject opens o, hands its body to fn and closes it. A Close error is
// dropped when fn already failed: the first error is the one that explains.
func WithObject(ctx context.Context, src Source, o Object, fn func(io.Reader) error) (err error) {
	rc, err := src.Open(ctx, o)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := rc.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	return fn(rc)
}

// ErrNotExist is returned (wrapped) by sources for missing objects and
// containers when the store has no richer error of its own.
var ErrNotExist = errors.New("does not exist")
