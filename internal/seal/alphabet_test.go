package seal

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A byte outside the alphabet anywhere in a sealed value (a line break included, which Go's
// base64 decoders skip) makes it a value Open refuses, v untouched.
func TestOpenRefusesBytesOutsideTheAlphabet(t *testing.T) {
	s := mustSealer(t, secretA, secretB)
	sealed, err := s.Seal(PurposeSession, "ok", t0)
	if err != nil {
		t.Fatal(err)
	}
	now := t0.Add(-time.Hour)
	var got string
	if err := s.Open(PurposeSession, sealed, &got, now); err != nil || got != "ok" {
		t.Fatalf("the value itself: %v %q", err, got)
	}
	parts := strings.Split(sealed, ".")
	for p := range parts {
		for _, at := range []int{0, len(parts[p]) / 2, len(parts[p])} {
			for _, c := range []string{"\r", "\n", "\r\n", " ", "=", "+", "/", "%", "é"} {
				edited := append([]string(nil), parts...)
				edited[p] = edited[p][:at] + c + edited[p][at:]
				in := strings.Join(edited, ".")
				got := "untouched"
				if err := s.Open(PurposeSession, in, &got, now); !errors.Is(err, ErrInvalid) || got != "untouched" {
					t.Fatalf("%q in part %d at %d: Open = %v, %q", c, p, at, err, got)
				}
			}
		}
	}
}
