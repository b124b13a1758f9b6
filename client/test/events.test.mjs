// onSessionChange: in this tab, and across tabs through BroadcastChannel or storage events.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { broadcastHub, errorBody, fakeFetch, nextChange, session, settle, setup, signedOutBody, storageHub, wireTokens } from "./helpers.mjs";

const other = { ...session, user: { ...session.user, sub: "other", username: "other" } };

describe("in one tab", () => {
  test("every change reaches every listener, in order; unsubscribe stops it", async () => {
    const { client, server } = setup();
    const a = [];
    const b = [];
    const offA = client.onSessionChange((s) => a.push(s));
    client.onSessionChange((s) => b.push(s));
    server
      .reply("POST", "/auth/sign-in/password", 200, { challenge: "SMS_MFA", parameters: {} })
      .reply("POST", "/auth/challenge", 200, session)
      .reply("POST", "/auth/refresh", 200, other)
      .reply("POST", "/auth/sign-up", 200, { user_confirmed: true, ...session })
      .reply("POST", "/auth/sign-out", 200, { logout_url: "https://auth.example.com/logout" });
    await client.signIn({ email: "a@example.com", password: "pw" });
    await client.answerChallenge({ code: "123456" });
    await client.refresh();
    offA();
    await client.signUp({ email: "a@example.com", password: "pw" });
    await client.signOut({ redirect: false });
    assert.deepEqual(a, [session, other]);
    assert.deepEqual(b, [session, other, session, null]);
  });

  test("reads and failures tell nobody", async () => {
    const { client, server } = setup();
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server
      .reply("GET", "/auth/session", 200, session)
      .reply("POST", "/auth/sign-in/password", 401, errorBody("invalid_credentials"))
      .reply("POST", "/auth/sign-up", 200, { user_confirmed: false, delivery: { medium: "EMAIL" } });
    await client.getSession();
    await client.signIn({ email: "a@example.com", password: "x" }).catch(() => {});
    await client.signUp({ email: "a@example.com", password: "pw" });
    assert.deepEqual(seen, []);
  });

  test("the same callback subscribed twice is called twice and unsubscribed one at a time", async () => {
    const { client, server } = setup();
    const seen = [];
    const cb = (s) => seen.push(s);
    const off1 = client.onSessionChange(cb);
    client.onSessionChange(cb);
    off1();
    off1(); // idempotent
    server.reply("POST", "/auth/refresh", 200, session);
    await client.refresh();
    assert.deepEqual(seen, [session]);
  });

  test("a throwing listener is reported and does not keep the others from hearing", async () => {
    const { client, server } = setup();
    const reported = [];
    const had = Object.getOwnPropertyDescriptor(globalThis, "reportError");
    globalThis.reportError = (e) => reported.push(e);
    try {
      const seen = [];
      client.onSessionChange(() => {
        throw new Error("listener bug");
      });
      client.onSessionChange((s) => seen.push(s));
      server.reply("POST", "/auth/refresh", 200, session);
      assert.deepEqual(await client.refresh(), session);
      assert.deepEqual(seen, [session]);
      assert.equal(reported.length, 1);
      assert.equal(reported[0].message, "listener bug");
    } finally {
      if (had) Object.defineProperty(globalThis, "reportError", had);
      else delete globalThis.reportError;
    }
  });

  test("onSessionChange needs a function", () => {
    const { client } = setup();
    assert.throws(() => client.onSessionChange(/** @type {any} */ ("nope")), TypeError);
  });
});

