// Package secrets reads, at start, the secret lists the API and the authorizer keep in
// Secrets Manager: the session secret they share and CloudFront's origin-verify value.
package secrets

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/monban-auth/monban/internal/config"
)

// Session reads the session secret at arn and splits it like MONBAN_SESSION_SECRET
// (comma-separated, newest first, each at least 32 bytes). Errors never contain the secret.
func Session(ctx context.Context, awsCfg aws.Config, arn string) ([][]byte, error) {
	return List(ctx, awsCfg, arn, "session secret")
}

// List reads the secret at arn as a comma-separated list of secrets, newest first, each at
// least 32 bytes; what names it in errors, which never contain the secret.
func List(ctx context.Context, awsCfg aws.Config, arn, what string) ([][]byte, error) {
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &arn})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	s, err := config.ParseSecrets(aws.ToString(out.SecretString))
	if err != nil {
		return nil, fmt.Errorf("%s from Secrets Manager: %w", what, err)
	}
	return s, nil
}
