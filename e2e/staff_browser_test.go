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
	"oawizard/flow/connclient"
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

// customer is a wizard on the demo, publishing for support.
type customer struct {
	st  *demostack.Stack
	w   *flow.Wizard
	pub *flow.Publisher
}

func startCustomer(t *testing.T) *customer {
	ctx := context.Background()
	st, err := demostack.Start(ctx, "ok", demostack.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := store.Open(filepath.Join(t.TempDir(), "wizard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := connclient.New(st.URL(), st.Token(), nil)
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
	pub := w.StartPublisher(ctx, catalogue(t), func(err error) { t.Errorf("publish: %v", err) })
	t.Cleanup(pub.Stop)
	c := &customer{st: st, w: w, pub: pub}
	c.check(t, false)
	return c
}

// check runs a round of checks, as the window's 检查 button does, and
// has it published.
func (c *customer) check(t *testing.T, refresh bool) {
	if _, err := c.w.Check(context.Background(), refresh); err != nil {
		t.Fatal(err)
	}
	c.pub.Poke()
}

// code waits for the support code the Help menu would show.
func (c *customer) code(t *testing.T) string {
	for i := 0; i < 100 && c.pub.Code().Code == ""; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	if c.pub.Code().Code == "" {
		t.Fatal("the wizard got no support code")
	}
	return c.pub.Code().Code
}

// scan is the customer scanning the QR code with the simulated phone.
func (c *customer) scan(t *testing.T) {
	var once sync.Once
	scanned := make(chan error, 1)
	if _, err := c.w.Authorize(context.Background(), flow.AuthorizeOptions{}, func(ev flow.AuthEvent) {
		if ev.State == flow.AuthWaiting && ev.Session.QRURL != "" {
			once.Do(func() { go func() { scanned <- c.st.ScanAndConfirm(ev.Session.QRURL) }() })
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := <-scanned; err != nil {
		t.Fatal(err)
	}
}

var (
	verified = chromedp.CSS(`li[data-check="oa_verified"]`)
	passed   = chromedp.CSS(`li[data-check="oa_verified"].pass`)
	badgeOf  = chromedp.Text(chromedp.CSS(`li[data-check="oa_verified"] .badge`))
)

// do runs browser steps or fails the test.
func do(t *testing.T, b context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
}

// run runs one browser step that answers, or fails the test.
func run[T any](t *testing.T, b context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b, a)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The test the console exists for: a member of staff, signed in through
// the demo's one-time link, types the support code the wizard shows and
// watches the customer's checks change as the customer scans, without
// reloading, at desktop and tablet widths and in both languages.
func TestStaffWatchesTheWizardLiveInABrowser(t *testing.T) {
	b := browser(t)
	c := startCustomer(t)
	code := c.code(t)
	console, link, err := flow.StaffConsole(context.Background(), c.st)
	if err != nil {
		t.Fatal(err)
	}
	do(t, b, chromedp.Navigate(console), chromedp.WaitVisible(chromedp.CSS(`#token`)))
	shot(t, b, "signin-zh-1280")
	do(t, b, chromedp.Navigate(link), chromedp.Click(chromedp.CSS(`form[action="/staff/signin"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#code`)))
	shot(t, b, "overview-zh-1280")
	do(t, b, chromedp.SendKeys(chromedp.CSS(`#code`), strings.ToLower(code)), chromedp.Submit(chromedp.CSS(`#code`)),
		chromedp.WaitVisible(verified))
	// A mark only this page load carries: a reload would lose it.
	run(t, b, chromedp.Evaluate[bool](`window.stillThisPage = true`))
	if badge := run(t, b, badgeOf); badge != "未知" {
		t.Fatalf("before the scan the badge says %q, want 未知", badge)
	}
	c.scan(t)
	c.check(t, true)
	do(t, b, chromedp.WaitVisible(passed))
	if badge, same := run(t, b, badgeOf), run(t, b, chromedp.Evaluate[bool](`window.stillThisPage === true`)); badge != "通过" || !same {
		t.Fatalf("after the scan: badge %q, same page %v", badge, same)
	}
	shot(t, b, "view-zh-1280")
	do(t, b, chromedp.Click(chromedp.CSS(`#lang`)), chromedp.WaitVisible(passed))
	if text := run(t, b, chromedp.Text(chromedp.CSS(`main`))); !strings.Contains(text, "Official Account verified") || !strings.Contains(text, "Pass") {
		t.Fatalf("English view: %s", text)
	}
	shot(t, b, "view-en-1280")
	for _, lang := range []string{"zh", "en"} {
		do(t, b, chromedp.EmulateViewport(768, 1024), chromedp.Click(chromedp.CSS(`#lang`)), chromedp.WaitVisible(passed))
		if run(t, b, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)) {
			t.Errorf("the %s view is wider than a tablet", lang)
		}
		shot(t, b, "view-"+lang+"-768")
	}
	// The overview now lists the account the customer authorized.
	do(t, b, chromedp.Navigate(console), chromedp.WaitVisible(chromedp.CSS(`#code`)))
	if overview := run(t, b, chromedp.Text(chromedp.CSS(`main`))); !strings.Contains(overview, c.st.Scenario().OAAppID) || !strings.Contains(overview, "authorized") {
		t.Fatalf("overview after the scan: %s", overview)
	}
	shot(t, b, "overview-en-768")
}
