package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/echelonhq/echelon/internal/demo"
)

// TestJourney_TheFirstRunExploresTheDemoCompany is the first run: the
// administrator of an empty installation is offered the demo company,
// loads it, and signs in as its senior manager to a living dashboard.
func TestJourney_TheFirstRunExploresTheDemoCompany(t *testing.T) {
	j := startJourney(t)
	b := j.browser
	j.signIn("admin@example.com", "admin-secret-1")
	// The first admin has chosen no language: the pages follow the browser's, English.
	b.has("first-run offer", j.en("demo.offer.title"), j.en("demo.offer.explore"), j.en("demo.offer.empty"))
	b.shot("journey-first-run-offer-admin-en")
	b.submit(`form[action="/demo"] button`, `location.pathname.startsWith("/demo/jobs/")`)
	done := j.en("demo.home")
	for deadline := time.Now().Add(3 * time.Minute); !strings.Contains(b.text(), done); time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			b.shot("failed-demo-load")
			t.Fatalf("the demo company did not load in 3 minutes: %s", b.text())
		}
	}
	b.has("sign-in hints", demo.Password, "@"+demo.EmailDomain)
	b.shot("journey-first-run-loaded-admin-en")
	senior, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("main tbody code").textContent`))
	if err != nil || !strings.HasSuffix(senior, "@"+demo.EmailDomain) {
		t.Fatalf("the senior manager's e-mail: %q %v", senior, err)
	}
	j.signOut()
	j.signIn(senior, demo.Password)
	b.has("the senior manager's dashboard, in their language", j.zh("dash.title"), demo.CompanyName)
	b.shot("journey-first-run-senior-home-zh")
	// The offer is gone once the installation holds people.
	j.signOut()
	j.signIn("admin@example.com", "admin-secret-1")
	if strings.Contains(b.text(), j.en("demo.offer.title")) {
		t.Error("the demo is still offered after loading it")
	}
}
