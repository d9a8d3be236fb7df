package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/auth"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/web"
)

// apiDoc is the parsed OpenAPI document (numbers kept as json.Number).
type apiDoc map[string]any

var (
	docOnce   sync.Once
	docParsed apiDoc
	docErr    error
)

// loadDoc parses internal/web/openapi.json once per test binary.
func loadDoc(t *testing.T) apiDoc {
	t.Helper()
	docOnce.Do(func() {
		b, err := os.ReadFile("openapi.json")
		if err != nil {
			docErr = err
			return
		}
		docParsed, docErr = parseDoc(b)
	})
	if docErr != nil {
		t.Fatalf("openapi.json: %v", docErr)
	}
	return docParsed
}

func parseDoc(b []byte) (apiDoc, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d apiDoc
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	return d, nil
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

// resolve follows a local "#/components/..." reference.
func (d apiDoc) resolve(ref string) map[string]any {
	if !strings.HasPrefix(ref, "#/") {
		return nil
	}
	var cur any = map[string]any(d)
	for _, part := range strings.Split(ref[2:], "/") {
		cur = obj(cur)[part]
	}
	return obj(cur)
}

// deref returns the node itself, or what its $ref points to.
func (d apiDoc) deref(node map[string]any) map[string]any {
	for i := 0; i < 10 && node != nil; i++ {
		ref, ok := node["$ref"].(string)
		if !ok {
			return node
		}
		node = d.resolve(ref)
	}
	return node
}

var httpMethods = []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}

