package web_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/market"
)

// The market-share part of the API contract: every route of marketRoutes
// as every role on the seeded CRM with market sizes, and bad input refused
// in the caller's language without changing anything.

func init() {
	scenarioTables = append(scenarioTables, marketAPIScenarios)
	// What the admin sees of the market sizes joins the fingerprint, so a
	// refused request that changed a size anyway is caught.
	fingerprintPaths = append(fingerprintPaths, "/api/v1/market-sizes")
	for name, s := range map[string]structSchema{
		"MarketSize":          {market.Size{}, true},
		"MarketSizeInput":     {market.SizeInput{}, false},
		"MarketShare":         {market.Share{}, true},
		"MarketShareReport":   {market.Report{}, true},
		"MarketFraction":      {market.Fraction{}, true},
		"MarketRevenue":       {market.Revenue{}, true},
		"MarketDeal":          {market.Deal{}, true},
		"MarketShareEvidence": {market.Evidence{}, true},
	} {
		structSchemas[name] = s
	}
}

// marketSeed adds to the seeded CRM a won deal in May 2025 in each
// region's territory — eastRep's 1,500,000.00 CNY in East chips (segment
// Enterprise), westRep's 800,000.00 CNY in West wind — and the sizes of
// 2025-Q2: East chips 10,000,000.00, West wind 4,000,000.00 and the segment
// Enterprise 30,000,000.00 (shares 15.0%, 20.0% and 5.0%). It returns the
// fixture's placeholders with {eastMarket}, {westMarket} and {segmentMarket}.
func marketSeed(t *testing.T, h *harness) map[string]string {
	t.Helper()
	vars := allVars(t, h)
	var sizes struct{ Items []market.Size }
	h.callJSON(t, "admin", "GET", "/api/v1/market-sizes?period=2025-Q2", "", 200, &sizes)
	if len(sizes.Items) == 0 {
		for _, deal := range []struct{ rep, account, industry, amount, day string }{
			{"eastRep", "East Chip Fab", "Semiconductors", "150000000", "2025-05-10"},
			{"westRep", "West Turbine Farm", "Wind power", "80000000", "2025-05-12"},
		} {
			acc := h.create(t, deal.rep, "/api/v1/accounts", `{"name":"`+deal.account+`","industry":"`+deal.industry+`","segment":"Enterprise"}`)
			h.create(t, deal.rep, "/api/v1/opportunities", fill(t, `{"name":"`+deal.account+` order","account_id":`+acc+
				`,"stage_id":{won},"amount":`+deal.amount+`,"engaged_on":"2025-01-06","closed_on":"`+deal.day+`"}`, vars))
		}
		for _, in := range []string{
			`{"period":"2025-Q2","territory_id":{eastTerritory},"amount":1000000000,"source":"CSIA"}`,
			`{"period":"2025-Q2","territory_id":{westTerritory},"amount":400000000}`,
			`{"period":"2025-Q2","segment":"enterprise","amount":3000000000}`,
		} {
			h.create(t, "admin", "/api/v1/market-sizes", fill(t, in, vars))
		}
		h.callJSON(t, "admin", "GET", "/api/v1/market-sizes?period=2025-Q2", "", 200, &sizes)
	}
	for _, s := range sizes.Items {
		key := map[string]string{vars["{eastTerritory}"]: "{eastMarket}", vars["{westTerritory}"]: "{westMarket}", "0": "{segmentMarket}"}
		vars[key[strconv.FormatInt(s.TerritoryID, 10)]] = strconv.FormatInt(s.ID, 10)
	}
	return vars
}

// inMarket makes every case start from the seeded market sizes.
func inMarket(eps []endpoint) []endpoint {
	for _, ep := range eps {
		for i := range ep.cases {
			ep.cases[i].setup = func(t *testing.T, h *harness, _ string) map[string]string { return marketSeed(t, h) }
		}
	}
	return eps
}

