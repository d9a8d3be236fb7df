package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/review"
)

// pageRoutes is the HTML side of the route table.
func (s *Server) pageRoutes() []route {
	r := []route{
		{"GET", "/login", s.loginPage, public},
		{"POST", "/login", s.login, public},
		{"POST", "/logout", s.logout, signedIn},
		{"POST", "/lang", s.setLang, public},
		{"GET", "/{$}", s.homePage, signedIn},
	}
	r = append(r, s.orgRoutes()...)
	r = append(r, s.peopleRoutes()...)
	r = append(r, s.adminRoutes()...)
	r = append(r, s.crmPageRoutes()...)
	return append(r, s.settingsRoutes()...)
}

type loginData struct {
	Email string
	Next  string
	Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if echelon.ActorFrom(r.Context()) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "login", "login.title", loginData{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	email, next := r.PostFormValue("email"), safeNext(r.PostFormValue("next"))
	sess, err := s.Auth.Login(r.Context(), email, r.PostFormValue("password"))
	if err != nil {
		var e *echelon.Error
		if !errors.As(err, &e) {
			return err
		}
		lang := langFrom(r.Context())
		s.render(w, r, statusOf(e.Code), "login", "login.title", loginData{Email: email, Next: next, Error: s.Catalog.T(lang, e.Key, e.Args...)})
		return nil
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.SecureCookies, Expires: sess.ExpiresAt,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if err := s.Auth.Logout(r.Context(), cookieValue(r, sessionCookie)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// setLang switches the interface language: stored on the person when
// signed in, in a cookie before sign-in.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := i18n.Normalize(r.PostFormValue("lang"))
	if lang == "" {
		return echelon.FieldError("lang", "lang.invalid")
	}
	if a := echelon.ActorFrom(r.Context()); a != nil {
		if _, err := s.Org.UpdatePerson(r.Context(), a.PersonID, org.PersonUpdate{Lang: &lang}); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

// homeData is the home page: the viewer's own facts for everyone, plus
// what their role looks after — the whole system for an administrator,
// their subtree and direct reports for a manager.
type homeData struct {
	*me
	// Administrator.
	Counts *homeCounts
	Recent []audit.Entry
	// Senior and regional managers.
	Unit     *org.Unit
	Subtree  []*org.Unit
	TeamSize int
	Reports  []*org.Person
	// Everyone who sells, and administrators: targets, pace and KPIs.
	Dash *dashboard
	// What waits for the reader: review steps with their deadlines, nominations to decide.
	Tasks    []*review.Review
	ToDecide []*ladder.Nomination
	// An administrator of an empty installation: the demo company on offer.
	DemoOffered bool
}

type homeCounts struct{ Units, People, Levels, Roles int }

func (s *Server) homePage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.loadMe(r)
	if err != nil {
		return err
	}
	d := &homeData{me: m}
	a := echelon.ActorFrom(r.Context())
	switch {
	case a.IsAdmin():
		err = s.loadAdminHome(r, d)
	case a.Role.IsManager():
		err = s.loadManagerHome(r, d)
	}
	if err != nil {
		return err
	}
	if d.Dash, err = s.loadDashboard(r); err != nil {
		return err
	}
	if d.DemoOffered, err = s.Demo.Offered(r.Context()); err != nil {
		return err
	}
	if d.Tasks, err = s.Reviews.FindReviews(r.Context(), review.Filter{Mine: review.MineTodo}); err != nil {
		return err
	}
	if d.ToDecide, err = s.Ladder.FindNominations(r.Context(), ladder.NominationFilter{View: ladder.ViewToDecide}); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "home", "home.title", d)
	return nil
}

func (s *Server) loadAdminHome(r *http.Request, d *homeData) error {
	ctx := r.Context()
	units, err := s.Org.FindUnits(ctx, false)
	if err != nil {
		return err
	}
	active := true
	_, people, err := s.Org.FindPeople(ctx, org.PersonFilter{Active: &active, Limit: 1})
	if err != nil {
		return err
	}
	levels, err := s.Org.FindLevels(ctx)
	if err != nil {
		return err
	}
	roles, err := s.Org.FindRoleStatements(ctx)
	if err != nil {
		return err
	}
	d.Counts = &homeCounts{Units: len(units), People: people, Levels: len(levels), Roles: len(roles)}
	d.Recent, _, err = s.Audit.FindEntries(ctx, audit.Filter{Limit: 8})
	return err
}

// maxReportScan bounds how many people of a subtree are read to find a
// manager's direct reports (the service has no filter by manager yet).
const maxReportScan = 1000

func (s *Server) loadManagerHome(r *http.Request, d *homeData) error {
	ctx := r.Context()
	a := echelon.ActorFrom(ctx)
	if a.UnitID == 0 {
		return nil
	}
	units, err := s.Org.FindUnits(ctx, false)
	if err != nil {
		return err
	}
	for _, u := range units {
		if u.ID == a.UnitID {
			d.Unit = u
		}
		if strings.HasPrefix(u.Path, a.UnitPath) {
			d.Subtree = append(d.Subtree, u)
		}
	}
	active := true
	f := org.PersonFilter{UnitID: a.UnitID, Active: &active, Limit: 200}
	for f.Offset < maxReportScan {
		people, total, err := s.Org.FindPeople(ctx, f)
		if err != nil {
			return err
		}
		d.TeamSize = total
		for _, p := range people {
			if p.ManagerID == a.PersonID {
				d.Reports = append(d.Reports, p)
			}
		}
		f.Offset += len(people)
		if len(people) == 0 || f.Offset >= total {
			break
		}
	}
	return nil
}
