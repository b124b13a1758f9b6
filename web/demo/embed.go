// Package demo is the static demo site the local stack serves: one page that signs in
// through monban, shows the session and signs out.
package demo

import "embed"

// Files holds the site.
//
//go:embed index.html demo.js demo.css forms.js
var Files embed.FS
