package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/importer"
	"github.com/echelonhq/echelon/internal/sheet"
)

// maxUpload bounds an uploaded import file.
const maxUpload = 64 << 20

// ioAPIRoutes are the import and export endpoints.
func (s *Server) ioAPIRoutes() []route {
	return []route{
		{"POST", "/api/v1/imports", s.apiImport, signedIn},
		{"GET", "/api/v1/imports/jobs/{id}", s.apiImportJob, signedIn},
		{"POST", "/api/v1/imports/maven", s.apiImportMaven, signedIn},
		{"GET", "/api/v1/exports/{entity}", s.apiExport, signedIn},
		{"POST", "/api/v1/exports/{entity}", s.apiStartExport, signedIn},
		{"GET", "/api/v1/exports/jobs/{id}", s.apiExportJob, signedIn},
		{"GET", "/api/v1/exports/jobs/{id}/file", s.serveExportFile, signedIn},
	}
}

// uploadedTable reads the multipart file field name as a sheet.
func uploadedTable(r *http.Request, field string) (*sheet.Table, string, error) {
	f, hdr, err := r.FormFile(field)
	if err != nil {
		return nil, "", badRequest{echelon.FieldError(field, "import.file_required")}
	}
	defer f.Close()
	t, err := sheet.Read(f, hdr.Filename)
	if err != nil {
		return nil, hdr.Filename, echelon.FieldError(field, "import.file_unreadable", hdr.Filename, err.Error())
	}
	return t, hdr.Filename, nil
}

// parseImportForm reads an import request: entity, file, optional mapping (JSON header → field) and dry_run.
func parseImportForm(w http.ResponseWriter, r *http.Request) (importer.Request, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	if err := r.ParseMultipartForm(maxUpload); err != nil {
		return importer.Request{}, badRequest{echelon.Errorf(echelon.EINVALID, "import.upload_invalid")}
	}
	req := importer.Request{Entity: importer.Entity(r.FormValue("entity")), DryRun: r.FormValue("dry_run") == "true"}
	if m := r.FormValue("mapping"); m != "" {
		if err := json.Unmarshal([]byte(m), &req.Mapping); err != nil {
			return req, badRequest{echelon.FieldError("mapping", "json.malformed")}
		}
	}
	var err error
	req.Table, req.File, err = uploadedTable(r, "file")
	return req, err
}

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) error {
	req, err := parseImportForm(w, r)
	if err != nil {
		return err
	}
	if r.FormValue("async") == "true" {
		job, err := s.importJobs.Start(r.Context(), req)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/imports/jobs/"+job.ID)
		writeJSON(w, http.StatusAccepted, s.localiseJob(r, job))
		return nil
	}
	rep, err := s.Importer.Import(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, reportStatus(rep.Committed, rep.DryRun), s.localiseReport(r, rep))
	return nil
}

// apiImportJob answers an import job's progress and, once it is done, its report.
func (s *Server) apiImportJob(w http.ResponseWriter, r *http.Request) error {
	job, err := s.importJobs.Find(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.localiseJob(r, job))
	return nil
}

// reportStatus is 200 for a committed import or a dry run, 422 when rows failed.
func reportStatus(committed, dryRun bool) int {
	if committed || dryRun {
		return http.StatusOK
	}
	return http.StatusUnprocessableEntity
}

func (s *Server) apiImportMaven(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	if err := r.ParseMultipartForm(maxUpload); err != nil {
		return badRequest{echelon.Errorf(echelon.EINVALID, "import.upload_invalid")}
	}
	files := map[string]*sheet.Table{}
	for _, name := range importer.MavenFiles() {
		field := strings.TrimSuffix(name, ".csv")
		t, _, err := uploadedTable(r, field)
		if err != nil {
			return err
		}
		files[name] = t
	}
	rep, err := s.Importer.ImportMaven(r.Context(), files, r.FormValue("dry_run") == "true")
	if err != nil {
		return err
	}
	for i, p := range rep.Parts {
		rep.Parts[i] = s.localiseReport(r, p)
	}
	writeJSON(w, reportStatus(rep.Committed, rep.DryRun), rep)
	return nil
}

// localiseJob puts the messages of an import job (a copy from Find or Start) in the caller's language.
func (s *Server) localiseJob(r *http.Request, job *importer.Job) *importer.Job {
	job.Error = s.localised(r, job.Error)
	if job.Report != nil {
		job.Report = s.localiseReport(r, job.Report)
	}
	return job
}

// localiseReport returns a copy of rep with the message of every row error
// and note in the caller's language; rep is left as it is, for a job's
// report may be read by several people at once.
func (s *Server) localiseReport(r *http.Request, rep *importer.Report) *importer.Report {
	out := *rep
	out.Notes = s.localisedAll(r, rep.Notes)
	out.Results = make([]*echelon.RowResult, len(rep.Results))
	for i, res := range rep.Results {
		c := *res
		c.Error, c.Notes = s.localised(r, res.Error), s.localisedAll(r, res.Notes)
		out.Results[i] = &c
	}
	return &out
}

// localised returns a copy of e with its message in the caller's language (nil stays nil).
func (s *Server) localised(r *http.Request, e *echelon.Error) *echelon.Error {
	if e == nil {
		return nil
	}
	c := *e
	c.Message = s.Catalog.T(langFrom(r.Context()), e.Key, e.Args...)
	return &c
}

// localisedAll is localised for each of es.
func (s *Server) localisedAll(r *http.Request, es []*echelon.Error) []*echelon.Error {
	var out []*echelon.Error
	for _, e := range es {
		out = append(out, s.localised(r, e))
	}
	return out
}

func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) error {
	x, err := s.newExport(r)
	if err != nil {
		return err
	}
	t, err := x.rows(r.Context(), func(int) {})
	if err != nil {
		return err
	}
	x.setHeaders(w)
	return x.write(w, t)
}

// apiStartExport starts an export job with the same format and filters as apiExport.
func (s *Server) apiStartExport(w http.ResponseWriter, r *http.Request) error {
	job, err := s.startExport(r)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/exports/jobs/"+job.ID)
	writeJSON(w, http.StatusAccepted, s.localiseExportJob(r, job))
	return nil
}

// apiExportJob answers an export job's progress: the rows written so far.
func (s *Server) apiExportJob(w http.ResponseWriter, r *http.Request) error {
	job, err := s.findExport(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.localiseExportJob(r, job))
	return nil
}

// localiseExportJob fills the message of a failed export job in the caller's language.
func (s *Server) localiseExportJob(r *http.Request, job *ExportJob) *ExportJob {
	job.Error = s.localised(r, job.Error)
	return job
}
