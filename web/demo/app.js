// The demo site talks to monban through its JavaScript client, which the API serves at
// /auth/client.js: no bundler, no build step, and the session stays in cookies page script
// cannot read. The rest is plain DOM code: render the session, run the site's own forms, say
// what went wrong in words.
import {
  MonbanError, answerChallenge, changePassword, confirmForgotPassword, confirmSignUp, deleteAccount,
  deletePasskey, forgotPassword, getAccessToken, getSession, listPasskeys, onSessionChange,
  passkeysSupported, profile, providers, refresh, registerPasskey, resendAttributeCode, resendCode,
  sendEmailCode, setUpTotp, signIn, signInWithPasskey, signInWithRedirect, signOut, signUp,
  updateProfile, verifyAttribute, verifyTotp,
} from "/auth/client.js";

const $ = (id) => document.getElementById(id);
const fill = (root, name, text) =>
  root.querySelectorAll(`[data-field="${name}"]`).forEach((el) => (el.textContent = text));

// --- errors and notices ----------------------------------------------------------------

// What monban's stable error codes (openapi.yaml, ErrorCode) mean to a person. Programs
// switch on codes; people read sentences. An unknown code falls back to the server's
// message, which is short and safe to show.
const sentences = {
  invalid_request: "Something in the form is missing or not in the expected format. Check it and try again.",
  invalid_credentials: "The e-mail address or the password is not right. Check both and try again.",
  user_not_confirmed: "This account is not confirmed yet. Enter the code we sent to your e-mail address.",
  code_mismatch: "That code is not right. Check it and try again.",
  expired_code: "That code has expired. Ask for a new one.",
  // The server passes on the password policy's own words, written for people.
  invalid_password: (e) => "Choose another password. " + e.message,
  username_exists: "There is already an account with this e-mail address. Sign in, or reset its password.",
  // The pre-sign-up trigger's own words.
  sign_up_rejected: (e) => e.message,
  password_reset_required: "Your password must be reset before you can sign in: use “Forgot password”.",
  no_pending_challenge: "This sign-in took too long. Please start again.",
  too_many_requests: "Too many attempts. Wait a minute, then try again.",
  unauthenticated: "Your session has ended. Please sign in again.",
  // Deleting the account needs the password or a recent sign-in; the server says how recent.
  reauthentication_required: (e) => "To delete your account, confirm it is you with your password. Without it: " + e.message,
  // The server names what may not be changed.
  forbidden: (e) => e.message,
  forbidden_origin: "This page is not allowed to use the sign-in service.",
  not_found: "This feature is turned off on the server.",
  method_not_allowed: "The sign-in service did not accept this request.",
  upstream_unavailable: "The sign-in service is unavailable right now. Try again in a moment.",
  internal: "Something went wrong on our side. Try again in a moment.",
  // The hosted-UI callback's codes, which arrive as ?error=CODE.
  invalid_state: "The sign-in took too long, or was started in another window. Please sign in again.",
  access_denied: "The sign-in was cancelled.",
  sign_in_failed: "The sign-in did not succeed. Please try again.",
  invalid_token: "The sign-in could not be verified. Please try again.",
  // The client's own: no answer at all, or an answer that is not monban's.
  network_error: "The sign-in service could not be reached. Check your connection and try again.",
  invalid_response: "The sign-in service gave an unexpected answer. Try again later.",
  // The browser's answers to a passkey request.
  passkey_unsupported: "This browser cannot use passkeys. Sign in another way.",
  passkey_cancelled: "No passkey was used: the request was cancelled or timed out, or this device has none for this site. Try again, or sign in another way.",
  passkey_exists: "This device already has a passkey for your account.",
  passkey_failed: "The passkey could not be used on this page. Sign in another way.",
  passkey_refused: "That passkey was not accepted. Try again, or sign in another way.",
};

