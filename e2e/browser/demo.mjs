// Drives the demo site in headless Chromium the way a person would: hosted-UI sign-in,
// sign-out through Cognito's /logout, then sign-up, sign-in, an authenticator app and the
// MFA challenge with the site's own forms.
// Usage: node demo.mjs SITE_URL EMAIL PASSWORD SCREENSHOT_DIR
import { createHmac } from "node:crypto";
import path from "node:path";
import { run, signInHostedUI, step } from "./chromium.mjs";

const [site, email, password, shots] = process.argv.slice(2);

await run(async (page) => {
  step("open the site signed out");
  await page.goto(site + "/");
  await page.locator("#signed-out").waitFor();

  step("sign in through the hosted UI");
  await signInHostedUI(page, site, email, password);
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

  step("turn on an authenticator app");
  await page.click("#totp-setup");
  await page.locator("#form-totp").waitFor();
  const secret = (await page.textContent('#form-totp [data-field="secret"]')).trim();
  if (!/^[A-Z2-7]+=*$/.test(secret)) throw new Error(`TOTP secret ${JSON.stringify(secret)}`);
  await page.fill('#form-totp input[name="code"]', totp(secret));
  await page.click("#form-totp button");
  await page.locator("#notice", { hasText: "Authenticator app on" }).waitFor();

  step("the next sign-in asks for the app's code");
  await page.click("#sign-out");
  await page.locator("#signed-out").waitFor();
  await page.fill('#form-sign-in input[name="email"]', "newcomer@example.com");
  await page.fill('#form-sign-in input[name="password"]', "N3wcomer-Passw0rd!");
  await page.click("#form-sign-in button");
  await page.locator("#form-challenge").waitFor();
  await page.screenshot({ path: path.join(shots, "mfa-challenge.png"), fullPage: true });
  await page.fill('#form-challenge input[name="code"]', totp(secret));
  await page.click("#form-challenge button");
  await page.locator("#signed-in").waitFor();
});

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
