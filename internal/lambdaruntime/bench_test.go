package lambdaruntime

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/monban-auth/monban/bench"
)

// BenchmarkColdStart measures, for each built function, a cold start as a caller sees it:
// from starting the bootstrap process to the answer to its first event (the suite's
// coldStart fixture). It reports that time and its init part (until the function asks for
// its first event) in milliseconds. The process runs from the page cache here; in Lambda,
// fetching the code and creating the sandbox come on top.
func BenchmarkColdStart(b *testing.B) {
	requireLinux(b)
	for _, fn := range discoverFunctions(b) {
		b.Run(fn.name, func(b *testing.B) {
			s, fixtures := suiteFor(b, fn)
			var event []byte
			for _, fx := range fixtures {
				if fx.name == s.coldStart {
					event = fx.event
				}
			}
			coldStarts(b, bootstrap(b, fn), fn.name, s.env(b), event, nil)
		})
	}
}

// BenchmarkColdStartVerified is a cold start to a first verified bearer request: process
// start to the answer allowing an HTTP API request that carries a valid access token, with
// the key set fetched over HTTPS from a local server (its CA generated here and trusted
// through SSL_CERT_FILE, on top of the system's roots, and NODE_EXTRA_CA_CERTS). "monban" is
// the authorizer's bootstrap; "node" is the same job done by a Node authorizer with
// aws-jwt-verify (bench/lambda-bootstrap.mjs), run by the same harness. The token, key set
// and event are the ones make bench shares with its Node measurements
// (MONBAN_BENCH_FIXTURES; fresh ones otherwise). make bench passes a prebuilt bootstrap in
// MONBAN_BENCH_AUTHORIZER, so that no build runs inside its timed rounds.
func BenchmarkColdStartVerified(b *testing.B) {
	requireLinux(b)
	fx := benchFixtures(b)
	root := moduleRoot(b)
	event := bearerEvent(b, root, fx.AccessToken)
	keys := startKeyServer(b, fx)
	env := keys.env(fx)
	check := func(b *testing.B, resp []byte) {
		var r struct {
			IsAuthorized bool              `json:"isAuthorized"`
			Context      map[string]string `json:"context"`
		}
		_ = json.Unmarshal(resp, &r) // exp is a number: Context keeps the strings it can
		if !r.IsAuthorized || r.Context["sub"] != fx.Session.User.Sub {
			b.Fatalf("first response %s; want the fixture user allowed", resp)
		}
	}

	b.Run("monban", func(b *testing.B) {
		bin := os.Getenv("MONBAN_BENCH_AUTHORIZER")
		if bin == "" {
			bin = bootstrap(b, function{name: "authorizer", dir: filepath.Join(root, "functions", "authorizer")})
		}
		e := withEnv(env, map[string]string{"MONBAN_ACCEPTED_CREDENTIALS": "bearer", "SSL_CERT_FILE": keys.bundle})
		coldStarts(b, bin, "authorizer", e, event, func(b *testing.B, resp []byte) { check(b, resp); keys.fetched(b) })
	})
	b.Run("node", func(b *testing.B) {
		node, err := exec.LookPath("node")
		if err != nil {
			b.Skip("node is not installed")
		}
		if _, err := os.Stat(filepath.Join(root, "local", "node_modules", "aws-jwt-verify")); err != nil {
			b.Skip("aws-jwt-verify is not installed: make deps")
		}
		// A shell script that execs node, as the bootstrap of Lambda's own Node runtime is.
		bin := filepath.Join(b.TempDir(), "node-authorizer", "bootstrap")
		script := "#!/bin/sh\nexec '" + node + "' '" + filepath.Join(root, "bench", "lambda-bootstrap.mjs") + "'\n"
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
			b.Fatal(err)
		}
		e := withEnv(env, map[string]string{"NODE_EXTRA_CA_CERTS": keys.ca})
		coldStarts(b, bin, "node-authorizer", e, event, func(b *testing.B, resp []byte) { check(b, resp); keys.fetched(b) })
	})
}

// coldStarts starts bin b.N times, sends event to each process as its first and only event,
// and reports the mean time from start to answer, and to the end of init (the first request
// for an event), in milliseconds, and the CPU time the process used, which a busy machine
// changes less than the elapsed time: the process is idle, waiting for its next event, from
// its answer until it is stopped. check, when set, judges each answer (outside the timing).
func coldStarts(b *testing.B, bin, name string, env map[string]string, event []byte, check func(*testing.B, []byte)) {
	var initTotal, firstTotal, cpuTotal time.Duration
	b.ResetTimer()
	for range b.N {
		ctx, cancel := context.WithTimeout(b.Context(), 30*time.Second)
		start := time.Now()
		f, err := Start(ctx, Options{Bootstrap: bin, Name: name, Env: env})
		if err != nil {
			cancel()
			b.Fatal(err)
		}
		initDone := time.Since(start)
		resp, fnErr, err := f.Invoke(ctx, event)
		first := time.Since(start)
		b.StopTimer()
		cancel()
		if stopErr := f.Stop(); stopErr != nil {
			b.Fatal(stopErr)
		}
		if ps := f.cmd.ProcessState; ps != nil { // set once Stop has reaped the process
			cpuTotal += ps.UserTime() + ps.SystemTime()
		}
		if err != nil || fnErr != nil {
			b.Fatalf("first invocation: %v %v\nstderr:\n%s", err, fnErr, f.Stderr())
		}
		if check != nil {
			check(b, resp)
		}
		initTotal += initDone
		firstTotal += first
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(firstTotal.Microseconds())/1000/n, "ms-to-first-response")
	b.ReportMetric(float64(initTotal.Microseconds())/1000/n, "ms-init")
	b.ReportMetric(float64(cpuTotal.Microseconds())/1000/n, "ms-cpu")
}

