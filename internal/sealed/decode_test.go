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
	for _, s := range sealedLayouts {
		f.Add(mustMarshal(s))
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

// sealedLayouts are sessions as Seal writes them (json.Marshal): DecodeSealed reads each in
// its fast path, and must read them exactly as encoding/json does.
var sealedLayouts = []Session{
	{AccessToken: "tok", ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		User: User{Sub: "s", Username: "u", Email: "e@example.com", EmailVerified: true, Groups: []string{"a", "b"}, Attributes: map[string]string{"name": "Ann"}}},
	{},
	{AccessToken: "t", ExpiresAt: time.Unix(1893553445, 123456789).In(time.FixedZone("", -7*3600)),
		User: User{Groups: []string{}, GroupsTruncated: true, Attributes: map[string]string{}}},
	{AccessToken: `quote " backslash \ slash / <html> & é € 😀 ` + "\x01\t\n\u2028",
		User: User{Sub: "\"", Username: "\\", Email: "é", Groups: []string{"", `"`, "g\n"}, Attributes: map[string]string{"": "", "k\"": "v\\", "é": "😀", "b": "2", "a": "1"}}},
	{AccessToken: strings.Repeat("eyJ.", 300), User: User{Sub: strings.Repeat("s", 100), Groups: []string{strings.Repeat("g", 64)}}},
}

// Seal's layout takes the fast path (sealedSession), and it decodes what encoding/json does.
func TestSessionReadsSealedLayoutDirectly(t *testing.T) {
	for _, s := range sealedLayouts {
		in := mustMarshal(s)
		var got Session
		m := newMembers([]byte(in))
		if !m.sealedSession(&got) {
			t.Fatalf("the fast path declined %s", in)
		}
		for _, start := range []func() Session{func() Session { return Session{} }, filled} {
			if !decodeBoth(t, in, start) {
				t.Fatalf("declined %s", in)
			}
		}
	}
}

// Seal's layout with one member edited in each way that json.Unmarshal reads differently or
// refuses, or that the fast path must leave to the general reading: every result is held to
// encoding/json's, and none may be declined where encoding/json reads the same value with
// no merging or folding the readers leave to it.
func TestSessionEditedSealedLayouts(t *testing.T) {
	base := mustMarshal(sealedLayouts[0])
	edits := []struct {
		old, new string
		decoded  bool
	}{
		{`{"at":`, `{ "at":`, true},
		{`{"at":`, `{"at" :`, true},
		{`"tok"`, ` "tok"`, true},
		{`,"exp":`, ` ,"exp":`, true},
		{`,"u":{`, `,"u": {`, true},
		{`"groups":["a","b"]`, `"groups":[ "a","b"]`, true},
		{`"groups":["a","b"]`, `"groups":["a" ,"b"]`, true},
		{`"groups":["a","b"]`, `"groups":["a","b" ]`, true},
		{`"groups":["a","b"]`, `"groups":null`, true},
		{`"groups":["a","b"]`, `"groups":[]`, true},
		{`"groups":["a","b"]`, `"groups":[null]`, false},
		{`"groups":["a","b"]`, `"groups":["a",null]`, false},
		{`"groups":["a","b"]`, `"groups":["a",1]`, false},
		{`"groups":["a","b"]`, `"groups":["a","b",]`, false},
		{`"groups":["a","b"]`, `"groups":["a""b"]`, false},
		{`"groups":["a","b"]`, `"groups":["a"`, false},
		{`"groups":["a","b"]`, `"groups":{}`, false},
		{`"attributes":{"name":"Ann"}`, `"attributes":null`, true},
		{`"attributes":{"name":"Ann"}`, `"attributes":{}`, true},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1","a":"2"}`, true},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"\u0061":"1","a":"2"}`, true},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"A":"1","a":"2"}`, true},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a" :"1"}`, true},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1" }`, true},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1" ,"b":"2"}`, true},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":null}`, false},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":1}`, false},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a"}`, false},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1",}`, false},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1"`, false},
		{`"attributes":{"name":"Ann"}`, `"attributes":{a:"1"}`, false},
		{`"attributes":{"name":"Ann"}`, `"attributes":["a"]`, false},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1"},"attributes":{"b":"2"}`, false},
		{`"email":"e@example.com",`, ``, true},
		{`"email":"e@example.com"`, `"email":null`, true},
		{`"email":"e@example.com"`, `"email":""`, true},
		{`"email":"e@example.com"`, `"email":"e\u0040example.com"`, true},
		{`"email":"e@example.com"`, `"email":1`, false},
		{`"email":"e@example.com"`, `"email":"e@example.com","email":"f"`, false},
		{`"email":"e@example.com"`, `"Email":"e@example.com"`, false},
		{`"email_verified":true`, `"email_verified":false`, true},
		{`"email_verified":true`, `"email_verified":null`, true},
		{`"email_verified":true`, `"email_verified":"true"`, false},
		{`"email_verified":true`, `"email_verified":tru`, false},
		{`"email_verified":true`, `"email_verified":truex`, false},
		{`"email_verified":true,`, ``, true},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":true,`, true},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":false,`, true},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":null,`, true},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":1,`, false},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":true,"groups_truncated":true,`, false},
		{`"groups":["a","b"],`, `"groups_truncated":true,"groups":["a","b"],`, true},
		{`"groups":["a","b"],`, ``, true},
		{`,"attributes":{"name":"Ann"}`, ``, true},
		{`"sub":"s","username":"u"`, `"username":"u","sub":"s"`, true},
		{`"sub":"s"`, `"sub":null`, true},
		{`"sub":"s"`, `"sub":"s","x":1`, true},
		{`"sub":"s"`, `"Sub":"s"`, false},
		{`"sub":"s"`, `"ſub":"s"`, false},
		{`"sub":"s"`, `"sub":"s","sub":"t"`, false},
		{`"sub":"s"`, `"sub":"\ud83d\ude00"`, false},
		{`"sub":"s"`, "\"sub\":\"\xff\"", false},
		{`"sub":"s"`, "\"sub\":\"\x01\"", false},
		{`"sub":"s"`, `"sub":"s`, false},
		{`"username":"u"`, `"username":"\u00e9\n"`, true},
		{`"username":"u"`, `"username":"é"`, true},
		{`"tok"`, `"t\"ok"`, true},
		{`"tok"`, `null`, true},
		{`"tok"`, `1`, false},
		{`{"at":"tok",`, `{"at":"tok","at":"tok",`, false},
		{`{"at":"tok",`, `{"AT":"tok",`, false},
		{`{"at":"tok",`, `{`, true},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":null`, true},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":"2030-01-02T03:04:05.5+09:00"`, true},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":"2030-01-02T03:04:05\u005a"`, false},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":"2030-13-02T03:04:05Z"`, false},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":1`, false},
		{`,"exp":"2030-01-02T03:04:05Z"`, ``, true},
		{`"u":{`, `"u":null,"v":{`, true},
		{`"u":{`, `"U":{`, false},
		{`}}`, `},"x":[1,{"y":null}]}`, true},
		{`}}`, `}} `, true},
		{`}}`, `}}x`, false},
		{`}}`, `}}{}`, false},
		{`}}`, `}`, false},
		{`}}`, `}},`, false},
	}
	for _, e := range edits {
		if !strings.Contains(base, e.old) {
			t.Fatalf("%s does not hold %s", base, e.old)
		}
		in := strings.Replace(base, e.old, e.new, 1)
		for _, start := range []func() Session{func() Session { return Session{} }, filled} {
			if got := decodeBoth(t, in, start); got != e.decoded {
				t.Errorf("DecodeSealed(%s) = %v, want %v", in, got, e.decoded)
			}
		}
	}
}

// Seal's layout cut short, with a byte left out, and with each kind of byte put in or
// over each place: every outcome is encoding/json's, whichever reading takes it.
func TestSessionMangledSealedLayouts(t *testing.T) {
	bytesIn := []string{" ", "\n", `"`, `\`, ",", ":", "{", "}", "[", "]", "x", "0", "n", "\x00", "\x1f", "\x7f", "\x80", "\xff", "é"}
	for _, s := range sealedLayouts[:4] {
		base := mustMarshal(s)
		var ins []string
		for i := range len(base) + 1 {
			ins = append(ins, base[:i])
			if i < len(base) {
				ins = append(ins, base[:i]+base[i+1:])
			}
			for _, b := range bytesIn {
				ins = append(ins, base[:i]+b+base[i:])
				if i < len(base) {
					ins = append(ins, base[:i]+b+base[i+1:])
				}
			}
		}
		for _, in := range ins {
			decodeBoth(t, in, func() Session { return Session{} })
			decodeBoth(t, in, filled)
			decodeBoth(t, in, func() SessionToken { return SessionToken{AccessToken: "old"} })
		}
	}
}
