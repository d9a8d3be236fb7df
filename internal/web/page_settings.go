package web

import (
	"net/http"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/auth"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/org"
)

// settingsRoutes are the signed-in person's own settings.
func (s *Server) settingsRoutes() []route {
	return []route{
		{"GET", "/settings", s.settingsPage, signedIn},
		{"POST", "/settings/lang", s.saveLang, signedIn},
		{"POST", "/settings/password", s.changePassword, signedIn},
		{"POST", "/settings/tokens", s.createToken, signedIn},
		{"POST", "/settings/tokens/{id}/revoke", s.revokeToken, signedIn},
	}
}

// langChoices are the languages a person can pick; "" (not listed here)
// means following the browser.
func langChoices() []string { return i18n.Langs() }

type settingsData struct {
	Me        *org.Person
	Langs     []string
	LangForm  *form
	PwForm    *form
	TokenForm *form
	Tokens    []*auth.Token
	Secret    string      // a token just created, shown this once
	NewToken  *auth.Token // the token the secret belongs to
}

func (s *Server) loadSettings(r *http.Request) (*settingsData, error) {
	ctx := r.Context()
	me, err := s.Org.FindPersonByID(ctx, echelon.ActorFrom(ctx).PersonID)
	if err != nil {
		return nil, err
	}
	toks, err := s.Auth.FindTokens(ctx)
	if err != nil {
		return nil, err
	}
	d := &settingsData{Me: me, Langs: append([]string{""}, langChoices()...), LangForm: newForm(), PwForm: newForm(), TokenForm: newForm(), Tokens: toks}
	d.LangForm.set("lang", me.Lang)
	return d, nil
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "settings", "settings.title", s.loadSettings)
}

// saveLang stores the person's language; the next page already speaks it.
func (s *Server) saveLang(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	lang := f.Val("lang")
	a := echelon.ActorFrom(r.Context())
	if _, err := s.Org.UpdatePerson(r.Context(), a.PersonID, org.PersonUpdate{Lang: &lang}); err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "settings", "settings.title", s.loadSettings, func(d *settingsData) { d.LangForm = f }))
	}
	c := &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: int((365 * 24 * time.Hour).Seconds()), SameSite: http.SameSiteLaxMode}
	if lang == "" {
		c.MaxAge = -1 // follow the browser again, also on the sign-in page
	}
	http.SetCookie(w, c)
	seeOther(w, r, "/settings", "settings.lang_saved")
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	err := confirmPassword(f)
	if err == nil {
		err = s.Org.SetPassword(r.Context(), echelon.ActorFrom(r.Context()).PersonID, f.Values.Get("current_password"), f.Values.Get("password"))
	}
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "settings", "settings.title", s.loadSettings, func(d *settingsData) { d.PwForm = f }))
	}
	// The change ended every session, this one included: sign in again.
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	seeOther(w, r, "/login", "password.saved_signin")
	return nil
}

// createToken issues a personal API token and shows its secret on the
// answer itself rather than after a redirect: it is never shown again.
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	secret, tok, err := s.Auth.CreateToken(r.Context(), f.Values.Get("name"))
	show := reload(s, w, r, "settings", "settings.title", s.loadSettings, func(d *settingsData) {
		w.Header().Set("Cache-Control", "no-store")
		if err != nil {
			d.TokenForm = f
		} else {
			d.Secret, d.NewToken = secret, tok
		}
	})
	if err != nil {
		return s.redisplay(r, f, err, show)
	}
	return show(http.StatusOK)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Auth.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	seeOther(w, r, "/settings#tokens", "token.revoked")
	return nil
}
