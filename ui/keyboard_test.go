package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow/verdict"
)

// pressKey delivers a key as the desktop driver does: Tab moves the focus
// unless the focused control takes tabs itself; other keys go to the
// focused control, or to the window when none has the keyboard.
func pressKey(a *App, k fyne.KeyName) {
	onUIDo(func() {
		c := a.win.Canvas()
		ev := &fyne.KeyEvent{Name: k}
		if k == fyne.KeyTab {
			if f, ok := c.Focused().(fyne.Tabbable); !ok || !f.AcceptsTab() {
				test.FocusNext(c)
				return
			}
		}
		if f := c.Focused(); f != nil {
			f.TypedKey(ev)
		} else if h := c.OnTypedKey(); h != nil {
			h(ev)
		}
	})
}

// tabTo presses Tab until target has the keyboard; t fails when Tab never
// gets there (a control that keeps Tab, or target not focusable).
func tabTo(t *testing.T, a *App, what string, target fyne.Focusable) {
	t.Helper()
	for range 200 {
		if onUI(func() bool { return a.win.Canvas().Focused() == target }) {
			return
		}
		pressKey(a, fyne.KeyTab)
	}
	t.Fatalf("Tab never reaches %s; the keyboard is at %T", what, onUI(func() fyne.Focusable { return a.win.Canvas().Focused() }))
}

// nextButton is the step's Next.
func nextButton(a *App) *mainButton {
	for _, o := range a.nav.Objects {
		if b, ok := o.(*mainButton); ok {
			return b
		}
	}
	return nil
}

// typeAround types into every control Tab reaches once round the window:
// nothing on the page may take the keys as text.
func typeAround(t *testing.T, a *App) {
	t.Helper()
	onUIDo(func() { a.win.Canvas().Unfocus() })
	pressKey(a, fyne.KeyTab)
	first := onUI(func() fyne.Focusable { return a.win.Canvas().Focused() })
	for i := 0; i < 200; i++ {
		onUIDo(func() {
			if f, ok := a.win.Canvas().Focused().(*widget.Entry); ok {
				t.Errorf("the keyboard lands in an entry holding %q", f.Text)
				return
			}
			a.win.Canvas().Focused().TypedRune('x')
		})
		pressKey(a, fyne.KeyTab)
		if onUI(func() bool { return a.win.Canvas().Focused() == first }) {
			return
		}
	}
	t.Fatal("Tab never came round the page")
}

// TestKeyboardWalksAllSteps goes through every step with Tab, Space and
// Enter alone, in the demo's ok scenario.
func TestKeyboardWalksAllSteps(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	acc := onUI(func() *accountsPage { return a.current.(*accountsPage) })
	waitFor(t, "step 1's badges", func() bool { return acc.badges[verdict.OAVerified].chip.Text != T("status.checking") })

	// Step 1: Enter with nothing focused presses Next.
	onUIDo(func() { a.win.Canvas().Unfocus() })
	pressKey(a, fyne.KeyReturn)
	waitFor(t, "step 2", func() bool { _, ok := a.current.(*sdkPage); return ok })

	// Step 2: the snippets open by Space and take no keys; the demo
	// export by Space.
	sdk := onUI(func() *sdkPage { return a.current.(*sdkPage) })
	tabTo(t, a, "the code's button", findButton(sdk.root, T("sdk.code.show")))
	pressKey(a, fyne.KeySpace)
	typeAround(t, a)
	if got := snippetTexts(sdk.root); len(got) != 1 || got[0] != snippet("miniprogram.js") {
		t.Fatalf("after typing round the page the snippet reads %q", got)
	}
	demo := findButton(sdk.root, T("sdk.demo_export"))
	tabTo(t, a, "the demo export", demo)
	pressKey(a, fyne.KeySpace)
	waitFor(t, "the SDK badges", func() bool { return sdk.badges[verdict.SDKUnionID].chip.Text == T("status.pass") })
	next := onUI(func() *mainButton { return nextButton(a) })
	tabTo(t, a, "Next", next)
	if !onUI(next.hasRing) {
		t.Fatal("the focused Next button shows no ring")
	}
	pressKey(a, fyne.KeyReturn)

	// Step 3: the simulated phone by Space; the page goes on by itself.
	waitFor(t, "step 3", func() bool { _, ok := a.current.(*authorizePage); return ok })
	auth := onUI(func() *authorizePage { return a.current.(*authorizePage) })
	waitFor(t, "the QR code", func() bool { return auth.state.Text == T("auth.state.waiting") })
	tabTo(t, a, "the simulated phone", auth.phoneBtn)
	pressKey(a, fyne.KeySpace)

	// Step 4: the sync runs by itself; Enter moves on.
	waitFor(t, "the sync page", func() bool { _, ok := a.current.(*syncPage); return ok })
	sp := onUI(func() *syncPage { return a.current.(*syncPage) })
	waitFor(t, "the sync", func() bool { return sp.state.Text == T("sync.state.done") && sp.cancel == nil })
	onUIDo(func() { a.win.Canvas().Unfocus() })
	pressKey(a, fyne.KeyReturn)
	waitFor(t, "the result", func() bool { _, ok := a.current.(*resultPage); return ok })
}

