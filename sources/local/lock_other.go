//go:build !unix

package local

import (
	"context"
	"sync"
)

// lockMu stands in for flock where there is none: conditional writes are
// safe between goroutines of one process only.
var lockMu sync.Mutex

func lockDir(ctx context.Context, dir string) (unlock func(), err error) {
	lockMu.Lock()
	return lockMu.Unlock, nil
}
