package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Config says which bucket to read and how to reach it. Only Bucket is
// required.
type Config struct {
	Bucket string
	// Endpoint is the URL of an S3-compatible store (MinIO, versitygw,
	// Ceph); empty means AWS. A missing scheme means https.
	Endpoint string
	// PathStyle addresses the bucket as endpoint/bucket instead of
	// bucket.endpoint; most S3-compatible stores need it.
	PathStyle bool
	// Region is the bucket's region. Empty means: ask AWS where the
	// bucket is; with an Endpoint, the shared config's region or
	// us-east-1.
	Region string
	// Profile selects a shared config profile (~/.aws/config); empty
	// means AWS_PROFILE or "default".
	Profile string
	// Credentials replaces the default credential chain (environment,
	// shared config and profile, SSO, web identity, IMDS); tests and
	// benchmarks pass static keys, aws.AnonymousCredentials{} reads
	// public buckets.
	Credentials aws.CredentialsProvider
	// MaxAttempts is the SDK retryer's attempts per request; 0 means the
	// SDK default (3).
	MaxAttempts int
	// RetryMode is aws.RetryModeStandard (default) or
	// aws.RetryModeAdaptive, which also rate-limits the client when S3
	// throttles.
	RetryMode aws.RetryMode
	// GetTimeout bounds one GET, reading the body included; 0 means
	// DefaultGetTimeout.
	GetTimeout time.Duration
	// Connections is the parallelism the Source advertises and the
	// idle-connection pool it keeps; 0 means DefaultConnections.
	Connections int
	// HTTPClient replaces the SDK's HTTP client, e.g. to add latency in
	// benchmarks; its transport should keep Connections idle connections,
	// and its TLS settings apply as they are (AWS_CA_BUNDLE is not added).
	HTTPClient *http.Client
}

const (
	DefaultGetTimeout  = 2 * time.Minute
	DefaultConnections = 64
)

// ErrNoCredentials is returned (wrapped) by New when the credential chain
// finds nothing to sign with.
var ErrNoCredentials = errors.New("no AWS credentials found")

// New builds a Source for cfg.Bucket. It resolves credentials up front,
// so that a machine without any fails here with ErrNoCredentials rather
// than on the first request, and finds the bucket's region unless told.
// It does not check that the bucket exists or is readable: that needs a
// request the caller may want to make with a prefix (see open.Open).
func New(ctx context.Context, cfg Config) (*Source, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("s3: no bucket given")
	}
	if cfg.GetTimeout <= 0 {
		cfg.GetTimeout = DefaultGetTimeout
	}
	if cfg.Connections <= 0 {
		cfg.Connections = DefaultConnections
	}
	if cfg.Endpoint != "" && !strings.Contains(cfg.Endpoint, "://") {
		cfg.Endpoint = "https://" + cfg.Endpoint
	}
	awsCfg, err := loadConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("cannot load AWS configuration for s3://%s: %w", cfg.Bucket, err)
	}
	if _, err := awsCfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("%w for s3://%s: %w", ErrNoCredentials, cfg.Bucket, err)
	}
	region := cfg.Region
	switch {
	case region != "":
	case cfg.Endpoint != "":
		region = awsCfg.Region
		if region == "" {
			region = "us-east-1"
		}
	default:
		region, err = discoverRegion(ctx, awsCfg, cfg)
		if err != nil {
			return nil, err
		}
	}
	awsCfg.Region = region
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
		// Archives written by CloudTrail carry no checksums; the SDK
		// would log a warning for every GET.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return &Source{
		client:     client,
		bucket:     cfg.Bucket,
		region:     region,
		getTimeout: cfg.GetTimeout,
		conns:      cfg.Connections,
	}, nil
}

func loadConfig(ctx context.Context, cfg Config) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{}
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(cfg.Credentials))
	}
	if cfg.MaxAttempts > 0 {
		opts = append(opts, config.WithRetryMaxAttempts(cfg.MaxAttempts))
	}
	if cfg.RetryMode != "" {
		opts = append(opts, config.WithRetryMode(cfg.RetryMode))
	}
	if cfg.HTTPClient == nil {
		// The SDK keeps 10 idle connections per host; with more requests
		// in flight the rest would reconnect each time.
		n := cfg.Connections
		opts = append(opts, config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = 2 * n
			t.MaxIdleConnsPerHost = n
		})))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err == nil && cfg.HTTPClient != nil {
		// Set after loading: the SDK can add AWS_CA_BUNDLE only to its
		// own client type, and a caller's client brings its own TLS.
		awsCfg.HTTPClient = cfg.HTTPClient
	}
	return awsCfg, err
}

// discoverRegion asks S3 where the bucket lives. HeadBucket answers with
// x-amz-bucket-region on success, on 301 (another region) and on 403,
// so a bucket we may list but not head still gets its region.
func discoverRegion(ctx context.Context, awsCfg aws.Config, cfg Config) (string, error) {
	probe := awsCfg.Region
	if probe == "" {
		probe = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.Region = probe
		o.UsePathStyle = cfg.PathStyle
	})
	out, err := client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(cfg.Bucket)})
	if err == nil {
		if r := aws.ToString(out.BucketRegion); r != "" {
			return r, nil
		}
		return probe, nil
	}
	if r := BucketRegion(err); r != "" {
		return r, nil
	}
	if IsNotExist(err) {
		return "", fmt.Errorf("HeadBucket s3://%s: %w", cfg.Bucket, err)
	}
	if httpStatus(err) == 0 {
		// No answer at all: the endpoint is unreachable.
		return "", fmt.Errorf("cannot find the region of s3://%s: %w", cfg.Bucket, err)
	}
	// Answered without a region: try the probe region and let the
	// first real request explain.
	return probe, nil
}
