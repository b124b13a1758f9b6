// Package app wires monban's API from its configuration: AWS clients, secrets, token
// verifier, flows and HTTP transport. The Lambda function, the local stack and the tests all
// build the handler here, so they run the same code.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/cognito"
	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/httpapi"
	"github.com/monban-auth/monban/internal/originverify"
	"github.com/monban-auth/monban/internal/redirect"
	"github.com/monban-auth/monban/internal/secrets"
	"github.com/monban-auth/monban/internal/session"
	"github.com/monban-auth/monban/internal/token"
)

// Options are the seams tests use; production passes the zero value.
type Options struct {
	HTTPClient *http.Client // token endpoint and JWKS; default: 8s timeout
	Now        func() time.Time
	Log        *slog.Logger // default: JSON to stdout at the configured level
	// CognitoOptions adjust the Cognito API client (tests read emulator-only headers).
	CognitoOptions []func(*cip.Options)
}

// NewLogger is monban's logger: JSON lines (CloudWatch parses them), at level.
func NewLogger(level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
}

// New builds the /auth handler. It reads the secrets the configuration leaves to AWS
// (session secret from Secrets Manager, client secret from the app client).
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
	awsCfg, err := loadAWS(ctx, cfg)
	if err != nil {
		return nil, err
	}
	idp := cip.NewFromConfig(awsCfg, append([]func(*cip.Options){func(opt *cip.Options) {
		if cfg.CognitoEndpoint != "" {
			opt.BaseEndpoint = aws.String(cfg.CognitoEndpoint)
		}
	}}, o.CognitoOptions...)...)

	sessionSecrets, originSecrets, err := readSecrets(ctx, awsCfg, cfg)
	if err != nil {
		return nil, err
	}
	sealer, err := session.NewSealer(sessionSecrets)
	if err != nil {
		return nil, err
	}

	clientSecret := cfg.ClientSecret
	if clientSecret == "" {
		out, err := idp.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &cfg.UserPoolID, ClientId: &cfg.ClientID})
		if err != nil {
			return nil, fmt.Errorf("read app client secret: %w", err)
		}
		clientSecret = aws.ToString(out.UserPoolClient.ClientSecret)
		if clientSecret == "" {
			return nil, fmt.Errorf("app client %s has no secret: monban needs a confidential client", cfg.ClientID)
		}
	}

	verifier, err := token.NewVerifier(token.Config{Issuer: cfg.Issuer, JWKSURL: cfg.JWKSURL, ClientID: cfg.ClientID, HTTPClient: o.HTTPClient, Now: o.Now})
	if err != nil {
		return nil, err
	}
	policy, err := redirect.NewPolicy(cfg.SiteURL, cfg.RedirectAllowlist)
	if err != nil {
		return nil, err
	}
	origins, err := redirect.NewPolicy(cfg.AllowedOrigins[0], cfg.AllowedOrigins)
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
	}, auth.Deps{
		HostedUI: hosted,
		Verifier: verifier,
		Revoker:  cognito.NewSessions(idp, cfg.ClientID, clientSecret),
		Pool:     idp,
		Profiles: cognito.NewProfiles(idp, hosted),
	})
	return httpapi.New(httpapi.Deps{
		Auth:            flows,
		Sealer:          sealer,
		Cookies:         cookie.Codec{Domain: cfg.CookieDomain, Now: o.Now},
		Origins:         origins,
		OriginVerify:    originverify.New(originSecrets),
		ErrorURL:        cfg.ErrorURL,
		RefreshLifetime: cfg.RefreshTokenValidity,
		TokenMode:       cfg.TokenMode,
		TokenEndpoint:   cfg.TokenEndpoint,
		Log:             o.Log,
		Now:             o.Now,
	}), nil
}

// readSecrets returns the session and origin-verify secrets, reading from Secrets Manager
// those the configuration names by ARN; two reads run side by side, so a cold start waits
// for one round trip.
func readSecrets(ctx context.Context, awsCfg aws.Config, cfg config.Config) (session, origin [][]byte, err error) {
	session, origin = cfg.SessionSecrets, cfg.OriginVerifySecrets
	var originErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		if cfg.OriginVerifySecretARN != "" {
			origin, originErr = secrets.List(ctx, awsCfg, cfg.OriginVerifySecretARN, "origin-verify secret")
		}
	}()
	if cfg.SessionSecretARN != "" {
		session, err = secrets.Session(ctx, awsCfg, cfg.SessionSecretARN)
	}
	<-done
	if err = errors.Join(err, originErr); err != nil {
		return nil, nil, err
	}
	return session, origin, nil
}

func loadAWS(ctx context.Context, cfg config.Config) (aws.Config, error) {
	region := cfg.Region
	if region == "" {
		region = "us-east-1" // emulators ignore it; the SDK needs one to sign
	}
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region)}
	if cfg.CognitoEndpoint != "" {
		// An emulator: it answers unsupported calls with 500, which the SDK would retry for
		// seconds, and it ignores credentials (but the SDK still wants some to sign with).
		opts = append(opts, awsconfig.WithRetryMaxAttempts(1))
		if os.Getenv("AWS_ACCESS_KEY_ID") == "" {
			opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
		}
	}
	c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	return c, nil
}
