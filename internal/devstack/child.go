package devstack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"sync"
	"time"
)

// child is an emulator running as a child process in its own process group: started,
// waited for, and stopped the same way whichever emulator it is.
type child struct {
	name     string
	cmd      *exec.Cmd
	out      *logSink
	done     chan struct{} // closed when the process has been reaped
	waitErr  error         // set before done is closed
	stopOnce sync.Once
	stopErr  error
}

// startChild starts cmd with its output going to out.
func startChild(name string, cmd *exec.Cmd, out *logSink) (*child, error) {
	c := &child{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("devstack: starting %s: %w", name, err)
	}
	go func() {
		c.waitErr = cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// waitReady polls ready until it holds, the process exits, ctx ends or startTimeout passes.
func (c *child) waitReady(ctx context.Context, ready func(context.Context, *http.Client) bool) error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	hc := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-c.done:
			return fmt.Errorf("process exited: %v", c.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return errors.New("no healthy answer within " + startTimeout.String())
		case <-tick.C:
			if ready(ctx, hc) {
				return nil
			}
		}
	}
}

// Stop ends the process: SIGTERM to its process group, then SIGKILL if it is still running
// after a few seconds. It is safe to call more than once.
func (c *child) Stop() error {
	c.stopOnce.Do(func() { c.stopErr = c.stop() })
	return c.stopErr
}

func (c *child) stop() error {
	select {
	case <-c.done:
		return nil
	default:
	}
	_ = terminate(c.cmd.Process)
	select {
	case <-c.done:
		return nil
	case <-time.After(stopGrace):
	}
	_ = kill(c.cmd.Process)
	select {
	case <-c.done:
		return nil
	case <-time.After(stopGrace):
		return fmt.Errorf("devstack: %s (pid %d) did not exit after SIGKILL", c.name, c.cmd.Process.Pid)
	}
}

// Output returns the most recent part of the process's output, for failure messages.
func (c *child) Output() string { return c.out.tail() }
