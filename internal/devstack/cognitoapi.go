package devstack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/lambdainvoke"
	"github.com/monban-auth/monban/internal/token"
)

// The API front: the local stack points the API's Cognito endpoint (MONBAN_COGNITO_ENDPOINT)
// at it instead of at cognito-local, and it answers what the emulator lacks, as Cognito does,
// forwarding everything else unchanged:
//
//   - ResendConfirmationCode (the emulator has none): for an unconfirmed user it answers
//     Cognito's CodeDeliveryDetails (EMAIL, the address masked as "a***@e***"); the code is
//     the one the emulator already holds for the user, ConfirmationCode (it is logged). A
//     confirmed user gets InvalidParameterException "User is already confirmed."; an unknown
//     or disabled user a simulated delivery when the app client prevents user-existence
//     errors (PreventUserExistenceErrors ENABLED, as the stack's client does), else
//     UserNotFoundException. SECRET_HASH is checked, as Cognito checks it for a client with
//     a secret.
//   - ConfirmSignUp: passed to the emulator, which confirms the user but, unlike Cognito,
//     leaves their e-mail address unverified; the front then marks it verified.
//   - GlobalSignOut (the emulator has none): the access token is verified against the pool's
//     JWKS, and the user and the second of the sign-out are recorded (in the data folder, so
//     a restart keeps them). From then on every token of that user issued in or before that
//     second is refused as Cognito refuses revoked ones: REFRESH_TOKEN_AUTH with
//     NotAuthorizedException "Refresh Token has been revoked", any call carrying such an
//     access token with NotAuthorizedException "Access Token has been revoked", and the
//     token endpoint's refresh_token grant with invalid_grant (GuardTokenEndpoint). The
//     emulator's tokens are JWTs with "iat" in whole seconds (its refresh tokens too: it
//     signs "cognito:username", "iat" and "jti"), so the answer waits for the next second to
//     begin: a session started after the sign-out is never caught by it.
//   - The password policy (the emulator stores a pool's policy but accepts any password):
//     SignUp, ConfirmForgotPassword, ChangePassword and the NEW_PASSWORD_REQUIRED answer of
//     (Admin)RespondToAuthChallenge are refused with InvalidPasswordException and Cognito's
//     message when the password misses PasswordPolicy, template.yaml's.
//   - Choice-based sign-in (the emulator has no USER_AUTH; passwordless.go): InitiateAuth
//     with AuthFlow USER_AUTH checks SECRET_HASH and the app client's ALLOW_USER_AUTH
//     (InvalidParameterException "USER_AUTH flow not enabled for this client") and never
//     answers tokens: SELECT_CHALLENGE with AvailableChallenges, the first factors the pool's
//     SignInPolicy allows (none set: PASSWORD only) that the user can use — WEB_AUTHN with a
//     passkey, EMAIL_OTP with an e-mail address (neither for a user with MFA, as the
//     Developer Guide's "Adding MFA to a user pool" says), PASSWORD — or PREFERRED_CHALLENGE's
//     challenge when the user can use it. RespondToAuthChallenge answers SELECT_CHALLENGE
//     (ANSWER; PASSWORD with it), PASSWORD, EMAIL_OTP (EMAIL_OTP_CODE is ConfirmationCode,
//     logged, never sent; a wrong one is CodeMismatchException and may be tried again) and
//     WEB_AUTHN (CREDENTIAL, verified by package passkey; refused: NotAuthorizedException
//     "Incorrect username or password."). A session lasts the client's AuthSessionValidity
//     (3 minutes when unset) and is good for one answer. A user who does not exist or is
//     disabled gets answers of the same shape, stable for the name ("Managing user existence
//     error responses"), none of which signs in. The tokens are the emulator's own: once the
//     front has verified a factor it signs the user in on the emulator with
//     USER_PASSWORD_AUTH and the password the emulator's data file holds for them
//     (.cognito/db/<pool ID>.json), so the pool's JWKS verifies them, the
//     pre-token-generation trigger runs and the refresh token works, exactly as after a
//     password sign-in; a PASSWORD answer is that same call with the given password, which
//     also brings the user's MFA challenge.
//   - Passkeys (the emulator has none): StartWebAuthnRegistration,
//     CompleteWebAuthnRegistration, ListWebAuthnCredentials and DeleteWebAuthnCredential,
//     with an access token verified as GlobalSignOut's is (revoked ones refused), for a pool
//     whose SignInPolicy allows WEB_AUTHN (else WebAuthnNotEnabledException). The relying
//     party is the site's host and the one origin allowed the site's (a site on an IP address
//     has none: registering answers WebAuthnConfigurationMissingException, listing none). Errors: no registration in progress
//     or expired, WebAuthnChallengeNotFoundException; another app client's token,
//     WebAuthnClientMismatchException; another origin, WebAuthnOriginNotAllowedException;
//     any other refusal, WebAuthnCredentialNotSupportedException; an unknown credential,
//     ResourceNotFoundException; more than 20, LimitExceededException.
//   - A user's own account (profile.go): UpdateUserAttributes refuses attributes outside the
//     app client's WriteAttributes (NotAuthorizedException "A client attempted to write
//     unauthorized attribute") and masks its deliveries' addresses;
//     GetUserAttributeVerificationCode answers its CodeDeliveryDetails. Both verify the
//     access token as GlobalSignOut does. GetUser, VerifyUserAttribute and DeleteUser are
//     the emulator's.
//
// Where these stop: passkeys, sign-in sessions and registrations in progress live in the
// front's memory, so restarting the stack forgets them (the users and passwords stay in the
// emulator); no SMS_OTP or PASSWORD_SRP, and no USER_AUTH through AdminInitiateAuth or
// AdminRespondToAuthChallenge (the emulator answers those "unsupported"); the relying party
// asks for no attestation and checks what go-webauthn checks, with no authenticator metadata
// (every FriendlyCredentialName is "Passkey") and user verification "preferred" (the pool's
// WebAuthnConfiguration is not read); e-mail codes have no attempt limit and are never sent;
// an unconfirmed user or one who must change their password gets, after a verified factor,
// the emulator's answer to a password sign-in (UserNotConfirmedException,
// NEW_PASSWORD_REQUIRED).
//
// Errors have the shape of Cognito's JSON 1.1 protocol: HTTP 400 (500 for its own faults),
// Content-Type application/x-amz-json-1.1, X-Amzn-ErrorType and a body
// {"__type": "<exception name>", "message": "<text>"}. Sources: the service model
// (botocore's cognito-idp 2016-04-18 service-2.json: protocol "json", jsonVersion 1.1, every
// exception's one member "message") and the SDK's reading of it (aws-sdk-go-v2's
// awsAwsjson11_deserializeOpError* read the type from X-Amzn-ErrorType or "__type"/"code"
// and the text from "message"). The revocation texts are Cognito's as reported from AWS
// (aws/aws-sdk-net#1936 "NotAuthorizedException: Refresh Token has been revoked",
// aws-amplify/amplify-js#3540 "Access Token has been revoked").

