package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/echelonhq/echelon/internal/loadtest"
)

// plan is a target plan as the API lists it.
type plan struct {
	ID         int64  `json:"id"`
	Metric     string `json:"metric"`
	Dimension  string `json:"dimension"`
	FiscalYear int    `json:"fiscal_year"`
	State      string `json:"state"`
}

// node is a target of a plan board.
type node struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id"`
	Amount   int64  `json:"amount"`
	Version  int    `json:"version"`
	Balanced bool   `json:"balanced"`
	Children *int64 `json:"children_sum"`
}

// year is the current fiscal year as the API names it.
type year struct {
	Period     string `json:"period"`
	FiscalYear int    `json:"fiscal_year"`
	FirstMonth string `json:"first_month"`
	LastMonth  string `json:"last_month"`
}

func (b *bench) currentYear(ctx context.Context) (year, error) {
	var cal struct {
		Periods []year `json:"periods"`
	}
	if err := b.senior.call(ctx, http.MethodGet, "/api/v1/periods", nil, &cal); err != nil {
		return year{}, err
	}
	if len(cal.Periods) == 0 {
		return year{}, fmt.Errorf("no periods")
	}
	return cal.Periods[0], nil
}

// revenuePlan finds the whole-business won-revenue plan of a fiscal year.
func (b *bench) revenuePlan(ctx context.Context, fy int) (int64, error) {
	var plans struct {
		Items []plan `json:"items"`
	}
	if err := b.senior.call(ctx, http.MethodGet, "/api/v1/targets", nil, &plans); err != nil {
		return 0, err
	}
	for _, p := range plans.Items {
		if p.Metric == "won_revenue" && p.Dimension == "" && p.FiscalYear == fy {
			return p.ID, nil
		}
	}
	return 0, nil
}

// rollup is a read W4 times: who reads what.
type rollup struct {
	id, name string
	as       func(c int) *api
	path     string
}

// w4Rollups times the reads rolled up the hierarchy, one reader at a time
// (BENCHMARKS.md sets no concurrency for W4; W9 loads them together with
// everything else): the senior manager's revenue plan board with every
// target's pace, the company's KPI card, and the reps' own scorecards. It
// checks the card's won revenue equals the raw SQL sum over the
// opportunities.
func (b *bench) w4Rollups(ctx context.Context) error {
	const clients = 1
	fy, err := b.currentYear(ctx)
	if err != nil {
		return fmt.Errorf("W4: %w", err)
	}
	planID, err := b.revenuePlan(ctx, fy.FiscalYear)
	if err != nil {
		return fmt.Errorf("W4: %w", err)
	}
	var reads []rollup
	if planID != 0 {
		reads = append(reads, rollup{"board", "revenue plan, every target with its pace (senior manager)", func(int) *api { return b.senior },
			"/api/v1/targets/" + strconv.FormatInt(planID, 10) + "?period=" + fy.Period})
	}
	reads = append(reads,
		rollup{"card", "company KPI card (senior manager)", func(int) *api { return b.senior }, "/api/v1/kpis/card?org_unit_id=1&currency=CNY&period=" + fy.Period},
		rollup{"scorecard", "own scorecard (reps in turn)", func(c int) *api { return b.reps[c%len(b.reps)] }, "/api/v1/scorecards?period=" + fy.Period})
	for _, rd := range reads {
		res, err := b.load(ctx, "W4-"+rd.id, loadtest.Config{Clients: clients, Duration: b.opt.duration}, func(c, i int) (*http.Request, error) {
			return rd.as(c+i).request(ctx, http.MethodGet, rd.path, nil)
		})
		if err != nil {
			return fmt.Errorf("W4: %w", err)
		}
		wl := res.Workload("W4", "rollups", fmt.Sprintf("%s, %d client", rd.name, clients))
		wl.Ceiling = ceilGroupBy
		if g := b.ceil[ceilGroupBy]; g > 0 {
			wl.Ratio = ms(res.Latency.P95) / g
		}
		ok := res.Errors == 0 && res.Latency.P95 <= 100*time.Millisecond
		b.add(wl, "p95 ≤ 100 ms", ok, failure(res, fmt.Sprintf("p95 %.1f ms", ms(res.Latency.P95))))
	}
	// The card's figure against the raw SQL answer.
	var card struct {
		Results []struct {
			Code  string `json:"code"`
			Value struct {
				Num int64 `json:"num"`
			} `json:"value"`
		} `json:"results"`
	}
	if err := b.senior.call(ctx, http.MethodGet, "/api/v1/kpis/card?org_unit_id=1&currency=CNY&period="+fy.Period, nil, &card); err != nil {
		return fmt.Errorf("W4: %w", err)
	}
	var shown int64
	for _, r := range card.Results {
		if r.Code == "won_revenue" {
			shown = r.Value.Num
		}
	}
	from, err := time.Parse("2006-01", fy.FirstMonth)
	if err != nil {
		return fmt.Errorf("W4: first month %q: %w", fy.FirstMonth, err)
	}
	to, err := time.Parse("2006-01", fy.LastMonth)
	if err != nil {
		return fmt.Errorf("W4: last month %q: %w", fy.LastMonth, err)
	}
	raw, err := wonRevenue(ctx, b.d, from, to.AddDate(0, 1, 0))
	if err != nil {
		return fmt.Errorf("W4: %w", err)
	}
	b.add(loadtest.Workload{ID: "W4", Name: "rollups", Measure: fmt.Sprintf("company won revenue %s: card %d, raw SQL %d (minor units)", fy.Period, shown, raw),
		Value: float64(shown) / 100, Unit: "yuan"},
		"identical to the raw SQL answer", shown == raw, "the card differs from the raw SQL sum")
	if planID == 0 {
		b.report.Notes = append(b.report.Notes, "W4: no won-revenue plan for the current fiscal year, so the plan board was not read")
	}
	return nil
}

