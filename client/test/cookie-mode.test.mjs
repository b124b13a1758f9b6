// The client in cookie mode (the default): every function's request and result.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MonbanError } from "../monban.js";
import { NOW, errorBody, iso, rejectsWith, session, setup, signedOutBody, user } from "./helpers.mjs";

describe("getSession", () => {
  test("returns the session, in its wire shape, from GET /auth/session with cookies", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/session", 200, session);
    assert.deepEqual(await client.getSession(), session);
    const req = server.last();
    assert.equal(req.method, "GET");
    assert.equal(req.url, "/auth/session");
    assert.equal(req.credentials, "include");
    assert.equal(req.headers.Authorization, undefined);
    assert.equal(req.rawBody, undefined);
    server.done();
  });

  test("signed out: 200 {user: null} is null", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/session", 200, signedOutBody);
    assert.equal(await client.getSession(), null);
    server.done();
  });

  test("signed out on an older server: 401 unauthenticated is null, not an error", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/session", 401, errorBody("unauthenticated", "no valid session"));
    assert.equal(await client.getSession(), null);
    server.done();
  });

  test("other failures reject with the server's code, status and message", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/session", 503, errorBody("upstream_unavailable", "Cognito is unavailable, try again"));
    await assert.rejects(client.getSession(), (e) => {
      assert.ok(e instanceof MonbanError);
      assert.ok(e instanceof Error);
      assert.equal(e.code, "upstream_unavailable");
      assert.equal(e.status, 503);
      assert.equal(e.message, "Cognito is unavailable, try again");
      return true;
    });
  });

  test("a session without expires_at is an invalid_response", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/session", 200, { user });
    await rejectsWith(client.getSession(), "invalid_response", 200);
  });

  test("tokens in an answer never reach the session object", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/session", 200, { ...session, tokens: { access_token: "a", expires_at: session.expires_at } });
    assert.deepEqual(Object.keys(await client.getSession()).sort(), ["expires_at", "user"]);
  });

  test("baseUrl prefixes every request; a trailing slash is dropped", async () => {
    const { client, server } = setup({ client: { baseUrl: "https://auth.example.com/" } });
    server.reply("GET", "/auth/session", 200, session);
    await client.getSession();
    assert.equal(server.last().url, "https://auth.example.com/auth/session");
  });
});

describe("signIn", () => {
  test("posts the credentials and returns the session", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-in/password", 200, session);
    const out = await client.signIn({ email: "ada@example.com", password: "pw" });
    assert.deepEqual(out, { session, challenge: null });
    const req = server.last();
    assert.equal(req.url, "/auth/sign-in/password");
    assert.deepEqual(req.body, { email: "ada@example.com", password: "pw" });
    assert.equal(req.headers["Content-Type"], "application/json");
    assert.equal(req.credentials, "include");
    server.done();
  });

  test("a username is sent as username", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-in/password", 200, session);
    await client.signIn({ username: "ada", password: "pw" });
    assert.deepEqual(server.last().body, { username: "ada", password: "pw" });
  });

  test("wrong password: invalid_credentials, 401", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-in/password", 401, errorBody("invalid_credentials", "Incorrect username or password."));
    await rejectsWith(client.signIn({ email: "a@example.com", password: "x" }), "invalid_credentials", 401);
  });

  // Each challenge's prompt, and what its answer needs.
  const prompts = [
    [{ challenge: "NEW_PASSWORD_REQUIRED", parameters: { required_attributes: [] } }, ["newPassword"]],
    [{ challenge: "NEW_PASSWORD_REQUIRED", parameters: { required_attributes: ["name"] } }, ["newPassword", "attributes"]],
    [{ challenge: "SOFTWARE_TOKEN_MFA", parameters: {} }, ["code"]],
    [{ challenge: "SMS_MFA", parameters: { destination: "+*******1234", medium: "SMS" } }, ["code"]],
    [{ challenge: "EMAIL_OTP", parameters: { destination: "a***@e***.com", medium: "EMAIL" } }, ["code"]],
    [{ challenge: "SELECT_MFA_TYPE", parameters: { mfas_can_choose: ["SMS_MFA", "SOFTWARE_TOKEN_MFA"] } }, ["mfaType"]],
    [
      {
        challenge: "MFA_SETUP",
        parameters: { mfas_can_setup: ["SOFTWARE_TOKEN_MFA"], secret: "JBSWY3DPEHPK3PXP", otpauth_uri: "otpauth://totp/x" },
      },
      ["code"],
    ],
    [{ challenge: "MFA_SETUP", parameters: { mfas_can_setup: ["SMS_MFA"] } }, []],
    [{ challenge: "SOMETHING_NEWER", parameters: {} }, []],
  ];
  for (const [prompt, needs] of prompts) {
    test(`challenge ${prompt.challenge} needs ${JSON.stringify(needs)}`, async () => {
      const { client, server } = setup();
      server.reply("POST", "/auth/sign-in/password", 200, prompt);
      const out = await client.signIn({ email: "a@example.com", password: "pw" });
      assert.deepEqual(out, {
        session: null,
        challenge: { name: prompt.challenge, parameters: prompt.parameters, needs },
      });
    });
  }

  test("a challenge does not tell session listeners anything", async () => {
    const { client, server } = setup();
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/sign-in/password", 200, { challenge: "SOFTWARE_TOKEN_MFA", parameters: {} });
    await client.signIn({ email: "a@example.com", password: "pw" });
    assert.deepEqual(seen, []);
  });

  test("an answer that is neither session nor challenge is an invalid_response", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-in/password", 200, { ok: true });
    await rejectsWith(client.signIn({ email: "a@example.com", password: "pw" }), "invalid_response");
  });
});

