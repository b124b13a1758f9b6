package httpapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/monban-auth/monban/internal/auth"
	"github.com/monban-auth/monban/internal/cookie"
	"github.com/monban-auth/monban/internal/seal"
	"github.com/monban-auth/monban/internal/sealed"
)

// jar reads, writes and clears the cookie of one sealed kind, whose sealed content is a T:
// the kind's cookie, seal purpose and lifetime are paired once (package sealed), so no
// handler can seal a value for one cookie and write it into another.
type jar[T any] struct {
	kind     sealed.Kind
	lifetime time.Duration // of values written without an expiry; the kind's, or the deployment's
	codec    cookie.Codec
	sealer   *seal.Sealer
	now      func() time.Time
	log      *slog.Logger
}

// jars holds a jar for every kind monban keeps in cookies.
type jars struct {
	session   jar[auth.Session]
	refresh   jar[auth.Refresh]
	flow      jar[auth.Flow]
	challenge jar[auth.Challenge]
	// legacyRefresh is the refresh cookie of earlier releases, read only to migrate it
	// (refreshCookie).
	legacyRefresh jar[auth.Refresh]
}

// newJars builds the jars of d; the refresh cookie lives as long as the app client's refresh
// tokens (d.RefreshLifetime).
func newJars(d Deps) jars {
	refresh := newJar[auth.Refresh](d, sealed.RefreshKind)
	refresh.lifetime = d.RefreshLifetime
	return jars{
		session:       newJar[auth.Session](d, sealed.SessionKind),
		refresh:       refresh,
		flow:          newJar[auth.Flow](d, sealed.FlowKind),
		challenge:     newJar[auth.Challenge](d, sealed.ChallengeKind),
		legacyRefresh: newJar[auth.Refresh](d, sealed.LegacyRefreshKind),
	}
}

func newJar[T any](d Deps, k sealed.Kind) jar[T] {
	return jar[T]{kind: k, lifetime: k.Lifetime, codec: d.Cookies, sealer: d.Sealer, now: d.Now, log: d.Log}
}

// read opens this kind's cookie. Only a value that opens counts, whatever else the browser
// sends beside it, and two different ones that open read as absent (cookie.Codec.Pick): nil.
func (j jar[T]) read(r *http.Request) *T {
	v, _, res := j.pick(r, nil, nil)
	if res == cookie.Ambiguous {
		j.log.LogAttrs(r.Context(), slog.LevelWarn, "ambiguous cookies ignored", slog.String("cookie", j.kind.Cookie.Name))
	}
	return v
}

// pick opens the cookie whose value accept takes (nil: any that opens), with
// cookie.Codec.Pick's answer; raw is the sealed value found. Each candidate is opened once,
// straight into its own value, so the usual single cookie is decrypted once per request.
// opened, if not nil, receives every value accepted.
func (j jar[T]) pick(r *http.Request, accept func(*T) bool, opened *[]*T) (v *T, raw string, res cookie.Result) {
	now := j.now()
	var last *T
	raw, res = j.codec.Pick(r, j.kind.Cookie, func(s string) bool {
		c := new(T)
		if err := j.sealer.Open(j.kind.Purpose, s, c, now); err != nil {
			j.log.LogAttrs(r.Context(), slog.LevelDebug, "cookie rejected",
				slog.String("cookie", j.kind.Cookie.Name), slog.String("reason", err.Error()))
			return false
		}
		if accept != nil && !accept(c) {
			return false
		}
		if opened != nil {
			*opened = append(*opened, c)
		}
		last = c
		return true
	})
	if res != cookie.Found {
		// Two authentic values may have opened: leave the caller nothing of either.
		return nil, "", res
	}
	// Found: every accepted value was raw, so the last one opened is raw's.
	return last, raw, res
}

// open opens a sealed value of this kind that came another way than its cookie (a token
// mode body, where a cross-site page holds it).
func (j jar[T]) open(raw string) (*T, error) {
	v := new(T)
	if err := j.sealer.Open(j.kind.Purpose, raw, v, j.now()); err != nil {
		return nil, err
	}
	return v, nil
}

// seal seals v as this kind, to expire at exp (zero: the jar's lifetime from now).
func (j jar[T]) seal(v *T, exp time.Time) (string, time.Time, error) {
	if exp.IsZero() {
		exp = j.now().Add(j.lifetime)
	}
	s, err := j.sealer.Seal(j.kind.Purpose, v, exp)
	return s, exp, err
}

// write seals v into the cookie, to expire at exp (zero: the jar's lifetime from now), and
// returns the sealed value.
func (j jar[T]) write(w http.ResponseWriter, r *http.Request, v *T, exp time.Time) (string, error) {
	s, exp, err := j.seal(v, exp)
	if err != nil {
		return "", err
	}
	j.codec.Write(w, r, j.kind.Cookie, s, exp)
	return s, nil
}

// writeSealed sets the cookie to a value already sealed as this kind, for the jar's lifetime.
func (j jar[T]) writeSealed(w http.ResponseWriter, r *http.Request, raw string) {
	j.codec.Write(w, r, j.kind.Cookie, raw, j.now().Add(j.lifetime))
}

// clear deletes the cookie (all its chunks).
func (j jar[T]) clear(w http.ResponseWriter, r *http.Request) {
	j.codec.Clear(w, r, j.kind.Cookie)
}

// clearStray deletes, with a cookie Domain, copies of the cookie under other paths.
func (j jar[T]) clearStray(w http.ResponseWriter, r *http.Request) {
	j.codec.ClearStray(w, r, j.kind.Cookie)
}

// name is the cookie's full name (with its prefix) in this deployment.
func (j jar[T]) name() string {
	return j.codec.FullName(j.kind.Cookie)
}

// sent reports whether r carries the cookie, whole or in chunks.
func (j jar[T]) sent(r *http.Request) bool {
	return j.codec.Sent(r, j.kind.Cookie)
}
