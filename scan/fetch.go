package scan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/retrohunt/retrohunt/sources"
)

// downloader is the network stage: Config.Connections of them take
// listed objects, download those the budget buffers (a larger object
// passes through, for its worker to stream) and hand them to the
// workers. An object that cannot be downloaded is counted and goes to
// the writer as a failed result; only cancellation stops a downloader.
type downloader struct {
	cfg     Config
	budget  *budget
	sum     *Summary
	in      <-chan job
	out     chan<- job
	results chan<- ObjectResult
	reach   *reachability
}

func (d *downloader) run(ctx context.Context) error {
	for j := range d.in {
		if d.budget.buffers(j.obj.Size) {
			buf, err := d.budget.Acquire(ctx, j.obj.Size)
			if err != nil {
				return err
			}
			if err := download(ctx, j, buf, d.cfg.Attempts); err != nil {
				d.budget.Release(j.obj.Size, buf)
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if err := d.failed(ctx, j, err); err != nil {
					return err
				}
				if err := d.reach.failed(err); err != nil {
					return err
				}
				continue
			}
			d.reach.ok()
			j.data = buf
		}
		select {
		case d.out <- j:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// failed counts an object whose download failed and sends its result.
func (d *downloader) failed(ctx context.Context, j job, err error) error {
	uri := j.src.URI(j.obj.Key)
	d.sum.fail(uri, err)
	select {
	case d.results <- ObjectResult{URI: uri, Object: j.obj, Status: ObjectFailed, Reason: err.Error()}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// download reads a whole object into buf, starting over when the body
// breaks off (a reset connection, a truncated response, a timeout): the
// SDKs retry requests, not bodies read half-way. A request the store
// answered with an error is not asked again: the backend's SDK retryer
// has made its --max-attempts tries already, and asking again would
// multiply them. Neither is a permanent error (a missing or replaced
// object, access denied). Only buffered objects are retried this way; a
// streamed object's records were already handed on when its body breaks,
// so it is reported instead.
func download(ctx context.Context, j job, buf *bytes.Buffer, attempts int) error {
	var err error
	tries := 0
	for tries < attempts {
		if tries > 0 {
			if werr := sources.Wait(ctx, tries-1); werr != nil {
				return werr
			}
		}
		tries++
		buf.Reset()
		// Room for the listed size up front: ReadFrom then reads the
		// object without growing (and zeroing) the buffer step by step.
		buf.Grow(int(j.obj.Size) + bytes.MinRead)
		opened := false
		err = sources.WithObject(ctx, j.src, j.obj, func(r io.Reader) error {
			opened = true
			_, err := buf.ReadFrom(r)
			return err
		})
		if err == nil || ctx.Err() != nil || j.src.IsPermanent(err) {
			break
		}
		if !opened && !errors.Is(err, context.DeadlineExceeded) {
			// The store's answer, after the SDK's retries. A GET that
			// ran out of its own timeout is the exception: SDKs do not
			// retry a request whose context ended.
			break
		}
		if j.obj.Size > 0 && int64(buf.Len()) > j.obj.Size {
			break // longer than listed: not a transient fault
		}
	}
	attempts = tries // the error says how many were made
	if err != nil && attempts > 1 && !j.src.IsPermanent(err) {
		return &DownloadError{Attempts: attempts, Err: err}
	}
	if err != nil {
		return &DownloadError{Err: err}
	}
	return nil
}

// ErrStoreUnreachable ends a scan whose store stopped answering: the
// last deadStoreAfter requests, listings and downloads alike, got no
// answer at all (sources.IsUnreachable) and none succeeded in between.
// Without it a dead endpoint made the scan try every remaining object
// in turn, each with all its retries (minutes for a few hundred
// objects). What was finished before is kept; a sweep's next run goes
// on from there.
var ErrStoreUnreachable = errors.New("the store stopped answering")

// deadStoreAfter is how many requests in a row may go unanswered before
// the scan stops. A store that is merely slow or throttling answers
// (with an error status), which resets the count, as does any success.
const deadStoreAfter = 16

// reachability counts requests in a row that got no answer, across the
// lister and the downloaders.
type reachability struct {
	mu    sync.Mutex
	inRow int
}

// ok records a download the store answered successfully. Listings do
// not count: the lister hands on a page of keys it already has one at
// a time, long after the request, so its pace says nothing about the
// store now.
func (r *reachability) ok() {
	r.mu.Lock()
	r.inRow = 0
	r.mu.Unlock()
}

// failed records a failed request and returns a fatal error wrapping
// ErrStoreUnreachable once deadStoreAfter in a row went unanswered.
func (r *reachability) failed(err error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !sources.IsUnreachable(err) {
		r.inRow = 0 // the store answered, if with an error
		return nil
	}
	if r.inRow++; r.inRow < deadStoreAfter {
		return nil
	}
	return fmt.Errorf("%w: %d requests in a row got no answer, the last: %w; stopping the scan rather than trying every remaining object", ErrStoreUnreachable, r.inRow, err)
}
