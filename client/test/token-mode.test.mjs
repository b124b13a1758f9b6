// Token mode: stored tokens, bearer headers, refresh before expiry, the hosted-UI fragment,
// challenge_token, and sign-out handing the refresh token back.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { createClient } from "../monban.js";
import { NOW, errorBody, memoryStorage, rejectsWith, session, setup, signedOutBody, wireTokens } from "./helpers.mjs";

const KEY = "monban.tokens";

/** A token-mode client; `stored` pre-fills the storage with tokens as the client keeps them. */
function tokenSetup({ stored, now, href, client } = {}) {
  const storage = memoryStorage(stored ? { [KEY]: JSON.stringify(stored) } : {});
  let clock = now ?? NOW;
  const env = setup({ href, client: { tokenMode: true, storage, now: () => clock, ...client } });
  return { ...env, storage, setNow: (t) => (clock = t), stored: () => JSON.parse(storage.getItem(KEY) ?? "null") };
}

const kept = (n, expiresAt = NOW + 3600_000, refresh = `sealed-refresh-${n}`) => ({
  access_token: `access-${n}`,
  id_token: `id-${n}`,
  refresh_token: refresh,
  expires_at: expiresAt,
});

describe("signing in stores the tokens", () => {
  test("signIn keeps tokens out of the session and in storage", async () => {
    const { client, server, stored } = tokenSetup();
    server.reply("POST", "/auth/sign-in/password", 200, { ...session, tokens: wireTokens(1) });
    const out = await client.signIn({ email: "a@example.com", password: "pw" });
    assert.deepEqual(out, { session, challenge: null });
    assert.deepEqual(stored(), kept(1));
    assert.equal(server.last().headers.Authorization, undefined);
  });

  test("a server without token mode (no tokens) is an invalid_response, nothing stored", async () => {
    const { client, server, stored } = tokenSetup();
    server.reply("POST", "/auth/sign-in/password", 200, session);
    await assert.rejects(client.signIn({ email: "a@example.com", password: "pw" }), (e) => {
      assert.equal(e.code, "invalid_response");
      assert.match(e.message, /MONBAN_TOKEN_MODE/);
      return true;
    });
    assert.equal(stored(), null);
  });

  test("signUp that signs in stores the tokens", async () => {
    const { client, server, stored } = tokenSetup();
    server.reply("POST", "/auth/sign-up", 200, { user_confirmed: true, ...session, tokens: wireTokens(2) });
    const out = await client.signUp({ email: "a@example.com", password: "pw" });
    assert.deepEqual(out.session, session);
    assert.deepEqual(stored(), kept(2));
  });

  test("challenge_token goes back with each answer, chained, and the final tokens are stored", async () => {
    const { client, server, stored } = tokenSetup();
    server
      .reply("POST", "/auth/sign-in/password", 200, {
        challenge: "NEW_PASSWORD_REQUIRED",
        parameters: { required_attributes: [] },
        challenge_token: "sealed-challenge-1",
      })
      .reply("POST", "/auth/challenge", 200, { challenge: "SOFTWARE_TOKEN_MFA", parameters: {}, challenge_token: "sealed-challenge-2" })
      .reply("POST", "/auth/challenge", 200, { ...session, tokens: wireTokens(3) });
    const first = await client.signIn({ email: "a@example.com", password: "pw" });
    assert.equal(first.challenge?.name, "NEW_PASSWORD_REQUIRED");
    assert.equal("challenge_token" in (first.challenge ?? {}), false);
    await client.answerChallenge({ newPassword: "N3w-Passw0rd!" });
    assert.deepEqual(server.last().body, {
      challenge: "NEW_PASSWORD_REQUIRED",
      new_password: "N3w-Passw0rd!",
      challenge_token: "sealed-challenge-1",
    });
    const done = await client.answerChallenge({ code: "123456" });
    assert.deepEqual(server.last().body, { challenge: "SOFTWARE_TOKEN_MFA", code: "123456", challenge_token: "sealed-challenge-2" });
    assert.deepEqual(done, { session, challenge: null });
    assert.deepEqual(stored(), kept(3));
    server.done();
  });
});

