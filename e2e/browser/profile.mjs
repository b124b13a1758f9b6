// Drives the demo site's account self-service in headless Chromium: a new user signs up
// (confirmed with the local e-mail code), edits the name (the session follows once the
// server has refreshed it), changes the e-mail address with its code (the old address stays
// until the code is entered), and deletes the account with the password. The cookies held
// before the deletion are then put back, and refused: POST /auth/refresh and GET
// /auth/profile answer 401 and clear them, and a page opened with them shows signed out.
// Before all that, "Sign in with Google" is offered only when the API lists the provider.
// Every request is watched: no console error and no failed request, except the refusals a
// step provokes on purpose.
// Usage: node profile.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR
import { deepStrictEqual } from "node:assert/strict";
import path from "node:path";
import { expect, run, signUpWithCode, step, watch } from "./chromium.mjs";

const [site, , , shots] = process.argv.slice(2);
const shot = (page, name) => page.screenshot({ path: path.join(shots, name), fullPage: true });
const user = { email: "pat.profile@example.com", name: "Pat", password: "Pr0file-Us3r-Passw0rd!" };
const renamed = "Pat Profile";
const newEmail = "pat.moved@example.com";
const localCode = "123456"; // the local stack's e-mail code (devstack.ConfirmationCode)

// Answers the page provoked on purpose: Chromium logs a refused fetch as a console error too,
// naming its URL, so each pattern matches both lines.
const refused = (status, method, route) =>
  new RegExp(`(HTTP ${status}: ${method} |status of ${status} ).*${site.replaceAll(".", "\\.")}${route}\\b`);

