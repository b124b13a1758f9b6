package devstack

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// logoutCacheTTL keeps /logout from calling DescribeUserPoolClient on every
// request while still noticing a Bootstrap that changed the URLs.
const logoutCacheTTL = 5 * time.Second

// HostedUIFront returns an http.Handler standing in front of cognito-local's
// hosted UI. It reverse-proxies everything to the emulator and itself answers
// GET /logout?client_id=…&logout_uri=… as Cognito does: 302 to logout_uri when
// it is one of the client's registered LogoutURLs, else 400. cognito-local has
// no /logout, and without it the local stack could not exercise the sign-out
// redirect. (cognito-local keeps no hosted-UI session, so there is nothing to
// end before redirecting.) It also serves /signup, the sign-up page the emulator lacks (see
// signUpPage), through c.
func HostedUIFront(emulatorURL string, c *cip.Client, poolID string) http.Handler {
	target, err := url.Parse(emulatorURL)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "devstack: invalid emulator URL", http.StatusInternalServerError)
		})
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target) // also sets Host to the emulator's
			r.SetXForwarded()
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			slog.Warn("devstack: hosted UI proxy", "path", r.URL.Path, "err", err)
			http.Error(w, "cognito emulator unreachable", http.StatusBadGateway)
		},
	}
	l := &logoutHandler{client: c, poolID: poolID, cache: map[string]logoutEntry{}}
	mux := http.NewServeMux()
	mux.Handle("/logout", l)
	mux.Handle("/signup", newSignUpPage(target, c, poolID))
	mux.Handle("/", proxy)
	return mux
}

type logoutEntry struct {
	urls    []string
	unknown bool // no such client
	at      time.Time
}

type logoutHandler struct {
	client *cip.Client
	poolID string
	mu     sync.Mutex
	cache  map[string]logoutEntry
}

func (h *logoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	clientID, logoutURI := q.Get("client_id"), q.Get("logout_uri")
	if clientID == "" || logoutURI == "" {
		http.Error(w, "client_id and logout_uri are required", http.StatusBadRequest)
		return
	}
	e, err := h.lookup(r, clientID)
	if err != nil {
		slog.Warn("devstack: /logout client lookup", "client_id", clientID, "err", err)
		http.Error(w, "cannot look up client", http.StatusBadGateway)
		return
	}
	if e.unknown {
		http.Error(w, "invalid client_id", http.StatusBadRequest)
		return
	}
	// Exact match, as Cognito requires: no prefix or normalised comparison.
	if !slices.Contains(e.urls, logoutURI) {
		http.Error(w, "logout_uri is not registered for this client", http.StatusBadRequest)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, logoutURI, http.StatusFound)
}

func (h *logoutHandler) lookup(r *http.Request, clientID string) (logoutEntry, error) {
	h.mu.Lock()
	e, ok := h.cache[clientID]
	h.mu.Unlock()
	if ok && time.Since(e.at) < logoutCacheTTL {
		return e, nil
	}
	out, err := h.client.DescribeUserPoolClient(r.Context(), &cip.DescribeUserPoolClientInput{
		UserPoolId: aws.String(h.poolID),
		ClientId:   aws.String(clientID),
	})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		e = logoutEntry{unknown: true, at: time.Now()}
	case err != nil:
		return logoutEntry{}, err
	default:
		e = logoutEntry{urls: out.UserPoolClient.LogoutURLs, at: time.Now()}
	}
	h.mu.Lock()
	if len(h.cache) >= 100 {
		clear(h.cache) // bound memory against made-up client IDs
	}
	h.cache[clientID] = e
	h.mu.Unlock()
	return e, nil
}