describe("getSession", () => {
  test("nothing stored: null without a request", async () => {
    const { client, server } = tokenSetup();
    assert.equal(await client.getSession(), null);
    assert.equal(server.requests.length, 0);
  });

  test("damaged storage reads as signed out", async () => {
    const { client, server, storage } = tokenSetup();
    storage.setItem(KEY, "{not json");
    assert.equal(await client.getSession(), null);
    storage.setItem(KEY, JSON.stringify({ access_token: "a" }));
    assert.equal(await client.getSession(), null);
    assert.equal(server.requests.length, 0);
  });

  test("a fresh token is sent as a bearer token", async () => {
    const { client, server } = tokenSetup({ stored: kept(1) });
    server.reply("GET", "/auth/session", 200, session);
    assert.deepEqual(await client.getSession(), session);
    assert.equal(server.last().headers.Authorization, "Bearer access-1");
    assert.equal(server.requests.length, 1);
  });

  test("near expiry it refreshes first, keeping the refresh token when none comes back", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1, NOW + 30_000) });
    server
      .reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(2, { refresh: false }) })
      .reply("GET", "/auth/session", 200, session);
    assert.deepEqual(await client.getSession(), session);
    assert.deepEqual(server.requests[0].body, { refresh_token: "sealed-refresh-1" });
    assert.equal(server.requests[0].headers.Authorization, undefined);
    assert.equal(server.requests[1].headers.Authorization, "Bearer access-2");
    assert.deepEqual(stored(), kept(2, NOW + 3600_000, "sealed-refresh-1"));
    server.done();
  });

  test("a rotated refresh token replaces the old one", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1, NOW - 1000) });
    server
      .reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(2) })
      .reply("GET", "/auth/session", 200, session);
    await client.getSession();
    assert.equal(stored().refresh_token, "sealed-refresh-2");
  });

  test("concurrent callers share one refresh", async () => {
    const { client, server } = tokenSetup({ stored: kept(1, NOW + 1000) });
    server
      .reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(2) })
      .reply("GET", "/auth/session", 200, session)
      .reply("GET", "/auth/session", 200, session);
    const [a, b, t] = await Promise.all([client.getSession(), client.getSession(), client.getAccessToken()]);
    assert.deepEqual([a, b, t], [session, session, "access-2"]);
    assert.equal(server.requests.filter((r) => r.path === "/auth/refresh").length, 1);
  });

  test("a refused refresh signs out: storage cleared, null, listeners told", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1, NOW + 1000) });
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/refresh", 401, errorBody("unauthenticated"));
    assert.equal(await client.getSession(), null);
    assert.equal(stored(), null);
    assert.deepEqual(seen, [null]);
  });

  test("refresh unreachable while the token still works: the current token is used", async () => {
    const { client, server } = tokenSetup({ stored: kept(1, NOW + 30_000) });
    server.networkError("POST", "/auth/refresh").reply("GET", "/auth/session", 200, session);
    assert.deepEqual(await client.getSession(), session);
    assert.equal(server.last().headers.Authorization, "Bearer access-1");
  });

  test("refresh unreachable with an expired token: network_error, tokens kept for later", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1, NOW - 1) });
    server.networkError("POST", "/auth/refresh");
    await rejectsWith(client.getSession(), "network_error", 0);
    assert.deepEqual(stored(), kept(1, NOW - 1));
  });

  test("a token refused before its time gets one refresh and a retry", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1) });
    server
      .reply("GET", "/auth/session", 401, errorBody("unauthenticated"))
      .reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(2) })
      .reply("GET", "/auth/session", 200, session);
    assert.deepEqual(await client.getSession(), session);
    assert.equal(server.last().headers.Authorization, "Bearer access-2");
    assert.equal(stored().access_token, "access-2");
    server.done();
  });

  test("refused again after the refresh ({user: null}): signed out", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1) });
    server
      .reply("GET", "/auth/session", 200, signedOutBody)
      .reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(2) })
      .reply("GET", "/auth/session", 200, signedOutBody);
    assert.equal(await client.getSession(), null);
    assert.equal(stored(), null);
    server.done();
  });

  test("a token-mode refresh refused by a cookie-mode server is reported, not hidden", async () => {
    const { client, server } = tokenSetup({ stored: kept(1, NOW) });
    server.reply("POST", "/auth/refresh", 400, errorBody("invalid_request", "refresh_token in the body needs token mode"));
    await rejectsWith(client.getSession(), "invalid_request", 400);
  });

  test("without a refresh token an expired session ends", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1, NOW - 1, null) });
    assert.equal(await client.getSession(), null);
    assert.equal(stored(), null);
    assert.equal(server.requests.length, 0);
  });
});

