// Drives the demo site's passwordless sign-in in headless Chromium, with the browser's
// virtual authenticator (DevTools protocol, WebAuthn domain) standing in for the device's
// passkey store: a user signs up (confirmed with the local e-mail code), registers a
// passkey, signs out, signs back in with the passkey after typing only the e-mail address,
// lists and deletes it; then the seeded user signs in with an e-mail code. Every request is
// watched: no console error, no failed request, and no password sent by a passwordless
// sign-in.
// Usage: node passkey.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR
// SITE_URL must name a host (http://localhost:PORT): WebAuthn has no relying party for an
// IP address.
import { deepStrictEqual } from "node:assert/strict";
import path from "node:path";
import { expect, run, signOut, signUpWithCode, step, watch } from "./chromium.mjs";

const [site, seededEmail, seededPassword, shots] = process.argv.slice(2);
const shot = (page, name) => page.screenshot({ path: path.join(shots, name), fullPage: true });
const user = { email: "pia.passkey@example.com", name: "Pia", password: "Pa55key-Us3r-Passw0rd!" };
const localCode = "123456"; // the local stack's e-mail code (devstack.ConfirmationCode)

// The site listens on 127.0.0.1 only: make the browser's "localhost" that address, so it
// never tries ::1 first.
const args = [`--host-resolver-rules=MAP localhost 127.0.0.1`];