// benchFixtures reads the fixtures make bench shares with Node, or makes fresh ones.
func benchFixtures(b testing.TB) *bench.Fixtures {
	b.Helper()
	var f *bench.Fixtures
	var err error
	if path := os.Getenv("MONBAN_BENCH_FIXTURES"); path != "" {
		f, err = bench.Load(path)
	} else {
		f, err = bench.Generate()
	}
	if err != nil {
		b.Fatal(err)
	}
	return f
}

// bearerEvent is the authorizer's HTTP API payload 2.0 test event (the one its own
// benchmarks and make bench's Node authorizer read) carrying token as a bearer token.
func bearerEvent(b testing.TB, root, token string) []byte {
	b.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "internal", "authorizer", "testdata", "http-api-v2.json"))
	if err != nil {
		b.Fatal(err)
	}
	s := strings.ReplaceAll(string(raw), "AUTHORIZATION_HEADER", "Bearer "+token)
	return []byte(strings.ReplaceAll(s, "SESSION_COOKIES", ""))
}

// keyServer serves the fixtures' JWKS over HTTPS on 127.0.0.1.
type keyServer struct {
	url    string // of the JWKS
	ca     string // PEM file of the CA alone (NODE_EXTRA_CA_CERTS adds to Node's roots)
	bundle string // PEM file of the system's roots and the CA (SSL_CERT_FILE replaces Go's)
	hits   atomic.Int64
	seen   int64
}

// fetched fails unless the key set was fetched since the last call: a cold start that did
// not fetch it would not be the one measured.
func (k *keyServer) fetched(b testing.TB) {
	b.Helper()
	n := k.hits.Load()
	if n == k.seen {
		b.Fatal("the key set was not fetched over HTTPS")
	}
	k.seen = n
}

// env is what an authorizer (monban's or Node's) needs to verify the fixtures' tokens with
// this server's key set.
func (k *keyServer) env(fx *bench.Fixtures) map[string]string {
	return map[string]string{
		"MONBAN_USER_POOL_ID": fx.UserPoolID,
		"MONBAN_CLIENT_ID":    fx.ClientID,
		"MONBAN_ISSUER":       fx.Issuer,
		"MONBAN_JWKS_URL":     k.url,
	}
}

// bundleWithoutCA is a PEM file of the system's roots alone.
func (k *keyServer) bundleWithoutCA(tb testing.TB) string {
	tb.Helper()
	data, err := os.ReadFile(k.bundle)
	if err != nil {
		tb.Fatal(err)
	}
	ca, err := os.ReadFile(k.ca)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "system.pem")
	if err := os.WriteFile(path, bytes.TrimSuffix(data, ca), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}

// startKeyServer generates a CA and a certificate for 127.0.0.1 that it signs, and serves
// the JWKS with them until the benchmark ends.
func startKeyServer(b testing.TB, fx *bench.Fixtures) *keyServer {
	b.Helper()
	dir := b.TempDir()
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		return k
	}
	caKey, leafKey := newKey(), newKey()
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "monban bench CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		b.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		b.Fatal(err)
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:   now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		b.Fatal(err)
	}

	k := &keyServer{ca: filepath.Join(dir, "ca.pem"), bundle: filepath.Join(dir, "bundle.pem")}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	// monban reads its roots from SSL_CERT_FILE alone when it is set (package rootcerts): give
	// it the system's roots too, so that it parses a whole system bundle, as it would wherever
	// the image has one (Lambda's layout is not documented).
	var system []byte
	for _, f := range []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"} {
		if system, err = os.ReadFile(f); err == nil {
			break
		}
	}
	if err := os.WriteFile(k.ca, caPEM, 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(k.bundle, append(append(system, '\n'), caPEM...), 0o600); err != nil {
		b.Fatal(err)
	}

	path := "/" + fx.UserPoolID + "/.well-known/jwks.json"
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		k.hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fx.JWKS)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}}}
	srv.StartTLS()
	b.Cleanup(srv.Close)
	k.url = srv.URL + path
	return k
}
