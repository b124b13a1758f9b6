// One round of one Node measurement, the counterpart of one go test -bench run of the Go
// benchmark it is compared with (bench/interleave.mjs alternates the two). Every measurement
// works on the fixtures the Go side uses: the same access token, key set, session and
// cookie. Prints one JSON object: ns per operation, calls timed, and facts for the table.
// Usage: node round.mjs MEASURE FIXTURES.json [BENCH_MS]   (MEASURE: see measures below)
import { readFileSync } from "node:fs";
import path from "node:path";
import { createPublicKey, verify } from "node:crypto";
import { here, importLocal, loadFixtures, measure, require, version } from "./common.mjs";
import { sessionOpener } from "./monban-cookie.mjs";
import { TokenCache, createAuthorizer } from "./node-authorizer.mjs";

const [name, fixturesFile, benchArg] = process.argv.slice(2);
const benchMs = Number(benchArg || 300);
// A warm process has run the code many times; a third of the round, at most 200 ms, gets
// V8's optimising compiler there.
const warmupMs = Math.min(200, benchMs / 3);
const fx = loadFixtures(fixturesFile);
const awsVersion = () => `aws-jwt-verify ${version("aws-jwt-verify")}`;

const newVerifier = () => {
  const { CognitoJwtVerifier } = require("aws-jwt-verify");
  return CognitoJwtVerifier.create({ userPoolId: fx.userPoolId, tokenUse: "access", clientId: fx.clientId });
};

function check(payload) {
  if (payload.sub === undefined || payload.client_id !== fx.clientId) throw new Error("unexpected payload");
}

