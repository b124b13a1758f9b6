// The Node reference for monban's authorizer: an API Gateway HTTP API (payload 2.0, simple
// responses) Lambda authorizer for Cognito access tokens, as a Node team would write it with
// aws-jwt-verify, the library AWS publishes for this job, and the same small bounded cache of
// verified tokens monban's authorizer keeps. make bench runs it warm in-process
// (round.mjs) and cold under the Runtime API harness (lambda-bootstrap.mjs).
import { require } from "./common.mjs";

const { CognitoJwtVerifier } = require("aws-jwt-verify");
const { SimpleJwksCache } = require("aws-jwt-verify/jwk");
const { SimpleFetcher } = require("aws-jwt-verify/https");

// TokenCache is a least-recently-used map of verified tokens, keyed by the raw token string,
// whose entries are never served at or after the token's exp: the shape of monban's
// internal/tokencache. A Map keeps insertion order, so the first key is the least recently
// used once every hit re-inserts its entry.
export class TokenCache {
  constructor(capacity = 1024) {
    this.capacity = capacity;
    this.map = new Map();
  }

  get(token, nowSeconds) {
    const e = this.map.get(token);
    if (e === undefined) return undefined;
    this.map.delete(token);
    if (nowSeconds >= e.exp) return undefined;
    this.map.set(token, e);
    return e.payload;
  }

  set(token, payload, nowSeconds) {
    if (nowSeconds >= payload.exp) return;
    if (this.map.size >= this.capacity && !this.map.has(token)) this.map.delete(this.map.keys().next().value);
    this.map.set(token, { payload, exp: payload.exp });
  }
}

// createAuthorizer returns the verifier and the handler. jwksUri, when given, is where the
// key set is fetched from instead of the pool's Cognito URL (a local HTTPS server in the
// benchmark), through aws-jwt-verify's own fetcher.
export function createAuthorizer({ userPoolId, clientId, jwksUri, cacheSize = 1024 }) {
  const fetcher = new SimpleFetcher();
  const jwksCache = new SimpleJwksCache({
    fetcher: jwksUri ? { fetch: (_uri, options, data) => fetcher.fetch(jwksUri, options, data) } : fetcher,
  });
  const verifier = CognitoJwtVerifier.create({ userPoolId, tokenUse: "access", clientId }, { jwksCache });
  const cache = new TokenCache(cacheSize);
  const refused = { isAuthorized: false };

  // The context is what monban's authorizer puts in its own (pkg/monbanauth
  // AuthorizerContext), so that both responses carry the same.
  const allowed = (p) => ({
    isAuthorized: true,
    context: {
      sub: p.sub,
      username: p.username ?? "",
      groups: JSON.stringify(p["cognito:groups"] ?? []),
      scope: p.scope ?? "",
      client_id: p.client_id,
      exp: p.exp,
      via: "bearer",
    },
  });

  const bearer = (event) => {
    const h = event.headers?.authorization;
    return typeof h === "string" && h.startsWith("Bearer ") ? h.slice(7) : undefined;
  };

  // handler is the warm path, synchronous once the keys are cached (hydrate).
  function handler(event) {
    const token = bearer(event);
    if (token === undefined) return refused;
    const now = Date.now() / 1000;
    let payload = cache.get(token, now);
    if (payload === undefined) {
      try {
        payload = verifier.verifySync(token);
      } catch {
        return refused;
      }
      cache.set(token, payload, now);
    }
    return allowed(payload);
  }

  // handle is the documented async entry point: it fetches the key set when it is not yet
  // cached (a cold start without hydrate).
  async function handle(event) {
    const token = bearer(event);
    if (token === undefined) return refused;
    const now = Date.now() / 1000;
    let payload = cache.get(token, now);
    if (payload === undefined) {
      try {
        payload = await verifier.verify(token);
      } catch {
        return refused;
      }
      cache.set(token, payload, now);
    }
    return allowed(payload);
  }

  return { verifier, cache, handler, handle };
}
