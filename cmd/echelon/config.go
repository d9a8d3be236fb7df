package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
)

// Config is everything the program reads from flags and the environment.
type Config struct {
	Addr          string
	DB            string
	AdminEmail    string
	AdminPassword string
	SecureCookies bool
	LogFormat     string // text or json
	DebugAddr     string // where Go's profiler is served; empty: nowhere
}

// env returns the environment variable name, or def when it is unset.
func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// newFlags returns a flag set that reports errors in one line and prints usage on -h.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("echelon "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// bindCommon registers the flags every command shares.
func bindCommon(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.DB, "db", env("ECHELON_DB", "./echelon.db"), "SQLite file path or postgres:// URL [ECHELON_DB]")
	fs.StringVar(&c.LogFormat, "log-format", env("ECHELON_LOG_FORMAT", "text"), "log format: text or json [ECHELON_LOG_FORMAT]")
}

// bindServe registers the flags of the serve command.
func bindServe(fs *flag.FlagSet, c *Config) {
	bindCommon(fs, c)
	fs.StringVar(&c.Addr, "addr", env("ECHELON_ADDR", "127.0.0.1:8080"), "listen address [ECHELON_ADDR]")
	fs.StringVar(&c.AdminEmail, "admin-email", env("ECHELON_ADMIN_EMAIL", "admin@example.com"), "e-mail of the first admin on an empty database [ECHELON_ADMIN_EMAIL]")
	fs.StringVar(&c.AdminPassword, "admin-password", env("ECHELON_ADMIN_PASSWORD", ""), "password of the first admin; random and logged once when empty [ECHELON_ADMIN_PASSWORD]")
	secure, _ := strconv.ParseBool(env("ECHELON_SECURE_COOKIES", "false"))
	fs.BoolVar(&c.SecureCookies, "secure-cookies", secure, "mark cookies Secure (serve behind TLS) [ECHELON_SECURE_COOKIES]")
	fs.StringVar(&c.DebugAddr, "debug-addr", env("ECHELON_DEBUG_ADDR", ""), "serve Go's profiler on this loopback address, e.g. 127.0.0.1:6060; empty: off [ECHELON_DEBUG_ADDR]")
}

// parse parses args, refusing stray positional arguments unless allowed.
func parse(fs *flag.FlagSet, args []string, positional int) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != positional {
		return fmt.Errorf("%s: expected %d argument(s), got %d: %v", fs.Name(), positional, fs.NArg(), fs.Args())
	}
	return nil
}
