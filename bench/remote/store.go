package remote

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/sync/errgroup"

	"github.com/retrohunt/retrohunt/sources"
	rhazblob "github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/s3"
)

// Store is a server the benchmark fills and then reads through a Source.
type Store interface {
	Name() string
	// Fill creates the bucket or container and uploads the layout, with
	// no added latency.
	Fill(ctx context.Context, name string, l Layout) error
	// Source reads the bucket or container through client.
	Source(ctx context.Context, name string, conns int, client *http.Client) (sources.Source, error)
}

// S3Store is a versitygw (or any S3 endpoint taking the bench's keys).
type S3Store struct{ Endpoint string }

func (s S3Store) Name() string { return "S3 (versitygw)" }

func (s S3Store) creds() aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(S3AccessKey, S3SecretKey, "")
}

func (s S3Store) Fill(ctx context.Context, bucket string, l Layout) error {
	c := awss3.New(awss3.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.Endpoint), UsePathStyle: true, Credentials: s.creds()})
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return fmt.Errorf("CreateBucket %s: %w", bucket, err)
	}
	return upload(ctx, l, func(ctx context.Context, key string, body []byte) error {
		_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		return err
	})
}

func (s S3Store) Source(ctx context.Context, bucket string, conns int, client *http.Client) (sources.Source, error) {
	return s3.New(ctx, s3.Config{
		Bucket: bucket, Endpoint: s.Endpoint, PathStyle: true, Region: "us-east-1",
		Credentials: s.creds(), Connections: conns, HTTPClient: client,
	})
}

// AzureStore is an Azurite blob service (or any endpoint taking the dev
// account's key).
type AzureStore struct{ ServiceURL string }

func (a AzureStore) Name() string { return "Azure Blob (Azurite)" }

func (a AzureStore) Fill(ctx context.Context, container string, l Layout) error {
	cred, err := azblob.NewSharedKeyCredential(AzureAccount, AzureKey)
	if err != nil {
		return err
	}
	c, err := azblob.NewClientWithSharedKeyCredential(a.ServiceURL, cred, nil)
	if err != nil {
		return err
	}
	if _, err := c.CreateContainer(ctx, container, nil); err != nil {
		return fmt.Errorf("create container %s: %w", container, err)
	}
	return upload(ctx, l, func(ctx context.Context, key string, body []byte) error {
		_, err := c.UploadBuffer(ctx, container, key, body, nil)
		return err
	})
}

func (a AzureStore) Source(ctx context.Context, container string, conns int, client *http.Client) (sources.Source, error) {
	return rhazblob.New(ctx, rhazblob.Config{
		ServiceURL: a.ServiceURL, Container: container, AccountKey: AzureKey,
		Connections: conns, HTTPClient: client,
	})
}

func upload(ctx context.Context, l Layout, put func(ctx context.Context, key string, body []byte) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	err := l.Each(func(key string, body []byte) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		g.Go(func() error {
			if err := put(ctx, key, body); err != nil {
				return fmt.Errorf("upload %s: %w", key, err)
			}
			return nil
		})
		return nil
	})
	if werr := g.Wait(); err == nil {
		err = werr
	}
	return err
}
