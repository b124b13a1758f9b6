package jsonwrite

import (
	"bytes"
	"encoding/json"
	"testing"
)

// marshal is encoding/json's answer for v, with or without HTML escaping.
func marshal(t testing.TB, v any, escapeHTML bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

var samples = []string{
	"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "\b\f\n\r\t",
	"\x00\x01\x1f\x7f", "é ü 日本語 🙂", "\u2028 and \u2029", "bad \xff utf-8 \xc3", "\xe2\x80",
	"ends in a lone \xf0\x9f\x99", "\xed\xa0\x80 surrogate",
}

func TestStringIsEncodingJSON(t *testing.T) {
	for _, s := range samples {
		for _, html := range []bool{false, true} {
			want := marshal(t, s, html)
			if got := String(nil, s, html); !bytes.Equal(got, want) {
				t.Errorf("String(%q, html %v) = %s, want %s", s, html, got, want)
			}
			if got := String(nil, []byte(s), html); !bytes.Equal(got, want) {
				t.Errorf("String([]byte(%q), html %v) = %s, want %s", s, html, got, want)
			}
		}
	}
}

func TestStringMapIsEncodingJSON(t *testing.T) {
	many := map[string]string{}
	for i, s := range samples {
		many[s] = samples[len(samples)-1-i]
	}
	for _, m := range []map[string]string{nil, {}, {"b": "2", "a": "1", "<": ">"}, many} {
		for _, html := range []bool{false, true} {
			if got, want := StringMap(nil, m, html), marshal(t, m, html); !bytes.Equal(got, want) {
				t.Errorf("StringMap(%q, html %v) = %s, want %s", m, html, got, want)
			}
		}
	}
}

func TestStringsIsEncodingJSON(t *testing.T) {
	for _, list := range [][]string{nil, {}, {"a"}, samples} {
		for _, html := range []bool{false, true} {
			if got, want := Strings(nil, list, html), marshal(t, list, html); !bytes.Equal(got, want) {
				t.Errorf("Strings(%q, html %v) = %s, want %s", list, html, got, want)
			}
		}
	}
}

func TestAppendKeepsWhatWasThere(t *testing.T) {
	if got := string(String([]byte("x:"), "a", false)); got != `x:"a"` {
		t.Errorf("got %s", got)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range samples {
		f.Add(s, "k", false)
		f.Add(s, s, true)
	}
	f.Fuzz(func(t *testing.T, s, k string, html bool) {
		if got, want := String(nil, s, html), marshal(t, s, html); !bytes.Equal(got, want) {
			t.Fatalf("String(%q, %v) = %s, want %s", s, html, got, want)
		}
		m := map[string]string{k: s, s: k}
		if got, want := StringMap(nil, m, html), marshal(t, m, html); !bytes.Equal(got, want) {
			t.Fatalf("StringMap(%q, %v) = %s, want %s", m, html, got, want)
		}
	})
}