// TestFocusRingOnlyWhenFocused: the ring marks the keyboard's place and
// nothing else.
func TestFocusRingOnlyWhenFocused(t *testing.T) {
	test.NewTempApp(t)
	b := newMainButton("go", nil, func() {})
	other := widget.NewButton("other", nil)
	w := test.NewWindow(container.NewVBox(other, b))
	defer w.Close()
	if b.hasRing() {
		t.Fatal("a ring before any focus")
	}
	w.Canvas().Focus(b)
	if !b.hasRing() {
		t.Fatal("no ring on the focused button")
	}
	w.Canvas().Focus(other)
	if b.hasRing() {
		t.Fatal("the ring stays after the focus left")
	}
}

// snippetTexts are the texts on screen that are a whole snippet's first
// line onwards, in an entry or a label.
func snippetTexts(root fyne.CanvasObject) []string {
	var out []string
	eachInTabs(root, func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Entry:
			if x.MultiLine {
				out = append(out, x.Text)
			}
		case *widget.Label:
			if x.TextStyle.Monospace {
				out = append(out, x.Text)
			}
		}
	})
	return out
}

// findButton is the button labelled text in root.
func findButton(root fyne.CanvasObject, text string) *widget.Button {
	var found *widget.Button
	eachInTabs(root, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// eachInTabs is eachObject that also enters the selected tab.
func eachInTabs(root fyne.CanvasObject, f func(fyne.CanvasObject)) {
	eachObject(root, func(o fyne.CanvasObject) {
		f(o)
		if tabs, ok := o.(*container.AppTabs); ok && tabs.Selected() != nil {
			eachInTabs(tabs.Selected().Content, f)
		}
	})
}

// Enter in an AppID field checks what was typed, as the green button beside
// it does: a keyboard user types the AppID and presses Enter.
func TestEnterInAnAppIDFieldChecksIt(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	acc := onUI(func() *accountsPage { return a.current.(*accountsPage) })
	waitFor(t, "step 1's badges", func() bool { return acc.badges[verdict.OAVerified].chip.Text != T("status.checking") })
	onUIDo(func() { acc.oa.SetText("wx123") })
	tabTo(t, a, "the Official Account's AppID", acc.oa)
	pressKey(a, fyne.KeyReturn)
	waitFor(t, "the field's error", func() bool { return !acc.oaErr.Hidden && acc.oaErr.Text != "" })
}

// Every page's green buttons mark the keyboard's place with a ring: none
// is a plain button whose focus blend vanishes on green. The step list's
// current step is a marker, not an action, and is left out.
func TestEveryGreenButtonShowsItsFocus(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	for s, p := range a.pages {
		root := onUI(p.view)
		eachInTabs(root, func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Importance == widget.HighImportance {
				t.Errorf("step %v: %q is green without a focus ring", s, b.Text)
			}
		})
	}
}
