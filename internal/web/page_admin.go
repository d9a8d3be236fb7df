package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/org"
)

// adminRoutes are the pages that configure Echelon. Every change goes
// through a service that refuses anyone but an administrator.
func (s *Server) adminRoutes() []route {
	return []route{
		{"GET", "/admin/levels", s.levelsPage, signedIn},
		{"POST", "/admin/levels", s.createLevel, signedIn},
		{"GET", "/admin/levels/{id}", s.levelPage, signedIn},
		{"POST", "/admin/levels/{id}", s.updateLevel, signedIn},
		{"GET", "/admin/roles", s.rolesPage, signedIn},
		{"POST", "/admin/roles/{role}", s.updateRole, signedIn},
		{"GET", "/admin/audit", s.auditPage, signedIn},
	}
}

// adminOnly refuses the configuration screens to everyone but an
// administrator. The ladder and the statements they show are readable by
// all (each person's page shows theirs); these screens exist to change
// them, which the services allow only to administrators.
func adminOnly(r *http.Request) error {
	if !echelon.ActorFrom(r.Context()).IsAdmin() {
		return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	return nil
}

type levelsData struct {
	Levels []*org.Level
	Level  *org.Level // the level being edited, nil on the list
	Form   *form
}

func (s *Server) levelsPage(w http.ResponseWriter, r *http.Request) error {
	if err := adminOnly(r); err != nil {
		return err
	}
	d, err := s.loadLevels(r, 0)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "levels", "levels.title", d)
	return nil
}

// loadLevels reads the ladder; with an id it also fills the form with that level.
func (s *Server) loadLevels(r *http.Request, id int64) (*levelsData, error) {
	levels, err := s.Org.FindLevels(r.Context())
	if err != nil {
		return nil, err
	}
	d := &levelsData{Levels: levels, Form: newForm()}
	if id == 0 {
		next := 10
		if len(levels) > 0 {
			next = levels[len(levels)-1].Rank + 10
		}
		d.Form.set("rank", next)
		return d, nil
	}
	for _, l := range levels {
		if l.ID == id {
			d.Level = l
		}
	}
	if d.Level == nil {
		return nil, echelon.Errorf(echelon.ENOTFOUND, "level.not_found")
	}
	d.Form.set("code", d.Level.Code)
	d.Form.set("name_zh", d.Level.NameZh)
	d.Form.set("name_en", d.Level.NameEn)
	d.Form.set("rank", d.Level.Rank)
	d.Form.set("version", d.Level.Version)
	return d, nil
}

func levelInput(f *form) (org.LevelInput, error) {
	in := org.LevelInput{Code: f.Val("code"), NameZh: f.Values.Get("name_zh"), NameEn: f.Values.Get("name_en")}
	var err error
	if in.Rank, err = f.int("rank"); err != nil {
		return in, err
	}
	in.Version, err = f.int("version")
	return in, err
}

func (s *Server) createLevel(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	in, err := levelInput(f)
	if err == nil {
		_, err = s.Org.CreateLevel(r.Context(), in)
	}
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "levels", "levels.title",
			func(r *http.Request) (*levelsData, error) { return s.loadLevels(r, 0) }, func(d *levelsData) { d.Form = f }))
	}
	seeOther(w, r, "/admin/levels", "level.created")
	return nil
}

func (s *Server) levelPage(w http.ResponseWriter, r *http.Request) error {
	if err := adminOnly(r); err != nil {
		return err
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.loadLevels(r, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "levels", "levels.edit_title", d)
	return nil
}

func (s *Server) updateLevel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	in, err := levelInput(f)
	if err == nil {
		_, err = s.Org.UpdateLevel(r.Context(), id, in)
	}
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "levels", "levels.edit_title",
			func(r *http.Request) (*levelsData, error) { return s.loadLevels(r, id) }, func(d *levelsData) { d.Form = f }))
	}
	seeOther(w, r, "/admin/levels", "level.saved")
	return nil
}

// roleForm is the statement form of one role.
type roleForm struct {
	Role echelon.Role
	Form *form
}

func (s *Server) rolesPage(w http.ResponseWriter, r *http.Request) error {
	if err := adminOnly(r); err != nil {
		return err
	}
	forms, err := s.loadRoles(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "roles", "roles.title", forms)
	return nil
}

