package devstack

import (
	"context"
	"errors"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/cognito"
)

// signUpPage stands in for managed login's sign-up page, /signup, which cognito-local lacks:
// monban's sign-in with screen=signup sends the browser there with the authorize request's
// parameters (client_id, redirect_uri, response_type=code, scope, state, nonce,
// code_challenge, code_challenge_method=S256), checked as the emulator's /oauth2/authorize
// checks them (a known client, a registered redirect_uri, PKCE S256).
//
// GET shows a form (e-mail address, password). POST signs the user up with SignUp through
// the given client (the API front, so the password policy applies; SECRET_HASH with the
// client's secret) and then:
//   - confirmed at once (the pre-sign-up trigger's auto-confirm, the stack's default): it
//     signs in on the emulator's login form with the same address and password, server to
//     server, and passes its redirect on, so the browser lands on redirect_uri with a code
//     and the state, as after Cognito's own sign-up;
//   - not confirmed: it asks for the e-mail code (locally ConfirmationCode), confirms with
//     ConfirmSignUp and sends the browser to the emulator's login form for the same
//     authorize request (the password is not kept for a second request).
//
// A refusal (the policy, a taken address, the trigger) is shown on the page with Cognito's
// message, answered 200 as the managed pages answer. Nothing else of managed login is here:
// no attributes beyond the e-mail address, no styling, no session of its own.
type signUpPage struct {
	api      *cip.Client
	poolID   string
	emulator *url.URL
	http     *http.Client
}

