package main

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"time"

	"github.com/retrohunt/retrohunt/scan"
	"github.com/retrohunt/retrohunt/sources/open"
)

// sourceFlags configure where archives are read from.
type sourceFlags struct {
	endpoint    string
	pathStyle   bool
	region      string
	profile     string
	sas         string
	maxAttempts int
	getTimeout  time.Duration
}

func (f *sourceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.endpoint, "endpoint", "", "S3-compatible endpoint `URL` for s3:// archives, or a blob service URL for azblob:// archives")
	fs.BoolVar(&f.pathStyle, "path-style", false, "address S3 buckets as endpoint/bucket (most S3-compatible stores)")
	fs.StringVar(&f.region, "region", "", "S3 bucket region (default: discovered from the bucket)")
	fs.StringVar(&f.profile, "profile", "", "AWS shared config profile (default: the SDK's default credential chain)")
	fs.StringVar(&f.sas, "sas", "", "Azure SAS `token` when the URL carries none (never logged; AZURE_STORAGE_SAS_TOKEN keeps it out of ps)")
	fs.IntVar(&f.maxAttempts, "max-attempts", 0, "tries per request for throttling and transient errors (default: the SDK's)")
	fs.DurationVar(&f.getTimeout, "get-timeout", 2*time.Minute, "time limit for one object download, body included")
}

// openTarget turns an ARCHIVE argument into a Source and a prefix.
func openTarget(ctx context.Context, arg string, f *sourceFlags, connections int) (scan.Target, error) {
	src, prefix, err := open.Open(ctx, arg, open.Options{
		Endpoint:    f.endpoint,
		PathStyle:   f.pathStyle,
		Region:      f.region,
		Profile:     f.profile,
		SAS:         f.sas,
		MaxAttempts: f.maxAttempts,
		GetTimeout:  f.getTimeout,
		Connections: connections,
	})
	if err != nil {
		if ctx.Err() != nil {
			return scan.Target{}, ctx.Err()
		}
		err = open.Explained(err)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, open.ErrUnknownScheme) || errors.Is(err, open.ErrBadURL) {
			return scan.Target{}, usageError{err}
		}
		return scan.Target{}, err
	}
	// No retry wrapper: the SDKs retry requests (--max-attempts), and the
	// scan downloads an object again only when its body breaks off.
	return scan.Target{Source: src, Prefix: prefix}, nil
}
