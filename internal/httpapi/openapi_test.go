package httpapi

import (
	"bytes"
	"encoding/json"
	"github.com/monban-auth/monban/internal/apierror"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The OpenAPI document at the repository root must describe exactly the routes this package
// registers, and list every error code of package auth. The document is YAML and the module
// has no YAML parser, so the drift checks read it with a small indentation scan (which
// needs no tool and always runs); TestOpenAPIParses then parses it for real with PyYAML,
// which the moto emulator the integration tests use depends on, and checks that the scan
// saw what the parser sees.

const openAPIPath = "../../openapi.yaml"

var openAPIMethods = map[string]bool{
	"get": true, "put": true, "post": true, "delete": true,
	"options": true, "head": true, "patch": true, "trace": true,
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	registered := registeredRoutes(t)
	documented, _ := scanOpenAPI(t)
	for _, r := range registered {
		if !slices.Contains(documented, r) {
			t.Errorf("%s is registered in internal/httpapi but missing from openapi.yaml", r)
		}
	}
	for _, d := range documented {
		if !slices.Contains(registered, d) {
			t.Errorf("%s is in openapi.yaml but not registered in internal/httpapi", d)
		}
	}
}

func TestOpenAPIListsEveryErrorCode(t *testing.T) {
	codes := authErrorCodes(t)
	_, enum := scanOpenAPI(t)
	if len(enum) == 0 {
		t.Fatal("openapi.yaml: no enum found at components.schemas.ErrorCode")
	}
	for _, c := range codes {
		if !slices.Contains(enum, c) {
			t.Errorf("error code %q (internal/auth) is missing from openapi.yaml's ErrorCode enum", c)
		}
	}
	for i, e := range enum {
		if !slices.Contains(codes, e) {
			t.Errorf("openapi.yaml's ErrorCode enum lists %q, which internal/auth does not define", e)
		}
		if slices.Contains(enum[:i], e) {
			t.Errorf("openapi.yaml's ErrorCode enum lists %q twice", e)
		}
	}
}

// TestOpenAPIParses parses the document with PyYAML: it must be valid YAML, an OpenAPI 3.1
// document whose local $refs resolve and whose operations have unique operationIds, and its
// paths and error codes must be what the scan above reads. When openapi-spec-validator is
// installed, the document is also validated against the OpenAPI schema.
func TestOpenAPIParses(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		needOpenAPITool(t, "python3 is not installed")
	}
	if out, err := exec.Command(python, "-c", "import yaml").CombinedOutput(); err != nil {
		needOpenAPITool(t, "python3 cannot import yaml (PyYAML, a dependency of moto): "+strings.TrimSpace(string(out)))
	}
	src, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	toJSON := exec.Command(python, "-c", "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout, default=str)")
	toJSON.Stdin = bytes.NewReader(src)
	var stderr bytes.Buffer
	toJSON.Stderr = &stderr
	out, err := toJSON.Output()
	if err != nil {
		t.Fatalf("openapi.yaml does not parse as YAML: %v\n%s", err, stderr.String())
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("openapi.yaml is not a mapping: %v", err)
	}

	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi: %q, want 3.1.x", v)
	}
	var ops []string
	ids := map[string]string{}
	paths, _ := doc["paths"].(map[string]any)
	for p, item := range paths {
		item, _ := item.(map[string]any)
		for m, op := range item {
			if !openAPIMethods[m] {
				continue
			}
			route := strings.ToUpper(m) + " " + p
			ops = append(ops, route)
			op, _ := op.(map[string]any)
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", route)
			} else if prev, dup := ids[id]; dup {
				t.Errorf("operationId %q is used by %s and %s", id, prev, route)
			}
			ids[id] = route
			if rs, _ := op["responses"].(map[string]any); len(rs) == 0 {
				t.Errorf("%s documents no responses", route)
			}
		}
	}
	var enum []string
	if ec, ok := jsonPointer(doc, "#/components/schemas/ErrorCode/enum"); ok {
		for _, v := range ec.([]any) {
			s, _ := v.(string)
			enum = append(enum, s)
		}
	}
	scannedOps, scannedEnum := scanOpenAPI(t)
	slices.Sort(ops)
	slices.Sort(enum)
	slices.Sort(scannedEnum)
	if !slices.Equal(ops, scannedOps) {
		t.Errorf("the line scan read the operations %v, the YAML parser %v: fix scanOpenAPI or the document's layout", scannedOps, ops)
	}
	if !slices.Equal(enum, scannedEnum) {
		t.Errorf("the line scan read the error codes %v, the YAML parser %v: fix scanOpenAPI or the document's layout", scannedEnum, enum)
	}

	walkOpenAPIRefs(doc, func(ref string) {
		if !strings.HasPrefix(ref, "#/") {
			t.Errorf("$ref %q: only local references are expected", ref)
		} else if _, ok := jsonPointer(doc, ref); !ok {
			t.Errorf("$ref %q does not resolve", ref)
		}
	})

	// The full schema check, where the validator is installed (it is optional).
	if exec.Command(python, "-c", "import openapi_spec_validator").Run() != nil {
		t.Log("openapi-spec-validator is not installed; skipping the OpenAPI schema validation")
		return
	}
	validate := exec.Command(python, "-c", "import sys, yaml; from openapi_spec_validator import validate; validate(yaml.safe_load(sys.stdin))")
	validate.Stdin = bytes.NewReader(src)
	if out, err := validate.CombinedOutput(); err != nil {
		t.Errorf("openapi-spec-validator rejects openapi.yaml: %v\n%s", err, tailLines(string(out), 15))
	}
}

