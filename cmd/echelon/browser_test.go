package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/echelonhq/echelon"
	"github.com/echelonhq/echelon/internal/db/dbtest"
	"github.com/echelonhq/echelon/internal/i18n"
)

// browser drives Debian's chromium against a running Main for journey tests.
type browser struct {
	t   *testing.T
	ctx context.Context
	url string
}

// newBrowser starts headless chromium, or skips the test when it is not installed.
func newBrowser(t *testing.T, baseURL string) *browser {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium is not installed (apt-get install chromium fonts-wqy-microhei): browser journeys skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900), chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{t: t, ctx: ctx, url: baseURL}
}

// do runs actions with a time limit, failing the test with step on error.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.shot("failed-" + step)
		b.t.Fatalf("%s: %v", step, err)
	}
}

// open navigates to a path of the server.
func (b *browser) open(path string) { b.t.Helper(); b.do("open "+path, chromedp.Navigate(b.url+path)) }

// fill types into the field with the given id.
func (b *browser) fill(id, text string) {
	b.t.Helper()
	b.do("fill "+id, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ""`, id)),
		chromedp.SendKeys(chromedp.CSS("#"+id), text))
}

// choose selects the first option of a select whose value is text or whose label contains it.
func (b *browser) choose(id, text string) {
	b.t.Helper()
	js := fmt.Sprintf(`(() => { const s = document.getElementById(%[1]q);
		const o = s && [...s.options].find(o => o.value === %[2]q || o.textContent.includes(%[2]q));
		if (!o) return false; s.value = o.value; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, id, text)
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		b.shot("failed-choose-" + id)
		b.t.Fatalf("choose %q in #%s: no such option (%v)", text, id, err)
	}
}

// submit clicks a submit button and waits until the next page has loaded
// and the JavaScript condition ready holds on it.
func (b *browser) submit(button, ready string) {
	b.t.Helper()
	b.do("submit "+button, chromedp.Evaluate[chromedp.Void](`window.__journeyMark = 1`), chromedp.Click(chromedp.CSS(button)))
	b.wait(`window.__journeyMark === undefined && document.readyState === "complete" && (` + ready + `)`)
}

// wait polls a JavaScript condition until it holds. Evaluation errors while
// the page navigates away are expected and retried.
func (b *browser) wait(cond string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.shot("failed-wait")
	b.t.Fatalf("waiting for %s (page: %s)", cond, b.text())
}

// eval runs JavaScript on the page.
func (b *browser) eval(js string) {
	b.t.Helper()
	b.do("eval", chromedp.Evaluate[chromedp.Void](js))
}

// text returns the visible text of the page.
func (b *browser) text() string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return s
}

// has fails the test unless the page shows every one of the texts.
func (b *browser) has(step string, texts ...string) {
	b.t.Helper()
	page := b.text()
	for _, s := range texts {
		if !bytes.Contains([]byte(page), []byte(s)) {
			b.shot("failed-" + step)
			b.t.Fatalf("%s: the page does not show %q:\n%s", step, s, page)
		}
	}
}

// viewport sets the window size (a phone is 390×844).
func (b *browser) viewport(w, h int64, mobile bool) {
	b.t.Helper()
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulatePortrait)
	}
	b.do("viewport "+strconv.FormatInt(w, 10), chromedp.EmulateViewport(w, h, opts...))
}

// shot saves a full-page screenshot as a test artifact: ECHELON_ARTIFACTS or
// the project's artifacts/ folder.
func (b *browser) shot(name string) string {
	dir := os.Getenv("ECHELON_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	b.t.Logf("screenshot: %s", path)
	return path
}

// journey is a browser journey: the program serving a fresh SQLite
// database, headless chromium on it, and the catalogue to read its pages by.
type journey struct {
	*browser
	m   *Main
	cat *i18n.Catalog
	sys context.Context // the system acting, to set up records
}

// startJourney starts the program and the browser; the server's log is
// printed when the test fails (it tells what a 500 was).
func startJourney(t *testing.T) *journey {
	t.Helper()
	var logs bytes.Buffer
	m := startMain(t, Config{Addr: "127.0.0.1:0", DB: dbtest.SQLiteDSN(t), AdminEmail: "admin@example.com", AdminPassword: "admin-secret-1"}, &logs)
	b := newBrowser(t, m.URL())
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(logs.String())
		}
	})
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return &journey{browser: b, m: m, cat: cat, sys: echelon.NewContext(context.Background(), echelon.SystemActor("journey"))}
}

// zh and en are a message of the catalogue in Chinese and in English.
func (j *journey) zh(key string, args ...any) string { return j.cat.T(i18n.Chinese, key, args...) }
func (j *journey) en(key string, args ...any) string { return j.cat.T(i18n.English, key, args...) }

// signIn signs in on the login page and waits for the home page.
func (j *journey) signIn(email, password string) {
	j.t.Helper()
	j.open("/login")
	j.fill("email", email)
	j.fill("password", password)
	j.submit(`form[action="/login"] button[type=submit]`, `location.pathname === "/"`)
}

// signOut signs out and waits for the login page.
func (j *journey) signOut() {
	j.t.Helper()
	j.submit(`form[action="/logout"] button`, `location.pathname === "/login"`)
}
