package web

import (
	"net/http"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/org"
)

// peopleRoutes are the pages of the people directory.
func (s *Server) peopleRoutes() []route {
	return []route{
		{"GET", "/people", s.peoplePage, signedIn},
		{"POST", "/people", s.createPerson, signedIn},
		{"GET", "/people/new", s.newPersonPage, signedIn},
		{"GET", "/people/{id}", s.personPage, signedIn},
		{"GET", "/people/{id}/edit", s.editPersonPage, signedIn},
		{"POST", "/people/{id}", s.updatePerson, signedIn},
		{"POST", "/people/{id}/password", s.setPersonPassword, signedIn},
	}
}

type peopleData struct {
	People    []*org.Person
	Filter    *form // the query, to refill the filter bar
	Filtered  bool  // some filter is in force
	Units     []*org.Unit
	Roles     []echelon.Role
	Columns   []column
	Pager     pager
	CanCreate bool
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request) error {
	f, err := personFilter(r)
	if err != nil {
		return err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	ctx := r.Context()
	people, total, err := s.Org.FindPeople(ctx, f)
	if err != nil {
		return err
	}
	units, err := s.Org.FindUnits(ctx, false)
	if err != nil {
		return err
	}
	a := echelon.ActorFrom(ctx)
	d := &peopleData{
		People: people, Units: units, Roles: echelon.Roles, Filter: newForm(),
		CanCreate: len(creatableRoles(a)) > 0,
		Columns: sortColumns(r.URL, f.Sort, "name", "name:field.name", "email:field.email", "role:field.role",
			"unit:field.org_unit", "hire_date:field.hire_date"),
		Pager: newPager(r.URL, total, f.Limit, f.Offset, len(people)),
	}
	for _, k := range []string{"q", "org_unit_id", "role", "active", "sort"} {
		if v := r.URL.Query().Get(k); v != "" {
			d.Filter.Values.Set(k, v)
			d.Filtered = d.Filtered || k != "sort"
		}
	}
	s.render(w, r, http.StatusOK, "people", "people.title", d)
	return nil
}

// creatableRoles are the roles the viewer may give a new person.
func creatableRoles(a *echelon.Actor) []echelon.Role {
	var out []echelon.Role
	for _, role := range echelon.Roles {
		if a.Role.Outranks(role) {
			out = append(out, role)
		}
	}
	return out
}

// editRights says which parts of a person the viewer may change; it
// mirrors the service's rules only to decide which fields to show and
// send, and the service checks them again.
type editRights struct {
	Basic    bool // name and phone
	Role     bool
	Place    bool // org unit, level and hire date
	Manager  bool
	Active   bool
	Password bool
}

// Any reports whether the viewer may change anything at all.
func (e editRights) Any() bool { return e.Basic }

func rightsOver(a *echelon.Actor, p *org.Person) editRights {
	switch {
	case a.PersonID == p.ID:
		return editRights{Basic: true, Place: a.IsAdmin()}
	case a.IsAdmin():
		return editRights{Basic: true, Role: true, Place: true, Manager: true, Active: true, Password: true}
	case a.Role.IsManager() && a.UnitPath != "" && strings.HasPrefix(p.UnitPath, a.UnitPath) && a.Role.Outranks(p.Role):
		return editRights{Basic: true, Place: true, Manager: true, Active: true}
	}
	return editRights{}
}

type personData struct {
	Person         *org.Person
	Responsibility *org.RoleStatement
	Rights         editRights
}

// PageTitle names the person in the browser tab.
func (d *personData) PageTitle() string { return d.Person.Name }

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.Org.FindPersonByID(r.Context(), id)
	if err != nil {
		return err
	}
	st, err := s.roleStatement(r, p.Role)
	if err != nil {
		return err
	}
	d := &personData{Person: p, Responsibility: st, Rights: rightsOver(echelon.ActorFrom(r.Context()), p)}
	s.render(w, r, http.StatusOK, "person", "person.title", d)
	return nil
}

