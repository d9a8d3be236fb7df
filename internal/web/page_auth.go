package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/org"
)

// pageRoutes is the HTML side of the route table.
func (s *Server) pageRoutes() []route {
	return []route{
		{"GET", "/login", s.loginPage, public},
		{"POST", "/login", s.login, public},
		{"POST", "/logout", s.logout, signedIn},
		{"POST", "/lang", s.setLang, public},
		{"GET", "/{$}", s.homePage, signedIn},
	}
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

func (s *Server) homePage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.loadMe(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "home", "home.title", m)
	return nil
}
