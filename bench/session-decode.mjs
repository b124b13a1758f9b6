// Decodes an Auth.js session cookie with @auth/core's own JWT decode: a JWE with "dir" and
// A256CBC-HS512 whose key is derived (HKDF-SHA256) from the secret and the cookie name on
// every call, as Auth.js does for each request. The session is the fixture's, which
// bench/compare_test.go seals and opens with monban's session package. Prints one JSON
// object. Usage: node session-decode.mjs FIXTURES.json
import { importLocal, loadFixtures, measure, scale, time, version } from "./common.mjs";

const { encode, decode } = await importLocal("@auth/core/jwt");
const fx = loadFixtures();
// Auth.js's default session cookie name doubles as the HKDF salt.
const salt = "authjs.session-token";
const secret = fx.sessionSecret;

// The same content as monban's cookie: the access token and the user. Auth.js adds its
// own iat, exp and jti.
const { at, u } = fx.session;
const cookie = await encode({ token: { at, u }, secret, salt });

async function open() {
  const got = await decode({ token: cookie, secret, salt });
  if (got.at !== at) throw new Error("unexpected session");
}

const first = await time(open);
const warm = await measure(open, { warmup: scale(1000), iterations: scale(5000) });

console.log(JSON.stringify({
  library: "@auth/core",
  version: version("@auth/core"),
  jose: version("jose"),
  node: process.version,
  cookie_bytes: cookie.length,
  first_ns: first,
  decode_ns: warm,
}));
