package remote

import (
	"context"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Server is a store started for the benchmark on a loopback port.
type Server struct {
	URL string // S3 endpoint, or Azure blob service URL
	cmd *exec.Cmd
	dir string
}

// Stop ends the server's process group and removes its data.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		_ = s.cmd.Wait()
	}
	os.RemoveAll(s.dir)
}

// Root credentials of the benchmark's versitygw, and Azurite's public
// development account.
const (
	S3AccessKey  = "RETROHUNTBENCH"
	S3SecretKey  = "retrohunt-bench-secret"
	AzureAccount = "devstoreaccount1"
	AzureKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// VersityGWPath is $RETROHUNT_VERSITYGW, else versitygw in the Go bin
// directory, where .ci/install-test-servers.sh installs it.
func VersityGWPath() string {
	if p := os.Getenv("RETROHUNT_VERSITYGW"); p != "" {
		return p
	}
	if b := os.Getenv("GOBIN"); b != "" {
		return filepath.Join(b, "versitygw")
	}
	return filepath.Join(filepath.SplitList(build.Default.GOPATH)[0], "bin", "versitygw")
}

// AzuritePath is $RETROHUNT_AZURITE, else the azurite-blob the install
// script puts in <repo>/.cache/azurite (repo: the nearest go.mod above
// the working directory).
func AzuritePath() string {
	if p := os.Getenv("RETROHUNT_AZURITE"); p != "" {
		return p
	}
	dir, _ := os.Getwd()
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, ".cache", "azurite", "node_modules", ".bin", "azurite-blob")
		}
		if filepath.Dir(d) == d {
			return "azurite-blob"
		}
	}
}

// StartVersityGW starts versitygw with a POSIX backend in a temp dir.
func StartVersityGW(ctx context.Context) (*Server, error) {
	return start(ctx, VersityGWPath(), func(port int, dir string) []string {
		return []string{"--access", S3AccessKey, "--secret", S3SecretKey, "--port", "127.0.0.1:" + strconv.Itoa(port),
			"--quiet", "--keep-alive", "posix", dir}
	}, func(port int) string { return "http://127.0.0.1:" + strconv.Itoa(port) })
}

// StartAzurite starts Azurite's blob service with its data in a temp dir.
func StartAzurite(ctx context.Context) (*Server, error) {
	return start(ctx, AzuritePath(), func(port int, dir string) []string {
		return []string{"--blobHost", "127.0.0.1", "--blobPort", strconv.Itoa(port), "--location", dir,
			"--skipApiVersionCheck", "--disableTelemetry", "--silent"}
	}, func(port int) string { return "http://127.0.0.1:" + strconv.Itoa(port) + "/" + AzureAccount })
}

func start(ctx context.Context, bin string, args func(port int, dir string) []string, url func(port int) string) (*Server, error) {
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s not found; run: bash .ci/install-test-servers.sh", bin)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dir, err := os.MkdirTemp("", "retrohunt-bench-")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args(port, dir)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{URL: url(port), cmd: cmd, dir: dir}
	// Any HTTP answer, even 403, means the server is up.
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			return s, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.Stop()
	return nil, fmt.Errorf("%s did not answer on port %d within 30s", bin, port)
}
