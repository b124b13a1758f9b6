// Package secrets reads the session secret that the API and the authorizer share from
// Secrets Manager at start.
package secrets

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/monban-auth/monban/internal/config"
)

// Session reads the secret at arn and splits it like MONBAN_SESSION_SECRET (comma-separated,
// newest first, each at least 32 bytes). Errors never contain the secret.
func Session(ctx context.Context, awsCfg aws.Config, arn string) ([][]byte, error) {
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &arn})
	if err != nil {
		return nil, fmt.Errorf("read session secret: %w", err)
	}
	s, err := config.ParseSecrets(aws.ToString(out.SecretString))
	if err != nil {
		return nil, fmt.Errorf("session secret from Secrets Manager: %w", err)
	}
	return s, nil
}
