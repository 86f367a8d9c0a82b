package open_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sources/s3"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// Issue 15 item 10: secrets and URLs.

// TestEndpointPasswordNeverShown: a password in --endpoint's userinfo
// stays out of the "cannot reach" message, for S3 and Azure.
func TestEndpointPasswordNeverShown(t *testing.T) {
	cleanEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AZURE_STORAGE_KEY", "a2V5")
	const pw = "Pa55w0rdXyz"
	for _, arg := range []string{"s3://bucket/AWSLogs/", "azblob://acct/c/p"} {
		ep := "http://user:" + pw + "@127.0.0.1:1"
		if strings.HasPrefix(arg, "azblob") {
			ep += "/acct"
		}
		_, _, err := open.Open(context.Background(), arg, open.Options{Endpoint: ep, PathStyle: true, MaxAttempts: 1, Region: "us-east-1"})
		var e *open.Error
		if !errors.As(err, &e) || e.Kind != open.KindUnreachable {
			t.Fatalf("%s: err = %v, want an unreachable *open.Error", arg, err)
		}
		for _, msg := range []string{err.Error(), open.Explain(err), open.Redact(ep)} {
			if strings.Contains(msg, pw) {
				t.Errorf("%s: the endpoint's password is shown: %s", arg, msg)
			}
		}
		if !strings.Contains(open.Explain(err), "127.0.0.1:1") {
			t.Errorf("%s: the message no longer names the endpoint: %s", arg, open.Explain(err))
		}
	}
}

// TestQueryOnBucketURLIsAUsageError: a query string or a fragment on an
// s3:// or azblob:// URL is no part of a key prefix; Open refuses it
// before any request, with ErrBadURL and without echoing it.
func TestQueryOnBucketURLIsAUsageError(t *testing.T) {
	cleanEnv(t)
	for _, arg := range []string{
		"s3://bucket/AWSLogs/?X-Amz-Signature=SECRET1",
		"s3://bucket?SECRET1",
		"s3://bucket/AWSLogs/#SECRET1",
		"azblob://acct/c/prefix?sv=1&sig=SECRET1",
		"azblob://acct/c/prefix#SECRET1",
	} {
		_, _, err := open.Open(context.Background(), arg, open.Options{Endpoint: "http://127.0.0.1:1", MaxAttempts: 1})
		if !errors.Is(err, open.ErrBadURL) {
			t.Errorf("%s: err = %v, want ErrBadURL", arg, err)
			continue
		}
		if msg := open.Explain(err); strings.Contains(msg, "SECRET1") {
			t.Errorf("%s: the message echoes the query: %s", arg, msg)
		}
	}
}

// TestSASFromEnvironment: AZURE_STORAGE_SAS_TOKEN (the Azure CLI's and
// SDKs' variable) gives the SAS when neither the URL nor --sas does, so
// that it need not be on the command line.
func TestSASFromEnvironment(t *testing.T) {
	srv := testservers.SharedAzurite(t)
	c := srv.NewContainer(t)
	ctx := context.Background()
	key := "resourceId=/SUBSCRIPTIONS/S/y=2024/m=03/d=01/h=00/m=00/PT1H.json"
	if err := srv.Put(ctx, c, key, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	cleanEnv(t)
	sas := srv.ContainerSAS(t, c)
	sig, _ := url.ParseQuery(sas)

	// Without any credential the emulator refuses the listing.
	if _, _, err := open.Open(ctx, srv.ServiceURL+"/"+c+"/resourceId=/", open.Options{MaxAttempts: 1}); err == nil {
		t.Fatal("Azurite listed a container without credentials: the test proves nothing")
	}
	t.Setenv("AZURE_STORAGE_SAS_TOKEN", "?"+sas)
	src, prefix, err := open.Open(ctx, srv.ServiceURL+"/"+c+"/resourceId=/", open.Options{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := src.List(ctx, prefix, func(sources.Object) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("List with the SAS from the environment: %v, %d objects", err, n)
	}
	// A tampered token from the environment is refused without being shown.
	t.Setenv("AZURE_STORAGE_SAS_TOKEN", strings.Replace(sas, "sig=", "sig=AAAA", 1))
	_, _, err = open.Open(ctx, srv.ServiceURL+"/"+c+"/", open.Options{MaxAttempts: 1})
	if err == nil || strings.Contains(open.Explain(err), sig.Get("sig")[:8]) {
		t.Errorf("tampered SAS from the environment: %v", err)
	}
}

// TestIsUnreachableThroughSDKs: the SDKs keep a refused connection in
// their error chains, so sources.IsUnreachable sees it behind an S3 or
// Azure download (issue 15 item 14b); an error the store answered is
// not one.
func TestIsUnreachableThroughSDKs(t *testing.T) {
	cleanEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	ctx := context.Background()
	obj := sources.Object{Key: "AWSLogs/k.json.gz", Size: 1}

	s3src, err := s3.New(ctx, s3.Config{Bucket: "b", Endpoint: closed, PathStyle: true, Region: "us-east-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s3src.Open(ctx, obj)
	if !sources.IsUnreachable(err) {
		t.Errorf("S3 download from a closed port: IsUnreachable(%v) = false", err)
	}
	azsrc, err := azblob.New(ctx, azblob.Config{Account: "devstoreaccount1", Container: "c", ServiceURL: closed + "/devstoreaccount1",
		AccountKey: "a2V5", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = azsrc.Open(ctx, obj)
	if !sources.IsUnreachable(err) {
		t.Errorf("Azure download from a closed port: IsUnreachable(%v) = false", err)
	}

	srv := testservers.SharedS3(t)
	bucket := srv.NewBucket(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	live, err := s3.New(ctx, s3.Config{Bucket: bucket, Endpoint: srv.Endpoint, PathStyle: true, Region: srv.Region, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := live.Open(ctx, obj); err == nil || sources.IsUnreachable(err) {
		t.Errorf("a missing object on a live store: IsUnreachable(%v) = true", err)
	}
}
