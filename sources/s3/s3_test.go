package s3_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/s3"
	"github.com/retrohunt/retrohunt/sources/sourcetest"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

func TestMain(m *testing.M) { testservers.Main(m) }

// newSource returns a Source for a fresh bucket on the shared versitygw.
func newSource(t *testing.T, mod func(*s3.Config)) (*s3.Source, *testservers.S3Server, string) {
	t.Helper()
	srv := testservers.SharedS3(t)
	bucket := srv.NewBucket(t)
	cfg := s3.Config{
		Bucket:      bucket,
		Endpoint:    srv.Endpoint,
		PathStyle:   true,
		Credentials: srv.Credentials(),
	}
	if mod != nil {
		mod(&cfg)
	}
	src, err := s3.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src, srv, bucket
}

// newEnv is newSource as a conformance environment; it returns the
// bucket's name too.
func newEnv(t *testing.T) (sourcetest.Env, *s3.Source, string) {
	src, srv, bucket := newSource(t, nil)
	return sourcetest.ServerEnv(src, srv, bucket), src, bucket
}

func TestConformance(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T) sourcetest.Env {
		env, _, _ := newEnv(t)
		return env
	})
}

// awsTarget returns the bucket and folder RETROHUNT_TEST_S3_URL names
// (s3://bucket/prefix/), which the default credential chain may write to,
// and a Source for the bucket; it skips t when the variable is unset.
func awsTarget(t *testing.T) (*s3.Source, string, string) {
	t.Helper()
	target := sourcetest.CloudTarget(t, "RETROHUNT_TEST_S3_URL", "s3://bucket/prefix/")
	bucket, base, _ := strings.Cut(strings.TrimPrefix(target, "s3://"), "/")
	src, err := s3.New(context.Background(), s3.Config{Bucket: bucket})
	if err != nil {
		t.Fatal(err)
	}
	return src, bucket, base
}

// TestConformanceAWS runs the suite against a real bucket when
// RETROHUNT_TEST_S3_URL is set; it works in a fresh sub-folder and
// deletes it afterwards.
func TestConformanceAWS(t *testing.T) {
	src, bucket, base := awsTarget(t)
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(src.Region()))
	if err != nil {
		t.Fatal(err)
	}
	client := awss3.NewFromConfig(cfg)
	sourcetest.Run(t, func(t *testing.T) sourcetest.Env {
		prefix := sourcetest.ScratchFolder(t, src, base, "conformance")
		return sourcetest.Env{
			Source: sourcetest.Prefixed(src, prefix),
			Put: func(key string, body []byte) error {
				_, err := client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + key), Body: bytes.NewReader(body)})
				return err
			},
			ETags: true,
		}
	})
}

func TestStatsAndLocation(t *testing.T) {
	env, src, bucket := newEnv(t)
	sourcetest.RunStats(t, env, src.Stats)
	if got, want := src.Location(), "s3://"+bucket; got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
	if got, want := src.URI("a/1"), "s3://"+bucket+"/a/1"; got != want {
		t.Errorf("URI = %q, want %q", got, want)
	}
	if got := src.Properties().Connections; got != s3.DefaultConnections {
		t.Errorf("Connections = %d, want %d", got, s3.DefaultConnections)
	}
}

// More than one page: the paginator must follow continuation tokens.
func TestListPages(t *testing.T) {
	if testing.Short() {
		t.Skip("uploads 1,005 objects")
	}
	src, srv, bucket := newSource(t, nil)
	ctx := context.Background()
	dir := t.TempDir()
	for i := 0; i < 1005; i++ {
		if i == 0 {
			os.MkdirAll(dir+"/p", 0o755)
		}
		os.WriteFile(fmt.Sprintf("%s/p/%04d", dir, i), []byte{byte(i)}, 0o644)
	}
	srv.UploadDir(t, bucket, dir)
	n := 0
	if err := src.List(ctx, "p/", func(sources.Object) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	if n != 1005 || src.Stats().ListRequests != 2 {
		t.Errorf("listed %d objects in %d requests, want 1005 in 2", n, src.Stats().ListRequests)
	}
}

// stalledBody holds every body read until the request's context ends,
// as a connection that stops sending would: only the per-GET timeout
// can end the read.
type stalledBody struct{ rt http.RoundTripper }

func (s stalledBody) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.rt.RoundTrip(req)
	if err != nil || req.Method != http.MethodGet || req.URL.Query().Has("list-type") {
		return resp, err
	}
	resp.Body = &stalled{ReadCloser: resp.Body, ctx: req.Context()}
	return resp, nil
}

type stalled struct {
	io.ReadCloser
	ctx context.Context
}

func (s *stalled) Read(p []byte) (int, error) {
	<-s.ctx.Done()
	return 0, s.ctx.Err()
}

func TestGetTimeoutCoversBody(t *testing.T) {
	src, srv, bucket := newSource(t, func(c *s3.Config) {
		// Long enough for the headers on a loaded machine; the body
		// never comes.
		c.GetTimeout = time.Second
		c.HTTPClient = &http.Client{Transport: stalledBody{rt: http.DefaultTransport}}
	})
	ctx := context.Background()
	if err := srv.Put(ctx, bucket, "k", []byte("body")); err != nil {
		t.Fatal(err)
	}
	rc, err := src.Open(ctx, sources.Object{Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	read := make(chan error, 1)
	go func() {
		_, err := io.ReadAll(rc)
		read <- err
	}()
	select {
	case err = <-read:
	case <-time.After(time.Minute):
		// Without the timeout the read would never end; a minute is a
		// guard against hanging the suite, not a measurement.
		t.Fatal("GetTimeout does not end a stalled body")
	}
	if err == nil {
		t.Fatal("reading a stalled body succeeded")
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "s3://"+bucket+"/k") {
		t.Errorf("error %q: want a deadline error naming the object", err)
	}
	if src.IsPermanent(err) {
		t.Error("a timed-out GET is permanent; want it retried")
	}
}

func TestErrorsFromServer(t *testing.T) {
	srv := testservers.SharedS3(t)
	ctx := context.Background()
	list := func(cfg s3.Config) error {
		t.Helper()
		src, err := s3.New(ctx, cfg)
		if err != nil {
			return err
		}
		return src.List(ctx, "", func(sources.Object) error { return nil })
	}
	base := s3.Config{Endpoint: srv.Endpoint, PathStyle: true, Credentials: srv.Credentials(), MaxAttempts: 1}

	cfg := base
	cfg.Bucket = "no-such-bucket-here"
	err := list(cfg)
	if err == nil || !s3.IsNotExist(err) || !s3.IsPermanent(err) || s3.ErrorCode(err) != "NoSuchBucket" {
		t.Errorf("missing bucket: err %v (code %q); want NoSuchBucket, not-exist, permanent", err, s3.ErrorCode(err))
	}

	cfg = base
	cfg.Bucket = srv.NewBucket(t)
	cfg.Credentials = credentials.NewStaticCredentialsProvider(srv.AccessKey, "wrong-secret", "")
	err = list(cfg)
	if err == nil || s3.IsNotExist(err) || !s3.IsPermanent(err) || s3.HTTPStatus(err) != 403 {
		t.Errorf("bad secret: err %v (status %d); want a permanent 403", err, s3.HTTPStatus(err))
	}

	cfg = base
	cfg.Bucket = "b"
	cfg.Endpoint = "http://127.0.0.1:1"
	err = list(cfg)
	if err == nil || s3.IsPermanent(err) || s3.HTTPStatus(err) != 0 {
		t.Errorf("closed port: err %v; want a transient error without HTTP status", err)
	}
}

func TestNoCredentials(t *testing.T) {
	// An empty chain: no environment keys, no shared files, no IMDS (which
	// must never be contacted from a test).
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "")
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	_, err := s3.New(context.Background(), s3.Config{Bucket: "b", Endpoint: "http://127.0.0.1:1"})
	if !errors.Is(err, s3.ErrNoCredentials) || !s3.IsPermanent(err) {
		t.Fatalf("New without credentials: %v; want ErrNoCredentials", err)
	}
}