// maxAPIBody bounds what the front reads of a request before forwarding it.
const maxAPIBody = 1 << 20

const apiTargetPrefix = "AWSCognitoIdentityProviderService."

// EmulatorAdmin is what the API front asks the emulator directly. *cip.Client satisfies it.
type EmulatorAdmin interface {
	DescribeUserPoolClient(context.Context, *cip.DescribeUserPoolClientInput, ...func(*cip.Options)) (*cip.DescribeUserPoolClientOutput, error)
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// CognitoAPIFrontOptions configures the API front.
type CognitoAPIFrontOptions struct {
	EmulatorURL string
	// Pool names the user pool (ID) and where its tokens are verified (Issuer, JWKSURL).
	Pool  Pool
	Admin EmulatorAdmin
	// RevocationsFile keeps the global sign-outs across restarts; "" keeps them in memory.
	RevocationsFile string
	// EmulatorDataDir is the emulator's working directory (StackOptions.DataDir), whose
	// data file holds the password a passwordless sign-in is completed with; "" leaves
	// e-mail-code and passkey sign-ins unable to finish.
	EmulatorDataDir string
	// RelyingPartyID and Origins are the passkeys' relying party: the site's host and
	// origin. An empty RelyingPartyID offers no passkeys (WebAuthnConfigurationMissingException).
	RelyingPartyID string
	Origins        []string
	Log            *slog.Logger

	now   func() time.Time    // nil: time.Now
	sleep func(time.Duration) // nil: time.Sleep
}

// CognitoAPIFront is the API front listening on 127.0.0.1; URL is the endpoint to give the
// API in place of the emulator's.
type CognitoAPIFront struct {
	URL     string
	Handler *APIFront

	srv       *http.Server
	done      chan error
	closeOnce sync.Once
	closeErr  error
}

// StartCognitoAPIFront serves NewAPIFront(o) on a free loopback port.
func StartCognitoAPIFront(o CognitoAPIFrontOptions) (*CognitoAPIFront, error) {
	h, err := NewAPIFront(o)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("devstack: API front: listen: %w", err)
	}
	f := &CognitoAPIFront{
		URL:     "http://" + ln.Addr().String(),
		Handler: h,
		srv:     &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second},
		done:    make(chan error, 1),
	}
	go func() { f.done <- f.srv.Serve(ln) }()
	return f, nil
}

