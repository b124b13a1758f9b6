// Drives the demo site in headless Chromium the way a person would: hosted-UI sign-in,
// sign-out through Cognito's /logout, then sign-up and sign-in with the site's own forms.
// Usage: node demo.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR
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
try {
  const page = await (await browser.newContext()).newPage();
  page.setDefaultTimeout(15000);
  page.on("pageerror", (e) => console.log("page error:", e.message));

  step("open the site signed out");
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();

  step("sign in through the hosted UI");
  await page.click("#sign-in");
  await page.waitForURL(/\/oauth2\/authorize/);
  await page.fill('input[name="username"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForURL(site + "/");
  await page.locator("#signed-in").waitFor();
  const who = await page.textContent("#who");
  if (who !== email) throw new Error(`signed in as ${who}, want ${email}`);
  await page.screenshot({ path: path.join(shots, "signed-in.png"), fullPage: true });

  step("the session survives a reload");
  await page.reload();
  await page.locator("#signed-in").waitFor();

  step("sign out, through Cognito's /logout and back");
  await page.click("#sign-out");
  await page.waitForURL(site + "/");
  await page.locator("#signed-out").waitFor();
  await page.screenshot({ path: path.join(shots, "signed-out.png"), fullPage: true });

  step("a wrong password on the site's own form is refused");
  await page.fill('#form-sign-in input[name="email"]', email);
  await page.fill('#form-sign-in input[name="password"]', "Wr0ng-Passw0rd!");
  await page.click("#form-sign-in button");
  await page.locator("#error", { hasText: "Incorrect username or password" }).waitFor();

  step("sign up with the site's own form (confirmed at once by the pre-sign-up trigger)");
  await page.click('button[data-form="form-sign-up"]');
  await page.fill('#form-sign-up input[name="email"]', "newcomer@example.com");
  await page.fill('#form-sign-up input[name="name"]', "Newcomer");
  await page.fill('#form-sign-up input[name="password"]', "N3wcomer-Passw0rd!");
  await page.click("#form-sign-up button");
  await page.locator("#signed-in").waitFor();
  const newcomer = await page.textContent("#who");
  if (newcomer !== "newcomer@example.com") throw new Error(`signed up as ${newcomer}`);
  await page.screenshot({ path: path.join(shots, "signed-up.png"), fullPage: true });

  step("sign out and back in with the site's own form");
  await page.click("#sign-out");
  await page.locator("#signed-out").waitFor();
  await page.fill('#form-sign-in input[name="email"]', "newcomer@example.com");
  await page.fill('#form-sign-in input[name="password"]', "N3wcomer-Passw0rd!");
  await page.click("#form-sign-in button");
  await page.locator("#signed-in").waitFor();
  console.log("ok: all steps passed");
} finally {
  await browser.close();
}
