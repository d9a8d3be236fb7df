package importer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/sheet"
)

// The Maven Analytics "CRM + Sales + Opportunities" sample data set
// (shared/datasets/maven-crm-sales-opportunities) is a real export with
// flaws. ImportMaven loads its four files in one transaction, mapping each
// flaw or reporting it on the row where it occurs.

// The data set's files and the columns each must have.
var mavenFiles = map[string][]string{
	"sales_teams.csv":    {"sales_agent", "manager", "regional_office"},
	"products.csv":       {"product", "series", "sales_price"},
	"accounts.csv":       {"account", "sector", "year_established", "revenue", "employees", "office_location", "subsidiary_of"},
	"sales_pipeline.csv": {"opportunity_id", "sales_agent", "product", "account", "deal_stage", "engage_date", "close_date", "close_value"},
}

// MavenFiles lists the data set's file names.
func MavenFiles() []string {
	return []string{"sales_teams.csv", "products.csv", "accounts.csv", "sales_pipeline.csv"}
}

// mavenStages maps the data set's deal stages onto the seeded pipeline.
var mavenStages = map[string]string{"Prospecting": "prospecting", "Engaging": "qualification", "Won": "won", "Lost": "lost"}

// mavenSectors corrects the misspellings the data set is known to have.
var mavenSectors = map[string]string{"technolgy": "technology"}

// mavenLostReason stands in for the reason the data set does not record.
const mavenLostReason = "not recorded in source data (源数据未记录)"

// mavenDomain is the domain of the e-mail addresses made up for the data
// set's people, who come without any.
const mavenDomain = "maven.example"

// DatasetReport is the outcome of a multi-file import: one report per part.
type DatasetReport struct {
	DryRun    bool      `json:"dry_run"`
	Committed bool      `json:"committed"`
	Parts     []*Report `json:"parts"`
}

// Failed counts the failed rows of every part.
func (d *DatasetReport) Failed() int {
	n := 0
	for _, p := range d.Parts {
		n += p.Failed
	}
	return n
}

// table is a sheet with its columns addressed by name.
type table struct {
	*sheet.Table
	col map[string]int
}

func (t table) get(rec []string, name string) string {
	return strings.TrimSpace(sheet.Cell(rec, t.col[name]))
}

// mavenTables checks that every file is there with its columns.
func mavenTables(files map[string]*sheet.Table) (map[string]table, error) {
	out := map[string]table{}
	for name, cols := range mavenFiles {
		t, ok := files[name]
		if !ok {
			return nil, echelon.FieldError("file", "import.file_missing", name)
		}
		idx := map[string]int{}
		for i, h := range t.Header {
			idx[h] = i
		}
		for _, c := range cols {
			if _, ok := idx[c]; !ok {
				return nil, echelon.FieldError("file", "import.column_missing", name, c)
			}
		}
		out[name] = table{t, idx}
	}
	return out, nil
}

// mavenEmail makes up a stable ASCII address from a name:
// "Mei-Mei Johns" → mei-mei.johns@maven.example, "João Vitor" → joao.vitor@maven.example.
func mavenEmail(name string) string {
	var parts []string
	for _, w := range strings.Fields(strings.ToLower(norm.NFD.String(name))) {
		w = strings.Map(func(r rune) rune {
			if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return r
			}
			return -1
		}, w)
		if w != "" {
			parts = append(parts, w)
		}
	}
	return strings.Join(parts, ".") + "@" + mavenDomain
}

