// Package app wires monban's API from its configuration: AWS clients, secrets, token
// verifier, flows and HTTP transport. The Lambda function, the local stack and the tests all
// build the handler here, so they run the same code.
package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/monban-auth/monban/internal/allowlist"
	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/httpapi"
	"github.com/monban-auth/monban/internal/logging"
	"github.com/monban-auth/monban/internal/metrics"
	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/secrets"
	"github.com/monban-auth/monban/internal/token"
)

// Options are the seams tests use; production passes the zero value.
type Options struct {
	HTTPClient *http.Client // token endpoint and JWKS; default: 8s timeout
	Now        func() time.Time
	Log        *slog.Logger // default: JSON to stdout at the configured level
	// CognitoOptions adjust the Cognito API client (tests read emulator-only headers).
	CognitoOptions []func(*cip.Options)
	// Getenv is where the AWS credentials and endpoint overrides are read (default
	// os.Getenv); the configuration itself comes in config.Config.
	Getenv func(string) string
	// Metrics receives the business metrics as embedded-metric-format lines; default:
	// stdout inside Lambda (AWS_LAMBDA_FUNCTION_NAME set), nowhere elsewhere.
	Metrics io.Writer
}

// NewLogger is monban's logger: JSON lines (CloudWatch parses them), at level.
func NewLogger(level slog.Level) *slog.Logger {
	return logging.New(os.Stdout, level)
}

// New builds the /auth handler. It reads the secrets the configuration names by ARN from
// Secrets Manager, and again every cfg.SecretsRefresh, so a rotated session or
// origin-verify secret reaches this process without a deploy.
func New(ctx context.Context, cfg config.Config, o Options) (http.Handler, error) {
	if o.Log == nil {
		o.Log = NewLogger(cfg.LogLevel)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 8 * time.Second}
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	var recorder *metrics.Recorder
	switch {
	case o.Metrics != nil:
		recorder = metrics.New(o.Metrics, o.Getenv("AWS_LAMBDA_FUNCTION_NAME"), o.Now)
	case o.Getenv("AWS_LAMBDA_FUNCTION_NAME") != "":
		recorder = metrics.New(os.Stdout, o.Getenv("AWS_LAMBDA_FUNCTION_NAME"), o.Now)
	}
	idp := cip.NewFromConfig(awsConfig(cfg, o.Getenv), append([]func(*cip.Options){func(opt *cip.Options) {
		if cfg.CognitoEndpoint != "" {
			opt.BaseEndpoint = aws.String(cfg.CognitoEndpoint)
		}
	}}, o.CognitoOptions...)...)

	arns := secrets.ARNs{Session: cfg.SessionSecretARN, OriginVerify: cfg.OriginVerifySecretARN, Client: cfg.ClientSecretARN}
	vals := secrets.Values{Session: cfg.SessionSecrets, OriginVerify: cfg.OriginVerifySecrets, Client: cfg.ClientSecret}
	reader := secrets.NewReader(o.Getenv, nil)
	if arns != (secrets.ARNs{}) {
		read, err := reader.Read(ctx, arns)
		if err != nil {
			return nil, err
		}
		vals = merge(vals, read)
	}
	sealer, err := seal.NewSealer(vals.Session)
	if err != nil {
		return nil, err
	}
	originCheck := originverify.New(vals.OriginVerify)
	clientSecret := vals.Client
	// The client secret cannot change under a running app client; the other two can rotate.
	var refresher *secrets.Refresher
	if rotating := (secrets.ARNs{Session: arns.Session, OriginVerify: arns.OriginVerify}); rotating != (secrets.ARNs{}) {
		refresher = secrets.NewRefresher(cfg.SecretsRefresh, o.Now, func(ctx context.Context) error {
			read, err := reader.Read(ctx, rotating)
			if err != nil {
				return err
			}
			return apply(read, sealer, originCheck)
		}, o.Log)
	}

	verifier, err := token.NewVerifier(token.Config{Issuer: cfg.Issuer, JWKSURL: cfg.JWKSURL, ClientID: cfg.ClientID, HTTPClient: o.HTTPClient, Now: o.Now})
	if err != nil {
		return nil, err
	}
	policy, err := allowlist.NewPolicy(cfg.SiteURL, cfg.RedirectAllowlist)
	if err != nil {
		return nil, err
	}
	origins, err := allowlist.NewPolicy(cfg.AllowedOrigins[0], cfg.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	if cfg.UnsafeAllowMissingNonce {
		o.Log.Warn("UNSAFE: MONBAN_UNSAFE_ALLOW_MISSING_NONCE is on: ID tokens without a nonce are accepted. Emulators only; never in production.")
	}
	hosted := cognito.NewHostedUI(cfg.HostedUI, cfg.ClientID, clientSecret, o.HTTPClient)
	flows := auth.NewService(auth.Config{
		CallbackURL:       cfg.CallbackURL,
		Scopes:            cfg.Scopes,
		Redirects:         policy,
		LogoutURI:         cfg.LogoutURI,
		AllowMissingNonce: cfg.UnsafeAllowMissingNonce,
		Now:               o.Now,
		UserPoolID:        cfg.UserPoolID,
		ClientID:          cfg.ClientID,
		ClientSecret:      clientSecret,
		AdminAuth:         cfg.AdminAuth,
		HideExistingUsers: cfg.HideExistingUsers,
		RefreshRotation:   cfg.RefreshRotation,
		TOTPIssuer:        cfg.TOTPIssuer,
		AnswerFloor:       auth.AnswerFloor{Min: cfg.AnswerFloor},
	}, auth.Deps{
		HostedUI: hosted,
		Verifier: verifier,
		Revoker:  cognito.NewSessions(idp, cfg.ClientID, clientSecret),
		Pool:     idp,
		Profiles: cognito.NewProfiles(idp, hosted),
		Log:      o.Log,
	})
	return refreshing(refresher, httpapi.New(httpapi.Deps{
		Auth:            flows,
		Sealer:          sealer,
		Cookies:         cookie.Codec{Domain: cfg.CookieDomain, Now: o.Now},
		Origins:         origins,
		OriginVerify:    originCheck,
		ErrorURL:        cfg.ErrorURL,
		RefreshLifetime: cfg.RefreshTokenValidity,
		TokenMode:       cfg.TokenMode,
		TokenEndpoint:   cfg.TokenEndpoint,
		Metrics:         recorder,
		Log:             o.Log,
		Now:             o.Now,
	})), nil
}

// merge takes what was read over what the configuration gave.
func merge(v, read secrets.Values) secrets.Values {
	if read.Session != nil {
		v.Session = read.Session
	}
	if read.OriginVerify != nil {
		v.OriginVerify = read.OriginVerify
	}
	if read.Client != "" {
		v.Client = read.Client
	}
	return v
}

// apply puts re-read secrets into use; an unusable list leaves the current one in place.
func apply(v secrets.Values, sealer *seal.Sealer, origin *originverify.Check) error {
	var errs []error
	if v.Session != nil {
		errs = append(errs, sealer.Rekey(v.Session))
	}
	if v.OriginVerify != nil {
		errs = append(errs, origin.Set(v.OriginVerify))
	}
	return errors.Join(errs...)
}

// refreshing has r re-read the secrets when due, before each request (in the background: no
// request waits for it).
func refreshing(r *secrets.Refresher, next http.Handler) http.Handler {
	if r == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.Poll()
		next.ServeHTTP(w, req)
	})
}

