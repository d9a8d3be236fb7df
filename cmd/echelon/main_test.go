package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/org"
)

func runCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

func TestRun_Version(t *testing.T) {
	out, _, err := runCmd(t, "version")
	if err != nil || !strings.HasPrefix(out, "echelon ") {
		t.Fatalf("version: %q, %v", out, err)
	}
}

func TestRun_BadInputExitsWithOneLineReason(t *testing.T) {
	cases := [][]string{
		{"serve", "--no-such-flag"},
		{"frobnicate"},
		{"backup"},
		{"user", "delete"},
		{"migrate", "extra"},
	}
	for _, args := range cases {
		_, _, err := runCmd(t, args...)
		if err == nil {
			t.Errorf("%v: no error", args)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: reason spans lines: %q", args, err)
		}
	}
}

func TestRun_MigrateCreateUserAndBackup(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "e.db")
	if _, _, err := runCmd(t, "migrate", "--db", dsn); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	out, _, err := runCmd(t, "user", "create", "--db", dsn, "--email", "Li.Na@Example.com", "--name", "李娜", "--role", "senior_manager", "--org-unit", "1", "--password", "longenough")
	if err != nil || !strings.Contains(out, "li.na@example.com") {
		t.Fatalf("user create: %q %v", out, err)
	}
	_, _, err = runCmd(t, "user", "create", "--db", dsn, "--email", "li.na@example.com", "--name", "Again", "--role", "rep", "--org-unit", "1")
	if err == nil || !strings.Contains(describe(err), "already uses the e-mail") {
		t.Fatalf("duplicate e-mail: %v", err)
	}
	_, _, err = runCmd(t, "user", "create", "--db", dsn, "--email", "x@example.com", "--name", "X", "--role", "boss", "--org-unit", "1")
	if err == nil || describe(err) != "role: Unknown role." {
		t.Fatalf("unknown role: %v", err)
	}
	backup := filepath.Join(dir, "copy.db")
	if _, _, err := runCmd(t, "backup", "--db", dsn, backup); err != nil {
		t.Fatalf("backup: %v", err)
	}
	d, err := db.Open(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	svc := org.NewService(d, testParams)
	people, _, err := svc.FindPeople(echelon.NewContext(context.Background(), echelon.SystemActor("t")), org.PersonFilter{})
	if err != nil || len(people) != 1 || people[0].Name != "李娜" {
		t.Fatalf("backup holds %v, %v; want 李娜", people, err)
	}
}

func TestRun_BackupOfPostgresPointsToPgDump(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	_, _, err := runCmd(t, "backup", "--db", dsn, filepath.Join(t.TempDir(), "x"))
	if err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup on PostgreSQL: %v", err)
	}
}

func TestMain_ServesAndCreatesTheFirstAdmin(t *testing.T) {
	for name, dsn := range map[string]func(testing.TB) string{"sqlite": dbtest.SQLiteDSN, "postgres": dbtest.PostgresDSN} {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			m := startMain(t, Config{Addr: "127.0.0.1:0", DB: dsn(t), AdminEmail: "boss@example.com"}, &logs)
			for _, path := range []string{"/healthz", "/readyz", "/metrics", "/api/openapi.json"} {
				res, err := http.Get(m.URL() + path)
				if err != nil || res.StatusCode != http.StatusOK {
					t.Fatalf("GET %s: %v %v", path, res.StatusCode, err)
				}
				res.Body.Close()
			}
			if !strings.Contains(logs.String(), "boss@example.com") || !strings.Contains(logs.String(), "password=") {
				t.Fatalf("first admin and its one-time password not logged:\n%s", logs.String())
			}
		})
	}
}

// startMain opens, listens and serves a program until the test ends.
func startMain(t *testing.T, c Config, logs *bytes.Buffer) *Main {
	t.Helper()
	m := NewMain(c, logs)
	m.Password = testParams
	ctx, cancel := context.WithCancel(context.Background())
	if err := m.OpenServer(ctx); err != nil {
		t.Fatal(err)
	}
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not stop")
		}
		m.Close()
	})
	return m
}
