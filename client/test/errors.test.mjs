// The request rules every call follows (CSRF header, credentials) and how failures map to
// MonbanError.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MonbanError } from "../monban.js";
import { errorBody, memoryStorage, rejectsWith, session, setup, wireTokens } from "./helpers.mjs";

// Every function that POSTs, with an answer the server could give (and the session read
// after it, for the profile changes).
const after = { "GET /auth/session": session };
const posts = [
  ["signIn", (c) => c.signIn({ email: "a@example.com", password: "pw" }), "/auth/sign-in/password", session],
  ["answerChallenge", (c) => c.answerChallenge({ code: "123456" }), "/auth/challenge", session],
  ["signUp", (c) => c.signUp({ email: "a@example.com", password: "pw" }), "/auth/sign-up", { user_confirmed: false }],
  ["confirmSignUp", (c) => c.confirmSignUp({ email: "a@example.com", code: "1" }), "/auth/confirm-sign-up", { confirmed: true }],
  ["resendCode", (c) => c.resendCode({ email: "a@example.com" }), "/auth/resend-code", { delivery: { medium: "EMAIL" } }],
  ["forgotPassword", (c) => c.forgotPassword({ email: "a@example.com" }), "/auth/forgot-password", { accepted: true }],
  [
    "confirmForgotPassword",
    (c) => c.confirmForgotPassword({ email: "a@example.com", code: "1", password: "p" }),
    "/auth/confirm-forgot-password",
    { password_reset: true },
  ],
  [
    "changePassword",
    (c) => c.changePassword({ previousPassword: "a", proposedPassword: "b" }),
    "/auth/change-password",
    { changed: true },
  ],
  ["setUpTotp", (c) => c.setUpTotp(), "/auth/mfa/totp/setup", { secret: "S", otpauth_uri: "otpauth://totp/x" }],
  ["verifyTotp", (c) => c.verifyTotp({ code: "123456" }), "/auth/mfa/totp/verify", { enabled: true }],
  [
    "updateProfile",
    (c) => c.updateProfile({ name: "Ada" }),
    "/auth/profile",
    { attributes: { name: "Ada" }, verification: [] },
    after,
  ],
  ["verifyAttribute", (c) => c.verifyAttribute("email", "123456"), "/auth/profile/verify", { attributes: {} }, after],
  [
    "resendAttributeCode",
    (c) => c.resendAttributeCode("email"),
    "/auth/profile/resend-code",
    { verification: [{ attribute: "email", medium: "EMAIL" }] },
  ],
  ["deleteAccount", (c) => c.deleteAccount(), "/auth/account/delete", { deleted: true }],
  ["refresh", (c) => c.refresh(), "/auth/refresh", session],
  ["signOut", (c) => c.signOut({ redirect: false }), "/auth/sign-out", { logout_url: "https://auth.example.com/logout" }],
];

describe("every POST carries the CSRF content type, credentials and a JSON body", () => {
  for (const [name, call, path, answer, then = {}] of posts) {
    test(name, async () => {
      const { client, server } = setup();
      server.reply("POST", path, 200, answer);
      for (const [key, body] of Object.entries(then)) server.reply(...key.split(" "), 200, body);
      await call(client);
      const req = server.requests.find((r) => r.method === "POST");
      assert.equal(req.method, "POST");
      assert.equal(req.path, path);
      assert.equal(req.headers["Content-Type"], "application/json");
      assert.equal(req.headers.Accept, "application/json");
      assert.equal(req.credentials, "include");
      assert.equal(typeof req.rawBody, "string");
      assert.equal(typeof req.body, "object");
      server.done();
    });
  }

  test("token mode too", async () => {
    const { client, server } = setup({ client: { tokenMode: true, storage: memoryStorage() } });
    server.reply("POST", "/auth/sign-in/password", 200, { ...session, tokens: wireTokens(1) });
    await client.signIn({ email: "a@example.com", password: "pw" });
    assert.equal(server.last().headers["Content-Type"], "application/json");
    assert.equal(server.last().credentials, "include");
  });
});

test("GET requests carry no body and no content type", async () => {
  const { client, server } = setup();
  server.reply("GET", "/auth/session", 200, session).reply("GET", "/auth/token", 401, errorBody("unauthenticated"));
  await client.getSession();
  await client.getAccessToken();
  for (const req of server.requests) {
    assert.equal(req.method, "GET");
    assert.equal(req.rawBody, undefined);
    assert.equal(req.headers["Content-Type"], undefined);
    assert.equal(req.credentials, "include");
  }
});

test("fetch is called as a plain function (the browser's fetch refuses another receiver)", async () => {
  const receivers = [];
  const { client } = setup({
    client: {
      fetch: function (url, init) {
        receivers.push(this);
        return Promise.resolve({ ok: true, status: 200, text: async () => JSON.stringify(session) });
      },
    },
  });
  await client.getSession();
  assert.deepEqual(receivers, [undefined]);
});

