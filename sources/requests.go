package sources

import "sync/atomic"

// RequestStats counts the requests a backend made to its store.
type RequestStats struct {
	ListRequests     int64 // listing pages fetched by List
	ListDirsRequests int64 // listing pages (delimiter "/") fetched by ListDirs
	GetRequests      int64 // object reads started (Open and Store.Get)
}

// Requests counts a backend's requests as they start; its methods are
// safe for concurrent use, and Stats may be read while requests run.
// The zero value is ready to use.
type Requests struct {
	list, listDirs, get atomic.Int64
}

// AddList counts one page fetched by List.
func (r *Requests) AddList() { r.list.Add(1) }

// AddListDirs counts one page fetched by ListDirs.
func (r *Requests) AddListDirs() { r.listDirs.Add(1) }

// AddGet counts one object read started.
func (r *Requests) AddGet() { r.get.Add(1) }

// Stats returns the counts so far.
func (r *Requests) Stats() RequestStats {
	return RequestStats{
		ListRequests:     r.list.Load(),
		ListDirsRequests: r.listDirs.Load(),
		GetRequests:      r.get.Load(),
	}
}
