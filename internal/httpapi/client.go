package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/monban-auth/monban/client"
)

// clientETag names the embedded client's content, so browsers and CloudFront revalidate it
// with If-None-Match and get 304 while it is unchanged.
var clientETag = func() string {
	sum := sha256.Sum256(client.Script)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}()

// clientScript serves the JavaScript client as an ES module, so a site without a bundler
// can import it from /auth/client.js. It is public and the same for everyone: any origin may
// load it (without credentials), and shared caches keep it a day (the template's
// /auth/client.js behaviour), so page loads do not invoke the function for it.
func (h *handler) clientScript(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Type", "text/javascript; charset=utf-8")
	hd.Set("Cache-Control", "public, max-age=300, s-maxage=86400")
	hd.Set("ETag", clientETag)
	hd.Set("X-Content-Type-Options", "nosniff")
	// One answer for every origin, so a cached copy never carries another site's CORS grant.
	hd.Set("Access-Control-Allow-Origin", "*")
	hd.Del("Access-Control-Allow-Credentials")
	hd.Del("Vary")
	http.ServeContent(w, r, "client.js", time.Time{}, bytes.NewReader(client.Script))
}
