package azblob_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/sourcetest"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

func TestMain(m *testing.M) { testservers.Main(m) }

// newSource returns a Source for a fresh container on the shared Azurite.
func newSource(t *testing.T, mod func(*azblob.Config)) (*azblob.Source, *testservers.AzureServer, string) {
	t.Helper()
	// The environment must not pick the credential for these tests.
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_KEY", "")
	srv := testservers.SharedAzurite(t)
	c := srv.NewContainer(t)
	cfg := azblob.Config{
		ServiceURL: srv.ServiceURL,
		Container:  c,
		AccountKey: srv.Key,
	}
	if mod != nil {
		mod(&cfg)
	}
	src, err := azblob.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src, srv, c
}

// newEnv is newSource as a conformance environment; it returns the
// container's name too.
func newEnv(t *testing.T) (sourcetest.Env, *azblob.Source, string) {
	src, srv, c := newSource(t, nil)
	return sourcetest.ServerEnv(src, srv, c), src, c
}

func TestConformance(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T) sourcetest.Env {
		env, _, _ := newEnv(t)
		return env
	})
}

// azureTarget returns the configuration and folder RETROHUNT_TEST_AZBLOB_URL
// names (azblob://account/container/prefix/), which the credentials in the
// environment may write to (AZURE_STORAGE_CONNECTION_STRING,
// AZURE_STORAGE_KEY or an Azure AD identity), and a Source for the
// container; it skips t when the variable is unset.
func azureTarget(t *testing.T) (*azblob.Source, azblob.Config, string) {
	t.Helper()
	target := sourcetest.CloudTarget(t, "RETROHUNT_TEST_AZBLOB_URL", "azblob://account/container/prefix/")
	cfg, base, err := azblob.ParseURL(target)
	if err != nil {
		t.Fatal(err)
	}
	src, err := azblob.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return src, cfg, base
}

// TestConformanceAzure runs the suite against a real container when
// RETROHUNT_TEST_AZBLOB_URL is set; it works in a fresh sub-folder and
// deletes it afterwards.
func TestConformanceAzure(t *testing.T) {
	src, cfg, base := azureTarget(t)
	ctx := context.Background()
	client := writeClient(t, cfg)
	sourcetest.Run(t, func(t *testing.T) sourcetest.Env {
		prefix := sourcetest.ScratchFolder(t, src, base, "conformance")
		return sourcetest.Env{
			Source: sourcetest.Prefixed(src, prefix),
			Put: func(key string, body []byte) error {
				_, err := client.NewBlockBlobClient(prefix+key).UploadBuffer(ctx, body, nil)
				return err
			},
			ETags: true,
		}
	})
}

// writeClient builds a container client with the credentials New would
// pick, for uploading the suite's tree.
func writeClient(t *testing.T, cfg azblob.Config) *container.Client {
	t.Helper()
	svc := cfg.ServiceURL
	if svc == "" {
		svc = "https://" + cfg.Account + ".blob.core.windows.net"
	}
	var (
		c   *container.Client
		err error
	)
	switch {
	case os.Getenv("AZURE_STORAGE_CONNECTION_STRING") != "":
		c, err = container.NewClientFromConnectionString(os.Getenv("AZURE_STORAGE_CONNECTION_STRING"), cfg.Container, nil)
	case cfg.SAS != "":
		c, err = container.NewClientWithNoCredential(svc+"/"+cfg.Container+"?"+cfg.SAS, nil)
	case os.Getenv("AZURE_STORAGE_KEY") != "":
		var cred *container.SharedKeyCredential
		if cred, err = container.NewSharedKeyCredential(cfg.Account, os.Getenv("AZURE_STORAGE_KEY")); err == nil {
			c, err = container.NewClientWithSharedKeyCredential(svc+"/"+cfg.Container, cred, nil)
		}
	default:
		var cred *azidentity.DefaultAzureCredential
		if cred, err = azidentity.NewDefaultAzureCredential(nil); err == nil {
			c, err = container.NewClient(svc+"/"+cfg.Container, cred, nil)
		}
	}
	if err != nil {
		t.Fatal(sources.Redact(err.Error()))
	}
	return c
}

