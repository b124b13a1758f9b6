// Account self-service: the profile (read, change, confirm a changed address, resend its
// code) and deleting the account, in cookie mode and token mode; a refused session signs the
// page out.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { NOW, errorBody, memoryStorage, rejectsWith, session, setup, signedOutBody, user, wireTokens } from "./helpers.mjs";

const attributes = { sub: user.sub, email: "ada@example.com", email_verified: "true", name: "Ada" };
const renamed = { ...attributes, name: "Ada Lovelace" };
const emailCode = { attribute: "email", medium: "EMAIL", destination: "n***@example.com" };
const renamedSession = { ...session, user: { ...user, attributes: { ...user.attributes, name: "Ada Lovelace" } } };

/** A client whose session listener records what it hears. */
function listened(options) {
  const env = setup(options);
  const seen = [];
  env.client.onSessionChange((s) => seen.push(s));
  return { ...env, seen };
}

/** A token-mode client with stored tokens (access-1, refresh r-1) that records what listeners hear. */
function tokenListened() {
  const stored = { access_token: "access-1", id_token: "id-1", refresh_token: "r-1", expires_at: NOW + 3600_000 };
  const storage = memoryStorage({ "monban.tokens": JSON.stringify(stored) });
  return { ...listened({ client: { tokenMode: true, storage } }), storage };
}

describe("profile", () => {
  test("GET /auth/profile with cookies: the username and every attribute, as strings", async () => {
    const { client, server, seen } = listened();
    server.reply("GET", "/auth/profile", 200, { username: user.username, attributes });
    assert.deepEqual(await client.profile(), { username: user.username, attributes });
    const req = server.last();
    assert.equal(req.method, "GET");
    assert.equal(req.credentials, "include");
    assert.equal(req.rawBody, undefined);
    assert.equal(req.headers.Authorization, undefined);
    assert.deepEqual(seen, [], "a read tells nobody");
    server.done();
  });

  test("only the username and attributes are returned", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/profile", 200, { username: "ada", attributes, extra: "x" });
    assert.deepEqual(Object.keys(await client.profile()).sort(), ["attributes", "username"]);
  });

  const malformed = [
    ["no username", { attributes }],
    ["no attributes", { username: "ada" }],
    ["attributes as a list", { username: "ada", attributes: [["name", "Ada"]] }],
    ["a value that is not a string", { username: "ada", attributes: { email_verified: true } }],
  ];
  for (const [name, body] of malformed) {
    test(`a malformed answer (${name}) is invalid_response`, async () => {
      const { client, server } = setup();
      server.reply("GET", "/auth/profile", 200, body);
      await rejectsWith(client.profile(), "invalid_response", 200);
    });
  }

  test("a refused session (deleted account, global sign-out): unauthenticated, and listeners hear null", async () => {
    const { client, server, seen } = listened();
    server.reply("GET", "/auth/profile", 401, errorBody("unauthenticated", "Not signed in."));
    await rejectsWith(client.profile(), "unauthenticated", 401);
    assert.deepEqual(seen, [null]);
  });

  test("other failures keep the session: listeners hear nothing", async () => {
    const { client, server, seen } = listened();
    server.reply("GET", "/auth/profile", 503, errorBody("upstream_unavailable")).networkError("GET", "/auth/profile");
    await rejectsWith(client.profile(), "upstream_unavailable", 503);
    await rejectsWith(client.profile(), "network_error", 0);
    assert.deepEqual(seen, []);
  });
});

