package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/monban-auth/monban/internal/auth"
)

// Issue 11, items 2, 6 and 7: tokens go only to the site's origins, answers that must not
// tell accounts apart take a fixed least time, and bodies are decoded strictly.

// --- item 2: token mode hands tokens only to the site's origins --------------------------

func TestTokenModeFragmentGoesOnlyToTheSitesOrigins(t *testing.T) {
	cases := []struct {
		redirectTo string
		tokens     bool
	}{
		{"/app", true},                              // the site itself
		{"https://app.example.com/x", true},         // one of MONBAN_ALLOWED_ORIGINS
		{"https://partner.example.net/back", false}, // MONBAN_REDIRECT_ALLOWLIST only
		{"https://PARTNER.example.net/back#keep", false},
	}
	for _, c := range cases {
		t.Run(c.redirectTo, func(t *testing.T) {
			fx := newFixture(t, func(d *Deps) { d.TokenMode = true })
			w := fx.signIn(c.redirectTo)
			loc := w.Header().Get("Location")
			u, err := url.Parse(loc)
			if w.Code != http.StatusFound || err != nil {
				t.Fatalf("callback: %d %q", w.Code, loc)
			}
			frag, _ := url.ParseQuery(u.Fragment)
			if got := frag.Get("access_token") != ""; got != c.tokens {
				t.Fatalf("tokens in the fragment of %q: %v, want %v", loc, got, c.tokens)
			}
			if !c.tokens {
				for _, secret := range []string{secretAccess, secretID, "refresh_token", "id_token"} {
					if strings.Contains(loc, secret) {
						t.Fatalf("a redirect-only origin was handed %q: %s", secret, loc)
					}
				}
				// The target is kept as it was asked for (its own fragment included).
				if loc != c.redirectTo {
					t.Fatalf("Location = %q, want %q", loc, c.redirectTo)
				}
			}
			// Either way the browser is signed in by its cookies.
			var names []string
			for _, c := range fx.cookies {
				names = append(names, c.Name)
			}
			if all := strings.Join(names, " "); !strings.Contains(all, "monban-session") || !strings.Contains(all, "monban-refresh") {
				t.Fatalf("session cookies not set: %s", all)
			}
		})
	}
}

// --- item 6: the answer floor ----------------------------------------------------------

// floorPool plays the Cognito calls whose answers must not tell addresses apart. It takes
// different (fake) time for existing and unknown addresses, as the real one does, by moving
// the fixture's clock, and counts the calls.
type floorPool struct {
	*fakeCognito
	fx       *fixture
	existing string
	fast     time.Duration // what an early refusal takes
	slow     time.Duration // what real work (a code sent, a user created) takes
	fail     error         // when set, every call fails so, after slow
	calls    map[string]int
}

func (p *floorPool) took(op, name string, work bool) error {
	p.calls[op+" "+name]++
	if p.fail != nil {
		p.fx.now = p.fx.now.Add(p.slow)
		return p.fail
	}
	if work {
		p.fx.now = p.fx.now.Add(p.slow)
	} else {
		p.fx.now = p.fx.now.Add(p.fast)
	}
	return nil
}

func (p *floorPool) ForgotPassword(_ context.Context, in *cip.ForgotPasswordInput, _ ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error) {
	name := aws.ToString(in.Username)
	if err := p.took("ForgotPassword", name, name == p.existing); err != nil {
		return nil, err
	}
	if name != p.existing {
		return nil, &smithy.GenericAPIError{Code: "UserNotFoundException", Message: "Username/client id combination not found."}
	}
	return &cip.ForgotPasswordOutput{CodeDeliveryDetails: &types.CodeDeliveryDetailsType{DeliveryMedium: types.DeliveryMediumTypeEmail, Destination: aws.String("a***@e***")}}, nil
}

func (p *floorPool) ResendConfirmationCode(_ context.Context, in *cip.ResendConfirmationCodeInput, _ ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error) {
	name := aws.ToString(in.Username)
	if err := p.took("ResendConfirmationCode", name, name == p.existing); err != nil {
		return nil, err
	}
	if name != p.existing {
		return nil, &smithy.GenericAPIError{Code: "UserNotFoundException", Message: "Username/client id combination not found."}
	}
	return &cip.ResendConfirmationCodeOutput{CodeDeliveryDetails: &types.CodeDeliveryDetailsType{DeliveryMedium: types.DeliveryMediumTypeEmail}}, nil
}

