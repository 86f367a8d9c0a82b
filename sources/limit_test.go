package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/retrohunt/retrohunt/internal/reqgate"
)

// slotsHeld is how many of l's slots are taken.
func slotsHeld(src Source) int { return len(src.(*limited).l.sem) }

func TestLimitHoldsOpenUntilClose(t *testing.T) {
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
	// All slots are taken: a fourth Open can only give up with its
	// context (select has no free slot to choose instead).
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := src.Open(cancelled, Object{Key: "k"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("fourth Open while three bodies are open: %v, want context.Canceled", err)
	}
	bodies[0].Close()
	bodies[0].Close() // a second Close must not free a second slot
	if got := slotsHeld(src); got != 2 {
		t.Fatalf("after closing one body twice, %d slots are held, want 2", got)
	}
	for _, b := range bodies[1:] {
		b.Close()
	}
	if got := slotsHeld(src); got != 0 {
		t.Fatalf("after closing every body, %d slots are held", got)
	}
	if u, ok := src.(interface{ Unwrap() Source }); !ok || u.Unwrap() != Source(f) {
		t.Fatal("Unwrap does not return the wrapped Source")
	}
}

// TestLimiterOneCap drives two Sources through one Limiter with many
// goroutines listing, listing folders and downloading: requests in flight
// never exceed the cap, and they do reach it (the fake holds every
// request until cap of them are in flight at once, so a Limiter that
// serialised requests, or held a slot while fn runs, would never get
// there).
func TestLimiterOneCap(t *testing.T) {
	const slots = 4
	g := reqgate.New(slots)
	defer g.Watch(t)()
	lim := NewLimiter(slots)
	a := lim.Wrap(&fakeSource{keys: []string{"x", "y", "z"}, gate: g})
	b := lim.Wrap(&fakeSource{keys: []string{"x", "y", "z"}, gate: g})
	if a.Properties().Connections != slots {
		t.Fatalf("Properties().Connections = %d, want %d", a.Properties().Connections, slots)
	}
	ctx := context.Background()
	download := func(src Source, key string) error {
		return WithObject(ctx, src, Object{Key: key}, func(r io.Reader) error {
			body, err := io.ReadAll(r)
			if err == nil && string(body) != key {
				err = fmt.Errorf("body %q, want %q", body, key)
			}
			return err
		})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := 0; i < 3*slots; i++ {
		src := a
		if i%2 == 1 {
			src = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch i % 3 {
			case 0:
				errs <- download(src, fmt.Sprint(i))
			case 1:
				// A lister that downloads what it lists, as the
				// scanner's lister feeds its workers.
				errs <- src.List(ctx, fmt.Sprint(i, "/"), func(o Object) error { return download(src, o.Key) })
			case 2:
				errs <- src.ListDirs(ctx, "", func(Entry) error { return nil })
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := g.Max(); got != slots {
		t.Fatalf("at most %d requests in flight, want exactly the cap %d", got, slots)
	}
	if held := slotsHeld(a); held != 0 {
		t.Fatalf("%d slots still held after every request ended", held)
	}
}

// A lister that opens what it lists through the same one-slot Limiter
// must not deadlock: List holds no slot while its fn runs.
func TestLimitListCallbackMayOpen(t *testing.T) {
	src := Limit(&fakeSource{keys: []string{"a", "b", "c"}}, 1)
	n := 0
	err := src.List(context.Background(), "", func(o Object) error {
		n++
		return WithObject(context.Background(), src, o, func(r io.Reader) error {
			_, err := io.ReadAll(r)
			return err
		})
	})
	if err != nil || n != 3 {
		t.Fatalf("List: %v after %d objects, want 3", err, n)
	}
}
