package userpooltest

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/tokentest"
)

// The scope of tokens from the user-pool API: the user's own calls (GetUser, ChangePassword…).
const adminScope = "aws.cognito.signin.user.admin"

// issue starts a sign-in: a new origin, its refresh token and the first ID and access
// tokens. Called with p.mu held.
func (p *Pool) issue(u *user) *auth.Tokens {
	now := p.o.Now()
	id := uuid()
	p.origins[id] = &origin{sub: u.sub, authTime: now, issued: now}
	t := p.mint(u, id, now)
	t.RefreshToken = opaque(512)
	p.refresh[t.RefreshToken] = id
	return t
}

// mint signs an ID and an access token for u from the sign-in originID, with Cognito's
// claims: the ID token carries the user's attributes, the access token the user-pool API
// scope; both carry cognito:groups when the user has groups.
func (p *Pool) mint(u *user, originID string, authTime time.Time) *auth.Tokens {
	now := p.o.Now()
	common := func(use string) map[string]any {
		c := map[string]any{
			"sub": u.sub, "iss": p.o.Issuer, "token_use": use, "origin_jti": originID,
			"event_id": uuid(), "jti": uuid(), "auth_time": authTime.Unix(),
			"iat": now.Unix(), "exp": now.Add(p.o.TokenLifetime).Unix(),
		}
		if len(u.groups) > 0 {
			c["cognito:groups"] = slices.Clone(u.groups)
		}
		return c
	}
	id := common("id")
	id["aud"], id["cognito:username"] = p.o.ClientID, u.sub
	for k, v := range u.attrs {
		switch k {
		case "email_verified", "phone_number_verified":
			id[k] = v == "true"
		default:
			id[k] = v
		}
	}
	access := common("access")
	access["client_id"], access["username"], access["scope"] = p.o.ClientID, u.sub, adminScope
	return &auth.Tokens{
		IDToken: p.sign(id), AccessToken: p.sign(access),
		ExpiresIn: int(p.o.TokenLifetime / time.Second), TokenType: "Bearer",
	}
}

// sign makes a compact RS256 JWS under the pool's key id (tokentest assembles it; the key is
// the pool's own).
func (p *Pool) sign(claims map[string]any) string {
	return tokentest.Compact(map[string]any{"kid": p.o.KeyID, "alg": "RS256"}, claims, func(input []byte) []byte {
		d := sha256.Sum256(input)
		sig, err := rsa.SignPKCS1v15(nil, p.o.Key, crypto.SHA256, d[:])
		if err != nil {
			panic(err)
		}
		return sig
	})
}

// accessClaims are what the pool reads from an access token it issued.
type accessClaims struct {
	Sub      string `json:"sub"`
	TokenUse string `json:"token_use"`
	ClientID string `json:"client_id"`
	Origin   string `json:"origin_jti"`
	Exp      int64  `json:"exp"`
}

// holder returns the user of an access token the pool issued and still accepts. Cognito
// refuses others with NotAuthorizedException naming the access token. Called with p.mu held.
func (p *Pool) holder(raw string) (*user, error) {
	invalid := fail(auth.ReasonTokenRevoked, "Invalid Access Token")
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, invalid
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, invalid
	}
	d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&p.o.Key.PublicKey, crypto.SHA256, d[:], sig) != nil {
		return nil, invalid
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c accessClaims
	if err != nil || json.Unmarshal(payload, &c) != nil || c.TokenUse != "access" || c.ClientID != p.o.ClientID {
		return nil, invalid
	}
	if p.o.Now().Unix() >= c.Exp {
		return nil, fail(auth.ReasonTokenRevoked, "Access Token has expired")
	}
	o, ok := p.origins[c.Origin]
	if !ok || o.revoked {
		return nil, fail(auth.ReasonTokenRevoked, "Access Token has been revoked")
	}
	u := p.users[c.Sub]
	if u == nil || !u.enabled {
		return nil, fail(auth.ReasonTokenRevoked, "Access Token has been revoked")
	}
	return u, nil
}

// RevokeToken revokes a refresh token, the tokens refreshed from it and the access tokens of
// its sign-in. A token the pool does not know is let be, as Cognito does.
func (p *Pool) RevokeToken(ctx context.Context, refreshToken string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "RevokeToken"); err != nil {
		return err
	}
	if id, ok := p.refresh[refreshToken]; ok {
		p.origins[id].revoked = true
	}
	return nil
}

// GlobalSignOut revokes every refresh and access token of the access token's user.
func (p *Pool) GlobalSignOut(ctx context.Context, accessToken string) error {
	return p.asHolder(ctx, "GlobalSignOut", accessToken, func(u *user) error {
		for _, o := range p.origins {
			if o.sub == u.sub {
				o.revoked = true
			}
		}
		return nil
	})
}

// asHolder runs the call op for the user of an access token the pool still accepts.
func (p *Pool) asHolder(ctx context.Context, op, accessToken string, call func(*user) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, op); err != nil {
		return err
	}
	u, err := p.holder(accessToken)
	if err != nil {
		return err
	}
	return call(u)
}

// Attributes is GetUser (or, for a token from the token endpoint, the userInfo endpoint):
// the user's attributes with sub, email and email_verified ("true"/"false"), or nil when
// the scopes allow neither call.
func (p *Pool) Attributes(ctx context.Context, accessToken string, scopes []string) (map[string]string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.enter(ctx, "Attributes"); err != nil {
		return nil, err
	}
	if !slices.Contains(scopes, adminScope) && !slices.Contains(scopes, "openid") {
		return nil, nil
	}
	u, err := p.holder(accessToken)
	if err != nil {
		return nil, err
	}
	out := map[string]string{"sub": u.sub}
	for k, v := range u.attrs {
		out[k] = v
	}
	return out, nil
}

// ChangePassword changes the access token's user's password. A wrong current password is
// NotAuthorizedException "Incorrect username or password.", told apart from a refused
// token by its reason.
func (p *Pool) ChangePassword(ctx context.Context, accessToken, previous, proposed string) error {
	return p.asHolder(ctx, "ChangePassword", accessToken, func(u *user) error {
		if u.password != previous {
			return fail(auth.ReasonNotAuthorized, msgBadCredentials)
		}
		if err := checkPolicy(setPolicyPrefix, proposed); err != nil {
			return err
		}
		u.password = proposed
		return nil
	})
}
