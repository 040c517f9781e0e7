package ui

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// fitSize is the smallest window the wizard must be usable in: a 1366×768
// laptop at 125 % scaling, less the taskbar and the title bar.
var fitSize = fyne.NewSize(1024, 640)

func fits(t *testing.T, what string, s fyne.Size) {
	t.Helper()
	if s.Width > fitSize.Width || s.Height > fitSize.Height {
		t.Errorf("%s needs %v×%v, more than %v×%v", what, s.Width, s.Height, fitSize.Width, fitSize.Height)
	}
}

// settledMinSize is the largest minimum size the window's content asks for
// while a page fills in from its background work, each time measured as
// the next frames lay the window out; the window is left laid out so.
func settledMinSize(a *App) fyne.Size {
	var max fyne.Size
	for range 20 {
		max = max.Max(onUI(func() fyne.Size {
			layOutFrames(a)
			return a.win.Content().MinSize()
		}))
		time.Sleep(50 * time.Millisecond)
	}
	return max
}

// Every step, the settings page and the dialogs fit 1024×640 in both
// languages: the window's minimum size is what stops it from shrinking.
func TestEveryPageFitsTheSmallestWindow(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) {
			a, _ := openDemo(t, l, "not-bound")
			for s := flow.StepAccounts; s <= flow.StepResult; s++ {
				onUIDo(func() { a.show(s) })
				fits(t, "step "+s.String(), settledMinSize(a))
				nothingCutShort(t, "step "+s.String(), a)
			}
			onUIDo(a.showSettings)
			fits(t, "settings", settledMinSize(a))
			// The settings page is no step: none stays highlighted.
			onUIDo(func() {
				for _, o := range a.steps.Objects {
					if b := o.(*widget.Button); b.Importance == widget.HighImportance {
						t.Errorf("step %q stays highlighted on the settings page", b.Text)
					}
				}
			})
			dialogs := map[string]func(){
				"sketch":      func() { showSketch(a.win, "bind") },
				"about":       aboutItem(a).Action,
				"file open":   (&sdkPage{a: a}).pick,
				"file save":   a.exportReport,
				"lang change": func() { a.langChanged(Lang()) },
			}
			for name, open := range dialogs {
				onUIDo(open)
				fits(t, name+" dialog", onUI(func() fyne.Size {
					top := a.win.Canvas().Overlays().Top()
					if top == nil {
						t.Fatalf("%s: no dialog", name)
					}
					s := top.MinSize()
					top.Hide()
					a.win.Canvas().Overlays().Remove(top)
					return s
				}))
			}
		})
	}
}

// The window opens at a size that fits the smallest screen, and at the size
// the admin chose once they resized it.
func TestTheWindowRemembersItsSize(t *testing.T) {
	fa, db := testApp(t, LangZH)
	open := func() *App {
		return onUI(func() *App { return New(fa, Options{Home: flow.NewHome(db, nil, nil)}) })
	}
	a := open()
	if got := onUI(func() fyne.Size { return a.win.Canvas().Size() }); got != startSize {
		t.Fatalf("first start: %v, want %v", got, startSize)
	}
	onUIDo(func() { a.win.Resize(fyne.NewSize(1200, 700)); a.saveSize() })
	a.Close()
	b := open()
	defer b.Close()
	if got := onUI(func() fyne.Size { return b.win.Canvas().Size() }); got != fyne.NewSize(1200, 700) {
		t.Fatalf("second start: %v, want the size chosen", got)
	}
}

