// Shared by the browser scripts: Chromium from the machine, driven by the pinned
// playwright-core, with the flags a closed network needs; and the hosted-UI sign-in steps.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../local/package.json"));
const { chromium } = require("playwright-core");

export const step = (msg) => console.log("step:", msg);

// run launches Chromium, opens a page and hands it to fn; the browser is closed however fn
// ends.
export async function run(fn) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await (await browser.newContext()).newPage();
    page.setDefaultTimeout(15000);
    page.on("pageerror", (e) => console.log("page error:", e.message));
    await fn(page);
    console.log("ok: all steps passed");
  } finally {
    await browser.close();
  }
}

// signInHostedUI clicks the demo's hosted-UI button and fills in the emulator's login form.
export async function signInHostedUI(page, site, email, password) {
  await page.click("#sign-in");
  await page.waitForURL(/\/oauth2\/authorize/);
  await page.fill('input[name="username"]', email);
  await page.fill('input[name="password"]', password);
  await page.click('button[type="submit"]');
  await page.waitForURL(site + "/");
  await page.locator("#signed-in").waitFor();
}
