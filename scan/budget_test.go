package scan

import (
	"bytes"
	"context"
	"runtime"
	"testing"
)

// TestBudgetKeepsBuffersAcrossGC: a buffer given back is handed out
// again for the next object even after garbage collections (a sync.Pool
// drops its buffers at the second), so a scan does not allocate, zero
// and fault in a new buffer for objects after every GC; one big enough
// for the object is preferred; and a buffer handed out has room for the
// object and the read that finds its end without growing.
func TestBudgetKeepsBuffersAcrossGC(t *testing.T) {
	b := newBudget(64 << 20)
	ctx := context.Background()
	small, err := b.Acquire(ctx, 10<<10)
	if err != nil {
		t.Fatal(err)
	}
	big, err := b.Acquire(ctx, 3<<20)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		buf  *bytes.Buffer
		size int64
	}{{small, 10 << 10}, {big, 3 << 20}} {
		if c.buf.Cap() < int(c.size)+bytes.MinRead {
			t.Errorf("a buffer for %d bytes has room for %d", c.size, c.buf.Cap())
		}
	}
	b.Release(3<<20, big)
	b.Release(10<<10, small)
	runtime.GC()
	runtime.GC()
	got, err := b.Acquire(ctx, 2<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got != big {
		t.Error("a 2 MiB object did not get the 3 MiB buffer given back before two GCs")
	}
	if got.Len() != 0 {
		t.Errorf("the buffer holds %d bytes, want none", got.Len())
	}
	got2, err := b.Acquire(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if got2 != small {
		t.Error("a 1000-byte object did not get the 10 KiB buffer given back")
	}
}

// TestBufferCap: a new buffer has room for what it is made for, at most
// an eighth more (above minBuffer), counted here by brute force.
func TestBufferCap(t *testing.T) {
	for need := 1; need < 40<<20; need += 1 + need/97 {
		c := bufferCap(need)
		if c < need || c < minBuffer || need > minBuffer && float64(c) > float64(need)*1.125 {
			t.Fatalf("bufferCap(%d) = %d", need, c)
		}
	}
}

// TestBudgetFreeBuffersBounded: the buffers kept for reuse hold at most
// a quarter of the budget (the largest object buffered), and none over
// maxPooled, however many are given back.
func TestBudgetFreeBuffersBounded(t *testing.T) {
	b := newBudget(64 << 20)
	ctx := context.Background()
	var bufs []*bytes.Buffer
	for range 16 {
		buf, err := b.Acquire(ctx, 4<<20)
		if err != nil {
			t.Fatal(err)
		}
		bufs = append(bufs, buf)
	}
	for _, buf := range bufs {
		b.Release(4<<20, buf)
	}
	b.mu.Lock()
	free := 0
	for _, f := range b.free {
		free += f.Cap()
	}
	b.mu.Unlock()
	if free > 16<<20 || free == 0 {
		t.Errorf("%d bytes of free buffers kept, want some and at most %d", free, 16<<20)
	}
}
