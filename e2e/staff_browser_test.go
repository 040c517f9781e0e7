//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/chromedp/chromedp"

	"oawizard/assets"
	"oawizard/demostack"
	"oawizard/flow"
	"oawizard/flow/store"
)

// chromiumPath finds Debian's chromium; without it the test skips, unless
// OAWIZARD_REQUIRE_BROWSER says this machine must run it.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("OAWIZARD_REQUIRE_BROWSER") != "" {
		t.Fatal("OAWIZARD_REQUIRE_BROWSER is set but no chromium is installed (apt-get install chromium)")
	}
	t.Skip("no chromium: the staff console's browser test needs Debian's chromium")
	return ""
}

// catalogue is the wizard's translations, both languages, as the window
// renders them.
func catalogue(t *testing.T) flow.Catalogue {
	cat := flow.Catalogue{}
	for _, loc := range []string{"zh-Hans", "en"} {
		files, err := assets.TranslationFiles(loc)
		if err != nil {
			t.Fatal(err)
		}
		msgs := map[string]string{}
		for _, f := range files {
			b, err := fs.ReadFile(assets.Translations, f)
			if err != nil {
				t.Fatal(err)
			}
			var all map[string]any
			if err := json.Unmarshal(b, &all); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for k, v := range all {
				// Fyne's own files hold plural forms; the wizard's are
				// plain texts.
				if text, ok := v.(string); ok {
					msgs[k] = text
				}
			}
		}
		cat[loc] = func(key string, data map[string]any) string {
			tm, err := template.New("").Parse(msgs[key])
			if err != nil || msgs[key] == "" {
				t.Errorf("translation %s %q: %v", loc, key, err)
				return key
			}
			var b strings.Builder
			if err := tm.Execute(&b, data); err != nil {
				t.Errorf("translation %s %q: %v", loc, key, err)
			}
			return b.String()
		}
	}
	return cat
}

// browser starts a headless chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800),
		// The staff member's browser is set to Chinese.
		chromedp.Flag("accept-lang", "zh-CN,zh"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	return ctx
}

// shot saves a full-width screenshot as docs/screenshots-style staff-NAME.png
// into OAWIZARD_SHOTS, when set.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("OAWIZARD_SHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "staff-"+name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The test the console exists for: a member of staff, signed in through
// the demo's one-time link, types the support code the wizard shows and
// watches the customer's checks change as the customer scans, without
// reloading, at desktop and tablet widths and in both languages.
func TestStaffWatchesTheWizardLiveInABrowser(t *testing.T) {
	b := browser(t)
	ctx := context.Background()
	st, err := demostack.Start(ctx, "ok", demostack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	db, err := store.Open(filepath.Join(t.TempDir(), "wizard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := flow.NewConnClient(st.URL(), st.Token(), nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := flow.NewWizard(ctx, db, conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := st.Scenario()
	if err := w.SetAccounts(ctx, sc.OAAppID, []string{sc.MPAppID}); err != nil {
		t.Fatal(err)
	}
	pub := w.StartPublisher(ctx, catalogue(t), time.Hour, func(err error) { t.Errorf("publish: %v", err) })
	defer pub.Stop()
	if _, err := w.Check(ctx, false); err != nil {
		t.Fatal(err)
	}
	pub.Poke()
	for i := 0; i < 100 && pub.Code().Code == ""; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	code := pub.Code().Code
	if code == "" {
		t.Fatal("the wizard got no support code")
	}
	console, link, err := flow.StaffConsole(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	verified := chromedp.CSS(`li[data-check="oa_verified"]`)
	passed := chromedp.CSS(`li[data-check="oa_verified"].pass`)
	badgeOf := chromedp.Text(chromedp.CSS(`li[data-check="oa_verified"] .badge`))
	if err := chromedp.Do(b, chromedp.Navigate(console), chromedp.WaitVisible(chromedp.CSS(`#token`))); err != nil {
		t.Fatal(err)
	}
	shot(t, b, "signin-zh-1280")
	err = chromedp.Do(b,
		chromedp.Navigate(link),
		chromedp.Click(chromedp.CSS(`form[action="/staff/signin"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#code`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, b, "overview-zh-1280")
	err = chromedp.Do(b,
		chromedp.SendKeys(chromedp.CSS(`#code`), strings.ToLower(code)),
		chromedp.Submit(chromedp.CSS(`#code`)),
		chromedp.WaitVisible(verified),
	)
	if err != nil {
		t.Fatal(err)
	}
	// A mark only this page load carries: a reload would lose it.
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](`window.stillThisPage = true`)); err != nil {
		t.Fatal(err)
	}
	if badge, err := chromedp.Run(b, badgeOf); err != nil || badge != "未知" {
		t.Fatalf("before the scan the badge says %q (%v), want 未知", badge, err)
	}
	// The customer scans; the wizard checks again.
	var once sync.Once
	scanned := make(chan error, 1)
	if _, err := w.Authorize(ctx, flow.AuthorizeOptions{}, func(ev flow.AuthEvent) {
		if ev.State == flow.AuthWaiting && ev.Session.QRURL != "" {
			once.Do(func() { go func() { scanned <- st.ScanAndConfirm(ev.Session.QRURL) }() })
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := <-scanned; err != nil {
		t.Fatal(err)
	}
	if _, err := w.Check(ctx, true); err != nil {
		t.Fatal(err)
	}
	pub.Poke()
	if err := chromedp.Do(b, chromedp.WaitVisible(passed)); err != nil {
		t.Fatal(err)
	}
	badge, err := chromedp.Run(b, badgeOf)
	if err != nil {
		t.Fatal(err)
	}
	same, err := chromedp.Run(b, chromedp.Evaluate[bool](`window.stillThisPage === true`))
	if err != nil || badge != "通过" || !same {
		t.Fatalf("after the scan: badge %q, same page %v (%v)", badge, same, err)
	}
	shot(t, b, "view-zh-1280")
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`#lang`)), chromedp.WaitVisible(passed)); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, "Official Account verified") || !strings.Contains(text, "Pass") {
		t.Fatalf("English view: %s", text)
	}
	shot(t, b, "view-en-1280")
	for _, lang := range []string{"zh", "en"} {
		err := chromedp.Do(b, chromedp.EmulateViewport(768, 1024), chromedp.Click(chromedp.CSS(`#lang`)), chromedp.WaitVisible(passed))
		if err != nil {
			t.Fatal(err)
		}
		overflow, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow {
			t.Errorf("the %s view is wider than a tablet", lang)
		}
		shot(t, b, "view-"+lang+"-768")
	}
	// The overview now lists the account the customer authorized.
	if err := chromedp.Do(b, chromedp.Navigate(console), chromedp.WaitVisible(chromedp.CSS(`#code`))); err != nil {
		t.Fatal(err)
	}
	overview, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil || !strings.Contains(overview, sc.OAAppID) || !strings.Contains(overview, "authorized") {
		t.Fatalf("overview after the scan (%v): %s", err, overview)
	}
	shot(t, b, "overview-en-768")
}
