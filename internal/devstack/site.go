package devstack

import (
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/web/demo"
)

// SiteHandler is what the local stack serves at "/", beside /auth, /api, /oauth2 and
// /logout, as the CloudFront distribution serves the site in production:
//
//   - o.SiteDir: that build folder, served as a static host would (see DirSite);
//   - o.SiteProxy: the site's own dev server on this machine, proxied with its WebSockets
//     (hot reload) (see ProxySite);
//   - neither: the demo page (web/demo).
//
// Both at once are refused, as are a SiteDir that is not a folder and a SiteProxy that is
// not an http(s) origin on loopback. The errors name SITE_DIR and SITE_PROXY, the names
// users set them by.
func SiteHandler(o StackOptions) (http.Handler, error) {
	switch {
	case o.SiteDir != "" && o.SiteProxy != "":
		return nil, fmt.Errorf("devstack: SITE_DIR (%s) and SITE_PROXY (%s) are both set: serve a build folder or proxy a dev server, not both", o.SiteDir, o.SiteProxy)
	case o.SiteDir != "":
		return DirSite(o.SiteDir)
	case o.SiteProxy != "":
		target, err := ParseSiteProxy(o.SiteProxy)
		if err != nil {
			return nil, err
		}
		if self, err := url.Parse(o.SiteURL); err == nil && o.SiteURL != "" && sameLoopbackPort(target, self) {
			return nil, fmt.Errorf("devstack: SITE_PROXY %s is the local stack itself (%s): point it at the site's dev server", o.SiteProxy, o.SiteURL)
		}
		return ProxySite(target), nil
	}
	site, err := fs.Sub(demo.Files, ".")
	if err != nil {
		return nil, err
	}
	return http.FileServerFS(site), nil
}

// CheckOptions reports, before anything starts, the options StartStack would refuse: the
// site (SiteHandler), the trigger settings in TriggerEnv, with the trigger handlers' own
// messages, and hidden sign-up beside auto-confirmation (checkHiddenSignUp).
func CheckOptions(o StackOptions) error {
	if _, err := SiteHandler(o); err != nil {
		return err
	}
	if _, err := TriggerHandlers(func(k string) string { return o.TriggerEnv[k] }, slog.New(slog.DiscardHandler)); err != nil {
		return fmt.Errorf("devstack: triggers: %w", err)
	}
	return checkHiddenSignUp(o.Env, o.TriggerEnv)
}

// DirSite serves the folder dir as a static host (S3 behind CloudFront, Netlify, GitHub
// Pages) would:
//
//   - /path/ serves path/index.html;
//   - /path serves the file path, else path/index.html, else path.html;
//   - anything else is 404, with the folder's /404.html as the body when there is one;
//   - folders are never listed, and nothing outside the folder is ever served: paths are
//     cleaned and opened through os.Root, which also refuses symbolic links leading out;
//   - every answer carries Cache-Control: no-cache, so a rebuilt file shows on reload (the
//     browser revalidates with If-Modified-Since and gets 304 while nothing changed).
//
// The folder is opened on every request, so a build that deletes and recreates it is
// picked up. Only GET and HEAD are answered.
func DirSite(dir string) (http.Handler, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("devstack: SITE_DIR %s: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("devstack: SITE_DIR %s does not exist (build the site first?)", abs)
	case err != nil:
		return nil, fmt.Errorf("devstack: SITE_DIR: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("devstack: SITE_DIR %s is not a folder: give the folder the site is built into (e.g. dist)", abs)
	}
	return &dirSite{dir: abs}, nil
}

type dirSite struct{ dir string }

func (d *dirSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	root, err := os.OpenRoot(d.dir)
	if err != nil {
		http.Error(w, "monban-dev: the site folder (SITE_DIR) "+d.dir+" cannot be opened: is it being rebuilt?", http.StatusServiceUnavailable)
		return
	}
	defer root.Close()
	for _, name := range candidates(r.URL.Path) {
		if f, fi := openRegular(root, name); f != nil {
			defer f.Close()
			http.ServeContent(w, r, fi.Name(), fi.ModTime(), f)
			return
		}
	}
	if f, _ := openRegular(root, "404.html"); f != nil {
		defer f.Close()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		if r.Method != http.MethodHead {
			io.Copy(w, f)
		}
		return
	}
	http.Error(w, "404 page not found", http.StatusNotFound)
}

// candidates are the names, relative to the folder, a URL path may be served from, in
// order. The path is cleaned first, so no name contains "..".
func candidates(urlPath string) []string {
	name := strings.TrimPrefix(path.Clean("/"+urlPath), "/")
	if name == "" || strings.HasSuffix(urlPath, "/") {
		return []string{path.Join(name, "index.html")}
	}
	return []string{name, name + "/index.html", name + ".html"}
}

// openRegular opens name in root if it is a regular file (not a folder, device or pipe,
// and not a link leading out of root, which os.Root refuses).
func openRegular(root *os.Root, name string) (*os.File, fs.FileInfo) {
	if fi, err := root.Stat(name); err != nil || !fi.Mode().IsRegular() {
		return nil, nil
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, nil
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		f.Close()
		return nil, nil
	}
	return f, fi
}

// ParseSiteProxy checks a SITE_PROXY value: the origin of a dev server on this machine,
// http or https, such as http://localhost:4321. The local stack talks to this machine
// only, so other hosts are refused, as are paths (every path is proxied as it is).
func ParseSiteProxy(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("devstack: SITE_PROXY %q is not an http(s) URL: give the dev server's address, e.g. http://localhost:4321", raw)
	}
	if u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("devstack: SITE_PROXY %q must be the dev server's origin alone, e.g. http://localhost:4321 (every path is proxied as it is)", raw)
	}
	if !loopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("devstack: SITE_PROXY %q is not on this machine: the local stack only proxies to loopback (localhost, 127.0.0.1, [::1])", raw)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// sameLoopbackPort reports whether two loopback URLs name the same port: the same server,
