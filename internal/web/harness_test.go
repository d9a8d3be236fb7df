package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
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

// testPassword is every fixture person's password.
const testPassword = "password123"

// harness is a fully wired server over a fresh database with a small company:
//
//	Company (1)                      admin, senior (senior manager), mkt (marketing)
//	├── East region                  eastMgr (regional manager)
//	│   └── East team A              eastRep (rep, reports to eastMgr)
//	└── West region                  westMgr (regional manager)
//	                                 westRep (rep, reports to westMgr)
type harness struct {
	t      *testing.T
	DB     *db.DB
	Org    *org.Service
	Auth   *auth.Service
	Server *httptest.Server
	People map[string]*org.Person
	Units  map[string]*org.Unit
	tokens map[string]string
}

func newHarness(t *testing.T, d *db.DB) *harness {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	orgs := org.NewService(d, password.Params{Memory: 1024, Time: 1, Threads: 1})
	authSvc, err := auth.NewService(d, auth.DefaultConfig(), log)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	crmSvc := crm.NewService(d, nil)
	tasks := task.NewRunner(time.Hour, log)
	t.Cleanup(tasks.Close) // before the database closes
	kpis := kpi.NewService(d)
	scorecards := scorecard.NewService(d, kpis)
	ladders, reviews := ladder.NewService(d, time.Now), review.NewService(d, scorecards, time.Now)
	srv, err := web.New(web.Deps{DB: d, Org: orgs, Auth: authSvc, Audit: audit.NewService(d), CRM: crmSvc,
		Settings: settings.NewService(d), Targets: target.NewService(d), KPI: kpis, Scorecards: scorecards, Ladder: ladders, Reviews: reviews,
		Talent: talent.NewService(d, ladders, reviews, time.Now), Demo: demo.NewService(d, orgs, demo.Small), Market: market.NewService(d),
		Importer: importer.NewService(d, orgs, crmSvc), Surveys: survey.NewService(d, time.Now), Tasks: tasks, Catalog: cat, Log: log, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, DB: d, Org: orgs, Auth: authSvc, Server: httptest.NewServer(srv),
		People: map[string]*org.Person{}, Units: map[string]*org.Unit{}, tokens: map[string]string{}}
	t.Cleanup(h.Server.Close)
	h.seed()
	return h
}

func (h *harness) seed() {
	ctx := echelon.NewContext(context.Background(), echelon.SystemActor("test"))
	unit := func(key string, parent int64, kind, name string) {
		u, err := h.Org.CreateUnit(ctx, org.UnitInput{ParentID: parent, Kind: kind, Name: name})
		if err != nil {
			h.t.Fatalf("seed unit %s: %v", key, err)
		}
		h.Units[key] = u
	}
	unit("east", 1, org.KindRegion, "华东大区 East")
	unit("eastA", h.Units["east"].ID, org.KindTeam, "East team A")
	unit("west", 1, org.KindRegion, "华南大区 West")
	person := func(key string, role echelon.Role, unitID int64, manager string) {
		in := org.PersonInput{Email: key + "@example.com", Name: key, Role: role, UnitID: unitID, Password: testPassword}
		if m, ok := h.People[manager]; ok {
			in.ManagerID = m.ID
		}
		p, err := h.Org.CreatePerson(ctx, in)
		if err != nil {
			h.t.Fatalf("seed person %s: %v", key, err)
		}
		h.People[key] = p
	}
	person("admin", echelon.RoleAdmin, 0, "")
	person("senior", echelon.RoleSeniorManager, 1, "")
	person("mkt", echelon.RoleMarketing, 1, "")
	person("eastMgr", echelon.RoleRegionalManager, h.Units["east"].ID, "senior")
	person("eastRep", echelon.RoleRep, h.Units["eastA"].ID, "eastMgr")
	person("westMgr", echelon.RoleRegionalManager, h.Units["west"].ID, "senior")
	person("westRep", echelon.RoleRep, h.Units["west"].ID, "westMgr")
}

// token signs a fixture person in through the API and caches the token.
func (h *harness) token(who string) string {
	h.t.Helper()
	if tok, ok := h.tokens[who]; ok {
		return tok
	}
	res, body := h.do("POST", "/api/v1/auth/login", "", map[string]string{"email": who + "@example.com", "password": testPassword})
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("login %s: %d %s", who, res.StatusCode, body)
	}
	var out struct{ Token string }
	_ = json.Unmarshal(body, &out)
	h.tokens[who] = out.Token
	return out.Token
}

// do sends an API request as the bearer of token ("" for none) with a JSON body
// (a string body is sent as it is).
func (h *harness) do(method, path, token string, body any) (*http.Response, []byte) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, _ := json.Marshal(b)
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, h.Server.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	h.forgetTokensAfter(path, res.StatusCode)
	return res, out
}

// forgetTokensAfter drops the cached tokens after a password change, which
// ends every token of that person: the next call signs in afresh.
func (h *harness) forgetTokensAfter(path string, status int) {
	if strings.HasSuffix(path, "/password") && status == http.StatusNoContent {
		h.tokens = map[string]string{}
	}
}

// browser is a cookie-carrying client that signs in through the login form.
type browser struct {
	h      *harness
	client *http.Client
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// browse signs who in through the HTML form and returns the client.
func (h *harness) browse(who string) *browser {
	h.t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{h: h, client: &http.Client{Jar: jar}}
	b.get("/login")
	res, body := b.post("/login", url.Values{"email": {who + "@example.com"}, "password": {testPassword}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.Path, "/") || strings.Contains(body, `action="/login"`) {
		h.t.Fatalf("form login %s: %d", who, res.StatusCode)
	}
	return b
}

// get fetches a page and remembers its CSRF token.
func (b *browser) get(path string) (*http.Response, string) {
	b.h.t.Helper()
	res, err := b.client.Get(b.h.Server.URL + path)
	if err != nil {
		b.h.t.Fatal(err)
	}
	return b.read(res)
}

// post submits a form with the current CSRF token (unless form sets its own).
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	b.h.t.Helper()
	if form.Get("csrf") == "" && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	res, err := b.client.PostForm(b.h.Server.URL+path, form)
	if err != nil {
		b.h.t.Fatal(err)
	}
	return b.read(res)
}

func (b *browser) read(res *http.Response) (*http.Response, string) {
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return res, string(body)
}
