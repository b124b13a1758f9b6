package devstack

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/web/demo"
)

// writeFiles creates files (name → content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// serve runs one request through h; path is set on the URL as is, uncleaned, as a raw
// request line could carry it.
func serve(h http.Handler, method, path string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "/", nil)
	r.URL.Path = path
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestDirSite(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "site")
	writeFiles(t, dir, map[string]string{
		"index.html":            "home",
		"about/index.html":      "about dir",
		"blog.html":             "blog file",
		"both/index.html":       "both dir",
		"both.html":             "both file",
		"LICENSE":               "license",
		"assets/app.js":         "console.log(1)",
		"docs/guide.html":       "guide",
		"404.html":              "<h1>custom not found</h1>",
		"nested/a/b/c.txt":      "deep",
		"with space/x.html":     "spaced",
		"about/team/index.html": "team",
	})
	writeFiles(t, base, map[string]string{"secret.txt": "SECRET", "site-other/x.html": "SECRET"})
	symlinks := true
	if err := os.Symlink(filepath.Join(base, "secret.txt"), filepath.Join(dir, "out-file")); err != nil {
		symlinks = false
	}
	os.Symlink(base, filepath.Join(dir, "out-dir"))
	os.Symlink("index.html", filepath.Join(dir, "in-link.html"))

	h, err := DirSite(dir)
	if err != nil {
		t.Fatal(err)
	}
	const notFound = "<h1>custom not found</h1>"
	for _, c := range []struct {
		method, path string
		status       int
		body         string // exact, "" for none (HEAD)
		ctype        string // prefix, when checked
		symlink      bool   // needs symbolic links
	}{
		{"GET", "/", 200, "home", "text/html", false},
		{"GET", "/index.html", 200, "home", "text/html", false},
		{"HEAD", "/", 200, "", "text/html", false},
		{"GET", "/about", 200, "about dir", "text/html", false},
		{"GET", "/about/", 200, "about dir", "", false},
		{"GET", "/about/team", 200, "team", "", false},
		{"GET", "/blog", 200, "blog file", "text/html", false},
		{"GET", "/blog.html", 200, "blog file", "", false},
		{"GET", "/blog/", 404, notFound, "text/html", false},
		{"GET", "/both", 200, "both dir", "", false},
		{"GET", "/LICENSE", 200, "license", "", false},
		{"GET", "/assets/app.js", 200, "console.log(1)", "text/javascript", false},
		{"GET", "/with space/x.html", 200, "spaced", "", false},
		{"GET", "/nested/a/b/c.txt", 200, "deep", "text/plain", false},
		// No listing: folders without index.html are missing pages.
		{"GET", "/docs/", 404, notFound, "text/html", false},
		{"GET", "/docs", 404, notFound, "", false},
		{"GET", "/nested/", 404, notFound, "", false},
		{"GET", "/assets", 404, notFound, "", false},
		{"GET", "/missing", 404, notFound, "text/html", false},
		{"GET", "/missing.png", 404, notFound, "", false},
		{"HEAD", "/missing", 404, "", "text/html", false},
		// Never out of the folder, with or without symbolic links.
		{"GET", "/../secret.txt", 404, notFound, "", false},
		{"GET", "/../../secret.txt", 404, notFound, "", false},
		{"GET", "../secret.txt", 404, notFound, "", false},
		{"GET", "/assets/../../secret.txt", 404, notFound, "", false},
		{"GET", "/..", 200, "home", "", false}, // cleaned to "/"
		{"GET", "/../site-other/x.html", 404, notFound, "", false},
		{"GET", "/..\\secret.txt", 404, notFound, "", false},
		{"GET", "/secret.txt\x00", 404, notFound, "", false},
		{"GET", "/out-file", 404, notFound, "", true},
		{"GET", "/out-dir/secret.txt", 404, notFound, "", true},
		{"GET", "/out-dir/", 404, notFound, "", true},
		{"GET", "/in-link.html", 200, "home", "", true}, // a link inside the folder is fine
		// A static host answers reads only.
		{"POST", "/", 405, "method not allowed\n", "", false},
		{"DELETE", "/index.html", 405, "method not allowed\n", "", false},
	} {
		if c.symlink && !symlinks {
			continue
		}
		w := serve(h, c.method, c.path)
		body := w.Body.String()
		if w.Code != c.status || body != c.body {
			t.Errorf("%s %q: %d %q, want %d %q", c.method, c.path, w.Code, body, c.status, c.body)
		}
		if strings.Contains(body, "SECRET") {
			t.Errorf("%s %q: served a file outside the folder", c.method, c.path)
		}
		if ct := w.Header().Get("Content-Type"); c.ctype != "" && !strings.HasPrefix(ct, c.ctype) {
			t.Errorf("%s %q: Content-Type %q, want %s…", c.method, c.path, ct, c.ctype)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
			t.Errorf("%s %q: Cache-Control %q, want no-cache", c.method, c.path, cc)
		}
	}
}

