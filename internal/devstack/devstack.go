// Package devstack runs monban's local Cognito stand-in for `make dev` and the
// integration tests: it installs the pinned cognito-local emulator from the
// repository's local/ folder, starts it as a child process, creates the user
// pool, app client and seed users idempotently, fills in what the emulator lacks
// (the hosted UI's /logout and /signup; ResendConfirmationCode, GlobalSignOut, the
// password policy, choice-based sign-in, passkeys and the app client's write permissions in
// front of its API: see cognitoapi.go, passwordless.go and profile.go), and serves the real Cognito
// trigger handlers to the emulator through a local Lambda Invoke endpoint.
//
// Nothing here is used in production; it exists so the production handlers can
// run unchanged against an emulator.
package devstack

import "errors"

// ErrToolMissing is wrapped by errors that mean a required local tool (node,
// npm, or the installed npm modules) is not available, so callers such as
// tests can tell "cannot run here" from "ran and failed".
var ErrToolMissing = errors.New("devstack: required tool missing")

// ConfirmationCode is the code cognito-local accepts for every confirmation
// (sign-up, forgot password, a changed e-mail address); StartCognitoLocal passes it as the
// emulator's CODE.
const ConfirmationCode = "123456"
