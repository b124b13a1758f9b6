package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/monban-auth/monban/internal/auth"
)

// Choice-based sign-in (Cognito's USER_AUTH flow: a passkey, an e-mail code or the password)
// and the signed-in user's passkeys. The prompts are answered by POST /auth/challenge, whose
// handler (password.go) serves every challenge alike.

func (h *handler) startSignIn(w http.ResponseWriter, r *http.Request, body *auth.StartSignInRequest) (any, error) {
	// Cognito answers an unknown address with a prompt like a known one's ("Managing user
	// existence error responses", Cognito Developer Guide); the floor hides the time too.
	defer h.Auth.HoldAnswer(r.Context())
	res, err := h.Auth.StartSignIn(r.Context(), *body)
	return h.signInStep(w, r, res, err)
}

// answerChallenge is POST /auth/challenge: the challenge handler, after the check a
// WebAuthn credential in the body must pass.
func (h *handler) answerChallenge(w http.ResponseWriter, r *http.Request, body *challengeBody) (any, error) {
	if err := checkCredential(body.Credential); err != nil {
		return nil, err
	}
	return h.challenge(w, r, body)
}

// passkeyOptions is POST /auth/passkeys/register/start's answer.
type passkeyOptions struct {
	Options json.RawMessage `json:"options"` // PublicKeyCredentialCreationOptionsJSON, as Cognito gives it
}

// passkeyCredential is POST /auth/passkeys/register/finish's body. The credential stays raw
// JSON: strictKeys takes a json.RawMessage as opaque (its members are Cognito's to check;
// only a key twice in one of its objects is refused), and Cognito verifies it.
type passkeyCredential struct {
	Credential json.RawMessage `json:"credential"` // RegistrationResponseJSON
}

// passkeyID is POST /auth/passkeys/delete's body.
type passkeyID struct {
	ID string `json:"id"`
}

// passkeyView is one passkey in GET /auth/passkeys's answer.
type passkeyView struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	RelyingPartyID string    `json:"relying_party_id"`
	Attachment     string    `json:"attachment"`
	Transports     []string  `json:"transports"`
	CreatedAt      time.Time `json:"created_at"`
}

type passkeyList struct {
	Passkeys []passkeyView `json:"passkeys"`
}

// done is the answer of a call that has nothing more to say.
type done struct{}

func (h *handler) startPasskeyRegistration(w http.ResponseWriter, r *http.Request, _ *struct{}) (any, error) {
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		options, err := h.Auth.StartPasskeyRegistration(r.Context(), sess)
		if err != nil {
			return nil, err
		}
		return passkeyOptions{Options: options}, nil
	})
}

func (h *handler) finishPasskeyRegistration(w http.ResponseWriter, r *http.Request, body *passkeyCredential) (any, error) {
	if err := checkCredential(body.Credential); err != nil {
		return nil, err
	}
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		return done{}, h.Auth.CompletePasskeyRegistration(r.Context(), sess, body.Credential)
	})
}

func (h *handler) deletePasskey(w http.ResponseWriter, r *http.Request, body *passkeyID) (any, error) {
	return h.withSession(w, r, func(sess *auth.Session) (any, error) {
		return done{}, h.Auth.DeletePasskey(r.Context(), sess, body.ID)
	})
}

// listPasskeys is GET /auth/passkeys. Like GET /auth/session it reads and changes nothing,
// so it needs no CSRF check; CORS keeps other origins from reading the answer, and the
// no-store every answer carries keeps it out of caches.
func (h *handler) listPasskeys(w http.ResponseWriter, r *http.Request) {
	v, err := h.withSession(w, r, func(sess *auth.Session) (any, error) {
		keys, err := h.Auth.ListPasskeys(r.Context(), sess)
		if err != nil {
			return nil, err
		}
		out := passkeyList{Passkeys: make([]passkeyView, 0, len(keys))}
		for _, k := range keys {
			out.Passkeys = append(out.Passkeys, passkeyView{
				ID: k.ID, Name: k.Name, RelyingPartyID: k.RelyingPartyID, Attachment: k.Attachment,
				Transports: append([]string{}, k.Transports...), CreatedAt: k.CreatedAt.UTC(),
			})
		}
		return out, nil
	})
	if err != nil {
		writeError(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// checkCredential refuses a WebAuthn credential over MaxCredentialBytes as too large (413),
// as the body limit would had the body held nothing else. Its shape (a JSON object) is the
// flow's to check.
func checkCredential(raw json.RawMessage) error {
	if len(bytes.TrimSpace(raw)) > MaxCredentialBytes {
		return &statusError{http.StatusRequestEntityTooLarge, auth.Fail(auth.CodeInvalidRequest, fmt.Sprintf("credential exceeds %d bytes", MaxCredentialBytes), nil)}
	}
	return nil
}
