package scan

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/retrohunt/retrohunt/sources"
)

// download reads a whole object into buf, starting over when the body
// breaks off (a reset connection, a truncated response, a timeout): the
// SDKs retry requests, not bodies read half-way. A permanent error (a
// missing or replaced object, access denied) is not retried. Only
// buffered objects are retried this way; a streamed object's records
// were already handed on when its body breaks, so it is reported instead.
func download(ctx context.Context, j job, buf *bytes.Buffer, attempts int) error {
	var err error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			select {
			case <-time.After(retryDelay(i)):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		buf.Reset()
		// Room for the listed size up front: ReadFrom then reads the
		// object without growing (and zeroing) the buffer step by step.
		buf.Grow(int(j.obj.Size) + bytes.MinRead)
		err = sources.WithObject(ctx, j.src, j.obj, func(r io.Reader) error {
			_, err := buf.ReadFrom(r)
			return err
		})
		if err == nil || ctx.Err() != nil || j.src.IsPermanent(err) {
			break
		}
		if j.obj.Size > 0 && int64(buf.Len()) > j.obj.Size {
			break // longer than listed: not a transient fault
		}
	}
	if err != nil && attempts > 1 && !j.src.IsPermanent(err) {
		return fmt.Errorf("download (%d attempts): %w", attempts, err)
	}
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	return nil
}

// retryDelay backs off 200 ms, 400 ms, 800 ms … up to 5 s.
func retryDelay(i int) time.Duration {
	d := 100 * time.Millisecond << i
	if d > 5*time.Second {
		d = 5 * time.Second
	}
	return d
}
