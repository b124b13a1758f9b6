package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
)

// chromium finds the browser, or skips (fails under CI=true) with the reason and how to get
// it: CHROMIUM (a path or a command name) when set, else the usual names on PATH, else on
// macOS the app bundles.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the browser tests do not run")
	}
	const install = "Debian/Ubuntu: sudo apt-get install chromium; macOS: brew install --cask chromium; " +
		"or set CHROMIUM to a Chromium or Chrome executable; .ci/run installs it"
	var path, why string
	if env := os.Getenv("CHROMIUM"); env != "" {
		var err error
		if path, err = exec.LookPath(env); err != nil {
			why = "CHROMIUM=" + env + " is not an executable (" + install + ")"
		}
	} else {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
		if path == "" && runtime.GOOS == "darwin" {
			for _, app := range []string{"Chromium.app/Contents/MacOS/Chromium", "Google Chrome.app/Contents/MacOS/Google Chrome"} {
				if p, err := exec.LookPath(filepath.Join("/Applications", app)); err == nil {
					path = p
					break
				}
			}
		}
		if path == "" {
			why = "Chromium not found: CHROMIUM is unset and none of chromium, chromium-browser, google-chrome, " +
				"google-chrome-stable is on PATH (" + install + ")"
		}
	}
	if why != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(why + " (CI=true: the browser test is required)")
		}
		t.Skip(why)
	}
	return path
}

// inBrowser serves a stack exactly as `make dev` does (plain HTTP on loopback, which browsers
// treat as a secure context, so the Secure cookies work; the origin-verify header added at
// the front, as CloudFront adds it) and runs a script of e2e/browser against it in Chromium,
// with the seeded user's e-mail and password.
func inBrowser(t *testing.T, script string, o devstack.StackOptions) {
	t.Helper()
	inBrowserAfter(t, script, o, nil)
}

// inBrowserAfter is inBrowser with setup run on the started stack before the script.
func inBrowserAfter(t *testing.T, script string, o devstack.StackOptions, setup func(*devstack.Stack)) {
	t.Helper()
	inBrowserAt(t, "", script, o, setup)
}

