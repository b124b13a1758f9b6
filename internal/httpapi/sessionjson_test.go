package httpapi

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/sealed"
)

// signedOutView is the signed-out answer as writeJSON encoded it before writeSignedOut: the
// reference the hand encoder is held to.
var signedOutView = struct {
	User *auth.User `json:"user"`
}{}

// referenceUser is auth.User with its attributes as the map they stand for (the field
// shadows the embedded one), so that the reference spells them as encoding/json spells a
// map, not through sealed.Attributes' own writer, which writeSession uses.
type referenceUser struct {
	auth.User
	Attributes map[string]string `json:"attributes"`
}

// encodeBoth answers with v through writeJSON (the reference) and through writeSession.
func encodeBoth(v *sessionView) (want, got *httptest.ResponseRecorder) {
	ref := struct {
		User      referenceUser `json:"user"`
		ExpiresAt time.Time     `json:"expires_at"`
		Tokens    *tokens       `json:"tokens,omitempty"`
	}{User: referenceUser{User: v.User}, ExpiresAt: v.ExpiresAt, Tokens: v.Tokens}
	if v.User.Attributes != nil {
		ref.User.Attributes = map[string]string{}
		for _, a := range v.User.Attributes {
			ref.User.Attributes[a.Name] = a.Value
		}
	}
	want, got = httptest.NewRecorder(), httptest.NewRecorder()
	writeJSON(want, http.StatusOK, ref)
	writeSession(got, v)
	return want, got
}

// sameAnswer fails t unless the two answers have the same status, headers and body bytes.
func sameAnswer(t *testing.T, want, got *httptest.ResponseRecorder) {
	t.Helper()
	if got.Code != want.Code || !reflect.DeepEqual(got.Header(), want.Header()) {
		t.Fatalf("status %d %v, want %d %v", got.Code, got.Header(), want.Code, want.Header())
	}
	if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
		t.Fatalf("body\n%q\nwant\n%q", got.Body.Bytes(), want.Body.Bytes())
	}
}

func TestSessionJSONMatchesEncoder(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	full := auth.User{
		Sub: "sub-1", Username: "alice", Email: "alice@example.com", EmailVerified: true,
		Groups: []string{"admin", "ops"}, GroupsTruncated: true,
		Attributes: sealed.AttributesOf(map[string]string{"zone": "z", "a": "1", "B": "2", "": "empty", "a\x00": "nul"}),
	}
	tests := []struct {
		name string
		user auth.User
		exp  time.Time
	}{
		{"full", full, exp},
		{"zero", auth.User{}, exp},
		{"zero time", full, time.Time{}},
		{"empty groups and attributes", auth.User{Groups: []string{}, Attributes: sealed.AttributesOf(map[string]string{})}, exp},
		{"one group one attribute", auth.User{Groups: []string{""}, Attributes: sealed.AttributesOf(map[string]string{"k": ""})}, exp},
		{"many attributes", auth.User{Attributes: sealed.AttributesOf(map[string]string{
			"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8", "i": "9",
			"j": "10", "k": "11", "l": "12", "m": "13", "n": "14", "o": "15", "p": "16", "q": "17", "r": "18",
		})}, exp},
		{"html", auth.User{Sub: "<script>&</script>", Username: "a>b", Email: "x&y@example.com"}, exp},
		{"quotes and backslashes", auth.User{Sub: `"\"`, Username: `\\`, Groups: []string{`a"b`, `c\d`}}, exp},
		{"short escapes", auth.User{Sub: "\b\f\n\r\t", Username: "a\tb\nc"}, exp},
		{"other control bytes", auth.User{Sub: "\x00\x01\x07\x0b\x0e\x1f\x7f", Username: "\x1a"}, exp},
		{"printable ascii", auth.User{Sub: " !#$%'()*+,-./0123456789:;=?@AZ[]^_`az{|}~"}, exp},
		{"utf-8", auth.User{Sub: "é日本🙂", Username: "Ω", Attributes: sealed.AttributesOf(map[string]string{"名前": "値"})}, exp},
		{"line separators", auth.User{Sub: "a\u2028b\u2029c", Username: "\u2027\u202a"}, exp},
		{"invalid utf-8", auth.User{Sub: "a\xffb\xc3", Username: "\xe2\x80", Email: "\xed\xa0\x80", Groups: []string{"\xf8"}}, exp},
		{"invalid utf-8 keys", auth.User{Attributes: sealed.AttributesOf(map[string]string{"\xff": "1", "\xfe": "2", "a\x80": "3"})}, exp},
		{"nanoseconds", full, time.Date(2030, 1, 2, 3, 4, 5, 123456789, time.UTC)},
		{"whole seconds", full, time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)},
		{"zone", full, time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("x", -(5*3600+30*60)))},
		{"local", full, time.Unix(1900000000, 5)},
		{"year 9999", full, time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)},
		{"year 0", full, time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year 10000", full, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"year -1", full, time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"zone beyond a day", full, time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 24*3600))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, got := encodeBoth(&sessionView{User: tt.user, ExpiresAt: tt.exp})
			sameAnswer(t, want, got)
		})
	}
}

