package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// buildServer compiles the echelon command into dir, so the benchmarks run
// the binary users run.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "echelon")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/echelonhq/echelon/cmd/echelon")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build echelon: %w: %s", err, out)
	}
	return bin, nil
}

// server is the echelon binary serving a database on a free port of 127.0.0.1.
type server struct {
	bin, dsn  string
	log       io.Writer
	debug     bool // serve the profiler, on debugAddr
	addr      string
	debugAddr string
	cmd       *exec.Cmd
	exited    chan error
}

// start launches the server and returns how long it took to answer /readyz.
func (s *server) start(ctx context.Context) (time.Duration, error) {
	var err error
	if s.addr, err = freeAddr(); err != nil {
		return 0, err
	}
	args := []string{"serve", "--db", s.dsn, "--addr", s.addr, "--log-format", "json"}
	if s.debug {
		if s.debugAddr, err = freeAddr(); err != nil {
			return 0, err
		}
		args = append(args, "--debug-addr", s.debugAddr)
	}
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		return 0, fmt.Errorf("start server: %w", err)
	}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait() }()
	client := &http.Client{Timeout: time.Second}
	deadline := time.After(60 * time.Second)
	for {
		if resp, err := client.Get(s.url("/readyz")); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		select {
		case err := <-s.exited:
			s.cmd = nil
			return 0, fmt.Errorf("server exited before it was ready: %v", err)
		case <-deadline:
			return 0, errors.Join(errors.New("server not ready after 60 s"), s.stop())
		case <-ctx.Done():
			return 0, errors.Join(ctx.Err(), s.stop())
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// stop asks the server to shut down and kills it if it has not after 15 s.
func (s *server) stop() error {
	if s.cmd == nil {
		return nil
	}
	defer func() { s.cmd = nil }()
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		return fmt.Errorf("stop server: %w", err)
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(15 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return errors.New("server did not stop within 15 s; killed")
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

func (s *server) url(path string) string { return "http://" + s.addr + path }

// freeAddr is a port of 127.0.0.1 nobody listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// profile takes a CPU profile of the server for the given time into path
// in the background; wait returns when it is written.
func (s *server) profile(ctx context.Context, d time.Duration, path string) (wait func() error) {
	done := make(chan error, 1)
	go func() {
		url := fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.debugAddr, max(1, int(d.Seconds())))
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			done <- err
			return
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- fmt.Errorf("profile: %w", err)
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(path)
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		done <- errors.Join(err, f.Close())
	}()
	return func() error { return <-done }
}
