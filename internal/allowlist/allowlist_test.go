package allowlist

import (
	"errors"
	"strings"
	"testing"
)

func testPolicy(t *testing.T) *Policy {
	t.Helper()
	p, err := NewPolicy("https://www.example.com", []string{"https://app.example.com", "http://localhost:8080/"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolve(t *testing.T) {
	p := testPolicy(t)
	cases := []struct {
		name, target, want string
	}{
		{"an empty target goes to the site root", "", "https://www.example.com/"},
		{"a relative path resolves against the site", "/account?tab=1#top", "https://www.example.com/account?tab=1#top"},
		{"the root path is allowed", "/", "https://www.example.com/"},
		{"an allow-listed absolute URL is kept", "https://app.example.com/x", "https://app.example.com/x"},
		{"the site itself is allowed absolutely", "https://www.example.com/y", "https://www.example.com/y"},
		{"a host is compared case-insensitively", "https://APP.example.com/", "https://APP.example.com/"},
		{"a local http origin on the list is allowed", "http://localhost:8080/p", "http://localhost:8080/p"},
		{"percent-encoded slashes stay a path on the site", "/%2F%2Fevil.example", "https://www.example.com/%2F%2Fevil.example"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := p.Resolve(c.target)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", c.target, err)
			}
			if got != c.want {
				t.Fatalf("Resolve(%q) = %q, want %q", c.target, got, c.want)
			}
		})
	}
}

func TestResolveRefusesOpenRedirects(t *testing.T) {
	p := testPolicy(t)
	cases := []struct{ name, target string }{
		{"a scheme-relative URL", "//evil.example"},
		{"a scheme-relative URL with a path", "//evil.example/www.example.com"},
		{"a slash-backslash path", `/\evil.example`},
		{"a backslash anywhere", `/ok\..\evil`},
		{"another origin", "https://evil.example"},
		{"a suffix of an allowed host", "https://evilapp.example.com"},
		{"an allowed host on another port", "https://app.example.com:8443/"},
		{"an allowed host with another scheme", "http://app.example.com/"},
		{"userinfo before an allowed host", "https://app.example.com@evil.example/"},
		{"userinfo on an allowed host", "https://user:pw@app.example.com/"},
		{"a javascript URL", "javascript:alert(1)"},
		{"a data URL", "data:text/html,hi"},
		{"a scheme without slashes", "https:evil.example"},
		{"a bare host", "evil.example"},
		{"a tab inside", "/\t/evil.example"},
		{"a newline inside", "/ok\r\nSet-Cookie: x=y"},
		{"a NUL byte", "/ok\x00"},
		{"a DEL byte", "/ok\x7f"},
		{"an over-long path", "/" + strings.Repeat("a", MaxLength)},
		{"three slashes", "///evil.example"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := p.Resolve(c.target)
			if !errors.Is(err, ErrNotAllowed) {
				t.Fatalf("Resolve(%q) = %q, %v; want ErrNotAllowed", c.target, got, err)
			}
		})
	}
}

func TestNewPolicyRefusesNonOrigins(t *testing.T) {
	for _, o := range []string{"", "example.com", "https://example.com/path", "ftp://example.com", "https://u@example.com", "https://example.com?q"} {
		if _, err := NewPolicy("https://www.example.com", []string{o}); err == nil {
			t.Errorf("NewPolicy accepted %q as an origin", o)
		}
	}
}

func TestAllowsOrigin(t *testing.T) {
	p := testPolicy(t)
	for o, want := range map[string]bool{
		"https://app.example.com":  true,
		"https://www.example.com":  true,
		"HTTPS://APP.EXAMPLE.COM":  true,
		"https://evil.example":     false,
		"null":                     false,
		"":                         false,
		"https://app.example.com/": false,
	} {
		if got := p.AllowsOrigin(o); got != want {
			t.Errorf("AllowsOrigin(%q) = %v, want %v", o, got, want)
		}
	}
}

// FuzzResolve: whatever comes in, what goes out is on the site or an allow-listed origin.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"/", "//evil", `/\evil`, "https://app.example.com/x", "https://evil", "/a?b#c", "%2F%2F", "/\x00"} {
		f.Add(s)
	}
	p, err := NewPolicy("https://www.example.com", []string{"https://app.example.com"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, target string) {
		got, err := p.Resolve(target)
		if err != nil {
			return
		}
		u, err := ParseOrigin(originOf(t, got))
		if err != nil {
			t.Fatalf("Resolve(%q) = %q: not parseable: %v", target, got, err)
		}
		if !p.AllowsOrigin(u.String()) {
			t.Fatalf("Resolve(%q) = %q, outside the allow-list", target, got)
		}
	})
}

func originOf(t *testing.T, s string) string {
	t.Helper()
	i := strings.Index(s, "://")
	if i < 0 {
		t.Fatalf("%q is not absolute", s)
	}
	rest := s[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	return s[:i+3] + rest
}
