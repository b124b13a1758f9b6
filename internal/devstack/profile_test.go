package devstack

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/monban-auth/monban/internal/tokentest"
)

// profileEmulator stands for cognito-local's account calls behind the front: it records
// each request's target and body, and answers as the emulator does (an unmasked delivery
// when an e-mail address changes; {} to GetUserAttributeVerificationCode), or with fail.
type profileEmulator struct {
	recorder[string]
	fail string // an error body to answer with 400, when set
}

func (e *profileEmulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), apiTargetPrefix)
	e.add(op + " " + string(b))
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	if e.fail != "" {
		w.WriteHeader(400)
		io.WriteString(w, e.fail)
		return
	}
	switch {
	case op == "UpdateUserAttributes" && strings.Contains(string(b), `"email"`):
		io.WriteString(w, `{"CodeDeliveryDetailsList":[{"AttributeName":"email","DeliveryMedium":"EMAIL","Destination":"new@example.com"}]}`)
	case op == "UpdateUserAttributes":
		io.WriteString(w, `{"CodeDeliveryDetailsList":[]}`)
	default:
		io.WriteString(w, `{}`)
	}
}

type profileFixture struct {
	api      *cip.Client
	admin    *fakeAdmin
	emulator *profileEmulator
	now      time.Time
	db       string
}

func newProfileFixture(t *testing.T) *profileFixture {
	t.Helper()
	fx := &profileFixture{emulator: &profileEmulator{}, now: time.Unix(1_800_000_000, 0)}
	client := frontClient()
	client.WriteAttributes = writeAttributes
	fx.admin = &fakeAdmin{client: client}
	dataDir := t.TempDir()
	fx.db = emulatorDBFile(dataDir, "local_pool")
	fx.writeUser(t, "ann@example.com", "")
	_, fx.api = serveFront(t, fx.emulator, func(emulatorURL, jwksURL string) *APIFront {
		front, err := NewAPIFront(CognitoAPIFrontOptions{
			EmulatorURL: emulatorURL, Admin: fx.admin, EmulatorDataDir: dataDir,
			Pool:  Pool{ID: "local_pool", Issuer: tokentest.Issuer, JWKSURL: jwksURL},
			now:   func() time.Time { return fx.now },
			sleep: func(time.Duration) {},
		})
		if err != nil {
			t.Fatal(err)
		}
		return front
	})
	return fx
}