func (s *Server) loadRoles(r *http.Request) ([]roleForm, error) {
	all, err := s.Org.FindRoleStatements(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]roleForm, 0, len(all))
	for _, st := range all {
		f := newForm()
		f.set("body_zh", st.BodyZh)
		f.set("body_en", st.BodyEn)
		f.set("version", st.Version)
		out = append(out, roleForm{Role: st.Role, Form: f})
	}
	return out, nil
}

func (s *Server) updateRole(w http.ResponseWriter, r *http.Request) error {
	role := echelon.Role(r.PathValue("role"))
	f := postedForm(r)
	in := org.RoleStatementInput{BodyZh: f.Values.Get("body_zh"), BodyEn: f.Values.Get("body_en")}
	var err error
	if in.Version, err = f.int("version"); err == nil {
		_, err = s.Org.UpdateRoleStatement(r.Context(), role, in)
	}
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "roles", "roles.title", s.loadRoles, func(forms []roleForm) {
			for i := range forms {
				if forms[i].Role == role {
					forms[i].Form = f
				}
			}
		}))
	}
	seeOther(w, r, "/admin/roles#role-"+string(role), "roles.saved")
	return nil
}

// auditEntities and auditActions are the choices of the audit filter.
var (
	auditEntities = []string{"org_unit", "person", "level", "role_statement", "api_token"}
	auditActions  = []string{"create", "update", "close", "set_password", "sign_in", "revoke"}
)

type auditData struct {
	Entries  []auditRow
	Filter   *form
	Filtered bool
	Entities []string
	Actions  []string
	Pager    pager
}

// auditRow is an entry with its before and after laid out field by field.
type auditRow struct {
	audit.Entry
	Fields  []auditField
	Changed []string // names of the fields whose value differs
}

type auditField struct {
	Name, Before, After string
	Changed             bool
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) error {
	f, err := auditFilter(r)
	if err != nil {
		return err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	entries, total, err := s.Audit.FindEntries(r.Context(), f)
	if err != nil {
		return err
	}
	d := &auditData{Filter: newForm(), Entities: auditEntities, Actions: auditActions,
		Pager: newPager(r.URL, total, f.Limit, f.Offset, len(entries))}
	for _, k := range []string{"entity", "entity_id", "actor_id", "action", "from", "to"} {
		if v := r.URL.Query().Get(k); v != "" {
			d.Filter.Values.Set(k, v)
			d.Filtered = true
		}
	}
	for _, e := range entries {
		d.Entries = append(d.Entries, newAuditRow(e))
	}
	s.render(w, r, http.StatusOK, "audit", "audit.title", d)
	return nil
}

// newAuditRow lines up the top-level fields of the before and after JSON.
func newAuditRow(e audit.Entry) auditRow {
	row := auditRow{Entry: e}
	before, after := jsonFields(e.Before), jsonFields(e.After)
	names := map[string]bool{}
	for k := range before {
		names[k] = true
	}
	for k := range after {
		names[k] = true
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, a := before[k], after[k]
		fd := auditField{Name: k, Before: b, After: a, Changed: b != a && e.Before != nil && e.After != nil}
		if fd.Changed {
			row.Changed = append(row.Changed, k)
		}
		row.Fields = append(row.Fields, fd)
	}
	return row
}

// jsonFields flattens one level of a JSON object into field → compact
// JSON text (strings without their quotes). A value that is not an object
// becomes the single field "value".
func jsonFields(raw json.RawMessage) map[string]string {
	if len(raw) == 0 {
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return map[string]string{"value": compactJSON(raw)}
	}
	out := make(map[string]string, len(obj))
	for k, v := range obj {
		out[k] = compactJSON(v)
	}
	return out
}

func compactJSON(v json.RawMessage) string {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s
	}
	var b bytes.Buffer
	if err := json.Compact(&b, v); err != nil {
		return string(v)
	}
	return b.String()
}

// Label translates a code under a catalogue prefix ("audit.entity.",
// "audit.action."), showing the code itself when the catalogue does not
// know it yet (entries written by newer modules).
func (p *page) Label(prefix, code string) string {
	if p.cat.Has(p.Lang, prefix+code) {
		return p.T(prefix + code)
	}
	return code
}
