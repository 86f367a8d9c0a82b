package sources

import (
	"context"
	"time"
)

// Who retries what, once each (docs/sources.md, "Retries"):
//
//   - A request the store answers with an error, or does not answer
//     (throttling, 5xx, a dropped connection before the response): the
//     backend's SDK retryer, --max-attempts tries with the SDK's own
//     backoff. Nothing above it asks again, or the tries would multiply.
//   - A body that breaks off after the response began (a reset
//     connection, a truncated body, the per-GET timeout): the SDKs leave
//     it to the caller. The scanner downloads a buffered object again from
//     the start, --max-attempts times in all, waiting Backoff between
//     tries; a streamed object's records were already handed on, so it is
//     reported instead. (Azure's reader also resumes a broken body with
//     range requests before the scanner sees it.)
//
// Backoff is the one schedule this module waits by.

// Backoff is the wait before retry i (i starts at 0): 200 ms, 400 ms,
// 800 ms … doubling up to 5 s.
func Backoff(i int) time.Duration {
	switch {
	case i < 0:
		i = 0
	case i >= 5: // 200ms<<5 would pass the cap
		return 5 * time.Second
	}
	return 200 * time.Millisecond << i
}

// Wait sleeps Backoff(i), or returns ctx.Err() when ctx ends first.
func Wait(ctx context.Context, i int) error {
	t := time.NewTimer(Backoff(i))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