// operations returns "METHOD /path" for every operation in the document.
func (d apiDoc) operations() []string {
	var out []string
	for path, item := range obj(d["paths"]) {
		for _, m := range httpMethods {
			if _, ok := obj(item)[m]; ok {
				out = append(out, strings.ToUpper(m)+" "+path)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (d apiDoc) operation(method, route string) map[string]any {
	return obj(obj(obj(d["paths"])[route])[strings.ToLower(method)])
}

// checkResponse reports how a real answer of the server departs from what
// the document promises for that route and status: the status must be
// documented, and the body must match its schema exactly (no field the
// document does not name, every required field present, the right types).
func (d apiDoc) checkResponse(method, route string, res *http.Response, body []byte) []string {
	op := d.operation(method, route)
	if op == nil {
		return []string{fmt.Sprintf("%s %s is not in openapi.json", method, route)}
	}
	resp := d.deref(obj(obj(op["responses"])[strconv.Itoa(res.StatusCode)]))
	if resp == nil {
		return []string{fmt.Sprintf("%s %s answered %d, which openapi.json does not list", method, route, res.StatusCode)}
	}
	content := obj(resp["content"])
	if content == nil {
		if len(bytes.TrimSpace(body)) != 0 {
			return []string{fmt.Sprintf("%s %s %d: documented without a body, answered %q", method, route, res.StatusCode, body)}
		}
		return nil
	}
	ct := res.Header.Get("Content-Type")
	if media, _, _ := strings.Cut(ct, ";"); !strings.HasPrefix(media, "application/json") && content[strings.TrimSpace(media)] != nil {
		// A documented file answer (CSV, XLSX): the type is promised, the body is not JSON.
		if len(body) == 0 {
			return []string{fmt.Sprintf("%s %s %d: an empty %s file", method, route, res.StatusCode, media)}
		}
		return nil
	}
	if !strings.HasPrefix(ct, "application/json") {
		return []string{fmt.Sprintf("%s %s %d: Content-Type %q, want application/json", method, route, res.StatusCode, ct)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("%s %s %d: body is not JSON: %v", method, route, res.StatusCode, err)}
	}
	return d.validate("body", v, obj(obj(content["application/json"])["schema"]))
}

// properties gathers the properties and required names of an object
// schema, merging allOf; open is true when other properties are allowed.
func (d apiDoc) properties(s map[string]any) (props map[string]map[string]any, required []string, open bool) {
	props = map[string]map[string]any{}
	s = d.deref(s)
	for name, p := range obj(s["properties"]) {
		props[name] = obj(p)
	}
	for _, r := range asSlice(s["required"]) {
		required = append(required, r.(string))
	}
	open = s["additionalProperties"] == true
	for _, part := range asSlice(s["allOf"]) {
		pp, rr, oo := d.properties(obj(part))
		for k, v := range pp {
			props[k] = v
		}
		required = append(required, rr...)
		open = open || oo
	}
	return props, required, open
}

func asSlice(v any) []any { s, _ := v.([]any); return s }

// validate checks v against the subset of JSON Schema the document uses.
func (d apiDoc) validate(at string, v any, s map[string]any) []string {
	s = d.deref(s)
	if s == nil {
		return []string{at + ": schema not found"}
	}
	if alts := asSlice(s["oneOf"]); alts != nil {
		// One of several shapes (an import's 422 is a report or an error):
		// exactly one must fit.
		var fits int
		var why []string
		for i, alt := range alts {
			p := d.validate(at, v, obj(alt))
			if len(p) == 0 {
				fits++
			}
			why = append(why, fmt.Sprintf("oneOf[%d]: %s", i, strings.Join(p, "; ")))
		}
		if fits != 1 {
			return []string{fmt.Sprintf("%s: fits %d of the oneOf shapes, want exactly 1 (%s)", at, fits, strings.Join(why, " | "))}
		}
		return nil
	}
	var bad []string
	if enum := asSlice(s["enum"]); enum != nil && !slices.Contains(enum, v) {
		bad = append(bad, fmt.Sprintf("%s: %v is not one of %v", at, v, enum))
	}
	typ, _ := s["type"].(string)
	if typ == "" && s["allOf"] != nil {
		typ = "object"
	}
	switch typ {
	case "object":
		m, ok := v.(map[string]any)
		if !ok {
			return append(bad, fmt.Sprintf("%s: %T, want an object", at, v))
		}
		props, required, open := d.properties(s)
		for _, r := range required {
			if _, ok := m[r]; !ok {
				bad = append(bad, fmt.Sprintf("%s: required %q missing", at, r))
			}
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k]; ok {
				bad = append(bad, d.validate(at+"."+k, m[k], p)...)
			} else if !open && len(props) > 0 {
				bad = append(bad, fmt.Sprintf("%s: property %q is not documented", at, k))
			}
		}
	case "array":
		a, ok := v.([]any)
		if !ok {
			return append(bad, fmt.Sprintf("%s: %T, want an array", at, v))
		}
		for i, e := range a {
			bad = append(bad, d.validate(fmt.Sprintf("%s[%d]", at, i), e, obj(s["items"]))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			bad = append(bad, fmt.Sprintf("%s: %T, want a string", at, v))
		}
	case "integer":
		if n, ok := v.(json.Number); !ok || strings.ContainsAny(n.String(), ".eE") {
			bad = append(bad, fmt.Sprintf("%s: %v, want an integer", at, v))
		}
	case "number":
		if _, ok := v.(json.Number); !ok {
			bad = append(bad, fmt.Sprintf("%s: %T, want a number", at, v))
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad = append(bad, fmt.Sprintf("%s: %T, want a boolean", at, v))
		}
	}
	return bad
}

// serverOf returns the web.Server behind the harness.
func serverOf(t *testing.T, h *harness) *web.Server {
	t.Helper()
	s, ok := h.Server.Config.Handler.(*web.Server)
	if !ok {
		t.Fatalf("harness handler is %T, want *web.Server", h.Server.Config.Handler)
	}
	return s
}

func TestOpenAPI_DocumentListsExactlyTheRoutesTheServerServes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		doc := loadDoc(t)
		served := serverOf(t, h).APIRoutes()
		if len(served) == 0 {
			t.Fatal("the server reports no API routes")
		}
		documented := doc.operations()
		for _, r := range served {
			if !slices.Contains(documented, r) {
				t.Errorf("route %q is served but missing from openapi.json", r)
			}
		}
		for _, r := range documented {
			if !slices.Contains(served, r) {
				t.Errorf("openapi.json lists %q, which is not in the server's route table", r)
			}
		}

		t.Run("every documented operation reaches a handler, not the router's 404 or 405", func(t *testing.T) {
			for _, r := range documented {
				method, path, _ := strings.Cut(r, " ")
				path = strings.NewReplacer("{id}", "1", "{role}", "rep").Replace(path)
				res, body := h.do(method, path, "", "{}")
				if res.StatusCode == http.StatusMethodNotAllowed || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
					t.Errorf("%s %s answered %d %q: not served by an API route", method, path, res.StatusCode, body)
				}
			}
		})
	})
}