func TestDirSiteEscapesOverHTTP(t *testing.T) {
	// The same attempts as raw request lines through a real server, encoded as a browser
	// or an attacker would send them.
	base := t.TempDir()
	dir := filepath.Join(base, "site")
	writeFiles(t, dir, map[string]string{"index.html": "home"})
	writeFiles(t, base, map[string]string{"secret.txt": "SECRET"})
	h, err := DirSite(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, target := range []string{
		"/../secret.txt",
		"/%2e%2e/secret.txt",
		"/%2E%2E%2Fsecret.txt",
		"/..%2fsecret.txt",
		"/.%2e/.%2e/secret.txt",
		"/assets/%2e%2e/%2e%2e/secret.txt",
		"/..%5csecret.txt",
		"//../secret.txt",
	} {
		status, body := rawGet(t, srv.Listener.Addr().String(), target)
		if strings.Contains(body, "SECRET") || status == http.StatusOK && !strings.Contains(body, "home") {
			t.Errorf("GET %s: %d %q", target, status, body)
		}
	}
}

// rawGet sends one GET with target written as is on the request line.
func rawGet(t *testing.T, addr, target string) (int, string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestDirSiteWithout404Page(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"index.html": "home", "sub/a.html": "a"})
	h, err := DirSite(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/missing", "/sub/", "/sub"} {
		w := serve(h, "GET", p)
		if w.Code != 404 || w.Body.String() != "404 page not found\n" || strings.Contains(w.Body.String(), "a.html") {
			t.Errorf("GET %s: %d %q, want the plain 404", p, w.Code, w.Body.String())
		}
	}
}

func TestDirSiteSeesRebuilds(t *testing.T) {
	// Builds often delete the folder and write it anew: the next request sees the new files.
	dir := filepath.Join(t.TempDir(), "dist")
	writeFiles(t, dir, map[string]string{"index.html": "v1"})
	h, err := DirSite(dir)
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(h, "GET", "/"); w.Body.String() != "v1" {
		t.Fatalf("first build: %q", w.Body.String())
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if w := serve(h, "GET", "/"); w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "SITE_DIR") {
		t.Errorf("while the folder is gone: %d %q, want 503 naming SITE_DIR", w.Code, w.Body.String())
	}
	writeFiles(t, dir, map[string]string{"index.html": "v2"})
	if w := serve(h, "GET", "/"); w.Body.String() != "v2" {
		t.Errorf("after the rebuild: %q, want v2", w.Body.String())
	}
	// Revalidation: unchanged files answer 304.
	w := serve(h, "GET", "/")
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("If-Modified-Since", w.Header().Get("Last-Modified"))
	w2 := httptest.NewRecorder()
	h.ServeHTTP(w2, r)
	if w2.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", w2.Code)
	}
}

