// Package web serves Echelon over HTTP: the HTML pages people use and the
// JSON API under /api/v1, both calling the same domain services. It holds
// no SQL and no business rules; it translates between HTTP and services.
package web

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/auth"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/demo"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/ladder"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/review"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/settings"
	"github.com/echelonhq/echelon/internal/survey"
	"github.com/echelonhq/echelon/internal/talent"
	"github.com/echelonhq/echelon/internal/target"
	"github.com/echelonhq/echelon/internal/task"
)

// Deps are the services and settings the web layer needs.
type Deps struct {
	DB         *db.DB // readiness only: ping and pending migrations
	Org        *org.Service
	Auth       *auth.Service
	Audit      *audit.Service
	CRM        *crm.Service
	Settings   *settings.Service
	Targets    *target.Service
	KPI        *kpi.Service
	Scorecards *scorecard.Service
	Ladder     *ladder.Service
	Reviews    *review.Service
	Talent     *talent.Service
	Demo       *demo.Service
	Market     *market.Service
	Importer   *importer.Service
	Surveys    *survey.Service
	// Tasks runs large imports and exports in the background (see internal/task).
	Tasks   *task.Runner
	Catalog *i18n.Catalog
	Log     *slog.Logger
	// SecureCookies marks cookies Secure; set it when served behind TLS.
	SecureCookies bool
	Version       string
}

// Server is the HTTP handler of Echelon.
type Server struct {
	Deps
	importJobs *importer.Jobs
	pages      map[string]*template.Template
	metrics    *metrics
	handler    http.Handler
}

// New builds the server and its route table.
func New(d Deps) (*Server, error) {
	s := &Server{Deps: d, importJobs: importer.NewJobs(d.Importer, d.Tasks)}
	var err error
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	s.metrics = newMetrics(d.DB)
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	mux.Handle("GET /static/", staticHandler())
	s.handler = s.withRequestID(s.apiFallback(mux))
	return s, nil
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }
