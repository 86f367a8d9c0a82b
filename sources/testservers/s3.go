package testservers

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"
)

// S3Server is a running versitygw with a POSIX backend in a temp dir.
type S3Server struct {
	Endpoint  string // "http://127.0.0.1:PORT"
	Region    string
	AccessKey string
	SecretKey string
	Dir       string // the backend directory; one sub-directory per bucket

	proc       *process
	clientOnce sync.Once
	client     *s3.Client
}

// StartS3 starts a versitygw for t and stops it when t ends.
func StartS3(t testing.TB) *S3Server {
	t.Helper()
	srv, err := startS3(t)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop)
	return srv
}

func startS3(t testing.TB) (*S3Server, error) {
	bin := versitygwPath()
	need(t, "versitygw", bin)
	srv, p, dir, err := start(func(port int, dir string) (*process, *S3Server, error) {
		srv := &S3Server{
			Endpoint:  "http://127.0.0.1:" + strconv.Itoa(port),
			Region:    "us-east-1",
			AccessKey: "RETROHUNTTESTKEY",
			SecretKey: "retrohunt-test-secret-key",
			Dir:       dir,
		}
		p, err := startProcess(bin,
			"--access", srv.AccessKey, "--secret", srv.SecretKey,
			"--region", srv.Region,
			"--port", "127.0.0.1:"+strconv.Itoa(port),
			"--quiet", "--keep-alive",
			"posix", dir)
		return p, srv, err
	}, func(ctx context.Context, srv *S3Server) error {
		_, err := srv.Client().ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot start versitygw: %w", err)
	}
	srv.proc = p
	srv.Dir = dir
	return srv, nil
}

func (s *S3Server) stop() {
	s.proc.stop()
	os.RemoveAll(s.Dir)
}

// Credentials are the gateway's root credentials.
func (s *S3Server) Credentials() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, "")
}

// Client is a plain SDK client for setting up fixtures.
func (s *S3Server) Client() *s3.Client {
	s.clientOnce.Do(func() { s.client = s.newClient() })
	return s.client
}

func (s *S3Server) newClient() *s3.Client {
	return s3.New(s3.Options{
		Region:       s.Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  s.Credentials(),
		// The fixtures are tiny; one attempt keeps health polling fast.
		RetryMaxAttempts: 1,
	})
}

var bucketSeq atomic.Int64

// NewBucket creates a bucket with a fresh name and returns the name.
func (s *S3Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("rh-%d-%d", time.Now().UnixNano()%1e9, bucketSeq.Add(1))
	s.CreateBucket(t, name)
	return name
}

// CreateBucket creates the named bucket.
func (s *S3Server) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if _, err := s.Client().CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

// Put uploads one object through the SDK, so that its ETag is the
// server's own.
func (s *S3Server) Put(ctx context.Context, bucket, key string, body []byte) error {
	_, err := s.Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket),
		Key:    aws.String(key),
		Body:   bytes.NewReader(body),
	})
	if err != nil {
		return fmt.Errorf("PutObject %s/%s: %w", bucket, key, err)
	}
	return nil
}

// UploadDir uploads every file below dir, keyed by its slash-separated
// path relative to dir.
func (s *S3Server) UploadDir(t testing.TB, bucket, dir string) {
	t.Helper()
	if err := uploadDir(dir, func(ctx context.Context, key string, body []byte) error {
		return s.Put(ctx, bucket, key, body)
	}); err != nil {
		t.Fatal(err)
	}
}

// uploadDir walks dir and uploads its files with a few in parallel.
func uploadDir(dir string, put func(ctx context.Context, key string, body []byte) error) error {
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(8)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		g.Go(func() error {
			body, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return put(ctx, key, body)
		})
		return nil
	})
	if werr := g.Wait(); err == nil {
		err = werr
	}
	return err
}
