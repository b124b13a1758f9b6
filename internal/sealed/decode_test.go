package sealed

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// filled is a session already holding a value in every field: json.Unmarshal keeps what the
// payload does not mention, adds to the map and replaces the slice, and DecodeSealed must too.
func filled() Session {
	return Session{
		AccessToken: "old-token", ExpiresAt: time.Unix(1, 0).UTC(),
		User: User{Sub: "old-sub", Username: "old-user", Email: "old@example.com", EmailVerified: true,
			Groups: []string{"old-1", "old-2", "old-3"}, GroupsTruncated: true, Attributes: map[string]string{"old": "1", "name": "Old"}},
	}
}

// decodeBoth decodes in into a copy of start with DecodeSealed and, if it accepts, with
// json.Unmarshal, failing on any difference. A declined input must leave the copy untouched.
// It reports whether DecodeSealed accepted.
func decodeBoth[T any, P interface {
	*T
	DecodeSealed([]byte) bool
}](t *testing.T, in string, start func() T) bool {
	t.Helper()
	got := start()
	if !P(&got).DecodeSealed([]byte(in)) {
		if !reflect.DeepEqual(got, start()) {
			t.Fatalf("declined %q but changed the value to %+v", in, got)
		}
		return false
	}
	want := start()
	if err := json.Unmarshal([]byte(in), &want); err != nil {
		t.Fatalf("decoded %q, which json.Unmarshal refuses: %v", in, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded %q to\n%#v\njson.Unmarshal decodes\n%#v", in, got, want)
	}
	return true
}

// sessionPayloads are payloads a session cookie could hold, the first ones as Seal writes
// them; decoded says whether DecodeSealed reads them itself (the rest go to json.Unmarshal).
var sessionPayloads = []struct {
	name    string
	in      string
	decoded bool
}{
	{"a session as Seal writes it", mustMarshal(Session{AccessToken: "tok", ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		User: User{Sub: "s", Username: "u", Email: "e@example.com", EmailVerified: true, Groups: []string{"a", "b"}, Attributes: map[string]string{"name": "Ann & Bob <x>"}}}), true},
	{"a session without groups or attributes", mustMarshal(Session{AccessToken: "tok", ExpiresAt: time.Unix(1893553445, 5).In(time.FixedZone("", 3600))}), true},
	{"a session with every field", mustMarshal(Session{AccessToken: "t", User: User{Email: "e", GroupsTruncated: true, Groups: []string{}, Attributes: map[string]string{}}}), true},
	{"members in another order, with spaces", ` { "u" : { "attributes" : { "k" : "v" } , "sub" : "s" } , "exp" : "2030-01-02T03:04:05Z" , "at" : "tok" } `, true},
	{"escapes in strings", `{"at":"a\"b\\c\u00e9\n","u":{"email":"\u0061@b","attributes":{"\u006b":"\/"}}}`, true},
	{"unknown members at both levels", `{"x":{"y":[1,2.5,null,true]},"at":"t","u":{"z":"q","sub":"s"},"w":null}`, true},
	{"nulls where a value may be null", `{"at":null,"exp":null,"u":{"sub":null,"username":null,"email":null,"email_verified":null,"groups":null,"groups_truncated":null,"attributes":null}}`, true},
	{"a null user", `{"at":"t","u":null}`, true},
	{"false booleans", `{"u":{"email_verified":false,"groups_truncated":false}}`, true},
	{"empty strings", `{"at":"","u":{"sub":"","email":""}}`, true},
	{"an empty object", `{}`, true},
	{"an exp with a fraction and offset", `{"exp":"2030-01-02T03:04:05.123456789+09:00"}`, true},

	{"a member in other capitals", `{"AT":"t"}`, false},
	{"a user member in other capitals", `{"u":{"Sub":"s"}}`, false},
	{"a member folding to a known one", `{"u":{"ſub":"s"}}`, false},
	{"a duplicate member", `{"at":"a","at":"b"}`, false},
	{"a duplicate user", `{"u":{"sub":"a"},"u":{"email":"b"}}`, false},
	{"a duplicate user member", `{"u":{"groups":["a"],"groups":["b"]}}`, false},
	{"a duplicate exp", `{"exp":null,"exp":"2030-01-02T03:04:05Z"}`, false},
	{"a duplicate attributes", `{"u":{"attributes":null,"attributes":{"a":"b"}}}`, false},
	{"an exp that is not RFC 3339", `{"exp":"yesterday"}`, false},
	{"an exp as a number", `{"exp":1893553445}`, false},
	{"an exp with an escape", `{"exp":"2030-01-02T03:04:05\u005a"}`, false},
	{"a number for a string", `{"at":1}`, false},
	{"a string for a boolean", `{"u":{"email_verified":"true"}}`, false},
	{"a string for the groups", `{"u":{"groups":"a"}}`, false},
	{"a null group", `{"u":{"groups":[null]}}`, false},
	{"a number in the groups", `{"u":{"groups":[1]}}`, false},
	{"a null attribute", `{"u":{"attributes":{"a":null}}}`, false},
	{"an attribute that is a number", `{"u":{"attributes":{"a":1}}}`, false},
	{"attributes as an array", `{"u":{"attributes":[]}}`, false},
	{"a user as a string", `{"u":"s"}`, false},
	{"invalid UTF-8", "{\"at\":\"\xff\"}", false},
	{"a surrogate pair", `{"at":"\ud83d\ude00"}`, false},
	{"trailing data", `{"at":"t"}x`, false},
	{"two objects", `{}{}`, false},
	{"not an object", `["at"]`, false},
	{"null", `null`, false},
	{"truncated", `{"at":"t"`, false},
	{"a trailing comma", `{"at":"t",}`, false},
	{"an unknown member that is not JSON", `{"x":[1,}`, false},
	{"empty", ``, false},
}

func mustMarshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestSessionDecodesAsJSONDoes(t *testing.T) {
	for _, tt := range sessionPayloads {
		t.Run(tt.name, func(t *testing.T) {
			for _, start := range []func() Session{func() Session { return Session{} }, filled} {
				if got := decodeBoth(t, tt.in, start); got != tt.decoded {
					t.Fatalf("DecodeSealed(%s) = %v, want %v", tt.in, got, tt.decoded)
				}
			}
		})
	}
}

// A long access token, as Cognito issues, decodes whatever its length.
func TestSessionDecodesLongTokens(t *testing.T) {
	for n := range 40 {
		s := Session{AccessToken: strings.Repeat("eyJ.", 250+n)[:1000+n], User: User{Groups: []string{strings.Repeat("g", n)}}}
		if !decodeBoth(t, mustMarshal(s), func() Session { return Session{} }) {
			t.Fatalf("a session with a %d-byte token was declined", 1000+n)
		}
	}
}

func TestSessionTokenDecodesAsJSONDoes(t *testing.T) {
	for _, tt := range sessionPayloads {
		t.Run(tt.name, func(t *testing.T) {
			for _, start := range []func() SessionToken{func() SessionToken { return SessionToken{} }, func() SessionToken { return SessionToken{AccessToken: "old"} }} {
				decodeBoth(t, tt.in, start)
			}
		})
	}
	tests := []struct {
		in      string
		decoded bool
	}{
		{mustMarshal(Session{AccessToken: "tok", User: User{Sub: "s", Groups: []string{"a"}}}), true},
		{`{"at":null}`, true},
		{`{"at":"a","at":"b"}`, false},
		{`{"At":"a"}`, false},
		{`{"at":1}`, false},
		{`{"u":{"groups":[null]},"at":"t"}`, true}, // skipped, not decoded
		{`{"u":[1,}`, false},
		{`{"at":"t"} x`, false},
	}
	for _, tt := range tests {
		if got := decodeBoth(t, tt.in, func() SessionToken { return SessionToken{AccessToken: "old"} }); got != tt.decoded {
			t.Errorf("DecodeSealed(%s) = %v, want %v", tt.in, got, tt.decoded)
		}
	}
}

func FuzzSessionDecode(f *testing.F) {
	for _, tt := range sessionPayloads {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		decodeBoth(t, in, func() Session { return Session{} })
		decodeBoth(t, in, filled)
		decodeBoth(t, in, func() SessionToken { return SessionToken{AccessToken: "old"} })
	})
}

// BenchmarkSessionDecode compares DecodeSealed with json.Unmarshal on a signed-in user's
// session payload (a Cognito-sized access token, two groups, one attribute).
func BenchmarkSessionDecode(b *testing.B) {
	payload := []byte(mustMarshal(Session{
		AccessToken: "eyJraWQiOiJ" + strings.Repeat("QWxhZGRpbjpvcGVuIHNlc2FtZQ", 42),
		ExpiresAt:   time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		User: User{Sub: "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d", Username: "a4f8e2c1-3b6d-4e9a-8f7c-2d1e0b9a8c7d",
			Email: "alice@example.com", EmailVerified: true, Groups: []string{"admins", "staff"},
			Attributes: map[string]string{"name": "Alice Example"}},
	}))
	b.Run("DecodeSealed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !new(Session).DecodeSealed(payload) {
				b.Fatal("declined")
			}
		}
	})
	b.Run("encoding_json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := json.Unmarshal(payload, new(Session)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
