package ui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// The Help menu is for the onboarding call: the support code staff type
// into their console, whom to contact, the diagnostics to paste into a
// ticket, and in demo mode the console itself, to train on.

func (a *App) helpItems() []*fyne.MenuItem {
	items := []*fyne.MenuItem{
		fyne.NewMenuItem(T("menu.support_code"), a.showSupportCode),
		fyne.NewMenuItem(T("menu.contact"), a.showContact),
		fyne.NewMenuItem(T("menu.diagnostics"), a.copyDiagnostics),
	}
	if a.demo != nil {
		items = append(items, fyne.NewMenuItem(T("support.console"), a.openStaffConsole))
	}
	return items
}

// startPublisher shares the wizard's progress with support while it is the
// window's wizard (the admin may turn it off in Settings).
func (a *App) startPublisher(wiz *flow.Wizard) {
	a.stopPublisher()
	cat, err := catalogue()
	if err != nil {
		noteError(err)
		return
	}
	go learnContact(a.ctx, wiz)
	wiz.SetAppVersion(a.opts.Version)
	a.pub = wiz.StartPublisher(a.ctx, cat, noteError)
}

func (a *App) stopPublisher() {
	// The contact is this connector's; the next one names its own.
	knownContact.Store(nil)
	if a.pub != nil {
		// Stop waits for a publish under way: not on the UI goroutine.
		go a.pub.Stop()
		a.pub = nil
	}
}

// supportCodeText is what the support code dialog says: the code, or why
// there is none to read out.
func (a *App) supportCodeText(ctx context.Context) (code, words string) {
	if a.wiz == nil {
		return "", T("support.code.none")
	}
	on, err := a.wiz.Publishing(ctx)
	if err != nil {
		return "", errorText(err)
	}
	if !on {
		return "", T("support.code.off")
	}
	c, err := a.wiz.SupportCode(ctx)
	if err != nil {
		return "", errorText(err)
	}
	if c.Code == "" || !time.Now().Before(c.ExpiresAt) {
		return "", T("support.code.none")
	}
	until := c.ExpiresAt.Local().Format("2006-01-02 15:04")
	return c.Code, Tf("support.code.hint", map[string]any{"Until": until})
}

func (a *App) showSupportCode() {
	code, words := a.supportCodeText(a.ctx)
	body := container.NewVBox(newTextBlock(words))
	if code != "" {
		body.Add(container.NewHBox(selectable(code), widget.NewButton(T("support.copy"), func() { a.copyText(code) })))
	}
	dialog.ShowCustom(T("menu.support_code"), T("support.close"), body, a.win)
}

// selectable is a read-only line staff can select and copy.
func selectable(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Selectable = true
	return l
}

// showContact asks the connector for the vendor's contact and shows it.
func (a *App) showContact() {
	wiz := a.wiz
	go func() {
		var c *flow.Contact
		err := errors.New("ui: no connector yet")
		if wiz != nil {
			ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
			kept, ok, cerr := wiz.CurrentContact(ctx)
			cancel()
			if err = cerr; ok {
				c = &kept
			}
		}
		do(func() { dialog.ShowCustom(T("menu.contact"), T("support.close"), a.contactView(c, err), a.win) })
	}()
}

func (a *App) contactView(s *flow.Contact, err error) fyne.CanvasObject {
	switch {
	case err != nil:
		return newTextBlock(sentences(T("support.contact.unknown"), errorText(err)))
	case s == nil:
		return newTextBlock(T("support.contact.none"))
	}
	form := widget.NewForm()
	if s.Name != "" {
		form.Append(T("support.contact.name"), selectable(s.Name))
	}
	if s.Phone != "" {
		form.Append(T("support.contact.phone"), selectable(s.Phone))
	}
	if s.URL != "" {
		form.Append(T("support.contact.url"), widget.NewButton(s.URL, func() { a.openURL(s.URL) }))
	}
	return container.NewVBox(newTextBlock(T("support.contact.intro")), form)
}

