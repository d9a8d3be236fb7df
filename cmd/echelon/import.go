package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/i18n"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/sheet"
)

// importCmd loads a CSV/XLSX file, or the Maven sample data set, as the system administrator.
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c Config
	var entity, maven string
	var dry bool
	fs := newFlags("import", stderr)
	bindCommon(fs, &c)
	fs.StringVar(&entity, "entity", "", "what the file holds: people, products, accounts, contacts or opportunities")
	fs.StringVar(&maven, "maven", "", "folder with the Maven CRM sample data set (sales_teams.csv, products.csv, accounts.csv, sales_pipeline.csv)")
	fs.BoolVar(&dry, "dry-run", false, "check every row and report, writing nothing")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (maven == "") == (entity == "") || (entity != "" && fs.NArg() != 1) || (maven != "" && fs.NArg() != 0) {
		return fmt.Errorf("use: echelon import --entity E [--dry-run] FILE, or echelon import --maven DIR [--dry-run]")
	}
	m := NewMain(c, stderr)
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	svc := importer.NewService(m.DB, m.Org, m.CRM)
	sys := echelon.NewContext(ctx, echelon.SystemActor("cli import"))
	var parts []*importer.Report
	committed := false
	if maven != "" {
		files := map[string]*sheet.Table{}
		for _, name := range importer.MavenFiles() {
			t, err := readSheet(filepath.Join(maven, name))
			if err != nil {
				return err
			}
			files[name] = t
		}
		rep, err := svc.ImportMaven(sys, files, dry)
		if err != nil {
			return err
		}
		parts, committed = rep.Parts, rep.Committed
	} else {
		t, err := readSheet(fs.Arg(0))
		if err != nil {
			return err
		}
		rep, err := svc.Import(sys, importer.Request{Entity: importer.Entity(entity), File: filepath.Base(fs.Arg(0)), Table: t, DryRun: dry})
		if err != nil {
			return err
		}
		parts, committed = []*importer.Report{rep}, rep.Committed
	}
	failed := printReports(stdout, cat, parts)
	switch {
	case dry:
		fmt.Fprintln(stdout, "dry run: nothing was written")
	case committed:
		fmt.Fprintln(stdout, "import committed")
	}
	if failed > 0 {
		return fmt.Errorf("%d rows failed; nothing was imported", failed)
	}
	return nil
}

func readSheet(path string) (*sheet.Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return sheet.Read(f, path)
}

// printReports writes counts per file, every failed row, and how often each note occurred; it returns the failed rows.
func printReports(w io.Writer, cat *i18n.Catalog, parts []*importer.Report) int {
	failed := 0
	fmt.Fprintf(w, "%-28s %8s %8s %8s %8s %8s\n", "file", "rows", "created", "updated", "skipped", "failed")
	for _, p := range parts {
		fmt.Fprintf(w, "%-28s %8d %8d %8d %8d %8d\n", p.File, p.Rows, p.Created, p.Updated, p.Skipped, p.Failed)
		failed += p.Failed
	}
	for _, p := range parts {
		notes := map[string]int{}
		example := map[string]string{}
		for _, r := range p.Results {
			if r.Error != nil {
				fmt.Fprintf(w, "%s line %d: %s\n", p.File, r.Line, describe(r.Error))
			}
			for _, n := range r.Notes {
				notes[n.Key]++
				if _, ok := example[n.Key]; !ok {
					example[n.Key] = fmt.Sprintf("line %d: %s", r.Line, cat.T(i18n.English, n.Key, n.Args...))
				}
			}
		}
		for _, n := range p.Notes {
			fmt.Fprintf(w, "%s: %s\n", p.File, cat.T(i18n.English, n.Key, n.Args...))
		}
		keys := make([]string, 0, len(notes))
		for k := range notes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s: %d rows noted, e.g. %s\n", p.File, notes[k], example[k])
		}
		if len(p.Ignored) > 0 {
			fmt.Fprintf(w, "%s: columns not imported: %s\n", p.File, strings.Join(p.Ignored, ", "))
		}
	}
	return failed
}
