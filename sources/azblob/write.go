package azblob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blockblob"

	"github.com/retrohunt/retrohunt/sources"
)

var (
	_ sources.Store   = (*Source)(nil)
	_ sources.Deleter = (*Source)(nil)
)

// Bodies up to SingleUploadLimit go up in one Put Blob, which Azure makes
// visible atomically; larger ones are staged as uncommitted blocks of
// BlockSize and become visible, all at once, only when Put Block List
// commits them after the last block.
const (
	SingleUploadLimit = 64 << 20
	BlockSize         = 8 << 20
	blockUploads      = 4 // blocks in flight; each holds a BlockSize buffer
)

// Overridden by tests to exercise the block path with small bodies.
var (
	singleUploadLimit int64 = SingleUploadLimit
	blockSize         int64 = BlockSize
)

// Get implements sources.Store. The ETag is Azure's, without quotes.
func (s *Source) Get(ctx context.Context, key string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.getTimeout)
	defer cancel()
	s.requests.AddGet()
	resp, err := s.client.NewBlobClient(key).DownloadStream(ctx, nil)
	if err != nil {
		return nil, "", wrapErr("download", s.URI(key), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, "", wrapErr("read", s.URI(key), err)
	}
	return b, unquote(resp.ETag), nil
}

func unquote(e *azcore.ETag) string {
	if e == nil {
		return ""
	}
	return strings.Trim(string(*e), `"`)
}

// Put implements sources.Store as a block blob: Put Blob for small
// bodies, staged blocks and Put Block List for large ones. The condition
// (If-Match, or If-None-Match: *) goes on the request that makes the
// blob visible, where Azure evaluates it atomically. A blob of another
// type (an append blob) under key is replaced.
//
// A conditional request the SDK retried after a lost response can fail
// although its first attempt won; callers that must tell these apart
// read the blob back (sweep/state does).
func (s *Source) Put(ctx context.Context, key string, body io.Reader, size int64, cond sources.Condition) (string, error) {
	if err := cond.Check(); err != nil {
		return "", err
	}
	uri := s.URI(key)
	ac := accessConditions(cond)
	bb := s.client.NewBlockBlobClient(key)
	if size <= singleUploadLimit {
		b, err := sources.ReadBody(body, size)
		if err != nil {
			return "", fmt.Errorf("upload %s: %w", uri, err)
		}
		resp, err := bb.Upload(ctx, streaming.NopCloser(bytes.NewReader(b)), &blockblob.UploadOptions{AccessConditions: ac})
		if err != nil {
			return "", s.conflict("upload", uri, cond, err)
		}
		return unquote(resp.ETag), nil
	}
	// UploadStream stages blocks as it reads and commits the block list
	// only after reading the body to its end; a body of the wrong size
	// fails the read, so nothing is committed.
	resp, err := bb.UploadStream(ctx, sources.SizeReader(body, size), &blockblob.UploadStreamOptions{
		BlockSize:        blockSize,
		Concurrency:      blockUploads,
		AccessConditions: ac,
	})
	if err != nil {
		if errors.Is(err, sources.ErrSize) {
			return "", fmt.Errorf("upload %s: %w", uri, err)
		}
		return "", s.conflict("upload", uri, cond, err)
	}
	return unquote(resp.ETag), nil
}

func accessConditions(c sources.Condition) *blob.AccessConditions {
	var m blob.ModifiedAccessConditions
	switch {
	case c.IfNoneMatch:
		m.IfNoneMatch = to(azcore.ETagAny)
	case c.IfMatch != "":
		m.IfMatch = to(azcore.ETag(`"` + c.IfMatch + `"`))
	default:
		return nil
	}
	return &blob.AccessConditions{ModifiedAccessConditions: &m}
}

func to[T any](v T) *T { return &v }

// conflict names a failed write and marks a lost condition with
// sources.ErrConflict: 412 ConditionNotMet, 409 BlobAlreadyExists (what
// If-None-Match: * gets for an existing blob), and for If-Match the blob
// having gone.
func (s *Source) conflict(op, uri string, cond sources.Condition, err error) error {
	lost := cond != (sources.Condition{}) &&
		(bloberror.HasCode(err, bloberror.ConditionNotMet, bloberror.BlobAlreadyExists) ||
			HTTPStatus(err) == http.StatusPreconditionFailed ||
			cond.IfMatch != "" && IsNotExist(err))
	if !lost {
		return wrapErr(op, uri, err)
	}
	return &requestError{
		msg: fmt.Sprintf("%s %s: %s (%s): %s", op, uri, sources.ErrConflict, cond, describe(err)),
		err: errors.Join(sources.ErrConflict, err),
	}
}

// Delete implements sources.Deleter.
func (s *Source) Delete(ctx context.Context, key string) error {
	_, err := s.client.NewBlobClient(key).Delete(ctx, nil)
	if err != nil && !IsNotExist(err) {
		return wrapErr("delete", s.URI(key), err)
	}
	return nil
}

// IsConflict implements sources.Store.
func (s *Source) IsConflict(err error) bool { return errors.Is(err, sources.ErrConflict) }
