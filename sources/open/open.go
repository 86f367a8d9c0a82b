// Package open turns an archive argument — a local path, file://, s3://,
// azblob:// or an https Azure Blob URL — into a Source and a key prefix,
// and explains in one line why one could not be opened.
package open

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sources/s3"
)

// Options configure remote sources; the zero value uses every default.
type Options struct {
	// Endpoint is an S3-compatible endpoint for s3:// URLs, or a blob
	// service URL (e.g. Azurite's http://127.0.0.1:10000/devstoreaccount1)
	// for azblob:// URLs.
	Endpoint string
	// PathStyle addresses S3 buckets as endpoint/bucket.
	PathStyle bool
	// Region is the S3 bucket's region; empty means discover it.
	Region string
	// Profile is the AWS shared config profile.
	Profile string
	// SAS is an Azure SAS token, used when the URL carries none; else
	// the AZURE_STORAGE_SAS_TOKEN environment variable's.
	SAS string
	// MaxAttempts is the SDK retryers' tries per request (0: SDK default).
	MaxAttempts int
	// GetTimeout bounds one object download, body included (0: 2m).
	GetTimeout time.Duration
	// Connections is the parallelism the Source advertises (0: 64).
	Connections int
	// HTTPClient replaces the SDKs' HTTP client (tests, benchmarks).
	HTTPClient *http.Client
}

// ErrUnknownScheme is returned by Open for an archive URL of a scheme it
// does not read (a usage error).
var ErrUnknownScheme = errors.New("unknown archive URL scheme")

// EnvSAS is the environment variable an Azure SAS token is taken from
// when neither the URL nor Options.SAS carries one.
const EnvSAS = "AZURE_STORAGE_SAS_TOKEN"

// ErrBadURL is returned by Open for an archive URL it refuses: a query
// string or fragment on an s3:// or azblob:// URL, which would otherwise
// silently become part of the key prefix (a usage error).
var ErrBadURL = errors.New("bad archive URL")

// Open returns the Source arg names and the key prefix inside it. For
// remote stores it makes one listing request under the prefix first, so
// that a wrong bucket, container, region or credential fails here with an
// *Error that says what to do, rather than half-way through a scan.
//
// The Source is returned bare, so that its Stats method stays reachable;
// callers add sources.Limit as they need (request retries are the SDKs' own).
func Open(ctx context.Context, arg string, o Options) (src sources.Source, prefix string, err error) {
	scheme, _, hasScheme := strings.Cut(arg, "://")
	if !hasScheme {
		scheme = ""
	}
	switch strings.ToLower(scheme) {
	case "s3", "azblob":
		if i := strings.IndexAny(arg, "?#"); i >= 0 {
			// Shown without what follows: a query is where a SAS or a
			// presigned signature would be.
			return nil, "", fmt.Errorf("%w %s%c%s: an %s:// URL is a bucket or container and a key prefix, without query string or fragment (give an Azure SAS token in AZURE_STORAGE_SAS_TOKEN or with --sas)",
				ErrBadURL, sources.Redact(arg[:i]), arg[i], sources.Redacted, strings.ToLower(scheme))
		}
	}
	switch strings.ToLower(scheme) {
	case "", "file":
		src, err := local.New(arg)
		if err != nil {
			return nil, "", err
		}
		return src, "", nil
	case "s3":
		return openS3(ctx, arg, o)
	case "azblob", "https", "http":
		return openAzure(ctx, arg, o)
	}
	return nil, "", fmt.Errorf("%w %q (want a path, file://, s3://, azblob:// or https://<account>.blob.core.windows.net/)", ErrUnknownScheme, scheme)
}

func openS3(ctx context.Context, arg string, o Options) (sources.Source, string, error) {
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(arg[len("s3://"):], "/"), "/")
	if bucket == "" {
		return nil, "", fmt.Errorf("%s names no bucket (want s3://<bucket>/<prefix>)", sources.Redact(arg))
	}
	loc := "s3://" + bucket
	endpoint := o.Endpoint
	src, err := s3.New(ctx, s3.Config{
		Bucket:      bucket,
		Endpoint:    o.Endpoint,
		PathStyle:   o.PathStyle,
		Region:      o.Region,
		Profile:     o.Profile,
		MaxAttempts: o.MaxAttempts,
		GetTimeout:  o.GetTimeout,
		Connections: o.Connections,
		HTTPClient:  o.HTTPClient,
	})
	if err != nil {
		return nil, "", classify(err, loc, endpointOrAWS(endpoint), o.Region)
	}
	if err := probe(ctx, src, prefix); err != nil {
		return nil, "", classify(err, loc, endpointOrAWS(endpoint), src.Region())
	}
	return src, prefix, nil
}

func endpointOrAWS(endpoint string) string {
	if endpoint == "" {
		return "AWS S3"
	}
	return endpoint
}

func openAzure(ctx context.Context, arg string, o Options) (sources.Source, string, error) {
	cfg, prefix, err := azblob.ParseURL(arg)
	if err != nil {
		return nil, "", err
	}
	if o.Endpoint != "" && cfg.ServiceURL == "" {
		cfg.ServiceURL = strings.TrimSuffix(o.Endpoint, "/")
	}
	if cfg.SAS == "" {
		cfg.SAS = strings.TrimPrefix(o.SAS, "?")
	}
	if cfg.SAS == "" {
		// The Azure CLI's and the Storage SDKs' variable: a token here
		// stays out of the process list, unlike --sas.
		cfg.SAS = strings.TrimPrefix(os.Getenv(EnvSAS), "?")
	}
	cfg.MaxAttempts = o.MaxAttempts
	cfg.GetTimeout = o.GetTimeout
	cfg.Connections = o.Connections
	cfg.HTTPClient = o.HTTPClient
	loc := "azblob://" + cfg.Account + "/" + cfg.Container
	endpoint := cfg.ServiceURL
	if endpoint == "" {
		endpoint = "https://" + cfg.Account + ".blob.core.windows.net"
	}
	src, err := azblob.New(ctx, cfg)
	if err != nil {
		return nil, "", classify(err, loc, endpoint, "")
	}
	if err := probe(ctx, src, prefix); err != nil {
		return nil, "", classify(err, loc, endpoint, "")
	}
	return src, prefix, nil
}

var errProbed = errors.New("probed")

// probe makes one cheap listing request in the folder of prefix.
func probe(ctx context.Context, src sources.Source, prefix string) error {
	dir := prefix[:strings.LastIndex(prefix, "/")+1]
	err := src.ListDirs(ctx, dir, func(sources.Entry) error { return errProbed })
	if errors.Is(err, errProbed) {
		return nil
	}
	return err
}