describe("answerChallenge", () => {
  test("chained: new password with attributes, then TOTP, then the session", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/sign-in/password", 200, {
        challenge: "NEW_PASSWORD_REQUIRED",
        parameters: { required_attributes: ["name"] },
      })
      .reply("POST", "/auth/challenge", 200, { challenge: "SOFTWARE_TOKEN_MFA", parameters: {} })
      .reply("POST", "/auth/challenge", 200, session);
    const first = await client.signIn({ email: "a@example.com", password: "Temp-1" });
    assert.equal(first.challenge?.name, "NEW_PASSWORD_REQUIRED");

    const second = await client.answerChallenge({ newPassword: "N3w-Passw0rd!", attributes: { name: "Ada" } });
    assert.deepEqual(second, { session: null, challenge: { name: "SOFTWARE_TOKEN_MFA", parameters: {}, needs: ["code"] } });
    assert.deepEqual(server.last().body, {
      challenge: "NEW_PASSWORD_REQUIRED",
      new_password: "N3w-Passw0rd!",
      attributes: { name: "Ada" },
    });
    assert.equal(server.last().headers["Content-Type"], "application/json");

    const third = await client.answerChallenge({ code: "123456" });
    assert.deepEqual(third, { session, challenge: null });
    assert.deepEqual(server.last().body, { challenge: "SOFTWARE_TOKEN_MFA", code: "123456" });
    server.done();
  });

  test("SELECT_MFA_TYPE is answered with mfa_type", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/sign-in/password", 200, { challenge: "SELECT_MFA_TYPE", parameters: { mfas_can_choose: ["EMAIL_OTP"] } })
      .reply("POST", "/auth/challenge", 200, { challenge: "EMAIL_OTP", parameters: { destination: "a***", medium: "EMAIL" } });
    await client.signIn({ email: "a@example.com", password: "pw" });
    const out = await client.answerChallenge({ mfaType: "EMAIL_OTP" });
    assert.deepEqual(server.last().body, { challenge: "SELECT_MFA_TYPE", mfa_type: "EMAIL_OTP" });
    assert.equal(out.challenge?.name, "EMAIL_OTP");
  });

  test("a wrong code can be retried; the challenge is still named", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/sign-in/password", 200, { challenge: "SMS_MFA", parameters: {} })
      .reply("POST", "/auth/challenge", 400, errorBody("code_mismatch"))
      .reply("POST", "/auth/challenge", 200, session);
    await client.signIn({ email: "a@example.com", password: "pw" });
    await rejectsWith(client.answerChallenge({ code: "000000" }), "code_mismatch", 400);
    assert.deepEqual(await client.answerChallenge({ code: "123456" }), { session, challenge: null });
    assert.equal(server.last().body.challenge, "SMS_MFA");
  });

  test("an expired challenge is forgotten: the next answer names none", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/sign-in/password", 200, { challenge: "SMS_MFA", parameters: {} })
      .reply("POST", "/auth/challenge", 401, errorBody("no_pending_challenge"))
      .reply("POST", "/auth/challenge", 401, errorBody("no_pending_challenge"));
    await client.signIn({ email: "a@example.com", password: "pw" });
    await rejectsWith(client.answerChallenge({ code: "1" }), "no_pending_challenge", 401);
    await rejectsWith(client.answerChallenge({ code: "1" }), "no_pending_challenge", 401);
    assert.deepEqual(server.last().body, { code: "1" });
  });

  test("a new sign-in forgets the earlier challenge, even when it fails", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/sign-in/password", 200, { challenge: "SMS_MFA", parameters: {} })
      .reply("POST", "/auth/sign-in/password", 401, errorBody("invalid_credentials"))
      .reply("POST", "/auth/challenge", 401, errorBody("no_pending_challenge"));
    await client.signIn({ email: "a@example.com", password: "pw" });
    await rejectsWith(client.signIn({ email: "b@example.com", password: "x" }), "invalid_credentials", 401);
    await rejectsWith(client.answerChallenge({ code: "1" }), "no_pending_challenge", 401);
    assert.deepEqual(server.last().body, { code: "1" });
  });

  test("without a sign-in in this client, the server's cookie decides", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/challenge", 200, session);
    assert.deepEqual(await client.answerChallenge({ code: "123456" }), { session, challenge: null });
    assert.deepEqual(server.last().body, { code: "123456" });
  });
});

