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
}

const here = () => location.pathname;
$("sign-in").onclick = () => (location.href = "/auth/sign-in?redirect_to=" + encodeURIComponent(here()));
$("refresh").onclick = async () => {
  const res = await post("/auth/refresh");
  if (res.status !== 200) showError(res.body.error.message);
  load();
};
$("sign-out").onclick = async () => {
  const res = await post("/auth/sign-out");
  if (res.status !== 200) return showError(res.body.error.message);
  // Cognito's /logout ends the hosted-UI session too, then returns here.
  location.href = res.body.logout_url;
};

const params = new URLSearchParams(location.search);
if (params.get("error")) showError("Sign-in failed: " + params.get("error"));
load();