// The window opens at a size that fits a 1366×768 laptop at 125 %, and at
// that size every step in both languages asks for no more room than it has
// and shows its Next button inside the window (the wizard stays on step 1
// while the pages are shown, so each offers Next).
func TestTheWindowOpensWithinALaptopScreen(t *testing.T) {
	if startSize.Width > laptopContent.Width || startSize.Height > laptopContent.Height {
		t.Fatalf("the window opens at %v×%v; a laptop leaves %v×%v", startSize.Width, startSize.Height, laptopContent.Width, laptopContent.Height)
	}
	for _, l := range []string{LangZH, LangEN} {
		t.Run(l, func(t *testing.T) {
			fa, db := testApp(t, l)
			a := onUI(func() *App {
				return New(fa, Options{Home: flow.NewHome(db, nil, walkClock{}), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "not-bound"})
			})
			t.Cleanup(func() { onUIDo(a.Close) })
			waitFor(t, "the demo to start", func() bool { return a.current != nil })
			for s := flow.StepAccounts; s <= flow.StepResult; s++ {
				onUIDo(func() { a.show(s) })
				if m := settledMinSize(a); m.Width > startSize.Width || m.Height > startSize.Height {
					t.Errorf("step %s needs %v×%v, more than the opening %v×%v", s, m.Width, m.Height, startSize.Width, startSize.Height)
				}
				onUIDo(func() { buttonInside(t, a, s.String(), T("nav.next")) })
				if dir := os.Getenv("OAWIZARD_SHOTS"); dir != "" {
					savePNG(t, a, startSize, filepath.Join(dir, fmt.Sprintf("%s-open-%s-%.0fx%.0f.png", l, s, startSize.Width, startSize.Height)))
				}
			}
		})
	}
}

// savePNG saves the window at size as PNG at path, as the admin sees it
// after the frames that follow the resize.
func savePNG(t *testing.T, a *App, size fyne.Size, path string) {
	t.Helper()
	img := onUI(func() image.Image {
		a.win.Resize(size)
		layOutFrames(a)
		return a.win.Canvas().Capture()
	})
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	err = png.Encode(f, img)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// buttonInside fails unless the footer's button labelled text is shown
// wholly inside the window at its current size.
func buttonInside(t *testing.T, a *App, what, text string) {
	t.Helper()
	win := a.win.Canvas().Size()
	if win != startSize {
		t.Errorf("%s: the window is %v, not its opening size %v", what, win, startSize)
	}
	for _, o := range a.nav.Objects {
		var label string
		switch x := o.(type) {
		case *widget.Button:
			label = x.Text
		case *mainButton:
			label = x.Text
		}
		if label != text {
			continue
		}
		b := o
		p := fyne.CurrentApp().Driver().AbsolutePositionForObject(b)
		if !b.Visible() || b.Size().IsZero() || p.X < 0 || p.Y < 0 || p.X+b.Size().Width > win.Width || p.Y+b.Size().Height > win.Height {
			t.Errorf("%s: %q at %v size %v lies outside the %v window", what, text, p, b.Size(), win)
		}
		return
	}
	t.Errorf("%s: no %q button", what, text)
}

// eachObject visits every object in the tree under o.
func eachObject(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	f(o)
	switch x := o.(type) {
	case *fyne.Container:
		for _, c := range x.Objects {
			eachObject(c, f)
		}
	case *container.Split:
		eachObject(x.Leading, f)
		eachObject(x.Trailing, f)
	case *container.Scroll:
		eachObject(x.Content, f)
	}
}

// nothingCutShort fails when a text the admin must read is cut with "…":
// a label set to truncate, a text block narrower than its widest word or
// lower than its lines, or a menu narrower than its chosen entry.
func nothingCutShort(t *testing.T, what string, a *App) {
	t.Helper()
	onUIDo(func() {
		// Laid out in the same turn of the window's goroutine as the
		// check: a page's answer arriving between the two would be judged
		// before the frame that makes room for it.
		layOutFrames(a)
		eachObject(a.win.Content(), func(o fyne.CanvasObject) {
			switch x := o.(type) {
			case *widget.Label:
				if x.Truncation != fyne.TextTruncateOff && x.Visible() {
					t.Errorf("%s: %q may be cut short", what, x.Text)
				}
			case *textBlock:
				if x.Visible() && x.Text != "" && (x.Size().Width < x.MinSize().Width || x.Size().Height < x.MinSize().Height) {
					t.Errorf("%s: %q has %v, needs %v", what, x.Text, x.Size(), x.MinSize())
				}
			case *widget.Select:
				need := fyne.MeasureText(x.Selected, theme.TextSize(), fyne.TextStyle{}).Width + theme.InnerPadding()*3 + theme.IconInlineSize()
				if x.Visible() && x.Size().Width < need {
					t.Errorf("%s: menu shows %q in %v px, needs %v", what, x.Selected, x.Size().Width, need)
				}
			}
		})
	})
}

// aboutItem is the Help menu's last item, About.
func aboutItem(a *App) *fyne.MenuItem {
	help := a.menu().Items[1].Items
	return help[len(help)-1]
}
