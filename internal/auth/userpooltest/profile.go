package userpooltest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/monban-auth/monban/internal/auth"
)

// A user's own account, with their access token (GetUser, UpdateUserAttributes,
// VerifyUserAttribute, GetUserAttributeVerificationCode, DeleteUser), for a pool set up like
// the template's:
//
//   - The app client writes only its WriteAttributes (Options.WriteAttributes); any other
//     attribute is ReasonAttributeNotWritable, the whole update refused.
//   - A changed e-mail address waits for its code (the pool's UserAttributeUpdateSettings
//     AttributesRequireVerificationBeforeUpdate is email): the old address stays the user's,
//     verified as it was, until VerifyAttribute with the code sent to the new one. An address
//     another user has is ReasonAliasExists (e-mail addresses are the pool's usernames), at
//     the update and again at the verification.
//   - A code, readable with Code, lasts 24 hours; a new one replaces the old.
//   - DeleteUser removes the user; their tokens, access and refresh, are refused from then
//     on as revoked ones are.

// defaultWriteAttributes are the template's app client's WriteAttributes.
var defaultWriteAttributes = []string{
	"email", "name", "given_name", "family_name", "preferred_username", "locale", "zoneinfo", "picture",
}

const attributeCodeLifetime = 24 * time.Hour

// verificationFlags are standard attributes a client writes only where its WriteAttributes
// name them (the template's do when a provider maps email_verified).
var verificationFlags = map[string]bool{"email_verified": true, "phone_number_verified": true}

// writable says whether the app client may write the attribute name.
func (p *Pool) writable(name string) bool {
	if p.o.WriteAttributes == nil {
		return slices.Contains(defaultWriteAttributes, name)
	}
	return slices.Contains(p.o.WriteAttributes, name)
}

// Profile is GetUser: the user's name Cognito knows them by (their sub) and every attribute,
// sub and the verification flags included.
func (p *Pool) Profile(ctx context.Context, accessToken string) (*auth.Profile, error) {
	var out *auth.Profile
	err := p.asHolder(ctx, "Profile", accessToken, func(u *user) error {
		attrs := map[string]string{"sub": u.sub}
		for k, v := range u.attrs {
			attrs[k] = v
		}
		out = &auth.Profile{Username: u.sub, Attributes: attrs}
		return nil
	})
	return out, err
}

// UpdateAttributes is UpdateUserAttributes: every attribute is checked before any is
// written. A new e-mail address is kept pending and its code sent there; an empty value
// deletes the attribute.
func (p *Pool) UpdateAttributes(ctx context.Context, accessToken string, attributes map[string]string) ([]auth.Delivery, error) {
	var out []auth.Delivery
	err := p.asHolder(ctx, "UpdateAttributes", accessToken, func(u *user) error {
		if len(attributes) == 0 {
			return fail(auth.ReasonInvalidParameter, "1 validation error detected: Value null at 'userAttributes' failed to satisfy constraint: Member must not be null")
		}
		for k := range attributes {
			if verificationFlags[k] {
				continue // in the schema, so writable where the app client says so
			}
			if err := checkAttributes(map[string]string{k: ""}); err != nil {
				return err
			}
		}
		for k := range attributes {
			if !p.writable(k) {
				return fail(auth.ReasonAttributeNotWritable, "A client attempted to write unauthorized attribute")
			}
		}
		email, changesEmail := attributes["email"]
		if changesEmail && strings.EqualFold(email, u.attrs["email"]) {
			changesEmail = false // the address the user has: nothing to verify
			u.pendingEmail = ""
		}
		if changesEmail {
			if !strings.Contains(email, "@") {
				return fail(auth.ReasonInvalidParameter, "Invalid email address format.")
			}
			if other := p.byEmail(email); other != nil && other != u {
				return fail(auth.ReasonAliasExists, "An account with the given email already exists.")
			}
		}
		for k, v := range attributes {
			switch {
			case k == "email":
			case v == "":
				delete(u.attrs, k)
			default:
				u.attrs[k] = v
				if k == "phone_number" {
					u.attrs["phone_number_verified"] = "false"
				}
			}
		}
		out = []auth.Delivery{}
		if changesEmail {
			u.pendingEmail = email
			u.attrCodes["email"] = p.send(u, attributeCodeLifetime)
			out = append(out, auth.Delivery{Medium: "EMAIL", Destination: maskEmail(email)})
		}
		return nil
	})
	return out, err
}

// VerifyAttribute is VerifyUserAttribute: the code sent for the attribute verifies it, and
// a pending e-mail address becomes the user's.
func (p *Pool) VerifyAttribute(ctx context.Context, accessToken, attribute, c string) error {
	return p.asHolder(ctx, "VerifyAttribute", accessToken, func(u *user) error {
		if attribute != "email" && attribute != "phone_number" {
			return fail(auth.ReasonInvalidParameter, "Invalid attribute name: "+attribute)
		}
		if err := p.checkCode(u.attrCodes[attribute], c); err != nil {
			return err
		}
		if attribute == "email" && u.pendingEmail != "" {
			if other := p.byEmail(u.pendingEmail); other != nil && other != u {
				return fail(auth.ReasonAliasExists, "An account with the given email already exists.")
			}
			u.attrs["email"], u.pendingEmail = u.pendingEmail, ""
		}
		delete(u.attrCodes, attribute)
		u.attrs[attribute+"_verified"] = "true"
		return nil
	})
}

// SendAttributeCode is GetUserAttributeVerificationCode: a new code for the attribute, to
// the pending e-mail address when there is one, else to the user's.
func (p *Pool) SendAttributeCode(ctx context.Context, accessToken, attribute string) (*auth.Delivery, error) {
	var out *auth.Delivery
	err := p.asHolder(ctx, "SendAttributeCode", accessToken, func(u *user) error {
		switch attribute {
		case "email":
			to := u.pendingEmail
			if to == "" {
				to = u.attrs["email"]
			}
			if to == "" {
				return fail(auth.ReasonInvalidParameter, "User does not have an email address.")
			}
			out = &auth.Delivery{Medium: "EMAIL", Destination: maskEmail(to)}
		case "phone_number":
			if u.attrs["phone_number"] == "" {
				return fail(auth.ReasonInvalidParameter, "User does not have a phone number.")
			}
			out = &auth.Delivery{Medium: "SMS", Destination: maskPhone(u.attrs["phone_number"])}
		default:
			return fail(auth.ReasonInvalidParameter, "Invalid attribute name: "+attribute)
		}
		u.attrCodes[attribute] = p.send(u, attributeCodeLifetime)
		return nil
	})
	return out, err
}

// DeleteUser is DeleteUser: the user, their passkeys and their sign-ins are gone.
func (p *Pool) DeleteUser(ctx context.Context, accessToken string) error {
	return p.asHolder(ctx, "DeleteUser", accessToken, func(u *user) error {
		delete(p.users, u.sub)
		for _, o := range p.origins {
			if o.sub == u.sub {
				o.revoked = true
			}
		}
		if p.pl != nil {
			delete(p.pl.passkeys, u.sub)
			delete(p.pl.creating, u.sub)
		}
		return nil
	})
}
