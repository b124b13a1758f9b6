// Drives the demo page's protected-API panel in headless Chromium: signed out, the page
// calls nothing (no failed request) and /api/me answers 401 when asked; after a hosted-UI
// sign-in it answers 200 by session cookie, and 200 with the bearer token the page gets from
// the client's getAccessToken(); after the plain sign-out link, 401 again.
// Usage: node protectedapi.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR
import path from "node:path";
import { expect, run, signInHostedUI, step, watch } from "./chromium.mjs";

const [site, email, password, shots] = process.argv.slice(2);

// answer waits for the panel to show a call's status and returns the answer's body.
async function answer(page, call, status) {
  await page.locator("#api-call", { hasText: call }).waitFor();
  await page.locator("#api-status", { hasText: String(status) }).waitFor();
  return JSON.parse(await page.textContent("#api-result"));
}

await run(async (page) => {
  const problems = watch(page);

  step("signed out, the page calls nothing that fails");
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();
  await page.locator("#api-call", { hasText: "Signed out" }).waitFor();
  await page.waitForLoadState("networkidle");
  problems.check("the signed-out visit");

  step("asked anyway, /api/me answers 401");
  await page.click("#call-api");
  let body = await answer(page, "session cookie", 401);
  expect(body.error.code === "unauthenticated", "signed out: " + JSON.stringify(body));
  problems.forget();

  step("after a hosted-UI sign-in, the page shows who /api/me says is calling");
  await signInHostedUI(page, site, email, password);
  problems.forget(); // the emulator's login page is not the site (it has no favicon, say)
  const session = JSON.parse(await page.textContent("#session"));
  body = await answer(page, "session cookie", 200);
  expect(body.sub === session.user.sub && body.via === "cookie", "by cookie: " + JSON.stringify(body));

  step("the bearer-token button calls /api/me with the token from getAccessToken()");
  await page.click("#call-api-bearer");
  body = await answer(page, "bearer token", 200);
  expect(body.sub === session.user.sub && body.via === "bearer", "by bearer: " + JSON.stringify(body));
  expect(!(await page.content()).includes("access_token"), "the page shows the token");
  problems.check("signed in, both calls");
  await page.screenshot({ path: path.join(shots, "protected-api.png"), fullPage: true });

  step("the plain sign-out link signs out (through /logout), and /api/me is 401 again");
  const logout = page.waitForResponse((r) => new URL(r.url()).pathname === "/logout");
  await page.getByRole("link", { name: "Sign out (plain link)" }).click();
  await logout;
  await page.waitForURL(site + "/");
  await page.locator("#signed-out").waitFor();
  await page.click("#call-api");
  await answer(page, "session cookie", 401);
});