func TestSiteHandlerOptions(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "index.html")
	writeFiles(t, dir, map[string]string{"index.html": "x"})
	for _, c := range []struct {
		name string
		o    StackOptions
		err  string // "" for accepted; else a part of the message
	}{
		{"demo", StackOptions{}, ""},
		{"folder", StackOptions{SiteDir: dir}, ""},
		{"relative folder", StackOptions{SiteDir: "."}, ""},
		{"both", StackOptions{SiteDir: dir, SiteProxy: "http://localhost:4321"}, "not both"},
		{"missing folder", StackOptions{SiteDir: filepath.Join(dir, "nope")}, "does not exist"},
		{"file, not folder", StackOptions{SiteDir: file}, "is not a folder"},
		{"localhost", StackOptions{SiteProxy: "http://localhost:4321"}, ""},
		{"localhost slash", StackOptions{SiteProxy: "http://localhost:4321/"}, ""},
		{"LOCALHOST", StackOptions{SiteProxy: "http://LOCALHOST:4321"}, ""},
		{"127.0.0.1", StackOptions{SiteProxy: "http://127.0.0.1:5173"}, ""},
		{"127.1.2.3", StackOptions{SiteProxy: "http://127.1.2.3:5173"}, ""},
		{"::1", StackOptions{SiteProxy: "http://[::1]:3000"}, ""},
		{"https", StackOptions{SiteProxy: "https://localhost:4321"}, ""},
		{"no port", StackOptions{SiteProxy: "http://localhost"}, ""},
		{"other stack port", StackOptions{SiteURL: "http://localhost:8080", SiteProxy: "http://localhost:4321"}, ""},
		{"remote host", StackOptions{SiteProxy: "http://example.com:4321"}, "not on this machine"},
		{"LAN address", StackOptions{SiteProxy: "http://192.168.1.10:4321"}, "not on this machine"},
		{"any address", StackOptions{SiteProxy: "http://0.0.0.0:4321"}, "not on this machine"},
		{"localhost lookalike", StackOptions{SiteProxy: "http://localhost.example.com:4321"}, "not on this machine"},
		{"scheme-less", StackOptions{SiteProxy: "localhost:4321"}, "not an http(s) URL"},
		{"ws scheme", StackOptions{SiteProxy: "ws://localhost:4321"}, "not an http(s) URL"},
		{"file scheme", StackOptions{SiteProxy: "file:///tmp"}, "not an http(s) URL"},
		{"no host", StackOptions{SiteProxy: "http://"}, "not an http(s) URL"},
		{"garbage", StackOptions{SiteProxy: "http://local host:1"}, "not an http(s) URL"},
		{"path", StackOptions{SiteProxy: "http://localhost:4321/app"}, "origin alone"},
		{"query", StackOptions{SiteProxy: "http://localhost:4321/?x=1"}, "origin alone"},
		{"user", StackOptions{SiteProxy: "http://u:p@localhost:4321"}, "origin alone"},
		{"itself", StackOptions{SiteURL: "http://localhost:8080", SiteProxy: "http://127.0.0.1:8080"}, "the local stack itself"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, err := SiteHandler(c.o)
			switch {
			case c.err == "" && (err != nil || h == nil):
				t.Errorf("refused: %v", err)
			case c.err != "" && err == nil:
				t.Errorf("accepted, want an error with %q", c.err)
			case c.err != "" && !strings.Contains(err.Error(), c.err):
				t.Errorf("error %q lacks %q", err, c.err)
			}
			if err != nil && c.o.SiteProxy != "" && !strings.Contains(err.Error(), "SITE_PROXY") {
				t.Errorf("error %q does not name SITE_PROXY", err)
			}
			if err != nil && c.o.SiteDir != "" && !strings.Contains(err.Error(), "SITE_DIR") {
				t.Errorf("error %q does not name SITE_DIR", err)
			}
		})
	}
}

func TestSiteHandlerDemo(t *testing.T) {
	h, err := SiteHandler(StackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	index, err := fs.ReadFile(demo.Files, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(h, "GET", "/"); w.Code != 200 || w.Body.String() != string(index) {
		t.Errorf("demo page: %d %.80q", w.Code, w.Body.String())
	}
}

func TestCheckOptionsTriggerSettings(t *testing.T) {
	if err := CheckOptions(StackOptions{TriggerEnv: map[string]string{"MONBAN_CLAIM_MAPPINGS": "groups=roles"}}); err != nil {
		t.Errorf("valid settings refused: %v", err)
	}
	for env, want := range map[string]string{
		"MONBAN_SIGNUP_AUTO_CONFIRM":          "MONBAN_SIGNUP_AUTO_CONFIRM: must be true or false",
		"MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS": "MONBAN_SIGNUP_ALLOWED_EMAIL_DOMAINS: not a domain name",
		"MONBAN_CLAIM_MAPPINGS":               "MONBAN_CLAIM_MAPPINGS",
	} {
		err := CheckOptions(StackOptions{TriggerEnv: map[string]string{env: "sub=sub, x"}})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want the handler's message %q", env, err, want)
		}
	}
	if err := CheckOptions(StackOptions{SiteProxy: "http://example.com"}); err == nil {
		t.Error("a remote SITE_PROXY passed CheckOptions")
	}
}

// upstream is a stand-in for a site's dev server: pages echo what they got, /redirect
// redirects to its own absolute URL, and /ws is a WebSocket endpoint that echoes one frame.
type upstream struct {
	*httptest.Server
	hosts chan string // Host and X-Forwarded-Host of each WebSocket request
}

func startUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{hosts: make(chan string, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", u.websocket)
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, u.URL+"/landed?x=1", http.StatusFound)
	})
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://example.com/", http.StatusFound)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Upstream", "yes")
		w.Header().Add("Set-Cookie", "a=1; Path=/")
		w.Header().Add("Set-Cookie", "b=2; Path=/")
		w.Header().Set("Content-Type", "text/plain")
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "%s %s ?%s host=%s fwd=%s proto=%s origin=%s verify=%s body=%s",
			r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.Header.Get("X-Forwarded-Host"),
			r.Header.Get("X-Forwarded-Proto"), r.Header.Get("Origin"), r.Header.Get(originVerifyHeader), b)
	})
	u.Server = httptest.NewServer(mux) // 127.0.0.1
	t.Cleanup(u.Close)
	return u
}