describe("signUp and the code flows", () => {
  test("signUp signs in by default and returns the session", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-up", 200, { user_confirmed: true, ...session });
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    const out = await client.signUp({ email: "ada@example.com", password: "pw", attributes: { name: "Ada" } });
    assert.deepEqual(out, { userConfirmed: true, delivery: null, session, challenge: null });
    assert.deepEqual(server.last().body, {
      email: "ada@example.com",
      password: "pw",
      attributes: { name: "Ada" },
      sign_in: true,
    });
    assert.deepEqual(seen, [session]);
  });

  test("signUp with signIn: false, unconfirmed: the delivery, no session", async () => {
    const { client, server } = setup();
    const delivery = { medium: "EMAIL", destination: "a***@e***.com" };
    server.reply("POST", "/auth/sign-up", 200, { user_confirmed: false, delivery });
    const out = await client.signUp({ username: "ada", password: "pw", signIn: false });
    assert.deepEqual(out, { userConfirmed: false, delivery, session: null, challenge: null });
    assert.deepEqual(server.last().body, { username: "ada", password: "pw", sign_in: false });
  });

  test("signUp that ends in a challenge remembers it for answerChallenge", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/sign-up", 200, { user_confirmed: true, challenge: "MFA_SETUP", parameters: { mfas_can_setup: ["SOFTWARE_TOKEN_MFA"], secret: "JBSWY3DPEHPK3PXP" } })
      .reply("POST", "/auth/challenge", 200, session);
    const out = await client.signUp({ email: "a@example.com", password: "pw" });
    assert.equal(out.challenge?.name, "MFA_SETUP");
    assert.deepEqual(out.challenge?.needs, ["code"]);
    assert.equal(out.session, null);
    await client.answerChallenge({ code: "123456" });
    assert.deepEqual(server.last().body, { challenge: "MFA_SETUP", code: "123456" });
  });

  test("signUp: a taken name is username_exists (409)", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-up", 409, errorBody("username_exists"));
    await rejectsWith(client.signUp({ email: "a@example.com", password: "pw" }), "username_exists", 409);
  });

  test("confirmSignUp posts email and code and resolves undefined", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/confirm-sign-up", 200, { confirmed: true });
    assert.equal(await client.confirmSignUp({ email: "a@example.com", code: "123456" }), undefined);
    assert.deepEqual(server.last().body, { email: "a@example.com", code: "123456" });
    server.done();
  });

  test("confirmSignUp: a wrong code rejects with code_mismatch", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/confirm-sign-up", 400, errorBody("code_mismatch"));
    await rejectsWith(client.confirmSignUp({ email: "a@example.com", code: "1" }), "code_mismatch", 400);
  });

  test("resendCode returns the delivery", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/resend-code", 200, { delivery: { medium: "EMAIL" } });
    assert.deepEqual(await client.resendCode({ email: "a@example.com" }), { medium: "EMAIL" });
    assert.deepEqual(server.last().body, { email: "a@example.com" });
  });

  test("forgotPassword and confirmForgotPassword", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/forgot-password", 200, { accepted: true })
      .reply("POST", "/auth/confirm-forgot-password", 200, { password_reset: true });
    assert.equal(await client.forgotPassword({ email: "a@example.com" }), undefined);
    assert.deepEqual(server.requests[0].body, { email: "a@example.com" });
    assert.equal(await client.confirmForgotPassword({ email: "a@example.com", code: "123456", password: "N3w!" }), undefined);
    assert.deepEqual(server.requests[1].body, { email: "a@example.com", code: "123456", password: "N3w!" });
    server.done();
  });

  test("changePassword sends snake_case names and no bearer header", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/change-password", 200, { changed: true });
    assert.equal(await client.changePassword({ previousPassword: "old", proposedPassword: "new" }), undefined);
    assert.deepEqual(server.last().body, { previous_password: "old", proposed_password: "new" });
    assert.equal(server.last().headers.Authorization, undefined);
  });

  test("setUpTotp and verifyTotp", async () => {
    const { client, server } = setup();
    const otpauth = "otpauth://totp/monban:ada@example.com?secret=JBSWY3DPEHPK3PXP&issuer=monban";
    server
      .reply("POST", "/auth/mfa/totp/setup", 200, { secret: "JBSWY3DPEHPK3PXP", otpauth_uri: otpauth })
      .reply("POST", "/auth/mfa/totp/verify", 200, { enabled: true });
    assert.deepEqual(await client.setUpTotp(), { secret: "JBSWY3DPEHPK3PXP", otpauthUri: otpauth });
    assert.deepEqual(server.requests[0].body, {});
    assert.equal(await client.verifyTotp({ code: "123456", friendlyName: "phone" }), undefined);
    assert.deepEqual(server.requests[1].body, { code: "123456", friendly_name: "phone" });
    server.done();
  });
});

