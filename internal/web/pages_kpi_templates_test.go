package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/scorecard"
)

// The administration pages of issue 4 — KPI templates and the fiscal
// calendar — and changing a manual KPI from the scorecard page, as each
// role uses them. Forms are posted as a browser would.

// templates reads the KPI templates as the admin through the API, by name.
func (h *harness) templates(t *testing.T) map[string]scorecard.Template {
	t.Helper()
	var l struct{ Items []scorecard.Template }
	h.callJSON(t, "admin", "GET", "/api/v1/kpi-templates", "", 200, &l)
	out := map[string]scorecard.Template{}
	for _, tp := range l.Items {
		out[tp.Name] = tp
	}
	return out
}

// levelID is the id of a seeded echelon level.
func (h *harness) levelID(t *testing.T, code string) int64 {
	t.Helper()
	levels, err := h.Org.FindLevels(system())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range levels {
		if l.Code == code {
			return l.ID
		}
	}
	t.Fatalf("no level %s", code)
	return 0
}

// templateForm is a template form with line rows, keyed "kpi", "weight" …
func templateForm(name, role, level string, rows ...map[string]string) url.Values {
	v := url.Values{"name": {name}, "role": {role}, "level_id": {level}}
	for i, r := range rows {
		for _, f := range []string{"kpi", "weight", "source", "fixed", "curve", "cap", "threshold"} {
			v.Set(fmt.Sprintf("lines[%d].%s", i, f), r[f])
		}
	}
	return v
}

func TestKPITemplatePages_EachRoleSeesWhatItMay(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := scorecardHarness(t, d)
		zh := i18n.Chinese
		reps := id(h.templates(t)["Reps 代表"].ID)
		create := `action="/admin/kpi-templates"`
		edit := `href="/admin/kpi-templates/` + reps
		lines := []string{"Reps 代表", "Managers", msg(t, zh, "role.rep"), msg(t, zh, "role.regional_manager"), msg(t, zh, "tpl.level.any"),
			msg(t, zh, "kpi.won_revenue"), msg(t, zh, "kpi.m_teamwork"), msg(t, zh, "tpl.source.plan"), msg(t, zh, "tpl.source.fixed", "50.0%"),
			msg(t, zh, "tpl.source.manual"), msg(t, zh, "tpl.curve.linear", 120)}
		h.runPages(t, []pageCase{
			{"admin", "/admin/kpi-templates", 200, append([]string{msg(t, zh, "tpl.title"), create, edit, msg(t, zh, "tpl.create"),
				`href="/admin/kpi-templates"`, msg(t, zh, "nav.kpi_templates"), `href="/admin/calendar"`, msg(t, zh, "nav.calendar"),
				`name="lines[2].kpi"`, `list="kpi-codes"`}, lines...), []string{msg(t, zh, "tpl.read_only"), `name="lines[3].kpi"`}},
			{"admin", "/admin/kpi-templates/" + reps, 200, []string{`action="/admin/kpi-templates/` + reps + `"`, `value="Reps 代表"`,
				`name="version" value="1"`, `name="lines[2].kpi" type="text" value="m_teamwork"`, `name="lines[1].fixed" type="number" value="5000"`,
				`name="lines[5].kpi"`, msg(t, zh, "tpl.edit", "Reps 代表")}, []string{`name="lines[6].kpi"`}},
			{"senior", "/admin/kpi-templates", 200, append([]string{msg(t, zh, "tpl.read_only")}, lines...), []string{create, edit, `name="lines[0].kpi"`, `href="/admin/calendar"`}},
			{"eastMgr", "/admin/kpi-templates/" + reps, 200, []string{"Reps 代表", msg(t, zh, "tpl.read_only")}, []string{create, "action=\"/admin/kpi-templates/"}},
			{"eastRep", "/admin/kpi-templates", 403, nil, []string{"Reps 代表"}},
			{"mkt", "/admin/kpi-templates", 403, nil, []string{"Reps 代表"}},
			{"admin", "/admin/kpi-templates/999999", 404, []string{msg(t, zh, "scorecard.template_not_found")}, nil},
			{"admin", "/scorecards?subject=p" + id(h.People["eastRep"].ID), 200, []string{`href="/admin/kpi-templates#tpl-` + reps + `"`}, nil},
			{"eastRep", "/scorecards", 200, nil, []string{`href="/admin/kpi-templates`}},
		})
		for _, who := range []string{"senior", "eastMgr", "eastRep"} {
			b := h.browse(who)
			b.get("/scorecards")
			res, body := b.post("/admin/kpi-templates/"+reps, templateForm("Mine", "rep", "", map[string]string{"kpi": "won_revenue", "weight": "100", "source": "plan"}))
			if res.StatusCode != http.StatusForbidden || strings.Contains(body, `name="lines[0].kpi"`) {
				t.Errorf("%s changing a template: %d, want 403 without the form", who, res.StatusCode)
			}
			if res, _ := b.post("/admin/kpi-templates", templateForm("Mine", "marketing", "", map[string]string{"kpi": "won_revenue", "weight": "abc"})); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s creating a template: %d, want 403", who, res.StatusCode)
			}
		}
		if got := h.templates(t); len(got) != 2 || got["Reps 代表"].Version != 1 {
			t.Errorf("refused posts changed the templates: %+v", got)
		}
	})
}