// ImportMaven loads the data set: regional offices become regions, each
// manager a team under their office with the manager at its head, agents
// reps in their manager's team; products; accounts (into the company's
// pool — the data set names no owners); opportunities with their product,
// stage history and owner. All or nothing, and a dry run writes nothing.
func (s *Service) ImportMaven(ctx context.Context, files map[string]*sheet.Table, dryRun bool) (*DatasetReport, error) {
	ts, err := mavenTables(files)
	if err != nil {
		return nil, err
	}
	out := &DatasetReport{DryRun: dryRun}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.PlanEachQuery(ctx); err != nil {
			return err
		}
		steps := []func(context.Context, *db.Tx, map[string]table) ([]*Report, error){
			s.mavenPeople, s.mavenProducts, s.mavenAccounts, s.mavenPipeline,
		}
		for _, step := range steps {
			parts, err := step(ctx, tx, ts)
			if err != nil {
				return err
			}
			out.Parts = append(out.Parts, parts...)
		}
		if dryRun || out.Failed() > 0 {
			return db.ErrRollback
		}
		for _, p := range out.Parts {
			if err := s.finish(ctx, tx, p, false); err != nil {
				return err
			}
		}
		out.Committed = true
		return nil
	})
	if err != nil && !errors.Is(err, db.ErrRollback) {
		return nil, err
	}
	created := 0
	for _, p := range out.Parts {
		p.DryRun = dryRun
		p.Committed = out.Committed
		created += p.Created
	}
	return out, s.analyzeAfter(ctx, out.Committed, created)
}

func newReport(e Entity, file string, t table, fields map[string]string, ignored ...string) *Report {
	return &Report{Entity: e, File: file, Encoding: t.Encoding, Mapping: fields, Ignored: ignored}
}

// mavenPeople imports managers (derived from the manager column) and agents.
func (s *Service) mavenPeople(ctx context.Context, tx *db.Tx, ts map[string]table) ([]*Report, error) {
	t := ts["sales_teams.csv"]
	var managerRows, agentRows []echelon.Row
	seen := map[string]bool{}
	for i, rec := range t.Rows {
		agent, manager, office := t.get(rec, "sales_agent"), t.get(rec, "manager"), t.get(rec, "regional_office")
		unit := office + "/" + manager
		if manager != "" && !seen[manager] {
			seen[manager] = true
			managerRows = append(managerRows, echelon.Row{Line: i + 2, Cells: map[string]string{
				"email": mavenEmail(manager), "name": manager, "role": string(echelon.RoleRegionalManager), "org_unit": unit,
				"level": "regional_manager", "unit_manager": "yes",
			}})
		}
		cells := map[string]string{"email": mavenEmail(agent), "name": agent, "role": string(echelon.RoleRep), "org_unit": unit}
		if manager != "" {
			cells["manager_email"] = mavenEmail(manager)
		}
		agentRows = append(agentRows, echelon.Row{Line: i + 2, Cells: cells})
	}
	results, err := s.org.ImportPeopleInTx(ctx, tx, append(managerRows, agentRows...))
	if err != nil {
		return nil, err
	}
	mapping := map[string]string{"sales_agent": "name", "manager": "manager_email", "regional_office": "org_unit"}
	managers := newReport(People, "sales_teams.csv (manager)", t, map[string]string{"manager": "name", "regional_office": "org_unit"})
	managers.Results = results[:len(managerRows)]
	agents := newReport(People, "sales_teams.csv", t, mapping)
	agents.Results = results[len(managerRows):]
	agents.Notes = append(agents.Notes, echelon.Errorf("note", "import.maven_emails", mavenDomain))
	for _, r := range []*Report{managers, agents} {
		r.tally()
	}
	return []*Report{managers, agents}, nil
}

func (s *Service) mavenProducts(ctx context.Context, tx *db.Tx, ts map[string]table) ([]*Report, error) {
	t := ts["products.csv"]
	rows := make([]echelon.Row, len(t.Rows))
	for i, rec := range t.Rows {
		rows[i] = echelon.Row{Line: i + 2, Cells: map[string]string{
			"code": t.get(rec, "product"), "name": t.get(rec, "product"), "series": t.get(rec, "series"),
			"list_price": t.get(rec, "sales_price"), "currency": "USD",
		}}
	}
	rep := newReport(Products, "products.csv", t, map[string]string{"product": "name", "series": "series", "sales_price": "list_price"})
	rep.Notes = append(rep.Notes, echelon.Errorf("note", "import.maven_currency"))
	var err error
	if rep.Results, err = s.crm.ImportProductsInTx(ctx, tx, rows); err != nil {
		return nil, err
	}
	rep.tally()
	return []*Report{rep}, nil
}

