// Drives the demo site in headless Chromium the way a person would: a clean signed-out
// visit, hosted-UI sign-in, sign-out through Cognito's /logout (followed by a second tab),
// then the site's own forms: a wrong password, every kind of challenge, a password reset, a
// confirmation code, an invited user's new password, sign-up, change password, sign-in, an
// authenticator app and the MFA challenge. What the local stack cannot produce (challenges
// other than a new password and TOTP, a sign-up waiting for its code) is answered by stubs
// that also record what the page sent. Along the way it checks what assistive technology
// relies on: tab roles, alerts, focus, marked fields, unique names.
// Usage: node demo.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR
// The Go test also creates invited@example.com with the temporary password below.
import { deepStrictEqual } from "node:assert/strict";
import { createHmac } from "node:crypto";
import path from "node:path";
import { expect, run, signInHostedUI, signOut as signOutOf, step, watch } from "./chromium.mjs";

const [site, email, password, shots] = process.argv.slice(2);
const invited = { email: "invited@example.com", temporary: "Temp-Passw0rd1!" };
const shot = (page, name) => page.screenshot({ path: path.join(shots, name), fullPage: true });

await run(async (page) => {
  const problems = watch(page);

  step("a signed-out visitor: no console error, no failed request");
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();
  await page.waitForLoadState("networkidle");
  problems.check("the signed-out visit");
  await shot(page, "signed-out.png");

  step("the site's forms are tabs: roles, aria-selected, panels, arrow keys");
  const tabs = page.getByRole("tablist", { name: "This site's own forms" }).getByRole("tab");
  expect((await tabs.count()) === 3, `${await tabs.count()} tabs, want 3`);
  await selected(page, "Sign in");
  await page.getByRole("tab", { name: "Sign in" }).focus();
  for (const [key, want] of [["ArrowRight", "Sign up"], ["End", "Forgot password"], ["ArrowRight", "Sign in"],
    ["ArrowLeft", "Forgot password"], ["Home", "Sign in"]]) {
    await page.keyboard.press(key);
    await selected(page, want, { after: key, focus: true });
  }
  await page.getByRole("tab", { name: "Sign up" }).click();
  await selected(page, "Sign up", { after: "a click" });
  await uniqueNames(page, "signed out, Sign up tab");
  await page.getByRole("tab", { name: "Sign in" }).click();
  await uniqueNames(page, "signed out, Sign in tab");

  step("a failed hosted-UI sign-in (the callback's ?error=CODE) is told in a sentence");
  await page.goto(site + "/auth/callback?code=forged&state=forged"); // no flow cookie: invalid_state
  await page.locator("#error", { hasText: "The sign-in took too long, or was started in another window." }).waitFor();
  expect(!(await page.textContent("#error")).includes("invalid_state"), "the raw code is shown");
  expect((await page.getAttribute("#error", "role")) === "alert", "#error is not an alert");
  expect(await focused(page, "error"), "focus is not on the error");
  expect(new URL(page.url()).search === "", `the error stays in the address bar: ${page.url()}`);
  problems.check("the ?error= visit");

  step("sign in through the hosted UI");
  await signInHostedUI(page, site, email, password);
  expect((await page.textContent("#who")) === email, `signed in as ${await page.textContent("#who")}, want ${email}`);
  await uniqueNames(page, "signed in");
  await shot(page, "signed-in.png");

  step("the session survives a reload, and refreshes on demand");
  await page.reload();
  await page.locator("#signed-in").waitFor();
  await page.getByRole("button", { name: "Refresh the session" }).click();
  await page.locator("#notice", { hasText: "Session refreshed" }).waitFor();

  step("a second tab shows the same session");
  const other = await page.context().newPage();
  await other.goto(site + "/");
  await other.locator("#signed-in").waitFor();
  await page.bringToFront(); // a background tab's clicks wait for animation frames that come slowly

  step("sign out, through Cognito's /logout and back; the other tab follows");
  await signOut(page);
  await other.locator("#signed-out").waitFor();

  step("a wrong password: a sentence, announced, focused, the fields marked");
  await fillSignIn(page, email, "Wr0ng-Passw0rd!");
  await page.locator("#form-sign-in-error", { hasText: "The e-mail address or the password is not right." }).waitFor();
  expect((await page.getAttribute("#form-sign-in-error", "role")) === "alert", "the form's error is not an alert");
  expect(await focused(page, "form-sign-in-error"), "focus did not move to the error");
  for (const name of ["email", "password"]) {
    const input = page.locator(`#form-sign-in [name="${name}"]`);
    expect((await input.getAttribute("aria-invalid")) === "true", `${name} is not aria-invalid`);
    expect((await input.getAttribute("aria-describedby")) === "form-sign-in-error", `${name} is not described by the error`);
  }
  await shot(page, "wrong-password.png");
  problems.forget(); // the refused sign-in is a 401, as it should be

  step("every kind of challenge gets its fields, and the answers carry them (server answers stubbed)");
  const key = "JBSWY3DPEHPK3PXP";
  await stub(page, "/auth/sign-in/password", [
    [200, { challenge: "NEW_PASSWORD_REQUIRED", parameters: { required_attributes: ["name", "custom:team_name"] } }],
    [200, { challenge: "MFA_SETUP", parameters: { mfas_can_setup: ["SMS_MFA"] } }],
  ]);
  const answers = await stub(page, "/auth/challenge", [
    [200, { challenge: "SELECT_MFA_TYPE", parameters: { mfas_can_choose: ["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"] } }],
    [200, { challenge: "EMAIL_OTP", parameters: { destination: "d***@e***.com", medium: "EMAIL" } }],
    [200, { challenge: "MFA_SETUP", parameters: { mfas_can_setup: ["SOFTWARE_TOKEN_MFA"], secret: key, otpauth_uri: "otpauth://totp/monban:d?secret=" + key } }],
    [401, { error: { code: "no_pending_challenge", message: "No sign-in challenge is pending." } }],
  ]);
  await fillSignIn(page, email, "Any-Passw0rd1!");
  const challenge = page.locator("#form-challenge");
  await challenge.getByRole("textbox", { name: "Team name" }).fill("Blue");
  await challenge.getByRole("textbox", { name: "Name", exact: true }).fill("Ada");
  await challenge.getByLabel("New password").fill("Chosen-Passw0rd1!");
  expect(await challenge.locator('[name="code"]').isHidden(), "NEW_PASSWORD_REQUIRED shows a code field");
  await uniqueNames(page, "NEW_PASSWORD_REQUIRED");
  await page.getByRole("button", { name: "Continue signing in" }).click();
  const method = challenge.getByRole("combobox", { name: "Method" });
  await method.waitFor();
  const options = await method.locator("option").allTextContents();
  deepStrictEqual(options, ["Authenticator app", "E-mail"], "SELECT_MFA_TYPE's choices");
  await method.selectOption("EMAIL_OTP");
  await page.getByRole("button", { name: "Continue signing in" }).click();
  await challenge.locator('[data-field="instructions"]', { hasText: "d***@e***.com" }).waitFor();
  await challenge.getByLabel("Code").fill("111111");
  await page.getByRole("button", { name: "Continue signing in" }).click();
  await challenge.locator('[data-field="secret"]', { hasText: key }).waitFor();
  await challenge.getByLabel("Code").fill("222222");
  await page.getByRole("button", { name: "Continue signing in" }).click();
  await page.locator("#form-sign-in-error", { hasText: "This sign-in took too long. Please start again." }).waitFor();
  expect(await focused(page, "form-sign-in-error"), "focus did not move to the error");
  deepStrictEqual(answers, [
    { challenge: "NEW_PASSWORD_REQUIRED", new_password: "Chosen-Passw0rd1!", attributes: { name: "Ada", "custom:team_name": "Blue" } },
    { challenge: "SELECT_MFA_TYPE", mfa_type: "EMAIL_OTP" },
    { challenge: "EMAIL_OTP", code: "111111" },
    { challenge: "MFA_SETUP", code: "222222" },
  ], "the challenge answers sent");
  await fillSignIn(page, email, "Any-Passw0rd1!"); // MFA_SETUP without a key: only the hosted UI can finish
  await challenge.locator('[data-field="instructions"]', { hasText: "hosted UI" }).waitFor();
  expect(await page.getByRole("button", { name: "Continue signing in" }).isHidden(), "a key-less MFA_SETUP offers to continue");
  await page.getByRole("button", { name: "Start over" }).click();
  await page.locator("#form-sign-in").waitFor();
  await page.unrouteAll();
  problems.forget();

  step("forgot password: a wrong code is refused, the right one resets, the notice shows");
  const newPassword = "N3w-Demo-Passw0rd!";
  await page.getByRole("tab", { name: "Forgot password" }).click();
  await page.fill('#form-forgot [name="email"]', email);
  await page.getByRole("button", { name: "Send a reset code" }).click();
  await page.locator("#form-reset").waitFor();
  expect(await focused(page, null, '#form-reset [name="code"]'), "focus did not move to the code field");
  await page.fill('#form-reset [name="code"]', "000000");
  await page.fill('#form-reset [name="password"]', newPassword);
  await page.getByRole("button", { name: "Reset password" }).click();
  await page.locator("#form-reset-error", { hasText: "That code is not right." }).waitFor();
  expect((await page.getAttribute('#form-reset [name="code"]', "aria-invalid")) === "true", "the code field is not aria-invalid");
  await page.fill('#form-reset [name="code"]', "123456"); // the local stack's fixed code
  await page.getByRole("button", { name: "Reset password" }).click();
  await page.locator("#notice", { hasText: "Your password has been reset." }).waitFor(); // visible
  expect((await page.getAttribute('#form-reset [name="code"]', "aria-invalid")) === null, "aria-invalid outlived the next try");
  await selected(page, "Sign in", { after: "the reset" });
  expect((await page.inputValue('#form-sign-in [name="email"]')) === email, "the e-mail is not filled in");
  expect((await page.inputValue('#form-sign-in [name="password"]')) === "", "the old password is still filled in");
  expect((await page.textContent("#form-sign-in-error")) === "", "the sign-in form still shows the last error");
  expect(await focused(page, null, '#form-sign-in [name="password"]'), "focus is not on the password");
  await shot(page, "password-reset.png");
  problems.forget(); // the wrong code was a 400

  step("sign in with the new password; the other tab follows");
  await page.fill('#form-sign-in [name="password"]', newPassword);
  await page.getByRole("button", { name: "Sign in with password" }).click();
  await page.locator("#signed-in").waitFor();
  await other.locator("#signed-in").waitFor();
  await other.close();
  await signOut(page);

  step("a sign-up that needs a code: a wrong one, a new one sent, then signed in (sign-up answers stubbed)");
  const signUps = await stub(page, "/auth/sign-up", [[200, { user_confirmed: false, delivery: { medium: "EMAIL", destination: "d***@e***.com" } }]]);
  const resends = await stub(page, "/auth/resend-code", [[200, { delivery: { medium: "EMAIL" } }]]); // never a destination
  const confirms = await stub(page, "/auth/confirm-sign-up", [
    [400, { error: { code: "expired_code", message: "The code has expired; request a new one." } }],
    [200, { confirmed: true }],
  ]);
  await page.getByRole("tab", { name: "Sign up" }).click();
  await page.fill('#form-sign-up [name="email"]', email); // the real sign-in after confirming needs a real account
  await page.fill('#form-sign-up [name="password"]', newPassword);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("#form-confirm", { hasText: "d***@e***.com" }).waitFor();
  expect(await focused(page, null, '#form-confirm [name="code"]'), "focus is not on the code field");
  await page.fill('#form-confirm [name="code"]', "654321");
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await page.locator("#form-confirm-error", { hasText: "That code has expired. Ask for a new one." }).waitFor();
  expect((await page.getAttribute('#form-confirm [name="code"]', "aria-invalid")) === "true", "the code field is not aria-invalid");
  await page.getByRole("button", { name: "Send a new code" }).click();
  await page.locator("#notice", { hasText: `We sent a new code to ${email}.` }).waitFor();
  expect((await page.getAttribute('#form-confirm [name="code"]', "aria-invalid")) === null, "aria-invalid outlived the next try");
  await page.fill('#form-confirm [name="code"]', "123456");
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await page.locator("#signed-in").waitFor();
  deepStrictEqual(signUps, [{ email, password: newPassword, sign_in: true }], "the sign-up sent");
  deepStrictEqual(resends, [{ email }], "the resend sent");
  deepStrictEqual(confirms, [{ email, code: "654321" }, { email, code: "123456" }], "the confirmations sent");
  await page.unrouteAll();
  problems.forget();
  await signOut(page);

  step("an invited user chooses a new password at the first sign-in (NEW_PASSWORD_REQUIRED)");
  await fillSignIn(page, invited.email, invited.temporary);
  await page.locator("#form-challenge").waitFor();
  expect(await page.locator('#form-challenge [name="code"]').isHidden(), "the challenge asks for a code");
  await page.fill('#form-challenge [name="newPassword"]', "Inv1ted-Passw0rd!");
  await page.getByRole("button", { name: "Continue signing in" }).click();
  await page.locator("#signed-in").waitFor();
  expect((await page.textContent("#who")) === invited.email, `signed in as ${await page.textContent("#who")}`);
  await signOut(page);

  step("sign up with the site's own form (confirmed at once by the pre-sign-up trigger)");
  const newcomer = { email: "newcomer@example.com", password: "N3wcomer-Passw0rd!" };
  await page.getByRole("tab", { name: "Sign up" }).click();
  await page.fill('#form-sign-up [name="email"]', newcomer.email);
  await page.fill('#form-sign-up [name="name"]', "Newcomer");
  await page.fill('#form-sign-up [name="password"]', newcomer.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("#signed-in").waitFor();
  expect((await page.textContent("#who")) === newcomer.email, `signed up as ${await page.textContent("#who")}`);
  await shot(page, "signed-up.png");

  step("change the password: the wrong current one is refused, then changed");
  // The emulator refuses a wrong current password as a weak new one (SPEC §9); Cognito's
  // answer, as monban maps it, is stubbed.
  await stub(page, "/auth/change-password", [[401, { error: { code: "invalid_credentials", message: "The current password is not correct." } }]]);
  const changed = "Chang3d-Passw0rd!";
  await page.fill('[name="previousPassword"]', "Not-The-0ne!");
  await page.fill('[name="proposedPassword"]', changed);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.locator("#form-change-password-error", { hasText: "Your current password is not right." }).waitFor();
  expect((await page.getAttribute('[name="previousPassword"]', "aria-invalid")) === "true", "the current password is not aria-invalid");
  expect((await page.getAttribute('[name="proposedPassword"]', "aria-invalid")) === null, "the new password is aria-invalid");
  await page.unrouteAll();
  problems.forget();
  await page.fill('[name="previousPassword"]', newcomer.password);
  await page.fill('[name="proposedPassword"]', changed);
  await page.getByRole("button", { name: "Change password" }).click();
  await page.locator("#notice", { hasText: "Your password has been changed." }).waitFor();
  newcomer.password = changed;

  step("sign out and back in with the site's own form");
  await signOut(page);
  await fillSignIn(page, newcomer.email, newcomer.password);
  await page.locator("#signed-in").waitFor();

  step("turn on an authenticator app");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await page.locator("#form-totp").waitFor();
  const secret = (await page.textContent('#form-totp [data-field="secret"]')).trim();
  expect(/^[A-Z2-7]+=*$/.test(secret), `TOTP secret ${JSON.stringify(secret)}`);
  await page.fill('#form-totp [name="code"]', totp(secret));
  await page.getByRole("button", { name: "Turn on the authenticator app" }).click();
  await page.locator("#notice", { hasText: "Your authenticator app is on" }).waitFor();

  step("the next sign-in asks for the app's code");
  await signOut(page);
  await fillSignIn(page, newcomer.email, newcomer.password);
  await page.locator("#form-challenge").waitFor();
  expect(await focused(page, null, '#form-challenge [name="code"]'), "focus is not on the code field");
  await uniqueNames(page, "the MFA challenge");
  await shot(page, "mfa-challenge.png");
  await page.fill('#form-challenge [name="code"]', totp(secret));
  await page.getByRole("button", { name: "Continue signing in" }).click();
  await page.locator("#signed-in").waitFor();
  await page.waitForLoadState("networkidle");
  problems.check("the site's own forms, since the reset");
});

// selected checks that only the named tab is selected, in the tab order and showing its
// panel; the others' panels are hidden. focus: the tab must have focus too (arrow keys).
async function selected(page, name, { after = "at first", focus = false } = {}) {
  const state = await page.evaluate(() =>
    [...document.querySelectorAll('[role="tab"]')].map((t) => {
      const panel = document.getElementById(t.getAttribute("aria-controls"));
      return {
        name: t.textContent.trim(), selected: t.getAttribute("aria-selected"), tabIndex: t.tabIndex,
        focused: document.activeElement === t, panelRole: panel?.getAttribute("role"), panelShown: panel ? !panel.hidden : null,
        labelledBy: panel?.getAttribute("aria-labelledby") === t.id,
      };
    }));
  for (const t of state) {
    const on = t.name === name;
    const ok = t.selected === String(on) && t.tabIndex === (on ? 0 : -1) && t.panelRole === "tabpanel" && t.panelShown === on && t.labelledBy;
    expect(ok, `${after}: want tab "${name}" selected; got ${JSON.stringify(state)}`);
  }
  if (focus) expect(state.find((t) => t.name === name).focused, `${after}: focus did not follow to tab "${name}"`);
}

// uniqueNames checks that no two visible controls share an accessible name (role and name,
// as Chromium's accessibility tree has them).
async function uniqueNames(page, where) {
  const tree = await page.locator("body").ariaSnapshot();
  const seen = new Set();
  for (const [, role, name] of tree.matchAll(/- (button|link|textbox|tab|combobox|checkbox|radio) "([^"]*)"/g)) {
    expect(!seen.has(name), `${where}: two controls are named "${name}" (the second a ${role}):\n${tree}`);
    seen.add(name);
  }
  expect(seen.size > 3, `${where}: only ${seen.size} named controls in:\n${tree}`);
}

// stub answers the page's POSTs to path from answers ([status, body] in turn) instead of
// the server, for flows the local stack cannot produce; it returns the bodies sent.
async function stub(page, path, answers) {
  const sent = [];
  await page.route(site + path, (route) => {
    sent.push(route.request().postDataJSON());
    const [status, body] = answers.shift() ?? [500, { error: { code: "internal", message: "stub: no answer left" } }];
    route.fulfill({ status, contentType: "application/json", body: JSON.stringify(body) });
  });
  return sent;
}

async function focused(page, id, selector = "#" + id) {
  return page.evaluate((s) => document.activeElement === document.querySelector(s), selector);
}

async function fillSignIn(page, who, secret) {
  await page.fill('#form-sign-in [name="email"]', who);
  await page.fill('#form-sign-in [name="password"]', secret);
  await page.getByRole("button", { name: "Sign in with password" }).click();
}

// signOut is the shared sign-out (through Cognito's /logout) on this site.
function signOut(page) {
  return signOutOf(page, site);
}

// totp is the RFC 6238 code an authenticator app shows now for a base32 secret.
function totp(secret) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const off = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(off) & 0x7fffffff) % 1000000).padStart(6, "0");
}
