// Package client embeds monban's JavaScript client (monban.js), which the API serves at
// GET /auth/client.js so that a site without a bundler can import it directly.
package client

import _ "embed"

// Script is the ES module, byte for byte what the npm package ships.
//
//go:embed monban.js
var Script []byte