func TestKPITemplatePages_AdminCreatesAndChangesATemplate(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := scorecardHarness(t, d)
		zh := i18n.Chinese
		senior := id(h.levelID(t, "senior_rep"))
		b := h.browse("admin")
		b.get("/admin/kpi-templates")
		// Row 1 is left empty: the rows after it still count, in their place.
		res, body := b.post("/admin/kpi-templates", templateForm("Senior reps 高级代表", "rep", senior,
			map[string]string{"kpi": "won_revenue", "weight": "70", "source": "plan", "curve": "linear", "cap": "150"},
			map[string]string{"source": "plan", "curve": "linear"},
			map[string]string{"kpi": "m_teamwork", "weight": "30", "curve": "threshold", "threshold": "50"}))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, zh, "tpl.flash.created")) || !strings.Contains(body, "Senior reps 高级代表") ||
			!strings.Contains(body, msg(t, zh, "tpl.curve.threshold", 50, 120)) || !strings.Contains(body, "高级销售代表") {
			t.Fatalf("create: %d, want the list with the new template\n%.800s", res.StatusCode, body)
		}
		tp := h.templates(t)["Senior reps 高级代表"]
		want := []scorecard.Line{{KPI: "won_revenue", Weight: 70, Source: "plan", Curve: "linear", Cap: 150},
			{KPI: "m_teamwork", Weight: 30, Curve: "threshold", Cap: 120, Threshold: 50}}
		if fmt.Sprint(tp.Lines) != fmt.Sprint(want) || tp.Role != "rep" || id(tp.LevelID) != senior {
			t.Fatalf("stored template %+v, want lines %v on the senior rep level", tp, want)
		}

		path := "/admin/kpi-templates/" + id(tp.ID)
		_, body = b.get(path)
		if !strings.Contains(body, `name="lines[1].kpi" type="text" value="m_teamwork"`) || !strings.Contains(body, `name="lines[0].cap" type="number" value="150"`) {
			t.Fatalf("the edit form does not hold the stored lines\n%s", body)
		}
		change := templateForm("Senior reps 高级代表", "rep", senior,
			map[string]string{"kpi": "won_revenue", "weight": "50", "source": "plan", "curve": "linear", "cap": "150"},
			map[string]string{"kpi": "m_teamwork", "weight": "30", "source": "", "curve": "threshold", "threshold": "50"},
			map[string]string{"kpi": "win_rate", "weight": "20", "source": "fixed", "fixed": "4000", "curve": "linear"})
		change.Set("version", "1")
		res, body = b.post(path, change)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, zh, "tpl.flash.saved")) || !strings.Contains(body, msg(t, zh, "tpl.source.fixed", "40.0%")) {
			t.Fatalf("change: %d\n%.800s", res.StatusCode, body)
		}
		if got := h.templates(t)["Senior reps 高级代表"]; got.Version != 2 || len(got.Lines) != 3 || got.Lines[2].Fixed != 4000 {
			t.Errorf("changed template %+v, want version 2 with the win rate line", got)
		}
		// The same form again carries version 1: someone changed it since.
		change.Set("lines[0].weight", "40")
		change.Set("lines[2].weight", "30")
		res, body = b.post(path, change)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, `role="alert"`) || !strings.Contains(body, `name="lines[0].weight" type="number" value="40"`) {
			t.Errorf("stale version: %d, want 409 with the form kept", res.StatusCode)
		}
		if got := h.templates(t)["Senior reps 高级代表"]; got.Version != 2 || got.Lines[0].Weight != 50 {
			t.Errorf("the stale post changed the template: %+v", got)
		}
	})
}

