package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/org"
)

// orgRoutes are the pages of the organisation tree.
func (s *Server) orgRoutes() []route {
	return []route{
		{"GET", "/org", s.orgPage, signedIn},
		{"POST", "/org", s.createUnit, signedIn},
		{"GET", "/org/{id}", s.unitPage, signedIn},
		{"POST", "/org/{id}", s.updateUnit, signedIn},
		{"POST", "/org/{id}/close", s.closeUnit, signedIn},
	}
}

// unitKinds are the kinds a unit below the company can take.
var unitKinds = []string{org.KindRegion, org.KindTeam}

type orgData struct {
	Units    []*org.Unit
	Closed   bool        // closed units are listed too
	Parents  []*org.Unit // open units a new unit may be created under
	Managers []*org.Person
	Kinds    []string
	Form     *form
}

// canPlace reports whether the viewer may put units or people into the
// unit at path; it only decides which choices a form offers.
func canPlace(a *echelon.Actor, path string) bool {
	return a.IsAdmin() || (a.Role.IsManager() && a.UnitPath != "" && strings.HasPrefix(path, a.UnitPath))
}

// canManage reports whether the viewer may change or close the unit at path
// (admin anywhere, a manager strictly below their own unit); it only
// decides whether the forms are shown.
func canManage(a *echelon.Actor, path string) bool {
	return a.IsAdmin() || (a.Role.IsManager() && a.UnitPath != "" && strings.HasPrefix(path, a.UnitPath) && path != a.UnitPath)
}

// placeable returns the open units among units the viewer may place into.
func placeable(a *echelon.Actor, units []*org.Unit) []*org.Unit {
	var out []*org.Unit
	for _, u := range units {
		if u.ClosedAt == nil && canPlace(a, u.Path) {
			out = append(out, u)
		}
	}
	return out
}

// managerCandidates returns the active senior and regional managers the viewer may see.
func (s *Server) managerCandidates(ctx context.Context) ([]*org.Person, error) {
	active := true
	var out []*org.Person
	for _, role := range []echelon.Role{echelon.RoleSeniorManager, echelon.RoleRegionalManager} {
		people, _, err := s.Org.FindPeople(ctx, org.PersonFilter{Role: role, Active: &active, Limit: 200})
		if err != nil {
			return nil, err
		}
		out = append(out, people...)
	}
	return out, nil
}

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.loadOrg(r)
	if err != nil {
		return err
	}
	d.Form.set("kind", org.KindTeam)
	if parent := r.URL.Query().Get("parent_id"); parent != "" {
		d.Form.set("parent_id", parent) // "new unit" from a unit's page
	}
	s.render(w, r, http.StatusOK, "org", "org.title", d)
	return nil
}

func (s *Server) loadOrg(r *http.Request) (*orgData, error) {
	closed := r.URL.Query().Get("closed") == "1"
	units, err := s.Org.FindUnits(r.Context(), closed)
	if err != nil {
		return nil, err
	}
	d := &orgData{Units: units, Closed: closed, Kinds: unitKinds, Form: newForm()}
	a := echelon.ActorFrom(r.Context())
	open := units
	if closed {
		if open, err = s.Org.FindUnits(r.Context(), false); err != nil {
			return nil, err
		}
	}
	d.Parents = placeable(a, open)
	if len(d.Parents) > 0 {
		if d.Managers, err = s.managerCandidates(r.Context()); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (s *Server) createUnit(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	u, err := s.createUnitFrom(r, f)
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "org", "org.title", s.loadOrg, func(d *orgData) { d.Form = f }))
	}
	seeOther(w, r, "/org/"+itoa(u.ID), "unit.created")
	return nil
}

func (s *Server) createUnitFrom(r *http.Request, f *form) (*org.Unit, error) {
	parent, err := f.id("parent_id")
	if err != nil {
		return nil, err
	}
	manager, err := f.id("manager_id")
	if err != nil {
		return nil, err
	}
	return s.Org.CreateUnit(r.Context(), org.UnitInput{ParentID: parent, Kind: f.Val("kind"), Name: f.Values.Get("name"), ManagerID: manager})
}

type unitData struct {
	Unit        *org.Unit
	Trail       []*org.Unit // ancestors, company first
	Parent      *org.Unit   // the last of Trail, nil for the company
	Children    []*org.Unit
	People      []*org.Person // the first page of people in the unit and below
	PeopleTotal int
	Parents     []*org.Unit   // where the unit may move
	Managers    []*org.Person // who may manage it: people on its chain of units
	Kinds       []string
	CanManage   bool
	SeesPeople  bool // the unit lies in the viewer's scope of people
	Form        *form
	Alert       string // why closing failed
}

// PageTitle names the unit in the browser tab.
func (d *unitData) PageTitle() string { return d.Unit.Name }

func (s *Server) unitPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "unit", "unit.title", s.loadUnit)
}