func newSignUpPage(emulator *url.URL, api *cip.Client, poolID string) *signUpPage {
	return &signUpPage{api: api, poolID: poolID, emulator: emulator, http: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// authorizeParams are the authorize request's parameters the page carries through.
var authorizeParams = []string{"client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge", "code_challenge_method"}

type hiddenField struct{ Name, Value string }

type signUpView struct {
	Error       string
	Hidden      []hiddenField
	Confirm     bool
	Email       string
	Destination string
	SignIn      string
}

var signUpTemplate = template.Must(template.New("signup").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign up</title></head>
<body>
<h1>{{if .Confirm}}Confirm your account{{else}}Sign up{{end}}</h1>
<p><small>make dev's stand-in for Cognito's sign-up page (cognito-local has none).</small></p>
{{if .Error}}<p role="alert" style="color:red">{{.Error}}</p>
{{end}}<form method="POST" action="/signup">
{{range .Hidden}}  <input type="hidden" name="{{.Name}}" value="{{.Value}}" />
{{end}}{{if .Confirm}}  <input type="hidden" name="username" value="{{.Email}}" />
  <input type="hidden" name="step" value="confirm" />
  <p>We sent a code to {{.Destination}}.</p>
  <label>Code: <input type="text" name="code" autocomplete="one-time-code" /></label><br />
  <button type="submit">Confirm account</button>
{{else}}  <label>Email: <input type="email" name="username" value="{{.Email}}" autocomplete="username" /></label><br />
  <label>Password: <input type="password" name="password" autocomplete="new-password" /></label><br />
  <button type="submit">Sign up</button>
{{end}}</form>
<p><a href="{{.SignIn}}">Sign in instead</a></p>
</body>
</html>
`))

func (h *signUpPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var q url.Values
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		q = r.URL.Query()
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "unreadable form", http.StatusBadRequest)
			return
		}
		q = r.PostForm
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	params := url.Values{}
	for _, k := range authorizeParams {
		if v := q.Get(k); v != "" {
			params.Set(k, v)
		}
	}
	client, status, msg := h.checkAuthorize(r.Context(), params)
	if msg != "" {
		http.Error(w, msg, status)
		return
	}
	view := signUpView{SignIn: "/oauth2/authorize?" + params.Encode(), Email: strings.TrimSpace(q.Get("username"))}
	for _, k := range authorizeParams {
		if params.Has(k) {
			view.Hidden = append(view.Hidden, hiddenField{k, params.Get(k)})
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	if r.Method != http.MethodPost {
		h.render(w, view)
		return
	}
	clientID := aws.ToString(client.ClientId)
	var secretHash *string
	if s := aws.ToString(client.ClientSecret); s != "" {
		secretHash = aws.String(cognito.SecretHash(clientID, s, view.Email))
	}
	if q.Get("step") == "confirm" {
		view.Confirm, view.Destination = true, maskAddress(view.Email)
		_, err := h.api.ConfirmSignUp(r.Context(), &cip.ConfirmSignUpInput{
			ClientId: &clientID, SecretHash: secretHash, Username: &view.Email, ConfirmationCode: aws.String(q.Get("code")),
		})
		if err != nil {
			view.Error = refusal(err)
			h.render(w, view)
			return
		}
		http.Redirect(w, r, view.SignIn, http.StatusSeeOther)
		return
	}
	password := q.Get("password")
	out, err := h.api.SignUp(r.Context(), &cip.SignUpInput{
		ClientId: &clientID, SecretHash: secretHash, Username: &view.Email, Password: &password,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: &view.Email}},
	})
	if err != nil {
		view.Error = refusal(err)
		h.render(w, view)
		return
	}
	if !out.UserConfirmed {
		view.Confirm, view.Destination = true, maskAddress(view.Email)
		if d := out.CodeDeliveryDetails; d != nil && strings.Contains(aws.ToString(d.Destination), "***") {
			view.Destination = aws.ToString(d.Destination)
		}
		h.render(w, view)
		return
	}
	h.signIn(w, r, params, view.Email, password)
}

// checkAuthorize checks the authorize request as the emulator's /oauth2/authorize does.
func (h *signUpPage) checkAuthorize(ctx context.Context, p url.Values) (*types.UserPoolClientType, int, string) {
	switch {
	case p.Get("client_id") == "":
		return nil, http.StatusBadRequest, "Missing client_id"
	case p.Get("redirect_uri") == "":
		return nil, http.StatusBadRequest, "Missing redirect_uri"
	case p.Get("response_type") != "code":
		return nil, http.StatusBadRequest, "response_type must be code"
	case p.Get("code_challenge") == "":
		return nil, http.StatusBadRequest, "Missing code_challenge"
	case p.Get("code_challenge_method") != "S256":
		return nil, http.StatusBadRequest, "code_challenge_method must be S256"
	}
	out, err := h.api.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &h.poolID, ClientId: aws.String(p.Get("client_id"))})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound) || (err == nil && out.UserPoolClient == nil):
		return nil, http.StatusBadRequest, "Invalid client_id"
	case err != nil:
		slog.Warn("devstack: /signup client lookup", "err", err)
		return nil, http.StatusBadGateway, "cannot look up client"
	case !slices.Contains(out.UserPoolClient.CallbackURLs, p.Get("redirect_uri")):
		return nil, http.StatusBadRequest, "redirect_uri not registered for this client"
	}
	return out.UserPoolClient, 0, ""
}

// signIn completes the authorize request on the emulator's login form and passes its answer
// on: a redirect to redirect_uri with the code and state.
func (h *signUpPage) signIn(w http.ResponseWriter, r *http.Request, params url.Values, email, password string) {
	form := url.Values{}
	for k, v := range params {
		form[k] = v
	}
	form.Set("username", email)
	form.Set("password", password)
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, h.emulator.JoinPath("/oauth2/authorize").String(), strings.NewReader(form.Encode()))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := h.http.Do(req)
	if err != nil {
		slog.Warn("devstack: /signup sign-in", "err", err)
		http.Error(w, "cognito emulator unreachable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
		http.Redirect(w, r, loc, http.StatusFound)
		return
	}
	// Not a redirect (the emulator refused): its page, as it answered.
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, io.LimitReader(resp.Body, 1<<20))
}

func (h *signUpPage) render(w http.ResponseWriter, v signUpView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := signUpTemplate.Execute(w, v); err != nil {
		slog.Warn("devstack: /signup page", "err", err)
	}
}

// refusal is what the page says about a refused SignUp or ConfirmSignUp: Cognito's message.
func refusal(err error) string {
	if m := cognito.Message(err); m != "" {
		return m
	}
	if c := cognito.ErrorCode(err); c != "" {
		return c
	}
	return "The request failed; try again."
}
