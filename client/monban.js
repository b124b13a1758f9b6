// monban's browser client: one dependency-free ES module for monban's /auth API. The API
// serves this same file at /auth/client.js (import it from there without a bundler); npm
// installs it as @monban-auth/client. Types and documentation: monban.d.ts, README.md.
//
// Cookie mode (the default) keeps nothing secret in page script: the session lives in
// HttpOnly cookies and every request simply includes them. Token mode (cross-site
// frontends, MONBAN_TOKEN_MODE=true on the server) keeps the tokens the server hands out in
// `storage` and sends the access token as a bearer token.

/** Refresh a stored access token this long before it expires (clocks drift, requests take time). */
const REFRESH_MARGIN_MS = 60_000;

/** The one error type every function rejects with. */
export class MonbanError extends Error {
  /**
   * @param {string} code the server's stable code, or a client-side one (network_error, invalid_response)
   * @param {string} message safe to show a user
   * @param {number} [status] the HTTP status; 0 when no HTTP answer was involved
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, status = 0, options = undefined) {
    super(message, options);
    this.name = "MonbanError";
    this.code = code;
    this.status = status;
  }
}

/** What each challenge's answer must carry, as answerChallenge's input keys. */
function needsOf(name, parameters) {
  switch (name) {
    case "NEW_PASSWORD_REQUIRED":
      return Array.isArray(parameters.required_attributes) && parameters.required_attributes.length > 0
        ? ["newPassword", "attributes"]
        : ["newPassword"];
    case "SOFTWARE_TOKEN_MFA":
    case "SMS_MFA":
    case "EMAIL_OTP":
      return ["code"];
    case "MFA_SETUP":
      // The code from the authenticator app set up with parameters.secret. Without a secret
      // (no authenticator app on offer) nothing the site's forms can send finishes the sign-in.
      return typeof parameters.secret === "string" && parameters.secret !== "" ? ["code"] : [];
    case "SELECT_MFA_TYPE":
      return ["mfaType"];
    case "SELECT_CHALLENGE":
      return ["factor"];
    case "PASSWORD":
      return ["password"];
    case "WEB_AUTHN":
      // The authenticator's answer: signInWithPasskey() gets it and answers.
      return ["credential"];
    default:
      return []; // a challenge this client does not know (a newer server)
  }
}

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** What navigator.credentials' refusal (a DOMException) means, as a MonbanError. */
function passkeyError(kind, cause) {
  switch (cause?.name) {
    case "NotAllowedError": // cancelled, timed out, or no passkey for this site on the device
    case "AbortError":
      return new MonbanError(
        "passkey_cancelled",
        kind === "get" ? "No passkey was used: the request was cancelled or timed out." : "No passkey was created: the request was cancelled or timed out.",
        0,
        { cause },
      );
    case "InvalidStateError":
      if (kind === "create") {
        return new MonbanError("passkey_exists", "This device already holds a passkey for this account.", 0, { cause });
      }
      break;
    case "NotSupportedError":
      return new MonbanError("passkey_unsupported", "This browser or device cannot use passkeys.", 0, { cause });
  }
  // SecurityError (the page is not on the passkeys' domain), or anything else.
  return new MonbanError("passkey_failed", "The passkey could not be used on this page.", 0, { cause });
}

// --- WebAuthn's JSON forms ------------------------------------------------------------------
// Cognito hands out and takes WebAuthn options and credentials in their JSON forms (WebAuthn
// Level 3: binary members as base64url strings); navigator.credentials takes and returns
// ArrayBuffers. Browsers that have PublicKeyCredential.parse*OptionsFromJSON and
// credential.toJSON() convert on their own; for the others these do the same.

/** Bytes (an ArrayBuffer or a view) as base64url without padding (RFC 4648 §5). */
export function toBase64url(bytes) {
  const b =
    bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let bin = "";
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** A base64url string (padding optional) as an ArrayBuffer; a TypeError when it is not one. */
export function fromBase64url(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new TypeError("not base64url");
  const bare = text.replace(/=+$/, "");
  if (bare.length % 4 === 1) throw new TypeError("not base64url");
  const bin = atob(bare.replaceAll("-", "+").replaceAll("_", "/") + "==".slice(0, (4 - (bare.length % 4)) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

/** A PublicKeyCredentialDescriptorJSON list with its ids as bytes. */
const descriptors = (list) => (Array.isArray(list) ? list.map((d) => ({ ...d, id: fromBase64url(d?.id) })) : list);

/** PublicKeyCredentialRequestOptionsJSON → the options navigator.credentials.get takes. */
function requestOptions(json) {
  const o = { ...json, challenge: fromBase64url(json.challenge) };
  if (json.allowCredentials !== undefined) o.allowCredentials = descriptors(json.allowCredentials);
  return o;
}

/** PublicKeyCredentialCreationOptionsJSON → the options navigator.credentials.create takes. */
function creationOptions(json) {
  const o = { ...json, challenge: fromBase64url(json.challenge), user: { ...json.user, id: fromBase64url(json.user?.id) } };
  if (json.excludeCredentials !== undefined) o.excludeCredentials = descriptors(json.excludeCredentials);
  return o;
}

const b64 = (v) => (v instanceof ArrayBuffer || ArrayBuffer.isView(v) ? toBase64url(v) : v);

/** An authenticator's answer (PublicKeyCredential) as AuthenticationResponseJSON or RegistrationResponseJSON. */
function credentialJSON(cred) {
  if (isObject(cred) && typeof cred.rawId === "string") return cred; // its JSON form already
  if (typeof cred?.toJSON === "function") {
    try {
      const j = cred.toJSON();
      if (isObject(j) && typeof j.id === "string" && isObject(j.response)) return j;
    } catch {
      // some password managers' stand-ins for PublicKeyCredential fail here: convert by hand
    }
  }
  const r = cred.response ?? {};
  const response = { clientDataJSON: b64(r.clientDataJSON) };
  if (r.attestationObject !== undefined) {
    // A registration: AuthenticatorAttestationResponseJSON.
    response.attestationObject = b64(r.attestationObject);
    const call = (name) => (typeof r[name] === "function" ? r[name]() : undefined);
    const data = call("getAuthenticatorData");
    if (data) response.authenticatorData = b64(data);
    response.transports = call("getTransports") ?? [];
    const key = call("getPublicKey");
    if (key) response.publicKey = b64(key);
    const alg = call("getPublicKeyAlgorithm");
    if (typeof alg === "number") response.publicKeyAlgorithm = alg;
  } else {
    // A sign-in: AuthenticatorAssertionResponseJSON.
    response.authenticatorData = b64(r.authenticatorData);
    response.signature = b64(r.signature);
    if (r.userHandle) response.userHandle = b64(r.userHandle);
  }
  const j = {
    id: cred.id,
    rawId: b64(cred.rawId),
    response,
    clientExtensionResults: typeof cred.getClientExtensionResults === "function" ? cred.getClientExtensionResults() : {},
    type: cred.type ?? "public-key",
  };
  if (cred.authenticatorAttachment) j.authenticatorAttachment = cred.authenticatorAttachment;
  return j;
}

function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
  };
}

// Reading localStorage can itself throw (storage disabled, sandboxed frames).
function browserStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Hands each client the function configure() uses to change it. */
const reconfigurers = new WeakMap();

/**
 * A client with its own settings, pending challenge and listeners.
 * @param {object} [options] ClientOptions in monban.d.ts
 */
export function createClient(options = {}) {
  let opts = {};
  let cfg; // resolved from opts by apply()
  const listeners = new Set();
  let pending = null; // the challenge being answered: { name, token }
  let cachedToken = null; // cookie mode: GET /auth/token's last answer, { value, expiresAt }
  let refreshing = null; // token mode: the refresh in flight, shared by concurrent callers
  let announce = false; // token mode: tokens came in the URL fragment; tell listeners once the session is known
  let channel; // undefined: not opened yet; null: none available
  let unlistenStorage = null;
  let fallbackStorage = null; // when the configured storage refuses writes

  function apply(o) {
    if (channel) channel.close();
    unlistenStorage?.();
    opts = { ...o };
    cfg = {
      baseUrl: String(o.baseUrl ?? "").replace(/\/+$/, ""),
      tokenMode: o.tokenMode === true,
      key: o.storageKey ?? "monban",
      // Called as a plain function: the browser's fetch refuses any other `this`.
      fetch: o.fetch ? (url, init) => (0, o.fetch)(url, init) : (url, init) => globalThis.fetch(url, init),
      now: o.now ?? (() => Date.now()),
    };
    pending = cachedToken = refreshing = fallbackStorage = null;
    announce = false;
    channel = undefined;
    unlistenStorage = null;
    if (listeners.size) listenRemote();
  }

  // --- environment (resolved late: nothing is touched at import) ---------------------

  // An option left undefined takes the browser's object; null turns the feature off.
  const pick = (name, browser) => (opts[name] === undefined ? browser() : opts[name]);
  const loc = () => pick("location", () => globalThis.location);
  const hist = () => pick("history", () => globalThis.history);
  const navigate = (url) => (opts.navigate ? (0, opts.navigate)(url) : loc().assign(url));

  function tokenStore() {
    if (fallbackStorage) return fallbackStorage;
    return opts.storage ?? browserStorage() ?? (fallbackStorage = memoryStorage());
  }

  // --- passkeys (navigator.credentials) ----------------------------------------------------

  const credentialsApi = () => pick("credentials", () => globalThis.navigator?.credentials);
  const pkc = () => pick("PublicKeyCredential", () => globalThis.PublicKeyCredential);

  function passkeysSupported() {
    const c = credentialsApi();
    return Boolean(pkc()) && typeof c?.get === "function" && typeof c?.create === "function";
  }

  /**
   * Runs one WebAuthn ceremony: kind "get" (sign in) or "create" (register) with the options
   * as Cognito gave them (JSON), and resolves with the authenticator's answer as JSON.
   */
  async function ceremony(kind, json, signal) {
    if (!passkeysSupported()) {
      throw new MonbanError("passkey_unsupported", "This browser cannot use passkeys.", 0);
    }
    if (!isObject(json) || typeof json.challenge !== "string") throw invalid(200, "malformed WebAuthn options");
    const P = pkc();
    const native = kind === "get" ? P.parseRequestOptionsFromJSON : P.parseCreationOptionsFromJSON;
    let publicKey;
    if (typeof native === "function") {
      try {
        publicKey = native.call(P, json);
      } catch {
        // The browser refused the options: convert them by hand, which refuses what is
        // not base64url and passes the rest on for navigator.credentials to judge.
      }
    }
    if (publicKey === undefined) {
      try {
        publicKey = kind === "get" ? requestOptions(json) : creationOptions(json);
      } catch {
        throw invalid(200, "malformed WebAuthn options");
      }
    }
    const init = { publicKey };
    if (signal) init.signal = signal;
    let cred;
    try {
      const c = credentialsApi();
      cred = await (kind === "get" ? c.get(init) : c.create(init));
    } catch (cause) {
      throw passkeyError(kind, cause);
    }
    if (!cred) throw new MonbanError("passkey_cancelled", "No passkey was used.", 0);
    return credentialJSON(cred);
  }

  // --- HTTP ----------------------------------------------------------------------------

  /**
   * One request to the API. Resolves with the JSON object of a 2xx answer; rejects with a
   * MonbanError otherwise.
   */
  async function request(method, path, { body, query, bearer } = {}) {
    let url = cfg.baseUrl + path;
    if (query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) q.set(k, String(v));
      const qs = q.toString();
      if (qs) url += "?" + qs;
    }
    const headers = { Accept: "application/json" };
    const init = { method, headers, credentials: "include" };
    if (method === "POST") {
      // The CSRF rule: a cross-site form cannot send this type without a CORS preflight.
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body ?? {});
    }
    if (bearer) headers.Authorization = "Bearer " + bearer;
    let res, text;
    try {
      res = await cfg.fetch(url, init);
      text = await res.text();
    } catch (cause) {
      throw new MonbanError("network_error", "The sign-in service could not be reached.", 0, { cause });
    }
    let data;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!res.ok) throw errorOf(res.status, data);
    if (!isObject(data)) throw invalid(res.status, "not a JSON object");
    return data;
  }

