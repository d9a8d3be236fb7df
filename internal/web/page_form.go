package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/i18n"
)

// form is the state of one HTML form: what the person typed (or the
// record's current values) and what the service found wrong with it.
// Templates read it through Val, Is, Err and Checked.
type form struct {
	Values url.Values
	Errors map[string]string // field name → message in the viewer's language
	Error  string            // a message about the whole form
}

func newForm() *form { return &form{Values: url.Values{}, Errors: map[string]string{}} }

// postedForm returns the submitted fields of r (without the CSRF token).
func postedForm(r *http.Request) *form {
	f := newForm()
	_ = r.ParseForm()
	for k, v := range r.PostForm {
		if k != "csrf" {
			f.Values[k] = v
		}
	}
	return f
}

// Val returns the value of a field.
func (f *form) Val(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Is reports whether the field holds v (for selected options and radio buttons).
func (f *form) Is(name string, v any) bool { return f.Values.Get(name) == fmt.Sprint(v) }

// Checked reports whether a checkbox field is on.
func (f *form) Checked(name string) bool { return f.Values.Get(name) == "true" }

// Err returns the message about one field, or "".
func (f *form) Err(name string) string { return f.Errors[name] }

// set records a value, formatting ids so that 0 is the empty choice.
func (f *form) set(name string, v any) {
	switch x := v.(type) {
	case int64:
		if x == 0 {
			f.Values.Set(name, "")
			return
		}
	case bool:
		f.Values.Set(name, strconv.FormatBool(x))
		return
	}
	f.Values.Set(name, fmt.Sprint(v))
}

// id parses an optional id field: empty is 0, anything but a positive
// whole number is a field error.
func (f *form) id(name string) (int64, error) {
	v := f.Val(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, echelon.FieldError(name, "form.invalid_choice")
	}
	return n, nil
}

// int parses a whole-number field; empty is 0.
func (f *form) int(name string) (int, error) {
	v := f.Val(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, echelon.FieldError(name, "form.invalid_number")
	}
	return n, nil
}

// fail puts a service error on the form and returns the status to answer
// with. Only errors a person can correct in the form (invalid input, a
// conflict) are shown there; ok is false for the rest, which go to the
// error page. A field error lands beside its field when the form has that
// field, otherwise at the top.
func (s *Server) fail(r *http.Request, f *form, err error) (status int, ok bool) {
	var e *echelon.Error
	if !errors.As(err, &e) || (e.Code != echelon.EINVALID && e.Code != echelon.ECONFLICT) {
		return 0, false
	}
	lang := langFrom(r.Context())
	msg := s.Catalog.T(lang, e.Key, e.Args...)
	if _, has := f.Values[e.Field]; e.Field != "" && has {
		f.Errors[e.Field] = msg
		f.Error = s.Catalog.T(lang, "form.invalid")
	} else {
		f.Error = msg
	}
	return statusOf(e.Code), true
}

// redisplay answers a form post the service refused. An error the person
// can correct in the form is put on f (see fail) and page draws the form
// again with the status the error calls for; any other error goes to the
// error page.
func (s *Server) redisplay(r *http.Request, f *form, err error, page func(status int) error) error {
	status, ok := s.fail(r, f, err)
	if !ok {
		return err
	}
	return page(status)
}

// reload is a page for redisplay that loads the page's data afresh, lets
// put (unless nil) place the refused form or the refusal in it, and draws
// template name.
func reload[D any](s *Server, w http.ResponseWriter, r *http.Request, name, titleKey string, load func(*http.Request) (D, error), put func(D)) func(status int) error {
	return func(status int) error {
		d, err := load(r)
		if err != nil {
			return err
		}
		if put != nil {
			put(d)
		}
		s.render(w, r, status, name, titleKey, d)
		return nil
	}
}

// again is a page for redisplay that draws template name with data
// already loaded (the refused form placed in it).
func (s *Server) again(w http.ResponseWriter, r *http.Request, name, titleKey string, data any) func(status int) error {
	return func(status int) error {
		s.render(w, r, status, name, titleKey, data)
		return nil
	}
}

// seeOther redirects after a successful POST, carrying a flash message key.
func seeOther(w http.ResponseWriter, r *http.Request, path, flash string) {
	path, frag, _ := strings.Cut(path, "#")
	if flash != "" {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		path += sep + "flash=" + url.QueryEscape(flash)
	}
	if frag != "" {
		path += "#" + frag
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// savedFlash is the flash message after an edit form: saved, or that
// nothing changed (and nothing was written).
func savedFlash(changed bool, saved string) string {
	if !changed {
		return "form.no_changes"
	}
	return saved
}

// fieldView is what the "input" partial renders: one labelled input with
// its value, help text and error.
type fieldView struct {
	Name, Label, Type, Value, Error, Help, Autocomplete string
	Required, Autofocus                                 bool
	MaxLength                                           int
}

// Input describes a text-like input for the "input" partial. Options are
// "required", "autofocus", "help=<key>", "auto=<autocomplete>" and "max=<n>".
func (p *page) Input(f *form, name, labelKey, typ string, opts ...string) fieldView {
	v := fieldView{Name: name, Label: p.T(labelKey), Type: typ, Value: f.Values.Get(name), Error: f.Err(name)}
	if typ == "password" {
		v.Value = "" // never sent back to the browser
	}
	for _, o := range opts {
		k, val, _ := strings.Cut(o, "=")
		switch k {
		case "required":
			v.Required = true
		case "autofocus":
			v.Autofocus = true
		case "help":
			v.Help = p.T(val)
		case "auto":
			v.Autocomplete = val
		case "max":
			v.MaxLength, _ = strconv.Atoi(val)
		}
	}
	return v
}

// Num formats a whole number with thousands separators.
func (p *page) Num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Pick returns zh in Chinese and en otherwise, for data stored in both languages.
func (p *page) Pick(zh, en string) string {
	if p.Lang == i18n.Chinese {
		return zh
	}
	return en
}

// titled is page data that names the page itself (a unit, a person), so
// the browser tab says more than the kind of page.
type titled interface{ PageTitle() string }

// HeadTitle is the text of the <title> element.
func (p *page) HeadTitle() string {
	if t, ok := p.Data.(titled); ok && t.PageTitle() != "" {
		return t.PageTitle()
	}
	return p.Title
}

// Day formats a stored YYYY-MM-DD date in the viewer's convention.
func (p *page) Day(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	if p.Lang == i18n.Chinese {
		return d.Format("2006年1月2日")
	}
	return d.Format("2 Jan 2006")
}

// Sub subtracts, for indenting a subtree relative to its top.
func (p *page) Sub(a, b int) int { return a - b }

// itoa formats an id for a path.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }
