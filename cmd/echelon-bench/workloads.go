package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/loadtest"
)

// bench is one harness run against one database: the server, people
// signed in, the ceilings measured so far and the report.
type bench struct {
	opt     options
	d       *db.DB
	srv     *server
	admin   *api
	senior  *api
	reps    []*api // one per client of the rep workloads
	repIDs  []int64
	ceil    map[string]float64
	report  *loadtest.Report
	started time.Time
}

// add records a workload row with its target and verdict.
func (b *bench) add(w loadtest.Workload, target string, ok bool, reason string) {
	w.Target, w.Verdict = target, loadtest.Verdict(ok)
	if !ok {
		w.Reason = reason
	}
	b.report.Workloads = append(b.report.Workloads, w)
}

// ratio is v over the named ceiling (0 when it was not measured).
func (b *bench) ratio(v float64, ceiling string) float64 {
	if c := b.ceil[ceiling]; c > 0 {
		return v / c
	}
	return 0
}

// load runs a loaded workload, taking the server's CPU profile meanwhile
// when the run profiles.
func (b *bench) load(ctx context.Context, name string, cfg loadtest.Config, req func(c, i int) (*http.Request, error)) (*loadtest.Result, error) {
	wait := b.profiling(ctx, name, cfg.Duration)
	res, err := loadtest.Run(ctx, cfg, req)
	return res, errors.Join(err, wait())
}

// profiling starts a CPU profile of the server for d into
// <dir>/profiles/<size>-<database>-<name>.pprof, when the run profiles.
func (b *bench) profiling(ctx context.Context, name string, d time.Duration) (wait func() error) {
	if !b.opt.profile {
		return func() error { return nil }
	}
	dir := filepath.Join(b.opt.dir, "profiles")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return func() error { return err }
	}
	return b.srv.profile(ctx, d, filepath.Join(dir, fmt.Sprintf("%s-%s-%s.pprof", b.opt.size.Name, b.opt.database, name)))
}

// importName is the name of the i-th account W1 imports (and the raw
// bulk insert writes).
func importName(i int) string { return fmt.Sprintf("基准导入%07d号科技有限公司", i) }

