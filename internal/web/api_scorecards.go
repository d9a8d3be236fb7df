package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/kpi"
	"github.com/echelonhq/echelon/internal/scorecard"
	"github.com/echelonhq/echelon/internal/sheet"
)

// scorecardAPIRoutes are the scorecard, KPI template, manual KPI and leaderboard endpoints.
func (s *Server) scorecardAPIRoutes() []route {
	return []route{
		{"GET", "/api/v1/scorecards", s.apiScorecard, signedIn},
		{"GET", "/api/v1/kpi-templates", s.apiTemplates, signedIn},
		{"POST", "/api/v1/kpi-templates", s.apiCreateTemplate, signedIn},
		{"PUT", "/api/v1/kpi-templates/{id}", s.apiUpdateTemplate, signedIn},
		{"POST", "/api/v1/kpis/manual", s.apiEnterManual, signedIn},
		{"GET", "/api/v1/leaderboards", s.apiLeaderboard, signedIn},
		{"PUT", "/api/v1/leaderboards/publication", s.apiPublish, signedIn},
	}
}

// exportFormat reads ?format=: "" (JSON) or xlsx.
func exportFormat(r *http.Request) (string, error) {
	f := r.URL.Query().Get("format")
	if f != "" && f != "xlsx" {
		return "", badRequest{echelon.FieldError("format", "export.format_invalid")}
	}
	return f, nil
}

// writeXLSX answers a table as an XLSX download named after what it holds.
func writeXLSX(w http.ResponseWriter, name string, header []string, rows [][]string) error {
	file := fmt.Sprintf("%s-%s.xlsx", name, time.Now().In(echelon.CompanyZone()).Format("20060102-1504"))
	w.Header().Set("Content-Disposition", `attachment; filename="`+file+`"`)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	return sheet.WriteXLSX(w, name, header, rows)
}

// kpiName is a KPI's name in the caller's language (manual KPIs by their code).
func (s *Server) kpiName(r *http.Request, code string) string {
	lang := langFrom(r.Context())
	if key := "kpi." + code; s.Catalog.Has(lang, key) {
		return s.Catalog.T(lang, key)
	}
	return code
}

// sheetValue writes an exact KPI value for a spreadsheet, rounded as
// pages show it (see page_kpis.go): money in major units, a ratio (or a
// manual attainment) as a percentage, days and ratings with one decimal.
func sheetValue(v kpi.Value, unit string) string {
	if !v.Defined() {
		return noValue
	}
	switch unit {
	case kpi.UnitMoney:
		return echelon.FormatAmount(roundDiv(v.Num, 1, v.Den))
	case kpi.UnitRatio, "manual":
		return tenths(roundDiv(v.Num, 1000, v.Den)) + "%"
	case kpi.UnitDays, kpi.UnitScore:
		return tenths(roundDiv(v.Num, 10, v.Den))
	}
	return strconv.FormatInt(roundDiv(v.Num, 1, v.Den), 10)
}

func (s *Server) apiScorecard(w http.ResponseWriter, r *http.Request) error {
	ref, err := kpiRef(r)
	if err != nil {
		return err
	}
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	card, err := s.Scorecards.Scorecard(r.Context(), ref, q.Get("period"), q.Get("currency"))
	if err != nil {
		return err
	}
	if format == "" {
		writeJSON(w, http.StatusOK, card)
		return nil
	}
	lang := langFrom(r.Context())
	header := []string{s.Catalog.T(lang, "scorecard.col.kpi"), s.Catalog.T(lang, "scorecard.col.weight"), s.Catalog.T(lang, "scorecard.col.actual"),
		s.Catalog.T(lang, "scorecard.col.target"), s.Catalog.T(lang, "scorecard.col.attainment"), s.Catalog.T(lang, "scorecard.col.score")}
	var rows [][]string
	for _, l := range card.Lines {
		rows = append(rows, []string{s.kpiName(r, l.KPI), strconv.Itoa(l.Weight), sheetValue(l.Actual, l.Unit), sheetValue(l.Target, l.Unit),
			strconv.FormatFloat(l.Attainment*100, 'f', 1, 64) + "%", strconv.FormatFloat(l.Score, 'f', 1, 64)})
	}
	rows = append(rows, []string{s.Catalog.T(lang, "scorecard.col.total"), "100", "", "", "", strconv.FormatFloat(card.Total, 'f', 1, 64)})
	for _, m := range card.Members {
		rows = append(rows, []string{m.Name, "", "", "", "", strconv.FormatFloat(m.Total, 'f', 1, 64)})
	}
	return writeXLSX(w, "scorecard-"+card.Period, header, rows)
}

func (s *Server) apiTemplates(w http.ResponseWriter, r *http.Request) error {
	return all(w, r, s.Scorecards.FindTemplates)
}

func (s *Server) apiCreateTemplate(w http.ResponseWriter, r *http.Request) error {
	var in scorecard.TemplateInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.Scorecards.SaveTemplate(r.Context(), 0, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (s *Server) apiUpdateTemplate(w http.ResponseWriter, r *http.Request) error {
	return update(w, r, s.Scorecards.SaveTemplate)
}

func (s *Server) apiEnterManual(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, s.Scorecards.EnterManual)
}

func (s *Server) apiLeaderboard(w http.ResponseWriter, r *http.Request) error {
	var unit int64
	if err := (crmQuery{r}).ids(map[string]*int64{"org_unit_id": &unit}); err != nil {
		return err
	}
	format, err := exportFormat(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	code := q.Get("kpi")
	if code == "" {
		code = kpi.WonRevenue
	}
	b, err := s.Scorecards.Leaderboard(r.Context(), unit, code, q.Get("period"), q.Get("currency"))
	if err != nil {
		return err
	}
	if format == "" {
		writeJSON(w, http.StatusOK, b)
		return nil
	}
	lang := langFrom(r.Context())
	d, _ := kpi.Find(b.KPI)
	header := []string{s.Catalog.T(lang, "scorecard.col.rank"), s.Catalog.T(lang, "scorecard.col.person"), s.kpiName(r, b.KPI)}
	var rows [][]string
	for _, rk := range b.Ranks {
		rows = append(rows, []string{strconv.Itoa(rk.Rank), rk.Name, sheetValue(rk.Value, d.Unit)})
	}
	if len(b.Ranks) == 0 && b.Own != nil {
		rows = append(rows, []string{strconv.Itoa(b.Own.Rank), b.Own.Name, sheetValue(b.Own.Value, d.Unit)})
	}
	return writeXLSX(w, "leaderboard-"+b.Period, header, rows)
}

func (s *Server) apiPublish(w http.ResponseWriter, r *http.Request) error {
	var in scorecard.PublishInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.Scorecards.Publish(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
