// Shared by the browser scripts: Chromium from the machine, driven by the pinned
// playwright-core, with the flags a closed network needs; the hosted-UI sign-in steps; and
// a watch over what a page reports as broken.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import fs from "node:fs";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../../local/package.json"));
const { chromium } = require("playwright-core");

const started = Date.now();
export const step = (msg) => console.log(`step (${((Date.now() - started) / 1000).toFixed(1)}s):`, msg);

// executable is the browser: CHROMIUM (the Go tests always set it), else the first of the
// usual names on PATH, else the macOS app bundles, as e2e/browser_test.go looks for it.
function executable() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  const dirs = (process.env.PATH || "").split(path.delimiter).filter(Boolean);
  const candidates = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    .flatMap((name) => dirs.map((dir) => path.join(dir, name)))
    .concat(["/Applications/Chromium.app/Contents/MacOS/Chromium",
      "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome"]);
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not this one
    }
  }
  throw new Error("Chromium not found: set CHROMIUM, or install it (Debian/Ubuntu: sudo apt-get install chromium; " +
    "macOS: brew install --cask chromium)");
}

// run launches Chromium, opens a page and hands it to fn; the browser is closed however fn
// ends. args are further command-line flags.
export async function run(fn, { args = [] } = {}) {
  const browser = await chromium.launch({
    executablePath: executable(),
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync", ...args],
  });
  try {
    const context = await browser.newContext();
    context.setDefaultTimeout(15000); // every page of it, a second tab too
    const page = await context.newPage();
    page.on("pageerror", (e) => console.log("page error:", e.message));
    await fn(page);
    console.log("ok: all steps passed");
  } finally {
    await browser.close();
  }
}

// watch records what the page reports as broken: console errors (the red lines of
// DevTools), uncaught exceptions, requests that failed and answers of 400 or more.
// check(what) throws, listing them, if any arrived since the last check; allow lists
// patterns of what a step provoked on purpose (Chromium also logs a refused request as a
// console error), which the step checks itself.
export function watch(page) {
  let problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console error: ${m.text()} (${m.location().url})`));
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.request().method()} ${r.url()}`));
  return {
    check(what, { allow = [] } = {}) {
      const found = problems.filter((p) => !allow.some((re) => re.test(p)));
      problems = [];
      if (found.length) throw new Error(`${what}: the page reported problems:\n  ${found.join("\n  ")}`);
    },
    forget() {
      problems = [];
    },
  };
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

// signUpWithCode signs user up with the demo's own form and confirms the account with the
// local e-mail code, after which the page is signed in as user.email.
export async function signUpWithCode(page, user, code) {
  await page.getByRole("tab", { name: "Sign up" }).click();
  await page.fill('#form-sign-up [name="email"]', user.email);
  await page.fill('#form-sign-up [name="name"]', user.name);
  await page.fill('#form-sign-up [name="password"]', user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.locator("#form-confirm").waitFor();
  await page.fill('#form-confirm [name="code"]', code);
  await page.getByRole("button", { name: "Confirm and sign in" }).click();
  await page.locator("#signed-in").waitFor();
  expect((await page.textContent("#who")) === user.email, `signed up as ${await page.textContent("#who")}`);
}

// signOut clicks the demo's sign-out button and follows Cognito's /logout back to the site.
export async function signOut(page, site) {
  const logout = page.waitForResponse((r) => new URL(r.url()).pathname === "/logout");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await logout;
  await page.waitForURL(site + "/");
  await page.locator("#signed-out").waitFor();
}

// expect throws with what was wanted when ok is false.
export function expect(ok, what) {
  if (!ok) throw new Error(what);
}
