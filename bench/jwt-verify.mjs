// Verifies the fixture's Cognito access token with aws-jwt-verify, the library AWS
// publishes for this job, for comparison with monban's internal/token (bench/compare_test.go
// verifies the same token against the same JWKS). The JWKS is handed over with cacheJwks,
// so no network is involved. Prints one JSON object of ns per verification.
// Usage: node jwt-verify.mjs FIXTURES.json
import { loadFixtures, measure, require, scale, time, version } from "./common.mjs";

const { CognitoJwtVerifier } = require("aws-jwt-verify");
const fx = loadFixtures();
const jwksText = JSON.stringify(fx.jwks);

// newVerifier is what a cold Lambda does before its first verification; parsing the JWKS
// text is included because monban's cold path parses the JWKS it fetches.
function newVerifier() {
  const v = CognitoJwtVerifier.create({ userPoolId: fx.userPoolId, tokenUse: "access", clientId: fx.clientId });
  v.cacheJwks(JSON.parse(jwksText));
  return v;
}

function check(payload) {
  if (payload.sub === undefined || payload.client_id !== fx.clientId) throw new Error("unexpected payload");
}

// The very first verification in this process, module code not yet compiled: one sample,
// noisy, reported for information only.
const first = await time(() => check(newVerifier().verifySync(fx.accessToken)));

// cold: a new verifier each time, so the JWK is turned into a key object again.
const cold = await measure(() => check(newVerifier().verifySync(fx.accessToken)),
  { warmup: scale(500), iterations: scale(3000) });

// warm: one verifier, the same token again and again. aws-jwt-verify keeps the key object
// but has no cache of verified tokens, so each call checks the signature and claims.
const v = newVerifier();
const warmSync = await measure(() => check(v.verifySync(fx.accessToken)),
  { warmup: scale(2000), iterations: scale(20000) });
// verify() is the documented, async entry point; the gap to verifySync is promise overhead.
const warmAsync = await measure(async () => check(await v.verify(fx.accessToken)),
  { warmup: scale(2000), iterations: scale(20000) });

// node_floor: hash and RS256 signature check alone with node:crypto (OpenSSL), the Node
// counterpart of the crypto/rsa floor, to tell library overhead from crypto speed.
const { createPublicKey, verify } = require("node:crypto");
const key = createPublicKey({ key: fx.jwks.keys[0], format: "jwk" });
const dot = fx.accessToken.lastIndexOf(".");
const input = Buffer.from(fx.accessToken.slice(0, dot));
const sig = Buffer.from(fx.accessToken.slice(dot + 1), "base64url");
const floor = await measure(() => {
  if (!verify("sha256", input, key, sig)) throw new Error("bad signature");
}, { warmup: scale(2000), iterations: scale(20000) });

console.log(JSON.stringify({
  library: "aws-jwt-verify",
  version: version("aws-jwt-verify"),
  node: process.version,
  token_bytes: fx.accessToken.length,
  first_ns: first,
  cold_ns: cold,
  warm_sync_ns: warmSync,
  warm_async_ns: warmAsync,
  node_floor_ns: floor,
}));
