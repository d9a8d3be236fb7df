package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/period"
	"github.com/echelonhq/echelon/internal/sheet"
)

// marketPageRoutes are the market-share page with the entry form and the
// import of market sizes, and the won deals behind a share.
func (s *Server) marketPageRoutes() []route {
	return []route{
		{"GET", "/market-share", s.marketPage, signedIn},
		{"POST", "/market-share/sizes", s.setMarketSize, signedIn},
		{"POST", "/market-share/import", s.importMarketSizes, signedIn},
		{"GET", "/market-share/deals", s.marketDealsPage, signedIn},
	}
}

// marketData is the market shares of a period, drawn one way, with the
// entry form and the import of market sizes for those who may set them.
type marketData struct {
	Report      *market.Report
	Picker      periodPicker
	Bys         []string
	CanSet      bool
	CanSegments bool
	Sizes       []*market.Size   // the period's sizes, to change
	Territories []*crm.Territory // the territories the viewer may choose
	Form        *form            // a market size; its period is size_period (the picker has period)
	ImportForm  *form
}

// marketLink is the market-share page of a period drawn by by.
func marketLink(path, at, by string) string {
	return path + "?" + url.Values{"period": {at}, "by": {by}}.Encode()
}

// ByLink is this period's page drawn by by.
func (d *marketData) ByLink(by string) string {
	return marketLink("/market-share", d.Report.Period, by)
}

// EditLink opens a market size in the entry form.
func (d *marketData) EditLink(sz *market.Size) string {
	return d.ByLink(d.Report.By) + "&edit=" + itoa(sz.ID) + "#size-form"
}

// SizesAction and ImportAction post to the forms' handlers, which come back to this view.
func (d *marketData) SizesAction() string {
	return marketLink("/market-share/sizes", d.Report.Period, d.Report.By)
}

func (d *marketData) ImportAction() string {
	return marketLink("/market-share/import", d.Report.Period, d.Report.By)
}

// DealsLink lists the won deals behind a share.
func (d *marketData) DealsLink(sh *market.Share) string {
	q := url.Values{"period": {d.Report.Period}, "by": {d.Report.By}, "key": {sh.Key}, "currency": {sh.Currency}}
	return "/market-share/deals?" + q.Encode()
}

func (s *Server) marketPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "market", "market.title", s.loadMarket)
}

// loadMarket reads the shares of ?period= (the current fiscal year unless
// asked) by ?by=, and what the viewer may change.
func (s *Server) loadMarket(r *http.Request) (*marketData, error) {
	ctx := r.Context()
	cal, err := s.Settings.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	p, err := queryPeriod(r, cal, cal.Of(period.KindYear, cal.MonthAt(time.Now())))
	if err != nil {
		return nil, err
	}
	rep, err := s.Market.Shares(ctx, p.String(), r.URL.Query().Get("by"))
	if err != nil {
		return nil, err
	}
	a := echelon.ActorFrom(ctx)
	d := &marketData{Report: rep, Picker: newPeriodPicker(cal, p), Bys: []string{market.ByTerritory, market.ByRegion, market.BySegment},
		CanSet: a.IsAdmin() || a.Role.IsManager(), CanSegments: a.IsAdmin() || a.Role == echelon.RoleSeniorManager,
		Form: newForm(), ImportForm: newForm()}
	d.ImportForm.set("dry_run", true)
	if !d.CanSet {
		return d, nil
	}
	if d.Sizes, err = s.Market.Find(ctx, market.Filter{Period: rep.Period}); err != nil {
		return nil, err
	}
	if d.Territories, err = s.CRM.FindTerritories(ctx); err != nil {
		return nil, err
	}
	d.fillForm(r.URL.Query().Get("edit"))
	return d, nil
}

