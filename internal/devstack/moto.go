package devstack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
)

// Moto is a running moto_server: the stricter of the two emulators for Cognito's error codes
// and challenges (SPEC §9). It serves the user-pool API and the JWKS, but no hosted UI and no
// triggers.
type Moto struct {
	URL  string
	Port int

	*child
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
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP=true")
	ch, err := startChild("moto_server", cmd, &logSink{log: log})
	if err != nil {
		return nil, err
	}
	m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), Port: port, child: ch}
	err = m.waitReady(ctx, func(ctx context.Context, hc *http.Client) bool {
		return healthy(ctx, hc, m.URL+"/moto-api/data.json")
	})
	if err != nil {
		_ = m.Stop()
		return nil, fmt.Errorf("devstack: moto_server on port %d did not come up: %w\n--- moto output (tail) ---\n%s", port, err, m.out.tail())
	}
	return m, nil
}