// whatever loopback name each uses.
func sameLoopbackPort(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if u.Scheme == "https" {
			return "443"
		}
		return "80"
	}
	return loopbackHost(a.Hostname()) && loopbackHost(b.Hostname()) && port(a) == port(b)
}

// ProxySite proxies every request to the dev server at target (an origin ParseSiteProxy
// accepted), WebSocket upgrades included, so the dev server's hot reload works through the
// local stack's URL.
//
// Host is the dev server's own (httputil.ProxyRequest.SetURL): dev servers check it (Vite's
// server.allowedHosts, webpack-dev-server's allowedHosts) and always accept their own. The
// browser's host travels in X-Forwarded-Host, its scheme in X-Forwarded-Proto; Origin and
// Referer pass unchanged (Vite accepts localhost origins). A redirect the dev server
// sends to its own origin is rewritten to a path, so the browser stays on the local
// stack's URL. TLS is not verified: the target is on loopback (dev servers with
// self-signed certificates work), and the connection never leaves this machine.
//
// When the dev server does not answer, the browser gets a 502 page naming SITE_PROXY.
func ProxySite(target *url.URL) http.Handler {
	transport := &http.Transport{
		Proxy:                 nil, // loopback only: never through HTTP_PROXY
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: true}, // loopback only, see above
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute, // a first compile can be slow
	}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target) // also sets Host to the dev server's
			r.SetXForwarded()
			// CloudFront adds the origin-verify secret on the way to the API only, never to
			// the site's bucket: the dev server does not get it either.
			r.Out.Header.Del(originVerifyHeader)
		},
		Transport:     transport,
		FlushInterval: -1, // stream as it comes (server-sent events, progressive pages)
		ModifyResponse: func(resp *http.Response) error {
			if loc := resp.Header.Get("Location"); loc != "" {
				resp.Header.Set("Location", localLocation(loc, target))
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return // the browser went away
			}
			slog.Warn("devstack: site dev server", "site_proxy", target.String(), "path", r.URL.Path, "err", err)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprintf(w, badGatewayPage, html.EscapeString(target.String()), html.EscapeString(err.Error()))
		},
	}
}

// originVerifyHeader is the secret header CloudFront sends the API (and only the API).
const originVerifyHeader = originverify.Header

const badGatewayPage = `<!doctype html>
<meta charset="utf-8">
<title>502: the site's dev server is not answering</title>
<h1>502: the site's dev server is not answering</h1>
<p>monban-dev proxies this page to the dev server at <code>%s</code> (<code>SITE_PROXY</code>),
and it did not answer: <code>%s</code>.</p>
<p>Start the dev server (for example <code>npm run dev</code>), or check that SITE_PROXY names its
address and port, then reload this page.</p>
`

// localLocation turns a redirect to the dev server's own origin into a path on the local
// stack; other targets are left as they are.
func localLocation(loc string, target *url.URL) string {
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" || !strings.EqualFold(u.Host, target.Host) || (u.Scheme != "" && u.Scheme != target.Scheme) {
		return loc
	}
	u.Scheme, u.Host, u.User = "", "", nil
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String()
}
