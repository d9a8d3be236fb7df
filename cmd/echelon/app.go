package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/auth"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/demo"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/job"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/password"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/settings"
	"github.com/echelonhq/echelon/internal/survey"
	"github.com/echelonhq/echelon/internal/talent"
	"github.com/echelonhq/echelon/internal/target"
	"github.com/echelonhq/echelon/internal/task"
	"github.com/echelonhq/echelon/internal/web"
)

// Main is the wired program: configuration, database, services and HTTP
// server. End-to-end tests build one, call Open and Serve, then Close.
type Main struct {
	Config   Config
	Log      *slog.Logger
	Password password.Params

	DB     *db.DB
	Org    *org.Service
	Auth   *auth.Service
	CRM    *crm.Service
	Tasks  *task.Runner // imports and exports people start, in the background
	Server *web.Server

	listener net.Listener
	http     *http.Server
}

// NewMain returns a program with the given configuration, logging to w.
func NewMain(c Config, w io.Writer) *Main {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(w, nil)
	}
	return &Main{Config: c, Log: slog.New(h), Password: password.Default()}
}

// Open connects to and migrates the database and builds the services.
func (m *Main) Open(ctx context.Context) error {
	var err error
	if m.DB, err = db.Open(ctx, m.Config.DB); err != nil {
		return err
	}
	if err := m.DB.Migrate(ctx); err != nil {
		return err
	}
	m.Org = org.NewService(m.DB, m.Password)
	m.CRM = crm.NewService(m.DB, time.Now)
	if m.Auth, err = auth.NewService(m.DB, auth.DefaultConfig(), m.Log); err != nil {
		return err
	}
	return nil
}

// OpenServer opens the database and builds the web server, creating the
// first admin when the database has none.
func (m *Main) OpenServer(ctx context.Context) error {
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := m.ensureAdmin(ctx); err != nil {
		return err
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	m.Tasks = task.NewRunner(time.Hour, m.Log)
	kpis := kpi.NewService(m.DB)
	scorecards := scorecard.NewService(m.DB, kpis)
	ladders, reviews := ladder.NewService(m.DB, time.Now), review.NewService(m.DB, scorecards, time.Now)
	m.Server, err = web.New(web.Deps{
		DB: m.DB, Org: m.Org, Auth: m.Auth, Audit: audit.NewService(m.DB), CRM: m.CRM,
		Settings: settings.NewService(m.DB), Targets: target.NewService(m.DB), KPI: kpis, Scorecards: scorecards, Ladder: ladders, Reviews: reviews, Talent: talent.NewService(m.DB, ladders, reviews, time.Now), Demo: demo.NewService(m.DB, m.Org, demo.Small), Market: market.NewService(m.DB), Importer: importer.NewService(m.DB, m.Org, m.CRM),
		Surveys: survey.NewService(m.DB, time.Now), Tasks: m.Tasks, Catalog: cat, Log: m.Log, SecureCookies: m.Config.SecureCookies, Version: version,
	})
	return err
}

// ensureAdmin creates the first administrator on a database without one.
// Without a configured password a random one is generated and logged once.
func (m *Main) ensureAdmin(ctx context.Context) error {
	ok, err := m.Org.HasAdmin(ctx)
	if err != nil || ok {
		return err
	}
	pw := m.Config.AdminPassword
	generated := pw == ""
	if generated {
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("generate admin password: %w", err)
		}
		pw = base64.RawURLEncoding.EncodeToString(b)
	}
	sys := echelon.NewContext(ctx, echelon.SystemActor("system"))
	p, err := m.Org.CreatePerson(sys, org.PersonInput{Email: m.Config.AdminEmail, Name: "Administrator", Role: echelon.RoleAdmin, Password: pw})
	if err != nil {
		return fmt.Errorf("create first admin: %w", err)
	}
	if generated {
		m.Log.Warn("first admin created; this password is shown only once — sign in and change it", "email", p.Email, "password", pw)
	} else {
		m.Log.Info("first admin created", "email", p.Email)
	}
	return nil
}

// Listen binds the configured address (":0" picks a free port).
func (m *Main) Listen() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	m.listener = ln
	m.http = &http.Server{Handler: m.Server, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second}
	return nil
}

// URL is the base address the server listens on.
func (m *Main) URL() string { return "http://" + m.listener.Addr().String() }

// Serve answers requests until ctx ends, then shuts down gracefully.
// Background jobs run meanwhile, each once per period across instances.
func (m *Main) Serve(ctx context.Context) error {
	if m.Config.DebugAddr != "" {
		if err := m.serveDebug(ctx, m.Config.DebugAddr); err != nil {
			return err
		}
	}
	job.NewRunner(m.DB, m.Log).Start(ctx,
		job.Job{Name: "session-purge", Every: time.Hour, Run: m.Auth.PurgeExpired},
		job.Job{Name: "level-changes", Every: time.Hour, Run: func(ctx context.Context) error {
			n, err := m.Server.Ladder.ApplyDue(ctx)
			if n > 0 {
				m.Log.Info("level changes applied on their date", "count", n)
			}
			return err
		}},
		job.Job{Name: "readiness", Every: time.Hour, Run: m.Server.Talent.RefreshAll},
		job.Job{Name: "pool-return", Every: time.Hour, Run: func(ctx context.Context) error {
			n, err := m.CRM.ReturnStaleAccounts(ctx)
			if n > 0 {
				m.Log.Info("accounts returned to the pool", "count", n)
			}
			return err
		}},
	)
	errc := make(chan error, 1)
	go func() { errc <- m.http.Serve(m.listener) }()
	m.Log.Info("serving", "url", m.URL(), "db", m.DB.Dialect, "version", version)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.http.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// Close ends the tasks still running, then releases the database.
func (m *Main) Close() error {
	if m.Tasks != nil {
		m.Tasks.Close()
	}
	if m.DB != nil {
		return m.DB.Close()
	}
	return nil
}
