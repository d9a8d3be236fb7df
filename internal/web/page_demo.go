package web

import (
	"context"
	"net/http"

	"github.com/echelonhq/echelon/internal/demo"
	"github.com/echelonhq/echelon/internal/task"
)

// demoKind names first-run demo loads among the tasks.
const demoKind = "demo"

// demoRoutes are the first run's demo company: offered on an empty
// installation's home page, loaded as a task with its progress.
func (s *Server) demoRoutes() []route {
	return []route{
		{"POST", "/demo", s.startDemoPage, signedIn},
		{"GET", "/demo/jobs/{id}", s.demoJobPage, signedIn},
		{"POST", "/api/v1/demo", s.apiStartDemo, signedIn},
		{"GET", "/api/v1/demo/jobs/{id}", s.apiDemoJob, signedIn},
	}
}

// DemoJob is a demo load as a person sees it: its progress in phases,
// then the e-mails to sign in with.
type DemoJob struct {
	ID       string       `json:"id"`
	State    task.State   `json:"state"`
	Done     int          `json:"done"`
	Total    int          `json:"total"`
	Result   *demo.Result `json:"result,omitempty"`
	Password string       `json:"password,omitempty"` // every demo person's, once loaded
}

func demoJobOf(t *task.Task) *DemoJob {
	j := &DemoJob{ID: t.ID, State: t.State, Done: t.Done, Total: t.Total}
	if r, ok := t.Result.(*demo.Result); ok {
		j.Result, j.Password = r, demo.Password
	}
	return j
}

// startDemo loads the demo company in the background as the caller.
func (s *Server) startDemo(r *http.Request) (*DemoJob, error) {
	if err := s.Demo.Check(r.Context()); err != nil {
		return nil, err // refused at once: not an administrator, or no longer empty
	}
	t, err := s.Tasks.Start(r.Context(), task.Spec{Kind: demoKind}, func(ctx context.Context, progress func(done, total int)) (any, error) {
		return s.Demo.Load(ctx, progress)
	})
	if err != nil {
		return nil, err
	}
	return demoJobOf(t), nil
}

func (s *Server) startDemoPage(w http.ResponseWriter, r *http.Request) error {
	j, err := s.startDemo(r)
	if err != nil {
		return err
	}
	seeOther(w, r, "/demo/jobs/"+j.ID, "")
	return nil
}

func (s *Server) apiStartDemo(w http.ResponseWriter, r *http.Request) error {
	j, err := s.startDemo(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

// findDemo reads a demo load its starter (or an administrator) may see.
func (s *Server) findDemo(r *http.Request) (*DemoJob, error) {
	t, err := s.Tasks.Find(r.Context(), demoKind, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if t.Error != nil {
		return nil, t.Error
	}
	return demoJobOf(t), nil
}

func (s *Server) apiDemoJob(w http.ResponseWriter, r *http.Request) error {
	j, err := s.findDemo(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

// demoJobData is the page of a demo load.
type demoJobData struct{ Job *DemoJob }

// RefreshSeconds reloads the page every second while the load runs.
func (d *demoJobData) RefreshSeconds() int {
	if d.Job.State == task.Running {
		return 1
	}
	return 0
}

// demoJobPage shows a demo load: the phases done, then who to sign in as.
func (s *Server) demoJobPage(w http.ResponseWriter, r *http.Request) error {
	j, err := s.findDemo(r)
	if err != nil {
		return err
	}
	title := "demo.job_title"
	if j.Result != nil {
		title = "demo.loaded_title"
	}
	s.render(w, r, http.StatusOK, "demo_job", title, &demoJobData{Job: j})
	return nil
}