describe("refresh and getAccessToken", () => {
  test("refresh posts {} and returns the new session, telling listeners", async () => {
    const { client, server } = setup();
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/refresh", 200, session);
    assert.deepEqual(await client.refresh(), session);
    assert.deepEqual(server.last().body, {});
    assert.deepEqual(seen, [session]);
  });

  test("refresh of an ended session rejects and tells listeners null", async () => {
    const { client, server } = setup();
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/refresh", 401, errorBody("unauthenticated"));
    await rejectsWith(client.refresh(), "unauthenticated", 401);
    assert.deepEqual(seen, [null]);
  });

  test("getAccessToken reads GET /auth/token once and caches it until near expiry", async () => {
    let now = NOW;
    const { client, server } = setup({ client: { now: () => now } });
    server
      .reply("GET", "/auth/token", 200, { access_token: "at-1", expires_at: iso(NOW + 600_000) })
      .reply("GET", "/auth/token", 200, { access_token: "at-2", expires_at: iso(NOW + 1200_000) });
    assert.equal(await client.getAccessToken(), "at-1");
    assert.equal(await client.getAccessToken(), "at-1");
    assert.equal(server.requests.length, 1);
    now = NOW + 590_000; // within a minute of expiry
    assert.equal(await client.getAccessToken(), "at-2");
    assert.equal(server.requests.length, 2);
    assert.equal(server.last().credentials, "include");
  });

  test("getAccessToken signed out is null; the disabled endpoint is not_found", async () => {
    const { client, server } = setup();
    server
      .reply("GET", "/auth/token", 401, errorBody("unauthenticated"))
      .reply("GET", "/auth/token", 404, errorBody("not_found", "the token endpoint is disabled"));
    assert.equal(await client.getAccessToken(), null);
    await rejectsWith(client.getAccessToken(), "not_found", 404);
  });

  test("a sign-in drops the cached token", async () => {
    const { client, server } = setup();
    server
      .reply("GET", "/auth/token", 200, { access_token: "at-1", expires_at: iso(NOW + 600_000) })
      .reply("POST", "/auth/sign-in/password", 200, session)
      .reply("GET", "/auth/token", 200, { access_token: "at-2", expires_at: iso(NOW + 600_000) });
    assert.equal(await client.getAccessToken(), "at-1");
    await client.signIn({ email: "b@example.com", password: "pw" });
    assert.equal(await client.getAccessToken(), "at-2");
  });
});

