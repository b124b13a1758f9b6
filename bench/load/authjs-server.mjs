// The Auth.js side of `make load`: a minimal Node HTTP server whose GET /api/auth/session
// reads the session cookie with @auth/core's own getToken (the cookie parsed, the JWE
// decrypted with a key derived from the secret on every call, as Auth.js does) and answers
// the session as JSON. It is the least an Auth.js site does per session check: Auth.js's
// own session route also runs its callbacks and re-encrypts the cookie to slide its expiry.
//
// Usage: node authjs-server.mjs CONFIG.json, where CONFIG.json is {"secret", "token"}: the
// server encrypts "token" into a cookie with @auth/core's encode, listens on 127.0.0.1 and
// prints {"url", "cookie", "version"} on stdout. It stops on SIGTERM, SIGINT or when its
// standard input closes.
import { readFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// @auth/core as pinned in local/package-lock.json.
const local = new URL("../../local/", import.meta.url);
const require = createRequire(new URL("package.json", local));
const { encode, getToken } = await import(pathToFileURL(require.resolve("@auth/core/jwt")).href);
const version = JSON.parse(readFileSync(new URL("node_modules/@auth/core/package.json", local), "utf8")).version;
const { secret, token } = JSON.parse(readFileSync(process.argv[2], "utf8"));
// Auth.js's session cookie on http (the salt of its key is the cookie's name).
const cookieName = "authjs.session-token";
const cookie = await encode({ token, secret, salt: cookieName });

const server = http.createServer(async (req, res) => {
  if (req.method !== "GET" || req.url !== "/api/auth/session") {
    res.writeHead(404).end();
    return;
  }
  const payload = await getToken({ req, secret, cookieName, salt: cookieName });
  const body = payload
    ? JSON.stringify({ user: payload.u, expires: new Date(payload.exp * 1000).toISOString() })
    : "{}";
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(body);
});
// The load generator opens its connections per step; an idle one may wait between steps.
server.keepAliveTimeout = 60_000;

// Stop accepting, and exit once the open connections are gone (or soon regardless).
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop).resume();

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, cookie: `${cookieName}=${cookie}`, version }));
});
