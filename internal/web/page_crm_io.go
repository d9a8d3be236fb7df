package web

import (
	"net/http"
	"sort"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/sheet"
	"github.com/echelonhq/echelon/internal/task"
)

// maxReportRows bounds the failed or noted rows an import page lists.
const maxReportRows = 200

type importData struct {
	Form        *form
	MavenForm   *form
	Entities    []string
	CanMaven    bool
	MavenFields []string
	Report      *importView   // the result of one file
	Reports     []*importView // every part shown: the one file, or the data set's parts
	Maven       bool          // Reports are the Maven data set's
	DryRun      bool          // of the data set
	Committed   bool
}

// importView is an import report as the page shows it.
type importView struct {
	*importer.Report
	Mapping []mappedColumn
	Lines   []*echelon.RowResult // failed or noted rows, the first maxReportRows
	More    int                  // such rows left out
}

// mappedColumn is one column of the file and the field it went to.
type mappedColumn struct{ Header, Field string }

// Sum is created + updated + skipped + failed, which equals the rows of the file.
func (v *importView) Sum() int { return v.Created + v.Updated + v.Skipped + v.Failed }

// rowMessages reports whether the row has any message to show.
func rowMessages(res *echelon.RowResult) bool { return res.Error != nil || len(res.Notes) > 0 }

func newImportView(rep *importer.Report, header []string) *importView {
	v := &importView{Report: rep}
	if header == nil {
		for h := range rep.Mapping {
			header = append(header, h)
		}
		sort.Strings(header)
	}
	for _, h := range header {
		if f := rep.Mapping[h]; f != "" {
			v.Mapping = append(v.Mapping, mappedColumn{Header: h, Field: f})
		}
	}
	// Failed rows first: they are what stops the import.
	for _, failed := range []bool{true, false} {
		for _, res := range rep.Results {
			if !rowMessages(res) || (res.Error != nil) != failed {
				continue
			}
			if len(v.Lines) < maxReportRows {
				v.Lines = append(v.Lines, res)
			} else {
				v.More++
			}
		}
	}
	return v
}

// importEntities are what the viewer may import, in the order a full load needs them.
func importEntities(a *echelon.Actor) []string {
	var out []string
	for _, e := range importer.Entities() {
		switch e {
		case importer.People:
			if !a.IsAdmin() && !a.Role.IsManager() {
				continue
			}
		case importer.Products:
			if !a.IsAdmin() {
				continue
			}
		}
		out = append(out, string(e))
	}
	return out
}

func (s *Server) importChoices(r *http.Request) (*importData, error) {
	if err := requireCRM(r); err != nil {
		return nil, err
	}
	a := echelon.ActorFrom(r.Context())
	d := &importData{Form: newForm(), MavenForm: newForm(), Entities: importEntities(a), CanMaven: a.IsAdmin()}
	for _, name := range importer.MavenFiles() {
		d.MavenFields = append(d.MavenFields, strings.TrimSuffix(name, ".csv"))
	}
	return d, nil
}

func (s *Server) importPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.importChoices(r)
	if err != nil {
		return err
	}
	d.Form.set("entity", string(importer.Accounts))
	d.Form.set("dry_run", true)
	d.MavenForm.set("dry_run", true)
	s.render(w, r, http.StatusOK, "crm_import", "crm.import.title", d)
	return nil
}

// uploadForm reads a multipart upload into a form that has the file
// fields, so that an error about a file is shown beside it.
func uploadForm(w http.ResponseWriter, r *http.Request, files ...string) (*form, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	f := newForm()
	for _, name := range files {
		f.Values.Set(name, "")
	}
	if err := r.ParseMultipartForm(maxUpload); err != nil {
		return f, echelon.Errorf(echelon.EINVALID, "import.upload_invalid")
	}
	f.set("dry_run", r.FormValue("dry_run") == "true")
	f.Values.Set("entity", r.FormValue("entity"))
	return f, nil
}