func (p *floorPool) SignUp(_ context.Context, in *cip.SignUpInput, _ ...func(*cip.Options)) (*cip.SignUpOutput, error) {
	name := aws.ToString(in.Username)
	// Creating a user is the slow branch here; a taken address is refused early.
	if err := p.took("SignUp", name, name != p.existing); err != nil {
		return nil, err
	}
	if name == p.existing {
		return nil, &smithy.GenericAPIError{Code: "UsernameExistsException", Message: "User already exists"}
	}
	return &cip.SignUpOutput{UserConfirmed: false, UserSub: aws.String("sub-new"),
		CodeDeliveryDetails: &types.CodeDeliveryDetailsType{DeliveryMedium: types.DeliveryMediumTypeEmail}}, nil
}

// floorFixture is a fixture whose flows run on a floorPool, with the floor's sleeper
// recording what it was asked to wait (and moving the clock by it): no real time passes.
func floorFixture(t *testing.T, floor time.Duration, hide bool) (*fixture, *floorPool, *[]time.Duration) {
	t.Helper()
	var slept []time.Duration
	var pool *floorPool
	fx := newFixture(t, func(d *Deps) {
		pool = &floorPool{fakeCognito: &fakeCognito{now: d.Now, lifetime: time.Hour}, existing: "ann@example.com",
			fast: 3 * time.Millisecond, slow: 40 * time.Millisecond, calls: map[string]int{}}
		d.Auth = auth.NewService(auth.Config{
			CallbackURL: callbackURL, Scopes: []string{"openid"}, Now: d.Now,
			HideExistingUsers: hide,
			AnswerFloor: auth.AnswerFloor{Min: floor, Sleep: func(_ context.Context, d time.Duration) {
				slept = append(slept, d)
				pool.fx.now = pool.fx.now.Add(d)
			}},
		}, auth.Deps{Pool: testPool(pool)})
	})
	pool.fx = fx
	return fx, pool, &slept
}

// timed posts body to path and returns the answer and the (fake) time it took.
func timed(fx *fixture, path, body string) (status int, answer string, took time.Duration) {
	start := fx.now
	w := fx.post(path, body)
	return w.Code, w.Body.String(), fx.now.Sub(start)
}

func TestAnswersThatHideAccountsTakeTheFloor(t *testing.T) {
	endpoints := []struct {
		path, body string
		hide       bool
	}{
		{"/auth/forgot-password", `{"email":"%s"}`, false},
		{"/auth/resend-code", `{"email":"%s"}`, false},
		{"/auth/sign-up", `{"email":"%s","password":"Corr3ct-Horse!"}`, true},
	}
	for _, e := range endpoints {
		t.Run(e.path, func(t *testing.T) {
			fx, pool, slept := floorFixture(t, 0, e.hide)
			type outcome struct {
				status int
				answer string
				took   time.Duration
			}
			var got []outcome
			// One initial, so that the masked address hidden sign-up answers with is the same.
			for _, addr := range []string{"ann@example.com", "amy@example.com"} {
				st, ans, took := timed(fx, e.path, strings.Replace(e.body, "%s", addr, 1))
				got = append(got, outcome{st, ans, took})
			}
			if got[0].status != http.StatusOK || got[0] != got[1] {
				t.Fatalf("existing and unknown addresses answered differently:\n%+v\n%+v", got[0], got[1])
			}
			if got[0].took != auth.DefaultAnswerFloor {
				t.Fatalf("answers took %v, want the default floor %v", got[0].took, auth.DefaultAnswerFloor)
			}
			if len(*slept) != 2 {
				t.Fatalf("slept %v, want one wait per answer", *slept)
			}
			// The same code path: one Cognito call for either kind of address.
			for name, n := range pool.calls {
				if n != 1 {
					t.Fatalf("%s: %d calls", name, n)
				}
			}
			if len(pool.calls) != 2 {
				t.Fatalf("calls = %v", pool.calls)
			}
		})
	}
}

