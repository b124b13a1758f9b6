package httpapi

import (
	"net/http"
	"testing"

	"github.com/monban-auth/monban/internal/apierror"
	"github.com/monban-auth/monban/internal/auth"
)

// errorBody reads the error contract (apierror.Body) with the auth API's codes.
type errorBody struct {
	Error struct {
		Code    auth.Code `json:"code"`
		Message string    `json:"message"`
	} `json:"error"`
}

// Every code a flow can fail with has its status; one unknown to the contract is a 500.
func TestStatusOf(t *testing.T) {
	for _, c := range apierror.Codes() {
		want, _ := apierror.Status(c)
		if got := StatusOf(auth.Fail(c, "", nil)); got != want {
			t.Errorf("%s: status %d, want %d", c, got, want)
		}
	}
	if got := StatusOf(auth.Fail(auth.CodeUnauthenticated, "", nil)); got != http.StatusUnauthorized {
		t.Errorf("unauthenticated is %d, not 401", got)
	}
	if got := StatusOf(auth.Fail("made_up", "", nil)); got != http.StatusInternalServerError {
		t.Errorf("an unknown code is %d, not 500", got)
	}
}