// copyDiagnostics puts the summary on the clipboard; the connector's
// health is asked afresh, so it says how things stand now.
func (a *App) copyDiagnostics() {
	wiz := a.wiz
	if wiz == nil {
		a.status.SetText(T("support.diagnostics.none"))
		return
	}
	in := a.diagInput()
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
		defer cancel()
		askHealth(ctx, wiz, &in)
		text, err := wiz.Diagnostics(ctx, in, Tf)
		do(func() {
			if err != nil {
				dialog.ShowError(errors.New(errorText(err)), a.win)
				return
			}
			a.copyText(text)
			a.status.SetText(T("support.diagnostics.copied"))
		})
	}()
}

// diagInput is what the window knows for the diagnostics, read on the UI
// goroutine; askHealth adds the connector's answer.
func (a *App) diagInput() flow.DiagInput {
	return flow.DiagInput{Version: a.opts.Version, Demo: a.demo != nil, Errors: recentErrors()}
}

// askHealth asks the connector how it is now, for the diagnostics.
func askHealth(ctx context.Context, wiz *flow.Wizard, in *flow.DiagInput) {
	h, err := wiz.ConnectorHealth(ctx)
	in.Health, in.HealthErr = h, flow.DiagError{Words: errorText(err), Code: flow.ErrorCode(err)}
}

// openStaffConsole signs in to the demo's console with a one-time link.
func (a *App) openStaffConsole() {
	d := a.demo
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 10*time.Second)
		defer cancel()
		_, link, err := flow.StaffConsole(ctx, d)
		do(func() {
			if err != nil {
				dialog.ShowError(errors.New(errorText(err)), a.win)
				return
			}
			a.openURL(link)
		})
	}()
}

// sharingToggle is the Settings switch for sharing progress with support.
func (a *App) sharingToggle() fyne.CanvasObject {
	if a.wiz == nil {
		return container.NewStack()
	}
	on, err := a.wiz.Publishing(a.ctx)
	if err != nil {
		return newTextBlock(errorText(err))
	}
	check := widget.NewCheck(T("support.share"), nil)
	check.SetChecked(on)
	check.OnChanged = func(v bool) {
		if err := a.wiz.SetPublishing(a.ctx, v); err != nil {
			dialog.ShowError(errors.New(errorText(err)), a.win)
		}
	}
	hint := newTextBlock(T("support.share.hint"))
	return container.NewVBox(check, hint)
}

// knownContact is the vendor's contact as last learnt, for the sentence
// beside every failure that is the vendor's to fix; nil while unknown.
var knownContact atomic.Pointer[flow.Contact]

// learnContact reads the contact the wizard kept, then asks the connector
// for the current one: a connector that is down still has a contact shown.
func learnContact(ctx context.Context, wiz *flow.Wizard) {
	setContact := func(c flow.Contact, ok bool) {
		if ctx.Err() != nil {
			return // the window moved on to another connector, or closed
		}
		if ok {
			knownContact.Store(&c)
		} else {
			knownContact.Store(nil)
		}
	}
	c, ok, err := wiz.SupportContact(ctx)
	if err != nil {
		noteError(err)
	}
	setContact(c, ok)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if c, ok, err := wiz.CurrentContact(ctx); err == nil {
		setContact(c, ok) // else the kept one stands
	}
}

// vendorContactText is whom to contact, when err is the vendor's to fix
// and the vendor named someone; else "".
func vendorContactText(err error) string {
	c := knownContact.Load()
	if err == nil || c == nil || !flow.VendorToFix(err) {
		return ""
	}
	var who []string
	for _, s := range []string{c.Name, c.Phone, c.URL} {
		if s != "" {
			who = append(who, s)
		}
	}
	return Tf("vendor.contact", map[string]any{"Who": strings.Join(who, T("vendor.contact.sep"))})
}