describe("providers", () => {
  test("GET /auth/providers: the names, in the server's order", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/providers", 200, { providers: ["Google", "SignInWithApple"] });
    assert.deepEqual(await client.providers(), ["Google", "SignInWithApple"]);
    const req = server.last();
    assert.equal(req.method, "GET");
    assert.equal(req.url, "/auth/providers");
    assert.equal(req.rawBody, undefined);
    assert.equal(req.headers.Authorization, undefined);
    server.done();
  });

  test("none configured is an empty list", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/providers", 200, { providers: [] });
    assert.deepEqual(await client.providers(), []);
  });

  test("a malformed answer is invalid_response; an older server's 404 is not_found", async () => {
    const { client, server } = setup();
    server
      .reply("GET", "/auth/providers", 200, {})
      .reply("GET", "/auth/providers", 200, { providers: [{ name: "Google" }] })
      .reply("GET", "/auth/providers", 404, errorBody("not_found"));
    await rejectsWith(client.providers(), "invalid_response");
    await rejectsWith(client.providers(), "invalid_response");
    await rejectsWith(client.providers(), "not_found", 404);
  });

  test("a listed provider is the one signInWithRedirect sends to", async () => {
    const { client, server, navigated } = setup();
    server.reply("GET", "/auth/providers", 200, { providers: ["SignInWithApple"] });
    const [provider] = await client.providers();
    client.signInWithRedirect({ provider, redirectTo: "/" });
    assert.equal(new URL(navigated[0], "https://site.example").searchParams.get("identity_provider"), "SignInWithApple");
  });
});

describe("signInWithRedirect", () => {
  test("defaults redirect_to to the current path and query, encoded", () => {
    const { client, navigated } = setup({ href: "https://site.example/account?tab=a b&x=1#frag" });
    client.signInWithRedirect();
    assert.equal(navigated.length, 1);
    const u = new URL(navigated[0], "https://site.example");
    assert.equal(u.pathname, "/auth/sign-in");
    assert.equal(u.searchParams.get("redirect_to"), "/account?tab=a%20b&x=1");
    assert.ok(navigated[0].startsWith("/auth/sign-in?redirect_to=%2Faccount%3Ftab%3Da%2520b%26x%3D1"), navigated[0]);
    assert.equal(u.searchParams.has("identity_provider"), false);
    assert.equal(u.searchParams.has("screen"), false);
  });

  test("passes redirectTo, provider and screen", () => {
    const { client, navigated } = setup();
    client.signInWithRedirect({ redirectTo: "/welcome?from=sign up&a=1", provider: "Google", screen: "signup" });
    const u = new URL(navigated[0], "https://site.example");
    assert.deepEqual(Object.fromEntries(u.searchParams), {
      redirect_to: "/welcome?from=sign up&a=1",
      identity_provider: "Google",
      screen: "signup",
    });
  });

  test("an API on another origin gets the full URL to come back to", () => {
    const { client, navigated } = setup({ client: { baseUrl: "https://auth.example.com" } });
    client.signInWithRedirect();
    const u = new URL(navigated[0]);
    assert.equal(u.origin + u.pathname, "https://auth.example.com/auth/sign-in");
    assert.equal(u.searchParams.get("redirect_to"), "https://site.example/account?tab=profile");
  });

  test("an API on the same origin given in full still gets a path", () => {
    const { client, navigated } = setup({ client: { baseUrl: "https://site.example" } });
    client.signInWithRedirect();
    assert.equal(new URL(navigated[0]).searchParams.get("redirect_to"), "/account?tab=profile");
  });

  test("without a navigate option it calls location.assign", () => {
    const { client, location } = setup({ client: { navigate: undefined } });
    client.signInWithRedirect({ redirectTo: "/x" });
    assert.deepEqual(location.assigned, ["/auth/sign-in?redirect_to=%2Fx"]);
  });
});

