package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/task"
)

// exportKind is the kind of the tasks that write exports.
const exportKind = "export"

// An export job runs the same scoped service calls as the synchronous
// export, as the person who started it (the actor its context carries),
// and writes the file to a temporary file that lives as long as the task.

// ExportJob is an export running in the background as the API and the
// pages show it.
type ExportJob struct {
	task.Task
	Entity string `json:"entity"`
	Format string `json:"format"`
	Name   string `json:"name"` // of the file
	// Download is where to fetch the file once the job is done.
	Download string `json:"download,omitempty"`
}

// exportFile is the file a finished export job wrote; closing it (when
// the task is forgotten) removes it.
type exportFile struct{ path string }

func (f *exportFile) Close() error {
	if err := os.Remove(f.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("web: remove export file: %w", err)
	}
	return nil
}

// startExport checks the export the request asks for, then writes it in
// the background as the actor in the request's context.
func (s *Server) startExport(r *http.Request) (*ExportJob, error) {
	x, err := s.newExport(r)
	if err != nil {
		return nil, err
	}
	t, err := s.Tasks.Start(r.Context(), task.Spec{Kind: exportKind, Input: x}, x.run)
	if err != nil {
		return nil, err
	}
	return exportJobOf(t), nil
}

// run is the work of an export job: it reads the rows, telling how many so
// far (the total is not known), and writes them to a temporary file, the
// job's result.
func (x *export) run(ctx context.Context, progress func(done, total int)) (any, error) {
	t, err := x.rows(ctx, func(rows int) { progress(rows, 0) })
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp("", "echelon-export-*."+x.Format)
	if err != nil {
		return nil, fmt.Errorf("web: export file: %w", err)
	}
	out := &exportFile{path: f.Name()}
	err = x.write(f, t)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("web: write export: %w", err), out.Close())
	}
	return out, nil
}

// findExport returns an export job the actor started (an admin sees every one).
func (s *Server) findExport(ctx context.Context, id string) (*ExportJob, error) {
	t, err := s.Tasks.Find(ctx, exportKind, id)
	if err != nil {
		return nil, err
	}
	return exportJobOf(t), nil
}

func exportJobOf(t *task.Task) *ExportJob {
	x := t.Input.(*export)
	j := &ExportJob{Task: *t, Entity: x.Entity, Format: x.Format, Name: x.Name}
	if t.State == task.Done {
		j.Download = "/api/v1/exports/jobs/" + t.ID + "/file"
	}
	return j
}

// serveExportFile sends the file of a finished export job as an attachment.
func (s *Server) serveExportFile(w http.ResponseWriter, r *http.Request) error {
	j, err := s.findExport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	switch j.State {
	case task.Running:
		return echelon.Errorf(echelon.ECONFLICT, "export.job_running")
	case task.Failed:
		return echelon.Errorf(echelon.ECONFLICT, "export.job_failed")
	}
	f, err := os.Open(j.Result.(*exportFile).path)
	if errors.Is(err, fs.ErrNotExist) {
		return echelon.Errorf(echelon.ENOTFOUND, "task.not_found") // forgotten meanwhile
	}
	if err != nil {
		return fmt.Errorf("web: open export file: %w", err)
	}
	defer f.Close()
	j.Input.(*export).setHeaders(w)
	http.ServeContent(w, r, j.Name, *j.Finished, f)
	return nil
}