  function errorOf(status, data) {
    const e = isObject(data) ? data.error : undefined;
    if (isObject(e) && typeof e.code === "string") {
      return new MonbanError(e.code, typeof e.message === "string" ? e.message : e.code, status);
    }
    // API Gateway's own throttling answers 429 with its own body, not monban's.
    if (status === 429) return new MonbanError("too_many_requests", "Too many requests; try again later.", status);
    return invalid(status, "an error without monban's error body");
  }

  const invalid = (status, what) =>
    new MonbanError("invalid_response", `Unexpected answer from the sign-in service (${what}).`, status);

  const post = (path, body, extra) => request("POST", path, { body, ...extra });

  // --- sessions and outcomes --------------------------------------------------------------

  /** The Session in an answer (wire shape, tokens left out), or null for {"user": null}. */
  function sessionOf(data, status = 200) {
    if (data.user === null || data.user === undefined) return null;
    if (!isObject(data.user) || typeof data.expires_at !== "string") throw invalid(status, "malformed session");
    return { user: data.user, expires_at: data.expires_at };
  }

  /** Turns a sign-in, challenge or sign-up answer into { session, challenge }. */
  function outcome(data) {
    if (typeof data.challenge === "string") {
      const parameters = isObject(data.parameters) ? data.parameters : {};
      pending = { name: data.challenge, token: typeof data.challenge_token === "string" ? data.challenge_token : null, parameters };
      return { session: null, challenge: { name: data.challenge, parameters, needs: needsOf(data.challenge, parameters) } };
    }
    const session = sessionOf(data);
    if (!session) throw invalid(200, "neither a session nor a challenge");
    pending = null;
    if (cfg.tokenMode) saveTokens(data.tokens, null);
    emit(session);
    return { session, challenge: null };
  }

