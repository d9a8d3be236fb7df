package web

import "net/http"

// access says who may call a route.
type access int

const (
	signedIn access = iota // any signed-in person; the service decides the rest
	public                 // anyone, signed in or not
)

// handlerFunc is an HTTP handler that returns its error to one place (wrap)
// which maps it to a status and a message in the caller's language.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is one line of the route table.
type route struct {
	method string
	path   string
	h      handlerFunc
	access access
}

// isAPI reports whether the route answers JSON.
func (rt route) isAPI() bool { return len(rt.path) >= 5 && rt.path[:5] == "/api/" }

// routes is the whole route table: pages, then the JSON API, then operations.
func (s *Server) routes() []route {
	r := s.pageRoutes()
	r = append(r, s.exportPageRoutes()...)
	r = append(r, s.targetPageRoutes()...)
	r = append(r, s.scorecardPageRoutes()...)
	r = append(r, s.ladderPageRoutes()...)
	r = append(r, s.reviewPageRoutes()...)
	r = append(r, s.talentPageRoutes()...)
	r = append(r, s.demoRoutes()...)
	r = append(r, s.kpiTemplateRoutes()...)
	r = append(r, s.calendarRoutes()...)
	r = append(r, s.apiRoutes()...)
	r = append(r, s.crmAPIRoutes()...)
	r = append(r, s.territoryAPIRoutes()...)
	r = append(r, s.ioAPIRoutes()...)
	r = append(r, s.targetAPIRoutes()...)
	r = append(r, s.scorecardAPIRoutes()...)
	r = append(r, s.ladderAPIRoutes()...)
	r = append(r, s.reviewAPIRoutes()...)
	r = append(r, s.talentAPIRoutes()...)
	r = append(r, s.marketRoutes()...)
	r = append(r, s.surveyRoutes()...)
	return append(r,
		route{"GET", "/healthz", s.healthz, public},
		route{"GET", "/readyz", s.readyz, public},
		route{"GET", "/metrics", s.metricsHandler, public},
		route{"GET", "/api/openapi.json", s.openAPI, public},
	)
}