describe("the hosted-UI callback's fragment", () => {
  const fragment = (n, seconds) =>
    `#access_token=access-${n}&expires_at=${seconds}&id_token=id-${n}&refresh_token=sealed-refresh-${n}`;

  test("is stored, removed from the URL, and announced once the session is known", async () => {
    const exp = Math.floor(NOW / 1000) + 3600;
    const { client, server, stored, history, location } = tokenSetup({
      href: "https://site.example/account?tab=1" + fragment(7, exp),
    });
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("GET", "/auth/session", 200, session).reply("GET", "/auth/session", 200, session);
    assert.deepEqual(await client.getSession(), session);
    assert.deepEqual(stored(), kept(7, exp * 1000));
    assert.deepEqual(history.calls, [{ state: { page: 1 }, unused: "", url: "/account?tab=1" }]);
    assert.equal(location.hash, "");
    assert.equal(server.last().headers.Authorization, "Bearer access-7");
    assert.deepEqual(seen, [session]);
    await client.getSession();
    assert.deepEqual(seen, [session], "announced once");
  });

  test("replaces tokens of an earlier session", async () => {
    const exp = Math.floor(NOW / 1000) + 3600;
    const { client, server, stored } = tokenSetup({ stored: kept(1), href: "https://site.example/" + fragment(2, exp) });
    assert.equal(await client.getAccessToken(), "access-2");
    assert.equal(server.requests.length, 0);
    assert.equal(stored().refresh_token, "sealed-refresh-2");
  });

  test("without a history API the fragment stays, but is taken and announced only once", async () => {
    const exp = Math.floor(NOW / 1000) + 3600;
    const { client, server } = tokenSetup({ href: "https://site.example/" + fragment(3, exp), client: { history: null } });
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("GET", "/auth/session", 200, session).reply("GET", "/auth/session", 200, session);
    await client.getSession();
    await client.getSession();
    assert.deepEqual(seen, [session]);
  });

  test("other fragments are left alone", async () => {
    const { client, server, history } = tokenSetup({ href: "https://site.example/doc#section-2" });
    assert.equal(await client.getSession(), null);
    assert.deepEqual(history.calls, []);
    assert.equal(server.requests.length, 0);
  });

  test("cookie mode ignores the fragment", async () => {
    const { client, server, history } = setup({ href: "https://site.example/" + fragment(1, 2000000000) });
    server.reply("GET", "/auth/session", 200, session);
    await client.getSession();
    assert.deepEqual(history.calls, []);
    assert.equal(server.last().headers.Authorization, undefined);
  });
});

