package testservers

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// process is a server child process in its own process group, so that
// stopping it also stops anything it spawned.
type process struct {
	cmd  *exec.Cmd
	out  *tailBuffer
	done chan struct{}
	once sync.Once
}

func startProcess(bin string, args ...string) (*process, error) {
	cmd := exec.Command(bin, args...)
	out := &tailBuffer{max: 16 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start %s: %w", bin, err)
	}
	p := &process{cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process is gone already.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop terminates the process group: SIGTERM, then SIGKILL after 3s.
func (p *process) stop() {
	p.once.Do(func() {
		pid := p.cmd.Process.Pid
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			_ = syscall.Kill(-pid, syscall.SIGKILL)
			<-p.done
		}
		// Children that ignored SIGTERM while the leader exited.
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	})
}

// freePort returns a loopback port that was free a moment ago. A server
// that loses the race fails its health check and is started again.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitHealthy calls check until it succeeds, the process exits or the
// deadline passes.
func waitHealthy(p *process, timeout time.Duration, check func(context.Context) error) error {
	deadline := time.Now().Add(timeout)
	var err error
	for time.Now().Before(deadline) {
		if p.exited() {
			return fmt.Errorf("server exited during start-up: %s", p.out.String())
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = check(ctx)
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("server not healthy after %v: %w; output: %s", timeout, err, p.out.String())
}

// start runs launch on fresh ports until a server comes up healthy; a
// port taken between freePort and the server's bind costs one retry.
func start[S any](launch func(port int, dir string) (*process, S, error), check func(context.Context, S) error) (S, *process, string, error) {
	var zero S
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return zero, nil, "", err
		}
		dir, err := os.MkdirTemp("", "retrohunt-testserver-")
		if err != nil {
			return zero, nil, "", err
		}
		p, srv, err := launch(port, dir)
		if err != nil {
			os.RemoveAll(dir)
			return zero, nil, "", err
		}
		err = waitHealthy(p, 30*time.Second, func(ctx context.Context) error { return check(ctx, srv) })
		if err == nil {
			return srv, p, dir, nil
		}
		p.stop()
		os.RemoveAll(dir)
		lastErr = err
	}
	return zero, nil, "", lastErr
}

// tailBuffer keeps the last max bytes a server printed, for error
// messages.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
