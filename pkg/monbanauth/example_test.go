package monbanauth_test

import (
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/monban-auth/monban/pkg/monbanauth"
)

// A Go service on the site's domain protects its API with the same checks as the
// monban authorizer: the session cookie the monban API set, or a bearer access token.
func ExampleAuthenticator_Middleware() {
	a, err := monbanauth.New(monbanauth.Config{
		Issuer:   "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123",
		ClientID: "3n4b5urk1ft4fl3mg5e62d9ado",
		// The monban API's MONBAN_SESSION_SECRET: same secrets, same order.
		SessionSecrets: [][]byte{[]byte(os.Getenv("MONBAN_SESSION_SECRET"))},
		RequiredGroups: []string{"staff", "admins"}, // any one of them
	})
	if err != nil {
		log.Fatal(err) // a configuration mistake
	}
	api := http.NewServeMux()
	api.HandleFunc("GET /api/orders", func(w http.ResponseWriter, r *http.Request) {
		id, _ := monbanauth.FromContext(r.Context())
		fmt.Fprintf(w, "orders of %s (groups %s)\n", id.Subject, strings.Join(id.Groups, ", "))
	})
	http.Handle("/api/", a.Middleware(api))
}

// Behind the monban Lambda authorizer, a Go backend reads the caller from the context
// API Gateway passes on (requestContext.authorizer.lambda in HTTP API events).
func ExampleIdentityFromAuthorizerContext() {
	lambdaContext := map[string]any{
		"sub": "7c9a1f0e-0000-4000-8000-000000000001", "username": "alice",
		"groups": `["staff"]`, "scope": "openid email", "exp": float64(1795259730), "via": "cookie",
	}
	id, err := monbanauth.IdentityFromAuthorizerContext(lambdaContext)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(id.Subject, id.Groups, id.HasScope("email"), id.Via)
	// Output: 7c9a1f0e-0000-4000-8000-000000000001 [staff] true cookie
}
