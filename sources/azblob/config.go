package azblob

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/retrohunt/retrohunt/sources"
)

// Config says which container to read and how to authenticate. Account
// (or ServiceURL) and Container are required.
type Config struct {
	Account   string
	Container string
	// ServiceURL is the blob endpoint; empty means
	// https://<Account>.blob.core.windows.net. Azurite's is
	// http://127.0.0.1:10000/devstoreaccount1.
	ServiceURL string

	// Credentials, first found wins: ConnectionString (else the
	// AZURE_STORAGE_CONNECTION_STRING environment variable); SAS (a
	// container or account SAS token, with or without "?"); AccountKey
	// (else AZURE_STORAGE_KEY) for shared-key signing; Credential; and
	// last azidentity.DefaultAzureCredential (environment, workload
	// identity, managed identity, Azure CLI).
	ConnectionString string
	SAS              string
	AccountKey       string
	Credential       azcore.TokenCredential

	// MaxAttempts is the SDK retry policy's tries per request; 0 means
	// the SDK default (4).
	MaxAttempts int
	// GetTimeout bounds one download, reading the body included; 0
	// means DefaultGetTimeout.
	GetTimeout time.Duration
	// Connections is the parallelism the Source advertises and the
	// idle-connection pool it keeps; 0 means DefaultConnections.
	Connections int
	// HTTPClient replaces the SDK's HTTP client (e.g. to add latency in
	// benchmarks).
	HTTPClient *http.Client
}

const (
	DefaultGetTimeout  = 2 * time.Minute
	DefaultConnections = 64
)

// storageScope is the token scope for Azure Storage data-plane requests.
const storageScope = "https://storage.azure.com/.default"

// New builds a Source for cfg.Container. With a token credential it gets
// a token up front, so a machine without credentials fails here with
// ErrNoCredentials rather than on the first request. It does not check
// that the container exists (see open.Open).
func New(ctx context.Context, cfg Config) (*Source, error) {
	if cfg.Container == "" {
		return nil, errors.New("azblob: no container given")
	}
	if cfg.GetTimeout <= 0 {
		cfg.GetTimeout = DefaultGetTimeout
	}
	if cfg.Connections <= 0 {
		cfg.Connections = DefaultConnections
	}
	if cfg.ConnectionString == "" {
		cfg.ConnectionString = os.Getenv("AZURE_STORAGE_CONNECTION_STRING")
	}
	if cfg.ServiceURL == "" && cfg.Account != "" && cfg.ConnectionString == "" {
		cfg.ServiceURL = "https://" + cfg.Account + ".blob.core.windows.net"
	}
	cfg.ServiceURL = strings.TrimSuffix(cfg.ServiceURL, "/")
	if cfg.Account == "" && cfg.ServiceURL != "" {
		cfg.Account = accountFromServiceURL(cfg.ServiceURL)
	}
	client, account, err := newClient(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &Source{
		client:     client,
		account:    account,
		container:  cfg.Container,
		getTimeout: cfg.GetTimeout,
		conns:      cfg.Connections,
	}, nil
}

// newClient picks the credential and builds the container client; it
// returns the account name the client talks to.
func newClient(ctx context.Context, cfg Config) (*container.Client, string, error) {
	loc := "azblob://" + cfg.Account + "/" + cfg.Container
	opts := clientOptions(cfg)
	switch {
	case cfg.ConnectionString != "":
		account := connStringValue(cfg.ConnectionString, "AccountName")
		if cfg.Account != "" && account != "" && !strings.EqualFold(account, cfg.Account) {
			// Silently reading another account than the one named would
			// be worse than failing.
			return nil, "", fmt.Errorf("the Azure connection string is for account %q, not %q; unset AZURE_STORAGE_CONNECTION_STRING or fix the URL", account, cfg.Account)
		}
		if account == "" {
			account = cfg.Account
		}
		c, err := container.NewClientFromConnectionString(cfg.ConnectionString, cfg.Container, opts)
		if err != nil {
			return nil, "", fmt.Errorf("cannot use the Azure connection string for %s: %s", loc, sources.Redact(err.Error()))
		}
		return c, account, nil
	case cfg.ServiceURL == "":
		return nil, "", errors.New("azblob: no storage account given")
	case cfg.SAS != "":
		c, err := container.NewClientWithNoCredential(cfg.ServiceURL+"/"+url.PathEscape(cfg.Container)+"?"+strings.TrimPrefix(cfg.SAS, "?"), opts)
		if err != nil {
			return nil, "", fmt.Errorf("cannot use the SAS token for %s: %s", loc, sources.Redact(err.Error()))
		}
		return c, cfg.Account, nil
	}
	key := cfg.AccountKey
	if key == "" {
		key = os.Getenv("AZURE_STORAGE_KEY")
	}
	if key != "" {
		cred, err := container.NewSharedKeyCredential(cfg.Account, key)
		if err != nil {
			// The error would quote the key.
			return nil, "", fmt.Errorf("the account key for %s is not valid base64", loc)
		}
		c, err := container.NewClientWithSharedKeyCredential(containerURL(cfg), cred, opts)
		if err != nil {
			return nil, "", fmt.Errorf("cannot build a client for %s: %s", loc, sources.Redact(err.Error()))
		}
		return c, cfg.Account, nil
	}
	cred := cfg.Credential
	if cred == nil {
		dac, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, "", fmt.Errorf("%w for %s: %s", ErrNoCredentials, loc, oneLine(sources.Redact(err.Error())))
		}
		cred = dac
	}
	if _, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{storageScope}}); err != nil {
		return nil, "", &requestError{msg: fmt.Sprintf("%s for %s: %s", ErrNoCredentials, loc, oneLine(sources.Redact(err.Error()))), err: errors.Join(ErrNoCredentials, err)}
	}
	c, err := container.NewClient(containerURL(cfg), cred, opts)
	if err != nil {
		return nil, "", fmt.Errorf("cannot build a client for %s: %s", loc, sources.Redact(err.Error()))
	}
	return c, cfg.Account, nil
}

