package userpooltest

import (
	"context"
	"errors"

	"github.com/monban-auth/monban/internal/auth"
)

var errTODO = errors.New("userpooltest: not implemented yet")

func (p *Pool) Profile(ctx context.Context, accessToken string) (*auth.Profile, error) {
	return nil, errTODO
}

func (p *Pool) UpdateAttributes(ctx context.Context, accessToken string, attributes map[string]string) ([]auth.Delivery, error) {
	return nil, errTODO
}

func (p *Pool) VerifyAttribute(ctx context.Context, accessToken, attribute, code string) error {
	return errTODO
}

func (p *Pool) SendAttributeCode(ctx context.Context, accessToken, attribute string) (*auth.Delivery, error) {
	return nil, errTODO
}

func (p *Pool) DeleteUser(ctx context.Context, accessToken string) error { return errTODO }
