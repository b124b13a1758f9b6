// Drives the demo page's protected-API panel in headless Chromium: /api/me answers 401
// signed out, 200 by session cookie after a hosted-UI sign-in, and 200 with the bearer
// token the page fetches from /auth/token.
// Usage: node protectedapi.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR
import path from "node:path";
import { run, signInHostedUI, step } from "./chromium.mjs";

const [site, email, password, shots] = process.argv.slice(2);


// answer waits for the panel to show a call's status and returns the call, status and body.
async function answer(page, call, status) {
  await page.locator("#api-call", { hasText: call }).waitFor();
  await page.locator("#api-status", { hasText: String(status) }).waitFor();
  return JSON.parse(await page.textContent("#api-result"));
}

await run(async (page) => {
  step("signed out, the page shows /api/me answering 401");
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();
  let body = await answer(page, "GET /api/me", 401);
  if (body.error.code !== "unauthenticated") throw new Error("signed out: " + JSON.stringify(body));

  step("after a hosted-UI sign-in, the page shows who /api/me says is calling");
  await signInHostedUI(page, site, email, password);
  const session = JSON.parse(await page.textContent("#session"));
  body = await answer(page, "GET /api/me", 200);
  if (body.sub !== session.user.sub || body.via !== "cookie") throw new Error("by cookie: " + JSON.stringify(body));

  step("the bearer-token button calls /api/me with the token from /auth/token");
  await page.click("#call-api-bearer");
  body = await answer(page, "bearer token", 200);
  if (body.sub !== session.user.sub || body.via !== "bearer") throw new Error("by bearer: " + JSON.stringify(body));
  if ((await page.content()).includes("access_token")) throw new Error("the page shows the token");
  await page.screenshot({ path: path.join(shots, "protected-api.png"), fullPage: true });

  step("signed out again, /api/me is 401");
  await page.click("#sign-out");
  await page.waitForURL(site + "/");
  await page.locator("#signed-out").waitFor();
  await answer(page, "GET /api/me", 401);
});
