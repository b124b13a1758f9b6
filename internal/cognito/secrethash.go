package cognito

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// SecretHash is Cognito's SECRET_HASH: base64(HMAC-SHA256(clientSecret, username+clientID)).
// username is the name Cognito knows the user by (for REFRESH_TOKEN_AUTH in a pool that
// signs in by e-mail, that is the sub, not the address).
func SecretHash(clientID, clientSecret, username string) string {
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte(username))
	m.Write([]byte(clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}