describe("failures", () => {
  test("no answer at all is network_error, status 0, with the cause kept", async () => {
    const { client, server } = setup();
    server.networkError("GET", "/auth/session").networkError("POST", "/auth/sign-in/password");
    await assert.rejects(client.getSession(), (e) => {
      assert.ok(e instanceof MonbanError);
      assert.equal(e.code, "network_error");
      assert.equal(e.status, 0);
      assert.ok(e.cause instanceof TypeError);
      return true;
    });
    await rejectsWith(client.signIn({ email: "a@example.com", password: "pw" }), "network_error", 0);
  });

  test("a body that cannot be read is network_error", async () => {
    const { client } = setup({
      client: {
        fetch: async () => ({ ok: true, status: 200, text: () => Promise.reject(new TypeError("aborted")) }),
      },
    });
    await rejectsWith(client.getSession(), "network_error", 0);
  });

  test("an error page that is not monban's JSON is invalid_response with its status", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-in/password", 502, "<html>Bad Gateway</html>");
    await rejectsWith(client.signIn({ email: "a@example.com", password: "pw" }), "invalid_response", 502);
  });

  test("API Gateway's own 429 body is too_many_requests", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-in/password", 429, { message: "Too Many Requests" });
    await rejectsWith(client.signIn({ email: "a@example.com", password: "pw" }), "too_many_requests", 429);
  });

  test("monban's 429 keeps its message", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-in/password", 429, errorBody("too_many_requests", "Slow down."));
    await assert.rejects(client.signIn({ email: "a@example.com", password: "pw" }), { code: "too_many_requests", message: "Slow down." });
  });

  test("a 200 that is not a JSON object is invalid_response", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/session", 200, "[1,2]").reply("GET", "/auth/session", 200, "");
    await rejectsWith(client.getSession(), "invalid_response", 200);
    await rejectsWith(client.getSession(), "invalid_response", 200);
  });

  test("codes the client does not know pass through; a missing message becomes the code", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/forgot-password", 400, { error: { code: "brand_new_code" } });
    await assert.rejects(client.forgotPassword({ email: "a@example.com" }), {
      name: "MonbanError",
      code: "brand_new_code",
      status: 400,
      message: "brand_new_code",
    });
  });

  const statuses = [
    ["user_not_confirmed", 403],
    ["password_reset_required", 403],
    ["forbidden_origin", 403],
    ["invalid_password", 400],
    ["internal", 500],
  ];
  for (const [code, status] of statuses) {
    test(`${code} (${status}) from signIn`, async () => {
      const { client, server } = setup();
      server.reply("POST", "/auth/sign-in/password", status, errorBody(code));
      await rejectsWith(client.signIn({ email: "a@example.com", password: "pw" }), code, status);
    });
  }

  test("malformed answers to the small calls are invalid_response", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/resend-code", 200, {})
      .reply("POST", "/auth/mfa/totp/setup", 200, { secret: "S" })
      .reply("POST", "/auth/sign-up", 200, { delivery: {} })
      .reply("GET", "/auth/token", 200, { access_token: "a" })
      .reply("POST", "/auth/sign-out", 200, {});
    await rejectsWith(client.resendCode({ email: "a@example.com" }), "invalid_response");
    await rejectsWith(client.setUpTotp(), "invalid_response");
    await rejectsWith(client.signUp({ email: "a@example.com", password: "p" }), "invalid_response");
    await rejectsWith(client.getAccessToken(), "invalid_response");
    await rejectsWith(client.signOut({ redirect: false }), "invalid_response");
  });
});

test("MonbanError: name, code, status (0 by default), message, cause", () => {
  const cause = new Error("under");
  const e = new MonbanError("code_mismatch", "The code is not correct.", 400, { cause });
  assert.equal(e.name, "MonbanError");
  assert.equal(e.code, "code_mismatch");
  assert.equal(e.status, 400);
  assert.equal(e.message, "The code is not correct.");
  assert.equal(e.cause, cause);
  assert.ok(e instanceof Error);
  assert.equal(new MonbanError("network_error", "x").status, 0);
});

test("the client never writes to the console (tokens must not end up in logs)", async () => {
  const calls = [];
  const saved = {};
  for (const m of ["log", "info", "warn", "error", "debug", "trace"]) {
    saved[m] = console[m];
    console[m] = (...a) => calls.push([m, ...a]);
  }
  try {
    const { client, server } = setup({ client: { tokenMode: true, storage: memoryStorage() } });
    server
      .reply("POST", "/auth/sign-in/password", 200, { ...session, tokens: wireTokens(1) })
      .reply("GET", "/auth/session", 401, errorBody("unauthenticated"))
      .reply("POST", "/auth/refresh", 401, errorBody("unauthenticated"))
      .networkError("POST", "/auth/sign-out");
    await client.signIn({ email: "a@example.com", password: "pw" });
    assert.equal(await client.getSession(), null);
    await rejectsWith(client.signOut(), "network_error");
  } finally {
    Object.assign(console, saved);
  }
  assert.deepEqual(calls, []);
});
