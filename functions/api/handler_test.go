package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/monban-auth/monban/internal/app"
	"github.com/monban-auth/monban/internal/devstack"
	"github.com/monban-auth/monban/internal/devstack/devstacktest"
	"github.com/monban-auth/monban/internal/lambdahttp"
)

func loadEvent(t *testing.T, name string, replace map[string]string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	sub := func(s string) string {
		for k, v := range replace {
			s = strings.ReplaceAll(s, k, v)
		}
		return s
	}
	ev.RawQueryString = sub(ev.RawQueryString)
	for k, v := range ev.QueryStringParameters {
		ev.QueryStringParameters[k] = sub(v)
	}
	var cookies []string
	for _, c := range ev.Cookies {
		cookies = append(cookies, strings.Split(sub(c), "; ")...)
	}
	ev.Cookies = cookies
	return ev
}

// invoke sends ev through the Lambda entry point as the runtime does (JSON in, JSON out).
func invoke(ctx context.Context, t *testing.T, h *lambdahttp.Handler, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	t.Helper()
	payload, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.Invoke(ctx, payload)
	var resp events.APIGatewayV2HTTPResponse
	if err == nil {
		if jerr := json.Unmarshal(out, &resp); jerr != nil {
			t.Fatalf("answer %s: %v", out, jerr)
		}
	}
	return resp, err
}

// pairs turns Set-Cookie lines into name=value pairs as a browser would send them back,
// leaving out deletions.
func pairs(setCookies []string) (kept []string, deleted []string) {
	for _, line := range setCookies {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		if c.MaxAge < 0 {
			deleted = append(deleted, c.Name)
			continue
		}
		kept = append(kept, c.Name+"="+c.Value)
	}
	return kept, deleted
}

var hidden = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)

// Real API Gateway HTTP API events through the Lambda entry point: the sign-in, the
// hosted-UI login at cognito-local, the callback — whose three Set-Cookie lines (session,
// refresh, flow deletion) must arrive in the response's cookies array — and the session.
func TestLambdaEntryPointHostedUIFlow(t *testing.T) {
	const site = "https://www.example.com"
	stack := devstacktest.Start(t, devstack.StackOptions{
		SiteURL: site,
		Users:   []devstack.User{{Email: "bob@example.com", Password: "Corr3ct-Horse!"}},
	})
	env := map[string]string{}
	for k, v := range stack.Env {
		env[k] = v
	}
	// Here the API reaches the emulator's hosted UI directly; the browser part is played
	// by this test.
	env["MONBAN_COGNITO_DOMAIN"] = stack.Cognito.URL
	ctx := context.Background()
	handle, err := newHandlerWith(ctx, func(k string) string { return env[k] }, app.Options{Log: devstack.DevLogger(t.Output())})
	if err != nil {
		t.Fatal(err)
	}

	resp, err := invoke(ctx, t, handle, loadEvent(t, "sign-in.json", nil))
	if err != nil || resp.StatusCode != 302 {
		t.Fatalf("sign-in: %v %d %s", err, resp.StatusCode, resp.Body)
	}
	if len(resp.Cookies) != 1 || !strings.HasPrefix(resp.Cookies[0], "__Host-monban-flow=") {
		t.Fatalf("sign-in cookies = %q", resp.Cookies)
	}
	if _, ok := resp.Headers["Set-Cookie"]; ok {
		t.Fatal("Set-Cookie must travel in the cookies array, not the headers")
	}
	flow, _ := pairs(resp.Cookies)

	// The browser's part: the login form, then cognito-local's redirect to the callback.
	hc := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := hc.Get(resp.Headers["Location"])
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	form := url.Values{"username": {"bob@example.com"}, "password": {"Corr3ct-Horse!"}}
	for _, m := range hidden.FindAllStringSubmatch(string(html), -1) {
		form.Set(m[1], m[2])
	}
	login, err := hc.PostForm(stack.Cognito.URL+"/oauth2/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	login.Body.Close()
	back, err := url.Parse(login.Header.Get("Location"))
	if err != nil || back.Path != "/auth/callback" {
		t.Fatalf("login form answered %d %q", login.StatusCode, login.Header.Get("Location"))
	}

	resp, err = invoke(ctx, t, handle, loadEvent(t, "callback.json", map[string]string{
		"CODE": back.Query().Get("code"), "STATE": back.Query().Get("state"), "FLOW_COOKIE": flow[0],
	}))
	if err != nil || resp.StatusCode != 302 || resp.Headers["Location"] != site+"/account" {
		t.Fatalf("callback: %v %d %v", err, resp.StatusCode, resp.Headers)
	}
	kept, deleted := pairs(resp.Cookies)
	if len(resp.Cookies) != 3 || len(kept) != 2 || len(deleted) != 1 || deleted[0] != "__Host-monban-flow" {
		t.Fatalf("callback cookies: kept %q deleted %q", kept, deleted)
	}

	resp, err = invoke(ctx, t, handle, loadEvent(t, "session.json", map[string]string{"SESSION_COOKIES": strings.Join(kept, "; ")}))
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Body, `"email":"bob@example.com"`) {
		t.Fatalf("session: %v %d %s", err, resp.StatusCode, resp.Body)
	}
	if resp.Headers["Content-Type"] != "application/json" || resp.Headers["Cache-Control"] != "no-store" {
		t.Fatalf("session headers: %v", resp.Headers)
	}
}

func TestBadConfigurationIsReportedAtStart(t *testing.T) {
	_, err := newHandler(context.Background(), func(k string) string {
		if k == "MONBAN_SESSION_SECRET" {
			return "too-short-secret"
		}
		return ""
	})
	if err == nil || !strings.Contains(err.Error(), "MONBAN_USER_POOL_ID") || strings.Contains(err.Error(), "too-short-secret") {
		t.Fatalf("err = %v", err)
	}
}
