// The custom login page: every form posts JSON to monban, which talks to Cognito with the
// app client's secret. Uses api/post/$/load/showError from demo.js.
const forms = ["form-sign-in", "form-sign-up", "form-confirm", "form-forgot", "form-reset", "form-challenge"];
const show = (id) => forms.forEach((f) => ($(f).hidden = f !== id));
const fields = (form) => Object.fromEntries(new FormData(form).entries());
const fill = (root, name, text) => root.querySelectorAll(`[data-field="${name}"]`).forEach((el) => (el.textContent = text));
const notice = (text) => { $("notice").textContent = text; $("notice").hidden = !text; };

document.querySelectorAll(".tab").forEach((b) => (b.onclick = () => { showError(""); show(b.dataset.form); }));

// pending remembers what the next form needs (the e-mail, and the password for signing in
// right after confirming).
let pending = {};

function handle(form, fn) {
  $(form).onsubmit = async (e) => {
    e.preventDefault();
    showError("");
    try {
      await fn(fields(e.target), e.target);
    } catch (err) {
      showError(err.message);
    }
  };
}

async function call(path, body) {
  const res = await post(path, body);
  if (res.status !== 200) throw new Error(res.body.error.message + " (" + res.body.error.code + ")");
  return res.body;
}

// A sign-in answer is a session or a challenge to answer next.
async function signedIn(body) {
  if (body.challenge) return showChallenge(body);
  pending = {};
  await load();
}

function showChallenge({ challenge, parameters }) {
  const f = $("form-challenge");
  const need = (name, on) => (f.querySelector(`[data-for="${name}"]`).hidden = !on);
  const texts = {
    NEW_PASSWORD_REQUIRED: "Choose a new password to finish signing in.",
    SOFTWARE_TOKEN_MFA: "Enter the code from your authenticator app.",
    SMS_MFA: "Enter the code we sent to " + (parameters.destination || "your phone") + ".",
    EMAIL_OTP: "Enter the code we sent to " + (parameters.destination || "your e-mail") + ".",
    SELECT_MFA_TYPE: "Choose how to confirm it is you.",
    MFA_SETUP: "This account needs an authenticator app: add the key below, then enter its code.",
  };
  fill(f, "instructions", texts[challenge] || challenge);
  need("new_password", challenge === "NEW_PASSWORD_REQUIRED");
  need("code", ["SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP", "MFA_SETUP"].includes(challenge));
  need("mfa_type", challenge === "SELECT_MFA_TYPE");
  f.querySelector('[data-field="setup"]').hidden = challenge !== "MFA_SETUP";
  fill(f, "secret", parameters.secret || "");
  fill(f, "uri", parameters.otpauth_uri || "");
  const select = f.querySelector("select");
  select.replaceChildren(...(parameters.mfas_can_choose || []).map((m) => new Option(m, m)));
  const attrs = f.querySelector('[data-field="attributes"]');
  attrs.replaceChildren(...(parameters.required_attributes || []).map((name) => {
    const label = document.createElement("label");
    label.textContent = name + " ";
    const input = document.createElement("input");
    input.name = "attr:" + name;
    input.required = true;
    label.append(input);
    return label;
  }));
  f.dataset.challenge = challenge;
  f.reset();
  show("form-challenge");
}

handle("form-sign-in", async (v) => signedIn(await call("/auth/sign-in/password", { email: v.email, password: v.password })));

handle("form-sign-up", async (v) => {
  const attributes = v.name ? { name: v.name } : {};
  const body = await call("/auth/sign-up", { email: v.email, password: v.password, attributes, sign_in: true });
  if (body.user || body.challenge) return signedIn(body); // confirmed at once (pre-sign-up trigger)
  pending = { email: v.email, password: v.password };
  fill($("form-confirm"), "destination", (body.delivery && body.delivery.destination) || v.email);
  show("form-confirm");
});

handle("form-confirm", async (v) => {
  await call("/auth/confirm-sign-up", { email: pending.email, code: v.code });
  signedIn(await call("/auth/sign-in/password", { email: pending.email, password: pending.password }));
});

handle("form-forgot", async (v) => {
  await call("/auth/forgot-password", { email: v.email });
  pending = { email: v.email };
  show("form-reset");
});

handle("form-reset", async (v) => {
  await call("/auth/confirm-forgot-password", { email: pending.email, code: v.code, password: v.password });
  show("form-sign-in");
  $("form-sign-in").email.value = pending.email;
  showError("");
  notice("Password reset: sign in with the new one.");
});

handle("form-challenge", async (v, form) => {
  const answer = { challenge: form.dataset.challenge };
  if (v.new_password) answer.new_password = v.new_password;
  if (v.code) answer.code = v.code;
  if (v.mfa_type) answer.mfa_type = v.mfa_type;
  const attributes = {};
  for (const [k, val] of Object.entries(v)) if (k.startsWith("attr:")) attributes[k.slice(5)] = val;
  if (Object.keys(attributes).length) answer.attributes = attributes;
  signedIn(await call("/auth/challenge", answer));
});

handle("form-change-password", async (v, form) => {
  await call("/auth/change-password", v);
  form.reset();
  notice("Password changed.");
});

$("totp-setup").onclick = async () => {
  try {
    const setup = await call("/auth/mfa/totp/setup", {});
    fill($("form-totp"), "secret", setup.secret);
    fill($("form-totp"), "uri", setup.otpauth_uri);
    $("form-totp").hidden = false;
  } catch (err) {
    showError(err.message);
  }
};

handle("form-totp", async (v, form) => {
  await call("/auth/mfa/totp/verify", { code: v.code });
  form.hidden = true;
  notice("Authenticator app on: it will be asked for at your next sign-in.");
});