func TestOpenAPI_DocumentIsServedAsValidOpenAPI303(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		res, body := h.do("GET", "/api/openapi.json", "", nil)
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("GET /api/openapi.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		if !json.Valid(body) {
			t.Fatal("GET /api/openapi.json is not valid JSON")
		}
		file, err := os.ReadFile("openapi.json")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, file) {
			t.Error("the served document differs from internal/web/openapi.json")
		}
		doc, err := parseDoc(body)
		if err != nil {
			t.Fatal(err)
		}
		if doc["openapi"] != "3.0.3" {
			t.Errorf("openapi = %v, want 3.0.3", doc["openapi"])
		}
		checkDocStructure(t, doc)
	})
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// checkDocStructure checks what a validator would: references resolve,
// path parameters are declared, operations are identified and answer.
func checkDocStructure(t *testing.T, doc apiDoc) {
	t.Helper()
	info := obj(doc["info"])
	if info["title"] == "" || info["title"] == nil || info["version"] == nil {
		t.Error("info.title and info.version are required")
	}
	var walk func(at string, v any)
	walk = func(at string, v any) {
		switch n := v.(type) {
		case map[string]any:
			if ref, ok := n["$ref"].(string); ok && doc.resolve(ref) == nil {
				t.Errorf("%s: $ref %q does not resolve", at, ref)
			}
			for k, c := range n {
				walk(at+"/"+k, c)
			}
		case []any:
			for i, c := range n {
				walk(fmt.Sprintf("%s/%d", at, i), c)
			}
		}
	}
	walk("#", map[string]any(doc))

	schemes := obj(obj(doc["components"])["securitySchemes"])
	if b := obj(schemes["bearerAuth"]); b["type"] != "http" || b["scheme"] != "bearer" {
		t.Errorf("bearerAuth = %v, want an http bearer scheme", b)
	}
	checkSecurity := func(at string, v any) {
		for _, req := range asSlice(v) {
			for name := range obj(req) {
				if schemes[name] == nil {
					t.Errorf("%s: security scheme %q is not defined", at, name)
				}
			}
		}
	}
	checkSecurity("security", doc["security"])

	ids := map[string]string{}
	for path, item := range obj(doc["paths"]) {
		if !strings.HasPrefix(path, "/") {
			t.Errorf("path %q does not start with /", path)
		}
		inTemplate := map[string]bool{}
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			inTemplate[m[1]] = true
		}
		for _, m := range httpMethods {
			op := obj(obj(item)[m])
			if op == nil {
				continue
			}
			at := strings.ToUpper(m) + " " + path
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s: no operationId", at)
			} else if other, dup := ids[id]; dup {
				t.Errorf("%s: operationId %q already used by %s", at, id, other)
			}
			ids[id] = at
			declared := map[string]bool{}
			for _, p := range asSlice(op["parameters"]) {
				p := doc.deref(obj(p))
				if p["in"] == "path" {
					name, _ := p["name"].(string)
					declared[name] = true
					if p["required"] != true {
						t.Errorf("%s: path parameter %q must be required", at, name)
					}
				}
				if p["schema"] == nil {
					t.Errorf("%s: parameter %v has no schema", at, p["name"])
				}
			}
			for name := range inTemplate {
				if !declared[name] {
					t.Errorf("%s: path parameter {%s} is not declared", at, name)
				}
			}
			for name := range declared {
				if !inTemplate[name] {
					t.Errorf("%s: declares path parameter %q that the path does not have", at, name)
				}
			}
			responses := obj(op["responses"])
			ok2xx := false
			for code := range responses {
				ok2xx = ok2xx || strings.HasPrefix(code, "2")
			}
			if !ok2xx {
				t.Errorf("%s: no success response", at)
			}
			sec, hasSec := op["security"]
			public := hasSec && len(asSlice(sec)) == 0
			if !public && responses["401"] == nil {
				t.Errorf("%s: needs sign-in but does not document 401", at)
			}
			checkSecurity(at, sec)
			if rb := obj(op["requestBody"]); rb != nil && obj(obj(rb["content"])["application/json"]) == nil &&
				obj(obj(rb["content"])["multipart/form-data"]) == nil {
				t.Errorf("%s: request body is neither application/json nor an upload (multipart/form-data)", at)
			}
		}
	}

	errProps := obj(obj(obj(doc.resolve("#/components/schemas/Error")["properties"])["error"])["properties"])
	codes := asSlice(obj(errProps["code"])["enum"])
	want := []any{echelon.EINVALID, echelon.ENOTFOUND, echelon.ECONFLICT, echelon.EFORBIDDEN, echelon.EUNAUTHORIZED, echelon.ELOCKED, echelon.EINTERNAL}
	for _, c := range want {
		if !slices.Contains(codes, c) {
			t.Errorf("Error.error.code does not list %q", c)
		}
	}
	if len(codes) != len(want) {
		t.Errorf("Error.error.code = %v, want exactly %v", codes, want)
	}
}

