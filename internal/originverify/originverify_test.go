package originverify

import "testing"

func TestAllows(t *testing.T) {
	rotating := New([][]byte{[]byte("new-secret-value-0123456789abcdef"), []byte("old-secret-value-0123456789abcdef")})
	cases := []struct {
		name   string
		check  *Check
		values []string
		want   bool
	}{
		{"no check lets everything through", nil, nil, true},
		{"no secrets configured ignores a header", New(nil), []string{"anything"}, true},
		{"the newest secret passes", rotating, []string{"new-secret-value-0123456789abcdef"}, true},
		{"the previous secret passes while rotating", rotating, []string{"old-secret-value-0123456789abcdef"}, true},
		{"a missing header is refused", rotating, nil, false},
		{"an empty header is refused", rotating, []string{""}, false},
		{"a wrong value is refused", rotating, []string{"new-secret-value-0123456789abcdeX"}, false},
		{"a prefix of the secret is refused", rotating, []string{"new-secret-value"}, false},
		{"two headers are refused even if one matches", rotating, []string{"new-secret-value-0123456789abcdef", "x"}, false},
		{"CloudFront sends the whole rotating value", rotating, []string{"new-secret-value-0123456789abcdef,old-secret-value-0123456789abcdef"}, true},
		{"a container that knows only the old value accepts the rotating header", New([][]byte{[]byte("old-secret-value-0123456789abcdef")}), []string{"new-secret-value-0123456789abcdef, old-secret-value-0123456789abcdef"}, true},
		{"a list of guesses is refused", rotating, []string{"a,b,c"}, false},
		{"more parts than a rotation needs are refused", rotating, []string{"a,b,c,d,new-secret-value-0123456789abcdef"}, false},
		{"an empty part matches nothing", rotating, []string{","}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.check.Allows(c.values); got != c.want {
				t.Errorf("Allows(%q) = %v, want %v", c.values, got, c.want)
			}
		})
	}
	if (*Check)(nil).Enabled() || New(nil).Enabled() || !rotating.Enabled() {
		t.Error("Enabled does not say whether secrets are configured")
	}
}

func TestSetRotatesTheSecrets(t *testing.T) {
	c := New([][]byte{[]byte("old")})
	if err := c.Set([][]byte{[]byte("new")}); err != nil || c.Allows([]string{"old"}) || !c.Allows([]string{"new"}) {
		t.Fatalf("after Set: %v", err)
	}
	if err := c.Set(nil); err == nil || !c.Enabled() || !c.Allows([]string{"new"}) {
		t.Fatal("an empty list must be refused and change nothing")
	}
}