await run(async (page) => {
  const problems = watch(page);

  // What the page sent to /auth, from a mark on: methods, paths and bodies.
  let sent = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith("/auth/")) sent.push({ method: r.method(), path: u.pathname, body: r.postData() ?? "" });
  });
  const bodyOf = (p) => {
    const r = sent.filter((s) => s.method === "POST" && s.path === p);
    expect(r.length === 1, `${r.length} POSTs to ${p}, want 1: ${JSON.stringify(sent.map((s) => s.path))}`);
    return JSON.parse(r[0].body);
  };

  // A request from the page, with its cookies, as the client makes it.
  const call = (method, route, body) =>
    page.evaluate(
      async ([method, route, body]) => {
        const init = { method, headers: { Accept: "application/json" }, credentials: "include" };
        if (method === "POST") {
          init.headers["Content-Type"] = "application/json";
          init.body = JSON.stringify(body ?? {});
        }
        const res = await fetch(route, init);
        return { status: res.status, body: await res.json().catch(() => null) };
      },
      [method, route, body],
    );
  const monbanCookies = async () => (await page.context().cookies()).filter((c) => c.name.startsWith("__Host-monban-"));

  // The profile's attributes as the page lists them.
  const listed = () =>
    page.evaluate(() =>
      Object.fromEntries([...document.querySelectorAll("#profile-attributes dt")].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent])),
    );
  async function listedAs(want, what) {
    try {
      await page.waitForFunction(
        (want) => {
          const dts = [...document.querySelectorAll("#profile-attributes dt")];
          return Object.entries(want).every(([k, v]) => dts.find((dt) => dt.textContent === k)?.nextElementSibling?.textContent === v);
        },
        want,
      );
    } catch {
      throw new Error(`${what}: the profile lists ${JSON.stringify(await listed())}, want ${JSON.stringify(want)} among them`);
    }
  }

  step("a signed-out visit: the API lists no identity provider, so no provider button is offered");
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();
  await page.waitForLoadState("networkidle");
  deepStrictEqual((await call("GET", "/auth/providers")).body, { providers: [] }, "GET /auth/providers on the local stack");
  expect(await page.locator("#provider-sign-in").isHidden(), "the provider group shows without providers");
  expect((await page.locator("#provider-sign-in button").count()) === 0, "provider buttons without providers");
  problems.check("the signed-out visit");

  step("with Google and Apple listed (the list stubbed): a button each; Google's goes to managed login with identity_provider=Google");
  await page.route(site + "/auth/providers", (route) =>
    route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ providers: ["Google", "SignInWithApple"] }) }),
  );
  await page.reload();
  const offered = page.locator("#provider-sign-in");
  await offered.getByRole("button", { name: "Sign in with Google" }).waitFor();
  deepStrictEqual(await offered.getByRole("button").allTextContents(), ["Sign in with Google", "Sign in with Apple"], "the provider buttons");
  // Managed login itself is not the point: the request that would go there is answered here.
  await page.route((u) => u.pathname === "/auth/sign-in", (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: '<!doctype html><link rel="icon" href="data:,"><title>managed login</title>' }),
  );
  await offered.getByRole("button", { name: "Sign in with Google" }).click();
  await page.waitForURL((u) => u.pathname === "/auth/sign-in");
  const to = new URL(page.url()).searchParams;
  expect(to.get("identity_provider") === "Google" && to.get("redirect_to") === "/", `the Google button went to ${page.url()}`);
  await page.unrouteAll();
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();
  await page.waitForLoadState("networkidle");
  expect(await page.locator("#provider-sign-in").isHidden(), "provider buttons outlived the stub");
  problems.check("the provider buttons");

  step("sign up with the site's form; the local e-mail code confirms it, and the page signs in");
  await signUpWithCode(page, user, localCode);

  // (cognito-local's ConfirmSignUp leaves email_verified unset, where Cognito sets it: it is
  // checked after the new address is confirmed instead.)
  step("the profile lists the pool's attributes: the address and the name, which the name field holds");
  await listedAs({ email: user.email, name: user.name }, "after the sign-up");
  expect(/^[0-9a-f-]{36}$/.test((await listed()).sub ?? ""), `the profile's sub: ${JSON.stringify(await listed())}`);
  const nameField = page.locator('#form-profile-name [name="name"]');
  expect((await nameField.inputValue()) === user.name, `the name field holds ${await nameField.inputValue()}`);
  const read = await call("GET", "/auth/profile");
  expect(read.status === 200 && read.body.attributes.name === user.name && read.body.attributes.email === user.email,
    `GET /auth/profile: ${JSON.stringify(read)}`);
  await page.waitForLoadState("networkidle");
  await shot(page, "profile.png");
  problems.check("the sign-up and the profile");

  step("edit the name: the profile shows it, and so does the session, refreshed by the server");
  const cookieBefore = (await monbanCookies()).find((c) => c.name.startsWith("__Host-monban-session"))?.value;
  sent = [];
  await nameField.fill(renamed);
  await page.getByRole("button", { name: "Save the name" }).click();
  await page.locator("#notice", { hasText: "Your name has been saved." }).waitFor();
  await listedAs({ name: renamed, email: user.email }, "after the name was saved");
  deepStrictEqual(bodyOf("/auth/profile"), { attributes: { name: renamed } }, "the profile change sent");
  await page.locator("#session", { hasText: `"name": "${renamed}"` }).waitFor(); // the client re-read the session
  const cookieAfter = (await monbanCookies()).find((c) => c.name.startsWith("__Host-monban-session"))?.value;
  expect(cookieBefore && cookieAfter && cookieAfter !== cookieBefore, "the session cookie was not rewritten after the change");
  const renamedSession = (await call("GET", "/auth/session")).body;
  expect(renamedSession.user?.attributes?.name === renamed, `GET /auth/session after the change: ${JSON.stringify(renamedSession.user)}`);
  await page.reload();
  await page.locator("#session", { hasText: `"name": "${renamed}"` }).waitFor(); // the cookie's claims, not the page's memory
  await listedAs({ name: renamed }, "after a reload");
  await page.waitForLoadState("networkidle");
  problems.check("the name change");

  step("change the e-mail address: a code goes to the new one, and until it is entered the old one stays");
  sent = [];
  await page.fill('#form-profile-email [name="email"]', newEmail);
  await page.getByRole("button", { name: "Change the e-mail address" }).click();
  const verify = page.locator("#form-profile-verify");
  await verify.waitFor();
  deepStrictEqual(bodyOf("/auth/profile"), { attributes: { email: newEmail } }, "the e-mail change sent");
  const destination = (await verify.locator('[data-field="destination"]').textContent()).trim();
  expect(destination !== "" && destination !== newEmail && destination.includes("***"), `the code went to "${destination}", want the new address masked`);
  expect((await verify.locator('[data-field="current"]').textContent()) === user.email, "the form does not name the address in use");
  expect(await page.evaluate(() => document.activeElement?.name === "code"), "focus is not on the code field");
  await listedAs({ email: user.email }, "with the change waiting for its code");
  expect((await page.textContent("#who")) === user.email, `the page says signed in as ${await page.textContent("#who")} before the code`);
  const waiting = await call("GET", "/auth/profile");
  expect(waiting.body?.attributes?.email === user.email, `GET /auth/profile before the code: ${JSON.stringify(waiting.body)}`);
  const waitingSession = (await call("GET", "/auth/session")).body;
  expect(waitingSession.user?.email === user.email, `GET /auth/session before the code: ${JSON.stringify(waitingSession.user)}`);
  await shot(page, "email-code.png");

  step("a wrong code is refused; the code is sent again; the right one confirms the new address");
  await verify.getByLabel("Code from the e-mail").fill("000000");
  await page.getByRole("button", { name: "Confirm the new address" }).click();
  await page.locator("#form-profile-verify-error", { hasText: "That code is not right." }).waitFor();
  expect((await verify.locator('[name="code"]').getAttribute("aria-invalid")) === "true", "the code field is not aria-invalid");
  problems.check("the wrong code", { allow: [refused(400, "POST", "/auth/profile/verify")] });
  await page.getByRole("button", { name: "Send the code again" }).click();
  await page.locator("#notice", { hasText: "We sent a new code to" }).waitFor();
  await listedAs({ email: user.email }, "after the code was sent again");
  await verify.getByLabel("Code from the e-mail").fill(localCode);
  await page.getByRole("button", { name: "Confirm the new address" }).click();
  await page.locator("#notice", { hasText: `Your e-mail address is now ${newEmail}.` }).waitFor();
  expect(await verify.isHidden(), "the code form stays after the address was confirmed");
  await listedAs({ email: newEmail, email_verified: "true", name: renamed }, "after the code");
  await page.locator("#who", { hasText: newEmail }).waitFor(); // the session followed
  expect((await page.textContent("#who")) === newEmail, `signed in as ${await page.textContent("#who")} after the code`);
  const posted = sent.filter((s) => s.method === "POST").map((s) => [s.path, JSON.parse(s.body)]);
  deepStrictEqual(posted, [
    ["/auth/profile", { attributes: { email: newEmail } }],
    ["/auth/profile/verify", { attribute: "email", code: "000000" }],
    ["/auth/profile/resend-code", { attribute: "email" }],
    ["/auth/profile/verify", { attribute: "email", code: localCode }],
  ], "the e-mail change's requests");
  const moved = await call("GET", "/auth/profile");
  expect(moved.body?.attributes?.email === newEmail && moved.body.attributes.email_verified === "true",
    `GET /auth/profile after the code: ${JSON.stringify(moved.body)}`);
  const movedSession = (await call("GET", "/auth/session")).body;
  expect(movedSession.user?.email === newEmail && movedSession.user.email_verified === true,
    `GET /auth/session after the code: ${JSON.stringify(movedSession.user)}`);
  await page.waitForLoadState("networkidle");
  problems.check("the e-mail change");

  step("deleting needs the password or a recent sign-in: the refusal (stubbed) says to sign in again; a wrong password keeps the account");
  await page.route(site + "/auth/account/delete", (route) =>
    route.fulfill({
      status: 403,
      contentType: "application/json",
      body: JSON.stringify({ error: { code: "reauthentication_required", message: "Sign in again, then delete the account within 5 minutes." } }),
    }),
  );
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.locator("#form-delete-account-error", { hasText: "sign in again" }).waitFor();
  await page.unrouteAll();
  problems.check("the stubbed refusal", { allow: [refused(403, "POST", "/auth/account/delete")] });
  await page.fill('#form-delete-account [name="password"]', "Not-The-Passw0rd!");
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.locator("#form-delete-account-error", { hasText: "Your password is not right." }).waitFor();
  expect((await page.getAttribute('#form-delete-account [name="password"]', "aria-invalid")) === "true", "the password is not aria-invalid");
  expect(await page.locator("#signed-in").isVisible(), "a wrong password signed the page out");
  expect((await call("GET", "/auth/profile")).status === 200, "a wrong password ended the session");
  problems.check("the wrong password", { allow: [refused(401, "POST", "/auth/account/delete")] });

  step("delete the account with the password: the page shows signed out, every cookie is cleared");
  const held = await monbanCookies();
  const names = held.map((c) => c.name);
  expect(names.some((n) => n.startsWith("__Host-monban-session")) && names.some((n) => n.startsWith("__Host-monban-refresh")),
    `the cookies before the deletion: ${names}`);
  sent = [];
  await page.fill('#form-delete-account [name="password"]', user.password);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await page.locator("#signed-out").waitFor();
  await page.locator("#notice", { hasText: "Your account has been deleted" }).waitFor();
  expect(await page.locator("#signed-in").isHidden(), "the signed-in section still shows");
  deepStrictEqual(bodyOf("/auth/account/delete"), { password: user.password }, "the deletion sent");
  deepStrictEqual((await monbanCookies()).map((c) => c.name), [], "monban cookies after the deletion");
  deepStrictEqual((await call("GET", "/auth/session")).body, { user: null }, "GET /auth/session after the deletion");
  await page.waitForLoadState("networkidle");
  await shot(page, "deleted.png");
  problems.check("the deletion");

  step("the cookies held before the deletion, put back, are refused: POST /auth/refresh and GET /auth/profile answer 401 and clear them");
  await page.context().addCookies(held);
  const refresh = await call("POST", "/auth/refresh", {});
  expect(refresh.status === 401 && refresh.body?.error?.code === "unauthenticated", `POST /auth/refresh with the old cookies: ${JSON.stringify(refresh)}`);
  deepStrictEqual((await monbanCookies()).map((c) => c.name), [], "monban cookies after the refused refresh");
  await page.context().addCookies(held);
  const profile = await call("GET", "/auth/profile");
  expect(profile.status === 401 && profile.body?.error?.code === "unauthenticated", `GET /auth/profile with the old cookies: ${JSON.stringify(profile)}`);
  deepStrictEqual((await monbanCookies()).map((c) => c.name), [], "monban cookies after the refused profile");
  problems.check("the old cookies", { allow: [refused(401, "POST", "/auth/refresh"), refused(401, "GET", "/auth/profile")] });

  step("a page opened with the old cookies shows signed out: its profile is refused, which signs it out and says why");
  await page.context().addCookies(held);
  await page.reload();
  await page.locator("#signed-out").waitFor();
  await page.locator("#error", { hasText: "Your session has ended. Please sign in again." }).waitFor();
  await page.waitForLoadState("networkidle");
  expect(await page.locator("#signed-in").isHidden(), "the page shows signed in with the deleted account's cookies");
  deepStrictEqual((await monbanCookies()).map((c) => c.name), [], "monban cookies after the page was refused");
  await shot(page, "old-cookies.png");
  // The session cookie is checked without asking Cognito (stateless), so the page may
  // first show the session; what asks Cognito is refused.
  problems.check("the page with the old cookies", {
    allow: [refused(401, "GET", "/auth/profile"), refused(401, "GET", "/auth/passkeys")],
  });

  step("the deleted account cannot sign in");
  await page.fill('#form-sign-in [name="email"]', newEmail);
  await page.fill('#form-sign-in [name="password"]', user.password);
  await page.getByRole("button", { name: "Sign in with password" }).click();
  await page.locator("#form-sign-in-error", { hasText: "The e-mail address or the password is not right." }).waitFor();
  expect(await page.locator("#signed-in").isHidden(), "signed in after the deletion");
  problems.check("the sign-in after the deletion", { allow: [refused(401, "POST", "/auth/sign-in/password")] });
});