// Close stops the front; it is safe to call on nil and more than once.
func (f *CognitoAPIFront) Close() error {
	if f == nil {
		return nil
	}
	f.closeOnce.Do(func() { f.closeErr = lambdainvoke.StopServer(f.srv, f.done) })
	return f.closeErr
}

// APIFront is the API front's handler.
type APIFront struct {
	proxy   *httputil.ReverseProxy
	admin   EmulatorAdmin
	pool    Pool
	log     *slog.Logger
	now     func() time.Time
	sleep   func(time.Duration)
	revoked *revocations
	pw      *passwordless
	origins []string
	// emulatorURL and hc are for the sign-ins the front completes on the emulator itself.
	emulatorURL string
	hc          *http.Client

	mu        sync.Mutex
	verifiers map[string]*token.Verifier // by app client ID
}

// NewAPIFront returns the API front's handler (see the comment at the top of this file).
func NewAPIFront(o CognitoAPIFrontOptions) (*APIFront, error) {
	target, err := url.Parse(o.EmulatorURL)
	if err != nil || target.Scheme == "" || target.Host == "" {
		return nil, fmt.Errorf("devstack: API front: invalid emulator URL %q", o.EmulatorURL)
	}
	if o.Admin == nil || o.Pool.ID == "" || o.Pool.Issuer == "" {
		return nil, errors.New("devstack: API front needs the emulator's admin client and the pool's ID and issuer")
	}
	rev, err := loadRevocations(o.RevocationsFile)
	if err != nil {
		return nil, err
	}
	f := &APIFront{
		admin: o.Admin, pool: o.Pool, log: o.Log, now: o.now, sleep: o.sleep, revoked: rev,
		verifiers: map[string]*token.Verifier{}, origins: slices.Clone(o.Origins),
		emulatorURL: target.String(), hc: &http.Client{Timeout: 10 * time.Second},
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.pw, err = newPasswordless(o, f.now); err != nil {
		return nil, err
	}
	if f.sleep == nil {
		f.sleep = time.Sleep
	}
	f.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) },
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			f.log.Warn("devstack: API front: emulator unreachable", "err", err)
			writeAPIError(w, errUnreachable)
		},
	}
	return f, nil
}

// apiRequest holds the request fields the front looks at; the request is forwarded as sent.
type apiRequest struct {
	ClientId           string
	SecretHash         string
	Username           string
	Password           string
	ProposedPassword   string
	AccessToken        string
	AuthFlow           string
	AuthParameters     map[string]string
	ChallengeName      string
	ChallengeResponses map[string]string
	Session            string
	Credential         json.RawMessage // CompleteWebAuthnRegistration: a JSON document
	CredentialId       string
	MaxResults         *int
	NextToken          string
	UserAttributes     []apiAttribute // UpdateUserAttributes
	AttributeName      string         // GetUserAttributeVerificationCode

	raw []byte // the request as sent, for the stand-ins that pass it on to the emulator
}

