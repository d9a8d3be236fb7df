// Command echelon runs Echelon: the web server (the default), migrations,
// user creation, backups. Configuration comes from flags with ECHELON_*
// environment variables as fallbacks.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/i18n"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "echelon:", describe(err))
		}
		os.Exit(2)
	}
}

const usage = `Echelon — sales team echelon management (销售团队梯队管理)

Usage:
  echelon [serve] [flags]       serve the web app (default)
  echelon migrate [flags]       apply database migrations and exit
  echelon user create --email E --name N --role R [--password P] [--org-unit ID]
  echelon import --entity E [--dry-run] FILE
                                import people, products, accounts, contacts or opportunities (CSV/XLSX)
  echelon import --maven DIR [--dry-run]
                                import the Maven CRM sample data set in one step
  echelon demo [--size small|standard|large] [--seed N]
                                fill an empty database with a generated demo company
  echelon backup [flags] FILE   write a consistent copy of the SQLite database
  echelon version               print the version

Common flags (environment fallback in brackets):
  --db DSN      SQLite file path or postgres:// URL [ECHELON_DB] (default ./echelon.db)
  --addr ADDR   listen address [ECHELON_ADDR] (default 127.0.0.1:8080)
Run "echelon COMMAND -h" for the flags of one command.
`

// run dispatches a command line; it is main without the process exit, for tests.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serveCmd(ctx, args, stderr)
	case "migrate":
		return migrateCmd(ctx, args, stdout, stderr)
	case "user":
		if len(args) == 0 || args[0] != "create" {
			return fmt.Errorf("unknown user command; use: echelon user create --email E --name N --role R")
		}
		return userCreateCmd(ctx, args[1:], stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, stdout, stderr)
	case "import":
		return importCmd(ctx, args, stdout, stderr)
	case "demo":
		return demoCmd(ctx, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "echelon", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// describe renders an error for the terminal: a service error in English
// from the message catalogue, anything else as it is.
func describe(err error) string {
	var e *echelon.Error
	if !errors.As(err, &e) {
		return err.Error()
	}
	cat, cerr := i18n.Load()
	if cerr != nil {
		return err.Error()
	}
	msg := cat.T(i18n.English, e.Key, e.Args...)
	if e.Field != "" {
		return e.Field + ": " + msg
	}
	return msg
}