// awsConfig is the configuration of the Cognito client, built without the SDK's default
// chain (shared files, SSO, IMDS…): the region, and the credentials Lambda puts in the
// environment ("Defined runtime environment variables", AWS Lambda Developer Guide). Most
// calls monban makes are authorized by Cognito's own tokens, not by IAM; the admin flow
// and nothing else signs with them.
func awsConfig(cfg config.Config, getenv func(string) string) aws.Config {
	region := cfg.Region
	if region == "" {
		region = "us-east-1" // emulators ignore it; the SDK needs one to sign
	}
	c := aws.Config{Region: region, Credentials: envCredentials(getenv)}
	if cfg.CognitoEndpoint != "" {
		// An emulator: it answers unsupported calls with 500, which the SDK would retry for
		// seconds, and it ignores credentials (but the SDK still wants some to sign with).
		c.RetryMaxAttempts = 1
		if getenv("AWS_ACCESS_KEY_ID") == "" {
			c.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local", Source: "monban-emulator"}, nil
			})
		}
	}
	return c
}

func envCredentials(getenv func(string) string) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		c := aws.Credentials{
			AccessKeyID:     getenv("AWS_ACCESS_KEY_ID"),
			SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
			SessionToken:    getenv("AWS_SESSION_TOKEN"),
			Source:          "environment",
		}
		if c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return aws.Credentials{}, secrets.ErrNoCredentials
		}
		return c, nil
	})
}
