package auth

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// The signed-in user's own profile: reading every attribute, changing the ones the app
// client may write, and verifying a changed e-mail address with the code Cognito sends to
// it (the template's pool keeps the old address until then: UserAttributeUpdateSettings).

// ProfileUpdate is POST /auth/profile's body.
type ProfileUpdate struct {
	Attributes map[string]string `json:"attributes"`
}

// AttributeCode is POST /auth/profile/verify's body: the code sent for an attribute.
type AttributeCode struct {
	Attribute string `json:"attribute"`
	Code      string `json:"code"`
}

// AttributeCodeRequest is POST /auth/profile/resend-code's body.
type AttributeCodeRequest struct {
	Attribute string `json:"attribute"`
}

// Verification says where the code to verify an attribute went.
type Verification struct {
	Attribute   string `json:"attribute"`
	Medium      string `json:"medium"`
	Destination string `json:"destination,omitempty"`
}

// ProfileChange is an update's outcome: the profile as it now is, and the codes sent (an
// empty list, never nil, when none was).
type ProfileChange struct {
	Profile      *Profile
	Verification []Verification
}

// profileAttributeName is what a name of UpdateUserAttributes may be here: Cognito's names
// are at most 32 characters (AttributeType, Amazon Cognito API Reference); its letters,
// digits and the punctuation standard and custom names use.
var profileAttributeName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_:.-]{0,31}$`)

// neverWritable are the attributes no user changes through monban, whatever the app
// client's WriteAttributes say: the template makes email_verified writable when a provider
// maps it, and a user must never mark their own address verified.
var neverWritable = []string{"sub", "email_verified", "phone_number_verified", "identities", "username"}

// verifiable are the attributes Cognito verifies with a code.
var verifiable = map[string]string{"email": "EMAIL", "phone_number": "SMS"}

// maxAttributeCode bounds a verification code: Cognito's are six digits.
const maxAttributeCode = 16

func refusedAttribute(name string) bool {
	n := strings.ToLower(name)
	return slices.Contains(neverWritable, n) || strings.HasPrefix(n, "cognito:")
}

// checkProfileAttributes checks an update before it reaches Cognito: 1 to 32 attributes,
// well-formed names and values, none of those no user may change.
func checkProfileAttributes(m map[string]string) error {
	if len(m) == 0 {
		return Fail(CodeInvalidRequest, "attributes is required", nil)
	}
	if len(m) > maxAttributes {
		return Fail(CodeInvalidRequest, fmt.Sprintf("at most %d attributes may be changed at once", maxAttributes), nil)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		switch {
		case !profileAttributeName.MatchString(k):
			return Fail(CodeInvalidRequest, fmt.Sprintf("attribute %.64q is malformed", k), nil)
		case refusedAttribute(k):
			return notWritable([]string{k}, nil)
		case len(v) > maxAttrValue || !utf8.ValidString(v) || strings.ContainsRune(v, 0):
			return Fail(CodeInvalidRequest, fmt.Sprintf("the value of attribute %q is malformed", k), nil)
		}
	}
	return nil
}

// notWritable refuses a change of names: the attribute itself when there is one, else the
// ones the request named (Cognito does not say which it refused).
func notWritable(names []string, cause error) error {
	if len(names) == 1 {
		return Fail(CodeForbidden, fmt.Sprintf("The attribute %q cannot be changed.", names[0]), cause)
	}
	return Fail(CodeForbidden, "One of the attributes "+strings.Join(names, ", ")+" cannot be changed.", cause)
}

func checkVerifiable(attribute string) error {
	if _, ok := verifiable[attribute]; !ok {
		return Fail(CodeInvalidRequest, "attribute must be email or phone_number", nil)
	}
	return nil
}

func checkAttributeCode(code string) error {
	if code == "" {
		return Fail(CodeInvalidRequest, "code is required", nil)
	}
	if len(code) > maxAttributeCode || strings.IndexFunc(code, func(r rune) bool {
		return !('0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
	}) >= 0 {
		return Fail(CodeInvalidRequest, "code is malformed", nil)
	}
	return nil
}

// Profile reads the signed-in user's profile: every attribute Cognito gives them.
func (s *Service) Profile(ctx context.Context, sess *Session) (*Profile, error) {
	p, err := s.pool.Profile(ctx, sess.AccessToken)
	if err != nil {
		return nil, poolFailure(err, "get user", sessionEnded)
	}
	if p == nil {
		return nil, Fail(CodeInternal, "internal error", fmt.Errorf("the user pool answered GetUser without a user"))
	}
	out := &Profile{Username: p.Username, Attributes: maps.Clone(p.Attributes)}
	if out.Attributes == nil {
		out.Attributes = map[string]string{}
	}
	return out, nil
}

// UpdateProfile changes the signed-in user's attributes. A new e-mail address takes effect
// once verified (VerifyAttribute); the answer says where its code went. An address another
// account has is answered exactly as a free one (a code sent to it, the other attributes
// written), so that changing the address cannot tell who has an account.
func (s *Service) UpdateProfile(ctx context.Context, sess *Session, r ProfileUpdate) (*ProfileChange, error) {
	if err := checkProfileAttributes(r.Attributes); err != nil {
		return nil, err
	}
	sent, err := s.pool.UpdateAttributes(ctx, sess.AccessToken, r.Attributes)
	if _, changesEmail := r.Attributes["email"]; changesEmail && ReasonOf(err) == ReasonAliasExists {
		sent, err = s.emailTaken(ctx, sess, r.Attributes)
	}
	if ReasonOf(err) == ReasonAttributeNotWritable {
		return nil, notWritable(slices.Sorted(maps.Keys(r.Attributes)), poolCause(err, "update user attributes", ReasonAttributeNotWritable))
	}
	if err != nil {
		return nil, poolFailure(err, "update user attributes", updateAttributesRefusals)
	}
	s.known.forget(sess.AccessToken) // a bearer session shows the change at once
	p, err := s.Profile(ctx, sess)
	if err != nil {
		return nil, err
	}
	return &ProfileChange{Profile: p, Verification: verifications(sent...)}, nil
}

// emailTaken answers an e-mail change to an address another account has as Cognito answers
// a free one: the other attributes written, and a code "sent" to the new address.
func (s *Service) emailTaken(ctx context.Context, sess *Session, attrs map[string]string) ([]Delivery, error) {
	s.log.LogAttrs(ctx, slog.LevelInfo, "an e-mail change to an address another account has was answered as a code sent")
	rest := maps.Clone(attrs)
	delete(rest, "email")
	var sent []Delivery
	if len(rest) > 0 {
		var err error
		if sent, err = s.pool.UpdateAttributes(ctx, sess.AccessToken, rest); err != nil {
			return nil, err
		}
	}
	sent = slices.DeleteFunc(slices.Clone(sent), func(d Delivery) bool { return d.Medium == verifiable["email"] })
	return append(sent, Delivery{Medium: verifiable["email"], Destination: maskEmail(attrs["email"])}), nil
}

// verifications names the attribute each code was sent for: Cognito sends codes for the
// e-mail address and the phone number only, by e-mail and SMS.
func verifications(sent ...Delivery) []Verification {
	out := make([]Verification, 0, len(sent))
	for _, d := range sent {
		v := Verification{Medium: d.Medium, Destination: d.Destination}
		for attr, medium := range verifiable {
			if medium == d.Medium {
				v.Attribute = attr
			}
		}
		out = append(out, v)
	}
	return out
}

// VerifyAttribute confirms an attribute with the code sent for it (a new e-mail address
// then replaces the old) and returns the profile as it now is.
func (s *Service) VerifyAttribute(ctx context.Context, sess *Session, r AttributeCode) (*Profile, error) {
	if err := checkVerifiable(r.Attribute); err != nil {
		return nil, err
	}
	if err := checkAttributeCode(r.Code); err != nil {
		return nil, err
	}
	if err := s.pool.VerifyAttribute(ctx, sess.AccessToken, r.Attribute, r.Code); err != nil {
		return nil, poolFailure(err, "verify user attribute", sessionEnded)
	}
	s.known.forget(sess.AccessToken)
	return s.Profile(ctx, sess)
}

// ResendAttributeCode sends an attribute's verification code again: to a pending new
// e-mail address, or to the current one.
func (s *Service) ResendAttributeCode(ctx context.Context, sess *Session, r AttributeCodeRequest) ([]Verification, error) {
	if err := checkVerifiable(r.Attribute); err != nil {
		return nil, err
	}
	d, err := s.pool.SendAttributeCode(ctx, sess.AccessToken, r.Attribute)
	if err != nil {
		return nil, poolFailure(err, "get user attribute verification code", sessionEnded)
	}
	if d == nil {
		d = &Delivery{Medium: verifiable[r.Attribute]}
	}
	v := verifications(*d)
	v[0].Attribute = r.Attribute
	return v, nil
}