describe("updateProfile", () => {
  test("posts the attributes, then re-reads the session the server refreshed and tells listeners", async () => {
    const { client, server, seen } = listened();
    server
      .reply("POST", "/auth/profile", 200, { attributes: renamed, verification: [] })
      .reply("GET", "/auth/session", 200, renamedSession);
    const out = await client.updateProfile({ name: "Ada Lovelace" });
    assert.deepEqual(out, { attributes: renamed, verification: [] });
    const [post, get] = server.requests;
    assert.deepEqual(post.body, { attributes: { name: "Ada Lovelace" } });
    assert.equal(post.headers["Content-Type"], "application/json");
    assert.equal(post.credentials, "include");
    assert.equal(get.path, "/auth/session");
    assert.deepEqual(seen, [renamedSession]);
    server.done();
  });

  test("a new e-mail address: where its code went; the old address stays until confirmed", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/profile", 200, { attributes, verification: [emailCode] })
      .reply("GET", "/auth/session", 200, session);
    const out = await client.updateProfile({ email: "new@example.com" });
    assert.deepEqual(out.verification, [emailCode]);
    assert.equal(out.attributes.email, "ada@example.com");
    server.done();
  });

  test("the change stands when re-reading the session fails", async () => {
    for (const answer of [[503, errorBody("upstream_unavailable")], [200, { user: {} }]]) {
      const { client, server, seen } = listened();
      server.reply("POST", "/auth/profile", 200, { attributes: renamed, verification: [] }).reply("GET", "/auth/session", ...answer);
      assert.deepEqual(await client.updateProfile({ name: "Ada Lovelace" }), { attributes: renamed, verification: [] });
      assert.deepEqual(seen, []);
      server.done();
    }
  });

  test("a session that ended meanwhile is told as null", async () => {
    const { client, server, seen } = listened();
    server.reply("POST", "/auth/profile", 200, { attributes: renamed, verification: [] }).reply("GET", "/auth/session", 200, signedOutBody);
    await client.updateProfile({ name: "Ada Lovelace" });
    assert.deepEqual(seen, [null]);
  });

  const refusals = [
    ["an attribute the app client may not write", 403, "forbidden"],
    ["a protected attribute or a malformed value", 400, "invalid_request"],
    ["too many changes", 429, "too_many_requests"],
  ];
  for (const [name, status, code] of refusals) {
    test(`${name}: ${code}, nothing re-read, the session kept`, async () => {
      const { client, server, seen } = listened();
      server.reply("POST", "/auth/profile", status, errorBody(code, "the attribute email_verified cannot be changed"));
      await assert.rejects(client.updateProfile({ email_verified: "true" }), (e) => {
        assert.equal(e.code, code);
        assert.equal(e.status, status);
        assert.equal(e.message, "the attribute email_verified cannot be changed");
        return true;
      });
      assert.deepEqual(seen, []);
      server.done();
    });
  }

  test("a malformed answer is invalid_response", async () => {
    for (const body of [{ attributes: renamed }, { attributes: renamed, verification: [{ medium: "EMAIL" }] }, { verification: [] }]) {
      const { client, server } = setup();
      server.reply("POST", "/auth/profile", 200, body).reply("GET", "/auth/session", 200, session);
      await rejectsWith(client.updateProfile({ name: "x" }), "invalid_response", 200);
    }
  });
});

describe("verifyAttribute and resendAttributeCode", () => {
  test("verify posts the attribute and code, returns the attributes, and the session follows", async () => {
    const changed = { ...attributes, email: "new@example.com" };
    const newSession = { ...session, user: { ...user, email: "new@example.com" } };
    const { client, server, seen } = listened();
    server
      .reply("POST", "/auth/profile/verify", 200, { attributes: changed })
      .reply("GET", "/auth/session", 200, newSession);
    assert.deepEqual(await client.verifyAttribute("email", "123456"), { attributes: changed });
    assert.deepEqual(server.requests[0].body, { attribute: "email", code: "123456" });
    assert.equal(server.requests[0].headers["Content-Type"], "application/json");
    assert.deepEqual(seen, [newSession]);
    server.done();
  });

  test("a wrong or expired code may be retried: nothing re-read, the session kept", async () => {
    const { client, server, seen } = listened();
    server
      .reply("POST", "/auth/profile/verify", 400, errorBody("code_mismatch"))
      .reply("POST", "/auth/profile/verify", 400, errorBody("expired_code"));
    await rejectsWith(client.verifyAttribute("email", "000000"), "code_mismatch", 400);
    await rejectsWith(client.verifyAttribute("email", "000000"), "expired_code", 400);
    assert.deepEqual(seen, []);
    server.done();
  });

  test("resend posts the attribute and returns where the code went", async () => {
    const { client, server, seen } = listened();
    server.reply("POST", "/auth/profile/resend-code", 200, { verification: [emailCode] });
    assert.deepEqual(await client.resendAttributeCode("email"), { verification: [emailCode] });
    assert.deepEqual(server.last().body, { attribute: "email" });
    assert.deepEqual(seen, []);
    server.done();
  });

  test("malformed answers are invalid_response", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/profile/verify", 200, {})
      .reply("GET", "/auth/session", 200, session)
      .reply("POST", "/auth/profile/resend-code", 200, { verification: {} });
    await rejectsWith(client.verifyAttribute("email", "1"), "invalid_response");
    await rejectsWith(client.resendAttributeCode("email"), "invalid_response");
    server.done();
  });
});