  // --- token mode storage ----------------------------------------------------------------

  const tokensKey = () => cfg.key + ".tokens";

  function readTokens() {
    let raw = null;
    try {
      raw = tokenStore().getItem(tokensKey());
    } catch {
      return null;
    }
    if (!raw) return null;
    try {
      const t = JSON.parse(raw);
      if (isObject(t) && typeof t.access_token === "string" && t.access_token && Number.isFinite(t.expires_at)) return t;
    } catch {
      // a foreign or damaged value: treat as signed out
    }
    return null;
  }

  function writeTokens(t) {
    const raw = JSON.stringify(t);
    try {
      tokenStore().setItem(tokensKey(), raw);
    } catch {
      // Storage full or refused (private browsing): keep the tokens for this page at least.
      fallbackStorage = memoryStorage();
      fallbackStorage.setItem(tokensKey(), raw);
    }
  }

  function forgetTokens() {
    try {
      tokenStore().removeItem(tokensKey());
    } catch {
      // nothing stored, then
    }
  }

  /** Stores an answer's `tokens`; keepRefresh is the refresh token to keep when none came. */
  function saveTokens(w, keepRefresh) {
    if (!isObject(w) || typeof w.access_token !== "string" || !w.access_token) {
      throw new MonbanError(
        "invalid_response",
        "The sign-in service returned no tokens: token mode needs MONBAN_TOKEN_MODE=true on the server.",
        200,
      );
    }
    const expiresAt = Date.parse(w.expires_at);
    if (!Number.isFinite(expiresAt)) throw invalid(200, "malformed tokens.expires_at");
    const t = {
      access_token: w.access_token,
      id_token: typeof w.id_token === "string" ? w.id_token : null,
      // Without refresh-token rotation a refresh answer carries none: the old one stays good.
      refresh_token: typeof w.refresh_token === "string" && w.refresh_token ? w.refresh_token : keepRefresh,
      expires_at: expiresAt,
    };
    writeTokens(t);
    return t;
  }

