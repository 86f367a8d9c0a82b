package scan

import (
	"bytes"
	"context"
	"sync"

	"golang.org/x/sync/semaphore"
)

// maxPooled is the largest buffer kept for reuse, so the pool does not
// hoard the buffers of a few huge objects.
const maxPooled = 16 << 20

// budget holds downloaded but not yet decoded bytes against
// Config.BufferBytes, and recycles the buffers that hold them. Bytes and
// buffer are taken together and given back together.
type budget struct {
	total int64
	bytes *semaphore.Weighted
	pool  sync.Pool
}

func newBudget(total int64) *budget {
	return &budget{total: total, bytes: semaphore.NewWeighted(total),
		pool: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
}

// buffers reports whether an object of size bytes is downloaded into a
// buffer. A larger one (over a quarter of the budget) is streamed by its
// worker instead, so one object cannot take the whole budget.
func (b *budget) buffers(size int64) bool { return size > 0 && size <= b.total/4 }

// Acquire waits until size bytes of the budget are free, holds them and
// returns an empty buffer for them.
func (b *budget) Acquire(ctx context.Context, size int64) (*bytes.Buffer, error) {
	if err := b.bytes.Acquire(ctx, size); err != nil {
		return nil, err
	}
	buf := b.pool.Get().(*bytes.Buffer)
	buf.Reset()
	return buf, nil
}

// Release gives back the size bytes Acquire held and their buffer.
func (b *budget) Release(size int64, buf *bytes.Buffer) {
	b.bytes.Release(size)
	if buf.Cap() <= maxPooled {
		b.pool.Put(buf)
	}
}