// marketAPIScenarios tries the market routes as every role: admin and
// senior managers every market, a regional manager their subtree's
// territories, a rep reads the territories they own accounts in, marketing
// nothing.
func marketAPIScenarios() []endpoint {
	const (
		forbidden = `"code":"forbidden"`
		notFound  = `"code":"not_found"`
		sizes     = "/api/v1/market-sizes"
		shares    = "/api/v1/market-shares?period=2025-Q2"
		deals     = "/api/v1/market-shares/deals?period=2025-Q2&key={eastTerritory}"
	)
	one := func(c ...apiCase) []apiCase { return c }
	post := func(name, who, body string, status int, want string) apiCase {
		return apiCase{name: name, as: who, method: "POST", path: sizes, body: body, status: status, want: want}
	}
	put := func(name, who, id, body string, status int, want string) apiCase {
		return apiCase{name: name, as: who, method: "PUT", path: sizes + "/" + id, body: body, status: status, want: want}
	}
	return inMarket([]endpoint{
		{"GET /api/v1/market-sizes", one(
			apiCase{name: "admin sees every market", as: "admin", method: "GET", path: sizes + "?period=2025-Q2", status: 200, want: `"segment":"Enterprise"`},
			apiCase{name: "senior sees every market", as: "senior", method: "GET", path: sizes + "?period=2025-Q2", status: 200, want: "West wind"},
			apiCase{name: "eastMgr sees the East's territories only", as: "eastMgr", method: "GET", path: sizes, status: 200, want: "East chips",
				absent: []string{"West wind", `"segment"`}},
			apiCase{name: "eastRep sees the territory they own an account in", as: "eastRep", method: "GET", path: sizes + "?by=territory", status: 200,
				want: "East chips", absent: []string{"West wind", `"segment"`}},
			apiCase{name: "mkt sees no market", as: "mkt", method: "GET", path: sizes, status: 200, want: `"items":[]`},
			apiCase{name: "admin filters by territory", as: "admin", method: "GET", path: sizes + "?territory_id={westTerritory}", status: 200,
				want: "West wind", absent: []string{"East chips"}},
			apiCase{name: "admin's impossible period is refused", as: "admin", method: "GET", path: sizes + "?period=2025-Q7", status: 422, want: `"field":"period"`},
			apiCase{name: "admin's non-numeric territory is a bad request", as: "admin", method: "GET", path: sizes + "?territory_id=east", status: 400,
				want: `"field":"territory_id"`},
			anonymous("GET", sizes, ""),
		)},
		{"POST /api/v1/market-sizes", one(
			post("admin sets the West's next quarter", "admin", `{"period":"2025-Q3","territory_id":{westTerritory},"amount":500000000}`, 201, `"period":"2025-Q3"`),
			post("admin's size for a market that has one updates it", "admin", `{"period":"2025-Q2","territory_id":{eastTerritory},"amount":1200000000}`, 200, `"version":2`),
			post("admin's stale version is a conflict", "admin", `{"period":"2025-Q2","territory_id":{westTerritory},"amount":1,"version":99}`, 409, `"code":"conflict"`),
			post("senior sets a segment", "senior", `{"period":"2025","segment":"ENTERPRISE","amount":9000000000,"currency":"usd"}`, 201, `"segment":"Enterprise"`),
			post("eastMgr sets their territory", "eastMgr", `{"period":"2025-06","territory_id":{eastTerritory},"amount":300000000}`, 201, `"updated_by":"eastMgr"`),
			post("eastMgr meets the West's territory as unknown", "eastMgr", `{"period":"2025-06","territory_id":{westTerritory},"amount":1}`, 422, `"field":"territory_id"`),
			post("eastMgr may not set a segment", "eastMgr", `{"period":"2025-06","segment":"Enterprise","amount":1}`, 403, forbidden),
			post("eastRep may not set market sizes", "eastRep", `{"period":"2025-06","territory_id":{eastTerritory},"amount":1}`, 403, forbidden),
			post("mkt may not set market sizes", "mkt", `{"period":"2025-06","segment":"Enterprise","amount":1}`, 403, forbidden),
			post("a zero size is refused", "admin", `{"period":"2025-06","territory_id":{eastTerritory},"amount":0}`, 422, `"field":"amount"`),
			post("a negative size is refused", "admin", `{"period":"2025-06","territory_id":{eastTerritory},"amount":-5}`, 422, `"field":"amount"`),
			post("an unknown territory is refused", "admin", `{"period":"2025-06","territory_id":999999,"amount":5}`, 422, `"field":"territory_id"`),
			post("an unknown segment is refused", "admin", `{"period":"2025-06","segment":"Aliens","amount":5}`, 422, `"field":"segment"`),
			post("a bad period is refused", "admin", `{"period":"2025-Q5","territory_id":{eastTerritory},"amount":5}`, 422, `"field":"period"`),
			post("a territory and a segment at once are refused", "admin", `{"period":"2025-06","territory_id":{eastTerritory},"segment":"Enterprise","amount":5}`, 422, `"field":"territory_id"`),
			post("a size as text is a bad request", "admin", `{"period":"2025-06","territory_id":{eastTerritory},"amount":"5"}`, 400, `"field":"amount"`),
			anonymous("POST", sizes, `{"period":"2025-06","segment":"Enterprise","amount":1}`),
		)},
		{"PUT /api/v1/market-sizes/{id}", one(
			put("admin replaces the West's size", "admin", "{westMarket}", `{"period":"2025-Q2","territory_id":{westTerritory},"amount":410000000}`, 200, `"amount":410000000`),
			put("senior replaces the segment's size", "senior", "{segmentMarket}", `{"period":"2025-Q2","segment":"Enterprise","amount":3100000000}`, 200, `"amount":3100000000`),
			put("eastMgr replaces their territory's size", "eastMgr", "{eastMarket}", `{"period":"2025-Q2","territory_id":{eastTerritory},"amount":1100000000,"note":"revised"}`, 200, `"note":"revised"`),
			put("eastMgr does not find the West's size", "eastMgr", "{westMarket}", `{"period":"2025-Q2","territory_id":{westTerritory},"amount":1}`, 404, notFound),
			put("a stale version is a conflict", "admin", "{eastMarket}", `{"period":"2025-Q2","territory_id":{eastTerritory},"amount":1,"version":99}`, 409, `"code":"conflict"`),
			put("eastRep may not change sizes", "eastRep", "{eastMarket}", `{"period":"2025-Q2","territory_id":{eastTerritory},"amount":1}`, 403, forbidden),
			put("mkt may not change sizes", "mkt", "{segmentMarket}", `{"period":"2025-Q2","segment":"Enterprise","amount":1}`, 403, forbidden),
			put("an unknown size is not found", "admin", "999999", `{"period":"2025-Q2","segment":"Enterprise","amount":1}`, 404, notFound),
			anonymous("PUT", sizes+"/{eastMarket}", `{"period":"2025-Q2","segment":"Enterprise","amount":1}`),
		)},
		{"GET /api/v1/market-shares", one(
			apiCase{name: "admin sees every territory's share", as: "admin", method: "GET", path: shares, status: 200,
				want: `"revenue":150000000,"deals":1,"share":{"num":150000000,"den":1000000000}`},
			apiCase{name: "senior sees the West's share too", as: "senior", method: "GET", path: shares, status: 200, want: `"share":{"num":80000000,"den":400000000}`},
			apiCase{name: "eastMgr sees the East's territories", as: "eastMgr", method: "GET", path: shares + "&by=territory", status: 200, want: "East chips", absent: []string{"West wind"}},
			apiCase{name: "eastRep sees the territory they sell in", as: "eastRep", method: "GET", path: shares, status: 200, want: "East chips", absent: []string{"West wind"}},
			apiCase{name: "mkt sees no share", as: "mkt", method: "GET", path: shares, status: 200, want: `"shares":[]`},
			apiCase{name: "admin sees the segment's share", as: "admin", method: "GET", path: shares + "&by=segment", status: 200,
				want: `"share":{"num":230000000,"den":3000000000}`},
			apiCase{name: "eastMgr sees their region's share", as: "eastMgr", method: "GET", path: shares + "&by=region", status: 200,
				want: `"name":"华东大区 East"`, absent: []string{"华南大区 West"}},
			apiCase{name: "an unknown way to draw markets is refused", as: "admin", method: "GET", path: shares + "&by=planet", status: 422, want: `"field":"by"`},
			apiCase{name: "a bad period is refused", as: "admin", method: "GET", path: "/api/v1/market-shares?period=Q2", status: 422, want: `"field":"period"`},
			anonymous("GET", shares, ""),
		)},
		{"GET /api/v1/market-shares/deals", one(
			apiCase{name: "admin lists the East's won deal", as: "admin", method: "GET", path: deals, status: 200, want: `"name":"East Chip Fab order"`},
			apiCase{name: "senior lists it too", as: "senior", method: "GET", path: deals + "&currency=CNY", status: 200, want: `"closed_on":"2025-05-10"`},
			apiCase{name: "eastMgr lists their territory's deals", as: "eastMgr", method: "GET", path: deals, status: 200, want: `"owner":"eastRep"`},
			apiCase{name: "eastRep lists their own deal", as: "eastRep", method: "GET", path: deals + "&by=territory", status: 200, want: `"more":false`},
			apiCase{name: "mkt does not find the market", as: "mkt", method: "GET", path: deals, status: 404, want: notFound},
			apiCase{name: "eastMgr does not find the West's market", as: "eastMgr", method: "GET", path: "/api/v1/market-shares/deals?period=2025-Q2&key={westTerritory}",
				status: 404, want: notFound},
			apiCase{name: "admin lists a segment's deals", as: "admin", method: "GET", path: "/api/v1/market-shares/deals?period=2025-Q2&by=segment&key=Enterprise",
				status: 200, want: "West Turbine Farm order"},
			apiCase{name: "a negative limit is a bad request", as: "admin", method: "GET", path: deals + "&limit=-1", status: 400, want: `"field":"limit"`},
			anonymous("GET", deals, ""),
		)},
	})
}

