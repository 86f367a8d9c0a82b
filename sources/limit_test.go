package sources

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"
)

func TestLimitCapsOpenUntilClose(t *testing.T) {
	f := &fakeSource{conns: 3}
	src := Limit(f, 0)
	if got := src.Properties().Connections; got != 3 {
		t.Fatalf("Properties().Connections = %d, want 3", got)
	}
	ctx := context.Background()
	var bodies []io.ReadCloser
	for i := 0; i < 3; i++ {
		rc, err := src.Open(ctx, Object{Key: "k"})
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, rc)
	}
	// A fourth Open must wait for a Close.
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := src.Open(tctx, Object{Key: "k"}); err == nil {
		t.Fatal("fourth Open succeeded while three bodies were open")
	}
	bodies[0].Close()
	bodies[0].Close() // a second Close must not free a second slot
	rc, err := src.Open(ctx, Object{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	tctx2, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := src.Open(tctx2, Object{Key: "k"}); err == nil {
		t.Fatal("double Close freed two slots")
	}
	rc.Close()
	for _, b := range bodies[1:] {
		b.Close()
	}
	if got := f.maxSeen.Load(); got != 3 {
		t.Fatalf("max in flight = %d, want 3", got)
	}
	if u, ok := src.(interface{ Unwrap() Source }); !ok || u.Unwrap() != Source(f) {
		t.Fatal("Unwrap does not return the wrapped Source")
	}
}

func TestLimitConcurrent(t *testing.T) {
	f := &fakeSource{}
	src := Limit(f, 2)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = WithObject(context.Background(), src, Object{Key: "x"}, func(r io.Reader) error {
				time.Sleep(time.Millisecond)
				_, err := io.ReadAll(r)
				return err
			})
		}()
	}
	wg.Wait()
	if got := f.maxSeen.Load(); got > 2 {
		t.Fatalf("max in flight = %d, want <= 2", got)
	}
}

// A lister that opens what it lists through the same one-slot limiter
// must not deadlock.
func TestLimitListCallbackMayOpen(t *testing.T) {
	f := &fakeSource{keys: []string{"a", "b", "c"}}
	src := Limit(f, 1)
	done := make(chan error, 1)
	go func() {
		done <- src.List(context.Background(), "", func(o Object) error {
			return WithObject(context.Background(), src, o, func(r io.Reader) error {
				_, err := io.ReadAll(r)
				return err
			})
		})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("List with Open in its callback deadlocked")
	}
}