// inBrowserAt is inBrowserAfter with the site named by host (e.g. "localhost") instead of
// its loopback address; "" keeps the address. It still listens on 127.0.0.1 only.
func inBrowserAt(t *testing.T, host, script string, o devstack.StackOptions, setup func(*devstack.Stack)) {
	t.Helper()
	browser := chromium(t)
	devstacktest.RequireEmulator(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	site := "http://" + ln.Addr().String()
	if host != "" {
		site = "http://" + net.JoinHostPort(host, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}
	const email, password = "demo@example.com", "Monban-demo-1!"
	o.SiteURL = site
	o.Users = append(o.Users, devstack.User{Email: email, Password: password})
	o.App = app.Options{Log: devstack.DevLogger(t.Output())}
	o.OriginVerify = true
	stack := devstacktest.Start(t, o)
	if setup != nil {
		setup(stack)
	}
	srv := &http.Server{Handler: stack.Handler, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })

	shots := t.TempDir()
	if d := os.Getenv("MONBAN_SCREENSHOTS"); d != "" {
		shots = d // keep them to look at
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join("browser", script), site, email, password, shots)
	cmd.Env = append(os.Environ(), "CHROMIUM="+browser)
	out, err := cmd.CombinedOutput()
	t.Logf("browser run:\n%s", out)
	if err != nil {
		t.Fatalf("%s failed in the browser: %v (screenshots in %s)", script, err, shots)
	}
}

// The demo site in a real browser, served as `make dev` serves it (with /auth/token on): a
// clean signed-out visit, hosted UI, sign-out through /logout followed by a second tab, and
// the site's own forms (a password reset, an invited user's new password, sign-up, change
// password, an authenticator app and the MFA challenge; the challenges and the confirmation
// code the local stack cannot produce, with stubbed answers), with the accessibility the
// page promises: tab roles, alerts, focus, marked fields, unique names.
func TestDemoSiteInABrowser(t *testing.T) {
	o := devstack.StackOptions{Env: map[string]string{"MONBAN_TOKEN_ENDPOINT": "true"}}
	inBrowserAfter(t, "demo.mjs", o, func(s *devstack.Stack) {
		// An administrator's invitation: the first sign-in must choose a new password.
		_, err := devstack.NewCognitoClient(s.Cognito.URL).AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
			UserPoolId: aws.String(s.Pool.ID), Username: aws.String("invited@example.com"),
			TemporaryPassword: aws.String("Temp-Passw0rd1!"), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{
				{Name: aws.String("email"), Value: aws.String("invited@example.com")},
				{Name: aws.String("email_verified"), Value: aws.String("true")},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// Passwordless sign-in on the demo site in a real browser, with Chromium's virtual
// authenticator (DevTools protocol WebAuthn domain) as the device's passkey store: sign up
// (confirmed with the local e-mail code), register a passkey, sign out, sign in with the
// passkey and the e-mail address alone, list and delete it; then the seeded user signs in
// with an e-mail code. The site is http://localhost:<port>: WebAuthn needs a relying-party
// id that is a domain, and the local stand-in offers passkeys for the site's host only when
// it is not an IP address.
func TestPasskeysInABrowser(t *testing.T) {
	o := devstack.StackOptions{
		// Sign-ups wait for the e-mail code (the local one), as on a pool without auto-confirm.
		TriggerEnv: map[string]string{"MONBAN_SIGNUP_AUTO_CONFIRM": "false"},
	}
	inBrowserAt(t, "localhost", "passkey.mjs", o, nil)
}

// Account self-service on the demo site in a real browser: a new user signs up (confirmed
// with the local e-mail code), edits the name (the session follows once the server has
// refreshed it), changes the e-mail address with its code (the old address stays until the
// code is entered) and deletes the account with the password. The cookies held before the
// deletion, put back, are refused (POST /auth/refresh and GET /auth/profile answer 401 and
// clear them) and a page opened with them shows signed out. First, "Sign in with Google" is
// offered only when the API lists the provider: none on the local stack, two when the list
// is stubbed.
func TestProfileInABrowser(t *testing.T) {
	o := devstack.StackOptions{
		TriggerEnv: map[string]string{
			// Sign-ups wait for the e-mail code (the local one), as on a pool without auto-confirm.
			"MONBAN_SIGNUP_AUTO_CONFIRM": "false",
			// Cognito's ID token carries every readable standard attribute, name included;
			// cognito-local's only sub, email, email_verified and the custom ones. The
			// pre-token-generation trigger's mapping adds the name, so the session can show it.
			"MONBAN_CLAIM_MAPPINGS": "name=name",
		},
	}
	inBrowser(t, "profile.mjs", o)
}

// A site that is not the demo, served from a build folder as `make dev SITE_DIR=…` serves
// it: its pages import the client from /auth/client.js and sign up, sign in, read the session
// and sign out with it, on the root page and on a page in a sub-folder.
func TestOwnSiteWithTheClient(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"index.html": ownSiteIndex, "about/index.html": ownSiteAbout} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	inBrowser(t, "ownsite.mjs", devstack.StackOptions{SiteDir: dir})
}

// ownSiteIndex is a small site's home page, written as a site's author would write it
// with nothing but the client's README at hand.
const ownSiteIndex = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Acme Tea</title>
<link rel="icon" href="data:,">
</head>
<body>
<h1>Acme Tea</h1>
<p>You are <output id="state">…</output>.</p>
<form id="account">
  <label>E-mail <input id="email" type="email" autocomplete="username"></label>
  <label>Password <input id="password" type="password" autocomplete="current-password"></label>
  <button type="button" id="sign-up">Create an account</button>
  <button type="button" id="sign-in">Sign in</button>
</form>
<p><button type="button" id="sign-out">Sign out</button> <a href="/about/">About us</a></p>
<p id="error" role="alert"></p>
<script type="module">
  import { getSession, onSessionChange, signIn, signOut, signUp } from "/auth/client.js";

  const $ = (id) => document.getElementById(id);
  const show = (session) => ($("state").textContent = session ? "signed in as " + session.user.email : "signed out");
  const input = () => ({ email: $("email").value, password: $("password").value });
  const onClick = (id, fn) =>
    $(id).addEventListener("click", async () => {
      $("error").textContent = "";
      try {
        await fn();
      } catch (e) {
        $("error").textContent = e.code + ": " + e.message;
      }
    });

  onClick("sign-up", async () => {
    const { userConfirmed } = await signUp({ ...input(), signIn: false });
    $("state").textContent = userConfirmed ? "signed up" : "waiting for a code";
  });
  onClick("sign-in", async () => {
    const { challenge } = await signIn(input());
    if (challenge) $("state").textContent = "asked for " + challenge.name;
  });
  onClick("sign-out", () => signOut({ redirect: false }));

  onSessionChange(show);
  show(await getSession());
</script>
</body>
</html>
`

// ownSiteAbout is a page in a sub-folder (about/index.html, served at /about/).
const ownSiteAbout = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>About Acme Tea</title>
<link rel="icon" href="data:,">
</head>
<body>
<h1>About us</h1>
<p>Hello, <output id="state">…</output>.</p>
<script type="module">
  import { getSession } from "/auth/client.js";
  const session = await getSession();
  document.getElementById("state").textContent = session ? session.user.email : "stranger";
</script>
</body>
</html>
`
