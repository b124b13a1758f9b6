// Passwordless: choice-based sign-in, e-mail codes, passkeys (sign-in, registration, the
// list), and the base64url conversions between WebAuthn's JSON forms and what
// navigator.credentials takes and returns. navigator.credentials and PublicKeyCredential are
// faked; so is the server.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { fromBase64url, toBase64url } from "../monban.js";
import { NOW, errorBody, memoryStorage, rejectsWith, session, setup, wireTokens } from "./helpers.mjs";

const bytes = (...b) => new Uint8Array(b).buffer;
const same = (buf, want) => assert.deepEqual([...new Uint8Array(buf)], [...new Uint8Array(want)]);

// The request options as Cognito gives them (CREDENTIAL_REQUEST_OPTIONS, parsed).
const requestJSON = {
  challenge: "AAECAwQ", // 00 01 02 03 04
  rpId: "site.example",
  timeout: 180000,
  userVerification: "required",
  allowCredentials: [{ id: "-_8", type: "public-key", transports: ["internal"] }], // fb ff
};

// The creation options (StartWebAuthnRegistration's CredentialCreationOptions).
const creationJSON = {
  rp: { id: "site.example", name: "Site" },
  user: { id: "dXNlcg", name: "ada@example.com", displayName: "Ada" }, // "user"
  challenge: "_w", // ff
  pubKeyCredParams: [{ type: "public-key", alg: -7 }],
  timeout: 180000,
  excludeCredentials: [{ id: "AQ", type: "public-key" }], // 01
  authenticatorSelection: { residentKey: "required", userVerification: "required" },
};

/** An assertion as navigator.credentials.get returns it, without toJSON (older browsers). */
function assertion() {
  return {
    id: "cred-1",
    rawId: bytes(1, 2, 3),
    type: "public-key",
    authenticatorAttachment: "platform",
    response: {
      clientDataJSON: new TextEncoder().encode('{"type":"webauthn.get"}').buffer,
      authenticatorData: bytes(9, 9),
      signature: bytes(0xfb, 0xff, 0xfe),
      userHandle: bytes(0x75),
    },
    getClientExtensionResults: () => ({}),
  };
}

const assertionJSON = {
  id: "cred-1",
  rawId: "AQID",
  response: {
    clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
    authenticatorData: "CQk",
    signature: "-__-",
    userHandle: "dQ",
  },
  clientExtensionResults: {},
  type: "public-key",
  authenticatorAttachment: "platform",
};

/** An attestation as navigator.credentials.create returns it, without toJSON. */
function attestation() {
  return {
    id: "cred-2",
    rawId: bytes(4),
    type: "public-key",
    authenticatorAttachment: "cross-platform",
    response: {
      clientDataJSON: bytes(0x7b, 0x7d),
      attestationObject: bytes(0xa0),
      getTransports: () => ["usb", "nfc"],
      getAuthenticatorData: () => bytes(7),
      getPublicKey: () => bytes(8, 8),
      getPublicKeyAlgorithm: () => -7,
    },
    getClientExtensionResults: () => ({ credProps: { rk: true } }),
  };
}

/** navigator.credentials: records the options, answers with what the test gives. */
function fakeCredentials({ get, create } = {}) {
  const calls = { get: [], create: [] };
  return {
    calls,
    api: {
      get: async (o) => (calls.get.push(o), typeof get === "function" ? get(o) : get),
      create: async (o) => (calls.create.push(o), typeof create === "function" ? create(o) : create),
    },
  };
}

const domError = (name) => Object.assign(new Error(name + " message"), { name });

/** A client with passkeys faked; PublicKeyCredential has no JSON parsers unless given. */
function passkeySetup({ get, create, PublicKeyCredential = {}, client } = {}) {
  const creds = fakeCredentials({ get, create });
  const env = setup({ client: { credentials: creds.api, PublicKeyCredential, ...client } });
  return { ...env, creds };
}

