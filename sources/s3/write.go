package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/retrohunt/retrohunt/sources"
)

var (
	_ sources.Store   = (*Source)(nil)
	_ sources.Deleter = (*Source)(nil)
)

// Bodies up to MultipartThreshold go up in one PutObject, which S3 makes
// visible atomically; larger ones in a multipart upload of parts of at
// least PartSize, which becomes visible, all at once, only when
// CompleteMultipartUpload is sent after the last part.
const (
	MultipartThreshold = 64 << 20
	PartSize           = 16 << 20
	partUploads        = 4 // parts in flight; each holds a PartSize buffer
	maxParts           = 10000
)

// Overridden by tests to exercise the multipart path with small bodies.
var (
	multipartThreshold int64 = MultipartThreshold
	partSize           int64 = PartSize
)

// Get implements sources.Store. The ETag is S3's, without quotes.
func (s *Source) Get(ctx context.Context, key string) ([]byte, string, error) {
	ctx, cancel := context.WithTimeout(ctx, s.getTimeout)
	defer cancel()
	s.requests.AddGet()
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, "", fmt.Errorf("GetObject %s: %w", s.URI(key), err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, "", fmt.Errorf("read %s: %w", s.URI(key), err)
	}
	return b, unquote(out.ETag), nil
}

func unquote(etag *string) string { return strings.Trim(aws.ToString(etag), `"`) }

// Put implements sources.Store with PutObject, or a multipart upload for
// bodies over MultipartThreshold; either way the If-Match / If-None-Match
// condition goes on the request that makes the object visible (PutObject
// or CompleteMultipartUpload), where S3 evaluates it atomically.
//
// A conditional request the SDK retried after a lost response can fail
// although its first attempt won; callers that must tell these apart
// read the object back (sweep/state does).
func (s *Source) Put(ctx context.Context, key string, body io.Reader, size int64, cond sources.Condition) (string, error) {
	if err := cond.Check(); err != nil {
		return "", err
	}
	var (
		etag string
		err  error
	)
	if size <= multipartThreshold {
		etag, err = s.putObject(ctx, key, body, size, cond)
	} else {
		etag, err = s.putMultipart(ctx, key, body, size, cond)
	}
	if err != nil {
		return "", s.conflict(key, cond, err)
	}
	return etag, nil
}

// conflict marks a lost condition with sources.ErrConflict: 412
// PreconditionFailed, 409 ConditionalRequestConflict (a concurrent
// conditional write to the same key), and for If-Match the key having
// gone (NoSuchKey).
func (s *Source) conflict(key string, cond sources.Condition, err error) error {
	if cond == (sources.Condition{}) {
		return err
	}
	code, status := ErrorCode(err), httpStatus(err)
	if code == "PreconditionFailed" || code == "ConditionalRequestConflict" ||
		status == http.StatusPreconditionFailed || status == http.StatusConflict ||
		cond.IfMatch != "" && IsNotExist(err) {
		return fmt.Errorf("%w (%s %s): %w", sources.ErrConflict, s.URI(key), cond, err)
	}
	return err
}

func (s *Source) putObject(ctx context.Context, key string, body io.Reader, size int64, cond sources.Condition) (string, error) {
	// Over plain HTTP the SDK can sign only a seekable body; at most
	// MultipartThreshold bytes are held.
	b, err := sources.ReadBody(body, size)
	if err != nil {
		return "", fmt.Errorf("PutObject %s: %w", s.URI(key), err)
	}
	in := &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(b),
		ContentLength: aws.Int64(size),
	}
	setCond(cond, &in.IfMatch, &in.IfNoneMatch)
	out, err := s.client.PutObject(ctx, in)
	if err != nil {
		return "", fmt.Errorf("PutObject %s: %w", s.URI(key), err)
	}
	return unquote(out.ETag), nil
}

func setCond(c sources.Condition, ifMatch, ifNoneMatch **string) {
	if c.IfMatch != "" {
		*ifMatch = aws.String(`"` + c.IfMatch + `"`)
	}
	if c.IfNoneMatch {
		*ifNoneMatch = aws.String("*")
	}
}

// putMultipart uploads size bytes of body in parts, a few in flight, and
// completes the upload only after every part is in; on any failure it
// aborts the upload, so no part is ever visible.
func (s *Source) putMultipart(ctx context.Context, key string, body io.Reader, size int64, cond sources.Condition) (etag string, err error) {
	uri := s.URI(key)
	ps := partSize
	if n := (size + ps - 1) / ps; n > maxParts {
		ps = (size + maxParts - 1) / maxParts
	}
	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:            aws.String(s.bucket),
		Key:               aws.String(key),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
	})
	if err != nil {
		return "", fmt.Errorf("CreateMultipartUpload %s: %w", uri, err)
	}
	id := created.UploadId
	defer func() {
		if err == nil {
			return
		}
		// Abort even when ctx has ended, so the parts do not linger
		// (and cost) until a lifecycle rule removes them.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_, _ = s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{
			Bucket: aws.String(s.bucket), Key: aws.String(key), UploadId: id,
		})
	}()

	r := sources.SizeReader(body, size)
	nparts := int((size + ps - 1) / ps)
	parts := make([]types.CompletedPart, nparts)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(partUploads)
	for i := 0; i < nparts; i++ {
		n := ps
		if rest := size - int64(i)*ps; rest < n {
			n = rest
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			g.Wait()
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = fmt.Errorf("%w: the body ends early", sources.ErrSize)
			}
			return "", fmt.Errorf("upload %s: %w", uri, err)
		}
		if gctx.Err() != nil {
			break
		}
		num := int32(i + 1)
		g.Go(func() error {
			out, err := s.client.UploadPart(gctx, &s3.UploadPartInput{
				Bucket:            aws.String(s.bucket),
				Key:               aws.String(key),
				UploadId:          id,
				PartNumber:        aws.Int32(num),
				Body:              bytes.NewReader(buf),
				ContentLength:     aws.Int64(int64(len(buf))),
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			})
			if err != nil {
				return fmt.Errorf("UploadPart %s part %d: %w", uri, num, err)
			}
			parts[num-1] = types.CompletedPart{PartNumber: aws.Int32(num), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	// The body must end where it said it would.
	if n, err := r.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		return "", fmt.Errorf("upload %s: %w", uri, err)
	}
	in := &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(s.bucket),
		Key:             aws.String(key),
		UploadId:        id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
	}
	setCond(cond, &in.IfMatch, &in.IfNoneMatch)
	out, err := s.client.CompleteMultipartUpload(ctx, in)
	if err != nil {
		return "", fmt.Errorf("CompleteMultipartUpload %s: %w", uri, err)
	}
	return unquote(out.ETag), nil
}

// Delete implements sources.Deleter.
func (s *Source) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil && !IsNotExist(err) {
		return fmt.Errorf("DeleteObject %s: %w", s.URI(key), err)
	}
	return nil
}

// IsConflict implements sources.Store.
func (s *Source) IsConflict(err error) bool { return errors.Is(err, sources.ErrConflict) }
