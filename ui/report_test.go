package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"golang.org/x/net/html"

	"oawizard/flow"
	"oawizard/flow/syncer"
)

// The report is exported as the menu's 导出报告 does it, from a demo run
// against the simulated WeChat, in each language; the tests read the HTML
// as a browser would parse it.

// parsedReport is an exported report as a browser reads it.
type parsedReport struct {
	raw   string
	title string
	lang  string
	style string
	// byClass holds the text of each element with a class.
	byClass map[string][]string
	// text is all the page's visible text.
	text string
}

func parseReport(t *testing.T, b []byte) parsedReport {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	p := parsedReport{raw: string(b), byClass: map[string][]string{}}
	var all strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "title":
				p.title = textOf(n)
			case "style":
				p.style += textOf(n)
				return
			case "html":
				p.lang = attr(n, "lang")
			}
			for _, c := range strings.Fields(attr(n, "class")) {
				p.byClass[c] = append(p.byClass[c], textOf(n))
			}
		}
		if n.Type == html.TextNode && (n.Parent == nil || n.Parent.Data != "title") {
			all.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	p.text = all.String()
	return p
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// exportNow writes the report as the menu item does once a file is chosen.
func exportNow(t *testing.T, a *App) parsedReport {
	t.Helper()
	wiz, src := onUI(func() *flow.Wizard { return a.wiz }), onUI(a.reportSource)
	var b bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := wiz.ExportReport(ctx, &b, src, Tf); err != nil {
		t.Fatal(err)
	}
	// Kept beside the screenshots to look at in a browser and in print.
	if dir := os.Getenv("OAWIZARD_SHOTS"); dir != "" {
		name := strings.ReplaceAll(t.Name(), "/", "-") + ".html"
		if err := os.WriteFile(filepath.Join(dir, name), b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return parseReport(t, b.Bytes())
}

// scanDemo authorizes the Official Account with the simulated phone, as
// the 模拟手机扫码 button does, and returns how the authorization ended.
func scanDemo(t *testing.T, a *App) error {
	t.Helper()
	wiz := onUI(func() *flow.Wizard { return a.wiz })
	return scanWith(t, a, func(ctx context.Context, o flow.AuthorizeOptions, emit func(flow.AuthEvent)) error {
		_, err := wiz.Authorize(ctx, o, emit)
		return err
	})
}

// scanWith runs an authorization loop with the simulated phone scanning.
func scanWith(t *testing.T, a *App, authorize func(context.Context, flow.AuthorizeOptions, func(flow.AuthEvent)) error) error {
	t.Helper()
	demo := onUI(func() flow.DemoStack { return a.demo })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var once sync.Once
	var phone sync.WaitGroup
	err := authorize(ctx, flow.AuthorizeOptions{}, func(ev flow.AuthEvent) {
		if ev.State == flow.AuthWaiting && ev.Session.QRURL != "" {
			once.Do(func() {
				phone.Add(1)
				go func() { defer phone.Done(); demo.ScanAndConfirm(ev.Session.QRURL) }()
			})
		}
	})
	phone.Wait()
	return err
}

// importDemoExport runs step 2 on the scenario's sample analytics export.
func importDemoExport(t *testing.T, a *App) {
	t.Helper()
	wiz, demo := onUI(func() *flow.Wizard { return a.wiz }), onUI(func() flow.DemoStack { return a.demo })
	var buf bytes.Buffer
	if err := demo.WriteSDKExport(&buf); err != nil {
		t.Fatal(err)
	}
	if _, err := wiz.ImportExport(context.Background(), &buf, "demo-export.csv", int64(buf.Len()), flow.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
}

// commonToEveryReport: the catalogue's words in the chosen language, the
// demo mark in the title, a banner, the strip printed on every page and
// the printed page's header and footer, the version, and no raw key.
func commonToEveryReport(t *testing.T, r parsedReport, scenarioTitle string) {
	t.Helper()
	if r.lang != T("report.html_lang") || !strings.Contains(r.title, T("report.title_demo")) {
		t.Errorf("lang %q, title %q", r.lang, r.title)
	}
	banner := Tf("report.demo.banner", map[string]any{"Scenario": scenarioTitle})
	if len(r.byClass["demo-banner"]) == 0 || r.byClass["demo-banner"][0] != banner {
		t.Errorf("the demo banner reads %q, want %q", r.byClass["demo-banner"], banner)
	}
	mark := T("report.demo.mark")
	if len(r.byClass["demo-strip"]) != 1 || r.byClass["demo-strip"][0] != mark || !strings.Contains(r.style, ".demo-strip{position:fixed") {
		t.Errorf("no strip repeated on every printed page: %q", r.byClass["demo-strip"])
	}
	for _, box := range []string{"@top-center", "@bottom-center"} {
		if !strings.Contains(r.style, box+`{content:"`+mark+`"}`) {
			t.Errorf("the printed page's %s does not say %q: %s", box, mark, r.style)
		}
	}
	if v := Tf("report.version", map[string]any{"Version": "v9.9.9-test"}); len(r.byClass["version"]) != 1 || r.byClass["version"][0] != v {
		t.Errorf("version %q, want %q", r.byClass["version"], v)
	}
	for _, key := range []string{"report.", "result.", "check.", "status.", "evidence."} {
		if strings.Contains(r.text, key) {
			t.Errorf("the report shows a raw key %q…", key)
		}
	}
}

// overallOf is the overall verdict's chip word and sentence.
func overallOf(r parsedReport) (word string, ok bool) {
	for _, o := range []flow.Overall{flow.OverallFail, flow.OverallIncomplete, flow.OverallUnknown, flow.OverallWarning, flow.OverallPass} {
		for _, w := range r.byClass[string(o)] {
			if w == T("report.overall."+string(o)+".word") {
				return string(o), strings.Contains(r.text, T("report.overall."+string(o)))
			}
		}
	}
	return "", false
}

func openDemoVersioned(t *testing.T, l, scenario string) *App {
	t.Helper()
	fa, db := testApp(t, l)
	a := onUI(func() *App {
		return New(fa, Options{Home: flow.NewHome(db, nil, walkClock{}), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: scenario, Version: "v9.9.9-test"})
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	waitFor(t, "the demo to start", func() bool { return a.current != nil })
	return a
}

// A whole demo walk, both accounts authorized and the SDK export checked:
// the report says demo everywhere, carries the version, says the sync is
// complete with every follower, and that every check passed.
func TestReportOfADemoWalk(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) {
			a := openDemoVersioned(t, l, "ok")
			importDemoExport(t, a)
			if err := scanDemo(t, a); err != nil {
				t.Fatal(err)
			}
			wiz := onUI(func() *flow.Wizard { return a.wiz })
			if err := scanWith(t, a, func(ctx context.Context, o flow.AuthorizeOptions, emit func(flow.AuthEvent)) error {
				_, err := wiz.AuthorizeMiniProgram(ctx, o, emit)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := wiz.Check(context.Background(), true); err != nil {
				t.Fatal(err)
			}
			res, err := wiz.Sync(context.Background(), flow.SyncOptions{GrowthDays: -1})
			if err != nil {
				t.Fatal(err)
			}
			r := exportNow(t, a)
			commonToEveryReport(t, r, onUI(a.reportSource).Scenario)
			all := res.Progress.Stored
			complete := Tf("report.sync.complete", map[string]any{"Stored": groupDigits(all)})
			if all == 0 || !strings.Contains(r.text, complete) || strings.Contains(r.text, T("report.sync.no_verdict")) {
				t.Errorf("the sync of %d followers reads %q", all, r.byClass["sync"])
			}
			// Every check passes in this scenario, on complete data.
			if got, said := overallOf(r); got != string(flow.OverallPass) || !said {
				t.Errorf("overall %q (sentence shown: %v), want all passed", got, said)
			}
		})
	}
}

// A sync the day's quota stopped: the report says how many followers were
// synced, that the sync is incomplete, why and when it continues, and
// gives no verdict from the data, never a pass.
func TestReportOfAnIncompleteSync(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) {
			a := openDemoVersioned(t, l, "quota-exceeded")
			if err := scanDemo(t, a); err != nil {
				t.Fatal(err)
			}
			wiz := onUI(func() *flow.Wizard { return a.wiz })
			if _, err := wiz.Sync(context.Background(), flow.SyncOptions{GrowthDays: -1}); err == nil {
				t.Fatal("the quota scenario's sync reached the end")
			}
			// When the quota renews, as the sync page says it from the store.
			sv, err := wiz.SyncView(context.Background())
			if sv.Ended != syncer.EndQuota || sv.ResumeAt.IsZero() || err != nil {
				t.Fatalf("the quota scenario's sync ended as %v (resumes %v), %v", sv.Ended, sv.ResumeAt, err)
			}
			r := exportNow(t, a)
			commonToEveryReport(t, r, onUI(a.reportSource).Scenario)
			rep, err := wiz.Report(context.Background(), nil)
			if err != nil {
				t.Fatal(err)
			}
			stored := rep.Sync.Followers
			sync := strings.Join(r.byClass["sync"], "\n")
			// The report knows the account's total, as the sync page does.
			if sv.Total <= stored {
				t.Fatalf("the sync page knows no total beyond %d: %+v", stored, sv)
			}
			partial := Tf("report.sync.partial_of", map[string]any{"Stored": groupDigits(stored), "Total": groupDigits(sv.Total)})
			why := Tf("report.stop.quota", map[string]any{"When": sv.ResumeAt.Local().Format("2006-01-02 15:04")})
			for _, want := range []string{partial, why, T("report.sync.no_verdict")} {
				if stored == 0 || !strings.Contains(sync, want) {
					t.Errorf("the sync part reads %q, lacks %q", sync, want)
				}
			}
			if strings.Contains(r.text, Tf("report.sync.complete", map[string]any{"Stored": groupDigits(stored)})) {
				t.Error("an incomplete sync is called complete")
			}
			if got, said := overallOf(r); got != string(flow.OverallIncomplete) || !said {
				t.Errorf("overall %q after a partial sync", got)
			}
			if !strings.Contains(r.text, T("report.followers_partial")) {
				t.Error("the follower count is not marked as partial")
			}
		})
	}
}

// Where the flow never reaches the result page (the vendor's server IP is
// not whitelisted), the report is still exported from the menu on every
// step, and its verdict is no pass.
func TestReportFromEveryStepWhenTheFlowStops(t *testing.T) {
	a := openDemoVersioned(t, LangZH, "ip-not-whitelisted")
	scanned := scanDemo(t, a)
	var export *fyne.MenuItem
	for _, m := range onUI(a.menu).Items {
		for _, it := range m.Items {
			if it.Label == T("menu.export") {
				export = it
			}
		}
	}
	if export == nil || export.Action == nil {
		t.Fatal("no 导出报告 in the menu")
	}
	for s := flow.StepAccounts; s <= flow.StepResult; s++ {
		onUIDo(func() { a.show(s) })
		onUIDo(export.Action)
		if top := onUI(func() fyne.CanvasObject { return a.win.Canvas().Overlays().Top() }); top == nil {
			t.Fatalf("step %s: the menu item opens no save dialog", s)
		}
		onUIDo(func() {
			a.win.Canvas().Overlays().Top().Hide()
			a.win.Canvas().Overlays().Remove(a.win.Canvas().Overlays().Top())
		})
	}
	r := exportNow(t, a)
	commonToEveryReport(t, r, onUI(a.reportSource).Scenario)
	if got, _ := overallOf(r); got == string(flow.OverallPass) || got == string(flow.OverallWarning) || got == "" {
		t.Errorf("after %v the overall verdict is %q", scanned, got)
	}
	if !strings.Contains(r.text, T("report.sync.none")) {
		t.Errorf("the sync part reads %q", r.byClass["sync"])
	}
}

// groupDigits writes n as the report does: 20,000.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
