// Package importer loads sheets (CSV or XLSX) into Echelon: it maps columns
// to fields, then hands the rows to the owning service inside one
// transaction, so a file is imported all or nothing. A dry run does the
// same work and rolls it back, returning the same per-row report.
package importer

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/audit"
	"github.com/echelonhq/echelon/internal/crm"
	"github.com/echelonhq/echelon/internal/db"
	"github.com/echelonhq/echelon/internal/market"
	"github.com/echelonhq/echelon/internal/org"
	"github.com/echelonhq/echelon/internal/sheet"
)

// Service runs imports.
type Service struct {
	db     *db.DB
	org    *org.Service
	crm    *crm.Service
	market *market.Service
}

// NewService returns an import service over the domain services (market
// sizes need nothing but the database).
func NewService(d *db.DB, o *org.Service, c *crm.Service) *Service {
	return &Service{db: d, org: o, crm: c, market: market.NewService(d)}
}

// Request is one file to import.
type Request struct {
	Entity  Entity
	File    string
	Table   *sheet.Table
	Mapping map[string]string // header → field; nil maps automatically
	DryRun  bool
	// Progress, when set, is told how many rows are done after each chunk.
	Progress func(done, total int)
}

// Report is the outcome of an import: counts that always add up to the
// rows in the file, the mapping used, the columns left out, and every row
// that failed or carries a note.
type Report struct {
	Entity    Entity               `json:"entity"`
	File      string               `json:"file"`
	Encoding  string               `json:"encoding"`
	DryRun    bool                 `json:"dry_run"`
	Committed bool                 `json:"committed"`
	Rows      int                  `json:"rows"`
	Created   int                  `json:"created"`
	Updated   int                  `json:"updated"`
	Skipped   int                  `json:"skipped"`
	Failed    int                  `json:"failed"`
	Mapping   map[string]string    `json:"mapping"`
	Ignored   []string             `json:"ignored_columns,omitempty"`
	Results   []*echelon.RowResult `json:"results"`
	Notes     []*echelon.Error     `json:"notes,omitempty"` // about the file as a whole
}

// tally counts the row results.
func (r *Report) tally() {
	r.Rows = len(r.Results)
	r.Created, r.Updated, r.Skipped, r.Failed = 0, 0, 0, 0
	for _, res := range r.Results {
		switch res.Action {
		case echelon.RowCreated:
			r.Created++
		case echelon.RowUpdated:
			r.Updated++
		case echelon.RowFailed:
			r.Failed++
		default:
			res.Action = echelon.RowSkipped
			r.Skipped++
		}
	}
}

// Import loads one file. Nothing is written unless every row succeeds and
// it is not a dry run.
func (s *Service) Import(ctx context.Context, req Request) (*Report, error) {
	rep, err := s.prepare(req)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(tx *db.Tx) error {
		if err := tx.PlanEachQuery(ctx); err != nil {
			return err
		}
		if err := s.load(ctx, tx, req, rep); err != nil {
			return err
		}
		return s.finish(ctx, tx, rep, rep.Failed > 0)
	})
	if err != nil && !errors.Is(err, db.ErrRollback) {
		return nil, err
	}
	return rep, s.analyzeAfter(ctx, rep.Committed, rep.Created, string(req.Entity))
}

// bulkRows is the size of an import after which statistics are refreshed.
const bulkRows = 5000

// analyzeAfter refreshes the planner's statistics after a large committed
// import, so the lists people open next are planned for the new data: of
// the tables named (an entity's table is named as the entity), or of every
// table.
func (s *Service) analyzeAfter(ctx context.Context, committed bool, created int, tables ...string) error {
	if !committed || created < bulkRows {
		return nil
	}
	return s.db.Analyze(ctx, tables...)
}