// withPasskey runs a passkey sign-in. The server's invalid_credentials then means the
// passkey, not the e-mail address or a password (no field to mark); its invalid_request says
// what the user pool does not allow, in words.
async function withPasskey(outcome) {
  try {
    return await outcome;
  } catch (err) {
    throw err.code === "invalid_credentials" ? new MonbanError("passkey_refused", err.message, err.status, { cause: err }) : err;
  }
}
const passkeyRefusals = { invalid_request: (e) => e.message };

// Which inputs an error is about, by name; each form marks those it has.
const culprits = {
  invalid_credentials: ["email", "password", "previousPassword"],
  user_not_confirmed: ["email"],
  code_mismatch: ["code"],
  expired_code: ["code"],
  invalid_password: ["password", "newPassword", "proposedPassword"],
  username_exists: ["email"],
  sign_up_rejected: ["email"],
};

// Every form gets an error region of its own, in the page from the start so that screen
// readers announce what is written into it.
for (const form of document.forms) {
  const box = Object.assign(document.createElement("p"), { id: form.id + "-error", className: "error", tabIndex: -1 });
  box.setAttribute("role", "alert");
  form.prepend(box);
}

// showError writes the sentence for err into the form's error region (or the page's),
// marks the inputs it is about, and moves focus to it.
function showError(err, form = null, overrides = {}) {
  if (!(err instanceof MonbanError)) console.error(err); // a bug here, not a refusal there
  if (form?.closest("[hidden]")) form = null; // gone meanwhile (signed out): say it for the page
  const box = form ? $(form.id + "-error") : $("error");
  const s = overrides[err.code] ?? sentences[err.code] ?? (err instanceof MonbanError ? err.message : sentences.internal);
  box.textContent = typeof s === "function" ? s(err) : s;
  for (const name of form ? culprits[err.code] ?? [] : []) {
    const input = form.elements[name];
    if (!input || input.disabled) continue;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", box.id);
  }
  box.focus();
}

function clearForm(form) {
  $(form.id + "-error").textContent = "";
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
  }
}

function clearMessages(form) {
  $("error").textContent = $("notice").textContent = "";
  if (form) clearForm(form);
}

const say = (text) => ($("notice").textContent = text);

// act runs one thing a person asked for, and says what went wrong, if anything.
async function act(form, fn, overrides) {
  if (form?.getAttribute("aria-busy") === "true") return; // already on its way
  clearMessages(form);
  form?.setAttribute("aria-busy", "true");
  try {
    await fn();
  } catch (err) {
    showError(err, form, overrides);
  } finally {
    form?.setAttribute("aria-busy", "false");
  }
}

// handle runs fn with the form's fields (named as the client's inputs) when it is sent.
function handle(id, fn, overrides) {
  const form = $(id);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(form, () => fn(Object.fromEntries(new FormData(form)), form), overrides);
  });
}

// --- tabs and steps ----------------------------------------------------------------------

const tabs = [...document.querySelectorAll('[role="tab"]')];

function selectTab(tab, focus = false) {
  for (const t of tabs) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1; // one tab stop for the tab list; arrows move within it
    $(t.getAttribute("aria-controls")).hidden = !on;
  }
  if (focus) tab.focus();
}

for (const tab of tabs) {
  tab.addEventListener("click", () => selectTab(tab));
  tab.addEventListener("keydown", (event) => {
    const i = tabs.indexOf(tab);
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1 + tabs.length, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    selectTab(tabs[next % tabs.length], true);
  });
}

// A tab panel shows one step (form) of its flow at a time.
function step(id) {
  const form = $(id);
  for (const f of form.closest('[role="tabpanel"]').querySelectorAll("form")) f.hidden = f !== form;
  return form;
}

// goTo shows a step, fresh, in its tab and moves focus to its first field.
function goTo(id) {
  const form = step(id);
  form.reset();
  clearForm(form);
  selectTab($(form.closest('[role="tabpanel"]').getAttribute("aria-labelledby")));
  form.querySelector("input:enabled, select:enabled")?.focus();
  return form;
}

