package sources

import (
	"sync"
	"testing"
)

// Counts from many goroutines add up, each in its own field.
func TestRequestsCount(t *testing.T) {
	var r Requests
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				r.AddList()
				r.AddGet()
				r.AddGet()
			}
			r.AddListDirs()
		}()
	}
	wg.Wait()
	if got, want := r.Stats(), (RequestStats{ListRequests: 800, ListDirsRequests: 8, GetRequests: 1600}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}
