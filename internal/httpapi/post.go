package httpapi

import (
	"bytes"
	"cmp"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"

	"github.com/monban-auth/monban/internal/auth"
)

// MaxBodyBytes bounds every request body but those carrying a WebAuthn credential; auth
// requests are small.
const MaxBodyBytes = 16 << 10

// MaxCredentialBytes bounds a WebAuthn credential (RegistrationResponseJSON,
// AuthenticationResponseJSON): an attestation with its certificate chain fits with room to
// spare, and Cognito verifies the rest.
const MaxCredentialBytes = 16 << 10

// MaxCredentialBodyBytes bounds the bodies that carry a credential (POST /auth/challenge,
// POST /auth/passkeys/register/finish): the credential, and beside it what else the body
// holds (a token-mode challenge_token).
const MaxCredentialBodyBytes = 32 << 10

// jsonPost wraps a POST handler with the CSRF rules and body decoding: fn gets the decoded
// body (at most MaxBodyBytes) and returns the value to answer 200 with, or an error for the
// contract.
func jsonPost[T any](h *handler, fn func(w http.ResponseWriter, r *http.Request, body *T) (any, error)) http.HandlerFunc {
	return jsonPostSized(h, MaxBodyBytes, fn)
}

// jsonPostSized is jsonPost with a body limit of its own, for the routes whose bodies carry
// a WebAuthn credential.
func jsonPostSized[T any](h *handler, limit int64, fn func(w http.ResponseWriter, r *http.Request, body *T) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(h.Auth.Started(r.Context())) // the answer floor counts from here
		if err := h.checkPost(r); err != nil {
			writeError(w, r, h.log, err)
			return
		}
		var body T
		if err := decodeSized(w, r, &body, limit); err != nil {
			writeError(w, r, h.log, err)
			return
		}
		out, err := fn(w, r, &body)
		if err != nil {
			writeError(w, r, h.log, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// checkPost applies the CSRF rules to a POST: the origin, and a JSON content type, which a
// cross-site form cannot send without a CORS preflight.
func (h *handler) checkPost(r *http.Request) error {
	if err := h.checkOrigin(r); err != nil {
		return err
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &statusError{http.StatusUnsupportedMediaType, auth.Fail(auth.CodeInvalidRequest, "Content-Type must be application/json", nil)}
	}
	return nil
}

// decode reads a JSON body into dst: bounded, one object, no unknown fields, no trailing
// data. An empty body decodes as {}. A body over MaxBodyBytes is 413 whatever it holds (even
// valid JSON padded with whitespace); everything else wrong is 400. Field names must match
// the documented names exactly (encoding/json alone would match them case-insensitively) and
// appear once in each object (encoding/json alone would keep the last): strictKeys checks
// both before the body is decoded. A json.RawMessage field (a WebAuthn credential) is opaque
// to that check beyond its duplicate keys: its members are Cognito's to verify.
func decode(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeSized(w, r, dst, MaxBodyBytes)
}

// decodeSized is decode with a body limit of limit bytes.
func decodeSized(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &statusError{http.StatusRequestEntityTooLarge, auth.Fail(auth.CodeInvalidRequest, fmt.Sprintf("body exceeds %d bytes", limit), nil)}
		}
		return auth.Fail(auth.CodeInvalidRequest, "body could not be read", err)
	}
	if err := strictKeys(raw, shapeOf(reflect.TypeOf(dst))); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if errors.Is(err, io.EOF) {
		return nil
	}
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			err = errors.New("trailing data after the JSON object")
		}
	}
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return auth.Fail(auth.CodeInvalidRequest, "body must be a JSON object", nil)
		}
		return auth.Fail(auth.CodeInvalidRequest, fmt.Sprintf("field %.64q has the wrong type", typeErr.Field), nil)
	}
	return auth.Fail(auth.CodeInvalidRequest, "body is not a valid JSON object", err)
}

// shape is what strictKeys knows of a Go type as JSON.
type shape struct {
	kind   shapeKind
	fields map[string]*shape // a struct's: exact JSON name → the field's shape
	elem   *shape            // a map's values, a list's elements (an opaque value's: itself)
}

type shapeKind uint8

const (
	scalarShape shapeKind = iota // a string, number or bool: no object or array fits
	structShape
	mapShape
	listShape   // a slice or array
	opaqueShape // an interface, or a type that decodes itself: anything may fit
)

var opaque = func() *shape { s := &shape{kind: opaqueShape}; s.elem = s; return s }()

var shapes sync.Map // reflect.Type → *shape

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// shapeOf returns t's shape (a pointer's target's), built once per type.
func shapeOf(t reflect.Type) *shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	s := buildShape(t, map[reflect.Type]*shape{})
	shapes.Store(t, s)
	return s
}

func buildShape(t reflect.Type, building map[reflect.Type]*shape) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	if t.Kind() == reflect.Interface || t.Implements(jsonUnmarshaler) || pt.Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || pt.Implements(textUnmarshaler) {
		return opaque // its keys are its own business (duplicates are still refused)
	}
	if s, ok := building[t]; ok {
		return s // a recursive type
	}
	s := &shape{}
	building[t] = s
	switch t.Kind() {
	case reflect.Struct:
		s.kind, s.fields = structShape, map[string]*shape{}
		for _, f := range jsonFields(t) {
			s.fields[f.name] = buildShape(f.typ, building)
		}
	case reflect.Map:
		s.kind, s.elem = mapShape, buildShape(t.Elem(), building)
	case reflect.Slice, reflect.Array:
		s.kind, s.elem = listShape, buildShape(t.Elem(), building)
	}
	return s
}