describe("base64url", () => {
  test("round-trips every length, as Node's own base64url encodes", () => {
    for (let n = 0; n <= 40; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 151 + n * 7) & 0xff);
      const text = toBase64url(b);
      assert.equal(text, Buffer.from(b).toString("base64url"), `length ${n}`);
      assert.doesNotMatch(text, /[+/=]/);
      same(fromBase64url(text), b.buffer);
    }
  });

  test("encodes an ArrayBuffer, and a view of part of one", () => {
    assert.equal(toBase64url(bytes(0xfb, 0xff)), "-_8");
    const view = new Uint8Array([0, 0xfb, 0xff, 0]).subarray(1, 3);
    assert.equal(toBase64url(view), "-_8");
    assert.equal(toBase64url(new DataView(bytes(1, 2, 3), 1)), "AgM");
  });

  test("decodes with or without padding; refuses what is not base64url", () => {
    same(fromBase64url("AQ=="), bytes(1));
    same(fromBase64url("AQ"), bytes(1));
    same(fromBase64url(""), bytes());
    for (const bad of ["+/8", "A", "AQ===", "A Q", "AQ=A", 7, null]) {
      assert.throws(() => fromBase64url(bad), TypeError, String(bad));
    }
  });

  test("a large value (past one String.fromCharCode batch)", () => {
    const b = new Uint8Array(100_000).map((_, i) => i % 251);
    same(fromBase64url(toBase64url(b)), b.buffer);
  });
});

describe("startSignIn", () => {
  const prompts = [
    [{ challenge: "SELECT_CHALLENGE", parameters: { factors: ["WEB_AUTHN", "EMAIL_OTP", "PASSWORD"] } }, ["factor"]],
    [{ challenge: "PASSWORD", parameters: {} }, ["password"]],
    [{ challenge: "WEB_AUTHN", parameters: { options: requestJSON } }, ["credential"]],
    [{ challenge: "EMAIL_OTP", parameters: { destination: "a***@e***", medium: "EMAIL" } }, ["code"]],
  ];
  for (const [prompt, needs] of prompts) {
    test(`posts the name and factor; ${prompt.challenge} needs ${JSON.stringify(needs)}`, async () => {
      const { client, server } = setup();
      server.reply("POST", "/auth/sign-in/start", 200, prompt);
      const out = await client.startSignIn({ email: "ada@example.com", factor: "WEB_AUTHN" });
      assert.deepEqual(out, { session: null, challenge: { name: prompt.challenge, parameters: prompt.parameters, needs } });
      const req = server.last();
      assert.deepEqual(req.body, { email: "ada@example.com", factor: "WEB_AUTHN" });
      assert.equal(req.headers["Content-Type"], "application/json");
      assert.equal(req.credentials, "include");
      server.done();
    });
  }

  test("without a factor none is sent; SELECT_CHALLENGE is answered with factor and password", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/sign-in/start", 200, prompts[0][0])
      .reply("POST", "/auth/challenge", 200, session);
    await client.startSignIn({ username: "ada" });
    assert.deepEqual(server.last().body, { username: "ada" });
    const out = await client.answerChallenge({ factor: "PASSWORD", password: "pw" });
    assert.deepEqual(out, { session, challenge: null });
    assert.deepEqual(server.last().body, { challenge: "SELECT_CHALLENGE", factor: "PASSWORD", password: "pw" });
    server.done();
  });

  test("a pool without choice-based sign-in: the server's invalid_request", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/sign-in/start", 400, errorBody("invalid_request", "not enabled"));
    await rejectsWith(client.startSignIn({ email: "a@example.com" }), "invalid_request", 400);
  });
});

