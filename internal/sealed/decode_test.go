package sealed

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// filled is a session already holding a value in every field: json.Unmarshal keeps what the
// payload does not mention and replaces the slices and the attributes, and DecodeSealed must
// too.
func filled() Session {
	return Session{
		AccessToken: "old-token", ExpiresAt: time.Unix(1, 0).UTC(),
		User: User{Sub: "old-sub", Username: "old-user", Email: "old@example.com", EmailVerified: true,
			Groups: []string{"old-1", "old-2", "old-3"}, GroupsTruncated: true, Attributes: Attributes{{"name", "Old"}, {"old", "1"}}},
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
// them, the others as another release or another encoder might.
var sessionPayloads = []struct {
	name string
	in   string
}{
	{"a session as Seal writes it", mustMarshal(Session{AccessToken: "tok", ExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		User: User{Sub: "s", Username: "u", Email: "e@example.com", EmailVerified: true, Groups: []string{"a", "b"}, Attributes: Attributes{{"name", "Ann & Bob <x>"}}}})},
	{"a session without groups or attributes", mustMarshal(Session{AccessToken: "tok", ExpiresAt: time.Unix(1893553445, 5).In(time.FixedZone("", 3600))})},
	{"a session with every field", mustMarshal(Session{AccessToken: "t", User: User{Email: "e", GroupsTruncated: true, Groups: []string{}, Attributes: Attributes{}}})},
	{"members in another order, with spaces", ` { "u" : { "attributes" : { "k" : "v" } , "sub" : "s" } , "exp" : "2030-01-02T03:04:05Z" , "at" : "tok" } `},
	{"escapes in strings", `{"at":"a\"b\\c\u00e9\n","u":{"email":"\u0061@b","attributes":{"\u006b":"\/"}}}`},
	{"unknown members at both levels", `{"x":{"y":[1,2.5,null,true]},"at":"t","u":{"z":"q","sub":"s"},"w":null}`},
	{"nulls where a value may be null", `{"at":null,"exp":null,"u":{"sub":null,"username":null,"email":null,"email_verified":null,"groups":null,"groups_truncated":null,"attributes":null}}`},
	{"a null user", `{"at":"t","u":null}`},
	{"false booleans", `{"u":{"email_verified":false,"groups_truncated":false}}`},
	{"empty strings", `{"at":"","u":{"sub":"","email":""}}`},
	{"an empty object", `{}`},
	{"an exp with a fraction and offset", `{"exp":"2030-01-02T03:04:05.123456789+09:00"}`},

	{"a member in other capitals", `{"AT":"t"}`},
	{"a user member in other capitals", `{"u":{"Sub":"s"}}`},
	{"a member folding to a known one", `{"u":{"ſub":"s"}}`},
	{"a duplicate member", `{"at":"a","at":"b"}`},
	{"a duplicate user", `{"u":{"sub":"a"},"u":{"email":"b"}}`},
	{"a duplicate user member", `{"u":{"groups":["a"],"groups":["b"]}}`},
	{"a duplicate exp", `{"exp":null,"exp":"2030-01-02T03:04:05Z"}`},
	{"a duplicate attributes", `{"u":{"attributes":null,"attributes":{"a":"b"}}}`},
	{"an exp that is not RFC 3339", `{"exp":"yesterday"}`},
	{"an exp as a number", `{"exp":1893553445}`},
	{"an exp with an escape", `{"exp":"2030-01-02T03:04:05\u005a"}`},
	{"a number for a string", `{"at":1}`},
	{"a string for a boolean", `{"u":{"email_verified":"true"}}`},
	{"a string for the groups", `{"u":{"groups":"a"}}`},
	{"a null group", `{"u":{"groups":[null]}}`},
	{"a number in the groups", `{"u":{"groups":[1]}}`},
	{"a null attribute", `{"u":{"attributes":{"a":null}}}`},
	{"an attribute that is a number", `{"u":{"attributes":{"a":1}}}`},
	{"attributes as an array", `{"u":{"attributes":[]}}`},
	{"a user as a string", `{"u":"s"}`},
	{"invalid UTF-8", "{\"at\":\"\xff\"}"},
	{"a surrogate pair", `{"at":"\ud83d\ude00"}`},
	{"trailing data", `{"at":"t"}x`},
	{"two objects", `{}{}`},
	{"not an object", `["at"]`},
	{"null", `null`},
	{"truncated", `{"at":"t"`},
	{"a trailing comma", `{"at":"t",}`},
	{"an unknown member that is not JSON", `{"x":[1,}`},
	{"empty", ``},
}

// sealLayout reports whether in is a session exactly as Seal writes it (json.Marshal), which
// DecodeSealed must read itself.
func sealLayout(in string) bool {
	var s Session
	return json.Unmarshal([]byte(in), &s) == nil && mustMarshal(s) == in
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
				if !decodeBoth(t, tt.in, start) && sealLayout(tt.in) {
					t.Fatalf("declined %s, which is the layout Seal writes", tt.in)
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
		{`{"at":"a","at":"b"}`, true},
		{`{"at":"a","at":null}`, true},
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
			Attributes: Attributes{{"name", "Alice Example"}}},
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
		User: User{Sub: "s", Username: "u", Email: "e@example.com", EmailVerified: true, Groups: []string{"a", "b"}, Attributes: Attributes{{"name", "Ann"}}}},
	{},
	{AccessToken: "t", ExpiresAt: time.Unix(1893553445, 123456789).In(time.FixedZone("", -7*3600)),
		User: User{Groups: []string{}, GroupsTruncated: true, Attributes: Attributes{}}},
	{AccessToken: `quote " backslash \ slash / <html> & é € 😀 ` + "\x01\t\n\u2028",
		User: User{Sub: "\"", Username: "\\", Email: "é", Groups: []string{"", `"`, "g\n"}, Attributes: AttributesOf(map[string]string{"": "", "k\"": "v\\", "é": "😀", "b": "2", "a": "1"})}},
	{AccessToken: strings.Repeat("eyJ.", 300), User: User{Sub: strings.Repeat("s", 100), Groups: []string{strings.Repeat("g", 64)}}},
}

// Seal's layout takes the fast path (sealedSession), and it decodes what encoding/json does.
func TestSessionReadsSealedLayoutDirectly(t *testing.T) {
	for _, s := range sealedLayouts {
		in := mustMarshal(s)
		var got Session
		m := newMembers([]byte(in))
		if _, _, ok := m.sealedSession(&got); !ok {
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
// refuses, or that another encoder might write: every result is held to encoding/json's
// (a decline leaves it to json.Unmarshal), and an edit that is still Seal's layout is read.
func TestSessionEditedSealedLayouts(t *testing.T) {
	base := mustMarshal(sealedLayouts[0])
	edits := []struct {
		old, new string
	}{
		{`{"at":`, `{ "at":`},
		{`{"at":`, `{"at" :`},
		{`"tok"`, ` "tok"`},
		{`,"exp":`, ` ,"exp":`},
		{`,"u":{`, `,"u": {`},
		{`"groups":["a","b"]`, `"groups":[ "a","b"]`},
		{`"groups":["a","b"]`, `"groups":["a" ,"b"]`},
		{`"groups":["a","b"]`, `"groups":["a","b" ]`},
		{`"groups":["a","b"]`, `"groups":null`},
		{`"groups":["a","b"]`, `"groups":[]`},
		{`"groups":["a","b"]`, `"groups":[null]`},
		{`"groups":["a","b"]`, `"groups":["a",null]`},
		{`"groups":["a","b"]`, `"groups":["a",1]`},
		{`"groups":["a","b"]`, `"groups":["a","b",]`},
		{`"groups":["a","b"]`, `"groups":["a""b"]`},
		{`"groups":["a","b"]`, `"groups":["a"`},
		{`"groups":["a","b"]`, `"groups":{}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":null`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1","a":"2"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"\u0061":"1","a":"2"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"A":"1","a":"2"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"b":"2","a":"1"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1","b":"2","b":"3"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a" :"1"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1" }`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1" ,"b":"2"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":null}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":1}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1",}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1"`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{a:"1"}`},
		{`"attributes":{"name":"Ann"}`, `"attributes":["a"]`},
		{`"attributes":{"name":"Ann"}`, `"attributes":{"a":"1"},"attributes":{"b":"2"}`},
		{`"email":"e@example.com",`, ``},
		{`"email":"e@example.com"`, `"email":null`},
		{`"email":"e@example.com"`, `"email":""`},
		{`"email":"e@example.com"`, `"email":"e\u0040example.com"`},
		{`"email":"e@example.com"`, `"email":1`},
		{`"email":"e@example.com"`, `"email":"e@example.com","email":"f"`},
		{`"email":"e@example.com"`, `"Email":"e@example.com"`},
		{`"email_verified":true`, `"email_verified":false`},
		{`"email_verified":true`, `"email_verified":null`},
		{`"email_verified":true`, `"email_verified":"true"`},
		{`"email_verified":true`, `"email_verified":tru`},
		{`"email_verified":true`, `"email_verified":truex`},
		{`"email_verified":true,`, ``},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":true,`},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":false,`},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":null,`},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":1,`},
		{`"groups":["a","b"],`, `"groups":["a","b"],"groups_truncated":true,"groups_truncated":true,`},
		{`"groups":["a","b"],`, `"groups_truncated":true,"groups":["a","b"],`},
		{`"groups":["a","b"],`, ``},
		{`,"attributes":{"name":"Ann"}`, ``},
		{`"sub":"s","username":"u"`, `"username":"u","sub":"s"`},
		{`"sub":"s"`, `"sub":null`},
		{`"sub":"s"`, `"sub":"s","x":1`},
		{`"sub":"s"`, `"Sub":"s"`},
		{`"sub":"s"`, `"ſub":"s"`},
		{`"sub":"s"`, `"sub":"s","sub":"t"`},
		{`"sub":"s"`, `"sub":"\ud83d\ude00"`},
		{`"sub":"s"`, "\"sub\":\"\xff\""},
		{`"sub":"s"`, "\"sub\":\"\x01\""},
		{`"sub":"s"`, `"sub":"s`},
		{`"username":"u"`, `"username":"\u00e9\n"`},
		{`"username":"u"`, `"username":"é"`},
		{`"tok"`, `"t\"ok"`},
		{`"tok"`, `null`},
		{`"tok"`, `1`},
		{`{"at":"tok",`, `{"at":"tok","at":"tok",`},
		{`{"at":"tok",`, `{"AT":"tok",`},
		{`{"at":"tok",`, `{`},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":null`},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":"2030-01-02T03:04:05.5+09:00"`},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":"2030-01-02T03:04:05\u005a"`},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":"2030-13-02T03:04:05Z"`},
		{`"exp":"2030-01-02T03:04:05Z"`, `"exp":1`},
		{`,"exp":"2030-01-02T03:04:05Z"`, ``},
		{`"u":{`, `"u":null,"v":{`},
		{`"u":{`, `"U":{`},
		{`}}`, `},"x":[1,{"y":null}]}`},
		{`}}`, `}} `},
		{`}}`, `}}x`},
		{`}}`, `}}{}`},
		{`}}`, `}`},
		{`}}`, `}},`},
	}
	for _, e := range edits {
		if !strings.Contains(base, e.old) {
			t.Fatalf("%s does not hold %s", base, e.old)
		}
		in := strings.Replace(base, e.old, e.new, 1)
		for _, start := range []func() Session{func() Session { return Session{} }, filled} {
			if !decodeBoth(t, in, start) && sealLayout(in) {
				t.Errorf("declined %s, which is the layout Seal writes", in)
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

// utcSeconds reads what time.Time's UnmarshalJSON reads, to the same instant and location,
// and every valid time of its form: across leap years and month ends, every field one past
// its range and a non-digit in each place.
func TestUTCSecondsAsTimeDoes(t *testing.T) {
	check := func(tok string) {
		t.Helper()
		var want time.Time
		werr := want.UnmarshalJSON([]byte(tok))
		got, ok := utcSeconds([]byte(tok))
		switch {
		case ok && (werr != nil || !reflect.DeepEqual(got, want)):
			t.Fatalf("%s: read as %v, UnmarshalJSON: %v, %v", tok, got, want, werr)
		case !ok && werr == nil && len(tok) == 22 && tok[20] == 'Z':
			t.Fatalf("%s: a valid time of the form Seal writes was not read", tok)
		}
	}
	n := 0
	for _, year := range []int{0, 1, 4, 100, 1600, 1900, 1970, 2000, 2024, 2030, 2100, 9999} {
		for month := 0; month <= 13; month++ {
			for _, day := range []int{0, 1, 28, 29, 30, 31, 32} {
				for _, hms := range [][3]int{{0, 0, 0}, {23, 59, 59}, {24, 0, 0}, {0, 60, 0}, {0, 0, 60}} {
					check(fmt.Sprintf(`"%04d-%02d-%02dT%02d:%02d:%02dZ"`, year, month, day, hms[0], hms[1], hms[2]))
					n++
				}
			}
		}
	}
	valid := `"2030-01-02T03:04:05Z"`
	for i := range valid {
		for _, c := range []byte{'/', '0', '9', ':', 'A', 'Z', 'z', '-', 'T', '"', ' ', 0x80} {
			check(valid[:i] + string(c) + valid[i+1:])
		}
	}
	for _, tok := range []string{valid[:21], valid + " ", `"2030-01-02T03:04:05.5Z"`, `"2030-01-02T03:04:05+00:00"`, `"2030-01-02t03:04:05z"`} {
		check(tok)
	}
	if _, ok := utcSeconds([]byte(valid)); !ok || n == 0 {
		t.Fatal("the layout Seal writes was not read")
	}
}

func FuzzUTCSeconds(f *testing.F) {
	f.Add(`"2030-01-02T03:04:05Z"`)
	f.Add(`"2028-02-29T23:59:59Z"`)
	f.Fuzz(func(t *testing.T, tok string) {
		got, ok := utcSeconds([]byte(tok))
		if !ok {
			return
		}
		var want time.Time
		if err := want.UnmarshalJSON([]byte(tok)); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: read as %v, UnmarshalJSON: %v, %v", tok, got, want, err)
		}
	})
}
