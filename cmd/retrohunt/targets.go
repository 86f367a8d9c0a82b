package main

import (
	"context"

	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources/local"
)

// openTarget turns an ARCHIVE argument into a Source and a prefix.
func openTarget(ctx context.Context, arg string) (scan.Target, error) {
	src, err := local.New(arg)
	if err != nil {
		return scan.Target{}, usageError{err}
	}
	return scan.Target{Source: src}, nil
}
