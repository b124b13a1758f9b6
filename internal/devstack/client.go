package devstack

import (
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// NewCognitoClient returns a real SDK client aimed at an emulator endpoint:
// static credentials "local"/"local", region us-east-1, a single attempt and
// short timeouts. Emulators answer unsupported calls with HTTP 500, which the
// SDK's default retryer would repeat for seconds. The client is built from
// explicit options rather than the shared AWS config, so a developer's
// profile, region or endpoint settings cannot leak into local runs.
func NewCognitoClient(endpointURL string) *cip.Client {
	return cip.New(cip.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(strings.TrimRight(endpointURL, "/")),
		Credentials:      credentials.NewStaticCredentialsProvider("local", "local", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Timeout: 10 * time.Second},
	})
}
