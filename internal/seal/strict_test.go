package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// What Open accepts from a writer other than Seal: a protected header that is valid but not
// byte for byte the one Seal writes is decoded and checked strictly, and a payload in another
// JSON layout is decoded generically. Every value here is authentic (encrypted with the right
// purpose key, under its own header as AAD), so only the check under test can refuse it.

// sealRaw encrypts payload for purpose p with secret's key under the protected header
// header (raw JSON, or already encoded when encoded is set), as another JOSE library would.
func sealRaw(t *testing.T, secret []byte, p Purpose, header string, encoded bool, payload string) string {
	t.Helper()
	raw, err := purposeKey(secret, p)
	if err != nil {
		t.Fatal(err)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	hdr := header
	if !encoded {
		hdr = b64.EncodeToString([]byte(header))
	}
	nonce := []byte("fixed-nonce!") // 12 bytes: deterministic, and never reused with a real key
	sealed := gcm.Seal(nil, nonce, []byte(payload), []byte(hdr))
	ct, tag := sealed[:len(sealed)-tagLen], sealed[len(sealed)-tagLen:]
	return hdr + ".." + b64.EncodeToString(nonce) + "." + b64.EncodeToString(ct) + "." + b64.EncodeToString(tag)
}

func kidOf(t *testing.T, secret []byte) string {
	t.Helper()
	k, err := deriveKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k.kid
}

// TestHeadersOtherThanSealsAreCheckedStrictly: a header in another member order, with other
// spacing, escapes or extra members opens; one that differs from an acceptable header in
// alg, enc, pur or kid alone, or adds zip or crit, does not.
func TestHeadersOtherThanSealsAreCheckedStrictly(t *testing.T) {
	s := mustSealer(t, secretB, secretA) // secretA's kid is second: the lookup must go past the first
	kidA, kidB := kidOf(t, secretA), kidOf(t, secretB)
	payload := `{"exp":` + itoa(t0.Unix()) + `,"v":"ok"}`
	now := t0.Add(-time.Hour)

	// pad returns a header with a "pad" member sized so that the header is n bytes encoded.
	pad := func(n int) string {
		prefix := `{"alg":"dir","enc":"A256GCM","kid":"` + kidA + `","pur":"session","pad":"`
		raw := n * 3 / 4
		return prefix + strings.Repeat("x", raw-len(prefix)-2) + `"}`
	}

	tests := []struct {
		name    string
		header  string
		encoded bool
		secret  []byte  // defaults to secretA
		open    Purpose // defaults to PurposeSession
		ok      bool
	}{
		{name: "Seal's own header", header: `{"alg":"dir","enc":"A256GCM","kid":"` + kidA + `","pur":"session"}`, ok: true},
		{name: "Seal's own header for the first secret", header: `{"alg":"dir","enc":"A256GCM","kid":"` + kidB + `","pur":"session"}`, secret: secretB, ok: true},
		{name: "members in another order", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM","alg":"dir"}`, ok: true},
		{name: "members in another order for the first secret", header: `{"kid":"` + kidB + `","alg":"dir","pur":"session","enc":"A256GCM"}`, secret: secretB, ok: true},
		{name: "whitespace between the members", header: "{ \"alg\" : \"dir\",\n\t\"enc\":\"A256GCM\" , \"kid\":\"" + kidA + "\", \"pur\":\"session\" }", ok: true},
		{name: "escaped characters in the values", header: `{"alg":"\u0064ir","enc":"A256\u0047CM","kid":"` + kidA + `","pur":"sessio\u006e"}`, ok: true},
		{name: "an extra member", header: `{"typ":"JWT","alg":"dir","enc":"A256GCM","kid":"` + kidA + `","pur":"session"}`, ok: true},
		{name: "another purpose's header", header: `{"alg":"dir","enc":"A256GCM","kid":"` + kidA + `","pur":"refresh"}`, secret: secretA, open: PurposeRefresh, ok: true},

		{name: "alg other than dir", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM","alg":"A256KW"}`},
		{name: "alg in capitals", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM","alg":"DIR"}`},
		{name: "alg missing", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM"}`},
		{name: "alg not a string", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM","alg":1}`},
		{name: "alg named in capitals", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM","ALG":"dir"}`},
		{name: "enc other than A256GCM", header: `{"pur":"session","kid":"` + kidA + `","enc":"A128GCM","alg":"dir"}`},
		{name: "enc missing", header: `{"pur":"session","kid":"` + kidA + `","alg":"dir"}`},
		{name: "pur of another purpose", header: `{"pur":"flow","kid":"` + kidA + `","enc":"A256GCM","alg":"dir"}`},
		{name: "pur in capitals", header: `{"pur":"Session","kid":"` + kidA + `","enc":"A256GCM","alg":"dir"}`},
		{name: "pur missing", header: `{"kid":"` + kidA + `","enc":"A256GCM","alg":"dir"}`},
		{name: "kid unknown", header: `{"pur":"session","kid":"AAAAAAAAAAA","enc":"A256GCM","alg":"dir"}`},
		{name: "kid of the other secret", header: `{"pur":"session","kid":"` + kidB + `","enc":"A256GCM","alg":"dir"}`},
		{name: "kid empty", header: `{"pur":"session","kid":"","enc":"A256GCM","alg":"dir"}`},
		{name: "kid missing", header: `{"pur":"session","enc":"A256GCM","alg":"dir"}`},
		{name: "kid not a string", header: `{"pur":"session","kid":7,"enc":"A256GCM","alg":"dir"}`},
		{name: "zip", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM","alg":"dir","zip":"DEF"}`},
		{name: "zip null", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM","alg":"dir","zip":null}`},
		{name: "crit", header: `{"pur":"session","kid":"` + kidA + `","enc":"A256GCM","alg":"dir","crit":["pur"]}`},
		{name: "not JSON", header: `{"pur":"session",`},
		{name: "a JSON array", header: `["dir","A256GCM"]`},
		{name: "base64 with padding", header: b64.EncodeToString([]byte(`{"pur":"session","kid":"`+kidA+`","enc":"A256GCM","alg":"dir"}`)) + "==", encoded: true},
		{name: "standard base64", header: "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoi+/", encoded: true},
		{name: "1024 bytes encoded", header: pad(1024), ok: true},
		{name: "1026 bytes encoded", header: pad(1026)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.secret == nil {
				tt.secret = secretA
			}
			if tt.open == "" {
				tt.open = PurposeSession
			}
			sealed := sealRaw(t, tt.secret, tt.open, tt.header, tt.encoded, payload)
			if tt.name == "1024 bytes encoded" || tt.name == "1026 bytes encoded" {
				if n := strings.IndexByte(sealed, '.'); n != 1024 && n != 1026 {
					t.Fatalf("header of %d bytes", n)
				}
			}
			var got string
			err := s.Open(tt.open, sealed, &got, now)
			if tt.ok {
				if err != nil || got != "ok" {
					t.Fatalf("Open = %v, %q; want it to open", err, got)
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || got != "" {
				t.Fatalf("Open = %v, %q; want ErrInvalid", err, got)
			}
		})
	}
}

// TestPayloadsOtherThanSealsAreDecodedGenerically: the fast path reads exactly the layout Seal
// writes; anything else goes through encoding/json, so an authentic payload that is not the
// JSON object {"exp":<integer>,"v":<value>} never opens, not even with a nil v.
func TestPayloadsOtherThanSealsAreDecodedGenerically(t *testing.T) {
	s := mustSealer(t, secretA)
	hdr := `{"alg":"dir","enc":"A256GCM","kid":"` + kidOf(t, secretA) + `","pur":"session"}`
	exp := itoa(t0.Unix())
	now := t0.Add(-time.Hour)
	tests := []struct {
		name    string
		payload string
		want    error  // nil: opens
		v       string // what opens into a string
	}{
		{"Seal's layout", `{"exp":` + exp + `,"v":"x"}`, nil, "x"},
		{"members in another order", `{"v":"x","exp":` + exp + `}`, nil, "x"},
		{"spaces", `{ "exp" : ` + exp + ` , "v" : "x" }`, nil, "x"},
		{"another member between", `{"exp":` + exp + `,"w":1,"v":"x"}`, nil, "x"},
		{"a comma inside the value", `{"exp":` + exp + `,"v":"a,b}"}`, nil, "a,b}"},
		{"an expired exp", `{"exp":` + itoa(t0.Unix()-3600) + `,"v":"x"}`, ErrExpired, ""},
		{"exp at the time of opening", `{"exp":` + itoa(now.Unix()) + `,"v":"x"}`, ErrExpired, ""},
		{"exp a second after", `{"exp":` + itoa(now.Unix()+1) + `,"v":"x"}`, nil, "x"},
		{"an empty value", `{"exp":` + exp + `,"v":}`, ErrInvalid, ""},
		{"no value", `{"exp":` + exp + `}`, ErrInvalid, ""},
		{"no exp", `{"v":"x"}`, ErrInvalid, ""},
		{"a null exp", `{"exp":null,"v":"x"}`, ErrInvalid, ""},
		{"exp as a string", `{"exp":"` + exp + `","v":"x"}`, ErrInvalid, ""},
		{"exp as a fraction", `{"exp":` + exp + `.5,"v":"x"}`, ErrInvalid, ""},
		{"trailing data", `{"exp":` + exp + `,"v":"x"}x`, ErrInvalid, ""},
		{"no closing brace", `{"exp":` + exp + `,"v":"x"`, ErrInvalid, ""},
		{"no opening brace", exp + `,"v":"x"}`, ErrInvalid, ""},
		{"no opening member", `{"exp":` + exp + `,"v"`, ErrInvalid, ""},
		{"empty", ``, ErrInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed := sealRaw(t, secretA, PurposeSession, hdr, false, tt.payload)
			if err := s.Open(PurposeSession, sealed, nil, now); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("Open with a nil v = %v, want %v", err, tt.want)
			}
			var got string
			err := s.Open(PurposeSession, sealed, &got, now)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) || got != tt.v {
				t.Fatalf("Open = %v, %q; want %v, %q", err, got, tt.want, tt.v)
			}
		})
	}
}

// TestSealedLengthBoundary: a sealed value of exactly MaxSealedLen bytes is sealed and opens;
// one byte more is refused by both.
func TestSealedLengthBoundary(t *testing.T) {
	s := mustSealer(t, secretA)
	now := t0.Add(-time.Hour)
	for _, p := range purposes {
		// The encoded payload grows by 4 bytes per 3 of value, so not every length is
		// reachable for every header: find the value that lands exactly on the limit.
		for n := MaxSealedLen * 3 / 4; n > 0; n-- {
			v := strings.Repeat("a", n)
			sealed, err := s.Seal(p, v, t0)
			if err != nil {
				continue // over the limit
			}
			if len(sealed) < MaxSealedLen {
				break // this header skips the exact length
			}
			var got string
			if err := s.Open(p, sealed, &got, now); err != nil || got != v {
				t.Fatalf("a %s value of exactly MaxSealedLen bytes: Open = %v", p, err)
			}
			if _, err := s.Seal(p, v+"a", t0); err == nil {
				t.Fatalf("a %s value one byte longer was sealed", p)
			}
			if err := s.Open(p, sealed+"A", nil, now); !errors.Is(err, ErrInvalid) {
				t.Fatalf("a value of MaxSealedLen+1 bytes: Open = %v", err)
			}
			return
		}
	}
	t.Fatal("no value seals to exactly MaxSealedLen bytes")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