describe("across tabs, with BroadcastChannel", () => {
  function twoTabs(clientOptions = {}) {
    const hub = broadcastHub();
    const a = setup({ client: { BroadcastChannel: hub.BroadcastChannel, ...clientOptions } });
    const b = setup({ client: { BroadcastChannel: hub.BroadcastChannel, ...clientOptions } });
    return { hub, a, b };
  }

  test("a sign-in in one tab: the other re-reads its session and tells its listeners", async () => {
    const { hub, a, b } = twoTabs();
    const heard = nextChange(b.client);
    a.server.reply("POST", "/auth/sign-in/password", 200, session);
    b.server.reply("GET", "/auth/session", 200, session);
    await a.client.signIn({ email: "a@example.com", password: "pw" });
    // The message itself carries nothing: no session, no token.
    assert.deepEqual(hub.sent, [{ name: "monban", data: { type: "monban:session" } }]);
    assert.deepEqual(await heard, session);
    assert.equal(b.server.last().path, "/auth/session");
  });

  test("a sign-out in one tab reaches the other as null", async () => {
    const { a, b } = twoTabs();
    const heard = nextChange(b.client);
    a.server.reply("POST", "/auth/sign-out", 200, { logout_url: "https://auth.example.com/logout" });
    b.server.reply("GET", "/auth/session", 200, signedOutBody);
    await a.client.signOut({ redirect: false });
    assert.equal(await heard, null);
  });

  test("the sending tab does not hear itself, and a tab without listeners asks nothing", async () => {
    const { a, b } = twoTabs();
    const seenA = [];
    a.client.onSessionChange((s) => seenA.push(s));
    a.server.reply("POST", "/auth/refresh", 200, session);
    await a.client.refresh();
    await settle();
    assert.deepEqual(seenA, [session]);
    assert.equal(a.server.requests.length, 1);
    assert.equal(b.server.requests.length, 0);
  });

  test("token mode: tabs share the storage, so a sign-out elsewhere is null without a request", async () => {
    const shared = storageHub();
    const tabA = shared.tab();
    const tabB = shared.tab();
    const hub = broadcastHub();
    const a = setup({ client: { tokenMode: true, storage: tabA.storage, BroadcastChannel: hub.BroadcastChannel } });
    const b = setup({ client: { tokenMode: true, storage: tabB.storage, BroadcastChannel: hub.BroadcastChannel } });

    const signedIn = nextChange(b.client);
    a.server.reply("POST", "/auth/sign-in/password", 200, { ...session, tokens: wireTokens(1) });
    b.server.reply("GET", "/auth/session", 200, session);
    await a.client.signIn({ email: "a@example.com", password: "pw" });
    assert.deepEqual(await signedIn, session);
    assert.equal(b.server.last().headers.Authorization, "Bearer access-1");

    const signedOut = nextChange(b.client);
    a.server.reply("POST", "/auth/sign-out", 200, { logout_url: "https://auth.example.com/logout" });
    await a.client.signOut({ redirect: false });
    assert.equal(await signedOut, null);
    assert.equal(b.server.requests.length, 1);
  });

  test("by default the global BroadcastChannel is used (undefined is not null)", async () => {
    const hub = broadcastHub();
    const had = Object.getOwnPropertyDescriptor(globalThis, "BroadcastChannel");
    Object.defineProperty(globalThis, "BroadcastChannel", { value: hub.BroadcastChannel, configurable: true, writable: true });
    try {
      const a = setup({ client: { BroadcastChannel: undefined } });
      a.server.reply("POST", "/auth/refresh", 200, session);
      await a.client.refresh();
      assert.deepEqual(hub.sent, [{ name: "monban", data: { type: "monban:session" } }]);
    } finally {
      if (had) Object.defineProperty(globalThis, "BroadcastChannel", had);
      else delete globalThis.BroadcastChannel;
    }
  });

  test("clients with another storageKey do not hear each other", async () => {
    const hub = broadcastHub();
    const a = setup({ client: { BroadcastChannel: hub.BroadcastChannel, storageKey: "one" } });
    const b = setup({ client: { BroadcastChannel: hub.BroadcastChannel, storageKey: "two" } });
    const seen = [];
    b.client.onSessionChange((s) => seen.push(s));
    a.server.reply("POST", "/auth/refresh", 200, session);
    await a.client.refresh();
    await settle();
    assert.deepEqual(seen, []);
    assert.equal(b.server.requests.length, 0);
  });
});

describe("across tabs, with storage events (no BroadcastChannel)", () => {
  test("a change in one tab fires storage in the other, which re-reads its session", async () => {
    const shared = storageHub();
    const tabA = shared.tab();
    const tabB = shared.tab();
    const a = setup({ client: { storage: tabA.storage, window: tabA.window } });
    const b = setup({ client: { storage: tabB.storage, window: tabB.window } });
    const heard = nextChange(b.client);
    a.server.reply("POST", "/auth/sign-in/password", 200, session);
    b.server.reply("GET", "/auth/session", 200, session);
    await a.client.signIn({ email: "a@example.com", password: "pw" });
    assert.deepEqual(await heard, session);
    // nextChange unsubscribed: the storage listener is gone with it.
    assert.equal(tabB.window.listeners.size, 0);
  });

  test("two changes in a row each reach the other tab", async () => {
    const shared = storageHub();
    const tabA = shared.tab();
    const tabB = shared.tab();
    const a = setup({ client: { storage: tabA.storage, window: tabA.window } });
    const b = setup({ client: { storage: tabB.storage, window: tabB.window } });
    const seen = [];
    b.client.onSessionChange((s) => seen.push(s));
    a.server.reply("POST", "/auth/refresh", 200, session).reply("POST", "/auth/refresh", 200, other);
    b.server.reply("GET", "/auth/session", 200, session).reply("GET", "/auth/session", 200, other);
    await a.client.refresh();
    await settle();
    await a.client.refresh();
    await settle();
    assert.deepEqual(seen, [session, other]);
  });

  test("storage events for other keys are ignored", async () => {
    const shared = storageHub();
    const tabA = shared.tab();
    const tabB = shared.tab();
    const b = setup({ client: { storage: tabB.storage, window: tabB.window } });
    const seen = [];
    b.client.onSessionChange((s) => seen.push(s));
    tabA.storage.setItem("something.else", "1");
    await settle();
    assert.deepEqual(seen, []);
    assert.equal(b.server.requests.length, 0);
  });
});

test("a network failure while re-reading after another tab's change tells nobody", async () => {
  const hub = broadcastHub();
  const a = setup({ client: { BroadcastChannel: hub.BroadcastChannel } });
  const server = fakeFetch().networkError("GET", "/auth/session");
  const b = setup({ server, client: { BroadcastChannel: hub.BroadcastChannel } });
  const seen = [];
  b.client.onSessionChange((s) => seen.push(s));
  a.server.reply("POST", "/auth/refresh", 200, session);
  await a.client.refresh();
  await settle();
  assert.equal(server.requests.length, 1);
  assert.deepEqual(seen, []);
});
