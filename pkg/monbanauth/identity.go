package monbanauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/token"
)

// Identity is a verified caller: what the access token says about its user.
type Identity struct {
	// Subject is the user's stable id ("sub").
	Subject string `json:"sub"`
	// Username is Cognito's username (for e-mail sign-in pools, an opaque id).
	Username string `json:"username"`
	// Groups are the user's Cognito groups; never nil.
	Groups []string `json:"groups"`
	// Scopes are the access token's OAuth scopes; never nil.
	Scopes []string `json:"scopes"`
	// ClientID is the app client the token was issued to.
	ClientID string `json:"client_id"`
	// ExpiresAt is the access token's expiry, in UTC.
	ExpiresAt time.Time `json:"expires_at"`
	// Via is the credential that proved the identity.
	Via Credential `json:"via"`
}

// identityOf copies what callers may see out of verified claims. The claims
// may be shared through the token cache, so nothing mutable is handed out.
func identityOf(c *token.Claims, via Credential) *Identity {
	groups := slices.Clone(c.Groups)
	if groups == nil {
		groups = []string{}
	}
	return &Identity{
		Subject:   c.Subject,
		Username:  c.Username,
		Groups:    groups,
		Scopes:    strings.Fields(c.Scope),
		ClientID:  c.ClientID,
		ExpiresAt: c.ExpiresAt.UTC(),
		Via:       via,
	}
}

// HasScope reports whether the access token grants scope s.
func (id *Identity) HasScope(s string) bool { return slices.Contains(id.Scopes, s) }

// InGroup reports whether the user is in group g.
func (id *Identity) InGroup(g string) bool { return slices.Contains(id.Groups, g) }

type contextKey struct{}

// NewContext returns a copy of ctx carrying id. The middleware does this for
// verified callers; a service behind the monban authorizer can do it with
// the identity from IdentityFromAuthorizerContext.
func NewContext(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, contextKey{}, id)
}

// FromContext returns the identity the middleware stored in ctx.
func FromContext(ctx context.Context) (*Identity, bool) {
	id, ok := ctx.Value(contextKey{}).(*Identity)
	return id, ok && id != nil
}

// The keys of the context the monban authorizer hands to API Gateway, which
// passes it on to the backend ($context.authorizer.<key> on REST APIs,
// requestContext.authorizer.lambda.<key> in HTTP API events). API Gateway
// only takes scalar values, so lists are encoded in strings.
const (
	ContextSubject  = "sub"       // the user's sub
	ContextUsername = "username"  // Cognito's username
	ContextGroups   = "groups"    // JSON array of group names, e.g. ["admins","staff"]
	ContextScope    = "scope"     // space-separated scopes, as in the token
	ContextClientID = "client_id" // the app client id
	ContextExpires  = "exp"       // the access token's exp, seconds since the epoch
	ContextVia      = "via"       // "bearer" or "cookie"
)

// AuthorizerContext is id as an API Gateway authorizer context: scalar
// values only. Groups are a JSON array in a string rather than a
// comma-joined list because Cognito group names may contain commas.
func (id *Identity) AuthorizerContext() map[string]any {
	groups, _ := json.Marshal(id.Groups) // []string always marshals
	return map[string]any{
		ContextSubject:  id.Subject,
		ContextUsername: id.Username,
		ContextGroups:   string(groups),
		ContextScope:    strings.Join(id.Scopes, " "),
		ContextClientID: id.ClientID,
		ContextExpires:  id.ExpiresAt.Unix(),
		ContextVia:      string(id.Via),
	}
}

// IdentityFromAuthorizerContext reads back the context AuthorizerContext
// produced, as a backend behind the authorizer receives it. API Gateway may
// deliver numbers as JSON numbers or as strings, so both are accepted.
func IdentityFromAuthorizerContext(m map[string]any) (*Identity, error) {
	str := func(k string) (string, error) {
		switch v := m[k].(type) {
		case nil:
			return "", nil
		case string:
			return v, nil
		default:
			return "", fmt.Errorf("monbanauth: authorizer context %q is a %T, not a string", k, v)
		}
	}
	id := &Identity{Groups: []string{}, Scopes: []string{}}
	var err error
	if id.Subject, err = str(ContextSubject); err != nil {
		return nil, err
	}
	if id.Subject == "" {
		return nil, errors.New("monbanauth: authorizer context has no sub")
	}
	if id.Username, err = str(ContextUsername); err != nil {
		return nil, err
	}
	if id.ClientID, err = str(ContextClientID); err != nil {
		return nil, err
	}
	via, err := str(ContextVia)
	if err != nil {
		return nil, err
	}
	id.Via = Credential(via)
	groups, err := str(ContextGroups)
	if err != nil {
		return nil, err
	}
	if groups != "" {
		if err := json.Unmarshal([]byte(groups), &id.Groups); err != nil || id.Groups == nil {
			return nil, errors.New("monbanauth: authorizer context groups is not a JSON array of strings")
		}
	}
	scope, err := str(ContextScope)
	if err != nil {
		return nil, err
	}
	id.Scopes = strings.Fields(scope)
	switch v := m[ContextExpires].(type) {
	case nil:
	case float64:
		if v < 0 || v > 1e11 || math.IsNaN(v) {
			return nil, errors.New("monbanauth: authorizer context exp out of range")
		}
		id.ExpiresAt = time.Unix(int64(v), 0).UTC()
	case int64:
		id.ExpiresAt = time.Unix(v, 0).UTC()
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return nil, errors.New("monbanauth: authorizer context exp is not an integer")
		}
		id.ExpiresAt = time.Unix(n, 0).UTC()
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, errors.New("monbanauth: authorizer context exp is not an integer")
		}
		id.ExpiresAt = time.Unix(n, 0).UTC()
	default:
		return nil, fmt.Errorf("monbanauth: authorizer context exp is a %T", v)
	}
	return id, nil
}