  /** After the hosted-UI callback the tokens arrive in the URL fragment: store them, then clear it. */
  function pickUpFragment() {
    const l = loc();
    const hash = l?.hash;
    if (!hash || !hash.includes("access_token=")) return;
    const p = new URLSearchParams(hash.slice(1));
    const access = p.get("access_token");
    const seconds = Number(p.get("expires_at"));
    if (!access || !Number.isFinite(seconds) || seconds <= 0) return;
    // Out of the address bar and history before anything can copy or share the URL.
    try {
      const h = hist();
      h.replaceState(h.state, "", l.pathname + l.search);
    } catch {
      // no history API: nothing more to do
    }
    if (readTokens()?.access_token === access) return; // already taken (no history API to clear it)
    writeTokens({
      access_token: access,
      id_token: p.get("id_token"),
      refresh_token: p.get("refresh_token") || null,
      expires_at: seconds * 1000,
    });
    pending = null;
    announce = true;
  }

  const fresh = (t) => t.expires_at - cfg.now() > REFRESH_MARGIN_MS;

  /** The stored tokens, refreshed first when near expiry; null when signed out. */
  async function currentTokens() {
    pickUpFragment();
    const t = readTokens();
    if (!t || fresh(t)) return t;
    return refreshTokens(t, false);
  }

  // Tabs share the stored refresh token; with refresh-token rotation two tabs refreshing at
  // once would race, so the refresh runs under a Web Lock when the browser has them.
  function withLock(fn) {
    const locks = pick("locks", () => globalThis.navigator?.locks);
    return locks ? locks.request(cfg.key + ".refresh", fn) : fn();
  }

