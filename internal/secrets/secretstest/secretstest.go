// Package secretstest is a local stand-in for Secrets Manager's GetSecretValue, for tests of
// what reads secrets (the API's and the authorizer's start and their rotation). It checks
// each request's SigV4 signature against the credentials it hands out, as Secrets Manager
// would, so a reader that signs wrongly fails here too.
package secretstest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The credentials Env hands out; anything else is refused.
const (
	AccessKeyID     = "AKIASECRETSTEST0001"
	SecretAccessKey = "secretstest/secret/access/key/0000000001"
	SessionToken    = "secretstest-session-token"
)

// Server answers GetSecretValue for the values Set gives it. It is safe for concurrent use.
type Server struct {
	*httptest.Server
	mu     sync.Mutex
	values map[string]string
	down   bool
	calls  atomic.Int64
}

// New starts a Server on 127.0.0.1; the test's cleanup stops it.
func New(t testing.TB) *Server {
	s := &Server{values: map[string]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// ARN is a well-formed secret ARN for name, in eu-west-1.
func ARN(name string) string {
	return "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + name + "-AbCdEf"
}

// Set stores value at arn (or replaces it: a rotation).
func (s *Server) Set(arn, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[arn] = value
}

// Down makes every call fail with a 503 until Down(false).
func (s *Server) Down(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Calls is how many requests arrived.
func (s *Server) Calls() int { return int(s.calls.Load()) }

// Env is what a process reading from this stand-in needs in its environment, as Lambda
// provides credentials, with the endpoint override the AWS SDKs honour.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_SECRETS_MANAGER": s.URL,
		"AWS_ACCESS_KEY_ID":                AccessKeyID,
		"AWS_SECRET_ACCESS_KEY":            SecretAccessKey,
		"AWS_SESSION_TOKEN":                SessionToken,
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	switch {
	case down:
		fail(w, http.StatusServiceUnavailable, "ServiceUnavailable")
		return
	case r.Method != http.MethodPost || r.Header.Get("X-Amz-Target") != "secretsmanager.GetSecretValue" ||
		r.Header.Get("Content-Type") != "application/x-amz-json-1.1":
		fail(w, http.StatusBadRequest, "UnknownOperationException")
		return
	case !validSignature(r, body):
		fail(w, http.StatusBadRequest, "InvalidSignatureException")
		return
	}
	var in struct{ SecretId string }
	if json.Unmarshal(body, &in) != nil {
		fail(w, http.StatusBadRequest, "SerializationException")
		return
	}
	s.mu.Lock()
	v, ok := s.values[in.SecretId]
	s.mu.Unlock()
	if !ok {
		fail(w, http.StatusBadRequest, "ResourceNotFoundException")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(map[string]string{"ARN": in.SecretId, "SecretString": v, "VersionId": "v1"})
}

func fail(w http.ResponseWriter, status int, kind string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": kind, "message": kind})
}

// validSignature signs the same request again with the known credentials at the time it
// says it was signed, in the region it names, and compares the signatures.
func validSignature(r *http.Request, body []byte) bool {
	auth := r.Header.Get("Authorization")
	scope := between(auth, "Credential=", ",")
	parts := strings.Split(scope, "/")
	if len(parts) != 5 || parts[0] != AccessKeyID || parts[3] != "secretsmanager" || r.Header.Get("X-Amz-Security-Token") != SessionToken {
		return false
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return false
	}
	again, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	for _, h := range strings.Split(between(auth, "SignedHeaders=", ","), ";") {
		if h != "host" && h != "x-amz-date" && h != "x-amz-security-token" {
			again.Header.Set(h, r.Header.Get(h))
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, SessionToken: SessionToken}
	if v4.NewSigner().SignHTTP(r.Context(), creds, again, hex.EncodeToString(sum[:]), "secretsmanager", parts[2], at) != nil {
		return false
	}
	return between(again.Header.Get("Authorization"), "Signature=", ",") == between(auth, "Signature=", ",") && auth != ""
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	if j := strings.Index(s, end); j >= 0 {
		s = s[:j]
	}
	return s
}