describe("bearer-authenticated calls and tokens", () => {
  test("changePassword, setUpTotp and verifyTotp send the access token", async () => {
    const { client, server } = tokenSetup({ stored: kept(1) });
    server
      .reply("POST", "/auth/change-password", 200, { changed: true })
      .reply("POST", "/auth/mfa/totp/setup", 200, { secret: "S", otpauth_uri: "otpauth://totp/x" })
      .reply("POST", "/auth/mfa/totp/verify", 200, { enabled: true });
    await client.changePassword({ previousPassword: "a", proposedPassword: "b" });
    await client.setUpTotp();
    await client.verifyTotp({ code: "123456" });
    for (const r of server.requests) assert.equal(r.headers.Authorization, "Bearer access-1", r.path);
  });

  test("signIn and answerChallenge never send a bearer token", async () => {
    const { client, server } = tokenSetup({ stored: kept(1) });
    server
      .reply("POST", "/auth/sign-in/password", 200, { challenge: "SMS_MFA", parameters: {}, challenge_token: "c" })
      .reply("POST", "/auth/challenge", 200, { ...session, tokens: wireTokens(2) });
    await client.signIn({ email: "a@example.com", password: "pw" });
    await client.answerChallenge({ code: "1" });
    for (const r of server.requests) assert.equal(r.headers.Authorization, undefined);
  });

  test("getAccessToken: the stored token, without a request; null when none", async () => {
    const { client, server } = tokenSetup({ stored: kept(4) });
    assert.equal(await client.getAccessToken(), "access-4");
    assert.equal(server.requests.length, 0);
    const empty = tokenSetup();
    assert.equal(await empty.client.getAccessToken(), null);
    assert.equal(empty.server.requests.length, 0);
  });

  test("getAccessToken refreshes a token about to expire", async () => {
    const { client, server, setNow } = tokenSetup({ stored: kept(1) });
    setNow(NOW + 3600_000 - 10_000);
    server.reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(2, { expiresAt: NOW + 7200_000 }) });
    assert.equal(await client.getAccessToken(), "access-2");
  });

  test("refresh(): posts the refresh token, stores the answer, tells listeners", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1) });
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(2) });
    assert.deepEqual(await client.refresh(), session);
    assert.deepEqual(server.last().body, { refresh_token: "sealed-refresh-1" });
    assert.equal(stored().access_token, "access-2");
    assert.deepEqual(seen, [session]);
  });

  test("refresh() signed out: unauthenticated without a request", async () => {
    const { client, server } = tokenSetup();
    await rejectsWith(client.refresh(), "unauthenticated", 0);
    assert.equal(server.requests.length, 0);
  });

  test("refresh() refused: tokens dropped, listeners told, rejection", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1) });
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/refresh", 401, errorBody("unauthenticated"));
    await rejectsWith(client.refresh(), "unauthenticated", 401);
    assert.equal(stored(), null);
    assert.deepEqual(seen, [null]);
  });
});

describe("signOut", () => {
  test("sends the refresh token, clears storage, tells listeners, navigates", async () => {
    const { client, server, stored, navigated } = tokenSetup({ stored: kept(1) });
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/sign-out", 200, { logout_url: "https://auth.example.com/logout?x=1", revoked: true });
    assert.deepEqual(await client.signOut(), { logoutUrl: "https://auth.example.com/logout?x=1" });
    assert.deepEqual(server.last().body, { refresh_token: "sealed-refresh-1" });
    assert.equal(stored(), null);
    assert.deepEqual(seen, [null]);
    assert.deepEqual(navigated, ["https://auth.example.com/logout?x=1"]);
    assert.equal(await client.getSession(), null);
    assert.equal(server.requests.length, 1);
  });

  test("a malformed request keeps the tokens", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1) });
    server.reply("POST", "/auth/sign-out", 400, errorBody("invalid_request"));
    await rejectsWith(client.signOut({ logoutUri: "//evil" }), "invalid_request", 400);
    assert.deepEqual(stored(), kept(1));
  });

  test("a failed global sign-out still forgets the tokens", async () => {
    const { client, server, stored } = tokenSetup({ stored: kept(1) });
    server.reply("POST", "/auth/sign-out", 401, errorBody("unauthenticated"));
    await rejectsWith(client.signOut({ global: true }), "unauthenticated", 401);
    assert.equal(stored(), null);
  });
});