// What the next step needs from the last: the e-mail address, and the password for signing
// in right after confirming.
let pending = {};
let shownName = null; // the name last filled into the profile's name field, to leave an edited one alone

function startOver() {
  clearMessages();
  for (const form of document.forms) {
    form.reset();
    clearForm(form);
  }
  ["form-sign-in", "form-sign-up", "form-forgot"].forEach(step);
  selectTab(tabs[0]);
  $("form-totp").hidden = true;
  $("form-profile-verify").hidden = true;
  $("profile-attributes").replaceChildren();
  shownName = null;
  pending = {};
}

// --- the session ---------------------------------------------------------------------------

let shown; // what the page shows: undefined before the first render, then signed in or not

function render(session) {
  const signedIn = Boolean(session);
  if (signedIn !== shown) {
    startOver();
    // After a sign-in or sign-out the focused control has gone: land on the new heading.
    if (shown !== undefined) $(signedIn ? "signed-in-title" : "signed-out-title").focus();
    shown = signedIn;
  }
  $("signed-in").hidden = !signedIn;
  $("signed-out").hidden = signedIn;
  if (!session) return showApi("Signed out: /api/me would answer 401.");
  $("who").textContent = session.user.email ?? session.user.username;
  $("expires").dateTime = session.expires_at;
  $("expires").textContent = new Date(session.expires_at).toLocaleString();
  $("session").textContent = JSON.stringify(session, null, 2);
  callApi(false).catch((err) => showError(err));
  showPasskeys();
  showProfile();
}

// Sign-ins, sign-outs and refreshes, in this tab and in the site's other tabs.
onSessionChange(render);

$("sign-in").addEventListener("click", () => signInWithRedirect()); // back to this page

// Cognito's names for its own social providers, as people know them; any other provider
// (OIDC, SAML) is shown by its name in the pool.
const providerLabels = { Google: "Google", SignInWithApple: "Apple", Facebook: "Facebook", LoginWithAmazon: "Amazon" };

// showProviders offers "Sign in with Google" (and the like) only for the providers the API
// lists, so a button never leads to managed login's error page. Quiet on failure (an older
// API without the list): the hosted-UI button still offers the pool's own picker.
async function showProviders() {
  let names = [];
  try {
    names = await providers();
  } catch {
    // no list, no buttons
  }
  const group = $("provider-sign-in");
  group.replaceChildren(
    ...names.map((name) => {
      const button = Object.assign(document.createElement("button"), {
        type: "button",
        className: "secondary",
        textContent: "Sign in with " + (providerLabels[name] ?? name),
      });
      button.addEventListener("click", () => signInWithRedirect({ provider: name })); // back to this page
      return button;
    }),
  );
  group.hidden = names.length === 0;
}
$("sign-out").addEventListener("click", () => act(null, () => signOut())); // then Cognito's /logout
$("refresh").addEventListener("click", () =>
  act(null, async () => {
    const session = await refresh();
    say("Session refreshed: valid until " + new Date(session.expires_at).toLocaleString() + ".");
  }),
);

// --- the site's own forms ------------------------------------------------------------------

const challengeTexts = {
  NEW_PASSWORD_REQUIRED: () => "Choose a new password to finish signing in.",
  SOFTWARE_TOKEN_MFA: () => "Enter the code your authenticator app shows.",
  SMS_MFA: (p) => `Enter the code we sent by text message to ${p.destination ?? "your phone"}.`,
  EMAIL_OTP: (p) => `Enter the code we sent to ${p.destination ?? "your e-mail address"}.`,
  SELECT_MFA_TYPE: () => "Choose how to confirm it is you.",
  MFA_SETUP: (p) =>
    p.secret
      ? "This account needs an authenticator app. Add this key to yours, then enter the code it shows."
      : "This account needs an authenticator app, which only the hosted UI can set up. Sign in there.",
  SELECT_CHALLENGE: () => "Choose how to sign in.",
  PASSWORD: () => "Enter your password.",
  WEB_AUTHN: () => "Sign in with your passkey.",
};
const mfaNames = { SOFTWARE_TOKEN_MFA: "Authenticator app", SMS_MFA: "Text message", EMAIL_OTP: "E-mail" };
const factorNames = { WEB_AUTHN: "A passkey", EMAIL_OTP: "A code sent by e-mail", PASSWORD: "My password" };

