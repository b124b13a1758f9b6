// Package secrets reads the secrets the API and the authorizer keep in Secrets Manager (the
// session secret, CloudFront's origin-verify value, the app client's secret) and keeps them
// fresh, so a rotated value reaches running containers without a deploy.
//
// It makes GetSecretValue calls itself, one SigV4-signed HTTPS POST each, with the
// credentials Lambda puts in the environment, instead of through the AWS SDK's
// Secrets Manager client and default configuration chain, which weigh a quarter of the
// authorizer's binary and its cold start.
package secrets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/monban-auth/monban/internal/config"
	"github.com/monban-auth/monban/internal/rootcerts"
)

// ErrNoCredentials means the environment has no AWS credentials to sign with.
var ErrNoCredentials = errors.New("secrets: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")

// Reader reads secret values by ARN. It is safe for concurrent use.
type Reader struct {
	getenv func(string) string
	client *http.Client
	now    func() time.Time
	signer *v4.Signer
}

// NewReader returns a Reader that signs with the credentials in getenv: Lambda sets
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN from the function's
// execution role ("Defined runtime environment variables", AWS Lambda Developer Guide).
// The endpoint is Secrets Manager's in the ARN's region, unless AWS_ENDPOINT_URL_SECRETS_MANAGER
// or AWS_ENDPOINT_URL names another (as for the AWS SDKs; tests use a local stand-in).
// client nil means a client with a 5-second timeout.
func NewReader(getenv func(string) string, client *http.Client) *Reader {
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second, Transport: rootcerts.Default()}
	}
	return &Reader{getenv: getenv, client: client, now: time.Now, signer: v4.NewSigner()}
}

// attempts bounds the tries of one read: a throttled or failing Secrets Manager gets two
// more chances, then the caller's error (at start: an init error; later: the old values stay).
const attempts = 3

// String returns the secret string stored at arn. Errors name the secret's ARN and
// Secrets Manager's error type, never a value.
func (r *Reader) String(ctx context.Context, arn string) (string, error) {
	a, err := parseARN(arn)
	if err != nil {
		return "", err
	}
	creds := aws.Credentials{
		AccessKeyID:     r.getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: r.getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    r.getenv("AWS_SESSION_TOKEN"),
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return "", ErrNoCredentials
	}
	endpoint := r.endpoint(a)
	body, _ := json.Marshal(map[string]string{"SecretId": arn})
	var last error
	for i := range attempts {
		if i > 0 {
			select {
			case <-ctx.Done():
				return "", fmt.Errorf("read secret %s: %w", arn, ctx.Err())
			case <-time.After(time.Duration(i*i) * 100 * time.Millisecond):
			}
		}
		s, retry, err := r.get(ctx, creds, a, endpoint, body)
		if err == nil {
			return s, nil
		}
		last = err
		if !retry {
			break
		}
	}
	return "", fmt.Errorf("read secret %s: %w", arn, last)
}

// List reads the secret at arn as a comma-separated list of secrets, newest first, each at
// least config.MinSecretLength bytes (MONBAN_SESSION_SECRET's form); what names it in errors.
func (r *Reader) List(ctx context.Context, arn, what string) ([][]byte, error) {
	s, err := r.String(ctx, arn)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	list, err := config.ParseSecrets(s)
	if err != nil {
		return nil, fmt.Errorf("%s from Secrets Manager: %w", what, err)
	}
	return list, nil
}

// get makes one GetSecretValue call (AWS JSON 1.1 protocol). retry says whether another
// attempt may succeed (throttling, a 5xx, no answer).
func (r *Reader) get(ctx context.Context, creds aws.Credentials, a arn, endpoint string, body []byte) (string, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", false, err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "secretsmanager.GetSecretValue")
	sum := sha256.Sum256(body)
	if err := r.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "secretsmanager", a.region, r.now()); err != nil {
		return "", false, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return "", true, fmt.Errorf("secrets manager unreachable: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 128<<10))
	if err != nil {
		return "", true, errors.New("reading the answer")
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type string `json:"__type"`
		}
		json.Unmarshal(raw, &e)
		kind := e.Type[strings.LastIndex(e.Type, "#")+1:]
		retry := resp.StatusCode >= 500 || kind == "ThrottlingException" || kind == "InternalServiceError"
		if kind == "" {
			kind = "no error type"
		}
		return "", retry, fmt.Errorf("secrets manager answered %d (%s)", resp.StatusCode, kind)
	}
	var out struct {
		SecretString *string
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.SecretString == nil {
		return "", false, errors.New("the answer has no SecretString (a binary secret?)")
	}
	return *out.SecretString, false, nil
}

func (r *Reader) endpoint(a arn) string {
	for _, name := range []string{"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL"} {
		if v := strings.TrimSpace(r.getenv(name)); v != "" {
			return strings.TrimSuffix(v, "/") + "/"
		}
	}
	suffix := "amazonaws.com"
	if a.partition == "aws-cn" {
		suffix = "amazonaws.com.cn"
	}
	return "https://secretsmanager." + a.region + "." + suffix + "/"
}

type arn struct{ partition, region string }

// parseARN takes arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME.
func parseARN(s string) (arn, error) {
	parts := strings.SplitN(s, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "secretsmanager" || parts[3] == "" || parts[5] != "secret" {
		return arn{}, fmt.Errorf("secrets: %.200q is not a Secrets Manager secret ARN", s)
	}
	for _, c := range parts[3] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return arn{}, fmt.Errorf("secrets: %.200q has no valid region", s)
		}
	}
	return arn{partition: parts[1], region: parts[3]}, nil
}

// ARNs names the secrets a function reads from Secrets Manager; "" for one it does not.
type ARNs struct {
	Session      string // the session secret list (MONBAN_SESSION_SECRET_ARN)
	OriginVerify string // CloudFront's origin-verify values (MONBAN_ORIGIN_VERIFY_SECRET_ARN)
	Client       string // the app client's secret (MONBAN_CLIENT_SECRET_ARN)
}

// Values are the secrets read for ARNs; nil (or "") for those not named.
type Values struct {
	Session      [][]byte
	OriginVerify [][]byte
	Client       string
}

// Read reads every secret a names, side by side, so a cold start waits for one round trip.
func (r *Reader) Read(ctx context.Context, a ARNs) (Values, error) {
	var v Values
	var errSession, errOrigin, errClient error
	var wg sync.WaitGroup
	read := func(arn string, fn func()) {
		if arn != "" {
			wg.Go(fn)
		}
	}
	read(a.Session, func() { v.Session, errSession = r.List(ctx, a.Session, "session secret") })
	read(a.OriginVerify, func() { v.OriginVerify, errOrigin = r.List(ctx, a.OriginVerify, "origin-verify secret") })
	read(a.Client, func() {
		v.Client, errClient = r.String(ctx, a.Client)
		if errClient == nil && strings.TrimSpace(v.Client) == "" {
			errClient = errors.New("the secret is empty: monban needs a confidential app client")
		}
		if errClient != nil {
			errClient = fmt.Errorf("app client secret: %w", errClient)
		}
	})
	wg.Wait()
	if err := errors.Join(errSession, errOrigin, errClient); err != nil {
		return Values{}, err
	}
	return v, nil
}