describe("e-mail codes", () => {
  test("sendEmailCode starts with EMAIL_OTP; answerEmailCode answers it", async () => {
    const { client, server } = setup();
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "EMAIL_OTP", parameters: { destination: "a***@e***", medium: "EMAIL" } })
      .reply("POST", "/auth/challenge", 400, errorBody("code_mismatch"))
      .reply("POST", "/auth/challenge", 200, session);
    const sent = await client.sendEmailCode({ email: "ada@example.com" });
    assert.equal(sent.challenge.name, "EMAIL_OTP");
    assert.equal(sent.challenge.parameters.destination, "a***@e***");
    assert.deepEqual(server.last().body, { email: "ada@example.com", factor: "EMAIL_OTP" });
    // A wrong code may be tried again.
    await rejectsWith(client.answerEmailCode("000000"), "code_mismatch", 400);
    assert.deepEqual(server.last().body, { challenge: "EMAIL_OTP", code: "000000" });
    assert.deepEqual(await client.answerEmailCode({ code: "123456" }), { session, challenge: null });
    assert.deepEqual(server.last().body, { challenge: "EMAIL_OTP", code: "123456" });
    server.done();
  });
});

describe("signInWithPasskey", () => {
  test("converts the options by hand, and the assertion, when the browser has no JSON support", async () => {
    const { client, server, creds } = passkeySetup({ get: assertion() });
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON } })
      .reply("POST", "/auth/challenge", 200, session);
    const out = await client.signInWithPasskey({ email: "ada@example.com" });
    assert.deepEqual(out, { session, challenge: null });
    assert.deepEqual(server.requests[0].body, { email: "ada@example.com", factor: "WEB_AUTHN" });

    assert.equal(creds.calls.get.length, 1);
    const { publicKey, signal } = creds.calls.get[0];
    assert.equal(signal, undefined);
    assert.ok(publicKey.challenge instanceof ArrayBuffer);
    same(publicKey.challenge, bytes(0, 1, 2, 3, 4));
    same(publicKey.allowCredentials[0].id, bytes(0xfb, 0xff));
    assert.deepEqual(publicKey.allowCredentials[0].transports, ["internal"]);
    assert.equal(publicKey.rpId, "site.example");
    assert.equal(publicKey.timeout, 180000);
    assert.equal(publicKey.userVerification, "required");

    assert.deepEqual(server.last().body, { challenge: "WEB_AUTHN", credential: assertionJSON });
    server.done();
  });

  test("uses the browser's parseRequestOptionsFromJSON and credential.toJSON when it has them", async () => {
    const parsed = { parsed: true };
    const seen = [];
    const PublicKeyCredential = {
      parseRequestOptionsFromJSON(o) {
        seen.push(o);
        return parsed;
      },
    };
    const fromBrowser = { ...assertionJSON, id: "from-toJSON" };
    const cred = { ...assertion(), toJSON: () => fromBrowser };
    const { client, server, creds } = passkeySetup({ get: cred, PublicKeyCredential });
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON } })
      .reply("POST", "/auth/challenge", 200, session);
    const ac = new AbortController();
    await client.signInWithPasskey({ username: "ada", signal: ac.signal });
    assert.deepEqual(seen, [requestJSON]);
    assert.equal(creds.calls.get[0].publicKey, parsed);
    assert.equal(creds.calls.get[0].signal, ac.signal);
    assert.deepEqual(server.last().body.credential, fromBrowser);
  });

  test("a browser parser that refuses the options, or a toJSON that throws: converted by hand", async () => {
    const PublicKeyCredential = {
      parseRequestOptionsFromJSON() {
        throw new TypeError("unknown member");
      },
    };
    const cred = {
      ...assertion(),
      toJSON() {
        throw new Error("not implemented by this password manager");
      },
    };
    const { client, server, creds } = passkeySetup({ get: cred, PublicKeyCredential });
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON } })
      .reply("POST", "/auth/challenge", 200, session);
    await client.signInWithPasskey({ email: "ada@example.com" });
    same(creds.calls.get[0].publicKey.challenge, bytes(0, 1, 2, 3, 4));
    assert.deepEqual(server.last().body.credential, assertionJSON);
  });

  test("cancelled: passkey_cancelled, and a retry without a name reuses the pending prompt", async () => {
    let attempt = 0;
    const { client, server, creds } = passkeySetup({
      get: () => {
        if (attempt++ === 0) throw domError("NotAllowedError");
        return assertion();
      },
    });
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON }, challenge_token: "ct" })
      .reply("POST", "/auth/challenge", 200, session);
    await assert.rejects(client.signInWithPasskey({ email: "ada@example.com" }), (e) => {
      assert.equal(e.code, "passkey_cancelled");
      assert.equal(e.status, 0);
      assert.equal(e.cause.name, "NotAllowedError");
      return true;
    });
    assert.equal(server.requests.length, 1, "nothing sent after a cancelled request");
    assert.deepEqual(await client.signInWithPasskey(), { session, challenge: null });
    assert.equal(creds.calls.get.length, 2);
    same(creds.calls.get[1].publicKey.challenge, bytes(0, 1, 2, 3, 4));
    assert.equal(server.last().body.challenge_token, "ct");
    server.done();
  });

  test("the browser's other refusals", async () => {
    for (const [name, code] of [
      ["AbortError", "passkey_cancelled"],
      ["NotSupportedError", "passkey_unsupported"],
      ["SecurityError", "passkey_failed"],
      ["InvalidStateError", "passkey_failed"],
    ]) {
      const { client, server } = passkeySetup({ get: () => Promise.reject(domError(name)) });
      server.reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON } });
      await rejectsWith(client.signInWithPasskey({ email: "ada@example.com" }), code, 0);
    }
  });

  test("get resolving with null is passkey_cancelled", async () => {
    const { client, server } = passkeySetup({ get: null });
    server.reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON } });
    await rejectsWith(client.signInWithPasskey({ email: "ada@example.com" }), "passkey_cancelled");
  });

  test("answers a pending SELECT_CHALLENGE with the factor, then the passkey", async () => {
    const { client, server } = passkeySetup({ get: assertion() });
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "SELECT_CHALLENGE", parameters: { factors: ["WEB_AUTHN", "PASSWORD"] } })
      .reply("POST", "/auth/challenge", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON } })
      .reply("POST", "/auth/challenge", 200, session);
    await client.startSignIn({ email: "ada@example.com" });
    assert.deepEqual(await client.signInWithPasskey(), { session, challenge: null });
    assert.deepEqual(server.requests[1].body, { challenge: "SELECT_CHALLENGE", factor: "WEB_AUTHN" });
    assert.deepEqual(server.requests[2].body, { challenge: "WEB_AUTHN", credential: assertionJSON });
    server.done();
  });

  test("another prompt instead of WEB_AUTHN is returned, and no passkey is asked for", async () => {
    const { client, server, creds } = passkeySetup({ get: assertion() });
    const prompt = { challenge: "SELECT_CHALLENGE", parameters: { factors: ["EMAIL_OTP", "PASSWORD"] } };
    server.reply("POST", "/auth/sign-in/start", 200, prompt);
    const out = await client.signInWithPasskey({ email: "ada@example.com" });
    assert.equal(out.challenge.name, "SELECT_CHALLENGE");
    assert.equal(creds.calls.get.length, 0);
  });

  test("without a name or a pending sign-in: invalid_request, nothing sent", async () => {
    const { client, server } = passkeySetup();
    await rejectsWith(client.signInWithPasskey(), "invalid_request", 0);
    assert.equal(server.requests.length, 0);
  });

  test("a browser without WebAuthn: passkey_unsupported, nothing sent", async () => {
    for (const seams of [{ credentials: null }, { PublicKeyCredential: null }, { credentials: { get() {} } }]) {
      const { client, server } = setup({ client: { credentials: fakeCredentials().api, PublicKeyCredential: {}, ...seams } });
      assert.equal(client.passkeysSupported(), false);
      await rejectsWith(client.signInWithPasskey({ email: "a@example.com" }), "passkey_unsupported", 0);
      await rejectsWith(client.registerPasskey(), "passkey_unsupported", 0);
      assert.equal(server.requests.length, 0);
    }
    assert.equal(passkeySetup().client.passkeysSupported(), true);
  });

  test("options that are not base64url: invalid_response, no passkey asked for", async () => {
    const { client, server, creds } = passkeySetup({ get: assertion() });
    server.reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: { ...requestJSON, challenge: "a+b/" } } });
    await rejectsWith(client.signInWithPasskey({ email: "a@example.com" }), "invalid_response");
    server.reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: {} });
    await rejectsWith(client.signInWithPasskey({ email: "a@example.com" }), "invalid_response");
    assert.equal(creds.calls.get.length, 0);
  });

  test("a refused passkey: the server's invalid_credentials", async () => {
    const { client, server } = passkeySetup({ get: assertion() });
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON } })
      .reply("POST", "/auth/challenge", 401, errorBody("invalid_credentials"));
    await rejectsWith(client.signInWithPasskey({ email: "a@example.com" }), "invalid_credentials", 401);
  });

  test("answerChallenge converts a PublicKeyCredential, and sends JSON as it is", async () => {
    const { client, server } = passkeySetup();
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON } })
      .reply("POST", "/auth/challenge", 401, errorBody("invalid_credentials"))
      .reply("POST", "/auth/challenge", 200, session);
    await client.startSignIn({ email: "a@example.com", factor: "WEB_AUTHN" });
    await rejectsWith(client.answerChallenge({ credential: assertion() }), "invalid_credentials");
    assert.deepEqual(server.last().body.credential, assertionJSON);
    const own = { ...assertionJSON, extra: { kept: true } };
    await client.answerChallenge({ credential: own });
    assert.deepEqual(server.last().body.credential, own);
  });
});