func (s *Server) importFile(w http.ResponseWriter, r *http.Request) error {
	d, err := s.importChoices(r)
	if err != nil {
		return err
	}
	f, err := uploadForm(w, r, "file")
	d.Form = f
	var rep *importer.Report
	var t *sheet.Table
	if err == nil {
		var name string
		if t, name, err = uploadedTable(r, "file"); err == nil {
			req := importer.Request{Entity: importer.Entity(f.Val("entity")), File: name, Table: t, DryRun: f.Checked("dry_run")}
			if len(t.Rows) >= backgroundRows {
				var job *importer.Job
				if job, err = s.importJobs.Start(r.Context(), req); err == nil {
					seeOther(w, r, "/import/jobs/"+job.ID, "")
					return nil
				}
			} else {
				rep, err = s.Importer.Import(r.Context(), req)
			}
		}
	}
	if err != nil {
		return s.redisplay(r, f, err, s.again(w, r, "crm_import", "crm.import.title", d))
	}
	d.Report = newImportView(s.localiseReport(r, rep), t.Header)
	d.Reports = []*importView{d.Report}
	d.MavenForm.set("dry_run", true)
	s.render(w, r, reportStatus(rep.Committed, rep.DryRun), "crm_import", "crm.import.title", d)
	return nil
}

// importMaven loads the four files of the Maven sample data set in one
// step (administrators only: it creates people and products).
func (s *Server) importMaven(w http.ResponseWriter, r *http.Request) error {
	d, err := s.importChoices(r)
	if err != nil {
		return err
	}
	if !d.CanMaven {
		return echelon.Errorf(echelon.EFORBIDDEN, "perm.forbidden")
	}
	f, err := uploadForm(w, r, d.MavenFields...)
	d.MavenForm = f
	d.Form.set("entity", string(importer.Accounts))
	d.Form.set("dry_run", true)
	var rep *importer.DatasetReport
	if err == nil {
		files := map[string]*sheet.Table{}
		for _, name := range importer.MavenFiles() {
			t, _, terr := uploadedTable(r, strings.TrimSuffix(name, ".csv"))
			if terr != nil {
				err = terr
				break
			}
			files[name] = t
		}
		if err == nil {
			rep, err = s.Importer.ImportMaven(r.Context(), files, f.Checked("dry_run"))
		}
	}
	if err != nil {
		return s.redisplay(r, f, err, s.again(w, r, "crm_import", "crm.import.title", d))
	}
	for _, p := range rep.Parts {
		d.Reports = append(d.Reports, newImportView(s.localiseReport(r, p), nil))
	}
	d.Maven, d.DryRun, d.Committed = true, rep.DryRun, rep.Committed
	s.render(w, r, reportStatus(rep.Committed, rep.DryRun), "crm_import", "crm.import.title", d)
	return nil
}

// backgroundRows is the size from which a file is imported as a background
// job, with a page that shows its progress, rather than within the request.
const backgroundRows = 2000

// importJobData is the page of an import running in the background.
type importJobData struct {
	Job     *importer.Job
	Percent int
}

// RefreshSeconds reloads the page every second while the job runs.
func (d *importJobData) RefreshSeconds() int { return 1 }

// importJobPage shows a background import: its progress while it runs,
// then its report like a direct import.
func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.importChoices(r)
	if err != nil {
		return err
	}
	job, err := s.importJobs.Find(r.Context(), r.PathValue("job"))
	if err != nil {
		return err
	}
	switch {
	case job.State == task.Running:
		jd := &importJobData{Job: job}
		if job.Total > 0 {
			jd.Percent = job.Done * 100 / job.Total
		}
		s.render(w, r, http.StatusOK, "crm_import_job", "crm.import.job_title", jd)
		return nil
	case job.Error != nil:
		return job.Error
	}
	d.Report = newImportView(s.localiseReport(r, job.Report), nil)
	d.Reports = []*importView{d.Report}
	d.Form.set("entity", string(job.Entity))
	d.Form.set("dry_run", true)
	d.MavenForm.set("dry_run", true)
	s.render(w, r, reportStatus(job.Report.Committed, job.Report.DryRun), "crm_import", "crm.import.title", d)
	return nil
}