type personFormData struct {
	Person   *org.Person // nil for a new person
	Form     *form
	PwForm   *form // an administrator setting the person's password
	Rights   editRights
	Roles    []echelon.Role
	Units    []*org.Unit
	Managers []*org.Person
	Levels   []*org.Level
	Langs    []string
}

// PageTitle names the person being edited in the browser tab.
func (d *personFormData) PageTitle() string {
	if d.Person == nil {
		return ""
	}
	return d.Person.Name
}

// loadChoices fills the options of the person form.
func (s *Server) loadChoices(r *http.Request, d *personFormData) error {
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	var err error
	if d.Levels, err = s.Org.FindLevels(ctx); err != nil {
		return err
	}
	d.Langs = append([]string{""}, langChoices()...)
	if d.Rights.Place {
		units, err := s.Org.FindUnits(ctx, false)
		if err != nil {
			return err
		}
		d.Units = placeable(a, units)
		if d.Person != nil && d.Person.UnitID != 0 && !containsUnit(d.Units, d.Person.UnitID) {
			d.Units = append(d.Units, &org.Unit{ID: d.Person.UnitID, Name: d.Person.UnitName})
		}
	}
	if d.Rights.Manager {
		candidates, err := s.managerCandidates(ctx)
		if err != nil {
			return err
		}
		current := false
		for _, m := range candidates {
			if d.Person != nil && m.ID == d.Person.ID {
				continue
			}
			d.Managers = append(d.Managers, m)
			current = current || (d.Person != nil && m.ID == d.Person.ManagerID)
		}
		if d.Person != nil && d.Person.ManagerID != 0 && !current {
			d.Managers = append(d.Managers, &org.Person{ID: d.Person.ManagerID, Name: d.Person.ManagerName})
		}
	}
	if d.Person == nil {
		d.Roles = creatableRoles(a)
	} else if d.Rights.Role {
		d.Roles = echelon.Roles
	}
	return nil
}

func containsUnit(units []*org.Unit, id int64) bool {
	for _, u := range units {
		if u.ID == id {
			return true
		}
	}
	return false
}

func (s *Server) newPersonPage(w http.ResponseWriter, r *http.Request) error {
	a := echelon.ActorFrom(r.Context())
	if len(creatableRoles(a)) == 0 {
		return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	d, err := s.newPersonChoices(r, newForm())
	if err != nil {
		return err
	}
	// Start from what is added most often: a rep; for a manager, in their
	// own unit and reporting to them.
	d.Form.set("role", echelon.RoleRep)
	if a.Role.IsManager() {
		d.Form.set("org_unit_id", a.UnitID)
		d.Form.set("manager_id", a.PersonID)
	}
	s.render(w, r, http.StatusOK, "person_form", "person.new_title", d)
	return nil
}

// newPersonChoices is the new-person form f with its options.
func (s *Server) newPersonChoices(r *http.Request, f *form) (*personFormData, error) {
	d := &personFormData{Form: f, Rights: editRights{Basic: true, Role: true, Place: true, Manager: true}}
	return d, s.loadChoices(r, d)
}

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	p, err := s.createPersonFrom(r, f)
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "person_form", "person.new_title",
			func(r *http.Request) (*personFormData, error) { return s.newPersonChoices(r, f) }, nil))
	}
	seeOther(w, r, "/people/"+itoa(p.ID), "person.created")
	return nil
}

func (s *Server) createPersonFrom(r *http.Request, f *form) (*org.Person, error) {
	in := org.PersonInput{
		Email: f.Values.Get("email"), Name: f.Values.Get("name"), Phone: f.Values.Get("phone"),
		Role: echelon.Role(f.Val("role")), HireDate: f.Val("hire_date"), Lang: f.Val("lang"),
		Password: f.Values.Get("password"),
	}
	var err error
	if in.UnitID, err = f.id("org_unit_id"); err != nil {
		return nil, err
	}
	if in.ManagerID, err = f.id("manager_id"); err != nil {
		return nil, err
	}
	if in.LevelID, err = f.id("level_id"); err != nil {
		return nil, err
	}
	return s.Org.CreatePerson(r.Context(), in)
}