// Each measure returns { fn, async?, info? }; setup is outside the timed calls.
const measures = {
  // The same small bounded cache as monban's, keyed by the raw token string. The token is
  // cut out of the Authorization header on every call, as a handler does, so each lookup
  // hashes a string V8 has not hashed before; "cache-hit-same-string" looks up one string
  // object again and again, whose hash V8 keeps after the first time.
  "cache-hit": () => {
    const cache = new TokenCache(1024);
    const header = "Bearer " + fx.accessToken;
    cache.set(fx.accessToken, newVerifierWithKeys().verifySync(fx.accessToken), Date.now() / 1000);
    return {
      fn: () => { if (cache.get(header.slice(7), Date.now() / 1000) === undefined) throw new Error("miss"); },
      info: { library: "Map-based LRU (node)" },
    };
  },
  "cache-hit-same-string": () => {
    const cache = new TokenCache(1024);
    cache.set(fx.accessToken, newVerifierWithKeys().verifySync(fx.accessToken), Date.now() / 1000);
    return {
      fn: () => { if (cache.get(fx.accessToken, Date.now() / 1000) === undefined) throw new Error("miss"); },
      info: { library: "Map-based LRU (node)" },
    };
  },

  // monban's own cookie format, decoded synchronously with node:crypto.
  "monban-cookie-decode": () => {
    const open = sessionOpener(fx.sessionSecret);
    // The checks are really made: a changed ciphertext, another purpose's key and an
    // expired value are refused.
    const parts = fx.sessionCookie.split(".");
    parts[3] = (parts[3][0] === "A" ? "B" : "A") + parts[3].slice(1);
    for (const [what, f] of [
      ["a changed ciphertext", () => open(parts.join("."), 0)],
      ["another purpose", () => sessionOpener(fx.sessionSecret, "refresh")(fx.sessionCookie, 0)],
      ["an expired cookie", () => open(fx.sessionCookie, Date.parse(fx.session.exp) / 1000)],
    ]) {
      let opened = true;
      try { f(); } catch { opened = false; }
      if (opened) throw new Error(`the Node decoder accepted ${what}`);
    }
    return {
      fn: () => { if (open(fx.sessionCookie, Date.now() / 1000).at !== fx.accessToken) throw new Error("unexpected session"); },
      info: { library: "node:crypto", cookie_bytes: fx.sessionCookie.length },
    };
  },

  // Auth.js's own JWT session decode: a JWE with "dir" and A256CBC-HS512 whose key is
  // derived (HKDF-SHA256) from the secret and the cookie name on every call, as Auth.js
  // does for each request, through async WebCrypto. Same content as monban's cookie (the
  // access token and the user); Auth.js adds its own iat, exp and jti.
  "authjs-decode": async () => {
    const { encode, decode } = await importLocal("@auth/core/jwt");
    const salt = "authjs.session-token"; // the default cookie name doubles as the HKDF salt
    const secret = fx.sessionSecret;
    const { at, u } = fx.session;
    const cookie = await encode({ token: { at, u }, secret, salt });
    return {
      async: true,
      fn: async () => { if ((await decode({ token: cookie, secret, salt })).at !== at) throw new Error("unexpected session"); },
      info: { library: `@auth/core ${version("@auth/core")} (jose ${version("jose")})`, cookie_bytes: cookie.length },
    };
  },

  // Keys cached, signature and claims checked on every call: aws-jwt-verify has no cache of
  // verified tokens.
  "verify-warm": () => {
    const v = newVerifierWithKeys();
    return { fn: () => check(v.verifySync(fx.accessToken)), info: { library: `${awsVersion()} verifySync` } };
  },
  // A new verifier per token, given the JWKS text to parse, as on a cold start without the
  // network (monban's cold sub-benchmark parses the JWKS bytes too).
  "verify-new": () => {
    const jwksText = JSON.stringify(fx.jwks);
    return {
      fn: () => {
        const v = newVerifier();
        v.cacheJwks(JSON.parse(jwksText));
        check(v.verifySync(fx.accessToken));
      },
      info: { library: `${awsVersion()} verifySync` },
    };
  },
  // Hashing the signing input and checking the RS256 signature with node:crypto (OpenSSL):
  // the Node counterpart of the crypto/rsa floor, to tell library overhead from crypto speed.
  "rsa-floor": () => {
    const key = createPublicKey({ key: fx.jwks.keys[0], format: "jwk" });
    const dot = fx.accessToken.lastIndexOf(".");
    const input = Buffer.from(fx.accessToken.slice(0, dot));
    const sig = Buffer.from(fx.accessToken.slice(dot + 1), "base64url");
    return {
      fn: () => { if (!verify("sha256", input, key, sig)) throw new Error("bad signature"); },
      info: { library: `node:crypto (OpenSSL ${process.versions.openssl})` },
    };
  },

  // A warm authorizer invocation: the event as the runtime receives it (JSON text), the
  // handler (cache hit), the response as the runtime sends it (JSON text).
  "authorizer-warm": () => {
    const a = createAuthorizer({ userPoolId: fx.userPoolId, clientId: fx.clientId });
    a.verifier.cacheJwks(fx.jwks);
    const event = authorizerEvent();
    const first = a.handler(JSON.parse(event));
    if (first.isAuthorized !== true || first.context.sub !== fx.session.u.sub) throw new Error(`refused: ${JSON.stringify(first)}`);
    return {
      fn: () => {
        const out = JSON.stringify(a.handler(JSON.parse(event)));
        if (out.length < 40) throw new Error("refused");
      },
      info: { library: `${awsVersion()} + Map-based LRU`, event_bytes: event.length },
    };
  },
};

function newVerifierWithKeys() {
  const v = newVerifier();
  v.cacheJwks(fx.jwks);
  return v;
}

// authorizerEvent is the HTTP API payload 2.0 event the Go authorizer benchmarks read
// (internal/authorizer/testdata), carrying the fixture token as a bearer token.
export function authorizerEvent() {
  const template = readFileSync(path.join(here, "../internal/authorizer/testdata/http-api-v2.json"), "utf8");
  return template.replaceAll("AUTHORIZATION_HEADER", "Bearer " + fx.accessToken).replaceAll("SESSION_COOKIES", "");
}

const setup = measures[name];
if (!setup) {
  console.error(`unknown measure ${JSON.stringify(name)}; one of: ${Object.keys(measures).join(", ")}`);
  process.exit(2);
}
const m = await setup();
await m.fn(); // a wrong answer fails here, before any timing
const r = await measure(m.fn, { benchMs, warmupMs, async: m.async });
console.log(JSON.stringify({ measure: name, ns_per_op: r.ns, n: r.n, node: process.version, ...m.info }));