// TestOpenAPI_SchemasNameTheFieldsOfTheGoStructs keeps every documented
// record in step with the json tags of the Go type it is encoded from.
func TestOpenAPI_SchemasNameTheFieldsOfTheGoStructs(t *testing.T) {
	doc := loadDoc(t)
	for name, c := range structSchemas {
		t.Run(name, func(t *testing.T) {
			schema := doc.resolve("#/components/schemas/" + name)
			if schema == nil {
				t.Fatalf("schema %s is missing", name)
			}
			props, required, _ := doc.properties(schema)
			var documented []string
			for p := range props {
				documented = append(documented, p)
			}
			fields, always := jsonFields(reflect.TypeOf(c.typ))
			sort.Strings(documented)
			if !slices.Equal(documented, fields) {
				t.Errorf("properties %v, want the json fields %v", documented, fields)
			}
			if c.output {
				sort.Strings(required)
				if !slices.Equal(required, always) {
					t.Errorf("required %v, want the fields always encoded %v", required, always)
				}
			} else if schema["additionalProperties"] != false {
				t.Error("an input schema must say additionalProperties: false (unknown fields answer 400)")
			}
		})
	}
}

// structSchema names the Go type a documented schema is encoded from or decoded into.
type structSchema struct {
	typ    any
	output bool // encoded by the server: required = the fields without omitempty
}

// structSchemas are the schemas kept in step with Go structs; a domain's
// test file adds its own in an init function.
var structSchemas = map[string]structSchema{
	"Person":             {org.Person{}, true},
	"PersonInput":        {org.PersonInput{}, false},
	"PersonUpdate":       {org.PersonUpdate{}, false},
	"Unit":               {org.Unit{}, true},
	"UnitInput":          {org.UnitInput{}, false},
	"UnitUpdate":         {org.UnitUpdate{}, false},
	"Level":              {org.Level{}, true},
	"LevelInput":         {org.LevelInput{}, false},
	"RoleStatement":      {org.RoleStatement{}, true},
	"RoleStatementInput": {org.RoleStatementInput{}, false},
	"AuditEntry":         {audit.Entry{}, true},
	"Token":              {auth.Token{}, true},
}

// jsonFields returns the sorted json names of t's fields and those without
// omitempty; an embedded struct without a tag lends its fields, as
// encoding/json does.
func jsonFields(t reflect.Type) (all, always []string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if et := f.Type; f.Anonymous && tag == "" {
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				a, w := jsonFields(et)
				all, always = append(all, a...), append(always, w...)
				continue
			}
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		all = append(all, name)
		if !strings.Contains(opts, "omitempty") {
			always = append(always, name)
		}
	}
	sort.Strings(all)
	sort.Strings(always)
	return all, always
}
