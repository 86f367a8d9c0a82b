package open_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/local"
	"github.com/retrohunt/retrohunt/sources/open"
	"github.com/retrohunt/retrohunt/sources/s3"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

func TestMain(m *testing.M) { testservers.Main(m) }

// cleanEnv leaves only the credentials a test sets itself, and keeps the
// AWS chain away from the instance metadata service.
func cleanEnv(t *testing.T) {
	for _, k := range []string{
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN",
	} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func s3Env(t *testing.T, srv *testservers.S3Server, secret string) {
	cleanEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
}

func TestLocal(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("x"), 0o644)
	for _, arg := range []string{dir, "file://" + dir} {
		src, prefix, err := open.Open(context.Background(), arg, open.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := src.(*local.Source); !ok || prefix != "" {
			t.Errorf("Open(%q) = %T, %q", arg, src, prefix)
		}
	}
}

func TestUnknownScheme(t *testing.T) {
	_, _, err := open.Open(context.Background(), "gs://bucket/x", open.Options{})
	want := `unknown archive URL scheme "gs" (want a path, file://, s3://, azblob:// or https://<account>.blob.core.windows.net/)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
	_, _, err = open.Open(context.Background(), "https://example.com/c/p?sig=SECRET", open.Options{})
	if err == nil || strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "blob.core.windows.net") {
		t.Errorf("https URL of another host: %v", err)
	}
}

func TestS3(t *testing.T) {
	srv := testservers.SharedS3(t)
	bucket := srv.NewBucket(t)
	ctx := context.Background()
	if err := srv.Put(ctx, bucket, "AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01/f.json.gz", []byte("x")); err != nil {
		t.Fatal(err)
	}
	opts := open.Options{Endpoint: srv.Endpoint, PathStyle: true, MaxAttempts: 1}

	s3Env(t, srv, srv.SecretKey)
	src, prefix, err := open.Open(ctx, "s3://"+bucket+"/AWSLogs/", opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*s3.Source); !ok || prefix != "AWSLogs/" || src.Location() != "s3://"+bucket {
		t.Errorf("Open = %T %q %q", src, src.Location(), prefix)
	}

	f := func(name, arg string, o open.Options, kind open.Kind, words ...string) {
		t.Helper()
		_, _, err := open.Open(ctx, arg, o)
		var e *open.Error
		if !errors.As(err, &e) || e.Kind != kind {
			t.Errorf("%s: err = %v (%T), want an *open.Error of kind %d", name, err, err, kind)
			return
		}
		msg := open.Explain(err)
		if strings.Contains(msg, "\n") {
			t.Errorf("%s: message spans lines: %q", name, msg)
		}
		for _, w := range words {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q lacks %q", name, msg, w)
			}
		}
		t.Logf("%s: %s", name, msg)
	}
	f("missing bucket", "s3://no-such-bucket/AWSLogs/", opts, open.KindNotFound, "no such bucket s3://no-such-bucket", "--endpoint")

	wrong := opts
	wrong.Region = "eu-west-1"
	f("wrong region", "s3://"+bucket+"/", wrong, open.KindWrongRegion, "s3://"+bucket, "--region us-east-1")

	closed := opts
	closed.Endpoint = "http://127.0.0.1:1"
	f("closed port", "s3://"+bucket+"/", closed, open.KindUnreachable, "http://127.0.0.1:1", "s3://"+bucket, "connection refused")

	s3Env(t, srv, "wrong-secret")
	f("bad secret", "s3://"+bucket+"/", opts, open.KindBadCredentials, "credentials rejected by s3://"+bucket)

	cleanEnv(t)
	f("no credentials", "s3://"+bucket+"/", opts, open.KindNoCredentials, "no AWS credentials for s3://"+bucket, "--profile")
}

func TestAzure(t *testing.T) {
	srv := testservers.SharedAzurite(t)
	c := srv.NewContainer(t)
	ctx := context.Background()
	key := "resourceId=/SUBSCRIPTIONS/S/y=2024/m=03/d=01/h=00/m=00/PT1H.json"
	if err := srv.Put(ctx, c, key, []byte("{}\n")); err != nil {
		t.Fatal(err)
	}
	opts := open.Options{Endpoint: srv.ServiceURL, MaxAttempts: 1}

	cleanEnv(t)
	t.Setenv("AZURE_STORAGE_KEY", srv.Key)
	src, prefix, err := open.Open(ctx, "azblob://devstoreaccount1/"+c+"/resourceId=/", opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*azblob.Source); !ok || prefix != "resourceId=/" || src.Location() != "azblob://devstoreaccount1/"+c {
		t.Errorf("Open = %T %q %q", src, src.Location(), prefix)
	}

	// An emulator URL with a SAS in its query.
	cleanEnv(t)
	sas := srv.ContainerSAS(t, c)
	sig, _ := url.ParseQuery(sas)
	src, prefix, err = open.Open(ctx, srv.ServiceURL+"/"+c+"/resourceId=/SUBSCRIPTIONS/?"+sas, open.Options{MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := src.List(ctx, prefix, func(sources.Object) error { n++; return nil }); err != nil || n != 1 {
		t.Errorf("List through a SAS URL: %v, %d objects", err, n)
	}
	if strings.Contains(src.Location()+src.URI(key), sig.Get("sig")) {
		t.Error("Location or URI carries the SAS signature")
	}

	f := func(name, arg string, o open.Options, kind open.Kind, secret string, words ...string) {
		t.Helper()
		_, _, err := open.Open(ctx, arg, o)
		var e *open.Error
		if !errors.As(err, &e) || e.Kind != kind {
			t.Errorf("%s: err = %v (%T), want an *open.Error of kind %d", name, err, err, kind)
			return
		}
		msg := open.Explain(err)
		if secret != "" && (strings.Contains(msg, secret) || strings.Contains(err.Error(), secret) || strings.Contains(msg, url.QueryEscape(secret))) {
			t.Errorf("%s: message carries the secret: %q", name, msg)
		}
		for _, w := range words {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q lacks %q", name, msg, w)
			}
		}
		t.Logf("%s: %s", name, msg)
	}
	t.Setenv("AZURE_STORAGE_KEY", srv.Key)
	f("missing container", "azblob://devstoreaccount1/no-such-container/", opts, open.KindNotFound, "", "no such container azblob://devstoreaccount1/no-such-container")

	badKey := "QkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFE"
	t.Setenv("AZURE_STORAGE_KEY", badKey)
	// Azurite answers a bad signature with AuthorizationFailure (real
	// Azure with AuthenticationFailed), which reads as access denied.
	f("bad key", "azblob://devstoreaccount1/"+c+"/", opts, open.KindAccessDenied, badKey, "access denied to azblob://devstoreaccount1/"+c, "account key")

	cleanEnv(t)
	badSAS := strings.Replace(sas, "sig=", "sig=AAAA", 1)
	f("bad SAS", srv.ServiceURL+"/"+c+"/?"+badSAS, open.Options{MaxAttempts: 1}, open.KindAccessDenied, "AAAA"+sig.Get("sig")[:8], "SAS token")

	f("closed port", "http://127.0.0.1:1/devstoreaccount1/"+c+"/?"+sas, open.Options{MaxAttempts: 1}, open.KindUnreachable, sig.Get("sig"), "cannot reach http://127.0.0.1:1/devstoreaccount1", "connection refused")
}

func TestRedactAndExplain(t *testing.T) {
	in := `GET https://a.blob.core.windows.net/c?comp=list&sig=SECRET: dial tcp: connection refused`
	if got := open.Redact(in); strings.Contains(got, "SECRET") {
		t.Errorf("Redact left the signature: %q", got)
	}
	err := errors.New("list azblob://a/c: GET \"https://a.blob.core.windows.net/c?sv=1&sig=SECRET\"\nfailed")
	if got := open.Explain(err); strings.Contains(got, "SECRET") || strings.Contains(got, "\n") {
		t.Errorf("Explain = %q", got)
	}
	if open.Explain(nil) != "" {
		t.Error("Explain(nil) is not empty")
	}
}
