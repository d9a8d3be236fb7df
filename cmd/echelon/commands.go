package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/org"
)

func serveCmd(ctx context.Context, args []string, stderr io.Writer) error {
	var c Config
	fs := newFlags("serve", stderr)
	bindServe(fs, &c)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	limitMemory()
	m := NewMain(c, stderr)
	defer m.Close()
	if err := m.OpenServer(ctx); err != nil {
		return err
	}
	if err := m.Listen(); err != nil {
		return err
	}
	return m.Serve(ctx)
}

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlags("migrate", stderr)
	bindCommon(fs, &c)
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	m := NewMain(c, stderr)
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database %s is migrated\n", m.DB.Dialect)
	return nil
}

func userCreateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var in org.PersonInput
	var role string
	fs := newFlags("user create", stderr)
	bindCommon(fs, &c)
	fs.StringVar(&in.Email, "email", "", "e-mail address (required)")
	fs.StringVar(&in.Name, "name", "", "full name (required)")
	fs.StringVar(&role, "role", "", "admin, senior_manager, regional_manager, rep, marketing, product or customer_service (required)")
	fs.StringVar(&in.Password, "password", "", "initial password (at least 8 characters; without it the person cannot sign in until an admin sets one)")
	fs.Int64Var(&in.UnitID, "org-unit", 0, "org unit id (required for every role but admin; 1 is the company)")
	fs.StringVar(&in.Phone, "phone", "", "phone number")
	if err := parse(fs, args, 0); err != nil {
		return err
	}
	in.Role = echelon.Role(role)
	m := NewMain(c, stderr)
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	p, err := m.Org.CreatePerson(echelon.NewContext(ctx, echelon.SystemActor("cli")), in)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created person %d <%s> as %s\n", p.ID, p.Email, p.Role)
	return nil
}

func backupCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	fs := newFlags("backup", stderr)
	bindCommon(fs, &c)
	if err := parse(fs, args, 1); err != nil {
		return err
	}
	m := NewMain(c, stderr)
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	if err := m.DB.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", fs.Arg(0))
	return nil
}

// serverMemoryLimit is the server's soft memory limit unless GOMEMLIMIT
// sets one. Its working heap is about 50 MB at the standard size, but the
// Go runtime keeps what an import or a burst of requests freed, and the
// resident memory grew to 230–380 MB under the list load after an
// import (W7, limit 250 MB). Above the limit the runtime collects sooner
// and gives memory back; it is soft, so a larger need is still met.
const serverMemoryLimit = 180 << 20

// limitMemory sets serverMemoryLimit when the operator has not set GOMEMLIMIT.
func limitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serverMemoryLimit)
	}
}
