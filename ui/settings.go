package ui

import (
	"context"
	"errors"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// buildBanner shows 演示模式 and the scenario menu in demo mode.
func (a *App) buildBanner() {
	a.banner.Objects = nil
	if a.demo == nil {
		a.banner.Refresh()
		return
	}
	sc := a.demo.Scenario()
	var names []string
	byTitle := map[string]string{}
	for _, s := range a.opts.Scenarios {
		t := s.Title
		if Lang() == LangEN {
			t = s.TitleEN
		}
		names = append(names, t)
		byTitle[t] = s.Name
	}
	sel := widget.NewSelect(names, nil)
	sel.PlaceHolder = T("demo.scenario")
	for t, n := range byTitle {
		if n == sc.Name {
			sel.SetSelected(t)
		}
	}
	sel.OnChanged = func(t string) {
		n := byTitle[t]
		if n == "" || n == a.demo.Scenario().Name {
			return
		}
		dialog.ShowConfirm(T("demo.switch.title"), T("demo.switch.body"), func(ok bool) {
			if ok {
				a.switchScenario(n)
				return
			}
			// Not switched: the menu names the scenario still running.
			for t, name := range byTitle {
				if name == a.demo.Scenario().Name {
					sel.SetSelected(t)
				}
			}
		}, a.win)
	}
	bg := canvas.NewRectangle(color.NRGBA{R: 0xff, G: 0xf4, B: 0xd6, A: 0xff})
	bg.CornerRadius = 4
	label := widget.NewLabelWithStyle(T("demo.banner"), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	a.banner.Objects = []fyne.CanvasObject{container.NewStack(bg, container.NewHBox(label, fullWidth(sel, names)))}
	a.relayout()
}

// switchScenario starts another demo scenario from a clean slate, as a new
// customer would: nothing of the old one's checks, self-reports, imports,
// followers or sync runs remains.
func (a *App) switchScenario(n string) {
	if err := a.wiz.Reset(a.ctx); err != nil {
		dialog.ShowError(errors.New(errorText(err)), a.win)
		return
	}
	a.opts.Scenario = n
	a.startDemo(n)
}

// fullWidth gives a menu room for its longest choice: Fyne's Select is as
// wide as its placeholder and cuts the chosen text short.
func fullWidth(sel *widget.Select, choices []string) fyne.CanvasObject {
	var w float32
	for _, c := range choices {
		w = max(w, fyne.MeasureText(c, theme.TextSize(), fyne.TextStyle{}).Width)
	}
	pad := theme.InnerPadding()
	spacer := canvas.NewRectangle(color.Transparent)
	spacer.SetMinSize(fyne.NewSize(w+pad*4+theme.IconInlineSize(), 0))
	return container.NewStack(spacer, sel)
}

func (a *App) showSettings() {
	u, err := a.opts.Home.SavedConnector(a.ctx)
	a.showSettingsPage(u, err)
}

// showSettingsPage is real mode's connection form: the connector's address
// and the project token, checked against the connector before they are kept
// (the token in the keychain, never in a file).
func (a *App) showSettingsPage(base string, problem error) {
	// No step is current while the settings are shown.
	if a.current != nil {
		a.current.leave()
	}
	a.current, a.shownAt = nil, 0
	if a.wiz != nil {
		a.refreshSteps(0)
	}
	a.nav.Objects = nil
	a.nav.Refresh()
	urlEntry := widget.NewEntry()
	urlEntry.SetPlaceHolder("https://connector.example.com")
	urlEntry.SetText(base)
	tokenEntry := widget.NewPasswordEntry()
	tokenEntry.SetPlaceHolder(T("settings.token.placeholder"))
	msg := newTextBlock("")
	if problem != nil {
		msg.SetText(errorText(problem))
	}
	act := widget.NewActivity()
	var connectBtn *mainButton
	connectBtn = newMainButton(T("settings.connect"), nil, func() {
		u, tok := strings.TrimSpace(urlEntry.Text), strings.TrimSpace(tokenEntry.Text)
		if u == "" || tok == "" {
			msg.SetText(T("settings.missing"))
			return
		}
		connectBtn.Disable()
		act.Start()
		msg.SetText(T("settings.checking"))
		go func() {
			err := a.opts.Home.SignIn(a.ctx, u, tok)
			do(func() {
				act.Stop()
				connectBtn.Enable()
				if err != nil {
					msg.SetText(errorText(err))
					return
				}
				if a.demo != nil {
					// Closing waits for the demo's servers: not on the UI goroutine.
					go a.demo.Close()
					a.demo = nil
				}
				a.connect(u, tok, nil)
			})
		}()
	})
	signOut := widget.NewButton(T("settings.signout"), func() {
		if err := a.opts.Home.SignOut(a.ctx); err != nil {
			msg.SetText(errorText(err))
			return
		}
		msg.SetText(T("settings.signedout"))
	})
	demoBtn := widget.NewButton(T("settings.demo"), func() { a.startDemo(a.opts.Scenario) })
	form := widget.NewForm(widget.NewFormItem(T("settings.url"), urlEntry), widget.NewFormItem(T("settings.token"), tokenEntry))
	intro := newTextBlock(T("settings.intro"))
	box := container.NewVBox(widget.NewLabelWithStyle(T("settings.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		intro, form, container.NewHBox(connectBtn, act, signOut, demoBtn), msg, a.sharingToggle())
	a.setBody(container.NewPadded(box))
}

// errorText is one plain sentence for any error the window can meet, with
// what to do next; the diagnostics keep it with its code.
func errorText(err error) string {
	noteError(err)
	return sentences(describeError(err), vendorContactText(err))
}

func describeError(err error) string {
	var ie *flow.ImportError
	if words, ok := flow.WeChatWords(err, Lang()); ok {
		return words
	}
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ie):
		return T(ie.MessageKey())
	case errors.Is(err, flow.ErrStoreReadOnly):
		return T("error.store.readonly")
	case errors.Is(err, flow.ErrStoreDiskFull):
		if t, ok := flow.RoomText(err); ok {
			return text(t) // refused before it began: nothing was half-written
		}
		return T("error.store.full")
	case errors.Is(err, flow.ErrStoreLocked):
		return lockedText(err)
	case errors.Is(err, flow.ErrStoreCorrupt), errors.Is(err, flow.ErrStoreTooNew):
		return T("error.store.corrupt")
	case errors.Is(err, flow.ErrInsecureURL):
		return T("error.connector.insecure")
	case errors.Is(err, flow.ErrKeychainUnavailable):
		return T("error.keychain")
	}
	if kind, we, ok := flow.ConnectorProblem(err); ok {
		if we != nil {
			return describeError(we)
		}
		return T("error.connector." + kind)
	}
	if errors.Is(err, context.Canceled) {
		return T("error.cancelled")
	}
	// The raw text is for staff only: see staffDetails.
	return T("error.unknown")
}

// staffDetails is the raw technical text behind a closed toggle: the admin
// reads the sentence above it, customer-success staff can open it.
func staffDetails(err error) fyne.CanvasObject {
	if err == nil {
		return container.NewStack()
	}
	raw := selectable(err.Error()) // staff read it out on calls
	raw.Wrapping = fyne.TextWrapWord
	raw.SizeName = theme.SizeNameCaptionText
	return widget.NewAccordion(widget.NewAccordionItem(T("details.staff"), raw))
}