// apiAttribute is Cognito's AttributeType.
type apiAttribute struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

type apiError struct {
	status   int
	typ, msg string
}

func invalidParameter(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: "InvalidParameterException", msg: msg}
}

func notAuthorized(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: "NotAuthorizedException", msg: msg}
}

func internalError(msg string) *apiError {
	return &apiError{status: http.StatusInternalServerError, typ: "InternalErrorException", msg: msg}
}

// errUnreachable answers a call the emulator did not take, forwarded or made by the front.
var errUnreachable = &apiError{status: http.StatusBadGateway, typ: "InternalErrorException", msg: "cognito emulator unreachable"}

func missing(member string) *apiError {
	return invalidParameter("1 validation error detected: Value null at '" + member + "' failed to satisfy constraint: Member must not be null")
}

func writeAPIError(w http.ResponseWriter, e *apiError) {
	b, _ := json.Marshal(map[string]string{"__type": e.typ, "message": e.msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", e.typ)
	w.WriteHeader(e.status)
	w.Write(b)
}

func writeAPIResult(w http.ResponseWriter, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Write(b)
}

func (f *APIFront) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), apiTargetPrefix)
	if r.Method != http.MethodPost || !ok {
		f.proxy.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAPIBody+1))
	if err != nil || len(body) > maxAPIBody {
		writeAPIError(w, invalidParameter("the request body is unreadable or too large"))
		return
	}
	req := apiRequest{raw: body}
	parsed := json.Unmarshal(body, &req) == nil
	if standIn := f.standIn(op, &req); standIn != nil {
		if !parsed {
			writeAPIError(w, &apiError{status: http.StatusBadRequest, typ: "SerializationException", msg: "the request body is not a valid " + op + " request"})
			return
		}
		res, e := standIn(r.Context(), &req)
		if e != nil {
			writeAPIError(w, e)
			return
		}
		writeAPIResult(w, res)
		return
	}
	if parsed {
		if e := f.check(op, &req); e != nil {
			writeAPIError(w, e)
			return
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	f.proxy.ServeHTTP(w, r)
}

// standIn is the front's own answer to op, or nil when the emulator answers it.
func (f *APIFront) standIn(op string, req *apiRequest) func(context.Context, *apiRequest) (any, *apiError) {
	switch op {
	case "ResendConfirmationCode":
		return f.resendConfirmationCode
	case "ConfirmSignUp":
		return f.confirmSignUp
	case "GlobalSignOut":
		return f.globalSignOut
	case "InitiateAuth":
		if req.AuthFlow == "USER_AUTH" {
			return f.startUserAuth
		}
	case "RespondToAuthChallenge":
		if slices.Contains(userAuthFlows, req.ChallengeName) {
			return f.respondUserAuth
		}
	case "StartWebAuthnRegistration":
		return f.startWebAuthnRegistration
	case "CompleteWebAuthnRegistration":
		return f.completeWebAuthnRegistration
	case "ListWebAuthnCredentials":
		return f.listWebAuthnCredentials
	case "DeleteWebAuthnCredential":
		return f.deleteWebAuthnCredential
	case "UpdateUserAttributes":
		return f.updateUserAttributes
	case "GetUserAttributeVerificationCode":
		return f.getUserAttributeVerificationCode
	}
	return nil
}

// check refuses, before the emulator sees it, a request Cognito would refuse for a revoked
// token or a password that misses the policy.
func (f *APIFront) check(op string, req *apiRequest) *apiError {
	if req.AccessToken != "" && f.revoked.tokenRevoked(req.AccessToken) {
		return notAuthorized("Access Token has been revoked")
	}
	var password string
	switch op {
	case "InitiateAuth", "AdminInitiateAuth":
		if req.AuthFlow == "REFRESH_TOKEN_AUTH" || req.AuthFlow == "REFRESH_TOKEN" {
			if rt := req.AuthParameters["REFRESH_TOKEN"]; rt != "" && f.revoked.tokenRevoked(rt) {
				return notAuthorized("Refresh Token has been revoked")
			}
		}
		return nil
	case "SignUp", "ConfirmForgotPassword":
		password = req.Password
	case "ChangePassword":
		password = req.ProposedPassword
	case "RespondToAuthChallenge", "AdminRespondToAuthChallenge":
		if req.ChallengeName == string(types.ChallengeNameTypeNewPasswordRequired) {
			password = req.ChallengeResponses["NEW_PASSWORD"]
		}
	}
	if password == "" {
		return nil // a missing password is the emulator's to refuse
	}
	if msg := policyViolation(PasswordPolicy, password); msg != "" {
		return &apiError{status: http.StatusBadRequest, typ: "InvalidPasswordException", msg: msg}
	}
	return nil
}

// codeDelivery is Cognito's CodeDeliveryDetailsType.
type codeDelivery struct {
	AttributeName  string `json:"AttributeName"`
	DeliveryMedium string `json:"DeliveryMedium"`
	Destination    string `json:"Destination,omitempty"`
}

func emailDelivery(addr string) codeDelivery {
	return codeDelivery{AttributeName: "email", DeliveryMedium: "EMAIL", Destination: maskAddress(addr)}
}

// maskAddress masks an address as Cognito's CodeDeliveryDetails do: a***@e***.
func maskAddress(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

func (f *APIFront) resendConfirmationCode(ctx context.Context, req *apiRequest) (any, *apiError) {
	switch {
	case req.ClientId == "":
		return nil, missing("clientId")
	case req.Username == "":
		return nil, missing("username")
	}
	client, e := f.signedClient(ctx, req.ClientId, req.Username, req.SecretHash)
	if e != nil {
		return nil, e
	}
	user, e := f.adminGetUser(ctx, req.Username)
	switch {
	case e != nil:
		return nil, e
	case user == nil || !user.Enabled:
		if client.PreventUserExistenceErrors == types.PreventUserExistenceErrorTypesEnabled {
			// A simulated delivery, told from a real one by nothing in the answer.
			return map[string]any{"CodeDeliveryDetails": emailDelivery(req.Username)}, nil
		}
		return nil, &apiError{status: http.StatusBadRequest, typ: "UserNotFoundException", msg: "Username/client id combination not found."}
	case user.UserStatus != types.UserStatusTypeUnconfirmed:
		return nil, invalidParameter("User is already confirmed.")
	}
	email := emailOf(user.UserAttributes)
	if email == "" {
		return nil, invalidParameter("User has no attribute matching desired auto verified attributes")
	}
	f.log.Info("devstack: ResendConfirmationCode (local stand-in): nothing sent; the code is the local confirmation code (README)", "email", email)
	return map[string]any{"CodeDeliveryDetails": emailDelivery(email)}, nil
}

// confirmSignUp passes ConfirmSignUp to the emulator and, once it has confirmed the user,
// marks the address the code went to verified, as Cognito does ("they confirm ownership of
// the email address or phone number that they provided", ConfirmSignUp in the API
// reference); the emulator only changes the user's status. The mark goes through the
// emulator's AdminUpdateUserAttributes, which takes email_verified only with email beside it.
func (f *APIFront) confirmSignUp(ctx context.Context, req *apiRequest) (any, *apiError) {
	out, e := f.callEmulator(ctx, "ConfirmSignUp", req.raw)
	if e != nil {
		return nil, e
	}
	user, e := f.adminGetUser(ctx, req.Username)
	if e != nil || user == nil {
		return out, e
	}
	email := emailOf(user.UserAttributes)
	verified := false
	for _, a := range user.UserAttributes {
		verified = verified || (aws.ToString(a.Name) == "email_verified" && aws.ToString(a.Value) == "true")
	}
	if email == "" || verified {
		return out, nil
	}
	body, _ := json.Marshal(map[string]any{"UserPoolId": f.pool.ID, "Username": aws.ToString(user.Username),
		"UserAttributes": []apiAttribute{{Name: "email", Value: email}, {Name: "email_verified", Value: "true"}}})
	if _, e := f.callEmulator(ctx, "AdminUpdateUserAttributes", body); e != nil {
		return nil, e
	}
	return out, nil
}

// adminGetUser is the emulator's AdminGetUser: nil for a user it does not know, which each
// stand-in answers in its own way.
func (f *APIFront) adminGetUser(ctx context.Context, username string) (*cip.AdminGetUserOutput, *apiError) {
	out, err := f.admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &f.pool.ID, Username: &username})
	var notFound *types.UserNotFoundException
	switch {
	case errors.As(err, &notFound):
		return nil, nil
	case err != nil:
		return nil, internalError("devstack: AdminGetUser: " + err.Error())
	}
	return out, nil
}