func TestStatsAndLocation(t *testing.T) {
	env, src, c := newEnv(t)
	sourcetest.RunStats(t, env, src.Stats)
	if got, want := src.Location(), "azblob://devstoreaccount1/"+c; got != want {
		t.Errorf("Location() = %q, want %q", got, want)
	}
}

// Each credential form reads the same container.
func TestCredentialForms(t *testing.T) {
	_, srv, c := newSource(t, nil)
	ctx := context.Background()
	if err := srv.Put(ctx, c, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	check := func(name string, cfg azblob.Config) {
		t.Helper()
		cfg.Container = c
		src, err := azblob.New(ctx, cfg)
		if err != nil {
			t.Fatalf("%s: New: %v", name, err)
		}
		n := 0
		if err := src.List(ctx, "", func(sources.Object) error { n++; return nil }); err != nil || n != 1 {
			t.Errorf("%s: List: %v, %d objects", name, err, n)
		}
		if strings.Contains(src.Location(), "sig=") || strings.Contains(src.URI("k"), "?") {
			t.Errorf("%s: Location %q / URI %q carry a query", name, src.Location(), src.URI("k"))
		}
	}
	check("connection string", azblob.Config{ConnectionString: srv.ConnectionString()})
	check("SAS", azblob.Config{ServiceURL: srv.ServiceURL, SAS: srv.ContainerSAS(t, c)})
	check("shared key", azblob.Config{ServiceURL: srv.ServiceURL, AccountKey: srv.Key})
	t.Setenv("AZURE_STORAGE_KEY", srv.Key)
	check("AZURE_STORAGE_KEY", azblob.Config{ServiceURL: srv.ServiceURL})
	t.Setenv("AZURE_STORAGE_KEY", "")
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", srv.ConnectionString())
	check("AZURE_STORAGE_CONNECTION_STRING", azblob.Config{Account: "devstoreaccount1"})

	// A connection string for another account must not be used silently.
	if _, err := azblob.New(ctx, azblob.Config{Account: "otheraccount", Container: c}); err == nil || !strings.Contains(err.Error(), "otheraccount") {
		t.Errorf("connection string for another account: %v", err)
	}
}

// Secrets must not leak into any error string.
func TestErrorsNeverCarrySecrets(t *testing.T) {
	_, srv, c := newSource(t, nil)
	ctx := context.Background()
	if err := srv.Put(ctx, c, "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	good := srv.ContainerSAS(t, c)
	q, _ := url.ParseQuery(good)
	sig := q.Get("sig")
	badSAS := strings.Replace(good, url.QueryEscape(sig), url.QueryEscape("AAAA"+sig[4:]), 1)
	badSig, _ := url.ParseQuery(badSAS)
	badKey := "QkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFEQkFE"

	failures := []struct {
		name    string
		cfg     azblob.Config
		secrets []string
		status  int
	}{
		{"bad SAS", azblob.Config{ServiceURL: srv.ServiceURL, SAS: badSAS}, []string{badSig.Get("sig"), url.QueryEscape(badSig.Get("sig"))}, 403},
		{"bad key", azblob.Config{ServiceURL: srv.ServiceURL, AccountKey: badKey}, []string{badKey}, 403},
		{"SAS, closed port", azblob.Config{ServiceURL: "http://127.0.0.1:1/devstoreaccount1", SAS: good}, []string{sig, url.QueryEscape(sig)}, 0},
	}
	for _, f := range failures {
		f.cfg.Container = c
		f.cfg.MaxAttempts = 1
		src, err := azblob.New(ctx, f.cfg)
		if err != nil {
			t.Fatalf("%s: New: %v", f.name, err)
		}
		var errs []error
		errs = append(errs, src.List(ctx, "", func(sources.Object) error { return nil }))
		errs = append(errs, src.ListDirs(ctx, "", func(sources.Entry) error { return nil }))
		_, err = src.Open(ctx, sources.Object{Key: "k"})
		errs = append(errs, err)
		for _, err := range errs {
			if err == nil {
				t.Errorf("%s: request succeeded", f.name)
				continue
			}
			for _, s := range f.secrets {
				if strings.Contains(err.Error(), s) || strings.Contains(sources.Redact(err.Error()), s) {
					t.Errorf("%s: error carries the secret: %s", f.name, err)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("%s: error spans lines: %q", f.name, err)
			}
			if got := azblob.HTTPStatus(err); got != f.status {
				t.Errorf("%s: status %d, want %d (%v)", f.name, got, f.status, err)
			}
			if f.status == 403 && (!src.IsPermanent(err) || src.IsNotExist(err)) {
				t.Errorf("%s: 403 should be permanent and not not-exist: %v", f.name, err)
			}
			if f.status == 0 && src.IsPermanent(err) {
				t.Errorf("%s: a network error is permanent: %v", f.name, err)
			}
		}
	}
}

func TestMissingContainer(t *testing.T) {
	srv := testservers.SharedAzurite(t)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	src, err := azblob.New(context.Background(), azblob.Config{ServiceURL: srv.ServiceURL, AccountKey: srv.Key, Container: "no-such-container", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = src.List(context.Background(), "", func(sources.Object) error { return nil })
	if !src.IsNotExist(err) || !src.IsPermanent(err) || azblob.ErrorCode(err) != "ContainerNotFound" {
		t.Errorf("missing container: %v (code %q)", err, azblob.ErrorCode(err))
	}
	if !strings.Contains(err.Error(), "azblob://devstoreaccount1/no-such-container") {
		t.Errorf("error %q does not name the container", err)
	}
}

// failingCredential stands in for an empty DefaultAzureCredential, which
// must not be exercised here: it would probe the instance metadata
// service, which is not on loopback.
type failingCredential struct{}

func (failingCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	return azcore.AccessToken{}, errors.New("ManagedIdentityCredential: no identity\nAzureCLICredential: az not found")
}

func TestNoCredentials(t *testing.T) {
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	t.Setenv("AZURE_STORAGE_KEY", "")
	_, err := azblob.New(context.Background(), azblob.Config{Account: "acct", Container: "c", Credential: failingCredential{}})
	if !errors.Is(err, azblob.ErrNoCredentials) || !azblob.IsPermanent(err) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("New without credentials: %q; want one line wrapping ErrNoCredentials", err)
	}
}

func TestParseURL(t *testing.T) {
	f := func(raw, account, service, container, prefix, sas string) {
		t.Helper()
		cfg, p, err := azblob.ParseURL(raw)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", raw, err)
		}
		if cfg.Account != account || cfg.ServiceURL != service || cfg.Container != container || p != prefix || cfg.SAS != sas {
			t.Errorf("ParseURL(%q) = %+v, %q", raw, cfg, p)
		}
	}
	f("azblob://acct/insights-activity-logs/resourceId=/SUBSCRIPTIONS/x/", "acct", "", "insights-activity-logs", "resourceId=/SUBSCRIPTIONS/x/", "")
	f("azblob://acct/c", "acct", "", "c", "", "")
	f("https://acct.blob.core.windows.net/c/p/q?sv=1&sig=S", "acct", "https://acct.blob.core.windows.net", "c", "p/q", "sv=1&sig=S")
	f("http://127.0.0.1:10000/devstoreaccount1/c/p", "devstoreaccount1", "http://127.0.0.1:10000/devstoreaccount1", "c", "p", "")
	bad := func(raw string) {
		t.Helper()
		_, _, err := azblob.ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) succeeded", raw)
		} else if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("ParseURL error carries the SAS: %v", err)
		}
	}
	bad("azblob://acct")
	bad("https://example.com/c/p?sig=SECRET")
	bad("https://acct.blob.core.windows.net/?sig=SECRET")
}
