package testservers

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestMain(m *testing.M) { Main(m) }

func TestS3RoundTrip(t *testing.T) {
	srv := SharedS3(t)
	bucket := srv.NewBucket(t)
	ctx := context.Background()
	if err := srv.Put(ctx, bucket, "a/b c.txt", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	out, err := srv.Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("a/b c.txt")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	if string(b) != "hello" || aws.ToString(out.ETag) == "" {
		t.Fatalf("got %q etag %q", b, aws.ToString(out.ETag))
	}
}

func TestAzureRoundTrip(t *testing.T) {
	srv := SharedAzurite(t)
	c := srv.NewContainer(t)
	ctx := context.Background()
	for _, key := range []string{"x/y z.txt", "resourceId=/SUBSCRIPTIONS/S/y=2024/m=01/d=01/h=00/m=00/PT1H.json"} {
		if err := srv.Put(ctx, c, key, []byte("hello\n")); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().DownloadStream(ctx, c, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "hello\n" {
			t.Fatalf("%s: got %q", key, b)
		}
	}
}

// StartS3 gives a test its own server and stops it with the test.
func TestStartS3Private(t *testing.T) {
	var srv *S3Server
	t.Run("own", func(t *testing.T) {
		srv = StartS3(t)
	})
	if srv != nil && !srv.proc.exited() {
		t.Fatal("server still running after its test ended")
	}
}
