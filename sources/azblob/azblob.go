// Package azblob reads archives from an Azure Blob Storage container,
// such as the insights-activity-logs container Azure Monitor exports the
// Activity Log to.
package azblob

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/retrohunt/retrohunt/sources"
)

// Source is one blob container.
type Source struct {
	client     *container.Client
	account    string
	container  string
	getTimeout time.Duration
	conns      int

	requests sources.Requests
}

var _ sources.Source = (*Source)(nil)

// Stats returns the requests made so far: List Blobs pages fetched by
// List and by ListDirs, and downloads started. It is safe to call while
// requests run.
func (s *Source) Stats() sources.RequestStats { return s.requests.Stats() }

// Location implements sources.Source. It never holds a SAS or key.
func (s *Source) Location() string { return "azblob://" + s.account + "/" + s.container }

// URI implements sources.Source.
func (s *Source) URI(key string) string { return s.Location() + "/" + key }

// List implements sources.Source, up to 5,000 blobs per request.
func (s *Source) List(ctx context.Context, prefix string, fn func(sources.Object) error) error {
	p := s.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix})
	for p.More() {
		s.requests.AddList()
		page, err := p.NextPage(ctx)
		if err != nil {
			return wrapErr("list", s.URI(prefix), err)
		}
		for _, b := range page.Segment.BlobItems {
			if err := fn(object(b.Name, b.Properties)); err != nil {
				return err
			}
		}
	}
	return nil
}

func object(name *string, pr *container.BlobProperties) sources.Object {
	o := sources.Object{Key: deref(name)}
	if pr != nil {
		o.Size = deref(pr.ContentLength)
		if pr.ETag != nil {
			o.ETag = strings.Trim(string(*pr.ETag), `"`)
		}
		o.ModTime = deref(pr.LastModified)
		// An Archive-tier blob cannot be read until rehydrated.
		o.Archived = pr.AccessTier != nil && *pr.AccessTier == blob.AccessTierArchive
	}
	return o
}

// ListDirs implements sources.Source: the blobs directly under prefix
// come in the same pages (BlobItems) as its blob prefixes.
func (s *Source) ListDirs(ctx context.Context, prefix string, fn func(sources.Entry) error) error {
	p := s.client.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Prefix: &prefix})
	for p.More() {
		s.requests.AddListDirs()
		page, err := p.NextPage(ctx)
		if err != nil {
			return wrapErr("list folders", s.URI(prefix), err)
		}
		for _, bp := range page.Segment.BlobPrefixes {
			if err := fn(sources.Entry{Dir: deref(bp.Name)}); err != nil {
				return err
			}
		}
		for _, b := range page.Segment.BlobItems {
			if err := fn(sources.Entry{Object: object(b.Name, b.Properties)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Open implements sources.Source. The per-GET timeout runs until the body
// is closed; a connection dropped mid-body is resumed by the SDK's retry
// reader with a range request pinned to the same ETag.
func (s *Source) Open(ctx context.Context, o sources.Object) (io.ReadCloser, error) {
	ctx, cancel := context.WithTimeout(ctx, s.getTimeout)
	s.requests.AddGet()
	var opts *blob.DownloadStreamOptions
	if o.ETag != "" && !strings.HasSuffix(o.Key, "/PT1H.json") {
		// Read the blob that was listed: one replaced since fails with
		// 412 (permanent). Activity Log hour blobs are append blobs that
		// grow during their hour (docs/sources.md, "Layouts"); growth is not a replacement,
		// so they are read as they are now.
		etag := azcore.ETag(`"` + o.ETag + `"`)
		opts = &blob.DownloadStreamOptions{AccessConditions: &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: &etag}}}
	}
	resp, err := s.client.NewBlobClient(o.Key).DownloadStream(ctx, opts)
	if err != nil {
		cancel()
		return nil, wrapErr("download", s.URI(o.Key), err)
	}
	rr := resp.NewRetryReader(ctx, &blob.RetryReaderOptions{MaxRetries: 3})
	return &body{ReadCloser: rr, cancel: cancel, uri: s.URI(o.Key)}, nil
}

// body ends its download's timeout when closed, and names the blob in
// read errors with credentials removed.
type body struct {
	io.ReadCloser
	cancel context.CancelFunc
	uri    string
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = wrapErr("read", b.uri, err)
	}
	return n, err
}

func (b *body) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	if err != nil {
		return wrapErr("close", b.uri, err)
	}
	return nil
}

// IsNotExist implements sources.Source.
func (s *Source) IsNotExist(err error) bool { return IsNotExist(err) }

// IsPermanent implements sources.Source.
func (s *Source) IsPermanent(err error) bool { return IsPermanent(err) }

// Properties implements sources.Source.
func (s *Source) Properties() sources.Properties {
	return sources.Properties{Connections: s.conns}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// String keeps fmt from printing the client and its credential.
func (s *Source) String() string { return fmt.Sprintf("azblob.Source(%s)", s.Location()) }
