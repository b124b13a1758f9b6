// Package demo is the static demo site the local stack serves: one page that signs in
// through monban's JavaScript client (/auth/client.js), shows the session and signs out.
package demo

import "embed"

// Files holds the site.
//
//go:embed index.html app.js demo.css
var Files embed.FS
