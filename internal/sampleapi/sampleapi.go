// Package sampleapi is the sample protected API that ships with monban: one
// endpoint that answers who is calling. It trusts whatever put the caller's
// identity in the request context: the monbanauth middleware in the local
// stack, or the API Gateway authorizer's context in the Lambda function.
package sampleapi

import (
	"encoding/json"
	"net/http"

	"github.com/monban-auth/monban/pkg/monbanauth"
)

// The endpoints: the same answer behind the monban Lambda authorizer
// (/api/me) and behind API Gateway's native JWT authorizer (/api/me-jwt).
const (
	MePath    = "/api/me"
	MeJWTPath = "/api/me-jwt"
)

// Handler serves the sample API under /api/.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+MePath, me)
	mux.HandleFunc("GET "+MeJWTPath, me)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == MePath || r.URL.Path == MeJWTPath {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, errorBody("method_not_allowed", "method not allowed"))
			return
		}
		writeJSON(w, http.StatusNotFound, errorBody("not_found", "no such endpoint"))
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
	writeJSON(w, http.StatusOK, id)
}

func errorBody(code, message string) any {
	return map[string]map[string]string{"error": {"code": code, "message": message}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	// The answer is about one user: no shared cache may keep it.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