// w1Import imports accounts from a CSV file through POST /api/v1/imports
// as the senior manager: every row validated and normalised, checked for
// duplicates (against the file and the database), placed by territory,
// with ownership history and an audit entry, in one transaction (a file
// imports all or nothing, so its rows are all new and valid). The
// imported accounts are removed afterwards so the database can be reused.
func (b *bench) w1Import(ctx context.Context) error {
	rows := b.opt.importRows
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"name", "province", "city", "industry", "phone", "external_id"})
	for i := range rows {
		_ = w.Write([]string{importName(i), "上海", "上海", "消费品", fmt.Sprintf("021-%08d", 10_000_000+i), fmt.Sprintf("W1-%d", i)})
	}
	w.Flush()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("entity", "accounts")
	fw, err := mw.CreateFormFile("file", "w1-accounts.csv")
	if err != nil {
		return err
	}
	if _, err := fw.Write(buf.Bytes()); err != nil {
		return err
	}
	mw.Close()
	req, err := b.senior.request(ctx, http.MethodPost, "/api/v1/imports", nil)
	if err != nil {
		return err
	}
	req.Body = nopCloser{bytes.NewReader(body.Bytes())}
	req.ContentLength = int64(body.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var rep struct {
		Committed                               bool
		Rows, Created, Updated, Skipped, Failed int
		Results                                 []struct {
			Line  int             `json:"line"`
			Error json.RawMessage `json:"error"`
		}
	}
	var lastBefore int64
	if err := b.d.View(ctx, func(tx *db.Tx) error {
		return tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM accounts`).Scan(&lastBefore)
	}); err != nil {
		return fmt.Errorf("W1: %w", err)
	}
	wait := b.profiling(ctx, "W1", 30*time.Second)
	start := time.Now()
	err = b.senior.send(req, &rep)
	elapsed := time.Since(start)
	err = errors.Join(err, wait())
	var no *refused
	if errors.As(err, &no) && no.status == http.StatusUnprocessableEntity { // a refused import still reports every row
		err = json.Unmarshal(no.body, &rep)
	}
	if err != nil {
		return fmt.Errorf("W1: %w", err)
	}
	if !rep.Committed {
		for _, r := range rep.Results {
			if len(r.Error) > 0 {
				return fmt.Errorf("W1: the import was refused; line %d: %s", r.Line, r.Error)
			}
		}
	}
	if err := b.removeImported(ctx, lastBefore, start.UTC().Add(-time.Second)); err != nil {
		return err
	}
	rate := float64(rows) / elapsed.Seconds()
	adds := rep.Created+rep.Updated+rep.Skipped+rep.Failed == rows && rep.Rows == rows
	wl := loadtest.Workload{ID: "W1", Name: "import accounts from CSV", Requests: 1,
		Measure: fmt.Sprintf("%d rows: %d created, %d updated, %d skipped, %d failed, in %.1f s", rows, rep.Created, rep.Updated, rep.Skipped, rep.Failed, elapsed.Seconds()),
		Value:   rate, Unit: "rows/s", Ceiling: ceilBulk, Ratio: b.ratio(rate, ceilBulk)}
	ok := adds && rep.Committed && wl.Ratio >= 0.2
	reason := fmt.Sprintf("ratio %.2f to the raw insert", wl.Ratio)
	if !adds {
		reason = fmt.Sprintf("created + updated + skipped + failed = %d, not the %d rows of the file", rep.Created+rep.Updated+rep.Skipped+rep.Failed, rows)
	}
	if !rep.Committed {
		ok, reason = false, "the import was not committed"
	}
	b.add(wl, "≥ 0.2 × raw bulk insert; created + updated + skipped + failed = rows", ok, reason)
	return nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// removeImported deletes what W1 imported — the accounts after the last
// one before it, with their ownership rows, name pieces and audit
// entries — so the next run finds the same database.
func (b *bench) removeImported(ctx context.Context, lastBefore int64, started time.Time) error {
	err := b.d.Tx(ctx, func(tx *db.Tx) error {
		for _, q := range []struct {
			sql string
			arg any
		}{
			{`DELETE FROM audit_log WHERE at >= ? AND entity = 'account'`, started},
			{`DELETE FROM account_ownership WHERE account_id > ?`, lastBefore},
			{`DELETE FROM account_name_grams WHERE account_id > ?`, lastBefore},
			{`DELETE FROM accounts WHERE id > ?`, lastBefore},
		} {
			if _, err := tx.Exec(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("W1: remove the imported accounts: %w", err)
	}
	return nil
}

// w2Writes has 4 reps each log an activity on one of their accounts
// (POST /api/v1/activities) and then correct it (PUT, with its version),
// back to back: every write checked, scoped, audited and reflected in the
// sales totals, in its own transaction.
func (b *bench) w2Writes(ctx context.Context) error {
	const clients = 4
	accounts := make([]int64, clients)
	for c := range clients {
		id, err := b.firstAccount(ctx, b.reps[c])
		if err != nil {
			return fmt.Errorf("W2: rep %d: %w", b.repIDs[c], err)
		}
		accounts[c] = id
	}
	// Each client corrects the activity it logged last, so the answer to a
	// POST says which id the next PUT changes.
	last := make([]int64, clients)
	check := func(resp *http.Response) error {
		if err := loadtest.Status2xx(resp); err != nil || resp.Request.Method != http.MethodPost {
			return err
		}
		var out struct{ ID int64 }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			return fmt.Errorf("decode the new activity: %w", err)
		}
		c, _ := strconv.Atoi(resp.Request.Header.Get(clientHeader))
		last[c] = out.ID
		return nil
	}
	res, err := b.load(ctx, "W2", loadtest.Config{Clients: clients, Duration: b.opt.duration, Check: check}, func(c, i int) (*http.Request, error) {
		at := time.Now().UTC().Add(-time.Hour)
		if i%2 == 1 && last[c] != 0 {
			return b.reps[c].request(ctx, http.MethodPut, "/api/v1/activities/"+strconv.FormatInt(last[c], 10),
				map[string]any{"kind": "call", "subject": "基准测试：电话回访（更正）", "at": at, "account_id": accounts[c], "outcome": "已更正", "version": 1})
		}
		req, err := b.reps[c].request(ctx, http.MethodPost, "/api/v1/activities",
			map[string]any{"kind": "call", "subject": "基准测试：电话回访", "at": at, "account_id": accounts[c]})
		if err == nil {
			req.Header.Set(clientHeader, strconv.Itoa(c))
		}
		return req, err
	})
	if err != nil {
		return fmt.Errorf("W2: %w", err)
	}
	wl := res.Workload("W2", "create or update one record", "log and correct activities, 4 reps")
	wl.Ceiling, wl.Ratio = ceilCommit, b.ratio(res.Throughput, ceilCommit)
	ok := res.Errors == 0 && wl.Latency.P95 <= 50*time.Millisecond && wl.Ratio >= 0.5
	b.add(wl, "p95 ≤ 50 ms; ≥ 0.5 × raw single-row commits", ok, failure(res, fmt.Sprintf("p95 %.1f ms, ratio %.2f", ms(wl.Latency.P95), wl.Ratio)))
	return nil
}

// clientHeader tells the harness's own check which client sent a request
// (the server ignores it).
const clientHeader = "X-Bench-Client"

// failure is the reason a workload missed: its errors first.
func failure(res *loadtest.Result, otherwise string) string {
	if res.Errors > 0 {
		return fmt.Sprintf("%d errors of %d requests, first: %s", res.Errors, res.Requests, res.FirstError)
	}
	return otherwise
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// listQueries are W3's reads: a page of 50 accounts filtered and sorted,
// and a name search.
var listQueries = []struct{ name, path string }{
	{"list", "/api/v1/accounts?status=customer&sort=-updated_at&limit=50"},
	{"search", "/api/v1/accounts?q=" + url.QueryEscape("华信") + "&limit=50"},
}

// w3Lists loads the account list and the search with 8 clients, as reps
// (each their own) and as the senior manager (the whole company, scoped),
// and as the administrator (unscoped) for the scope's cost. The server's
// resident memory is sampled meanwhile (W7).
func (b *bench) w3Lists(ctx context.Context) error {
	const clients = 8
	sampler, err := loadtest.StartSampler(b.srv.pid(), 50*time.Millisecond)
	if err != nil {
		return fmt.Errorf("W3: %w", err)
	}
	p50 := map[string]time.Duration{}
	for _, q := range listQueries {
		for _, who := range []string{"rep", "senior", "admin"} {
			res, err := b.load(ctx, "W3-"+q.name+"-"+who, loadtest.Config{Clients: clients, Duration: b.opt.duration}, func(c, i int) (*http.Request, error) {
				as := map[string]*api{"rep": b.reps[c%len(b.reps)], "senior": b.senior, "admin": b.admin}[who]
				return as.request(ctx, http.MethodGet, q.path, nil)
			})
			if err != nil {
				return fmt.Errorf("W3: %w", err)
			}
			p50[q.name+"/"+who] = res.Latency.P50
			if who == "admin" {
				continue
			}
			limit := map[string]time.Duration{"list": 50 * time.Millisecond, "search": 100 * time.Millisecond}[q.name]
			wl := res.Workload("W3", "list and search", fmt.Sprintf("%s as %s, %d clients", q.name, who, clients))
			ok := res.Errors == 0 && res.Latency.P95 <= limit && res.Throughput >= 1000
			b.add(wl, fmt.Sprintf("p95 ≤ %d ms; ≥ 1,000 req/s", limit.Milliseconds()), ok,
				failure(res, fmt.Sprintf("p95 %.1f ms at %.0f req/s", ms(res.Latency.P95), res.Throughput)))
		}
		// The scope's cost: the senior manager's list (every row checked
		// against the company's subtree) against the administrator's.
		r := float64(p50[q.name+"/senior"]) / float64(max(p50[q.name+"/admin"], time.Microsecond))
		b.add(loadtest.Workload{ID: "W3", Name: "list and search", Measure: q.name + ": scoped (senior manager) p50 ÷ unscoped (admin) p50", Value: r, Unit: "×"},
			"≤ 1.2", r <= 1.2, fmt.Sprintf("%.2f×", r))
	}
	peak, err := sampler.Stop()
	if err != nil {
		return fmt.Errorf("W7: %w", err)
	}
	mb := float64(peak) / (1 << 20)
	b.add(loadtest.Workload{ID: "W7", Name: "server memory", Measure: "peak resident memory during W3", Value: mb, Unit: "MB"},
		"≤ 250 MB", mb <= 250, fmt.Sprintf("%.0f MB", mb))
	return nil
}
