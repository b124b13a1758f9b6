package auth

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// Delivery says where Cognito sent a code (a masked address).
type Delivery struct {
	Medium      string `json:"medium"`
	Destination string `json:"destination,omitempty"`
}

// SignUpRequest is POST /auth/sign-up's body.
type SignUpRequest struct {
	Credentials
	Attributes map[string]string `json:"attributes"`
	SignIn     bool              `json:"sign_in"`
}

// SignUpResult answers a sign-up. SignIn is set when the user was confirmed at once (the
// pre-sign-up trigger) and sign_in was asked for.
type SignUpResult struct {
	UserConfirmed bool          `json:"user_confirmed"`
	Delivery      *Delivery     `json:"delivery,omitempty"`
	SignIn        *SignInResult `json:"-"`
}

// SignUp registers a user.
func (s *Service) SignUp(ctx context.Context, r SignUpRequest) (*SignUpResult, error) {
	name, err := r.checked()
	if err != nil {
		return nil, err
	}
	if err := checkAttributes(r.Attributes); err != nil {
		return nil, err
	}
	attrs := maps.Clone(r.Attributes)
	if r.Email != "" && attrs["email"] == "" {
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["email"] = r.Email
	}
	out, err := s.pool.SignUp(ctx, NewUser{Username: name, Password: r.Password, Attributes: attrs})
	// With existing users hidden, every accepted sign-up gets this one answer, never
	// "confirmed" and never a session: either would tell a new address from a taken one.
	// It needs confirmation by e-mail code: see warnAutoConfirmed.
	hidden := &SignUpResult{Delivery: &Delivery{Medium: "EMAIL", Destination: maskEmail(name)}}
	if err != nil {
		if s.cfg.HideExistingUsers && ReasonOf(err) == ReasonUsernameExists {
			return hidden, nil
		}
		return nil, poolFailure(err, "sign up", nil)
	}
	if out == nil {
		out = &SignedUp{}
	}
	if s.cfg.HideExistingUsers {
		if out.Confirmed {
			s.warnAutoConfirmed()
		}
		return hidden, nil
	}
	res := &SignUpResult{UserConfirmed: out.Confirmed, Delivery: out.Delivery}
	if res.UserConfirmed && r.SignIn {
		si, err := s.SignInPassword(ctx, r.Credentials)
		if err != nil {
			return nil, err
		}
		res.SignIn = si
	}
	return res, nil
}

// warnAutoConfirmed reports, once per Service (a Lambda container has one), that hidden
// sign-up is undone: Cognito confirmed a new account at once (the pre-sign-up trigger's
// auto-confirm), so signing in with the password just chosen tells a new address (a
// session) from a taken one (wrong password). The answer stays the hidden one — anything
// else would tell the same thing at once — and the deployment must turn auto-confirm off:
// template.yaml refuses the combination (SignUpHideExisting needs SignUpAutoConfirm=false)
// and make dev turns it off.
func (s *Service) warnAutoConfirmed() {
	s.autoConfirmed.Do(func() {
		s.log.Error("MONBAN_SIGN_UP_HIDE_EXISTING is on, but Cognito confirmed a sign-up at once: " +
			"signing in with the chosen password tells a new address from a taken one. " +
			"Turn the pre-sign-up trigger's auto-confirm off (MONBAN_SIGNUP_AUTO_CONFIRM=false; template parameter SignUpAutoConfirm=false).")
	})
}

// maskEmail masks an address the way Cognito's CodeDeliveryDetails does (a***@e***).
func maskEmail(addr string) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok || local == "" || domain == "" {
		return ""
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

// CodeRequest is a body naming a user and carrying a code (confirm sign-up).
type CodeRequest struct {
	Username string `json:"username"`
	Email    string `json:"email"`
	Code     string `json:"code"`
}

func (c CodeRequest) name() string { return Credentials{Username: c.Username, Email: c.Email}.name() }

// ConfirmSignUp confirms a user with the code Cognito sent.
func (s *Service) ConfirmSignUp(ctx context.Context, r CodeRequest) error {
	name := r.name()
	if err := checkName(name); err != nil {
		return err
	}
	if err := checkCode(r.Code); err != nil {
		return err
	}
	if err := s.pool.ConfirmSignUp(ctx, name, r.Code); err != nil {
		return poolFailure(err, "confirm sign-up", codeRefusals)
	}
	return nil
}

// resendAlike are the refusals of a resend that answer like a code sent: anything else would
// tell who has an account.
var resendAlike = []Reason{ReasonUserNotFound, ReasonInvalidParameter, ReasonNotAuthorized}

// ResendCode sends the sign-up confirmation code again. The answer is the same whether or
// not the user exists.
func (s *Service) ResendCode(ctx context.Context, r CodeRequest) (*Delivery, error) {
	name := r.name()
	if err := checkName(name); err != nil {
		return nil, err
	}
	d, err := s.pool.ResendConfirmationCode(ctx, name)
	if err != nil {
		if slices.Contains(resendAlike, ReasonOf(err)) {
			return &Delivery{Medium: "EMAIL"}, nil
		}
		return nil, poolFailure(err, "resend code", nil)
	}
	if d != nil {
		return &Delivery{Medium: d.Medium}, nil
	}
	return &Delivery{Medium: "EMAIL"}, nil
}