func TestMarketAPI_RefusalsAnswerInTheCallersLanguage(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		h := newHarness(t, d)
		vars := marketSeed(t, h)
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		han := regexp.MustCompile(`\p{Han}`)
		for _, c := range []struct {
			as, method, path, body string
			status                 int
			key                    string
			args                   []any
		}{
			{"admin", "POST", "/api/v1/market-sizes", `{"period":"2025-06","territory_id":{eastTerritory},"amount":0}`, 422, "market.amount_invalid", nil},
			{"admin", "POST", "/api/v1/market-sizes", `{"period":"2025-06","segment":"Aliens","amount":5}`, 422, "market.segment_unknown", []any{"Aliens"}},
			{"eastMgr", "POST", "/api/v1/market-sizes", `{"period":"2025-06","territory_id":{westTerritory},"amount":5}`, 422, "market.territory_unknown", []any{vars["{westTerritory}"]}},
			{"westMgr", "POST", "/api/v1/market-sizes", `{"period":"2025-06","segment":"Enterprise","amount":5}`, 403, "market.segment_forbidden", nil},
			{"admin", "POST", "/api/v1/market-sizes", `{"period":"2025-06","amount":5}`, 422, "market.one_market", nil},
			{"admin", "GET", "/api/v1/market-shares?by=planet", "", 422, "market.by_invalid", []any{"planet"}},
		} {
			for _, lang := range []string{i18n.Chinese, i18n.English} {
				before := h.fingerprint(t)
				res, out := h.send(t, c.method, c.path, h.token(c.as), lang, fill(t, c.body, vars))
				if res.StatusCode != c.status {
					t.Fatalf("%s %s as %s: %d %s", c.method, c.path, c.as, res.StatusCode, out)
				}
				if e := checkEnvelope(t, res, out); e.Error.Message != cat.T(lang, c.key, c.args...) || han.MatchString(e.Error.Message) != (lang == i18n.Chinese) {
					t.Errorf("%s: message %q, want %q", lang, e.Error.Message, cat.T(lang, c.key, c.args...))
				}
				if h.fingerprint(t) != before {
					t.Errorf("%s %s: the refusal changed stored data", c.method, c.path)
				}
			}
		}
	})
}