// loadEdit reads the person of the path and what the viewer may change.
func (s *Server) loadEdit(r *http.Request) (*personFormData, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	p, err := s.Org.FindPersonByID(r.Context(), id)
	if err != nil {
		return nil, err
	}
	d := &personFormData{Person: p, Form: newForm(), PwForm: newForm(), Rights: rightsOver(echelon.ActorFrom(r.Context()), p)}
	if !d.Rights.Any() {
		return nil, echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	f := d.Form
	f.set("name", p.Name)
	f.set("phone", p.Phone)
	f.set("role", p.Role)
	f.set("org_unit_id", p.UnitID)
	f.set("manager_id", p.ManagerID)
	f.set("level_id", p.LevelID)
	f.set("hire_date", p.HireDate)
	f.set("active", p.Active)
	f.set("version", p.Version)
	return d, s.loadChoices(r, d)
}

func (s *Server) editPersonPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "person_form", "person.edit_title", s.loadEdit)
}

func (s *Server) updatePerson(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadEdit(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	up, changed, err := personUpdateFrom(d.Person, d.Rights, f)
	if err == nil && changed {
		_, err = s.Org.UpdatePerson(r.Context(), d.Person.ID, up)
	}
	if err != nil {
		d.Form = f
		return s.redisplay(r, f, err, s.again(w, r, "person_form", "person.edit_title", d))
	}
	seeOther(w, r, "/people/"+itoa(d.Person.ID), savedFlash(changed, "person.saved"))
	return nil
}

// personUpdateFrom turns the edit form into an update holding only the
// fields the viewer may change and did change.
func personUpdateFrom(p *org.Person, rights editRights, f *form) (org.PersonUpdate, bool, error) {
	var up org.PersonUpdate
	changed := false
	str := func(name, old string, dst **string) {
		if v := f.Values.Get(name); strings.TrimSpace(v) != old {
			*dst, changed = &v, true
		}
	}
	id := func(name string, old int64, dst **int64) error {
		v, err := f.id(name)
		if err == nil && v != old {
			*dst, changed = &v, true
		}
		return err
	}
	var err error
	if up.Version, err = f.int("version"); err != nil {
		return up, false, err
	}
	str("name", p.Name, &up.Name)
	str("phone", p.Phone, &up.Phone)
	if rights.Role {
		if role := echelon.Role(f.Val("role")); role != p.Role {
			up.Role, changed = &role, true
		}
	}
	if rights.Place {
		if err := id("org_unit_id", p.UnitID, &up.UnitID); err != nil {
			return up, false, err
		}
		if err := id("level_id", p.LevelID, &up.LevelID); err != nil {
			return up, false, err
		}
		str("hire_date", p.HireDate, &up.HireDate)
	}
	if rights.Manager {
		if err := id("manager_id", p.ManagerID, &up.ManagerID); err != nil {
			return up, false, err
		}
	}
	if rights.Active {
		if active := f.Checked("active"); active != p.Active {
			up.Active, changed = &active, true
		}
	}
	return up, changed, nil
}

// setPersonPassword lets an administrator set another person's password.
func (s *Server) setPersonPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	err = confirmPassword(f)
	if err == nil {
		err = s.Org.SetPassword(r.Context(), id, "", f.Values.Get("password"))
	}
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "person_form", "person.edit_title", s.loadEdit, func(d *personFormData) { d.PwForm = f }))
	}
	seeOther(w, r, "/people/"+itoa(id), "password.saved")
	return nil
}

// confirmPassword checks that both password fields agree.
func confirmPassword(f *form) error {
	if f.Values.Get("password") != f.Values.Get("confirm") {
		return echelon.FieldError("confirm", "password.mismatch")
	}
	return nil
}
