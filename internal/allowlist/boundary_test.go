package allowlist

import (
	"errors"
	"strings"
	"testing"
)

// TestResolveBoundaries: a target of exactly MaxLength bytes is resolved and one byte more is
// refused; of the bytes around the control range, a space and a tilde are kept (escaped as a
// URL needs) while US (0x1f) and DEL (0x7f) are refused.
func TestResolveBoundaries(t *testing.T) {
	p := testPolicy(t)
	atLimit := "/" + strings.Repeat("a", MaxLength-1)
	absAtLimit := "https://app.example.com/" + strings.Repeat("b", MaxLength-len("https://app.example.com/"))
	for _, c := range []struct{ target, want string }{
		{atLimit, "https://www.example.com" + atLimit},
		{absAtLimit, absAtLimit},
		{"/a b", "https://www.example.com/a%20b"},
		{"/~a!", "https://www.example.com/~a!"},
		{"https://app.example.com/a b", "https://app.example.com/a%20b"},
	} {
		got, err := p.Resolve(c.target)
		if err != nil || got != c.want {
			t.Errorf("Resolve(%.40q…) = %.60q…, %v; want %.60q…", c.target, got, err, c.want)
		}
	}
	for _, target := range []string{atLimit + "a", absAtLimit + "b", "/a\x1fb", "/a\x7fb", "https://app.example.com/\x7f", "\x00"} {
		if got, err := p.Resolve(target); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("Resolve(%.40q…) = %.40q, %v; want ErrNotAllowed", target, got, err)
		}
	}
}
