package scan

import (
	"bytes"
	"context"
	"math/bits"
	"sync"

	"golang.org/x/sync/semaphore"
)

// maxPooled is the largest buffer kept for reuse, so the budget does not
// hoard the buffers of a few huge objects.
const maxPooled = 16 << 20

// minBuffer is the smallest buffer made: a few small objects share one
// size of buffer instead of each growing its own.
const minBuffer = 64 << 10

// budget holds downloaded but not yet decoded bytes against
// Config.BufferBytes, and recycles the buffers that hold them. Bytes and
// buffer are taken together and given back together.
//
// The buffers given back are kept in a free list, not a sync.Pool: a
// pool drops its buffers at every other garbage collection, and a scan
// then made, zeroed and faulted in new ones for the next objects (157
// buffers over the 2,362 objects of the bench corpus, on one worker).
// The free list keeps at most a quarter of the budget's bytes (the
// largest object buffered) and no buffer over maxPooled.
type budget struct {
	total int64
	bytes *semaphore.Weighted

	mu        sync.Mutex
	free      []*bytes.Buffer // given back, for reuse
	freeBytes int64           // their capacities, at most total/4
}

func newBudget(total int64) *budget {
	return &budget{total: total, bytes: semaphore.NewWeighted(total)}
}

// buffers reports whether an object of size bytes is downloaded into a
// buffer. A larger one (over a quarter of the budget) is streamed by its
// worker instead, so one object cannot take the whole budget.
func (b *budget) buffers(size int64) bool { return size > 0 && size <= b.total/4 }

// Acquire waits until size bytes of the budget are free, holds them and
// returns an empty buffer for them, with room for size bytes and the
// read that finds their end (bytes.MinRead more).
func (b *budget) Acquire(ctx context.Context, size int64) (*bytes.Buffer, error) {
	if err := b.bytes.Acquire(ctx, size); err != nil {
		return nil, err
	}
	need := int(size) + bytes.MinRead
	if buf := b.take(need); buf != nil {
		return buf, nil // empty: Release reset it
	}
	return bytes.NewBuffer(make([]byte, 0, bufferCap(need))), nil
}

// bufferCap is the capacity of a new buffer for need bytes: need rounded
// up to an eighth of its power of two (at most 12.5 % more), and at least
// minBuffer, so that a buffer fits the objects of about its size that
// come later.
func bufferCap(need int) int {
	if need <= minBuffer {
		return minBuffer
	}
	step := 1 << (bits.Len(uint(need)) - 4)
	return (need + step - 1) &^ (step - 1)
}

// take removes from the free list the smallest buffer with room for
// need bytes, or else the largest, and returns it (nil: none).
func (b *budget) take(need int) *bytes.Buffer {
	b.mu.Lock()
	defer b.mu.Unlock()
	best := -1
	for i, f := range b.free {
		switch {
		case best < 0:
			best = i
		case f.Cap() >= need && (b.free[best].Cap() < need || f.Cap() < b.free[best].Cap()):
			best = i
		case b.free[best].Cap() < need && f.Cap() > b.free[best].Cap():
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	buf := b.free[best]
	b.free[best] = b.free[len(b.free)-1]
	b.free = b.free[:len(b.free)-1]
	b.freeBytes -= int64(buf.Cap())
	if buf.Cap() < need {
		return nil // none is large enough: the largest makes room
	}
	return buf
}

// Release gives back the size bytes Acquire held and their buffer.
func (b *budget) Release(size int64, buf *bytes.Buffer) {
	b.bytes.Release(size)
	c := int64(buf.Cap())
	if c > maxPooled {
		return
	}
	buf.Reset()
	b.mu.Lock()
	if b.freeBytes+c <= b.total/4 {
		b.free = append(b.free, buf)
		b.freeBytes += c
	}
	b.mu.Unlock()
}