func TestTheFloorNeverShortensOrHoldsWhatItNeedNot(t *testing.T) {
	t.Run("a slower answer is not held", func(t *testing.T) {
		fx, pool, slept := floorFixture(t, 0, false)
		pool.slow = 500 * time.Millisecond
		if _, _, took := timed(fx, "/auth/forgot-password", `{"email":"ann@example.com"}`); took != 500*time.Millisecond || len(*slept) != 0 {
			t.Fatalf("took %v, slept %v", took, *slept)
		}
	})
	t.Run("a configured floor", func(t *testing.T) {
		fx, _, _ := floorFixture(t, 750*time.Millisecond, false)
		if _, _, took := timed(fx, "/auth/forgot-password", `{"email":"amy@example.com"}`); took != 750*time.Millisecond {
			t.Fatalf("took %v", took)
		}
	})
	t.Run("a negative floor turns it off", func(t *testing.T) {
		fx, _, slept := floorFixture(t, -1, false)
		if _, _, took := timed(fx, "/auth/forgot-password", `{"email":"amy@example.com"}`); took != 3*time.Millisecond || len(*slept) != 0 {
			t.Fatalf("took %v, slept %v", took, *slept)
		}
	})
	t.Run("a failure from Cognito is held too", func(t *testing.T) {
		fx, pool, _ := floorFixture(t, 0, false)
		pool.fail = &smithy.GenericAPIError{Code: "LimitExceededException", Message: "Attempt limit exceeded"}
		if st, _, took := timed(fx, "/auth/forgot-password", `{"email":"ann@example.com"}`); st != http.StatusTooManyRequests || took != auth.DefaultAnswerFloor {
			t.Fatalf("%d after %v", st, took)
		}
	})
	t.Run("open sign-up tells taken addresses anyway and is not held", func(t *testing.T) {
		fx, _, slept := floorFixture(t, 0, false)
		if st, _, _ := timed(fx, "/auth/sign-up", `{"email":"ann@example.com","password":"Corr3ct-Horse!"}`); st != http.StatusConflict || len(*slept) != 0 {
			t.Fatalf("%d, slept %v", st, *slept)
		}
	})
	t.Run("a refused body is answered at once", func(t *testing.T) {
		fx, pool, slept := floorFixture(t, 0, false)
		if st, _, _ := timed(fx, "/auth/forgot-password", `{"email":1}`); st != http.StatusBadRequest || len(*slept) != 0 || len(pool.calls) != 0 {
			t.Fatalf("%d, slept %v, calls %v", st, *slept, pool.calls)
		}
	})
	t.Run("the floor counts from the request's start", func(t *testing.T) {
		fx, pool, slept := floorFixture(t, 0, false)
		pool.slow = 100 * time.Millisecond
		timed(fx, "/auth/forgot-password", `{"email":"ann@example.com"}`)
		if len(*slept) != 1 || (*slept)[0] != auth.DefaultAnswerFloor-100*time.Millisecond {
			t.Fatalf("slept %v, want the floor less the 100ms Cognito took", *slept)
		}
	})
}

// --- item 7: bodies ------------------------------------------------------------------

func TestBodySizeIsCheckedBeforeItsContent(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		status int
	}{
		{"valid JSON then 1 MiB of whitespace", `{}` + strings.Repeat(" ", 1<<20), http.StatusRequestEntityTooLarge},
		{"valid JSON then whitespace, one byte over", `{}` + strings.Repeat("\n", MaxBodyBytes-1), http.StatusRequestEntityTooLarge},
		{"valid JSON then whitespace, exactly the limit", `{}` + strings.Repeat("\t", MaxBodyBytes-2), http.StatusOK},
		{"trailing garbage past the limit", `{}x` + strings.Repeat("x", MaxBodyBytes), http.StatusRequestEntityTooLarge},
		{"malformed and oversized", `{"` + strings.Repeat("a", MaxBodyBytes), http.StatusRequestEntityTooLarge},
		{"trailing data within the limit", `{} {}`, http.StatusBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx := newFixture(t)
			fx.signIn("/")
			w := fx.post("/auth/refresh", c.body)
			if w.Code != c.status {
				t.Fatalf("%d %s, want %d", w.Code, w.Body, c.status)
			}
			if c.status != http.StatusOK && errorCode(t, w) != auth.CodeInvalidRequest {
				t.Fatalf("code %s", errorCode(t, w))
			}
		})
	}
}