  /**
   * Refreshes the stored tokens (seen is what the caller found stored). force: the server
   * refused the access token before its time. Resolves with the tokens to use, or null
   * when the session has ended.
   */
  function refreshTokens(seen, force) {
    refreshing ??= withLock(async () => {
      const t = readTokens();
      if (!t) return null;
      // Another tab may have refreshed while this one waited.
      if (t.access_token !== seen.access_token && fresh(t)) return t;
      if (!t.refresh_token) {
        if (!force && t.expires_at > cfg.now()) return t;
        ended();
        return null;
      }
      let data;
      try {
        data = await post("/auth/refresh", { refresh_token: t.refresh_token });
      } catch (e) {
        if (e.status === 401) {
          ended();
          return null;
        }
        // Cognito or the network is down: the current token still works until it expires.
        if (!force && t.expires_at > cfg.now()) return t;
        throw e;
      }
      if (!sessionOf(data)) throw invalid(200, "a refresh without a session");
      return saveTokens(data.tokens, t.refresh_token);
    }).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /** The stored session is over (refused or revoked): forget it and say so. */
  function ended() {
    forgetTokens();
    emit(null);
  }

  // --- session-change events ----------------------------------------------------------------

  function notify(session) {
    for (const cb of [...listeners]) {
      try {
        cb(session);
      } catch (err) {
        // One broken listener must not keep the others from hearing.
        const report = globalThis.reportError ?? ((e) => queueMicrotask(() => { throw e; }));
        report(err);
      }
    }
  }

  /** A change made in this tab: listeners here, then every other tab. */
  function emit(session) {
    cachedToken = null;
    notify(session);
    tellOthers();
  }

  const signalKey = () => cfg.key + ".signal";

  function openChannel() {
    if (channel !== undefined) return channel;
    channel = null;
    const BC = pick("BroadcastChannel", () => globalThis.BroadcastChannel);
    if (typeof BC !== "function") return channel;
    try {
      const ch = new BC(cfg.key);
      ch.unref?.(); // Node: an idle channel must not keep the process alive
      ch.addEventListener("message", (ev) => {
        if (ev?.data?.type === "monban:session") fromOtherTab();
      });
      channel = ch;
    } catch {
      channel = null;
    }
    return channel;
  }

  // The message carries no session and no token: the other tab asks the server itself.
  function tellOthers() {
    const ch = openChannel();
    if (ch) {
      ch.postMessage({ type: "monban:session" });
      return;
    }
    // No BroadcastChannel: a changing localStorage value fires "storage" in the other tabs.
    const s = opts.storage ?? browserStorage();
    try {
      s?.setItem(signalKey(), cfg.now() + ":" + Math.random().toString(36).slice(2));
    } catch {
      // no storage either: other tabs learn at their next getSession()
    }
  }

  function listenRemote() {
    if (openChannel() || unlistenStorage) return;
    const w = pick("window", () => globalThis);
    if (typeof w?.addEventListener !== "function") return;
    const onStorage = (ev) => {
      if (ev?.key === signalKey()) fromOtherTab();
    };
    w.addEventListener("storage", onStorage);
    unlistenStorage = () => w.removeEventListener("storage", onStorage);
  }

  function fromOtherTab() {
    cachedToken = null;
    if (!listeners.size) return;
    getSession().then(notify, () => {
      // offline: the next getSession() will tell
    });
  }

  // --- the API ---------------------------------------------------------------------------

  async function getSession() {
    if (!cfg.tokenMode) {
      try {
        return sessionOf(await request("GET", "/auth/session"));
      } catch (e) {
        if (e.status === 401) return null; // servers before 200 {"user": null}
        throw e;
      }
    }
    let t = await currentTokens();
    for (let attempt = 0; t; attempt++) {
      let session;
      try {
        session = sessionOf(await request("GET", "/auth/session", { bearer: t.access_token }));
      } catch (e) {
        if (e.status !== 401) throw e;
        session = null;
      }
      if (session) {
        if (announce) {
          announce = false;
          emit(session);
        }
        return session;
      }
      // Refused before its time (revoked, or the clocks disagree): one refresh, then give up.
      if (attempt > 0) {
        ended();
        return null;
      }
      t = await refreshTokens(t, true);
    }
    return null;
  }

  function defaultRedirect() {
    const l = loc();
    if (!l) return "/";
    const here = l.pathname + l.search;
    // The server resolves a path against its own site URL; an API on another origin may
    // serve several sites, so name this one in full.
    if (!cfg.baseUrl) return here;
    try {
      return new URL(cfg.baseUrl, l.href).origin === l.origin ? here : l.origin + here;
    } catch {
      return here;
    }
  }

  function signInWithRedirect({ redirectTo, provider, screen } = {}) {
    const q = new URLSearchParams({ redirect_to: redirectTo ?? defaultRedirect() });
    if (provider) q.set("identity_provider", provider);
    if (screen) q.set("screen", screen);
    navigate(cfg.baseUrl + "/auth/sign-in?" + q);
  }

  // The identity providers managed login may be sent straight to (besides COGNITO), for a
  // page that offers "Sign in with Google" only where it works.
  async function providers() {
    const data = await request("GET", "/auth/providers");
    if (!Array.isArray(data.providers) || !data.providers.every((p) => typeof p === "string")) {
      throw invalid(200, "malformed provider list");
    }
    return data.providers;
  }

  async function signIn({ email, username, password } = {}) {
    pending = null; // a new sign-in replaces any challenge left from an earlier one
    return outcome(await post("/auth/sign-in/password", { email, username, password }));
  }

  async function answerChallenge({ code, newPassword, mfaType, attributes, factor, password, credential } = {}) {
    const body = {
      // Naming the challenge lets the server refuse an answer meant for another sign-in
      // (the challenge cookie is shared by every tab).
      challenge: pending?.name,
      code,
      new_password: newPassword,
      mfa_type: mfaType,
      attributes,
      factor,
      password,
      // A PublicKeyCredential as it came from navigator.credentials.get, or its JSON already.
      credential: credential === undefined || credential === null ? undefined : credentialJSON(credential),
      challenge_token: pending?.token ?? undefined,
    };
    try {
      return outcome(await post("/auth/challenge", body));
    } catch (e) {
      // A wrong code may be retried; a dead challenge may not.
      if (e.code === "no_pending_challenge" || e.code === "unauthenticated") pending = null;
      throw e;
    }
  }

  async function startSignIn({ email, username, factor } = {}) {
    pending = null;
    return outcome(await post("/auth/sign-in/start", { email, username, factor }));
  }

  async function signInWithPasskey({ email, username, signal } = {}) {
    if (!passkeysSupported()) throw new MonbanError("passkey_unsupported", "This browser cannot use passkeys.", 0);
    let out;
    if (email !== undefined || username !== undefined) {
      out = await startSignIn({ email, username, factor: "WEB_AUTHN" });
    } else if (pending?.name === "SELECT_CHALLENGE") {
      out = await answerChallenge({ factor: "WEB_AUTHN" });
    } else if (pending?.name === "WEB_AUTHN") {
      // Another try at the pending prompt (the first was cancelled): its options still hold.
      const parameters = pending.parameters ?? {};
      out = { session: null, challenge: { name: "WEB_AUTHN", parameters, needs: needsOf("WEB_AUTHN", parameters) } };
    } else {
      throw new MonbanError("invalid_request", "Enter your e-mail address to sign in with a passkey.", 0);
    }
    // Another prompt (the account has no passkey, and the server offers something else):
    // the caller's to show.
    if (out.challenge?.name !== "WEB_AUTHN") return out;
    const credential = await ceremony("get", out.challenge.parameters.options, signal);
    return answerChallenge({ credential });
  }

  async function sendEmailCode({ email, username } = {}) {
    return startSignIn({ email, username, factor: "EMAIL_OTP" });
  }

  async function answerEmailCode(code) {
    return answerChallenge({ code: isObject(code) ? code.code : code });
  }

  async function signUp({ email, username, password, attributes, signIn: andSignIn = true } = {}) {
    const data = await post("/auth/sign-up", { email, username, password, attributes, sign_in: andSignIn });
    if (typeof data.user_confirmed !== "boolean") throw invalid(200, "malformed sign-up answer");
    const result = {
      userConfirmed: data.user_confirmed,
      delivery: isObject(data.delivery) ? data.delivery : null,
      session: null,
      challenge: null,
    };
    if (typeof data.challenge === "string" || isObject(data.user)) Object.assign(result, outcome(data));
    return result;
  }

  async function confirmSignUp({ email, username, code } = {}) {
    await post("/auth/confirm-sign-up", { email, username, code });
  }

  async function resendCode({ email, username } = {}) {
    const data = await post("/auth/resend-code", { email, username });
    if (!isObject(data.delivery)) throw invalid(200, "no delivery");
    return data.delivery;
  }

  async function forgotPassword({ email, username } = {}) {
    await post("/auth/forgot-password", { email, username });
  }

  async function confirmForgotPassword({ email, username, code, password } = {}) {
    await post("/auth/confirm-forgot-password", { email, username, code, password });
  }

  /** Token mode: the session endpoints take the access token as a bearer token. */
  async function bearer() {
    return cfg.tokenMode ? (await currentTokens())?.access_token : undefined;
  }

  async function changePassword({ previousPassword, proposedPassword } = {}) {
    await post(
      "/auth/change-password",
      { previous_password: previousPassword, proposed_password: proposedPassword },
      { bearer: await bearer() },
    );
  }

  async function setUpTotp() {
    const data = await post("/auth/mfa/totp/setup", {}, { bearer: await bearer() });
    if (typeof data.secret !== "string" || typeof data.otpauth_uri !== "string") throw invalid(200, "malformed TOTP set-up");
    return { secret: data.secret, otpauthUri: data.otpauth_uri };
  }

  async function verifyTotp({ code, friendlyName } = {}) {
    await post("/auth/mfa/totp/verify", { code, friendly_name: friendlyName }, { bearer: await bearer() });
  }

  async function registerPasskey({ signal } = {}) {
    if (!passkeysSupported()) throw new MonbanError("passkey_unsupported", "This browser cannot use passkeys.", 0);
    const data = await post("/auth/passkeys/register/start", {}, { bearer: await bearer() });
    const credential = await ceremony("create", data.options, signal);
    await post("/auth/passkeys/register/finish", { credential }, { bearer: await bearer() });
  }

  async function listPasskeys() {
    const data = await request("GET", "/auth/passkeys", { bearer: await bearer() });
    if (!Array.isArray(data.passkeys) || !data.passkeys.every((k) => isObject(k) && typeof k.id === "string")) {
      throw invalid(200, "malformed passkey list");
    }
    return data.passkeys;
  }

  async function deletePasskey(id) {
    await post("/auth/passkeys/delete", { id: isObject(id) ? id.id : id }, { bearer: await bearer() });
  }

  // --- the account: profile and deletion ------------------------------------------------

  const stringMap = (v) => isObject(v) && Object.values(v).every((x) => typeof x === "string");
  const deliveries = (v) =>
    Array.isArray(v) && v.every((d) => isObject(d) && typeof d.attribute === "string" && typeof d.medium === "string");

  /**
   * A request of the signed-in user. A refused session (the account deleted, or signed out
   * everywhere) is a 401 unauthenticated after which the server has cleared its cookies, so
   * this page is signed out too; token mode forgets the tokens it sent.
   */
  async function asUser(method, path, body) {
    const token = await bearer();
    try {
      return await request(method, path, { body, bearer: token });
    } catch (e) {
      if (e.code === "unauthenticated") {
        if (!cfg.tokenMode) emit(null);
        else if (token) ended();
      }
      throw e;
    }
  }

  /**
   * After a change to the profile the server has refreshed the session cookies, so the
   * session's claims follow it: re-read the session and tell listeners, here and in the other
   * tabs. Token mode: the page holds the refresh token, so the client refreshes. Best effort:
   * the change itself has been made.
   */
  async function follow() {
    try {
      if (!cfg.tokenMode) emit(sessionOf(await request("GET", "/auth/session")));
      else if (readTokens()?.refresh_token) await refresh();
    } catch {
      // the next getSession() or refresh() tells
    }
  }

  async function profile() {
    const data = await asUser("GET", "/auth/profile");
    if (typeof data.username !== "string" || !stringMap(data.attributes)) throw invalid(200, "malformed profile");
    return { username: data.username, attributes: data.attributes };
  }

  async function updateProfile(attributes) {
    const data = await asUser("POST", "/auth/profile", { attributes });
    await follow();
    if (!stringMap(data.attributes) || !deliveries(data.verification)) throw invalid(200, "malformed profile update");
    return { attributes: data.attributes, verification: data.verification };
  }

  async function verifyAttribute(attribute, code) {
    const data = await asUser("POST", "/auth/profile/verify", { attribute, code });
    await follow();
    if (!stringMap(data.attributes)) throw invalid(200, "malformed profile");
    return { attributes: data.attributes };
  }

  async function resendAttributeCode(attribute) {
    const data = await asUser("POST", "/auth/profile/resend-code", { attribute });
    if (!deliveries(data.verification)) throw invalid(200, "malformed verification list");
    return { verification: data.verification };
  }

  async function deleteAccount({ password } = {}) {
    // An empty password (a form's empty field) is none: a recent sign-in may be enough.
    const data = await asUser("POST", "/auth/account/delete", { password: password === "" ? undefined : password });
    // The account is gone and the server has cleared the cookies: signed out in every tab.
    pending = null;
    announce = false;
    if (cfg.tokenMode) forgetTokens();
    emit(null);
    if (data.deleted !== true) throw invalid(200, "malformed deletion answer");
    return { deleted: true };
  }

  async function refresh() {
    if (!cfg.tokenMode) {
      let data;
      try {
        data = await post("/auth/refresh", {});
      } catch (e) {
        if (e.code === "unauthenticated") emit(null); // the server has cleared the cookies
        throw e;
      }
      const session = sessionOf(data);
      if (!session) throw invalid(200, "a refresh without a session");
      emit(session);
      return session;
    }
    pickUpFragment();
    const session = await withLock(async () => {
      const t = readTokens();
      if (!t?.refresh_token) throw new MonbanError("unauthenticated", "Not signed in.", 0);
      let data;
      try {
        data = await post("/auth/refresh", { refresh_token: t.refresh_token });
      } catch (e) {
        if (e.status === 401) ended();
        throw e;
      }
      const s = sessionOf(data);
      if (!s) throw invalid(200, "a refresh without a session");
      saveTokens(data.tokens, t.refresh_token);
      return s;
    });
    announce = false;
    emit(session);
    return session;
  }

  async function getAccessToken() {
    if (cfg.tokenMode) return (await currentTokens())?.access_token ?? null;
    if (cachedToken && cachedToken.expiresAt - cfg.now() > REFRESH_MARGIN_MS) return cachedToken.value;
    let data;
    try {
      data = await request("GET", "/auth/token");
    } catch (e) {
      if (e.status === 401) {
        cachedToken = null;
        return null;
      }
      throw e; // not_found: the server's token endpoint is off (MONBAN_TOKEN_ENDPOINT)
    }
    const expiresAt = Date.parse(data.expires_at);
    if (typeof data.access_token !== "string" || !Number.isFinite(expiresAt)) throw invalid(200, "malformed token answer");
    cachedToken = { value: data.access_token, expiresAt };
    return data.access_token;
  }

  async function signOut({ global = false, logoutUri, redirect = true } = {}) {
    let refreshToken;
    if (cfg.tokenMode) {
      pickUpFragment();
      refreshToken = readTokens()?.refresh_token ?? undefined;
    }
    const signedOut = () => {
      pending = null;
      announce = false;
      if (cfg.tokenMode) forgetTokens();
      emit(null);
    };
    let data;
    try {
      data = await post(
        "/auth/sign-out",
        // Token mode: the page holds the refresh token, so it must hand it over to be revoked.
        { refresh_token: refreshToken },
        { query: { global: global ? "true" : undefined, logout_uri: logoutUri } },
      );
    } catch (e) {
      // A failed global sign-out still signs this browser out (and clears its cookies);
      // a refused or malformed request changes nothing.
      if (e.code === "unauthenticated" || e.code === "upstream_unavailable") signedOut();
      throw e;
    }
    signedOut();
    if (typeof data.logout_url !== "string") throw invalid(200, "no logout_url");
    // Cognito's /logout ends the managed-login session too, then returns to the site.
    if (redirect) navigate(data.logout_url);
    return { logoutUrl: data.logout_url };
  }

  function onSessionChange(callback) {
    if (typeof callback !== "function") throw new TypeError("onSessionChange needs a function");
    const entry = (s) => callback(s); // its own identity: the same callback may subscribe twice
    listeners.add(entry);
    listenRemote();
    return () => {
      listeners.delete(entry);
      if (!listeners.size) {
        unlistenStorage?.();
        unlistenStorage = null;
      }
    };
  }

  const client = Object.freeze({
    getSession,
    signInWithRedirect,
    providers,
    signIn,
    answerChallenge,
    startSignIn,
    signInWithPasskey,
    sendEmailCode,
    answerEmailCode,
    signUp,
    confirmSignUp,
    resendCode,
    forgotPassword,
    confirmForgotPassword,
    changePassword,
    setUpTotp,
    verifyTotp,
    passkeysSupported,
    registerPasskey,
    listPasskeys,
    deletePasskey,
    profile,
    updateProfile,
    verifyAttribute,
    resendAttributeCode,
    deleteAccount,
    refresh,
    getAccessToken,
    signOut,
    onSessionChange,
  });
  apply(options);
  reconfigurers.set(client, apply);
  return client;
}

const defaultClient = createClient();

/**
 * Sets the default client's options (the one the named functions use), replacing the
 * previous ones. Listeners stay subscribed; a pending challenge is forgotten.
 */
export function configure(options = {}) {
  reconfigurers.get(defaultClient)(options);
}

export function getSession() {
  return defaultClient.getSession();
}
export function signInWithRedirect(options) {
  return defaultClient.signInWithRedirect(options);
}
export function providers() {
  return defaultClient.providers();
}
export function signIn(input) {
  return defaultClient.signIn(input);
}
export function answerChallenge(answer) {
  return defaultClient.answerChallenge(answer);
}
export function startSignIn(input) {
  return defaultClient.startSignIn(input);
}
export function signInWithPasskey(input) {
  return defaultClient.signInWithPasskey(input);
}
export function sendEmailCode(input) {
  return defaultClient.sendEmailCode(input);
}
export function answerEmailCode(code) {
  return defaultClient.answerEmailCode(code);
}
export function signUp(input) {
  return defaultClient.signUp(input);
}
export function confirmSignUp(input) {
  return defaultClient.confirmSignUp(input);
}
export function resendCode(input) {
  return defaultClient.resendCode(input);
}
export function forgotPassword(input) {
  return defaultClient.forgotPassword(input);
}
export function confirmForgotPassword(input) {
  return defaultClient.confirmForgotPassword(input);
}
export function changePassword(input) {
  return defaultClient.changePassword(input);
}
export function setUpTotp() {
  return defaultClient.setUpTotp();
}
export function verifyTotp(input) {
  return defaultClient.verifyTotp(input);
}
export function passkeysSupported() {
  return defaultClient.passkeysSupported();
}
export function registerPasskey(options) {
  return defaultClient.registerPasskey(options);
}
export function listPasskeys() {
  return defaultClient.listPasskeys();
}
export function deletePasskey(id) {
  return defaultClient.deletePasskey(id);
}
export function profile() {
  return defaultClient.profile();
}
export function updateProfile(attributes) {
  return defaultClient.updateProfile(attributes);
}
export function verifyAttribute(attribute, code) {
  return defaultClient.verifyAttribute(attribute, code);
}
export function resendAttributeCode(attribute) {
  return defaultClient.resendAttributeCode(attribute);
}
export function deleteAccount(input) {
  return defaultClient.deleteAccount(input);
}
export function refresh() {
  return defaultClient.refresh();
}
export function getAccessToken() {
  return defaultClient.getAccessToken();
}
export function signOut(options) {
  return defaultClient.signOut(options);
}
export function onSessionChange(callback) {
  return defaultClient.onSessionChange(callback);
}
