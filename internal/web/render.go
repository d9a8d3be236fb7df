package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/i18n"
)

//go:embed templates static
var assets embed.FS

// parsePages parses each templates/<name>.html together with the layout
// and partials in templates/shared/ into its own set.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: list templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		t, err := template.New(base).Funcs(templateFuncs()).ParseFS(assets, n, "templates/shared/*.html")
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", n, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// templateFuncs are helpers that do not depend on the viewer; anything
// language-dependent is a method of page.
func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"add":       func(a, b int) int { return a + b },
		"hasPrefix": strings.HasPrefix,
		"hasSuffix": strings.HasSuffix,
		"repeat":    strings.Repeat,
	}
}

// page is what every template receives: the viewer, their language, the
// CSRF token for forms, and the page's own data.
type page struct {
	Lang    string
	Actor   *echelon.Actor
	CSRF    string
	Title   string
	Path    string
	Flash   string
	Version string
	Data    any
	cat     *i18n.Catalog
}

// refresher is page data that asks the browser to reload after some
// seconds (a job in progress), so the page works without JavaScript.
type refresher interface{ RefreshSeconds() int }

// Refresh is the reload interval the page's data asks for, or 0.
func (p *page) Refresh() int {
	if r, ok := p.Data.(refresher); ok {
		return r.RefreshSeconds()
	}
	return 0
}

// T translates a catalogue key into the viewer's language.
func (p *page) T(key string, args ...any) string { return p.cat.T(p.Lang, key, args...) }

// Langs lists the interface languages for the language switch.
func (p *page) Langs() []string { return i18n.Langs() }

// Date formats a time as a date in the viewer's convention, in the company's zone.
func (p *page) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(echelon.CompanyZone())
	if p.Lang == i18n.Chinese {
		return t.Format("2006年1月2日")
	}
	return t.Format("2 Jan 2006")
}

// DateTime formats a time with minutes in the company's zone.
func (p *page) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(echelon.CompanyZone())
	if p.Lang == i18n.Chinese {
		return t.Format("2006-01-02 15:04")
	}
	return t.Format("2 Jan 2006 15:04")
}

// Can reports whether the viewer has one of the roles (for showing actions;
// the services enforce the rules themselves).
func (p *page) Can(roles ...string) bool {
	if p.Actor == nil {
		return false
	}
	for _, r := range roles {
		if string(p.Actor.Role) == r {
			return true
		}
	}
	return false
}

// render executes a page template into a buffer first, so a template error
// never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, titleKey string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.Log.Error("missing template", "name", name)
		http.Error(w, "missing template", http.StatusInternalServerError)
		return
	}
	p := &page{
		Lang: langFrom(r.Context()), Actor: echelon.ActorFrom(r.Context()), CSRF: csrfFrom(r.Context()),
		Path: r.URL.Path, Version: s.Version, Data: data, cat: s.Catalog,
	}
	if f := r.URL.Query().Get("flash"); s.Catalog.Has(p.Lang, f) {
		p.Flash = f // only catalogue keys, so a link cannot put its own words on the page
	}
	if p.CSRF == "" {
		p.CSRF = s.ensureCSRFCookie(w, r)
	}
	p.Title = p.T(titleKey)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Log.Error("render", "id", requestID(r.Context()), "template", name, "err", err)
		http.Error(w, s.Catalog.T(p.Lang, "error.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// show draws the page template name with the data load reads for the request.
func show[D any](s *Server, w http.ResponseWriter, r *http.Request, name, titleKey string, load func(*http.Request) (D, error)) error {
	return reload(s, w, r, name, titleKey, load, nil)(http.StatusOK)
}

func staticHandler() http.Handler {
	sub, _ := fs.Sub(assets, "static")
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}