await run(async (page) => {
  const problems = watch(page);

  // What the page sent to /auth, from a mark on: paths and bodies.
  let sent = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/auth/")) sent.push({ method: r.method(), path: u.pathname, body: r.postData() ?? "" });
  });
  const posts = () => sent.filter((r) => r.method === "POST").map((r) => r.path);

  step("a signed-out visit on http://localhost: no console error, no failed request");
  expect(new URL(site).hostname === "localhost", `the site is ${site}, want http://localhost:PORT`);
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();
  await page.waitForLoadState("networkidle");
  problems.check("the signed-out visit");

  step("a virtual authenticator on this page: a platform authenticator with resident keys and user verification");
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  const credentials = async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
  await page.getByRole("button", { name: "Sign in with a passkey" }).waitFor(); // passkeysSupported()
  await page.getByRole("button", { name: "E-mail me a code" }).waitFor();

  step("sign up with the site's form; the account waits for its e-mail code, the local one confirms it");
  await signUpWithCode(page, user, localCode);
  await page.locator("#passkey-status", { hasText: "You have no passkeys yet." }).waitFor();
  expect((await page.locator("#passkey-list li").count()) === 0, "a new account lists passkeys");
  deepStrictEqual(await credentials(), [], "the authenticator's credentials before registering");
  problems.check("the sign-up");

  step("register a passkey: the authenticator creates it, the page lists it");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await page.locator("#notice", { hasText: "Your passkey has been added" }).waitFor();
  const items = page.locator("#passkey-list li");
  await items.first().waitFor();
  expect((await items.count()) === 1, `${await items.count()} passkeys listed, want 1`);
  expect((await page.textContent("#passkey-status")) === "", `the status says ${await page.textContent("#passkey-status")}`);
  const made = await credentials();
  expect(made.length === 1, `the authenticator holds ${made.length} credentials, want 1`);
  const [cred] = made;
  expect(cred.rpId === "localhost", `the passkey is for ${cred.rpId}, want localhost`);
  expect(cred.isResidentCredential, "the passkey is not discoverable (resident)");
  const listed = await page.evaluate(async () => (await (await fetch("/auth/passkeys")).json()).passkeys);
  expect(listed.length === 1, `GET /auth/passkeys lists ${listed.length}`);
  expect(listed[0].id === base64url(cred.credentialId), "the listed passkey is not the authenticator's credential");
  expect(listed[0].relying_party_id === "localhost", `listed for relying party ${listed[0].relying_party_id}`);
  await page.getByRole("button", { name: /^Delete passkey / }).waitFor();
  await shot(page, "passkey-added.png");
  problems.check("the registration");

  step("sign out");
  await signOut(page, site);
  problems.check("the sign-out");

  step("sign in with the passkey: only the e-mail address typed, no password");
  sent = [];
  await page.fill('#form-sign-in [name="email"]', user.email);
  expect((await page.inputValue('#form-sign-in [name="password"]')) === "", "the password field is not empty");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await page.locator("#signed-in").waitFor();
  expect((await page.textContent("#who")) === user.email, `signed in as ${await page.textContent("#who")}`);
  deepStrictEqual(posts().slice(0, 2), ["/auth/sign-in/start", "/auth/challenge"], "the passkey sign-in's requests");
  deepStrictEqual(JSON.parse(sent.find((r) => r.path === "/auth/sign-in/start").body), { email: user.email, factor: "WEB_AUTHN" },
    "the sign-in start sent");
  const answer = JSON.parse(sent.find((r) => r.path === "/auth/challenge").body);
  expect(answer.challenge === "WEB_AUTHN" && answer.credential?.id === listed[0].id && answer.credential?.response?.signature,
    `the challenge answer is not the passkey's assertion: ${Object.keys(answer)}`);
  expect(!sent.some((r) => r.body.includes(user.password)), "a passkey sign-in sent the password");
  expect(!posts().includes("/auth/sign-in/password"), "a passkey sign-in used the password route");
  const [used] = await credentials();
  expect(used.signCount > cred.signCount, `the authenticator's sign count did not move (${cred.signCount} → ${used.signCount})`);
  problems.check("the passkey sign-in");

  step("the session is the user's, and survives a reload");
  const session = await page.evaluate(async () => (await fetch("/auth/session")).json());
  expect(session.user?.email === user.email, `GET /auth/session: ${JSON.stringify(session.user)}`);
  await page.reload();
  await page.locator("#signed-in").waitFor();
  expect((await page.textContent("#who")) === user.email, "the reload lost the session");

  step("list the passkey, then delete it: the list is empty after");
  await items.first().waitFor();
  expect((await items.count()) === 1, `${await items.count()} passkeys listed after the passkey sign-in, want 1`);
  await page.getByRole("button", { name: /^Delete passkey / }).click();
  await page.locator("#notice", { hasText: "was deleted" }).waitFor();
  await page.locator("#passkey-status", { hasText: "You have no passkeys yet." }).waitFor();
  expect((await items.count()) === 0, `${await items.count()} passkeys listed after the delete`);
  const after = await page.evaluate(async () => (await (await fetch("/auth/passkeys")).json()).passkeys);
  deepStrictEqual(after, [], "GET /auth/passkeys after the delete");
  await shot(page, "passkey-deleted.png");
  problems.check("the delete");

  step("the deleted passkey, still on the device, is no longer asked for: the other ways are offered");
  await signOut(page, site);
  const [kept] = await credentials();
  await page.fill('#form-sign-in [name="email"]', user.email);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  const choice = page.locator("#form-challenge");
  await choice.locator('[data-field="instructions"]', { hasText: "Choose how to sign in." }).waitFor();
  const ways = await choice.getByRole("combobox", { name: "Sign in with" }).locator("option").allTextContents();
  expect(ways.length > 0 && !ways.includes("A passkey"), `the choice after the delete: ${JSON.stringify(ways)}`);
  const [untouched] = await credentials();
  expect(untouched.signCount === kept.signCount, "the authenticator was asked for the deleted passkey");
  await page.getByRole("button", { name: "Start over" }).click();
  await page.locator("#form-sign-in").waitFor();
  problems.check("the sign-in after the delete");

  step("another user signs in with an e-mail code: a wrong code is refused, the local one signs in");
  sent = [];
  await page.fill('#form-sign-in [name="email"]', seededEmail);
  await page.fill('#form-sign-in [name="password"]', "");
  await page.getByRole("button", { name: "E-mail me a code" }).click();
  const challenge = page.locator("#form-challenge");
  await challenge.locator('[data-field="instructions"]', { hasText: "Enter the code we sent to" }).waitFor();
  const code = challenge.getByLabel("Code");
  expect(await page.evaluate(() => document.activeElement?.name === "code"), "focus is not on the code field");
  expect(await challenge.locator('[name="password"]').isHidden(), "the code step shows a password field");
  await shot(page, "email-code.png");
  await code.fill("000000");
  await page.getByRole("button", { name: "Continue signing in" }).click();
  await page.locator("#form-challenge-error", { hasText: "That code is not right." }).waitFor();
  problems.forget(); // the wrong code is a 400, as it should be
  await code.fill(localCode);
  await page.getByRole("button", { name: "Continue signing in" }).click();
  await page.locator("#signed-in").waitFor();
  expect((await page.textContent("#who")) === seededEmail, `signed in as ${await page.textContent("#who")}, want ${seededEmail}`);
  deepStrictEqual(JSON.parse(sent.find((r) => r.path === "/auth/sign-in/start").body), { email: seededEmail, factor: "EMAIL_OTP" },
    "the code sign-in's start sent");
  deepStrictEqual(sent.filter((r) => r.path === "/auth/challenge").map((r) => JSON.parse(r.body)),
    [{ challenge: "EMAIL_OTP", code: "000000" }, { challenge: "EMAIL_OTP", code: localCode }], "the code answers sent");
  expect(!sent.some((r) => r.body.includes(seededPassword)), "a code sign-in sent the password");
  const second = await page.evaluate(async () => (await fetch("/auth/session")).json());
  expect(second.user?.email === seededEmail, `GET /auth/session: ${JSON.stringify(second.user)}`);
  await page.waitForLoadState("networkidle");
  problems.check("the e-mail code sign-in");
}, { args });

// base64url is the DevTools protocol's base64 credential id as WebAuthn's JSON writes it.
function base64url(b64) {
  return b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
