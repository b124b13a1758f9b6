// Package sampleapi is the sample protected API that ships with monban: one
// endpoint that answers who is calling. It trusts whatever put the caller's
// identity in the request context: the monbanauth middleware in the local
// stack, or the API Gateway authorizer's context in the Lambda function.
package sampleapi

import (
	"encoding/json"
	"net/http"

	"github.com/monban-auth/monban/internal/apierror"
	"github.com/monban-auth/monban/pkg/monbanauth"
)

// The endpoints: the same answer behind the monban Lambda authorizer
// (/api/me) and behind API Gateway's native JWT authorizer (/api/me-jwt).
const (
	MePath    = "/api/me"
	MeJWTPath = "/api/me-jwt"
)

// Handler serves the sample API under /api/. Every other request, inside
// /api/ or not, is answered with monban's error contract, never plain text.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+MePath, me)
	mux.HandleFunc("GET "+MeJWTPath, me)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		noStore(w)
		if r.URL.Path == MePath || r.URL.Path == MeJWTPath {
			w.Header().Set("Allow", "GET, HEAD")
			apierror.WriteCode(w, apierror.MethodNotAllowed, "method not allowed")
			return
		}
		apierror.WriteCode(w, apierror.NotFound, "no such endpoint")
	})
	return mux
}

// me answers with the caller's identity.
func me(w http.ResponseWriter, r *http.Request) {
	id, ok := monbanauth.FromContext(r.Context())
	if !ok {
		// Only reachable if the API is deployed without its authorizer.
		monbanauth.WriteError(w, monbanauth.ErrNoCredentials)
		return
	}
	noStore(w)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(id)
}

// noStore keeps every answer out of shared caches: it is about one user.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
}