describe("storage", () => {
  test("defaults to localStorage when there is one", async () => {
    const ls = memoryStorage();
    const had = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
    Object.defineProperty(globalThis, "localStorage", { value: ls, configurable: true });
    try {
      const env = setup({ client: { tokenMode: true } });
      env.server.reply("POST", "/auth/sign-in/password", 200, { ...session, tokens: wireTokens(1) });
      await env.client.signIn({ email: "a@example.com", password: "pw" });
      assert.equal(JSON.parse(ls.getItem(KEY)).access_token, "access-1");
    } finally {
      if (had) Object.defineProperty(globalThis, "localStorage", had);
      else delete globalThis.localStorage;
    }
  });

  test("without localStorage, memory: the session lasts as long as the client", async () => {
    assert.equal(globalThis.localStorage, undefined);
    const env = setup({ client: { tokenMode: true } });
    env.server
      .reply("POST", "/auth/sign-in/password", 200, { ...session, tokens: wireTokens(1) })
      .reply("GET", "/auth/session", 200, session);
    await env.client.signIn({ email: "a@example.com", password: "pw" });
    assert.deepEqual(await env.client.getSession(), session);
    assert.equal(env.server.last().headers.Authorization, "Bearer access-1");
    assert.equal(await setup({ client: { tokenMode: true } }).client.getSession(), null);
  });

  test("storage that refuses writes falls back to memory", async () => {
    const refusing = { getItem: () => null, setItem: () => { throw new Error("QuotaExceededError"); }, removeItem: () => {} };
    const env = setup({ client: { tokenMode: true, storage: refusing } });
    env.server
      .reply("POST", "/auth/sign-in/password", 200, { ...session, tokens: wireTokens(1) })
      .reply("GET", "/auth/session", 200, session);
    await env.client.signIn({ email: "a@example.com", password: "pw" });
    assert.deepEqual(await env.client.getSession(), session);
    assert.equal(env.server.last().headers.Authorization, "Bearer access-1");
  });

  test("storageKey names the key", async () => {
    const storage = memoryStorage();
    const env = setup({ client: { tokenMode: true, storage, storageKey: "shop" } });
    env.server.reply("POST", "/auth/sign-in/password", 200, { ...session, tokens: wireTokens(1) });
    await env.client.signIn({ email: "a@example.com", password: "pw" });
    assert.equal(JSON.parse(storage.getItem("shop.tokens")).access_token, "access-1");
    assert.equal(storage.getItem(KEY), null);
    for (const k of storage.map.keys()) assert.match(k, /^shop\./);
  });
});

describe("refreshing across tabs", () => {
  test("runs under a Web Lock named after the storage key", async () => {
    const names = [];
    const locks = { request: (name, fn) => (names.push(name), fn()) };
    const { client, server } = tokenSetup({ stored: kept(1, NOW), client: { locks } });
    server.reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(2) });
    assert.equal(await client.getAccessToken(), "access-2");
    assert.deepEqual(names, ["monban.refresh"]);
  });

  test("a tab that waited for the lock uses what the other tab refreshed", async () => {
    const storage = memoryStorage({ [KEY]: JSON.stringify(kept(1, NOW)) });
    // The other tab holds the lock and refreshes meanwhile.
    const locks = {
      request: async (name, fn) => {
        storage.setItem(KEY, JSON.stringify(kept(2)));
        return fn();
      },
    };
    const env = setup({ client: { tokenMode: true, storage, locks } });
    assert.equal(await env.client.getAccessToken(), "access-2");
    assert.equal(env.server.requests.length, 0);
  });
});

test("tokens count as due a minute before they expire, by the client's clock", async () => {
  const attempts = async (ms) => {
    const asked = [];
    const c = createClient({
      tokenMode: true,
      storage: memoryStorage({ [KEY]: JSON.stringify(kept(1, NOW + ms)) }),
      now: () => NOW,
      locks: null,
      fetch: async (url) => {
        asked.push(url);
        throw new TypeError("offline");
      },
    });
    assert.equal(await c.getAccessToken(), "access-1"); // still valid: used even though the refresh failed
    return asked;
  };
  assert.deepEqual(await attempts(61_000), []);
  assert.deepEqual(await attempts(59_000), ["/auth/refresh"]);
});