// prepare checks the request and builds the report's mapping.
func (s *Service) prepare(req Request) (*Report, error) {
	if Fields(req.Entity) == nil {
		return nil, echelon.FieldError("entity", "import.entity_unknown", string(req.Entity))
	}
	if req.Table == nil {
		return nil, echelon.FieldError("file", "field.required")
	}
	rep := &Report{Entity: req.Entity, File: req.File, Encoding: req.Table.Encoding, DryRun: req.DryRun, Mapping: req.Mapping}
	if rep.Mapping == nil {
		rep.Mapping = AutoMap(req.Entity, req.Table.Header)
	}
	valid := map[string]bool{}
	for _, f := range Fields(req.Entity) {
		valid[f] = true
	}
	seen := map[string]string{}
	for _, h := range req.Table.Header {
		f, ok := rep.Mapping[h]
		if !ok || f == "" {
			rep.Ignored = append(rep.Ignored, h)
			continue
		}
		if !valid[f] {
			return nil, echelon.FieldError("mapping", "import.field_unknown", f)
		}
		if other, dup := seen[f]; dup {
			return nil, echelon.FieldError("mapping", "import.field_twice", f, other, h)
		}
		seen[f] = h
	}
	sort.Strings(rep.Ignored)
	return rep, nil
}

// rows turns the table into field-keyed rows using the mapping.
func rows(t *sheet.Table, mapping map[string]string) []echelon.Row {
	out := make([]echelon.Row, len(t.Rows))
	for i, rec := range t.Rows {
		cells := map[string]string{}
		for j, h := range t.Header {
			if f := mapping[h]; f != "" {
				cells[f] = sheet.Cell(rec, j)
			}
		}
		out[i] = echelon.Row{Line: i + 2, Cells: cells}
	}
	return out
}

// chunkRows is how many rows go to a service at a time, so progress can be told.
const chunkRows = 1000

// load hands the rows to the owning service inside tx. Accounts go in one
// piece, to be looked up for the whole file at once, and tell progress
// themselves after each of their chunks.
func (s *Service) load(ctx context.Context, tx *db.Tx, req Request, rep *Report) error {
	rs := rows(req.Table, rep.Mapping)
	progress := func(done int) {
		if req.Progress != nil {
			req.Progress(done, len(rs))
		}
	}
	var err error
	if req.Entity == Accounts {
		rep.Results, err = s.crm.ImportAccountFileInTx(ctx, tx, rs, progress)
	} else {
		rep.Results, err = s.inChunks(ctx, tx, req.Entity, rs, progress)
	}
	if err != nil {
		return err
	}
	rep.tally()
	return nil
}

// inChunks hands the rows to the service of entity a chunk at a time and
// tells progress after each. People go in one piece: their managers are
// resolved across the whole file; so do market sizes, whose repeats are
// found across the whole file.
func (s *Service) inChunks(ctx context.Context, tx *db.Tx, entity Entity, rs []echelon.Row, progress func(done int)) ([]*echelon.RowResult, error) {
	var fn func(context.Context, *db.Tx, []echelon.Row) ([]*echelon.RowResult, error)
	size := chunkRows
	switch entity {
	case People:
		fn, size = s.org.ImportPeopleInTx, len(rs)
	case Contacts:
		fn = s.crm.ImportContactsInTx
	case Products:
		fn = s.crm.ImportProductsInTx
	case Opportunities:
		fn = s.crm.ImportOpportunitiesInTx
	case Activities:
		fn = s.crm.ImportActivitiesInTx
	case MarketSizes:
		fn, size = s.market.ImportSizesInTx, len(rs)
	}
	var out []*echelon.RowResult
	for start := 0; start < len(rs) || start == 0; start += size {
		end := min(start+max(size, 1), len(rs))
		res, err := fn(ctx, tx, rs[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
		progress(end)
		if end == len(rs) {
			break
		}
	}
	return out, nil
}

// finish audits a committed import, or rolls back a dry run or a failed one.
func (s *Service) finish(ctx context.Context, tx *db.Tx, rep *Report, failed bool) error {
	if rep.DryRun || failed {
		return db.ErrRollback
	}
	rep.Committed = true
	summary := map[string]any{"file": rep.File, "rows": rep.Rows, "created": rep.Created, "updated": rep.Updated, "skipped": rep.Skipped}
	if err := audit.RecordKey(ctx, tx, "import", string(rep.Entity), rep.File, nil, summary); err != nil {
		return fmt.Errorf("importer: audit: %w", err)
	}
	return nil
}