describe("signOut", () => {
  const logoutUrl = "https://auth.example.com/logout?client_id=cid&logout_uri=https%3A%2F%2Fsite.example%2F";

  test("posts, tells listeners null, then goes to Cognito's /logout", async () => {
    const { client, server, navigated } = setup();
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/sign-out", 200, { logout_url: logoutUrl, revoked: true });
    assert.deepEqual(await client.signOut(), { logoutUrl });
    const req = server.last();
    assert.equal(req.url, "/auth/sign-out");
    assert.deepEqual(req.body, {});
    assert.equal(req.headers["Content-Type"], "application/json");
    assert.deepEqual(seen, [null]);
    assert.deepEqual(navigated, [logoutUrl]);
  });

  test("redirect: false stays on the page", async () => {
    const { client, server, navigated } = setup();
    server.reply("POST", "/auth/sign-out", 200, { logout_url: logoutUrl, revoked: true });
    assert.deepEqual(await client.signOut({ redirect: false }), { logoutUrl });
    assert.deepEqual(navigated, []);
  });

  test("global and logoutUri go in the query, encoded", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-out", 200, { logout_url: logoutUrl, revoked: true });
    await client.signOut({ global: true, logoutUri: "/bye?x=1&y=a b", redirect: false });
    assert.deepEqual(server.last().query, { global: "true", logout_uri: "/bye?x=1&y=a b" });
    assert.match(server.last().url, /^\/auth\/sign-out\?global=true&logout_uri=%2Fbye%3Fx%3D1%26y%3Da\+b$/);
  });

  test("a malformed request changes nothing: no listener call, no navigation", async () => {
    const { client, server, navigated } = setup();
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/sign-out", 400, errorBody("invalid_request", "logout_uri is not allowed"));
    await rejectsWith(client.signOut({ logoutUri: "https://evil.example/" }), "invalid_request", 400);
    assert.deepEqual(seen, []);
    assert.deepEqual(navigated, []);
  });

  test("a failed global sign-out still signed this browser out", async () => {
    const { client, server, navigated } = setup();
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.reply("POST", "/auth/sign-out", 503, errorBody("upstream_unavailable"));
    await rejectsWith(client.signOut({ global: true }), "upstream_unavailable", 503);
    assert.deepEqual(seen, [null]);
    assert.deepEqual(navigated, []);
  });

  test("offline: network_error, nothing changed", async () => {
    const { client, server } = setup();
    const seen = [];
    client.onSessionChange((s) => seen.push(s));
    server.networkError("POST", "/auth/sign-out");
    await rejectsWith(client.signOut(), "network_error", 0);
    assert.deepEqual(seen, []);
  });
});

test("a session's expiry is passed through untouched", async () => {
  const { client, server } = setup();
  const s = { ...session, expires_at: "2030-01-01T13:00:00.123456789Z" };
  server.reply("GET", "/auth/session", 200, s);
  assert.equal((await client.getSession())?.expires_at, "2030-01-01T13:00:00.123456789Z");
});