func TestSignedOutJSONMatchesEncoder(t *testing.T) {
	want, got := httptest.NewRecorder(), httptest.NewRecorder()
	writeJSON(want, http.StatusOK, signedOutView)
	writeSignedOut(got)
	sameAnswer(t, want, got)
}

// TestSessionJSONKnowsEveryField fails when auth.User or sessionView gains, loses or retags
// a field: appendSession spells each one out and must be taught the change.
func TestSessionJSONKnowsEveryField(t *testing.T) {
	tags := func(v any) []string {
		var out []string
		for f := range reflect.TypeOf(v).Fields() {
			out = append(out, f.Name+" "+f.Type.String()+" "+f.Tag.Get("json"))
		}
		return out
	}
	for _, tt := range []struct {
		v    any
		want []string
	}{
		{auth.User{}, []string{
			"Sub string sub", "Username string username", "Email string email,omitempty",
			"EmailVerified bool email_verified", "Groups []string groups",
			"GroupsTruncated bool groups_truncated,omitempty", "Attributes sealed.Attributes attributes",
		}},
		{sessionView{}, []string{
			"User sealed.User user", "ExpiresAt time.Time expires_at", "Tokens *httpapi.tokens tokens,omitempty",
		}},
	} {
		if got := tags(tt.v); !slices.Equal(got, tt.want) {
			t.Errorf("%T fields\n%q\nwant\n%q", tt.v, got, tt.want)
		}
	}
}

// FuzzSessionJSON holds the hand encoder to encoding/json's bytes for any user and expiry.
// shape's bits choose nil or empty groups and attributes, and the flags.
func FuzzSessionJSON(f *testing.F) {
	f.Add("sub", "alice", "a@example.com", "g1", "g2", "k", "v", "k2", "v2", int64(1900000000), int64(5), int32(0), uint8(0xff))
	f.Add("<&>", "\u2028\x00", "", "\xff", "\"\\", "", "", "\xc3", "\t", int64(-62135596800), int64(0), int32(3600), uint8(0))
	f.Add("", "", "", "", "", "", "", "", "", int64(253402300800), int64(0), int32(-86400), uint8(0x3c))
	f.Fuzz(func(t *testing.T, sub, username, email, g1, g2, k1, v1, k2, v2 string, sec, nsec int64, offset int32, shape uint8) {
		u := auth.User{Sub: sub, Username: username, Email: email, EmailVerified: shape&1 != 0, GroupsTruncated: shape&2 != 0}
		switch shape >> 2 & 3 {
		case 1:
			u.Groups = []string{}
		case 2:
			u.Groups = []string{g1}
		case 3:
			u.Groups = []string{g1, g2, strings.ToUpper(g1)}
		}
		switch shape >> 4 & 3 {
		case 1:
			u.Attributes = sealed.Attributes{}
		case 2:
			u.Attributes = sealed.Attributes{{Name: k1, Value: v1}}
		case 3:
			u.Attributes = sealed.AttributesOf(maps.Collect(func(yield func(string, string) bool) {
				_ = yield(k1, v1) && yield(k2, v2) && yield(v1, k1) && yield(k1+k2, v2+v1)
			}))
		}
		exp := time.Unix(sec, nsec).In(time.FixedZone("z", int(offset)))
		if shape&0x40 != 0 {
			exp = exp.UTC()
		}
		want, got := encodeBoth(&sessionView{User: u, ExpiresAt: exp})
		sameAnswer(t, want, got)
	})
}
