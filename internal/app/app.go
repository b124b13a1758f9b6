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
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/httpapi"
	"github.com/monban-auth/monban/internal/logging"
	"github.com/monban-auth/monban/internal/metrics"
	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/internal/rootcerts"
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
	// UserPool, a test seam, replaces the Cognito adapter the flows call: the in-memory
	// fake (auth/userpooltest) runs the backend conformance suite through the whole API
	// with it. Nil (production) calls Cognito's user-pool API.
	UserPool auth.UserPool
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
	o = o.withDefaults(cfg)
	keys, err := readSecrets(ctx, cfg, o)
	if err != nil {
		return nil, err
	}
	verifier, err := token.NewVerifier(token.Config{Issuer: cfg.Issuer, JWKSURL: cfg.JWKSURL, ClientID: cfg.ClientID, HTTPClient: o.HTTPClient, Now: o.Now})
	if err != nil {
		return nil, err
	}
	if cfg.UnsafeAllowMissingNonce {
		o.Log.Warn("UNSAFE: MONBAN_UNSAFE_ALLOW_MISSING_NONCE is on: ID tokens without a nonce are accepted. Emulators only; never in production.")
	}
	hosted := cognito.NewHostedUI(cfg.HostedUI, cfg.ClientID, keys.client, o.HTTPClient)
	pool := o.UserPool
	if pool == nil {
		pool = userPool(cfg, o, hosted, keys.client)
	}
	flows := auth.NewService(auth.Config{
		CallbackURL:       cfg.CallbackURL,
		Scopes:            cfg.Scopes,
		Redirects:         cfg.Redirects,
		LogoutURI:         cfg.LogoutURI,
		AllowMissingNonce: cfg.UnsafeAllowMissingNonce,
		Now:               o.Now,
		HideExistingUsers: cfg.HideExistingUsers,
		TOTPIssuer:        cfg.TOTPIssuer,
		IdentityProviders: cfg.IdentityProviders,
		AnswerFloor:       auth.AnswerFloor{Min: cfg.AnswerFloor},
		ReauthWindow:      cfg.ReauthWindow,
	}, auth.Deps{HostedUI: hosted, Verifier: verifier, Pool: pool, Log: o.Log})
	return refreshing(keys.refresher, httpapi.New(httpapi.Deps{
		Auth:            flows,
		Sealer:          keys.sealer,
		Cookies:         cookie.Codec{Domain: cfg.CookieDomain, Now: o.Now},
		Origins:         cfg.Origins,
		OriginVerify:    keys.originCheck,
		ErrorURL:        cfg.ErrorURL,
		RefreshLifetime: cfg.RefreshTokenValidity,
		TokenMode:       cfg.TokenMode,
		TokenEndpoint:   cfg.TokenEndpoint,
		Metrics:         o.recorder(),
		Log:             o.Log,
		Now:             o.Now,
	})), nil
}

func (o Options) withDefaults(cfg config.Config) Options {
	if o.Log == nil {
		o.Log = NewLogger(cfg.LogLevel)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 8 * time.Second, Transport: rootcerts.Default()}
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	return o
}

// recorder is where the business metrics go, nil for nowhere.
func (o Options) recorder() *metrics.Recorder {
	fn := o.Getenv("AWS_LAMBDA_FUNCTION_NAME")
	switch {
	case o.Metrics != nil:
		return metrics.New(o.Metrics, fn, o.Now)
	case fn != "":
		return metrics.New(os.Stdout, fn, o.Now)
	}
	return nil
}

// userPool is the Cognito adapter, over an API client built for cfg.
func userPool(cfg config.Config, o Options, hosted *cognito.HostedUI, clientSecret string) *cognito.UserPool {
	idp := cip.NewFromConfig(awsConfig(cfg, o.Getenv), append([]func(*cip.Options){func(opt *cip.Options) {
		if cfg.CognitoEndpoint != "" {
			opt.BaseEndpoint = aws.String(cfg.CognitoEndpoint)
		}
	}}, o.CognitoOptions...)...)
	return cognito.NewUserPool(idp, hosted, cognito.UserPoolConfig{
		UserPoolID:      cfg.UserPoolID,
		ClientID:        cfg.ClientID,
		ClientSecret:    clientSecret,
		AdminAuth:       cfg.AdminAuth,
		RefreshRotation: cfg.RefreshRotation,
	})
}

// keys are the secrets in use: given in the configuration or read from Secrets Manager.
type keys struct {
	sealer      *seal.Sealer
	originCheck *originverify.Check
	client      string
	// refresher re-reads the secrets that can rotate; nil when none is read by ARN.
	refresher *secrets.Refresher
}

// readSecrets reads the secrets named by ARN and puts them, with those given as values, to
// use.
func readSecrets(ctx context.Context, cfg config.Config, o Options) (*keys, error) {
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
	k := &keys{sealer: sealer, originCheck: originverify.New(vals.OriginVerify), client: vals.Client}
	// The client secret cannot change under a running app client; the other two can rotate.
	if rotating := (secrets.ARNs{Session: arns.Session, OriginVerify: arns.OriginVerify}); rotating != (secrets.ARNs{}) {
		k.refresher = secrets.NewRefresher(cfg.SecretsRefresh, o.Now, func(ctx context.Context) error {
			read, err := reader.Read(ctx, rotating)
			if err != nil {
				return err
			}
			return apply(read, k.sealer, k.originCheck)
		}, o.Log)
	}
	return k, nil
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
	// The SDK's own client; for HTTPS, one trusting the roots of one bundle (package
	// rootcerts), made at the first HTTPS call.
	c.HTTPClient = rootcerts.Lazy(awshttp.NewBuildableClient(), func() rootcerts.Client {
		return awshttp.NewBuildableClient().WithTransportOptions(rootcerts.Trust)
	})
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