// w6Cascade creates next fiscal year's revenue plan through the API and
// has the senior manager set the company's target with cascade, again and
// again with different amounts: each call splits the company figure over
// every region, team and rep and phases their months, in one
// transaction. After each, every target's children must add up.
func (b *bench) w6Cascade(ctx context.Context) error {
	fy, err := b.currentYear(ctx)
	if err != nil {
		return fmt.Errorf("W6: %w", err)
	}
	next := fy.FiscalYear + 1
	planID, err := b.revenuePlan(ctx, next)
	if err != nil {
		return fmt.Errorf("W6: %w", err)
	}
	if planID == 0 {
		var p plan
		if err := b.senior.call(ctx, http.MethodPost, "/api/v1/targets", map[string]any{"metric": "won_revenue", "fiscal_year": next, "currency": "CNY"}, &p); err != nil {
			return fmt.Errorf("W6: %w", err)
		}
		planID = p.ID
	}
	boardPath := "/api/v1/targets/" + strconv.FormatInt(planID, 10)
	var lat []time.Duration
	var nodes int
	unbalanced := 0
	for i := range b.opt.cascades {
		var board struct {
			Targets []node `json:"targets"`
		}
		if err := b.senior.call(ctx, http.MethodGet, boardPath, nil, &board); err != nil {
			return fmt.Errorf("W6: %w", err)
		}
		var root node
		for _, n := range board.Targets {
			if n.ParentID == 0 {
				root = n
			}
			if n.Children != nil && !n.Balanced {
				unbalanced++
			}
		}
		nodes = len(board.Targets)
		amount := int64(500_000_000+i*1_000_000) * 100
		start := time.Now()
		if err := b.senior.call(ctx, http.MethodPatch, boardPath+"/nodes/"+strconv.FormatInt(root.ID, 10),
			map[string]any{"version": root.Version, "amount": amount, "cascade": true}, nil); err != nil {
			return fmt.Errorf("W6: %w", err)
		}
		lat = append(lat, time.Since(start))
	}
	st := loadtest.Stats(lat)
	wl := loadtest.Workload{ID: "W6", Name: "re-cascade the company target", Measure: fmt.Sprintf("%d targets, %d cascades, unbalanced after: %d", nodes, len(lat), unbalanced),
		Latency: st, Requests: len(lat)}
	b.add(wl, "≤ 200 ms; Σ children = parent after every commit", st.P95 <= 200*time.Millisecond && unbalanced == 0,
		fmt.Sprintf("p95 %.1f ms, %d unbalanced targets", ms(st.P95), unbalanced))
	return nil
}

