package ui

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"oawizard/demostack/loopback"
	"oawizard/flow"
)

// linkApp remembers the links the window asked the system browser to open.
type linkApp struct {
	fyne.App
	mu     sync.Mutex
	opened []string
}

func (l *linkApp) OpenURL(u *url.URL) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.opened = append(l.opened, u.String())
	return nil
}

func (l *linkApp) links() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.opened...)
}

func menuLabels(a *App) []string {
	var out []string
	for _, it := range a.win.MainMenu().Items[1].Items {
		out = append(out, it.Label)
	}
	return out
}

// The support code shows once the connector gave one, and says instead
// that sharing is off once the admin turned it off in Settings.
func TestSupportCodeShowsWhileSharingAndSaysWhenOff(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	if got := strings.Join(onUI(func() []string { return menuLabels(a) }), "|"); !strings.Contains(got, "支持码|联系支持|复制诊断信息|"+T("support.console")) {
		t.Fatalf("Help menu: %s", got)
	}
	waitFor(t, "a support code", func() bool { code, _ := a.supportCodeText(a.ctx); return code != "" })
	codeNow := func() (string, string) {
		r := onUI(func() [2]string { c, w := a.supportCodeText(a.ctx); return [2]string{c, w} })
		return r[0], r[1]
	}
	code, words := codeNow()
	if code != a.pub.Code().Code || !strings.Contains(words, a.pub.Code().ExpiresAt.Local().Format("2006-01-02 15:04")) {
		t.Fatalf("code %q %q, published %+v", code, words, a.pub.Code())
	}
	// The switch is on the Settings page.
	var box *widget.Check
	onUIDo(func() {
		a.showSettings()
		walkObjects(a.body, func(o fyne.CanvasObject) {
			if c, ok := o.(*widget.Check); ok {
				box = c
			}
		})
	})
	if box == nil {
		t.Fatal("Settings has no sharing switch")
	}
	if !box.Checked || box.Text != "与支持人员共享进度" {
		t.Fatalf("toggle %q checked=%v", box.Text, box.Checked)
	}
	onUIDo(func() { box.SetChecked(false) })
	code, words = codeNow()
	if code != "" || words != T("support.code.off") {
		t.Fatalf("with sharing off: %q %q", code, words)
	}
	if on, err := a.wiz.Publishing(a.ctx); on || err != nil {
		t.Fatalf("the toggle did not turn sharing off: %v %v", on, err)
	}
}

func TestContactSaysWhomToCallOrWhyItIsUnknown(t *testing.T) {
	a, _ := openDemo(t, LangEN, "ok")
	h, ok, err := a.wiz.CurrentContact(context.Background())
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	view := onUI(func() fyne.CanvasObject { return a.contactView(&h, nil) })
	var shown []string
	walkObjects(view, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			if w.Selectable && w.Text != "" {
				shown = append(shown, w.Text)
			}
		case *widget.Button:
			if w.Text != "" {
				shown = append(shown, w.Text)
			}
		}
	})
	s := loopback.SampleSupport
	if got := strings.Join(shown, "|"); got != s.Name+"|"+s.Phone+"|"+s.URL {
		t.Fatalf("contact shows %q", got)
	}
	gone := onUI(func() fyne.CanvasObject { return a.contactView(nil, errors.New("unreachable")) })
	if txt := onUI(func() string { return blockText(gone) }); !strings.Contains(txt, T("support.contact.unknown")) || strings.Contains(txt, s.Name) {
		t.Fatalf("without an answer: %q", txt)
	}
}

func TestCopyDiagnosticsPutsAMaskedSummaryOnTheClipboard(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	onUIDo(a.copyDiagnostics)
	clip := func() string { return a.fa.Clipboard().Content() }
	waitFor(t, "the diagnostics on the clipboard", func() bool { return clip() != "" })
	text := onUI(clip)
	for _, want := range []string{T("diag.title"), "演示", T("diag.checks"), "连接器：正常，微信接受这台服务器（ok）", T("diag.errors")} {
		if !strings.Contains(text, want) {
			t.Errorf("diagnostics lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, a.demo.Token()) || strings.Contains(text, "diag.") {
		t.Fatalf("a token or an untranslated key in the diagnostics:\n%s", text)
	}
}

func TestHelpMenuOpensTheDemoStaffConsoleSignedIn(t *testing.T) {
	fa, db := testApp(t, LangZH)
	la := &linkApp{App: fa}
	a := onUI(func() *App {
		return New(la, Options{Home: flow.NewHome(db, nil, nil), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "ok"})
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	waitFor(t, "the demo to start", func() bool { return a.current != nil })
	onUIDo(a.openStaffConsole)
	waitFor(t, "the console link", func() bool { return len(la.links()) == 1 })
	link := la.links()[0]
	if !strings.HasPrefix(link, a.demo.URL()) || !strings.Contains(link, "/staff/") {
		t.Fatalf("opened %q", link)
	}
}

// walkObjects visits o and everything inside it.
func walkObjects(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	f(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, ch := range c.Objects {
			walkObjects(ch, f)
		}
	case fyne.Widget:
		for _, ch := range test.WidgetRenderer(c).Objects() {
			walkObjects(ch, f)
		}
	}
}

// textOf joins the text blocks inside o.
func blockText(o fyne.CanvasObject) string {
	var b strings.Builder
	walkObjects(o, func(o fyne.CanvasObject) {
		if t, ok := o.(*textBlock); ok {
			b.WriteString(t.Text + "\n")
		}
	})
	return b.String()
}

// What the wizard shares names its version, the one Help → About shows.
func TestSharedProgressNamesTheVersionAboutShows(t *testing.T) {
	fa, db := testApp(t, LangZH)
	a := onUI(func() *App {
		return New(fa, Options{Home: flow.NewHome(db, nil, walkClock{}), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "ok", Version: "1.4.2 (abc1234)"})
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	waitFor(t, "the demo to start", func() bool { return a.current != nil && a.pub != nil })
	cat, err := catalogue()
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.wiz.SupportSnapshot(context.Background(), cat)
	if err != nil || s.Version != "1.4.2 (abc1234)" {
		t.Fatalf("shared version %q (%v)", s.Version, err)
	}
}