// A required attribute's field: "custom:team_name" is labelled "Team name".
function attributeField(name) {
  const words = name.replace(/^custom:/, "").replaceAll("_", " ");
  const label = document.createElement("label");
  label.append(words[0].toUpperCase() + words.slice(1) + " ");
  const type = { email: "email", phone_number: "tel", birthdate: "date" }[name] ?? "text";
  label.append(Object.assign(document.createElement("input"), { name: "attribute:" + name, type, required: true }));
  return label;
}

// The challenge on screen: its name and what its answer needs.
let shownChallenge = { name: "", needs: [] };

// showNeeds shows the fields the answer needs, and no others (hidden fields are disabled:
// not sent, not checked). Choosing the password as the first factor needs the password too.
function showNeeds(form) {
  const { needs } = shownChallenge;
  const factor = needs.includes("factor") ? form.elements.factor.value : "";
  for (const el of form.querySelectorAll("[data-need]")) {
    const need = el.dataset.need;
    el.hidden = !(needs.includes(need) || (need === "password" && factor === "PASSWORD"));
    el.querySelectorAll("input, select").forEach((input) => (input.disabled = el.hidden));
  }
  const button = form.querySelector('[data-field="continue"]');
  button.hidden = needs.length === 0;
  const passkey = needs.includes("credential") || factor === "WEB_AUTHN";
  button.textContent = passkey ? "Use your passkey" : "Continue signing in";
}

// showChallenge renders one field per entry of challenge.needs.
function showChallenge({ name, parameters: p, needs }) {
  const form = $("form-challenge");
  fill(form, "instructions", challengeTexts[name]?.(p) ?? "This sign-in needs a step only the hosted UI can do. Sign in there.");
  form.querySelector('[data-need="attributes"]').replaceChildren(...(p.required_attributes ?? []).map(attributeField));
  form.elements.mfaType.replaceChildren(...(p.mfas_can_choose ?? []).map((m) => new Option(mfaNames[m] ?? m, m)));
  const factors = (p.factors ?? []).filter((f) => f !== "WEB_AUTHN" || passkeysSupported());
  form.elements.factor.replaceChildren(...factors.map((f) => new Option(factorNames[f] ?? f, f)));
  form.querySelector('[data-field="setup"]').hidden = !(name === "MFA_SETUP" && p.secret);
  fill(form, "secret", p.secret ?? "");
  fill(form, "uri", p.otpauth_uri ?? "");
  shownChallenge = { name, needs };
  goTo("form-challenge"); // resets the form: the first factor is selected
  showNeeds(form);
  // The first field; for a passkey, which has none, the button that asks for it.
  (form.querySelector("input:enabled, select:enabled") ?? form.querySelector('[data-field="continue"]:not([hidden])'))?.focus();
}

$("form-challenge").elements.factor.addEventListener("change", () => showNeeds($("form-challenge")));

// The passkey step after a choice whose passkey request was cancelled: the client keeps the
// prompt, so trying again needs no new sign-in.
const passkeyStep = { name: "WEB_AUTHN", parameters: {}, needs: ["credential"] };

// A sign-in ends with a session (the client tells onSessionChange, which renders it) or
// with a challenge to answer first; challenges may chain.
async function signedIn(outcome) {
  const { challenge } = await outcome;
  if (challenge) showChallenge(challenge);
}

function askForCode(email, password, destination = email) {
  pending = { email, password };
  fill($("form-confirm"), "destination", destination);
  return goTo("form-confirm");
}

handle("form-sign-in", async ({ email, password }) => {
  try {
    await signedIn(signIn({ email, password }));
  } catch (err) {
    if (err.code !== "user_not_confirmed") throw err;
    showError(err, askForCode(email, password)); // confirm first, then sign in
  }
});

handle("form-challenge", async (v, form) => {
  const attributes = {};
  for (const [k, value] of Object.entries(v)) if (k.startsWith("attribute:")) attributes[k.slice(10)] = value;
  const answer = { code: v.code, newPassword: v.newPassword, mfaType: v.mfaType, factor: v.factor, password: v.password };
  if (Object.keys(attributes).length) answer.attributes = attributes;
  // A passkey (chosen, or the step itself): the client answers with what the browser gives.
  const passkey = shownChallenge.name === "WEB_AUTHN" || v.factor === "WEB_AUTHN";
  try {
    await signedIn(passkey ? withPasskey(signInWithPasskey()) : answerChallenge(answer));
  } catch (err) {
    // A wrong code may be tried again; an expired sign-in starts over.
    if (err.code === "no_pending_challenge" || err.code === "unauthenticated") {
      return showError(err, goTo("form-sign-in"), { unauthenticated: sentences.no_pending_challenge });
    }
    if (passkey && err.code?.startsWith("passkey_") && shownChallenge.name !== "WEB_AUTHN") showChallenge(passkeyStep);
    showError(err, form, passkey ? passkeyRefusals : {});
  }
});

// The sign-in form's passwordless buttons need the e-mail address only.
function signInEmail() {
  const input = $("form-sign-in").elements.email;
  return input.reportValidity() ? input.value : null; // the browser says what is wrong
}

$("passkey-sign-in").hidden = !passkeysSupported(); // nothing to offer without WebAuthn
$("passkey-sign-in").addEventListener("click", () => {
  const email = signInEmail();
  if (email !== null) act($("form-sign-in"), () => signedIn(withPasskey(signInWithPasskey({ email }))), passkeyRefusals);
});

$("email-code").addEventListener("click", () => {
  const email = signInEmail();
  // The answer is the code prompt (where it went) for any address, an account or not.
  if (email !== null) act($("form-sign-in"), () => signedIn(sendEmailCode({ email })), { invalid_request: (e) => e.message });
});

$("start-over").addEventListener("click", () => goTo("form-sign-in"));

handle("form-sign-up", async ({ email, name, password }) => {
  const result = await signUp({ email, password, attributes: name ? { name } : undefined });
  if (result.challenge) return showChallenge(result.challenge);
  if (result.session) return; // confirmed at once (the pre-sign-up trigger) and signed in
  askForCode(email, password, result.delivery?.destination);
});

handle("form-confirm", async ({ code }) => {
  await confirmSignUp({ email: pending.email, code });
  await signedIn(signIn(pending));
});

$("resend").addEventListener("click", () =>
  act($("form-confirm"), async () => {
    const delivery = await resendCode({ email: pending.email });
    say(`We sent a new code to ${delivery.destination ?? pending.email}.`);
  }),
);

handle("form-forgot", async ({ email }) => {
  await forgotPassword({ email }); // the same answer whether or not the account exists
  pending = { email };
  fill($("form-reset"), "email", email);
  goTo("form-reset");
});

handle("form-reset", async ({ code, password }, form) => {
  await confirmForgotPassword({ email: pending.email, code, password });
  form.reset();
  step("form-forgot");
  const signInForm = goTo("form-sign-in");
  signInForm.elements.email.value = pending.email;
  signInForm.elements.password.focus();
  say("Your password has been reset. Sign in with the new one.");
});

handle(
  "form-change-password",
  async (v, form) => {
    await changePassword(v);
    form.reset();
    say("Your password has been changed.");
  },
  { invalid_credentials: "Your current password is not right. Check it and try again." },
);

$("totp-setup").addEventListener("click", () =>
  act(null, async () => {
    const { secret, otpauthUri } = await setUpTotp();
    const form = $("form-totp");
    fill(form, "secret", secret);
    fill(form, "uri", otpauthUri);
    form.hidden = false;
    form.elements.code.focus();
  }),
);