type jsonField struct {
	name   string
	typ    reflect.Type
	depth  int
	tagged bool
}

// jsonFields lists the fields encoding/json decodes into for struct type t, by their JSON
// names, with its rules: exported fields, tag names, "-" skipped, embedded structs' fields
// promoted, and of several fields with one name the shallowest (then the only tagged one)
// kept, or none when that is ambiguous.
func jsonFields(t reflect.Type) []jsonField {
	var all []jsonField
	inside := map[reflect.Type]bool{} // the embedding chain: a struct embedding itself ends
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		if inside[t] {
			return
		}
		inside[t] = true
		defer delete(inside, t)
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("json")
			if tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			ft := f.Type
			if f.Anonymous {
				for ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && ft.Kind() == reflect.Struct {
					walk(ft, depth+1)
					continue
				}
				if !f.IsExported() {
					continue
				}
			} else if !f.IsExported() {
				continue
			}
			all = append(all, jsonField{name: cmp.Or(name, f.Name), typ: f.Type, depth: depth, tagged: name != ""})
		}
	}
	walk(t, 0)
	byName := map[string][]jsonField{}
	for _, f := range all {
		byName[f.name] = append(byName[f.name], f)
	}
	var out []jsonField
	for _, fs := range byName {
		top := fs[0].depth
		for _, f := range fs {
			top = min(top, f.depth)
		}
		var at []jsonField
		tagged := 0
		for _, f := range fs {
			if f.depth == top {
				at = append(at, f)
				if f.tagged {
					tagged++
				}
			}
		}
		switch {
		case len(at) == 1:
			out = append(out, at[0])
		case tagged == 1:
			for _, f := range at {
				if f.tagged {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// frame is one object or array strictKeys is inside.
type frame struct {
	s       *shape // what the Go side expects here
	object  bool
	wantKey bool   // an object's next token is a key (or its end)
	name    string // the key this object or array sits under, for messages
	key     string // an object's key just read
	next    *shape // the shape of the value after that key
	seen    []string
	seenSet map[string]struct{}
}

// seenBefore records key and reports whether the object already had it: a short list for
// the usual few keys, a set past that so a body of thousands of keys stays linear.
func (f *frame) seenBefore(key string) bool {
	if f.seenSet != nil {
		if _, ok := f.seenSet[key]; ok {
			return true
		}
		f.seenSet[key] = struct{}{}
		return false
	}
	if slices.Contains(f.seen, key) {
		return true
	}
	f.seen = append(f.seen, key)
	if len(f.seen) > 16 {
		f.seenSet = make(map[string]struct{}, 2*len(f.seen))
		for _, k := range f.seen {
			f.seenSet[k] = struct{}{}
		}
		f.seen = nil
	}
	return false
}

// strictKeys walks the first JSON value of raw token by token and refuses an object key that
// appears twice in its object, and, where the Go side is a struct, a key that is not exactly
// one of its JSON field names. It stops without an error at what the decoder refuses anyway
// (a syntax error, an object or array where the Go side cannot take one), so its walk is
// never deeper than the Go type.
func strictKeys(raw []byte, root *shape) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers stay text: never a range error here
	stack := make([]frame, 0, 4)
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // EOF (an empty body) or a syntax error: the decoder's to report
		}
		var top *frame // valid until the next append to stack
		if n := len(stack); n > 0 {
			top = &stack[n-1]
		}
		if top != nil && top.object && top.wantKey {
			key, ok := tok.(string)
			if !ok { // the object's end
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return nil
				}
				if parent := &stack[len(stack)-1]; parent.object {
					parent.wantKey = true
				}
				continue
			}
			if top.seenBefore(key) {
				return auth.Fail(auth.CodeInvalidRequest, fmt.Sprintf("duplicate field %.64q", fieldPath(stack, key)), nil)
			}
			next := top.s.elem
			if top.s.kind == structShape {
				if next = top.s.fields[key]; next == nil {
					return unknownField(top.s, fieldPath(stack, key), key)
				}
			}
			top.wantKey, top.key, top.next = false, key, next
			continue
		}
		// A value: the root, an array element, or an object member's.
		s, name := root, ""
		if top != nil {
			if top.object {
				s, name = top.next, top.key
			} else {
				s = top.s.elem
			}
		}
		switch tok {
		case json.Delim('{'):
			if s.kind != structShape && s.kind != mapShape && s.kind != opaqueShape {
				return nil // the wrong type: the decoder's to report
			}
			stack = append(stack, frame{s: s, object: true, wantKey: true, name: name})
			continue
		case json.Delim('['):
			if s.kind != listShape && s.kind != opaqueShape {
				return nil
			}
			stack = append(stack, frame{s: s, name: name})
			continue
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			return nil // one whole value read; trailing data is the decoder's to refuse
		}
		if top := &stack[len(stack)-1]; top.object {
			top.wantKey = true
		}
	}
}

// fieldPath names key in its place: "attributes.email" for a key of the attributes object.
func fieldPath(stack []frame, key string) string {
	var b strings.Builder
	for _, f := range stack {
		if f.name != "" {
			b.WriteString(f.name)
			b.WriteByte('.')
		}
	}
	b.WriteString(key)
	return b.String()
}

// unknownField refuses key, pointing at the field it misspells by case, if any.
func unknownField(s *shape, path, key string) error {
	for name := range s.fields {
		if strings.EqualFold(name, key) {
			return auth.Fail(auth.CodeInvalidRequest, fmt.Sprintf("unknown field %.64q (field names are case-sensitive: %q)", path, name), nil)
		}
	}
	return auth.Fail(auth.CodeInvalidRequest, fmt.Sprintf("unknown field %.64q", path), nil)
}