func TestKPITemplatePages_BadInputIsShownBesideTheFieldAndChangesNothing(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := scorecardHarness(t, d)
		zh, en := i18n.Chinese, i18n.English
		won := func(weight string) map[string]string {
			return map[string]string{"kpi": "won_revenue", "weight": weight, "source": "plan", "curve": "linear"}
		}
		empty := map[string]string{"source": "plan", "curve": "linear"}
		b := h.browse("admin")
		b.get("/admin/kpi-templates")
		for _, c := range []struct {
			name   string
			form   url.Values
			status int
			field  string // the id of the message beside the field
			msg    string
			kept   string // what the person typed, shown again
		}{
			{"weights not 100", templateForm("Mkt", "marketing", "", won("60"), empty, map[string]string{"kpi": "activities", "weight": "30", "source": "plan", "curve": "linear"}),
				422, "e-lines", msg(t, zh, "scorecard.weights_sum", 90), `value="60"`},
			{"unknown KPI after an empty row", templateForm("Mkt", "marketing", "", won("60"), empty, map[string]string{"kpi": "bogus_kpi", "weight": "40", "source": "plan"}),
				422, "e-lines[2].kpi", msg(t, zh, "kpi.unknown", "bogus_kpi"), `value="bogus_kpi"`},
			{"weight not a number", templateForm("Mkt", "marketing", "", won("abc")), 422, "e-lines[0].weight", msg(t, zh, "form.invalid_number"), `value="abc"`},
			{"fixed target missing", templateForm("Mkt", "marketing", "", won("60"), map[string]string{"kpi": "win_rate", "weight": "40", "source": "fixed"}),
				422, "e-lines[1].fixed", msg(t, zh, "scorecard.fixed_invalid"), `value="win_rate"`},
			{"cap out of range", templateForm("Mkt", "marketing", "", map[string]string{"kpi": "won_revenue", "weight": "100", "source": "plan", "cap": "300"}),
				422, "e-lines[0].cap", msg(t, zh, "scorecard.cap_invalid"), `value="300"`},
			{"no lines", templateForm("Mkt", "marketing", "", empty), 422, "e-lines", msg(t, zh, "scorecard.lines_required"), `value="Mkt"`},
			{"no name", templateForm(" ", "marketing", "", won("100")), 422, "e-name", msg(t, zh, "scorecard.name_required"), `value="won_revenue"`},
			{"admin role", templateForm("Admins", "admin", "", won("100")), 422, "e-role", msg(t, zh, "scorecard.role_invalid"), `value="Admins"`},
			{"role already has one", templateForm("Reps again", "rep", "", won("100")), 422, "e-role", msg(t, zh, "scorecard.template_exists"), `value="Reps again"`},
		} {
			res, body := b.post("/admin/kpi-templates", c.form)
			if res.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d", c.name, res.StatusCode, c.status)
				continue
			}
			if !strings.Contains(body, `id="`+c.field+`"`) || !strings.Contains(body, c.msg) || !strings.Contains(body, c.kept) {
				t.Errorf("%s: want %q beside %s and %s kept", c.name, c.msg, c.field, c.kept)
			}
		}
		if got := h.templates(t); len(got) != 2 {
			t.Errorf("refused forms created templates: %v", got)
		}

		b.post("/settings/lang", url.Values{"lang": {"en"}})
		_, body := b.get("/admin/kpi-templates")
		for _, s := range []string{`<html lang="en">`, msg(t, en, "tpl.title"), msg(t, en, "tpl.lines_help"), msg(t, en, "tpl.source.manual"), msg(t, en, "kpi.won_revenue")} {
			if !strings.Contains(body, s) {
				t.Errorf("templates page in English lacks %q", s)
			}
		}
		res, body := b.post("/admin/kpi-templates", templateForm("Mkt", "marketing", "", won("60")))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, en, "scorecard.weights_sum", 60)) {
			t.Errorf("weights in English: %d, want 422 with the message", res.StatusCode)
		}
	})
}