handle("form-totp", async ({ code }, form) => {
  await verifyTotp({ code });
  form.hidden = true;
  form.reset();
  $("totp-setup").focus();
  say("Your authenticator app is on: the next sign-in will ask for its code.");
});

// --- passkeys ---------------------------------------------------------------------------------

// A passkey's accessible name: its name (or a stand-in) and when it was added, made unique.
function passkeyLabels(keys) {
  const seen = new Map();
  return keys.map((k) => {
    let label = `${k.name || "Passkey"}, added ${new Date(k.created_at).toLocaleString()}`;
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    if (n > 1) label += ` (${n})`;
    return label;
  });
}

// showPasskeys lists the user's passkeys, each with its delete button. Listing is quiet: a
// failure says so in the section, not as an alert, since nobody asked.
async function showPasskeys() {
  const status = $("passkey-status");
  let keys;
  try {
    keys = await listPasskeys();
  } catch (err) {
    $("passkey-list").replaceChildren();
    status.textContent =
      err.code === "invalid_request" ? err.message : "Your passkeys could not be listed: " + (sentences[err.code] ?? err.message);
    return;
  }
  const labels = passkeyLabels(keys);
  $("passkey-list").replaceChildren(
    ...keys.map((k, i) => {
      const item = document.createElement("li");
      const text = document.createElement("span");
      text.append(labels[i]);
      const how = k.attachment === "platform" ? "on this kind of device" : k.attachment === "cross-platform" ? "a security key or phone" : "";
      if (how) text.append(Object.assign(document.createElement("small"), { textContent: how }));
      const del = Object.assign(document.createElement("button"), { type: "button", className: "secondary", textContent: "Delete" });
      del.setAttribute("aria-label", "Delete passkey " + labels[i]);
      del.addEventListener("click", () =>
        act(null, async () => {
          await deletePasskey(k.id);
          await showPasskeys();
          $("passkeys-title").focus(); // the button is gone: land on the section
          say(`The passkey “${labels[i]}” was deleted. It stays on the device, but no longer signs you in.`);
        }),
      );
      item.append(text, del);
      return item;
    }),
  );
  status.textContent = keys.length ? "" : "You have no passkeys yet.";
}

$("passkey-add").hidden = !passkeysSupported();
$("passkey-unsupported").hidden = passkeysSupported();
$("passkey-add").addEventListener("click", () =>
  act(
    null,
    async () => {
      await registerPasskey();
      await showPasskeys();
      say("Your passkey has been added: next time, sign in with it instead of a password.");
    },
    { invalid_request: (e) => e.message },
  ),
);

// --- the profile and the account ----------------------------------------------------------------

// showAttributes lists the profile's attributes and fills the name field, unless the person
// has started changing it (force: the change was just saved).
function showAttributes(attributes, force = false) {
  $("profile-attributes").replaceChildren(
    ...Object.entries(attributes).flatMap(([name, value]) => [
      Object.assign(document.createElement("dt"), { textContent: name }),
      Object.assign(document.createElement("dd"), { textContent: value }),
    ]),
  );
  const input = $("form-profile-name").elements.name;
  if (force || input.value === "" || input.value === shownName) input.value = shownName = attributes.name ?? "";
  fill($("form-profile-verify"), "current", attributes.email ?? "");
}

// showProfile reads the profile. Like the passkey list it is quiet: a failure says so in the
// section. A session the server refuses (the account deleted elsewhere) signs the page out.
async function showProfile() {
  const status = $("profile-status");
  try {
    showAttributes((await profile()).attributes);
    status.textContent = "";
  } catch (err) {
    // The client has signed the page out already: say why, for the page.
    if (err.code === "unauthenticated") return showError(err);
    status.textContent = "Your profile could not be read: " + (sentences[err.code] ?? err.message);
  }
}

