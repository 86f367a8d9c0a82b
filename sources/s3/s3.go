// Package s3 reads archives from an Amazon S3 bucket or an S3-compatible
// store.
package s3

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/retrohunt/retrohunt/sources"
)

// Source is one S3 bucket.
type Source struct {
	client     *s3.Client
	bucket     string
	region     string
	getTimeout time.Duration
	conns      int

	requests sources.Requests
}

var _ sources.Source = (*Source)(nil)

// Stats returns the requests made so far: ListObjectsV2 pages fetched
// by List and by ListDirs, and GetObject calls. It is safe to call while
// requests run.
func (s *Source) Stats() sources.RequestStats { return s.requests.Stats() }

// Region is the region requests are signed for.
func (s *Source) Region() string { return s.region }

// Location implements sources.Source.
func (s *Source) Location() string { return "s3://" + s.bucket }

// URI implements sources.Source.
func (s *Source) URI(key string) string { return "s3://" + s.bucket + "/" + key }

// List implements sources.Source, 1,000 keys per request.
func (s *Source) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket:  aws.String(s.bucket),
		Prefix:  aws.String(prefix),
		MaxKeys: aws.Int32(1000),
		// Restore status tells a restored Glacier object (readable) from
		// one still in the archive.
		OptionalObjectAttributes: []types.OptionalObjectAttributes{types.OptionalObjectAttributesRestoreStatus},
	})
	for p.HasMorePages() {
		s.requests.AddList()
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListObjectsV2 %s: %w", s.URI(prefix), err)
		}
		for _, o := range page.Contents {
			if err := fn(object(o)); err != nil {
				return err
			}
		}
	}
	return nil
}

func object(o types.Object) sources.Object {
	return sources.Object{
		Key:      aws.ToString(o.Key),
		Size:     aws.ToInt64(o.Size),
		ETag:     strings.Trim(aws.ToString(o.ETag), `"`),
		ModTime:  aws.ToTime(o.LastModified),
		Archived: archived(o),
	}
}

// ListDirs implements sources.Source: the keys directly under prefix
// come in the same pages (Contents) as its common prefixes.
func (s *Source) ListDirs(ctx context.Context, prefix string, fn func(sources.Entry) error) error {
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{
		Bucket:    aws.String(s.bucket),
		Prefix:    aws.String(prefix),
		Delimiter: aws.String("/"),
		MaxKeys:   aws.Int32(1000),
	})
	for p.HasMorePages() {
		s.requests.AddListDirs()
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("ListObjectsV2 %s (delimiter /): %w", s.URI(prefix), err)
		}
		for _, cp := range page.CommonPrefixes {
			if err := fn(sources.Entry{Dir: aws.ToString(cp.Prefix)}); err != nil {
				return err
			}
		}
		for _, o := range page.Contents {
			if err := fn(sources.Entry{Object: object(o)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open implements sources.Source. The per-GET timeout runs until the body
// is closed, so a stalled body fails instead of holding a worker.
func (s *Source) Open(ctx context.Context, o sources.Object) (io.ReadCloser, error) {
	ctx, cancel := context.WithTimeout(ctx, s.getTimeout)
	s.requests.AddGet()
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(o.Key)}
	if o.ETag != "" {
		// Read the object that was listed: one replaced since then fails
		// with 412 (permanent) instead of passing its hits off under the
		// old ETag.
		in.IfMatch = aws.String(`"` + o.ETag + `"`)
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("GetObject %s: %w", s.URI(o.Key), err)
	}
	return &body{ReadCloser: out.Body, cancel: cancel, uri: s.URI(o.Key)}, nil
}

// body ends its GET's timeout when closed, and names the object in read
// errors, which otherwise say only "context deadline exceeded".
type body struct {
	io.ReadCloser
	cancel context.CancelFunc
	uri    string
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("read %s: %w", b.uri, err)
	}
	return n, err
}

func (b *body) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// IsNotExist implements sources.Source.
func (s *Source) IsNotExist(err error) bool { return IsNotExist(err) }

// IsPermanent implements sources.Source.
func (s *Source) IsPermanent(err error) bool { return IsPermanent(err) }

// Properties implements sources.Source.
func (s *Source) Properties() sources.Properties {
	return sources.Properties{Connections: s.conns}
}

// archived reports whether a listed object sits in an offline storage
// class and has not been restored. Glacier Instant Retrieval is online.
func archived(o types.Object) bool {
	switch o.StorageClass {
	case types.ObjectStorageClassGlacier, types.ObjectStorageClassDeepArchive:
	default:
		return false
	}
	rs := o.RestoreStatus
	return rs == nil || aws.ToBool(rs.IsRestoreInProgress) || rs.RestoreExpiryDate == nil
}