// emailOf is the email attribute's value, "" without one.
func emailOf(attrs []types.AttributeType) string {
	var email string
	for _, a := range attrs {
		if aws.ToString(a.Name) == "email" {
			email = aws.ToString(a.Value)
		}
	}
	return email
}

// signedClient is the app client a request names, once its SECRET_HASH for username is
// checked: a client with a secret refuses a request without the right one, as Cognito does
// (the emulator never checks it).
func (f *APIFront) signedClient(ctx context.Context, clientID, username, hash string) (*types.UserPoolClientType, *apiError) {
	client, e := f.client(ctx, clientID)
	if e != nil {
		return nil, e
	}
	secret := aws.ToString(client.ClientSecret)
	switch {
	case secret == "":
	case hash == "":
		return nil, notAuthorized("Client " + clientID + " is configured with secret but SECRET_HASH was not received")
	case !hmac.Equal([]byte(hash), []byte(cognito.SecretHash(clientID, secret, username))):
		return nil, notAuthorized("Unable to verify secret hash for client " + clientID)
	}
	return client, nil
}

func (f *APIFront) client(ctx context.Context, clientID string) (*types.UserPoolClientType, *apiError) {
	out, err := f.admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &f.pool.ID, ClientId: &clientID})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return nil, &apiError{status: http.StatusBadRequest, typ: "ResourceNotFoundException", msg: "User pool client " + clientID + " does not exist."}
	case err != nil:
		return nil, internalError("devstack: DescribeUserPoolClient: " + err.Error())
	case out.UserPoolClient == nil:
		return nil, internalError("devstack: DescribeUserPoolClient answered no client")
	}
	return out.UserPoolClient, nil
}