// What the user pool says about a value it refuses (a malformed address, an attribute the app
// client may not write) is written for people.
const profileRefusals = { invalid_request: (e) => e.message };

handle(
  "form-profile-name",
  async ({ name }) => {
    const { attributes } = await updateProfile({ name });
    showAttributes(attributes, true);
    say("Your name has been saved.");
  },
  profileRefusals,
);

// After the change only the new address's code is awaited: the profile still shows the old one.
function askForEmailCode(destination) {
  const form = $("form-profile-verify");
  fill(form, "destination", destination);
  form.reset();
  clearForm(form);
  form.hidden = false;
  form.elements.code.focus();
}

handle(
  "form-profile-email",
  async ({ email }, form) => {
    const { attributes, verification } = await updateProfile({ email });
    showAttributes(attributes);
    const sent = verification.find((d) => d.attribute === "email");
    form.reset();
    if (sent) return askForEmailCode(sent.destination ?? email);
    say(`Your e-mail address is now ${attributes.email ?? email}.`); // a pool that needs no code
  },
  profileRefusals,
);

handle("form-profile-verify", async ({ code }, form) => {
  const { attributes } = await verifyAttribute("email", code);
  showAttributes(attributes);
  form.hidden = true;
  $("profile-title").focus(); // the form is gone: land on the section
  say(`Your e-mail address is now ${attributes.email}.`);
});

$("profile-resend").addEventListener("click", () =>
  act($("form-profile-verify"), async () => {
    const { verification } = await resendAttributeCode("email");
    const sent = verification.find((d) => d.attribute === "email");
    say(`We sent a new code to ${sent?.destination ?? "your new address"}.`);
  }),
);

handle(
  "form-delete-account",
  async ({ password }, form) => {
    try {
      await deleteAccount({ password }); // the client signs the page out: render(null)
    } catch (err) {
      // With the password given, the refusal means signing in needs a second step (MFA):
      // only a fresh sign-in will do.
      if (err.code !== "reauthentication_required" || !password) throw err;
      return showError(err, form, {
        reauthentication_required: (e) => "Your account needs more than the password to sign in. " + e.message,
      });
    }
    say("Your account has been deleted, and you are signed out.");
  },
  { invalid_credentials: "Your password is not right. Check it and try again." },
);

// --- the site's own API ----------------------------------------------------------------------

function showApi(call, status = "", body = null) {
  $("api-call").textContent = call + (status === "" ? "" : " →");
  $("api-status").textContent = status;
  $("api-result").textContent = body ? JSON.stringify(body, null, 2) : "";
  $("api-result").hidden = !body;
}

// The cookie goes along by itself. For a bearer call the page asks monban for the access
// token (GET /auth/token) and leaves the cookie out, so only the token can authenticate the
// call; the token itself is never shown.
async function callApi(bearer) {
  let init = { credentials: "same-origin" };
  let call = "GET /api/me with the session cookie";
  if (bearer) {
    const token = await getAccessToken();
    if (!token) return showApi("GET /auth/token", "no token: you are signed out");
    init = { credentials: "omit", headers: { Authorization: "Bearer " + token } };
    call = "GET /api/me with a bearer token";
  }
  const res = await fetch("/api/me", init);
  showApi(call, res.status, await res.json().catch(() => null));
}

$("call-api").addEventListener("click", () => act(null, () => callApi(false)));
$("call-api-bearer").addEventListener("click", () => act(null, () => callApi(true)));

// --- on load -----------------------------------------------------------------------------------

try {
  render(await getSession()); // null for a signed-out visitor: a 200, not an error
} catch (err) {
  render(null);
  showError(err);
}

showProviders();

// A failed hosted-UI sign-in comes back as ?error=CODE: say it in words, once.
const failed = new URLSearchParams(location.search).get("error");
if (failed) {
  history.replaceState(null, "", location.pathname);
  showError(new MonbanError(failed, sentences.sign_in_failed), null, {
    invalid_request: "The sign-in did not complete. Please try again.",
  });
}
