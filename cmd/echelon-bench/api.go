package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// api calls the server's JSON API as one signed-in person.
type api struct {
	srv   *server
	http  *http.Client
	token string
}

// signIn signs email in with the demo password.
func signIn(ctx context.Context, srv *server, email, password string) (*api, error) {
	a := &api{srv: srv, http: &http.Client{Timeout: 10 * time.Minute}}
	var out struct {
		Token string `json:"token"`
	}
	if err := a.call(ctx, http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &out); err != nil {
		return nil, fmt.Errorf("sign in %s: %w", email, err)
	}
	a.token = out.Token
	return a, nil
}

// request builds a request with the bearer token and a JSON body (nil for none).
func (a *api) request(ctx context.Context, method, path string, body any) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.srv.url(path), r)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	return req, nil
}

// call sends a request and decodes a 2xx answer into out (when not nil).
func (a *api) call(ctx context.Context, method, path string, body, out any) error {
	req, err := a.request(ctx, method, path, body)
	if err != nil {
		return err
	}
	return a.send(req, out)
}

func (a *api) send(req *http.Request, out any) error {
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", req.Method, req.URL.Path, err)
	}
	if resp.StatusCode/100 != 2 {
		return &refused{what: req.Method + " " + req.URL.Path, status: resp.StatusCode, body: b}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", req.Method, req.URL.Path, err)
	}
	return nil
}

// refused is an answer other than 2xx, with its body.
type refused struct {
	what   string
	status int
	body   []byte
}

func (e *refused) Error() string {
	return fmt.Sprintf("%s: %d %s: %.300s", e.what, e.status, http.StatusText(e.status), e.body)
}
