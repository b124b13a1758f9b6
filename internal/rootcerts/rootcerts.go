// Package rootcerts gives a function's HTTPS clients the system's trusted root certificates
// read from one bundle file, loaded at the first HTTPS request rather than at start.
//
// Go's own loader (crypto/x509, Linux) reads the first bundle file it finds and then every
// file in the certificate directories too. On Debian those directories hold the same roots
// again (the bundle itself and a file per root), so each root is parsed three times before
// the first HTTPS call. The authorizer fetches the key set while it starts, so its cold start
// pays that. AWS does not document how Lambda's image lays out its roots; a user's report
// (golang/go#79018) finds on Amazon Linux 2023 a file per root in /etc/ssl/certs besides the
// bundle /etc/pki/tls/certs/ca-bundle.crt. Wherever no bundle file exists, pool is nil and
// Go's loader runs as before.
//
// The bundle alone holds the same roots wherever the distribution builds it from the same
// sources (update-ca-certificates, update-ca-trust). A root that exists only as a loose file
// in a directory is not trusted here; whoever needs one names it with SSL_CERT_FILE, or sets
// SSL_CERT_DIR, which hands the loading back to Go.
package rootcerts

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
)

// bundleFiles are where Linux distributions keep their bundle, in the order Go's loader
// tries them (crypto/x509 root_linux.go).
var bundleFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // Debian, Ubuntu, Gentoo
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // OpenSUSE
	"/etc/pki/tls/cacert.pem",                           // OpenELEC
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine
}

// pool returns the roots of the first bundle file (SSL_CERT_FILE when set), read once. It
// returns nil, meaning "Go's own system roots", off Linux, when SSL_CERT_DIR is set, and when
// no bundle file gives a certificate.
var pool = sync.OnceValue(func() *x509.CertPool { return load(runtime.GOOS, os.Getenv, bundleFiles) })

func load(goos string, getenv func(string) string, files []string) *x509.CertPool {
	if goos != "linux" || getenv("SSL_CERT_DIR") != "" {
		return nil
	}
	if f := getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		pool := x509.NewCertPool()
		if pool.AppendCertsFromPEM(data) {
			return pool
		}
		return nil // a bundle without a certificate: let Go look further
	}
	return nil
}

// Default is the RoundTripper monban's own HTTP clients use: http.DefaultTransport's settings,
// with pool's roots for HTTPS. http.DefaultTransport itself stays as it is (the Lambda runtime
// client expects it to be an *http.Transport).
var Default = sync.OnceValue(func() http.RoundTripper {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	return newTransport(base.Clone(), pool)
})

// newTransport returns a RoundTripper that sends plain HTTP requests (the Lambda Runtime API)
// through base and HTTPS requests through a copy of base that trusts roots() (called at
// the first HTTPS request). base is used as it is when its TLS configuration names roots
// already or roots() is nil.
func newTransport(base *http.Transport, roots func() *x509.CertPool) http.RoundTripper {
	return &transport{base: base, roots: roots}
}

type transport struct {
	base  *http.Transport
	roots func() *x509.CertPool
	once  sync.Once
	https atomic.Pointer[http.Transport] // set by the first HTTPS request
}

func (t *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" {
		return t.base.RoundTrip(r)
	}
	t.once.Do(func() { t.https.Store(t.forHTTPS()) })
	return t.https.Load().RoundTrip(r)
}

// forHTTPS returns base, or a copy of it that trusts roots().
func (t *transport) forHTTPS() *http.Transport {
	if t.base.TLSClientConfig != nil && t.base.TLSClientConfig.RootCAs != nil {
		return t.base
	}
	pool := t.roots()
	if pool == nil {
		return t.base
	}
	c := t.base.Clone()
	setRoots(c, pool)
	return c
}

func setRoots(t *http.Transport, pool *x509.CertPool) {
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.RootCAs = pool
}

// CloseIdleConnections closes the idle connections of both transports, as http.Client's
// method of that name expects of a RoundTripper.
func (t *transport) CloseIdleConnections() {
	t.base.CloseIdleConnections()
	if h := t.https.Load(); h != nil && h != t.base {
		h.CloseIdleConnections()
	}
}

// Trust makes t trust pool's roots, unless t names roots of its own or pool is nil: a
// transport option for clients that build their transport at their first request (the AWS
// SDK's), so that the roots are loaded then too.
func Trust(t *http.Transport) { trust(t, pool) }

func trust(t *http.Transport, roots func() *x509.CertPool) {
	if t.TLSClientConfig != nil && t.TLSClientConfig.RootCAs != nil {
		return
	}
	if pool := roots(); pool != nil {
		setRoots(t, pool)
	}
}

// Client is an HTTP client as the AWS SDK takes one (aws.HTTPClient).
type Client interface {
	Do(*http.Request) (*http.Response, error)
}

// Lazy returns a Client that sends plain HTTP requests (an emulator) through plain and
// HTTPS requests through the client secure makes, at the first of them: an SDK client's
// transport options (Trust) run when it is configured, which would load the roots at start.
func Lazy(plain Client, secure func() Client) Client {
	return &lazyClient{plain: plain, secure: sync.OnceValue(secure)}
}

type lazyClient struct {
	plain  Client
	secure func() Client
}

func (c *lazyClient) Do(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "https" {
		return c.plain.Do(r)
	}
	return c.secure().Do(r)
}