describe("registerPasskey", () => {
  test("creation options converted by hand; the attestation sent as RegistrationResponseJSON", async () => {
    const { client, server, creds } = passkeySetup({ create: attestation() });
    server
      .reply("POST", "/auth/passkeys/register/start", 200, { options: creationJSON })
      .reply("POST", "/auth/passkeys/register/finish", 200, {});
    assert.equal(await client.registerPasskey(), undefined);
    assert.deepEqual(server.requests[0].body, {});

    const { publicKey } = creds.calls.create[0];
    same(publicKey.challenge, bytes(0xff));
    same(publicKey.user.id, new TextEncoder().encode("user").buffer);
    assert.equal(publicKey.user.name, "ada@example.com");
    assert.equal(publicKey.user.displayName, "Ada");
    same(publicKey.excludeCredentials[0].id, bytes(1));
    assert.deepEqual(publicKey.rp, creationJSON.rp);
    assert.deepEqual(publicKey.pubKeyCredParams, creationJSON.pubKeyCredParams);
    assert.deepEqual(publicKey.authenticatorSelection, creationJSON.authenticatorSelection);

    assert.deepEqual(server.last().body, {
      credential: {
        id: "cred-2",
        rawId: "BA",
        response: {
          clientDataJSON: "e30",
          attestationObject: "oA",
          authenticatorData: "Bw",
          transports: ["usb", "nfc"],
          publicKey: "CAg",
          publicKeyAlgorithm: -7,
        },
        clientExtensionResults: { credProps: { rk: true } },
        type: "public-key",
        authenticatorAttachment: "cross-platform",
      },
    });
    server.done();
  });

  test("the browser's parseCreationOptionsFromJSON and toJSON when it has them", async () => {
    const parsed = { parsed: "creation" };
    const json = { id: "x", rawId: "eA", response: { clientDataJSON: "e30", attestationObject: "oA", transports: [] }, clientExtensionResults: {}, type: "public-key" };
    const PublicKeyCredential = { parseCreationOptionsFromJSON: () => parsed };
    const { client, server, creds } = passkeySetup({ create: { ...attestation(), toJSON: () => json }, PublicKeyCredential });
    server
      .reply("POST", "/auth/passkeys/register/start", 200, { options: creationJSON })
      .reply("POST", "/auth/passkeys/register/finish", 200, {});
    await client.registerPasskey();
    assert.equal(creds.calls.create[0].publicKey, parsed);
    assert.deepEqual(server.last().body, { credential: json });
  });

  test("a device that already holds one: passkey_exists, nothing finished", async () => {
    const { client, server } = passkeySetup({ create: () => Promise.reject(domError("InvalidStateError")) });
    server.reply("POST", "/auth/passkeys/register/start", 200, { options: creationJSON });
    await rejectsWith(client.registerPasskey(), "passkey_exists", 0);
    server.done();
  });

  test("signed out: the server's unauthenticated, no passkey asked for", async () => {
    const { client, server, creds } = passkeySetup({ create: attestation() });
    server.reply("POST", "/auth/passkeys/register/start", 401, errorBody("unauthenticated"));
    await rejectsWith(client.registerPasskey(), "unauthenticated", 401);
    assert.equal(creds.calls.create.length, 0);
  });

  test("malformed creation options: invalid_response", async () => {
    const { client, server } = passkeySetup({ create: attestation() });
    server.reply("POST", "/auth/passkeys/register/start", 200, { options: { ...creationJSON, user: { name: "x" } } });
    await rejectsWith(client.registerPasskey(), "invalid_response");
    server.reply("POST", "/auth/passkeys/register/start", 200, {});
    await rejectsWith(client.registerPasskey(), "invalid_response");
  });
});

