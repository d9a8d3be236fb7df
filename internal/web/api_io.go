package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

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
		{"POST", "/api/v1/imports/maven", s.apiImportMaven, signedIn},
		{"GET", "/api/v1/exports/{entity}", s.apiExport, signedIn},
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
	rep, err := s.Importer.Import(r.Context(), req)
	if err != nil {
		return err
	}
	writeJSON(w, reportStatus(rep.Committed, rep.DryRun), s.localiseReport(r, rep))
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
	for _, p := range rep.Parts {
		s.localiseReport(r, p)
	}
	writeJSON(w, reportStatus(rep.Committed, rep.DryRun), rep)
	return nil
}

// localiseReport fills the message of every row error and note in the caller's language.
func (s *Server) localiseReport(r *http.Request, rep *importer.Report) *importer.Report {
	lang := langFrom(r.Context())
	msg := func(e *echelon.Error) {
		if e != nil {
			e.Message = s.Catalog.T(lang, e.Key, e.Args...)
		}
	}
	for _, n := range rep.Notes {
		msg(n)
	}
	for _, res := range rep.Results {
		msg(res.Error)
		for _, n := range res.Notes {
			msg(n)
		}
	}
	return rep
}

func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "xlsx" {
		return badRequest{echelon.FieldError("format", "export.format_invalid")}
	}
	t, err := s.exportTable(r, r.PathValue("entity"))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-%s.%s", r.PathValue("entity"), time.Now().In(echelon.CompanyZone()).Format("20060102-1504"), format)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "xlsx" {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		return sheet.WriteXLSX(w, r.PathValue("entity"), t.Header, t.Rows)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	return sheet.WriteCSV(w, t.Header, t.Rows)
}
