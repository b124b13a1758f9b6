// Fakes for the client's tests: a scripted fetch that records every request, storage,
// location/history, a BroadcastChannel hub and a storage-event hub shared by "tabs".
import assert from "node:assert/strict";

import { createClient } from "../monban.js";

export const NOW = Date.UTC(2030, 0, 1, 12, 0, 0);
export const iso = (ms) => new Date(ms).toISOString();

export const user = {
  sub: "0b5e3c8a-1d2f-4e5a-9b7c-6d8e9f0a1b2c",
  username: "0b5e3c8a-1d2f-4e5a-9b7c-6d8e9f0a1b2c",
  email: "ada@example.com",
  email_verified: true,
  groups: ["admins"],
  attributes: { "custom:tenant": "acme" },
};
export const session = { user, expires_at: iso(NOW + 3600_000) };
export const signedOutBody = { user: null };
export const errorBody = (code, message = code + " message") => ({ error: { code, message } });

/** Tokens as the server returns them in token mode (expires_at RFC 3339). */
export function wireTokens(n = 1, { expiresAt = NOW + 3600_000, refresh = true } = {}) {
  const t = { access_token: `access-${n}`, id_token: `id-${n}`, expires_at: iso(expiresAt) };
  if (refresh) t.refresh_token = `sealed-refresh-${n}`;
  return t;
}

/**
 * A scripted fetch. reply() queues an answer for "METHOD /path" (the query is not part of
 * the key); each request takes the first queued answer for its key. Every request is
 * recorded in `requests` with its parsed body.
 */
export function fakeFetch() {
  const queues = new Map();
  const requests = [];
  const unscripted = [];
  const fetch = async (url, init = {}) => {
    const u = new URL(url, "https://site.example");
    const req = {
      method: init.method ?? "GET",
      url,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: { ...init.headers },
      credentials: init.credentials,
      rawBody: init.body,
      body: init.body === undefined ? undefined : JSON.parse(init.body),
    };
    requests.push(req);
    const key = `${req.method} ${req.path}`;
    const q = queues.get(key);
    const answer = q?.shift();
    if (!answer) {
      unscripted.push(key);
      throw new Error("unscripted request " + key);
    }
    if (answer.networkError) throw new TypeError("Failed to fetch");
    const { status, body } = typeof answer.reply === "function" ? answer.reply(req) : answer.reply;
    const text = typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body);
    return { ok: status >= 200 && status < 300, status, text: async () => text };
  };
  const push = (key, a) => {
    if (!queues.has(key)) queues.set(key, []);
    queues.get(key).push(a);
  };
  return {
    fetch,
    requests,
    unscripted,
    /** Queue an answer: (method, path, status, body) or (method, path, fn(req) → {status, body}). */
    reply(method, path, status, body) {
      push(`${method} ${path}`, { reply: typeof status === "function" ? status : { status, body } });
      return this;
    },
    networkError(method, path) {
      push(`${method} ${path}`, { networkError: true });
      return this;
    },
    last() {
      return requests[requests.length - 1];
    },
    /** Every scripted answer was used and nothing unscripted was asked. */
    done() {
      assert.deepEqual(unscripted, [], "unscripted requests");
      const left = [...queues].filter(([, q]) => q.length).map(([k]) => k);
      assert.deepEqual(left, [], "scripted answers never asked for");
    },
  };
}

export function memoryStorage(initial = {}) {
  const m = new Map(Object.entries(initial));
  return {
    map: m,
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
  };
}

export function fakeLocation(href = "https://site.example/account?tab=profile") {
  const loc = {
    assigned: [],
    get href() {
      return this.url.href;
    },
    get origin() {
      return this.url.origin;
    },
    get pathname() {
      return this.url.pathname;
    },
    get search() {
      return this.url.search;
    },
    get hash() {
      return this.url.hash;
    },
    url: new URL(href),
    assign(u) {
      this.assigned.push(u);
    },
  };
  const history = {
    state: { page: 1 },
    calls: [],
    replaceState(state, unused, url) {
      this.calls.push({ state, unused, url });
      loc.url = new URL(url, loc.url);
    },
  };
  return { location: loc, history };
}

/** BroadcastChannel between "tabs" in one process: delivers to every other open instance of the name. */
export function broadcastHub() {
  const open = new Set();
  const sent = [];
  class FakeBroadcastChannel {
    constructor(name) {
      this.name = name;
      this.listeners = [];
      this.closed = false;
      open.add(this);
    }
    addEventListener(type, fn) {
      if (type === "message") this.listeners.push(fn);
    }
    postMessage(data) {
      sent.push({ name: this.name, data: structuredClone(data) });
      for (const ch of open) {
        if (ch === this || ch.name !== this.name || ch.closed) continue;
        setTimeout(() => {
          if (!ch.closed) for (const fn of ch.listeners) fn({ data: structuredClone(data) });
        });
      }
    }
    close() {
      this.closed = true;
      open.delete(this);
    }
  }
  return { BroadcastChannel: FakeBroadcastChannel, sent, open };
}

/** localStorage shared by tabs, firing "storage" on every other tab's window as browsers do. */
export function storageHub() {
  const m = new Map();
  const windows = [];
  function tab() {
    const listeners = new Set();
    const win = {
      addEventListener: (type, fn) => type === "storage" && listeners.add(fn),
      removeEventListener: (type, fn) => type === "storage" && listeners.delete(fn),
      listeners,
    };
    windows.push(win);
    const fire = (key, newValue) => {
      for (const w of windows) if (w !== win) for (const fn of w.listeners) setTimeout(() => fn({ key, newValue }));
    };
    const storage = {
      getItem: (k) => (m.has(k) ? m.get(k) : null),
      setItem: (k, v) => {
        const changed = m.get(k) !== String(v);
        m.set(k, String(v));
        if (changed) fire(k, String(v));
      },
      removeItem: (k) => {
        if (m.delete(k)) fire(k, null);
      },
    };
    return { window: win, storage };
  }
  return { tab, map: m };
}

/** A client with every browser seam faked; returns the client and its fakes. */
export function setup(options = {}) {
  const server = options.server ?? fakeFetch();
  const { location, history } = fakeLocation(options.href);
  const navigated = [];
  const client = createClient({
    fetch: server.fetch,
    location,
    history,
    navigate: (u) => navigated.push(u),
    BroadcastChannel: null,
    window: null,
    locks: null,
    now: () => NOW,
    ...options.client,
  });
  return { client, server, location, history, navigated };
}

/** Resolves with the next value a client's onSessionChange delivers. */
export function nextChange(client) {
  return new Promise((resolve) => {
    const off = client.onSessionChange((s) => {
      off();
      resolve(s);
    });
  });
}

/** Lets queued timers and promise callbacks run. */
export const settle = () => new Promise((r) => setTimeout(r, 5));

/** Asserts that a promise rejects with a MonbanError of this code and status. */
export async function rejectsWith(promise, code, status) {
  await assert.rejects(promise, (e) => {
    assert.equal(e.name, "MonbanError");
    assert.equal(e.code, code);
    if (status !== undefined) assert.equal(e.status, status);
    return true;
  });
}
