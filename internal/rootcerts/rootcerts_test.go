package rootcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// pemOf writes the PEM of certs to a new file and returns its path.
func pemOf(t *testing.T, certs ...*x509.Certificate) string {
	t.Helper()
	var data []byte
	for _, c := range certs {
		data = append(data, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	f := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(f, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// otherServer is a TLS server with a self-signed certificate of its own.
func otherServer(t *testing.T) *httptest.Server {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "other"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	return srv
}

func poolOf(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

func TestLoad(t *testing.T) {
	a := httptest.NewTLSServer(http.NotFoundHandler())
	defer a.Close()
	b := otherServer(t)
	defer b.Close()
	bundleA, bundleAB := pemOf(t, a.Certificate()), pemOf(t, a.Certificate(), b.Certificate())
	empty := filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(empty, []byte("no certificate here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.pem")

	tests := []struct {
		name  string
		goos  string
		env   map[string]string
		files []string
		want  *x509.CertPool // nil: Go's own loader
	}{
		{"the first bundle that exists", "linux", nil, []string{missing, bundleAB, bundleA}, poolOf(a.Certificate(), b.Certificate())},
		{"SSL_CERT_FILE alone", "linux", map[string]string{"SSL_CERT_FILE": bundleA}, []string{bundleAB}, poolOf(a.Certificate())},
		{"SSL_CERT_FILE missing: Go's loader", "linux", map[string]string{"SSL_CERT_FILE": missing}, []string{bundleAB}, nil},
		{"SSL_CERT_DIR: Go's loader", "linux", map[string]string{"SSL_CERT_DIR": t.TempDir()}, []string{bundleAB}, nil},
		{"no bundle: Go's loader", "linux", nil, []string{missing}, nil},
		{"a bundle without a certificate: Go's loader", "linux", nil, []string{empty, bundleA}, nil},
		{"not Linux: Go's loader", "darwin", nil, []string{bundleA}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := load(tc.goos, func(k string) string { return tc.env[k] }, tc.files)
			switch {
			case tc.want == nil && got != nil:
				t.Fatal("got a pool, want nil")
			case tc.want != nil && (got == nil || !got.Equal(tc.want)):
				t.Fatalf("got pool %v, want the bundle's certificates", got)
			}
		})
	}
}

func TestTransport(t *testing.T) {
	trusted := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer trusted.Close()
	other := otherServer(t) // httptest's servers all share one certificate
	defer other.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer plain.Close()

	var calls atomic.Int32
	roots := func(p *x509.CertPool) func() *x509.CertPool {
		return func() *x509.CertPool { calls.Add(1); return p }
	}
	get := func(rt http.RoundTripper, url string) error {
		resp, err := (&http.Client{Transport: rt}).Get(url)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("GET %s: %d", url, resp.StatusCode)
		}
		return nil
	}
	var unknown x509.UnknownAuthorityError

	t.Run("HTTPS trusts the roots, loaded once at the first HTTPS request", func(t *testing.T) {
		calls.Store(0)
		rt := newTransport(&http.Transport{}, roots(poolOf(trusted.Certificate())))
		if err := get(rt, plain.URL); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 0 {
			t.Fatal("a plain HTTP request loaded the roots")
		}
		for range 2 {
			if err := get(rt, trusted.URL); err != nil {
				t.Fatal(err)
			}
		}
		if calls.Load() != 1 {
			t.Fatalf("roots loaded %d times, want 1", calls.Load())
		}
		if err := get(rt, other.URL); !errors.As(err, &unknown) {
			t.Fatalf("a server the roots do not trust: %v, want an unknown authority", err)
		}
		// CloseIdleConnections reaches the HTTPS copy: the next request opens a new connection.
		reused := func() bool {
			t.Helper()
			var r bool
			req, err := http.NewRequest(http.MethodGet, trusted.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				GotConn: func(i httptrace.GotConnInfo) { r = i.Reused },
			}))
			resp, err := (&http.Client{Transport: rt}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return r
		}
		if !reused() {
			t.Fatal("an idle HTTPS connection was not reused")
		}
		rt.(interface{ CloseIdleConnections() }).CloseIdleConnections()
		if reused() {
			t.Fatal("CloseIdleConnections left the idle HTTPS connection open")
		}
	})
	t.Run("no roots: the base transport as it is", func(t *testing.T) {
		calls.Store(0)
		rt := newTransport(&http.Transport{}, roots(nil))
		if err := get(rt, trusted.URL); !errors.As(err, &unknown) {
			t.Fatalf("system roots trusted a test server: %v", err)
		}
		if calls.Load() != 1 {
			t.Fatalf("roots loaded %d times, want 1", calls.Load())
		}
	})
	t.Run("a base that names its roots keeps them", func(t *testing.T) {
		calls.Store(0)
		base := trusted.Client().Transport.(*http.Transport)
		rt := newTransport(base, roots(poolOf(other.Certificate())))
		if err := get(rt, trusted.URL); err != nil {
			t.Fatal(err)
		}
		if calls.Load() != 0 {
			t.Fatal("roots loaded for a base with roots of its own")
		}
	})
}

func TestDefault(t *testing.T) {
	d, ok := Default().(*transport)
	if !ok || d.base == http.DefaultTransport {
		t.Fatalf("Default is %T, want a copy of the default transport wrapped", Default())
	}
	if _, ok := http.DefaultTransport.(*http.Transport); !ok {
		t.Fatal("http.DefaultTransport was replaced")
	}
	if def := http.DefaultTransport.(*http.Transport); d.base.Proxy == nil || d.base.MaxIdleConns != def.MaxIdleConns || d.base.ForceAttemptHTTP2 != def.ForceAttemptHTTP2 {
		t.Fatal("Default's transport lacks http.DefaultTransport's settings")
	}
}

func TestTrust(t *testing.T) {
	mine, theirs := x509.NewCertPool(), poolOf(otherServer(t).Certificate())
	for _, tc := range []struct {
		name  string
		t     *http.Transport
		roots *x509.CertPool
		want  *x509.CertPool
	}{
		{"no TLS configuration", &http.Transport{}, theirs, theirs},
		{"a TLS configuration without roots", &http.Transport{TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12}}, theirs, theirs},
		{"roots of its own", &http.Transport{TLSClientConfig: &tls.Config{RootCAs: mine}}, theirs, mine},
		{"no pool", &http.Transport{}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			min := uint16(0)
			if tc.t.TLSClientConfig != nil {
				min = tc.t.TLSClientConfig.MinVersion
			}
			trust(tc.t, func() *x509.CertPool { return tc.roots })
			var got *x509.CertPool
			if tc.t.TLSClientConfig != nil {
				got = tc.t.TLSClientConfig.RootCAs
				if tc.t.TLSClientConfig.MinVersion != min {
					t.Fatal("the rest of the TLS configuration changed")
				}
			}
			if got != tc.want {
				t.Fatalf("roots %p, want %p", got, tc.want)
			}
		})
	}
}

// countingClient answers 204 to every request and counts them.
type countingClient struct{ n int }

func (c *countingClient) Do(*http.Request) (*http.Response, error) {
	c.n++
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}, nil
}

func TestLazy(t *testing.T) {
	plain, secure := &countingClient{}, &countingClient{}
	made := 0
	c := Lazy(plain, func() Client { made++; return secure })
	do := func(url string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Do(req); err != nil {
			t.Fatal(err)
		}
	}
	do("http://127.0.0.1:9229/")
	if made != 0 || plain.n != 1 {
		t.Fatalf("a plain request: secure made %d times, plain used %d times", made, plain.n)
	}
	do("https://cognito-idp.eu-west-1.amazonaws.com/")
	do("https://cognito-idp.eu-west-1.amazonaws.com/")
	if made != 1 || secure.n != 2 || plain.n != 1 {
		t.Fatalf("two HTTPS requests: secure made %d times and used %d, plain used %d", made, secure.n, plain.n)
	}
}