// websocketAccept is Sec-WebSocket-Accept for key (RFC 6455 §4.2.2).
func websocketAccept(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// websocket performs the server side of the handshake, then reads one masked frame and
// sends its payload back in one unmasked frame of the same kind.
func (u *upstream) websocket(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || !headerHas(r.Header, "Connection", "upgrade") ||
		r.Header.Get("Sec-WebSocket-Version") != "13" || key == "" {
		http.Error(w, "not a websocket handshake", http.StatusBadRequest)
		return
	}
	u.hosts <- r.Host + " " + r.Header.Get("X-Forwarded-Host") + " " + r.URL.RawQuery
	c, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", websocketAccept(key))
	if rw.Flush() != nil {
		return
	}
	op, payload, masked, err := readFrame(rw.Reader)
	if err != nil || !masked {
		return // a client frame must be masked; the test then sees no echo
	}
	rw.Write(frame(op, payload, nil))
	rw.Flush()
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// frame builds a final frame with a payload under 126 bytes, masked when mask is given.
func frame(op byte, payload []byte, mask []byte) []byte {
	b := []byte{0x80 | op, byte(len(payload))}
	if mask == nil {
		return append(b, payload...)
	}
	b[1] |= 0x80
	b = append(b, mask...)
	for i, p := range payload {
		b = append(b, p^mask[i%4])
	}
	return b
}

// readFrame reads one final frame with a payload under 126 bytes, unmasking it.
func readFrame(r *bufio.Reader) (op byte, payload []byte, masked bool, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	if h[0]&0x80 == 0 || h[1]&0x7f >= 126 {
		return 0, nil, false, fmt.Errorf("unexpected frame header %x", h)
	}
	op, masked = h[0]&0x0f, h[1]&0x80 != 0
	var mask [4]byte
	if masked {
		if _, err = io.ReadFull(r, mask[:]); err != nil {
			return
		}
	}
	payload = make([]byte, h[1]&0x7f)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
	}
	return
}

func startProxy(t *testing.T, target string) *httptest.Server {
	t.Helper()
	h, err := SiteHandler(StackOptions{SiteProxy: target, SiteURL: "http://localhost:8080"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestSiteProxyPages(t *testing.T) {
	up := startUpstream(t)
	proxy := startProxy(t, up.URL)
	upHost := strings.TrimPrefix(up.URL, "http://")
	proxyHost := strings.TrimPrefix(proxy.URL, "http://")
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/", "", 200, "GET / ? "},
		{"GET", "/blog/post-1?draft=1&x=a%20b", "", 200, "GET /blog/post-1 ?draft=1&x=a%20b "},
		{"GET", "/@vite/client", "", 200, "GET /@vite/client ? "},
		{"POST", "/form?step=2", "name=alice&x=%26", 201, "POST /form ?step=2 "},
		{"PUT", "/api-of-the-site", `{"a":1}`, 200, "PUT /api-of-the-site ? "},
	} {
		req, err := http.NewRequest(c.method, proxy.URL+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", proxy.URL)
		req.Header.Set(originVerifyHeader, "s3cr3t") // as the front would add for the API
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := string(b)
		if resp.StatusCode != c.status || !strings.HasPrefix(got, c.want) {
			t.Errorf("%s %s: %d %q, want %d %q…", c.method, c.path, resp.StatusCode, got, c.status, c.want)
		}
		// Host is the dev server's own; the browser's is in X-Forwarded-Host.
		if want := " host=" + upHost + " fwd=" + proxyHost + " proto=http origin=" + proxy.URL + " verify= body=" + c.body; !strings.HasSuffix(got, want) {
			t.Errorf("%s %s: upstream saw %q, want …%q", c.method, c.path, got, want)
		}
		if resp.Header.Get("X-Upstream") != "yes" || len(resp.Header.Values("Set-Cookie")) != 2 || resp.Header.Get("Content-Type") != "text/plain" {
			t.Errorf("%s %s: headers not passed on: %v", c.method, c.path, resp.Header)
		}
	}

	for path, want := range map[string]string{
		"/redirect":  "/landed?x=1",          // the dev server's own origin: kept on the stack's URL
		"/elsewhere": "https://example.com/", // elsewhere: as it is
	} {
		resp, err := hc.Get(proxy.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != want {
			t.Errorf("GET %s: %d Location %q, want 302 %q", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
}

func TestSiteProxyWebSocket(t *testing.T) {
	up := startUpstream(t)
	proxy := startProxy(t, up.URL)
	addr := proxy.Listener.Addr().String()

	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	const key = "dGhlIHNhbXBsZSBub25jZQ==" // RFC 6455's example
	fmt.Fprintf(c, "GET /ws?token=abc HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: vite-hmr\r\nOrigin: http://%s\r\n\r\n", addr, key, addr)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("handshake: %d %q, want 101", resp.StatusCode, b)
	}
	if got := resp.Header.Get("Sec-WebSocket-Accept"); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" || got != websocketAccept(key) {
		t.Fatalf("Sec-WebSocket-Accept %q, want RFC 6455's s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", got)
	}
	if !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket") {
		t.Errorf("Upgrade %q", resp.Header.Get("Upgrade"))
	}
	select {
	case seen := <-up.hosts:
		if want := strings.TrimPrefix(up.URL, "http://") + " " + addr + " token=abc"; seen != want {
			t.Errorf("dev server saw host, forwarded host and query %q, want %q", seen, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the dev server saw no upgrade")
	}

	msg := []byte(`{"type":"ping"}`)
	if _, err := c.Write(frame(0x1, msg, []byte{0x37, 0xfa, 0x21, 0x3d})); err != nil {
		t.Fatal(err)
	}
	op, payload, masked, err := readFrame(br)
	if err != nil {
		t.Fatalf("no echo: %v", err)
	}
	if op != 0x1 || masked || string(payload) != string(msg) {
		t.Errorf("echo: op %d masked %v %q, want a text frame %q", op, masked, payload, msg)
	}
}

func TestSiteProxyDevServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	proxy := startProxy(t, down)
	hc := &http.Client{Timeout: 10 * time.Second}
	for _, path := range []string{"/", "/about?x=1"} {
		resp, err := hc.Get(proxy.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		body := string(b)
		if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "SITE_PROXY") || !strings.Contains(body, down) ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s with the dev server down: %d %s %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
}

func TestLocalLocation(t *testing.T) {
	target, _ := url.Parse("http://localhost:4321")
	for in, want := range map[string]string{
		"http://localhost:4321/about/":  "/about/",
		"http://LOCALHOST:4321/a?b=c#d": "/a?b=c#d",
		"//localhost:4321/x":            "/x",
		"http://localhost:4321":         "/",
		"/relative":                     "/relative",
		"about/":                        "about/",
		"http://localhost:5173/":        "http://localhost:5173/",
		"https://localhost:4321/":       "https://localhost:4321/",
		"https://example.com/":          "https://example.com/",
	} {
		if got := localLocation(in, target); got != want {
			t.Errorf("localLocation(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCandidates(t *testing.T) {
	for in, want := range map[string]string{
		"/":           "index.html",
		"":            "index.html",
		"/a/":         "a/index.html",
		"/a":          "a a/index.html a.html",
		"/a/b.css":    "a/b.css a/b.css/index.html a/b.css.html",
		"/../a":       "a a/index.html a.html",
		"/a/../../b/": "b/index.html",
		"/./a//b":     "a/b a/b/index.html a/b.html",
		"/..":         "index.html",
		"/a/..":       "index.html",
	} {
		if got := strings.Join(candidates(in), " "); got != want {
			t.Errorf("candidates(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStackServesTheUserSite runs the whole local stack with SITE_PROXY and settings from
// the environment: the site and its WebSocket pass through the stack's own mux, /auth and
// /api stay monban's, an added origin is accepted, and MONBAN_LOGOUT_URI is registered on
// the local app client.
func TestStackServesTheUserSite(t *testing.T) {
	local := requireEmulator(t)
	up := startUpstream(t)
	srv := httptest.NewUnstartedServer(nil)
	defer srv.Close()
	site := "http://" + srv.Listener.Addr().String()
	o, rep := ApplyEnv(StackOptions{
		LocalDir: local, DataDir: t.TempDir(), SiteURL: site, SiteProxy: up.URL, EmulatorLog: t.Output(), OriginVerify: true,
	}, []string{"MONBAN_ALLOWED_ORIGINS=http://localhost:4321", "MONBAN_LOGOUT_URI=/bye", "MONBAN_TOKEN_ENDPOINT=true",
		"MONBAN_CLAIM_MAPPINGS=custom:plan=plan", "MONBAN_CLIENT_ID=ignored"})
	t.Logf("%s", strings.Join(rep.Lines(), "\n"))
	if err := CheckOptions(o); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	s, err := StartStack(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	}()
	if s.Env["MONBAN_ALLOWED_ORIGINS"] != site+",http://localhost:4321" || s.Env["MONBAN_CLIENT_ID"] != s.Pool.ClientID {
		t.Errorf("stack env: origins %q, client %q", s.Env["MONBAN_ALLOWED_ORIGINS"], s.Env["MONBAN_CLIENT_ID"])
	}
	srv.Config.Handler = s.Handler
	srv.Start()
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string, http.Header) {
		t.Helper()
		resp, err := hc.Get(site + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	if code, body, _ := get("/blog?x=1"); code != 200 || !strings.HasPrefix(body, "GET /blog ?x=1 ") {
		t.Errorf("site page: %d %q", code, body)
	}
	if code, body, h := get("/auth/session"); strings.HasPrefix(body, "GET ") || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("/auth/session reached the site or nothing: %d %q", code, body)
	}
	if code, body, _ := get("/api/me"); code != http.StatusUnauthorized {
		t.Errorf("/api/me without credentials: %d %q, want 401", code, body)
	}
	// As behind CloudFront: through the front the API answers; sent to it directly (no
	// origin-verify header, or a browser's own guess, which the front replaces) it refuses.
	if code, body, _ := get("/auth/health"); code != http.StatusOK {
		t.Errorf("/auth/health through the front: %d %q", code, body)
	}
	guessed := httptest.NewRequest("GET", site+"/auth/health", nil)
	guessed.Header.Set(originVerifyHeader, "guess")
	direct := httptest.NewRecorder()
	s.API.ServeHTTP(direct, guessed)
	if direct.Code != http.StatusForbidden || !strings.Contains(direct.Body.String(), "forbidden_origin") {
		t.Errorf("the API without the front's header: %d %s", direct.Code, direct.Body)
	}
	viaFront := httptest.NewRecorder()
	s.Handler.ServeHTTP(viaFront, guessed)
	if viaFront.Code != http.StatusOK {
		t.Errorf("a browser-sent header must be replaced by the front's: %d %s", viaFront.Code, viaFront.Body)
	}
	logout := "/logout?" + url.Values{"client_id": {s.Pool.ClientID}, "logout_uri": {site + "/bye"}}.Encode()
	if code, _, h := get(logout); code != http.StatusFound || h.Get("Location") != site+"/bye" {
		t.Errorf("MONBAN_LOGOUT_URI not registered: %d %q", code, h.Get("Location"))
	}
	logout = "/logout?" + url.Values{"client_id": {s.Pool.ClientID}, "logout_uri": {"http://localhost:4321/"}}.Encode()
	if code, _, h := get(logout); code != http.StatusFound {
		t.Errorf("the added origin's root is not registered: %d %q", code, h.Get("Location"))
	}

	// The WebSocket upgrade through the stack's mux.
	addr := srv.Listener.Addr().String()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	fmt.Fprintf(c, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", addr, key)
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != websocketAccept(key) {
		t.Fatalf("upgrade through the stack: %d accept %q", resp.StatusCode, resp.Header.Get("Sec-WebSocket-Accept"))
	}
	if _, err := c.Write(frame(0x1, []byte("reload"), []byte{1, 2, 3, 4})); err != nil {
		t.Fatal(err)
	}
	if _, payload, _, err := readFrame(br); err != nil || string(payload) != "reload" {
		t.Errorf("echo through the stack: %q %v", payload, err)
	}
}
