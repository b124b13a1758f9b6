package devstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// Moto is a running moto_server: the stricter of the two emulators for Cognito's error codes
// and challenges (SPEC §9). It serves the user-pool API and the JWKS, but no hosted UI and no
// triggers.
type Moto struct {
	URL  string
	Port int

	cmd      *exec.Cmd
	out      *logSink
	done     chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// MotoIssuer is the issuer moto writes into tokens for poolID: the real Cognito form, while
// the keys are served by moto itself (Moto.JWKSURL).
func MotoIssuer(poolID string) string {
	return "https://cognito-idp.us-east-1.amazonaws.com/" + poolID
}

// JWKSURL is where moto serves poolID's signing keys.
func (m *Moto) JWKSURL(poolID string) string { return m.URL + "/" + poolID + "/.well-known/jwks.json" }

// ErrMotoMissing is wrapped when moto_server is not installed.
var ErrMotoMissing = fmt.Errorf("%w: moto_server is not on PATH", ErrToolMissing)

// StartMoto starts moto_server on a free 127.0.0.1 port, with TOTP enabled for user pools,
// and waits until it answers.
func StartMoto(ctx context.Context, log io.Writer) (*Moto, error) {
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, ErrMotoMissing
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), Port: port, out: &logSink{log: log}, done: make(chan struct{})}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true")
	cmd.Stdout, cmd.Stderr = m.out, m.out
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("devstack: starting moto_server: %w", err)
	}
	m.cmd = cmd
	go func() {
		m.waitErr = cmd.Wait()
		close(m.done)
	}()
	if err := m.waitReady(ctx); err != nil {
		m.Stop()
		return nil, fmt.Errorf("devstack: moto_server on port %d did not come up: %w\n--- moto output (tail) ---\n%s", port, err, m.out.tail())
	}
	return m, nil
}

func (m *Moto) waitReady(ctx context.Context) error {
	deadline := time.NewTimer(startTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	hc := &http.Client{Timeout: time.Second}
	for {
		select {
		case <-m.done:
			return fmt.Errorf("process exited: %v", m.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return errors.New("no answer within " + startTimeout.String())
		case <-tick.C:
			if healthy(ctx, hc, m.URL+"/moto-api/data.json") {
				return nil
			}
		}
	}
}

// Stop ends moto_server; safe to call more than once.
func (m *Moto) Stop() error {
	m.stopOnce.Do(func() {
		select {
		case <-m.done:
			return
		default:
		}
		_ = terminate(m.cmd.Process)
		select {
		case <-m.done:
			return
		case <-time.After(stopGrace):
		}
		_ = kill(m.cmd.Process)
		select {
		case <-m.done:
		case <-time.After(stopGrace):
			m.stopErr = fmt.Errorf("devstack: moto_server (pid %d) did not exit after SIGKILL", m.cmd.Process.Pid)
		}
	})
	return m.stopErr
}