// fillForm starts the entry form empty for the period, or with the size of
// edit (one of the period's sizes) to change it.
func (d *marketData) fillForm(edit string) {
	f := d.Form
	f.set("size_period", d.Report.Period)
	f.set("currency", echelon.DefaultCurrency)
	for _, sz := range d.Sizes {
		if itoa(sz.ID) != edit {
			continue
		}
		f.set("territory_id", sz.TerritoryID)
		f.set("segment", sz.Segment)
		f.set("amount", majorUnits(sz.Amount))
		f.set("currency", sz.Currency)
		f.set("source", sz.Source)
		f.set("note", sz.Note)
		f.set("version", sz.Version)
	}
}

// marketInput reads the entry form.
func marketInput(f *form) (market.SizeInput, error) {
	in := market.SizeInput{Period: f.Val("size_period"), Segment: f.Val("segment"), Currency: f.Val("currency"),
		Source: f.Val("source"), Note: f.Val("note")}
	var err error
	if in.TerritoryID, err = f.id("territory_id"); err != nil {
		return in, err
	}
	if in.Amount, _, err = formAmount(f, "amount"); err != nil {
		return in, err
	}
	in.Version, err = f.int("version")
	return in, err
}

// setMarketSize saves the entry form and shows the period of the size saved.
func (s *Server) setMarketSize(w http.ResponseWriter, r *http.Request) error {
	f := postedForm(r)
	in, err := marketInput(f)
	var sz *market.Size
	if err == nil {
		sz, _, err = s.Market.Set(r.Context(), in)
	}
	if err != nil {
		// The form's period is size_period: the period picker has period.
		return s.redisplay(r, f, withField(err, map[string]string{"period": "size_period"}), reload(s, w, r, "market", "market.title", s.loadMarket,
			func(d *marketData) { d.Form = f }))
	}
	by := market.ByTerritory
	if sz.Segment != "" {
		by = market.BySegment
	}
	seeOther(w, r, marketLink("/market-share", sz.Period, by), "market.saved")
	return nil
}

// importMarketSizes imports a CSV or XLSX file of market sizes and shows
// its report on the import page, whose form takes the next file.
func (s *Server) importMarketSizes(w http.ResponseWriter, r *http.Request) error {
	f, err := uploadForm(w, r, "file")
	var rep *importer.Report
	var t *sheet.Table
	if err == nil {
		var name string
		if t, name, err = uploadedTable(r, "file"); err == nil {
			rep, err = s.Importer.Import(r.Context(), importer.Request{Entity: importer.MarketSizes, File: name, Table: t, DryRun: f.Checked("dry_run")})
		}
	}
	if err != nil {
		return s.redisplay(r, f, err, reload(s, w, r, "market", "market.title", s.loadMarket, func(d *marketData) { d.ImportForm = f }))
	}
	f.set("entity", importer.MarketSizes)
	d := &importData{Form: f, MavenForm: newForm(), Entities: []string{string(importer.MarketSizes)},
		Report: newImportView(s.localiseReport(r, rep), t.Header)}
	d.Reports = []*importView{d.Report}
	s.render(w, r, reportStatus(rep.Committed, rep.DryRun), "crm_import", "crm.import.title", d)
	return nil
}

// marketDealsData is a market share with a page of the won deals behind it.
type marketDealsData struct {
	*market.Evidence
	Pager pager
	Back  string
}

// PageTitle names the market in the browser tab.
func (d *marketDealsData) PageTitle() string { return d.Share.Name }

func (s *Server) marketDealsPage(w http.ResponseWriter, r *http.Request) error {
	return show(s, w, r, "market_deals", "market.deals.title", func(r *http.Request) (*marketDealsData, error) {
		f, err := dealFilter(r)
		if err != nil {
			return nil, err
		}
		ev, err := s.Market.Deals(r.Context(), f)
		if err != nil {
			return nil, err
		}
		return &marketDealsData{Evidence: ev, Back: marketLink("/market-share", ev.Period, ev.By),
			Pager: cursorPager(r.URL, crm.Page{Offset: f.Offset, Limit: f.Limit}, len(ev.Deals), ev.More)}, nil
	})
}