func TestBodiesRefuseDuplicateAndMiscasedFields(t *testing.T) {
	cases := []struct {
		name, path, body, message string
	}{
		{"a duplicate field", "/auth/forgot-password", `{"email":"a@example.com","email":"b@example.com"}`, `duplicate field "email"`},
		{"a duplicate spelled with an escape", "/auth/forgot-password", `{"email":"a@example.com","\u0065mail":"b@example.com"}`, `duplicate field "email"`},
		{"a field in another case", "/auth/forgot-password", `{"Email":"a@example.com"}`, `unknown field "Email"`},
		{"an upper-case field", "/auth/refresh", `{"REFRESH_TOKEN":"x"}`, `unknown field "REFRESH_TOKEN"`},
		{"a Unicode case fold (long s)", "/auth/sign-up", `{"email":"a@example.com","password":"p","\u017fign_in":true}`, `unknown field "ſign_in"`},
		{"a field of an embedded struct in another case", "/auth/sign-up", `{"Username":"a","password":"p"}`, `unknown field "Username"`},
		{"a duplicate of an embedded struct's field", "/auth/challenge", `{"code":"1","code":"2"}`, `duplicate field "code"`},
		{"a duplicate attribute", "/auth/sign-up", `{"email":"a@example.com","password":"p","attributes":{"name":"a","name":"b"}}`, `duplicate field "attributes.name"`},
		{"a duplicate attribute of a challenge answer", "/auth/challenge", `{"attributes":{"name":"a","name":"b"}}`, `duplicate field "attributes.name"`},
		{"an object where a string goes", "/auth/refresh", `{"refresh_token":{"a":1,"a":2}}`, `field "refresh_token" has the wrong type`},
		{"an array where an object goes", "/auth/refresh", `[{"a":1,"a":2}]`, `body must be a JSON object`},
		{"a field the empty body has none of", "/auth/mfa/totp/setup", `{"x":1}`, `unknown field "x"`},
		{"the duplicate is found before a later syntax error", "/auth/forgot-password", `{"email":"a","email":"b",`, `duplicate field "email"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fx, pool, _ := floorFixture(t, -1, false)
			w := fx.post(c.path, c.body)
			var b errorBody
			json.Unmarshal(w.Body.Bytes(), &b)
			if w.Code != http.StatusBadRequest || b.Error.Code != auth.CodeInvalidRequest || !strings.Contains(b.Error.Message, c.message) {
				t.Fatalf("%d %s, want 400 invalid_request naming %s", w.Code, w.Body, c.message)
			}
			if len(pool.calls) != 0 {
				t.Fatalf("a refused body reached Cognito: %v", pool.calls)
			}
		})
	}
}

func TestStrictBodiesStillAcceptWhatIsDocumented(t *testing.T) {
	fx, pool, _ := floorFixture(t, -1, false)
	for _, body := range []string{`{"email":"ann@example.com"}`, "\n{ \"username\" : \"amy@example.com\" }\n"} {
		if w := fx.post("/auth/forgot-password", body); w.Code != http.StatusOK {
			t.Fatalf("%q: %d %s", body, w.Code, w.Body)
		}
	}
	// An empty body still reads as {} (then the flow wants a name).
	for _, body := range []string{``, ` `, `{}`} {
		var b errorBody
		w := fx.post("/auth/forgot-password", body)
		json.Unmarshal(w.Body.Bytes(), &b)
		if w.Code != http.StatusBadRequest || b.Error.Message != "username or email is required" {
			t.Fatalf("%q: %d %s", body, w.Code, w.Body)
		}
	}
	// Attribute names are Cognito's and case-sensitive: "Name" and "name" are two.
	w := fx.post("/auth/sign-up", `{"email":"new@example.com","password":"Corr3ct-Horse!","attributes":{"name":"a","Name":"b","custom:x":"c"},"sign_in":false}`)
	if w.Code != http.StatusOK {
		t.Fatalf("sign-up: %d %s", w.Code, w.Body)
	}
	if pool.calls["SignUp new@example.com"] != 1 {
		t.Fatalf("calls = %v", pool.calls)
	}
}

// The names strictKeys allows are exactly those encoding/json decodes into (with their
// documented case): the same rules for tags, "-", unexported and embedded fields, and
// names two embedded structs both promote.
func TestJSONFieldsAreEncodingJSONs(t *testing.T) {
	type Inner struct {
		Deep   string `json:"deep"`
		Shadow string `json:"shadow"`
		Twice  string `json:"twice"`
	}
	type Other struct {
		Twice string `json:"twice"`
	}
	type inner struct {
		Promoted string `json:"promoted"`
	}
	type Named struct {
		X string `json:"x"`
	}
	type Sample struct {
		Inner
		*Other
		inner
		Named    `json:"named"`
		Plain    string
		Tagged   string `json:"tagged,omitempty"`
		Skipped  string `json:"-"`
		Dash     string `json:"-,"`
		Shadow   int    `json:"shadow"`
		private  string
		Pointer  *Named            `json:"pointer"`
		List     []Named           `json:"list"`
		Map      map[string]string `json:"map"`
		Raw      json.RawMessage   `json:"raw"`
		Time     time.Time         `json:"time"`
		Anything any               `json:"anything"`
	}
	_ = Sample{}.private
	var names []string
	for name := range shapeOf(reflect.TypeFor[Sample]()).fields {
		names = append(names, name)
	}
	slices.Sort(names)
	want := []string{"-", "Plain", "anything", "deep", "list", "map", "named", "pointer", "promoted", "raw", "shadow", "tagged", "time"}
	if !slices.Equal(names, want) {
		t.Fatalf("fields %q\nwant   %q", names, want)
	}
	// encoding/json agrees: each listed name decodes, and the others are unknown to it.
	for _, name := range append(want, "Skipped", "private", "twice", "Twice") {
		var s Sample
		dec := json.NewDecoder(strings.NewReader(`{"` + name + `":null}`))
		dec.DisallowUnknownFields()
		err := dec.Decode(&s)
		if slices.Contains(want, name) != (err == nil) {
			t.Errorf("encoding/json on %q: %v", name, err)
		}
	}
	s := shapeOf(reflect.TypeFor[Sample]())
	if s.fields["list"].elem.fields == nil || s.fields["pointer"].fields == nil || s.fields["map"].elem == nil {
		t.Fatal("nested shapes are missing")
	}
	if s.fields["time"].kind != opaqueShape || s.fields["raw"].kind != opaqueShape || s.fields["anything"].kind != opaqueShape {
		t.Fatal("a type that decodes itself must be opaque")
	}
}

// strictKeys follows the Go type: into structs (exact names), maps and lists of them, and
// values that take anything (duplicates only); it stops where the decoder refuses the type.
func TestStrictKeysFollowsTheType(t *testing.T) {
	type Item struct {
		ID string `json:"id"`
	}
	type Body struct {
		Items []Item          `json:"items"`
		Bykey map[string]Item `json:"byKey"`
		Any   any             `json:"any"`
		Name  string          `json:"name"`
	}
	root := shapeOf(reflect.TypeFor[*Body]())
	cases := []struct{ body, err string }{
		{`{"items":[{"id":"a"},{"id":"b"}],"byKey":{"a":{"id":"x"},"A":{"id":"y"}},"any":{"X":[{"y":1}]},"name":"n"}`, ""},
		{`{"items":[{"id":"a"},{"ID":"b"}]}`, `unknown field "items.ID" (field names are case-sensitive: "id")`},
		{`{"byKey":{"a":{"id":"x","id":"y"}}}`, `duplicate field "byKey.a.id"`},
		{`{"byKey":{"a":{},"a":{}}}`, `duplicate field "byKey.a"`},
		{`{"any":[1,{"k":1,"k":2}]}`, `duplicate field "any.k"`},
		{`{"name":{"k":1,"k":2}}`, ""},                      // the wrong type: the decoder's
		{`{"items":{"id":"a","id":"b"}}`, ""},               // likewise
		{`{"name":` + strings.Repeat("[", 10000) + `}`, ""}, // and never walked into
		{`{"name":"a"} {"name":"b","name":"c"}`, ""},        // trailing data: the decoder's
		{`{"name":"a","bogus"`, `unknown field "bogus"`},    // found before the syntax error
		{`{"name":"a",,"name":"b"}`, ""},                    // a syntax error first
		{`{"name":"a","name":"b"}`, `duplicate field "name"`},
		{`{"\u006eame":"a","name":"b"}`, `duplicate field "name"`},
		{`{"` + strings.Repeat("n", 200) + `":1}`, `unknown field "` + strings.Repeat("n", 64) + `"`}, // bounded in messages
	}
	for _, c := range cases {
		err := strictKeys([]byte(c.body), root)
		got := ""
		if err != nil {
			var e *auth.Error
			if !errors.As(err, &e) || e.Code != auth.CodeInvalidRequest {
				t.Fatalf("%.80s: %v", c.body, err)
			}
			got = e.Message
		}
		if got != c.err {
			t.Errorf("%.80s:\n got %q\nwant %q", c.body, got, c.err)
		}
	}
}

// A body of thousands of keys is checked in linear time (a set past a few keys).
func TestManyKeysAreCheckedWithoutQuadraticCost(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"attributes":{`)
	for i := 0; b.Len() < MaxBodyBytes-40; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":0`)
	}
	b.WriteString(`,"k7":0}}`)
	err := strictKeys([]byte(b.String()), shapeOf(reflect.TypeFor[auth.SignUpRequest]()))
	if err == nil || !strings.Contains(err.Error(), `duplicate field "attributes.k7"`) {
		t.Fatalf("err = %v", err)
	}
}
