// Package loadtest is the support the benchmark harness needs to measure
// the workloads of shared/BENCHMARKS.md against a running server: a
// closed-loop HTTP load generator with exact latency percentiles, the
// resident memory of a process, a description of the machine, and the
// report of one run as JSON and Markdown.
package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultTimeout bounds one request when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// bareBody is what BareHandler answers: about the size of a small API reply.
const bareBody = `{"ok":true,"service":"echelon","ceiling":"bare net/http handler"}` + "\n"

// Config describes one load run.
type Config struct {
	// Clients is how many goroutines issue requests back to back.
	Clients int
	// Duration stops the issuing of new requests once elapsed; 0 means no limit.
	Duration time.Duration
	// MaxRequests stops the run after exactly this many requests; 0 means no cap.
	MaxRequests int
	// Timeout bounds each request; one that exceeds it counts as hung. 0 means DefaultTimeout.
	Timeout time.Duration
	// HTTP is the client to use; nil builds one whose idle pool holds Clients connections.
	HTTP *http.Client
	// Check judges a response whose body has already been read into memory
	// (Check may read resp.Body again); nil means Status2xx.
	Check func(resp *http.Response) error
}

// Result is what a load run measured.
type Result struct {
	// Requests is how many requests finished, successfully or not; it equals
	// the sum of StatusCounts plus the requests that got no response.
	Requests int
	// Errors counts requests that got no response or no whole body, failed
	// Check, or hung.
	Errors int
	// FirstError is the text of the earliest error, for the report.
	FirstError string
	// Hung counts requests cut off by Timeout (they are also in Errors).
	Hung int
	// StatusCounts counts responses by HTTP status code.
	StatusCounts map[int]int
	// Elapsed runs from the first request issued to the last one finished.
	Elapsed time.Duration
	// Throughput is Requests per second of Elapsed.
	Throughput float64
	// Latency summarises every finished request, failed and hung ones included,
	// from sending it to having read its whole body.
	Latency Latency
}

// Workload is r as a report row; the caller adds the target and verdict.
func (r *Result) Workload(id, name, measure string) Workload {
	return Workload{
		ID: id, Name: name, Measure: measure,
		Latency: r.Latency, Throughput: r.Throughput,
		Requests: r.Requests, Errors: r.Errors, Hung: r.Hung,
	}
}

// Run puts load on a server: cfg.Clients goroutines each call req(client, i)
// for their i-th request and send it, back to back, until cfg.Duration has
// elapsed, cfg.MaxRequests have been issued or ctx is cancelled; requests in
// flight then finish within cfg.Timeout. Cancelling ctx is a normal end: the
// partial Result comes back without error. Run talks only to the URLs req
// builds and does not follow redirects. An error from req ends the run and
// is returned.
func Run(ctx context.Context, cfg Config, req func(client, i int) (*http.Request, error)) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, errors.New("loadtest: no request builder")
	}
	r := &runner{build: req, http: cfg.HTTP, check: cfg.Check, timeout: cfg.Timeout, max: int64(cfg.MaxRequests)}
	if r.http == nil {
		r.http = newClient(cfg.Clients)
		defer r.http.CloseIdleConnections()
	}
	if r.check == nil {
		r.check = Status2xx
	}
	if r.timeout == 0 {
		r.timeout = DefaultTimeout
	}
	stop, cancel := context.WithCancel(ctx)
	defer cancel()
	r.cancel = cancel
	if cfg.Duration > 0 {
		var cancelTimer context.CancelFunc
		stop, cancelTimer = context.WithTimeout(stop, cfg.Duration)
		defer cancelTimer()
	}

	tallies := make([]tally, cfg.Clients)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range tallies {
		wg.Go(func() { tallies[c] = r.client(stop, c) })
	}
	wg.Wait()
	return merge(tallies, time.Since(start))
}

func (cfg Config) validate() error {
	switch {
	case cfg.Clients < 1:
		return fmt.Errorf("loadtest: Clients must be at least 1, got %d", cfg.Clients)
	case cfg.Duration < 0 || cfg.MaxRequests < 0 || cfg.Timeout < 0:
		return errors.New("loadtest: Duration, MaxRequests and Timeout must not be negative")
	case cfg.Duration == 0 && cfg.MaxRequests == 0:
		return errors.New("loadtest: set Duration or MaxRequests so the run ends by itself")
	}
	return nil
}

