package cognito

import (
	"context"
	"errors"

	"github.com/monban-auth/monban/internal/auth"
)

var errTODO = errors.New("cognito: not implemented yet")

func (p *UserPool) Profile(ctx context.Context, accessToken string) (*auth.Profile, error) {
	return nil, errTODO
}

func (p *UserPool) UpdateAttributes(ctx context.Context, accessToken string, attributes map[string]string) ([]auth.Delivery, error) {
	return nil, errTODO
}

func (p *UserPool) VerifyAttribute(ctx context.Context, accessToken, attribute, code string) error {
	return errTODO
}

func (p *UserPool) SendAttributeCode(ctx context.Context, accessToken, attribute string) (*auth.Delivery, error) {
	return nil, errTODO
}

func (p *UserPool) DeleteUser(ctx context.Context, accessToken string) error { return errTODO }
