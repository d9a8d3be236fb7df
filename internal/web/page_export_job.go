package web

import (
	"net/http"

	"github.com/echelonhq/echelon/internal/task"
)

// exportPageRoutes are the pages of export jobs, which the export buttons
// of the lists start.
func (s *Server) exportPageRoutes() []route {
	return []route{
		{"POST", "/export/{entity}", s.startExportPage, signedIn},
		{"GET", "/export/jobs/{id}", s.exportJobPage, signedIn},
	}
}

// startExportPage starts an export job with the format and filters in the
// query and goes to its page.
func (s *Server) startExportPage(w http.ResponseWriter, r *http.Request) error {
	job, err := s.startExport(r)
	if err != nil {
		return err
	}
	seeOther(w, r, "/export/jobs/"+job.ID, "")
	return nil
}

// exportJobData is the page of an export job.
type exportJobData struct{ Job *ExportJob }

// RefreshSeconds reloads the page every second while the job runs.
func (d *exportJobData) RefreshSeconds() int {
	if d.Job.State == task.Running {
		return 1
	}
	return 0
}

// exportJobPage shows an export job: the rows written while it runs, then
// the download.
func (s *Server) exportJobPage(w http.ResponseWriter, r *http.Request) error {
	job, err := s.findExport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if job.Error != nil {
		return job.Error
	}
	title := "crm.export.job_title"
	if job.State == task.Done {
		title = "crm.export.ready_title"
	}
	s.render(w, r, http.StatusOK, "crm_export_job", title, &exportJobData{Job: job})
	return nil
}