func (f *APIFront) globalSignOut(ctx context.Context, req *apiRequest) (any, *apiError) {
	if req.AccessToken == "" {
		return nil, missing("accessToken")
	}
	c, e := f.accessClaims(ctx, req.AccessToken)
	if e != nil {
		return nil, e
	}
	second := f.now().Unix()
	if err := f.revoked.revoke(c.Username, second); err != nil {
		return nil, internalError("devstack: " + err.Error())
	}
	f.log.Info("devstack: GlobalSignOut (local stand-in): the user's tokens issued until now are refused", "username", c.Username)
	// Tokens carry whole seconds: wait until this one is over, so that no token issued after
	// this answer falls inside the revoked span.
	if d := time.Unix(second+1, 0).Sub(f.now()); d > 0 {
		f.sleep(d)
	}
	return struct{}{}, nil
}

// accessClaims are the claims of an access token Cognito would accept for the user's own
// actions: verified against the pool's JWKS (the emulator's own checks only decode it), with
// the scope those actions need, and not revoked by a global sign-out.
func (f *APIFront) accessClaims(ctx context.Context, raw string) (*token.Claims, *apiError) {
	c, err := f.verifyAccess(ctx, raw)
	switch {
	case errors.Is(err, token.ErrExpired):
		return nil, notAuthorized("Access Token has expired")
	case errors.Is(err, token.ErrKeysUnavailable):
		return nil, internalError("devstack: the pool's JWKS is unavailable")
	case err != nil:
		return nil, notAuthorized("Invalid Access Token")
	case !strings.Contains(" "+c.Scope+" ", " aws.cognito.signin.user.admin "):
		return nil, notAuthorized("Access Token does not have required scopes")
	case f.revoked.revoked(c.Username, c.IssuedAt.Unix()):
		return nil, notAuthorized("Access Token has been revoked")
	}
	return c, nil
}

