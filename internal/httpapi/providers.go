package httpapi

import "net/http"

// providersView is GET /auth/providers' answer.
type providersView struct {
	Providers []string `json:"providers"`
}

// providers lists the identity providers a sign-in may name besides COGNITO, so a static
// page offers "Sign in with Google" only where the app client supports it. The list is
// public; it is still answered no-store like everything here, so a changed setting shows at
// once.
func (h *handler) providers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, providersView{Providers: h.Auth.IdentityProviders()})
}