describe("listPasskeys and deletePasskey", () => {
  const key = {
    id: "cred-1",
    name: "Laptop",
    relying_party_id: "site.example",
    attachment: "platform",
    transports: ["internal"],
    created_at: "2030-01-01T12:00:00Z",
  };

  test("list: GET /auth/passkeys, in the wire shape", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/passkeys", 200, { passkeys: [key] });
    assert.deepEqual(await client.listPasskeys(), [key]);
    const req = server.last();
    assert.equal(req.method, "GET");
    assert.equal(req.rawBody, undefined);
    assert.equal(req.credentials, "include");
    server.done();
  });

  test("list: a malformed answer is invalid_response", async () => {
    const { client, server } = setup();
    server.reply("GET", "/auth/passkeys", 200, { passkeys: [{ name: "no id" }] }).reply("GET", "/auth/passkeys", 200, {});
    await rejectsWith(client.listPasskeys(), "invalid_response");
    await rejectsWith(client.listPasskeys(), "invalid_response");
  });

  test("delete: posts the id", async () => {
    const { client, server } = setup();
    server.reply("POST", "/auth/passkeys/delete", 200, {}).reply("POST", "/auth/passkeys/delete", 404, errorBody("not_found"));
    assert.equal(await client.deletePasskey("cred-1"), undefined);
    assert.deepEqual(server.last().body, { id: "cred-1" });
    await rejectsWith(client.deletePasskey("gone"), "not_found", 404);
  });

  test("token mode: every passkey call of a signed-in user carries the access token", async () => {
    const stored = { access_token: "access-1", id_token: "id-1", refresh_token: "r", expires_at: NOW + 3600_000 };
    const storage = memoryStorage({ "monban.tokens": JSON.stringify(stored) });
    const { client, server } = passkeySetup({ create: attestation(), get: assertion(), client: { tokenMode: true, storage } });
    server
      .reply("POST", "/auth/passkeys/register/start", 200, { options: creationJSON })
      .reply("POST", "/auth/passkeys/register/finish", 200, {})
      .reply("GET", "/auth/passkeys", 200, { passkeys: [key] })
      .reply("POST", "/auth/passkeys/delete", 200, {});
    await client.registerPasskey();
    await client.listPasskeys();
    await client.deletePasskey("cred-1");
    for (const r of server.requests) assert.equal(r.headers.Authorization, "Bearer access-1", r.path);

    // Signing in with a passkey sends none, and stores what it gets.
    server
      .reply("POST", "/auth/sign-in/start", 200, { challenge: "WEB_AUTHN", parameters: { options: requestJSON }, challenge_token: "ct" })
      .reply("POST", "/auth/challenge", 200, { ...session, tokens: wireTokens(2) });
    await client.signInWithPasskey({ email: "ada@example.com" });
    const [start, answer] = server.requests.slice(-2);
    assert.equal(start.headers.Authorization, undefined);
    assert.equal(answer.headers.Authorization, undefined);
    assert.equal(answer.body.challenge_token, "ct");
    assert.equal(JSON.parse(storage.getItem("monban.tokens")).access_token, "access-2");
    server.done();
  });
});