// loadUnit reads the unit of the path, its surroundings and an edit form
// filled with its current values.
func (s *Server) loadUnit(r *http.Request) (*unitData, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	u, err := s.Org.FindUnitByID(ctx, id)
	if err != nil {
		return nil, err
	}
	units, err := s.Org.FindUnits(ctx, true)
	if err != nil {
		return nil, err
	}
	a := echelon.ActorFrom(ctx)
	d := &unitData{Unit: u, Kinds: unitKinds, CanManage: u.ClosedAt == nil && canManage(a, u.Path), SeesPeople: canPlace(a, u.Path), Form: newForm()}
	if u.ParentID == 0 {
		d.Kinds = []string{org.KindCompany}
	}
	for _, x := range units {
		switch {
		case x.ID != u.ID && strings.HasPrefix(u.Path, x.Path):
			d.Trail = append(d.Trail, x)
		case x.ParentID == u.ID:
			d.Children = append(d.Children, x)
		}
		if x.ClosedAt == nil && !strings.HasPrefix(x.Path, u.Path) && (canPlace(a, x.Path) || x.ID == u.ParentID) {
			d.Parents = append(d.Parents, x)
		}
	}
	if len(d.Trail) > 0 {
		d.Parent = d.Trail[len(d.Trail)-1]
	}
	if d.SeesPeople {
		active := true
		if d.People, d.PeopleTotal, err = s.Org.FindPeople(ctx, org.PersonFilter{UnitID: u.ID, Active: &active, Limit: 50}); err != nil {
			return nil, err
		}
	}
	if d.CanManage {
		candidates, err := s.managerCandidates(ctx)
		if err != nil {
			return nil, err
		}
		current := false
		for _, p := range candidates {
			if p.UnitPath != "" && strings.HasPrefix(u.Path, p.UnitPath) {
				d.Managers = append(d.Managers, p)
				current = current || p.ID == u.ManagerID
			}
		}
		if u.ManagerID != 0 && !current {
			d.Managers = append(d.Managers, &org.Person{ID: u.ManagerID, Name: u.ManagerName})
		}
	}
	d.Form.set("name", u.Name)
	d.Form.set("kind", u.Kind)
	d.Form.set("parent_id", u.ParentID)
	d.Form.set("manager_id", u.ManagerID)
	d.Form.set("version", u.Version)
	return d, nil
}

func (s *Server) updateUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := postedForm(r)
	changed, err := s.updateUnitFrom(r, id, f)
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "unit", "unit.title", s.loadUnit, func(d *unitData) { d.Form = f }))
	}
	seeOther(w, r, "/org/"+itoa(id), savedFlash(changed, "unit.saved"))
	return nil
}

// updateUnitFrom applies the edit form; changed is false when the form
// holds the unit's current values, and then nothing is written.
func (s *Server) updateUnitFrom(r *http.Request, id int64, f *form) (changed bool, err error) {
	u, err := s.Org.FindUnitByID(r.Context(), id)
	if err != nil {
		return false, err
	}
	up := org.UnitUpdate{}
	if name := f.Values.Get("name"); strings.TrimSpace(name) != u.Name {
		up.Name, changed = &name, true
	}
	if kind := f.Val("kind"); kind != u.Kind {
		up.Kind, changed = &kind, true
	}
	if f.Values.Has("parent_id") {
		parent, err := f.id("parent_id")
		if err != nil {
			return false, err
		}
		if parent != u.ParentID {
			up.ParentID, changed = &parent, true
		}
	}
	manager, err := f.id("manager_id")
	if err != nil {
		return false, err
	}
	if manager != u.ManagerID {
		up.ManagerID, changed = &manager, true
	}
	if up.Version, err = f.int("version"); err != nil || !changed {
		return false, err
	}
	_, err = s.Org.UpdateUnit(r.Context(), id, up)
	return true, err
}

func (s *Server) closeUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if _, err := s.Org.CloseUnit(r.Context(), id); err != nil {
		f := newForm()
		return s.redisplay(r, f, err, reload(s, w, r, "unit", "unit.title", s.loadUnit, func(d *unitData) { d.Alert = f.Error }))
	}
	seeOther(w, r, "/org/"+itoa(id), "unit.closed_ok")
	return nil
}

// TreeOption is a unit's name indented by its depth below the shallowest
// unit of the list, for the options of a select.
func (p *page) TreeOption(units []*org.Unit, u *org.Unit) string {
	depth := func(u *org.Unit) int { return max(u.Depth(), 0) } // 0 for a unit known only by name
	base := depth(u)
	for _, x := range units {
		base = min(base, depth(x))
	}
	return strings.Repeat("\u00a0\u00a0\u00a0", depth(u)-base) + u.Name
}

// LinksUnitManager reports whether the manager of u is someone the viewer
// can open, so that the page links them rather than leading to "not found".
func (p *page) LinksUnitManager(u *org.Unit) bool {
	a := p.Actor
	return a.IsAdmin() || u.ManagerID == a.PersonID || canManage(a, u.Path)
}

// LinksManagerOf reports whether the manager of person x is someone the viewer can open.
func (p *page) LinksManagerOf(x *org.Person) bool {
	a := p.Actor
	return a.IsAdmin() || x.ManagerID == a.PersonID || (a.Role.IsManager() && x.ID != a.PersonID)
}