// w8Startup stops the server and starts it again on the same database a
// few times; ready is the first 200 from /readyz.
func (b *bench) w8Startup(ctx context.Context) error {
	var lat []time.Duration
	for range 3 {
		if err := b.srv.stop(); err != nil {
			return fmt.Errorf("W8: %w", err)
		}
		d, err := b.srv.start(ctx)
		if err != nil {
			return fmt.Errorf("W8: %w", err)
		}
		lat = append(lat, d)
	}
	st := loadtest.Stats(lat)
	b.add(loadtest.Workload{ID: "W8", Name: "start-up", Measure: fmt.Sprintf("start to ready on the existing database, %d starts (max)", len(lat)),
		Latency: st, Requests: len(lat)}, "ready ≤ 1 s", st.Max <= time.Second, fmt.Sprintf("slowest start %.0f ms", ms(st.Max)))
	return nil
}

// w9Overload sends 4 × the database pool in concurrent clients at every
// route family for a while: lists, search, rollups, writes, pages, health.
func (b *bench) w9Overload(ctx context.Context, pool int) error {
	clients := 4 * pool
	fy, err := b.currentYear(ctx)
	if err != nil {
		return fmt.Errorf("W9: %w", err)
	}
	account, err := b.firstAccount(ctx, b.reps[0])
	if err != nil {
		return fmt.Errorf("W9: %w", err)
	}
	routes := []func(c int) (*http.Request, error){
		func(c int) (*http.Request, error) {
			return b.reps[c%len(b.reps)].request(ctx, http.MethodGet, listQueries[0].path, nil)
		},
		func(c int) (*http.Request, error) {
			return b.senior.request(ctx, http.MethodGet, listQueries[1].path, nil)
		},
		func(c int) (*http.Request, error) {
			return b.senior.request(ctx, http.MethodGet, "/api/v1/kpis/card?org_unit_id=1&currency=CNY&period="+fy.Period, nil)
		},
		func(c int) (*http.Request, error) {
			return b.senior.request(ctx, http.MethodGet, "/api/v1/opportunities?sort=-amount&limit=50", nil)
		},
		func(c int) (*http.Request, error) {
			return b.reps[0].request(ctx, http.MethodPost, "/api/v1/activities",
				map[string]any{"kind": "note", "subject": "基准测试：并发写入", "at": time.Now().UTC().Add(-time.Minute), "account_id": account})
		},
		func(c int) (*http.Request, error) { return b.senior.request(ctx, http.MethodGet, "/accounts", nil) },
		func(c int) (*http.Request, error) { return b.senior.request(ctx, http.MethodGet, "/healthz", nil) },
	}
	res, err := b.load(ctx, "W9", loadtest.Config{Clients: clients, Duration: b.opt.overload, Timeout: 10 * time.Second}, func(c, i int) (*http.Request, error) {
		return routes[(c+i)%len(routes)](c)
	})
	if err != nil {
		return fmt.Errorf("W9: %w", err)
	}
	wl := res.Workload("W9", "overload", fmt.Sprintf("%d clients (4 × pool of %d), %d route families, %.0f s", clients, pool, len(routes), b.opt.overload.Seconds()))
	ok := res.Hung == 0 && res.Errors == 0 && res.Latency.P99 <= time.Second
	b.add(wl, "no request hangs; p99 ≤ 1 s", ok, failure(res, fmt.Sprintf("p99 %.0f ms, %d hung", ms(res.Latency.P99), res.Hung)))
	return nil
}

func (b *bench) firstAccount(ctx context.Context, as *api) (int64, error) {
	var page struct {
		Items []struct{ ID int64 } `json:"items"`
	}
	if err := as.call(ctx, http.MethodGet, "/api/v1/accounts?limit=1", nil, &page); err != nil {
		return 0, err
	}
	if len(page.Items) == 0 {
		return 0, fmt.Errorf("the rep has no account")
	}
	return page.Items[0].ID, nil
}