func TestCalendarPage_AdminMovesTheFiscalYearUntilPlansExist(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		zh, en := i18n.Chinese, i18n.English
		year := thisYear()
		q := func(n int) string { return fmt.Sprintf("<code>%d-Q%d</code>", year, n) }
		form := `action="/admin/calendar"`
		h.runPages(t, []pageCase{
			{"admin", "/admin/calendar", 200, []string{msg(t, zh, "cal.title"), msg(t, zh, "cal.month.1"), q(1), q(4),
				fmt.Sprintf("<code>%d-12</code>", year), msg(t, zh, "cal.now"), form, `<option value="1" selected>`}, nil},
			{"senior", "/admin/calendar", 403, nil, []string{form}},
			{"eastMgr", "/admin/calendar", 403, nil, []string{form}},
			{"eastRep", "/admin/calendar", 403, nil, []string{form}},
			{"mkt", "/admin/calendar", 403, nil, []string{form}},
		})
		start := func() int {
			var c struct {
				FiscalStartMonth int `json:"fiscal_start_month"`
			}
			h.callJSON(t, "eastRep", "GET", "/api/v1/periods", "", 200, &c)
			return c.FiscalStartMonth
		}
		for _, who := range []string{"senior", "eastRep"} {
			b := h.browse(who)
			b.get("/scorecards")
			if res, body := b.post("/admin/calendar", url.Values{"fiscal_start_month": {"4"}}); res.StatusCode != http.StatusForbidden || strings.Contains(body, form) {
				t.Errorf("%s moving the fiscal year: %d, want 403", who, res.StatusCode)
			}
		}

		b := h.browse("admin")
		b.get("/admin/calendar")
		for _, c := range []struct{ value, msg string }{
			{"13", msg(t, zh, "period.start_month_invalid")},
			{"April", msg(t, zh, "form.invalid_number")},
		} {
			res, body := b.post("/admin/calendar", url.Values{"fiscal_start_month": {c.value}})
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="e-fiscal_start_month"`) || !strings.Contains(body, c.msg) {
				t.Errorf("start month %q: %d, want 422 with %q beside the field", c.value, res.StatusCode, c.msg)
			}
		}
		if got := start(); got != 1 {
			t.Fatalf("refused posts moved the start to %d", got)
		}

		res, body := b.post("/admin/calendar", url.Values{"fiscal_start_month": {"4"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(body, msg(t, zh, "cal.flash.saved")) || !strings.Contains(body, `<option value="4" selected>`) ||
			!strings.Contains(body, msg(t, zh, "cal.subtitle", msg(t, zh, "cal.month.4"), "Asia/Shanghai")) {
			t.Fatalf("move to April: %d\n%.800s", res.StatusCode, body)
		}
		if got := start(); got != 4 {
			t.Fatalf("start month %d after the move, want 4", got)
		}

		h.callJSON(t, "senior", "POST", "/api/v1/targets", fmt.Sprintf(`{"metric":"won_revenue","fiscal_year":%d}`, year), 201, nil)
		res, body = b.post("/admin/calendar", url.Values{"fiscal_start_month": {"1"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, msg(t, zh, "period.start_month_in_use", 1)) {
			t.Errorf("moving with a plan: %d, want 422 with the message", res.StatusCode)
		}
		if got := start(); got != 4 {
			t.Errorf("the refused move changed the start to %d", got)
		}

		b.post("/settings/lang", url.Values{"lang": {"en"}})
		_, body = b.get("/admin/calendar")
		for _, s := range []string{`<html lang="en">`, msg(t, en, "cal.title"), msg(t, en, "cal.month.4"), msg(t, en, "cal.col.first"), msg(t, en, "cal.change")} {
			if !strings.Contains(body, s) {
				t.Errorf("calendar in English lacks %q", s)
			}
		}
	})
}

var manualVersion = regexp.MustCompile(`name="version" value="(\d+)"`)

func TestScorecardPages_ManagerChangesAManualKPIAndAStaleFormIsRefused(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := scorecardHarness(t, d)
		zh := i18n.Chinese
		rep := id(h.People["eastRep"].ID)
		card := "/scorecards?subject=p" + rep + "&period=2026-05"
		// post sends the manual form as the page last drew it, with a new score and reason.
		post := func(b *browser, page, score, comment string) (*http.Response, string) {
			t.Helper()
			in := url.Values{"person_id": {rep}, "period": {"2026-05"}, "code": {"m_teamwork"}, "score": {score}, "comment": {comment}}
			if m := manualVersion.FindStringSubmatch(page); m != nil {
				in.Set("version", m[1])
			}
			return b.post("/scorecards/manual", in)
		}
		mgr := h.browse("eastMgr")
		_, page := mgr.get(card)
		if manualVersion.MatchString(page) || !strings.Contains(page, msg(t, zh, "sc.not_entered")) {
			t.Fatalf("before any entry the form has a version or lacks the not-entered mark")
		}
		res, page := post(mgr, page, "90", "first 首次")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, msg(t, zh, "sc.flash.manual_saved")) {
			t.Fatalf("first entry: %d", res.StatusCode)
		}
		if !strings.Contains(page, `name="score" type="number" min="0" max="200" value="90"`) || !strings.Contains(page, `value="first 首次"`) ||
			!strings.Contains(page, `name="version" value="1"`) {
			t.Fatalf("the form does not show the stored value and version\n%s", page)
		}
		res, page = post(mgr, page, "95", "second 再次")
		if res.StatusCode != http.StatusOK || !strings.Contains(page, msg(t, zh, "sc.flash.manual_saved")) || !strings.Contains(page, "95.0%") ||
			!strings.Contains(page, `name="version" value="2"`) {
			t.Fatalf("entering it again from the page: %d, want it saved as version 2", res.StatusCode)
		}

		// The senior manager opens the card; the regional manager changes it meanwhile.
		senior := h.browse("senior")
		_, stale := senior.get(card)
		if res, _ := post(mgr, page, "80", "third 第三次"); res.StatusCode != http.StatusOK {
			t.Fatalf("third entry: %d", res.StatusCode)
		}
		res, body := post(senior, stale, "50", "from an old page")
		who := strings.Split(msg(t, zh, "record.changed", "eastMgr", "\x00", "\x00"), "\x00")[0]
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, who) || !strings.Contains(body, `value="from an old page"`) {
			t.Errorf("stale form: %d, want 409 naming who changed it (%q) with the form kept\n%.600s", res.StatusCode, who, body)
		}
		if _, body = h.browse("eastRep").get("/scorecards?period=2026-05"); !strings.Contains(body, "third 第三次") || !strings.Contains(body, "80.0%") {
			t.Errorf("the stale form changed the rating")
		}
	})
}
