package apierror_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/monban-auth/monban/internal/apierror"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name   string
		write  func(w http.ResponseWriter)
		status int
		body   string
	}{
		{"a code answers at its own status", func(w http.ResponseWriter) {
			apierror.WriteCode(w, apierror.NotFound, "no such endpoint")
		}, 404, `{"error":{"code":"not_found","message":"no such endpoint"}}` + "\n"},
		{"an unknown code answers 500", func(w http.ResponseWriter) {
			apierror.WriteCode(w, "made_up", "?")
		}, 500, `{"error":{"code":"made_up","message":"?"}}` + "\n"},
		{"a status may be given", func(w http.ResponseWriter) {
			apierror.Write(w, http.StatusUnsupportedMediaType, "invalid_request", "Content-Type must be application/json")
		}, 415, `{"error":{"code":"invalid_request","message":"Content-Type must be application/json"}}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			tt.write(w)
			if w.Code != tt.status || w.Body.String() != tt.body || w.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body)
			}
		})
	}
}

func TestEveryCodeHasAStatus(t *testing.T) {
	for _, c := range []apierror.Code{apierror.Unauthenticated, apierror.UpstreamUnavailable, apierror.Internal,
		apierror.NotFound, apierror.MethodNotAllowed, apierror.Forbidden} {
		if st, ok := apierror.Status(c); !ok || st < 400 {
			t.Errorf("%s: %d %v", c, st, ok)
		}
	}
}

// The statuses clients rely on beyond the code: a refused action is 403, not 401, so a
// client does not read it as a session that ended.
func TestStatusesOfActionsRefusedToASignedInUser(t *testing.T) {
	for c, want := range map[apierror.Code]int{
		apierror.Forbidden:                http.StatusForbidden,
		apierror.ReauthenticationRequired: http.StatusForbidden,
		apierror.Unauthenticated:          http.StatusUnauthorized,
	} {
		if st, ok := apierror.Status(c); !ok || st != want {
			t.Errorf("%s: %d %v, want %d", c, st, ok, want)
		}
	}
}