// newClient is an HTTP client for clients concurrent callers of one host:
// every caller keeps its connection, no proxy, no redirects followed.
func newClient(clients int) *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        clients,
			MaxIdleConnsPerHost: clients,
			IdleConnTimeout:     90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// runner holds what every client of one run shares.
type runner struct {
	build   func(client, i int) (*http.Request, error)
	http    *http.Client
	check   func(*http.Response) error
	timeout time.Duration
	max     int64
	issued  atomic.Int64
	cancel  context.CancelFunc
}

// tally is what one client saw; clients keep their own so they share no lock.
type tally struct {
	lat      []time.Duration
	status   map[int]int
	errors   int
	hung     int
	firstErr error
	firstAt  time.Time
	buildErr error
}

// client issues requests until stop is done or the cap is reached.
func (r *runner) client(stop context.Context, c int) tally {
	t := tally{status: map[int]int{}}
	for i := 0; stop.Err() == nil; i++ {
		if r.max > 0 && r.issued.Add(1) > r.max {
			break
		}
		req, err := r.build(c, i)
		if err == nil && req == nil {
			err = errors.New("nil request")
		}
		if err != nil {
			t.buildErr = fmt.Errorf("loadtest: build request %d of client %d: %w", i, c, err)
			r.cancel()
			break
		}
		r.do(stop, req, &t)
	}
	return t
}

// do sends one request and records its outcome in t. The request's context
// keeps stop's values but not its cancellation, so a run that ends lets the
// requests in flight finish within the timeout instead of failing them.
func (r *runner) do(stop context.Context, req *http.Request, t *tally) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(stop), r.timeout)
	defer cancel()
	start := time.Now()
	err := r.send(req.WithContext(ctx), t)
	t.lat = append(t.lat, time.Since(start))
	if err == nil {
		return
	}
	t.errors++
	if hung(ctx, err) {
		t.hung++
	}
	if t.firstErr == nil {
		t.firstErr, t.firstAt = fmt.Errorf("%s %s: %w", req.Method, req.URL, err), time.Now()
	}
}

// send performs req, reads the whole body, counts the status and checks the response.
func (r *runner) send(req *http.Request, t *tally) error {
	resp, err := r.http.Do(req)
	if err != nil {
		return err
	}
	t.status[resp.StatusCode]++
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return r.check(resp)
}

// hung reports whether a failed request ran out of time: our timeout, or
// one of the caller's own client.
func hung(ctx context.Context, err error) bool {
	var ne net.Error
	return errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// merge adds the clients' tallies into one Result.
func merge(tallies []tally, elapsed time.Duration) (*Result, error) {
	res := &Result{StatusCounts: map[int]int{}, Elapsed: elapsed}
	var lat []time.Duration
	var first error
	var firstAt time.Time
	for _, t := range tallies {
		if t.buildErr != nil {
			return nil, t.buildErr
		}
		lat = append(lat, t.lat...)
		res.Errors += t.errors
		res.Hung += t.hung
		for code, n := range t.status {
			res.StatusCounts[code] += n
		}
		if t.firstErr != nil && (first == nil || t.firstAt.Before(firstAt)) {
			first, firstAt = t.firstErr, t.firstAt
		}
	}
	if first != nil {
		res.FirstError = first.Error()
	}
	res.Requests = len(lat)
	res.Latency = Stats(lat)
	if elapsed > 0 {
		res.Throughput = float64(res.Requests) / elapsed.Seconds()
	}
	return res, nil
}

// Status2xx is the default Check: the status must be 2xx. The error names
// the status and quotes the start of the body, which for the API carries
// the error envelope.
func Status2xx(resp *http.Response) error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	return fmt.Errorf("status %d %s: %s", resp.StatusCode, http.StatusText(resp.StatusCode), bytes.TrimSpace(body))
}

// BareHandler answers every request with a small fixed JSON body: serving
// it on 127.0.0.1:0 and loading it with Run measures the bare net/http
// ceiling of the machine.
func BareHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, bareBody)
	})
}