// verifyAccess verifies an access token of the pool, for the app client it names.
func (f *APIFront) verifyAccess(ctx context.Context, raw string) (*token.Claims, error) {
	var unverified struct {
		ClientID string `json:"client_id"`
	}
	if !decodeJWTPayload(raw, &unverified) || unverified.ClientID == "" {
		return nil, token.ErrInvalid
	}
	f.mu.Lock()
	v, ok := f.verifiers[unverified.ClientID]
	if !ok {
		var err error
		v, err = token.NewVerifier(token.Config{Issuer: f.pool.Issuer, JWKSURL: f.pool.JWKSURL, ClientID: unverified.ClientID, Now: f.now})
		if err != nil {
			f.mu.Unlock()
			return nil, err
		}
		if len(f.verifiers) >= 100 {
			clear(f.verifiers) // bound memory against made-up client IDs
		}
		f.verifiers[unverified.ClientID] = v
	}
	f.mu.Unlock()
	return v.VerifyAccess(ctx, raw)
}

// GuardTokenEndpoint refuses, at the hosted UI's token endpoint, a refresh_token grant whose
// token a global sign-out revoked, with OAuth's invalid_grant (RFC 6749 §5.2), and passes
// everything else to next.
func (f *APIFront) GuardTokenEndpoint(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/oauth2/token" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10+1))
		if err != nil || len(body) > 64<<10 {
			http.Error(w, "request body unreadable or too large", http.StatusBadRequest)
			return
		}
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("grant_type") == "refresh_token" && f.revoked.tokenRevoked(form.Get("refresh_token")) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		next.ServeHTTP(w, r)
	})
}

// decodeJWTPayload reads a JWT's claims without verifying anything. The front uses it only
// to refuse: the emulator still checks the token itself.
func decodeJWTPayload(raw string, v any) bool {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	return err == nil && json.Unmarshal(b, v) == nil
}

// revocations are the global sign-outs: for each user (the emulator's username, the sub with
// e-mail sign-in), the last second whose tokens are refused.
type revocations struct {
	path  string
	mu    sync.Mutex
	users map[string]int64
}

type revocationsFile struct {
	Comment string           `json:"comment"`
	Users   map[string]int64 `json:"users"`
}

func loadRevocations(path string) (*revocations, error) {
	r := &revocations{path: path, users: map[string]int64{}}
	if path == "" {
		return r, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	var f revocationsFile
	if err == nil {
		err = json.Unmarshal(b, &f)
	}
	if err != nil {
		return nil, fmt.Errorf("devstack: global sign-outs in %s: %w (delete the file to forget them)", path, err)
	}
	for k, v := range f.Users {
		r.users[k] = v
	}
	return r, nil
}

func (r *revocations) revoke(user string, second int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if second > r.users[user] {
		r.users[user] = second
	}
	if r.path == "" {
		return nil
	}
	b, _ := json.MarshalIndent(revocationsFile{
		Comment: "make dev's GlobalSignOut stand-in: tokens of these users issued at or before these Unix seconds are refused",
		Users:   r.users,
	}, "", "  ")
	if err := os.MkdirAll(filepath.Dir(r.path), 0o700); err != nil {
		return err
	}
	tmp := r.path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, r.path)
}

func (r *revocations) revoked(user string, issuedAt int64) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	cut, ok := r.users[user]
	return ok && issuedAt <= cut
}

// tokenRevoked tells whether an access or refresh token the emulator issued is one a global
// sign-out revoked: its user ("username" in access tokens, "cognito:username" in the
// emulator's refresh tokens) signed out everywhere in or after the second it was issued in.
func (r *revocations) tokenRevoked(raw string) bool {
	var c struct {
		Username        string `json:"username"`
		CognitoUsername string `json:"cognito:username"`
		IssuedAt        int64  `json:"iat"`
	}
	if !decodeJWTPayload(raw, &c) {
		return false // not one of the emulator's: the emulator refuses it
	}
	user := c.Username
	if user == "" {
		user = c.CognitoUsername
	}
	return user != "" && r.revoked(user, c.IssuedAt)
}
