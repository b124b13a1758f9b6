// Drives a small site that is not the demo (written by the Go test into a build folder and
// served as `make dev SITE_DIR=…` serves it) in headless Chromium: its pages import the
// client from /auth/client.js, and with it a visitor signs up, signs in, is known on a page in
// a sub-folder too, and signs out. No console error and no failed request, start to end.
// Usage: node ownsite.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR (the seeded user is unused)
import path from "node:path";
import { expect, run, step, watch } from "./chromium.mjs";

const [site, , , shots] = process.argv.slice(2);
const owner = { email: "owner@example.com", password: "0wner-Passw0rd!" };

// session asks the client in the page itself, as a site's own script would.
const session = (page) =>
  page.evaluate(async () => {
    const { getSession } = await import("/auth/client.js");
    return getSession();
  });

await run(async (page) => {
  const problems = watch(page);

  step("a signed-out visit: the page imports /auth/client.js and getSession() resolves null");
  await page.goto(site + "/");
  await page.locator("#state", { hasText: "signed out" }).waitFor();
  const exports = await page.evaluate(async () => Object.keys(await import("/auth/client.js")));
  for (const name of ["getSession", "signUp", "signIn", "signOut", "onSessionChange", "MonbanError"]) {
    expect(exports.includes(name), `/auth/client.js does not export ${name}: ${exports}`);
  }
  const none = await session(page);
  expect(none === null, `signed out, getSession() = ${JSON.stringify(none)}, want null`);
  await page.waitForLoadState("networkidle");
  problems.check("the signed-out visit");

  step("sign up with a new address");
  await page.getByLabel("E-mail").fill(owner.email);
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Create an account" }).click();
  await page.locator("#state", { hasText: "signed up" }).waitFor();
  expect((await page.textContent("#error")) === "", `sign-up: ${await page.textContent("#error")}`);

  step("sign in with the password; the session names the new address");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator("#state", { hasText: "signed in as " + owner.email }).waitFor();
  const mine = await session(page);
  expect(mine?.user?.email === owner.email, `getSession() = ${JSON.stringify(mine)}, want ${owner.email}`);

  step("a page in a sub-folder (about/index.html) knows the visitor too");
  await page.getByRole("link", { name: "About us" }).click();
  await page.waitForURL(site + "/about/");
  await page.locator("#state", { hasText: owner.email }).waitFor();
  await page.screenshot({ path: path.join(shots, "own-site-about.png"), fullPage: true });

  step("sign out without leaving the page; getSession() resolves null again");
  await page.goto(site + "/");
  await page.locator("#state", { hasText: "signed in as " + owner.email }).waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.locator("#state", { hasText: "signed out" }).waitFor();
  const after = await session(page);
  expect(after === null, `after sign-out, getSession() = ${JSON.stringify(after)}, want null`);
  await page.reload();
  await page.locator("#state", { hasText: "signed out" }).waitFor();
  await page.screenshot({ path: path.join(shots, "own-site.png"), fullPage: true });
  await page.waitForLoadState("networkidle");
  problems.check("signing up, in and out");
});