func containerURL(cfg Config) string {
	return cfg.ServiceURL + "/" + url.PathEscape(cfg.Container)
}

func clientOptions(cfg Config) *container.ClientOptions {
	o := &container.ClientOptions{}
	o.Telemetry.ApplicationID = "retrohunt"
	switch {
	case cfg.MaxAttempts == 1:
		o.Retry.MaxRetries = -1 // azcore: negative means no retries
	case cfg.MaxAttempts > 1:
		o.Retry.MaxRetries = int32(cfg.MaxAttempts - 1)
	}
	if cfg.HTTPClient != nil {
		o.Transport = cfg.HTTPClient
	} else {
		// azcore keeps few idle connections per host; with more
		// requests in flight the rest would reconnect each time.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 2 * cfg.Connections
		t.MaxIdleConnsPerHost = cfg.Connections
		o.Transport = &http.Client{Transport: t}
	}
	if u, err := url.Parse(cfg.ServiceURL); err == nil && u.Scheme == "http" && isLoopback(u.Hostname()) {
		// Azurite speaks plain HTTP; tokens may cross loopback only.
		o.InsecureAllowCredentialWithHTTP = true
	}
	return o
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// accountFromServiceURL reads the account from
// https://<account>.blob.core.windows.net or, for emulators,
// http://127.0.0.1:10000/<account>.
func accountFromServiceURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		return strings.Split(p, "/")[0]
	}
	host := u.Hostname()
	if i := strings.IndexByte(host, '.'); i > 0 {
		return host[:i]
	}
	return ""
}

// connStringValue returns one field of a connection string.
func connStringValue(cs, name string) string {
	for _, kv := range strings.Split(cs, ";") {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