func (s *Service) mavenAccounts(ctx context.Context, tx *db.Tx, ts map[string]table) ([]*Report, error) {
	t := ts["accounts.csv"]
	rows := make([]echelon.Row, len(t.Rows))
	fixed := map[int]string{}
	for i, rec := range t.Rows {
		sector := t.get(rec, "sector")
		if good, ok := mavenSectors[sector]; ok {
			fixed[i], sector = sector, good
		}
		tags := []string{}
		if v := t.get(rec, "year_established"); v != "" {
			tags = append(tags, "est. "+v)
		}
		if v := t.get(rec, "revenue"); v != "" {
			tags = append(tags, "revenue USD "+v+"M")
		}
		if v := t.get(rec, "subsidiary_of"); v != "" {
			tags = append(tags, "subsidiary of "+v)
		}
		rows[i] = echelon.Row{Line: i + 2, Cells: map[string]string{
			"external_id": t.get(rec, "account"), "name": t.get(rec, "account"), "industry": sector,
			"size": t.get(rec, "employees"), "address": t.get(rec, "office_location"), "tags": strings.Join(tags, "; "),
			"status": "customer", "source": "Maven CRM sample",
		}}
	}
	rep := newReport(Accounts, "accounts.csv", t, map[string]string{"account": "name", "sector": "industry", "employees": "size",
		"office_location": "address", "year_established": "tags", "revenue": "tags", "subsidiary_of": "tags"})
	var err error
	if rep.Results, err = s.crm.ImportAccountsInTx(ctx, tx, rows); err != nil {
		return nil, err
	}
	for i, from := range fixed {
		rep.Results[i].Note("import.maven_sector", from, mavenSectors[from])
	}
	rep.tally()
	return []*Report{rep}, nil
}

func (s *Service) mavenPipeline(ctx context.Context, tx *db.Tx, ts map[string]table) ([]*Report, error) {
	t := ts["sales_pipeline.csv"]
	known := map[string]bool{}
	at := ts["accounts.csv"]
	for _, rec := range at.Rows {
		known[at.get(rec, "account")] = true
	}
	rows := make([]echelon.Row, len(t.Rows))
	notes := make([][]*echelon.Error, len(t.Rows))
	for i, rec := range t.Rows {
		stage, ok := mavenStages[t.get(rec, "deal_stage")]
		if !ok {
			stage = t.get(rec, "deal_stage") // reported by the stage lookup on this row
		}
		product, account := t.get(rec, "product"), t.get(rec, "account")
		name := product
		if account != "" {
			name = product + " · " + account
		}
		cells := map[string]string{
			"external_id": t.get(rec, "opportunity_id"), "name": name, "owner_email": mavenEmail(t.get(rec, "sales_agent")),
			"product": product, "stage": stage, "engaged_on": t.get(rec, "engage_date"), "closed_on": t.get(rec, "close_date"),
			"amount": t.get(rec, "close_value"),
		}
		switch {
		case account == "":
			notes[i] = append(notes[i], echelon.Errorf("note", "import.maven_no_account"))
		case !known[account]:
			notes[i] = append(notes[i], echelon.Errorf("note", "import.maven_account_unknown", account))
		default:
			cells["account_external_id"] = account
		}
		if stage == "lost" {
			cells["lost_reason"] = mavenLostReason
			notes[i] = append(notes[i], echelon.Errorf("note", "import.maven_lost_reason"))
		}
		rows[i] = echelon.Row{Line: i + 2, Cells: cells}
	}
	rep := newReport(Opportunities, "sales_pipeline.csv", t, map[string]string{"opportunity_id": "external_id", "sales_agent": "owner_email",
		"product": "product", "account": "account_external_id", "deal_stage": "stage", "engage_date": "engaged_on",
		"close_date": "closed_on", "close_value": "amount"})
	rep.Notes = append(rep.Notes, echelon.Errorf("note", "import.maven_stages"))
	var err error
	if rep.Results, err = s.crm.ImportOpportunitiesInTx(ctx, tx, rows); err != nil {
		return nil, fmt.Errorf("importer: pipeline: %w", err)
	}
	for i, n := range notes {
		rep.Results[i].Notes = append(n, rep.Results[i].Notes...)
	}
	rep.tally()
	return []*Report{rep}, nil
}
