// Drives the demo page's protected-API panel in headless Chromium: /api/me answers 401
// signed out, 200 by session cookie after a hosted-UI sign-in, and 200 with the bearer
// token the page fetches from /auth/token.
// Usage: node protectedapi.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../local/package.json"));
const { chromium } = require("playwright-core");

const [site, email, password, shots] = process.argv.slice(2);
const step = (msg) => console.log("step:", msg);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

// answer waits for the panel to show a call's status and returns the call, status and body.
async function answer(page, call, status) {
  await page.locator("#api-call", { hasText: call }).waitFor();
  await page.locator("#api-status", { hasText: String(status) }).waitFor();
  return JSON.parse(await page.textContent("#api-result"));
}

try {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(15000);
  page.on("pageerror", (e) => console.log("page error:", e.message));

  step("signed out, the page shows /api/me answering 401");
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();
  let body = await answer(page, "GET /api/me", 401);
  if (body.error.code !== "unauthenticated") throw new Error("signed out: " + JSON.stringify(body));

  step("after a hosted-UI sign-in, the page shows who /api/me says is calling");
  await page.click("#sign-in");
  await page.waitForURL(/\/oauth2\/authorize/);
  await page.fill('input[name="username"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForURL(site + "/");
  await page.locator("#signed-in").waitFor();
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
  console.log("ok: all steps passed");
} finally {
  await browser.close();
}
