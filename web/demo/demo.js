// The demo site talks to monban like any static site would: fetch with credentials, JSON in
// and out, and Content-Type: application/json on every POST (monban's CSRF rule).
const api = (path, init = {}) =>
  fetch(path, { credentials: "include", ...init }).then(async (res) => ({
    status: res.status,
    body: res.status === 204 ? null : await res.json(),
  }));
const post = (path, body = {}) =>
  api(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });

const $ = (id) => document.getElementById(id);

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

function render(session) {
  $("signed-in").hidden = !session;
  $("signed-out").hidden = !!session;
  if (!session) return;
  $("who").textContent = session.user.email || session.user.username;
  $("expires").textContent = new Date(session.expires_at).toLocaleString();
  $("session").textContent = JSON.stringify(session, null, 2);
}

async function load() {
  const res = await api("/auth/session");
  render(res.status === 200 ? res.body : null);
  callMe();
}

// The protected sample API: 200 with the caller's identity, or 401 when signed out.
function showApiResult(call, status, body) {
  $("api-call").textContent = call + " \u2192";
  $("api-status").textContent = status;
  $("api-result").textContent = body ? JSON.stringify(body, null, 2) : "";
}

async function callMe() {
  const res = await api("/api/me");
  showApiResult("GET /api/me (cookies only)", res.status, res.body);
}

// A page that needs a token for another service asks /auth/token for the access token and
// sends it as a bearer token; credentials "omit" keeps the cookie out, so only the token
// can authenticate the call. The token itself is never shown.
async function callMeWithBearer() {
  const tok = await api("/auth/token");
  if (tok.status !== 200) return showApiResult("GET /auth/token", tok.status, tok.body);
  const res = await fetch("/api/me", { credentials: "omit", headers: { Authorization: "Bearer " + tok.body.access_token } });
  showApiResult("GET /api/me (bearer token)", res.status, await res.json());
}

const here = () => location.pathname;
$("sign-in").onclick = () => (location.href = "/auth/sign-in?redirect_to=" + encodeURIComponent(here()));
$("refresh").onclick = async () => {
  const res = await post("/auth/refresh");
  if (res.status !== 200) showError(res.body.error.message);
  load();
};
$("call-api").onclick = callMe;
$("call-api-bearer").onclick = callMeWithBearer;
$("sign-out").onclick = async () => {
  const res = await post("/auth/sign-out");
  if (res.status !== 200) return showError(res.body.error.message);
  // Cognito's /logout ends the hosted-UI session too, then returns here.
  location.href = res.body.logout_url;
};

const params = new URLSearchParams(location.search);
if (params.get("error")) showError("Sign-in failed: " + params.get("error"));
load();