// needOpenAPITool fails under CI, where the tool is part of the test setup, and skips elsewhere.
func needOpenAPITool(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(reason)
	}
	t.Skip(reason)
}

// registeredRoutes reads the package's non-test sources for the routes New registers:
// route("METHOD", "/path", …) calls, and any mux.Handle/HandleFunc("METHOD /path", …).
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	var routes []string
	for _, f := range parseGoDir(t, ".") {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				if fn.Name == "route" && len(call.Args) >= 2 {
					method, ok1 := goStringLit(call.Args[0])
					path, ok2 := goStringLit(call.Args[1])
					if !ok1 || !ok2 {
						t.Errorf("%s: route called without literal method and path", goFileSet.Position(call.Pos()))
						return true
					}
					routes = append(routes, method+" "+path)
				}
			case *ast.SelectorExpr:
				if (fn.Sel.Name == "Handle" || fn.Sel.Name == "HandleFunc") && len(call.Args) >= 1 {
					pattern, ok := goStringLit(call.Args[0])
					if !ok || pattern == "/" { // the catch-all that answers 404/405
						return true
					}
					method, path, found := strings.Cut(pattern, " ")
					if !found {
						t.Errorf("mux pattern %q has no method: document it and teach this test how", pattern)
						return true
					}
					routes = append(routes, method+" "+strings.TrimSpace(path))
				}
			}
			return true
		})
	}
	if len(routes) == 0 {
		t.Fatal("found no route registrations in internal/httpapi: has New's route helper been renamed?")
	}
	slices.Sort(routes)
	return slices.Compact(routes)
}

// authErrorCodes are the codes the auth API answers: every code of the contract
// (apierror), forbidden included (an attribute the user may not change).
func authErrorCodes(t *testing.T) []string {
	t.Helper()
	var codes []string
	for _, c := range apierror.Codes() {
		codes = append(codes, string(c))
	}
	if len(codes) == 0 {
		t.Fatal("internal/apierror lists no codes")
	}
	return codes
}

var goFileSet = token.NewFileSet()

func parseGoDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(goFileSet, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

func goStringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// scanOpenAPI reads openapi.yaml's operations ("METHOD /path", sorted) and the enum of
// components.schemas.ErrorCode with an indentation scan of block-style YAML: it tracks the
// chain of mapping keys each line sits under, skips block scalars (| and >), and reads
// sequence items and one-line [a, b] lists of the enum. It understands the layout the
// document uses, not all of YAML; TestOpenAPIParses checks it against a real parser.
func scanOpenAPI(t *testing.T) (ops, codes []string) {
	t.Helper()
	src, err := os.ReadFile(openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	type frame struct {
		indent int
		key    string
	}
	var stack []frame
	under := func(keys ...string) bool {
		if len(stack) != len(keys) {
			return false
		}
		for i, k := range keys {
			if stack[i].key != k {
				return false
			}
		}
		return true
	}
	const errorEnum = "components schemas ErrorCode enum"
	block := -1 // inside a block scalar whose key is at this indent
	for n, line := range strings.Split(string(src), "\n") {
		line = strings.TrimRight(line, " \r")
		content := strings.TrimLeft(line, " ")
		indent := len(line) - len(content)
		if content == "" || strings.HasPrefix(content, "#") {
			continue
		}
		if strings.HasPrefix(content, "\t") {
			t.Fatalf("openapi.yaml:%d: tab indentation", n+1)
		}
		if block >= 0 {
			if indent > block {
				continue
			}
			block = -1
		}
		if content == "-" || strings.HasPrefix(content, "- ") {
			// A sequence item belongs to the nearest key at or above its indent.
			for len(stack) > 0 && stack[len(stack)-1].indent > indent {
				stack = stack[:len(stack)-1]
			}
			if under(strings.Fields(errorEnum)...) {
				codes = append(codes, unquoteYAML(strings.TrimSpace(content[1:])))
			}
			continue
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		key, value, ok := splitYAMLKey(content)
		if !ok {
			continue // a continuation line of a multi-line plain scalar
		}
		stack = append(stack, frame{indent, key})
		if len(stack) == 3 && stack[0].key == "paths" && stack[0].indent == 0 && openAPIMethods[key] {
			ops = append(ops, strings.ToUpper(key)+" "+stack[1].key)
		}
		if under(strings.Fields(errorEnum)...) && strings.HasPrefix(value, "[") {
			for _, v := range strings.Split(strings.Trim(value, "[]"), ",") {
				if v = unquoteYAML(strings.TrimSpace(v)); v != "" {
					codes = append(codes, v)
				}
			}
		}
		if strings.HasPrefix(value, "|") || strings.HasPrefix(value, ">") {
			block = indent
		}
	}
	if len(ops) == 0 {
		t.Fatal("openapi.yaml: no operations found under paths")
	}
	slices.Sort(ops)
	return ops, codes
}

// splitYAMLKey splits "key: value" (or "key:"), with the key plain or quoted.
func splitYAMLKey(s string) (key, value string, ok bool) {
	if s[0] == '\'' || s[0] == '"' {
		end := strings.IndexByte(s[1:], s[0])
		if end < 0 || !strings.HasPrefix(s[end+2:], ":") {
			return "", "", false
		}
		key, rest := s[1:end+1], s[end+3:]
		if rest != "" && rest[0] != ' ' {
			return "", "", false
		}
		return key, strings.TrimSpace(rest), true
	}
	if i := strings.Index(s, ": "); i > 0 {
		return s[:i], strings.TrimSpace(s[i+2:]), true
	}
	if strings.HasSuffix(s, ":") {
		return s[:len(s)-1], "", true
	}
	return "", "", false
}

func unquoteYAML(s string) string {
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	if i := strings.Index(s, " #"); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	return s
}

// jsonPointer resolves a local JSON pointer ("#/a/b") in doc.
func jsonPointer(doc any, ref string) (any, bool) {
	cur := doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func walkOpenAPIRefs(n any, fn func(string)) {
	switch v := n.(type) {
	case map[string]any:
		for k, c := range v {
			if s, ok := c.(string); ok && k == "$ref" {
				fn(s)
				continue
			}
			walkOpenAPIRefs(c, fn)
		}
	case []any:
		for _, c := range v {
			walkOpenAPIRefs(c, fn)
		}
	}
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