// writeUser writes the emulator's data file with the user "sub-ann", her address and, when
// pending is set, a change of it waiting for its code, as cognito-local keeps them.
func (fx *profileFixture) writeUser(t *testing.T, email, pending string) {
	t.Helper()
	u := map[string]any{"Username": "sub-ann", "Password": "Ann-Passw0rd!!", "Attributes": []map[string]string{
		{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}, {"Name": "sub", "Value": "sub-ann"},
	}}
	if pending != "" {
		u["UnverifiedAttributeChanges"] = []map[string]string{{"Name": "email", "Value": pending}, {"Name": "email_verified", "Value": "false"}}
	}
	b, _ := json.Marshal(map[string]any{"Options": map[string]any{"Id": "local_pool"}, "Users": map[string]any{"sub-ann": u}})
	if err := os.MkdirAll(filepath.Dir(fx.db), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fx.db, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// token is an access token of the pool for "sub-ann", as claims (tokentest's) changed by kv.
func (fx *profileFixture) token(kv ...any) string {
	base := tokentest.With(tokentest.AccessClaims(fx.now), "username", "sub-ann", "scope", "aws.cognito.signin.user.admin")
	return tokentest.Sign(tokentest.With(base, kv...))
}

func (fx *profileFixture) update(t *testing.T, token string, kv ...string) (*cip.UpdateUserAttributesOutput, error) {
	t.Helper()
	var attrs []types.AttributeType
	for i := 0; i+1 < len(kv); i += 2 {
		attrs = append(attrs, types.AttributeType{Name: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return fx.api.UpdateUserAttributes(t.Context(), &cip.UpdateUserAttributesInput{AccessToken: aws.String(token), UserAttributes: attrs})
}

func TestUpdateUserAttributesStandIn(t *testing.T) {
	fx := newProfileFixture(t)

	// Writable attributes reach the emulator as sent; no code, an empty list.
	out, err := fx.update(t, fx.token(), "name", "Ann", "locale", "")
	if err != nil || out.CodeDeliveryDetailsList == nil || len(out.CodeDeliveryDetailsList) != 0 {
		t.Fatalf("update: %+v %v", out, err)
	}
	if got := fx.emulator.took(); len(got) != 1 || !strings.HasPrefix(got[0], "UpdateUserAttributes ") ||
		!strings.Contains(got[0], `{"Name":"name","Value":"Ann"}`) || !strings.Contains(got[0], `{"Name":"locale","Value":""}`) {
		t.Fatalf("the emulator got %q", got)
	}

	// A changed address: the delivery names it masked, as Cognito's do.
	out, err = fx.update(t, fx.token(), "email", "new@example.com")
	if err != nil || len(out.CodeDeliveryDetailsList) != 1 {
		t.Fatalf("update e-mail: %+v %v", out, err)
	}
	if d := out.CodeDeliveryDetailsList[0]; aws.ToString(d.Destination) != "n***@e***" || d.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(d.AttributeName) != "email" {
		t.Fatalf("delivery %+v", d)
	}
	fx.emulator.took()

	// Anything outside the app client's WriteAttributes is refused before the emulator sees it.
	for _, name := range []string{"email_verified", "phone_number", "custom:tier", "sub", "updated_at"} {
		_, err := fx.update(t, fx.token(), "name", "Ann", name, "x")
		wantAPIError(t, err, "NotAuthorizedException", "A client attempted to write unauthorized attribute")
	}
	if got := fx.emulator.took(); len(got) != 0 {
		t.Fatalf("refused updates reached the emulator: %q", got)
	}

	// The emulator's own refusals come back as they are.
	fx.emulator.fail = `{"__type":"InvalidParameterException","message":"user.name: Attribute does not exist in the schema."}`
	_, err = fx.update(t, fx.token(), "name", "Ann")
	wantAPIError(t, err, "InvalidParameterException", "user.name: Attribute does not exist in the schema.")
	fx.emulator.fail = ""
}

// An app client without WriteAttributes may write the standard attributes only.
func TestUpdateUserAttributesWithoutWriteAttributes(t *testing.T) {
	fx := newProfileFixture(t)
	fx.admin.client.WriteAttributes = nil
	for _, name := range []string{"name", "phone_number", "email_verified"} {
		if _, err := fx.update(t, fx.token(), name, "x"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	for _, name := range []string{"custom:tier", "dev:flag"} {
		_, err := fx.update(t, fx.token(), name, "x")
		wantAPIError(t, err, "NotAuthorizedException", msgUnwritableAttribute)
	}
}

// The access token is verified as Cognito verifies it, not only decoded as the emulator does.
func TestProfileStandInsCheckTheToken(t *testing.T) {
	fx := newProfileFixture(t)
	claims := tokentest.With(tokentest.AccessClaims(fx.now), "username", "sub-ann", "scope", "aws.cognito.signin.user.admin")
	cases := []struct {
		name, token, want string
	}{
		{"unsigned", tokentest.Unsigned(claims), "Invalid Access Token"},
		{"tampered", tokentest.TamperPayload(fx.token(), tokentest.With(claims, "username", "sub-bob")), "Invalid Access Token"},
		{"expired", fx.token("iat", fx.now.Unix()-7200, "auth_time", fx.now.Unix()-7200, "exp", fx.now.Unix()-3600), "Access Token has expired"},
		{"without the admin scope", fx.token("scope", "openid email"), "Access Token does not have required scopes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := fx.update(t, c.token, "name", "Ann")
			wantAPIError(t, err, "NotAuthorizedException", c.want)
			_, err = fx.api.GetUserAttributeVerificationCode(t.Context(), &cip.GetUserAttributeVerificationCodeInput{AccessToken: aws.String(c.token), AttributeName: aws.String("email")})
			wantAPIError(t, err, "NotAuthorizedException", c.want)
		})
	}
	if got := fx.emulator.took(); len(got) != 0 {
		t.Fatalf("refused tokens reached the emulator: %q", got)
	}
	// A global sign-out's tokens, too.
	if _, err := fx.api.GlobalSignOut(t.Context(), &cip.GlobalSignOutInput{AccessToken: aws.String(fx.token())}); err != nil {
		t.Fatal(err)
	}
	_, err := fx.update(t, fx.token(), "name", "Ann")
	wantAPIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
}

func TestGetUserAttributeVerificationCodeStandIn(t *testing.T) {
	fx := newProfileFixture(t)
	send := func() (*cip.GetUserAttributeVerificationCodeOutput, error) {
		return fx.api.GetUserAttributeVerificationCode(t.Context(), &cip.GetUserAttributeVerificationCodeInput{
			AccessToken: aws.String(fx.token()), AttributeName: aws.String("email"),
		})
	}
	// No change waiting: the code went to the current address.
	out, err := send()
	if err != nil || out.CodeDeliveryDetails == nil || aws.ToString(out.CodeDeliveryDetails.Destination) != "a***@e***" ||
		out.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(out.CodeDeliveryDetails.AttributeName) != "email" {
		t.Fatalf("current address: %+v %v", out, err)
	}
	if got := fx.emulator.took(); len(got) != 1 || !strings.HasPrefix(got[0], "GetUserAttributeVerificationCode ") || !strings.Contains(got[0], `"AttributeName":"email"`) {
		t.Fatalf("the emulator got %q", got)
	}
	// A change waiting: the code went to the new address.
	fx.writeUser(t, "ann@example.com", "zoe@example.org")
	if out, err := send(); err != nil || aws.ToString(out.CodeDeliveryDetails.Destination) != "z***@e***" {
		t.Fatalf("pending address: %+v %v", out, err)
	}
	// The emulator's refusal comes back as it is, with no delivery.
	fx.emulator.fail = `{"__type":"UserNotFoundException","message":"User does not exist."}`
	_, err = send()
	wantAPIError(t, err, "UserNotFoundException", "User does not exist.")
}

func TestMaskDestination(t *testing.T) {
	for _, c := range []struct{ medium, dest, want string }{
		{"EMAIL", "ann@example.com", "a***@e***"},
		{"EMAIL", "not-an-address", ""},
		{"SMS", "+15555551234", "+*******1234"},
		{"SMS", "123", "***"},
	} {
		if got := maskDestination(c.medium, c.dest); got != c.want {
			t.Errorf("maskDestination(%s, %q) = %q, want %q", c.medium, c.dest, got, c.want)
		}
	}
}

// A pool an earlier release made has no UserAttributeUpdateSettings, which the emulator's
// API cannot add: they are written into its data file, and nothing else changes.
func TestUpgradePoolFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, ".cognito", "db")
	if err := os.MkdirAll(db, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		// The local pool, as an earlier release left it (a user whose password holds "<&>").
		"local_old.json": `{"Options":{"Id":"local_old","Name":"monban-local","MfaConfiguration":"OPTIONAL"},"Users":{"sub-1":{"Username":"sub-1","Password":"P<&>ssw0rd!!"}}}`,
		// Another pool: left alone.
		"local_other.json": `{"Options":{"Id":"local_other","Name":"another"},"Users":{}}`,
		// The local pool with settings already: left alone.
		"local_new.json": `{"Options":{"Id":"local_new","Name":"monban-local","UserAttributeUpdateSettings":{"AttributesRequireVerificationBeforeUpdate":[]}},"Users":{}}`,
		"clients.json":   `{"Clients":{}}`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(db, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // a second run changes nothing more
		if err := upgradePoolFile(dir, localPoolName); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(db, "local_old.json"))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Options map[string]any
		Users   map[string]map[string]string
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	settings, _ := json.Marshal(got.Options["UserAttributeUpdateSettings"])
	if string(settings) != `{"AttributesRequireVerificationBeforeUpdate":["email"]}` || got.Options["MfaConfiguration"] != "OPTIONAL" ||
		got.Options["Name"] != "monban-local" || got.Users["sub-1"]["Password"] != "P<&>ssw0rd!!" {
		t.Fatalf("upgraded file: %s", b)
	}
	if info, err := os.Stat(filepath.Join(db, "local_old.json")); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("the file's permissions: %v %v", info.Mode(), err)
	}
	for name, content := range files {
		if name == "local_old.json" {
			continue
		}
		if b, err := os.ReadFile(filepath.Join(db, name)); err != nil || string(b) != content {
			t.Errorf("%s changed: %s %v", name, b, err)
		}
	}
	if err := upgradePoolFile(filepath.Join(dir, "missing"), localPoolName); err != nil {
		t.Fatalf("a folder without data: %v", err)
	}
	if err := os.WriteFile(filepath.Join(db, "broken.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := upgradePoolFile(dir, localPoolName); err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Fatalf("a broken data file: %v", err)
	}
}

// The local app client's attribute permissions and the pool's update settings are
// template.yaml's, read from the template itself (without an identity provider, whose
// mapping adds email_verified to the writable ones).
func TestAttributeSettingsAreTheTemplates(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string][]string{}
	var key string
	indent := -1
	for _, line := range strings.Split(string(b), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		depth := len(line) - len(trimmed)
		switch {
		case trimmed == "ReadAttributes:" || trimmed == "WriteAttributes:":
			key, indent = strings.TrimSuffix(trimmed, ":"), depth
		case strings.HasPrefix(trimmed, "AttributesRequireVerificationBeforeUpdate:"):
			v := strings.Trim(strings.TrimSpace(strings.TrimPrefix(trimmed, "AttributesRequireVerificationBeforeUpdate:")), "[]")
			lists["AttributesRequireVerificationBeforeUpdate"] = strings.Split(v, ", ")
		case key != "" && depth >= indent && strings.HasPrefix(trimmed, "- "):
			if item := strings.TrimPrefix(trimmed, "- "); !strings.HasPrefix(item, "!") { // a provider's
				lists[key] = append(lists[key], item)
			}
		case key != "" && trimmed != "" && !strings.HasPrefix(trimmed, "#"):
			key = ""
		}
	}
	var verified []string
	for _, a := range verifiedBeforeUpdate {
		verified = append(verified, string(a))
	}
	want := map[string][]string{
		"ReadAttributes": readAttributes, "WriteAttributes": writeAttributes,
		"AttributesRequireVerificationBeforeUpdate": verified,
	}
	for k, w := range want {
		if strings.Join(lists[k], ",") != strings.Join(w, ",") {
			t.Errorf("%s: template.yaml %v, devstack %v", k, lists[k], w)
		}
	}
}
