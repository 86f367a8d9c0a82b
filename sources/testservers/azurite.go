package testservers

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
)

// Azurite's well-known development account (public, documented by
// Microsoft; it only ever works against the emulator).
const (
	DevAccount = "devstoreaccount1"
	DevKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// AzureServer is a running Azurite blob service.
type AzureServer struct {
	ServiceURL string // "http://127.0.0.1:PORT/devstoreaccount1"
	Account    string
	Key        string
	Dir        string

	proc       *process
	clientOnce sync.Once
	client     *azblob.Client
}

// StartAzurite starts an Azurite blob service for t and stops it when t
// ends.
func StartAzurite(t testing.TB) *AzureServer {
	t.Helper()
	srv, err := startAzurite(t)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.stop)
	return srv
}

func startAzurite(t testing.TB) (*AzureServer, error) {
	bin := azuritePath()
	need(t, "azurite-blob", bin)
	srv, p, dir, err := start(func(port int, dir string) (*process, *AzureServer, error) {
		srv := &AzureServer{
			ServiceURL: "http://127.0.0.1:" + strconv.Itoa(port) + "/" + DevAccount,
			Account:    DevAccount,
			Key:        DevKey,
			Dir:        dir,
		}
		p, err := startProcess(bin,
			"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port),
			"--location", dir,
			"--skipApiVersionCheck", "--disableTelemetry", "--silent")
		return p, srv, err
	}, func(ctx context.Context, srv *AzureServer) error {
		_, err := srv.Client().ServiceClient().GetProperties(ctx, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cannot start azurite: %w", err)
	}
	srv.proc = p
	srv.Dir = dir
	return srv, nil
}

func (a *AzureServer) stop() {
	a.proc.stop()
	os.RemoveAll(a.Dir)
}

// ConnectionString is the emulator's connection string for the dev
// account.
func (a *AzureServer) ConnectionString() string {
	return "DefaultEndpointsProtocol=http;AccountName=" + a.Account + ";AccountKey=" + a.Key + ";BlobEndpoint=" + a.ServiceURL + ";"
}

// Client is a plain SDK client for setting up fixtures.
func (a *AzureServer) Client() *azblob.Client {
	a.clientOnce.Do(func() { a.client = a.newClient() })
	return a.client
}

func (a *AzureServer) newClient() *azblob.Client {
	cred, err := azblob.NewSharedKeyCredential(a.Account, a.Key)
	if err != nil {
		panic("BUG: the dev key does not parse: " + err.Error())
	}
	c, err := azblob.NewClientWithSharedKeyCredential(a.ServiceURL, cred, &azblob.ClientOptions{
		ClientOptions: policy.ClientOptions{
			Retry:     policy.RetryOptions{MaxRetries: -1},
			Transport: &http.Client{Transport: shortIdle()},
		},
	})
	if err != nil {
		panic("BUG: cannot build an Azurite client: " + err.Error())
	}
	return c
}

// shortIdle is a transport for talking to Azurite. Azurite is a Node
// server: it closes a connection idle for 5 s (Node's keepAliveTimeout).
// A request sent on such a connection as it closes fails with
// "connection reset by peer", and Go does not send a PUT again, so a
// fixture upload after a pause failed at random. The transport drops
// its idle connections well before Node does, rather than retrying,
// which would also hide real errors.
func shortIdle() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.IdleConnTimeout = time.Second
	return tr
}

var containerSeq atomic.Int64

// NewContainer creates a container with a fresh name and returns it.
func (a *AzureServer) NewContainer(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("rh-%d-%d", time.Now().UnixNano()%1e9, containerSeq.Add(1))
	a.CreateContainer(t, name)
	return name
}

// CreateContainer creates the named container.
func (a *AzureServer) CreateContainer(t testing.TB, name string) {
	t.Helper()
	if _, err := a.Client().CreateContainer(context.Background(), name, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		t.Fatalf("CreateContainer %s: %v", name, err)
	}
}

// Put uploads one blob through the SDK. Activity Log hour blobs
// (PT1H.json) are written as append blobs, as Azure Monitor writes them;
// everything else as a block blob.
func (a *AzureServer) Put(ctx context.Context, containerName, key string, body []byte) error {
	c := a.Client()
	if strings.HasSuffix(key, "/PT1H.json") {
		ab := c.ServiceClient().NewContainerClient(containerName).NewAppendBlobClient(key)
		if _, err := ab.Create(ctx, nil); err != nil {
			return fmt.Errorf("create append blob %s/%s: %w", containerName, key, err)
		}
		if len(body) > 0 {
			if _, err := ab.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader(body)), nil); err != nil {
				return fmt.Errorf("append to %s/%s: %w", containerName, key, err)
			}
		}
		return nil
	}
	if _, err := c.UploadBuffer(ctx, containerName, key, body, nil); err != nil {
		return fmt.Errorf("upload %s/%s: %w", containerName, key, err)
	}
	return nil
}

// UploadDir uploads every file below dir, named by its slash-separated
// path relative to dir.
func (a *AzureServer) UploadDir(t testing.TB, containerName, dir string) {
	t.Helper()
	if err := uploadDir(dir, func(ctx context.Context, key string, body []byte) error {
		return a.Put(ctx, containerName, key, body)
	}); err != nil {
		t.Fatal(err)
	}
}

// ContainerSAS returns a read-and-list SAS token for the container,
// valid for an hour, as the query string to append to its URL.
func (a *AzureServer) ContainerSAS(t testing.TB, containerName string) string {
	t.Helper()
	cred, err := azblob.NewSharedKeyCredential(a.Account, a.Key)
	if err != nil {
		t.Fatal(err)
	}
	q, err := sas.BlobSignatureValues{
		Protocol:      sas.ProtocolHTTPSandHTTP,
		StartTime:     time.Now().Add(-time.Minute).UTC(),
		ExpiryTime:    time.Now().Add(time.Hour).UTC(),
		Permissions:   (&sas.ContainerPermissions{Read: true, List: true}).String(),
		ContainerName: containerName,
	}.SignWithSharedKey(cred)
	if err != nil {
		t.Fatal(err)
	}
	return q.Encode()
}
