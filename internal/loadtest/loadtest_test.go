package loadtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/echelonhq/echelon/internal/loadtest"
)

// get builds GET requests for path on srv.
func get(srv *httptest.Server, path string) func(client, i int) (*http.Request, error) {
	return func(client, i int) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, srv.URL+path, nil)
	}
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func TestRun(t *testing.T) {
	ctx := context.Background()

	t.Run("CountsAddUp", func(t *testing.T) {
		// Every 4th request of a client gets 404, every 5th is aborted with
		// no response; the flag travels in the URL so a transport retry
		// meets the same fate.
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Query().Get("fate") {
			case "abort":
				panic(http.ErrAbortHandler)
			case "404":
				http.NotFound(w, r)
			default:
				w.Write([]byte("ok"))
			}
		})
		var mu sync.Mutex
		seen := map[int][]int{}
		res, err := loadtest.Run(ctx, loadtest.Config{Clients: 3, MaxRequests: 60}, func(client, i int) (*http.Request, error) {
			mu.Lock()
			seen[client] = append(seen[client], i)
			mu.Unlock()
			fate := "ok"
			switch {
			case i%5 == 4:
				fate = "abort"
			case i%4 == 3:
				fate = "404"
			}
			return http.NewRequest(http.MethodGet, srv.URL+"/?fate="+fate, nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		responses := 0
		for _, n := range res.StatusCounts {
			responses += n
		}
		transport := res.Requests - responses
		if res.Requests != 60 || transport == 0 || res.StatusCounts[404] == 0 || res.StatusCounts[200] == 0 {
			t.Fatalf("requests %d, statuses %v: want 60 with 200s, 404s and aborted ones", res.Requests, res.StatusCounts)
		}
		if res.Errors != res.StatusCounts[404]+transport {
			t.Errorf("errors %d, want 404s %d + no response %d", res.Errors, res.StatusCounts[404], transport)
		}
		for c, is := range seen {
			for k, i := range is {
				if i != k {
					t.Fatalf("client %d got request numbers %v, want 0, 1, 2…", c, is)
				}
			}
		}
		if res.Hung != 0 || res.FirstError == "" {
			t.Errorf("hung %d, first error %q", res.Hung, res.FirstError)
		}
		if want := float64(res.Requests) / res.Elapsed.Seconds(); res.Throughput != want {
			t.Errorf("throughput %v, want %v", res.Throughput, want)
		}
	})

	t.Run("LatencyOfSlowHandler", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(50 * time.Millisecond)
		})
		res, err := loadtest.Run(ctx, loadtest.Config{Clients: 2, MaxRequests: 6}, get(srv, "/"))
		if err != nil {
			t.Fatal(err)
		}
		l := res.Latency
		if l.P50 < 50*time.Millisecond || l.P95 < l.P50 || l.P99 < l.P95 || l.Max < l.P99 || l.Mean < 50*time.Millisecond {
			t.Errorf("latency %+v, want p50 ≥ 50 ms and ordered percentiles", l)
		}
		if res.Errors != 0 || res.StatusCounts[200] != 6 {
			t.Errorf("errors %d, statuses %v", res.Errors, res.StatusCounts)
		}
	})

	t.Run("DurationStopsTheRun", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Millisecond)
		})
		cfg := loadtest.Config{Clients: 4, Duration: 200 * time.Millisecond, Timeout: time.Second}
		res, err := loadtest.Run(ctx, cfg, get(srv, "/"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Elapsed < cfg.Duration || res.Elapsed > cfg.Duration+cfg.Timeout {
			t.Errorf("elapsed %v, want between %v and %v", res.Elapsed, cfg.Duration, cfg.Duration+cfg.Timeout)
		}
		if res.Requests < 4 || res.Errors != 0 {
			t.Errorf("requests %d, errors %d", res.Requests, res.Errors)
		}
	})

	t.Run("MaxRequestsIsExact", func(t *testing.T) {
		var mu sync.Mutex
		served := 0
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			served++
			mu.Unlock()
		})
		res, err := loadtest.Run(ctx, loadtest.Config{Clients: 7, MaxRequests: 101}, get(srv, "/"))
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		if res.Requests != 101 || served != 101 || res.StatusCounts[200] != 101 {
			t.Errorf("requests %d, served %d, statuses %v; want 101", res.Requests, served, res.StatusCounts)
		}
	})

	t.Run("HungRequestsAreCutOff", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		})
		cfg := loadtest.Config{Clients: 2, MaxRequests: 4, Timeout: 100 * time.Millisecond}
		res, err := loadtest.Run(ctx, cfg, get(srv, "/"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests != 4 || res.Hung != 4 || res.Errors != 4 {
			t.Errorf("requests %d, hung %d, errors %d; want 4 of each", res.Requests, res.Hung, res.Errors)
		}
		if res.Elapsed > time.Second || res.Latency.P50 < cfg.Timeout {
			t.Errorf("elapsed %v, p50 %v; want the run to end after two timeouts", res.Elapsed, res.Latency.P50)
		}
	})

	t.Run("Non2xxIsAnError", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"error":{"code":"EINTERNAL"}}`, http.StatusServiceUnavailable)
		})
		res, err := loadtest.Run(ctx, loadtest.Config{Clients: 2, MaxRequests: 5}, get(srv, "/api/v1/deals"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors != 5 || res.StatusCounts[503] != 5 {
			t.Errorf("errors %d, statuses %v; want 5 × 503", res.Errors, res.StatusCounts)
		}
		for _, want := range []string{"GET ", "/api/v1/deals", "status 503 Service Unavailable", "EINTERNAL"} {
			if !strings.Contains(res.FirstError, want) {
				t.Errorf("first error %q does not contain %q", res.FirstError, want)
			}
		}
	})

	t.Run("CheckJudgesTheBody", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"rows":` + r.URL.Query().Get("n") + `}`))
		})
		check := func(resp *http.Response) error {
			var body struct{ Rows int }
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				return err
			}
			if body.Rows != 50 {
				return fmt.Errorf("%d rows, want 50", body.Rows)
			}
			return nil
		}
		res, err := loadtest.Run(ctx, loadtest.Config{Clients: 1, MaxRequests: 4, Check: check}, func(_, i int) (*http.Request, error) {
			return http.NewRequest(http.MethodGet, fmt.Sprintf("%s/?n=%d", srv.URL, 49+i%2), nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors != 2 || !strings.HasSuffix(res.FirstError, "49 rows, want 50") {
			t.Errorf("errors %d, first %q; want the two 49-row replies refused", res.Errors, res.FirstError)
		}
	})

	t.Run("CancelStopsTheRun", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(time.Millisecond)
		})
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		res, err := loadtest.Run(cctx, loadtest.Config{Clients: 2, Duration: time.Minute}, get(srv, "/"))
		if err != nil {
			t.Fatal(err)
		}
		if res.Elapsed > 2*time.Second || res.Requests == 0 || res.Errors != 0 {
			t.Errorf("elapsed %v, requests %d, errors %d; want a clean early end", res.Elapsed, res.Requests, res.Errors)
		}
	})

	t.Run("BuilderErrorEndsTheRun", func(t *testing.T) {
		srv := serve(t, func(w http.ResponseWriter, r *http.Request) {})
		boom := errors.New("no such deal")
		_, err := loadtest.Run(ctx, loadtest.Config{Clients: 2, Duration: time.Minute}, func(client, i int) (*http.Request, error) {
			if i == 3 {
				return nil, boom
			}
			return http.NewRequest(http.MethodGet, srv.URL, nil)
		})
		if !errors.Is(err, boom) {
			t.Errorf("err %v, want the builder's", err)
		}
	})

	t.Run("ErrBadConfig", func(t *testing.T) {
		for _, cfg := range []loadtest.Config{
			{Clients: 0, MaxRequests: 1},
			{Clients: 1},
			{Clients: 1, Duration: -time.Second},
		} {
			if _, err := loadtest.Run(ctx, cfg, func(int, int) (*http.Request, error) { return nil, nil }); err == nil {
				t.Errorf("%+v: no error", cfg)
			}
		}
	})
}

func TestBareHandler(t *testing.T) {
	srv := httptest.NewServer(loadtest.BareHandler())
	defer srv.Close()
	check := func(resp *http.Response) error {
		if err := loadtest.Status2xx(resp); err != nil {
			return err
		}
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || resp.Header.Get("Content-Type") != "application/json" {
			return fmt.Errorf("not JSON: %v", err)
		}
		return nil
	}
	res, err := loadtest.Run(context.Background(), loadtest.Config{Clients: 2, MaxRequests: 50, Check: check}, get(srv, "/"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors != 0 || res.StatusCounts[200] != 50 || res.Throughput <= 0 {
		t.Errorf("errors %d (%s), statuses %v, throughput %v", res.Errors, res.FirstError, res.StatusCounts, res.Throughput)
	}
	w := res.Workload("C1", "bare handler", "2 clients")
	if w.Requests != 50 || w.Latency != res.Latency || w.Throughput != res.Throughput {
		t.Errorf("workload %+v does not carry the result", w)
	}
}
