package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// server is a child process under load: started in its own process group (so a Ctrl-C at
// the terminal reaches the load generator, which stops it in order), with its standard
// input held open (it exits when that closes: the generator died), its first line of
// standard output read as its ready message and the tail of everything else kept for
// failure messages.
type server struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *tail
	ready chan string
	done  chan struct{}
	err   error // set before done closes
	once  sync.Once
}

func startServer(name, dir string, argv ...string) (*server, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.SysProcAttr = sysProcAttr()
	s := &server{name: name, cmd: cmd, out: &tail{max: 16 << 10}, ready: make(chan string, 1), done: make(chan struct{})}
	cmd.Stderr = s.out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if s.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		if sc.Scan() {
			s.ready <- sc.Text()
		}
		io.Copy(s.out, stdout)
		s.err = cmd.Wait()
		close(s.done)
	}()
	return s, nil
}

// waitReady returns the ready line, or fails when the process exits, ctx ends or the
// timeout passes first.
func (s *server) waitReady(ctx context.Context, timeout time.Duration) (string, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case line := <-s.ready:
		return line, nil
	case <-s.done:
		return "", fmt.Errorf("%s exited before it was ready (%v):\n%s", s.name, s.err, s.out)
	case <-ctx.Done():
		return "", ctx.Err()
	case <-t.C:
		return "", fmt.Errorf("%s not ready within %s:\n%s", s.name, timeout, s.out)
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stopGrace is how long a server has to stop its own children and exit after SIGTERM.
const stopGrace = 15 * time.Second

// stop closes the server's standard input and sends it SIGTERM, then SIGKILLs its process
// group if it has not exited in time. Safe to call more than once.
func (s *server) stop() error {
	var err error
	s.once.Do(func() {
		s.stdin.Close()
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.done:
			return
		case <-time.After(stopGrace):
		}
		killGroup(s.cmd.Process)
		select {
		case <-s.done:
			err = fmt.Errorf("%s did not stop on SIGTERM within %s", s.name, stopGrace)
		case <-time.After(5 * time.Second):
			err = fmt.Errorf("%s (pid %d) did not exit after SIGKILL", s.name, s.pid())
		}
	})
	return err
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