describe("deleteAccount", () => {
  test("with the password: posts it, resolves {deleted: true}, and every listener hears null", async () => {
    const { client, server, seen } = listened();
    server.reply("POST", "/auth/account/delete", 200, { deleted: true });
    assert.deepEqual(await client.deleteAccount({ password: "pw" }), { deleted: true });
    const req = server.last();
    assert.deepEqual(req.body, { password: "pw" });
    assert.equal(req.headers["Content-Type"], "application/json");
    assert.equal(req.credentials, "include");
    assert.deepEqual(seen, [null]);
    server.done();
  });

  test("without a password (a recent sign-in), or with an empty one, none is sent", async () => {
    const { client, server } = setup();
    for (let i = 0; i < 3; i++) server.reply("POST", "/auth/account/delete", 200, { deleted: true });
    await client.deleteAccount();
    await client.deleteAccount({});
    await client.deleteAccount({ password: "" });
    for (const r of server.requests) assert.equal(r.rawBody, "{}");
  });

  const kept = [
    ["no recent sign-in and no password", 403, "reauthentication_required"],
    ["a wrong password", 401, "invalid_credentials"],
    ["too many attempts", 429, "too_many_requests"],
  ];
  for (const [name, status, code] of kept) {
    test(`${name}: ${code}, and the session is kept`, async () => {
      const { client, server, seen } = listened();
      server.reply("POST", "/auth/account/delete", status, errorBody(code));
      await rejectsWith(client.deleteAccount({ password: "pw" }), code, status);
      assert.deepEqual(seen, []);
    });
  }

  test("a session already refused: unauthenticated, and listeners hear null", async () => {
    const { client, server, seen } = listened();
    server.reply("POST", "/auth/account/delete", 401, errorBody("unauthenticated"));
    await rejectsWith(client.deleteAccount(), "unauthenticated", 401);
    assert.deepEqual(seen, [null]);
  });

  test("a 200 without deleted: true still signs out, then rejects invalid_response", async () => {
    const { client, server, seen } = listened();
    server.reply("POST", "/auth/account/delete", 200, {});
    await rejectsWith(client.deleteAccount(), "invalid_response", 200);
    assert.deepEqual(seen, [null]);
  });
});

describe("token mode", () => {
  test("every account call carries the access token; a change refreshes the tokens so the claims follow", async () => {
    const { client, server, storage, seen } = tokenListened();
    server
      .reply("GET", "/auth/profile", 200, { username: "ada", attributes })
      .reply("POST", "/auth/profile", 200, { attributes: renamed, verification: [] })
      .reply("POST", "/auth/refresh", 200, { ...renamedSession, tokens: wireTokens(2, { refresh: false }) })
      .reply("POST", "/auth/profile/resend-code", 200, { verification: [emailCode] })
      .reply("POST", "/auth/profile/verify", 200, { attributes })
      .reply("POST", "/auth/refresh", 200, { ...session, tokens: wireTokens(3, { refresh: false }) });
    await client.profile();
    await client.updateProfile({ name: "Ada Lovelace" });
    await client.resendAttributeCode("email");
    await client.verifyAttribute("email", "123456");
    const calls = server.requests.map((r) => [r.path, r.headers.Authorization ?? null, r.body ?? null]);
    assert.deepEqual(calls, [
      ["/auth/profile", "Bearer access-1", null],
      ["/auth/profile", "Bearer access-1", { attributes: { name: "Ada Lovelace" } }],
      ["/auth/refresh", null, { refresh_token: "r-1" }],
      ["/auth/profile/resend-code", "Bearer access-2", { attribute: "email" }],
      ["/auth/profile/verify", "Bearer access-2", { attribute: "email", code: "123456" }],
      ["/auth/refresh", null, { refresh_token: "r-1" }],
    ]);
    assert.deepEqual(seen, [renamedSession, session]);
    assert.equal(JSON.parse(storage.getItem("monban.tokens")).access_token, "access-3");
    server.done();
  });

  test("deleteAccount sends the access token, then forgets the tokens and tells listeners null", async () => {
    const { client, server, storage, seen } = tokenListened();
    server.reply("POST", "/auth/account/delete", 200, { deleted: true });
    await client.deleteAccount({ password: "pw" });
    assert.equal(server.last().headers.Authorization, "Bearer access-1");
    assert.deepEqual(server.last().body, { password: "pw" }, "the body is the password only");
    assert.equal(storage.getItem("monban.tokens"), null);
    assert.deepEqual(seen, [null]);
    assert.equal(await client.getSession(), null);
    server.done();
  });

  test("a refused access token forgets the tokens; a refused deletion keeps them", async () => {
    const { client, server, storage, seen } = tokenListened();
    server.reply("POST", "/auth/account/delete", 403, errorBody("reauthentication_required"));
    await rejectsWith(client.deleteAccount(), "reauthentication_required", 403);
    assert.notEqual(storage.getItem("monban.tokens"), null);
    assert.deepEqual(seen, []);
    server.reply("GET", "/auth/profile", 401, errorBody("unauthenticated"));
    await rejectsWith(client.profile(), "unauthenticated", 401);
    assert.equal(storage.getItem("monban.tokens"), null);
    assert.deepEqual(seen, [null]);
  });

  test("signed out (nothing stored): the request goes without a token, and nobody is told", async () => {
    const { client, server, seen } = listened({ client: { tokenMode: true, storage: memoryStorage() } });
    server.reply("GET", "/auth/profile", 401, errorBody("unauthenticated"));
    await rejectsWith(client.profile(), "unauthenticated", 401);
    assert.equal(server.last().headers.Authorization, undefined);
    assert.deepEqual(seen, []);
  });
});
