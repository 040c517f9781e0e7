package ui

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// accountsPage is step 1: the two AppIDs and the six account badges.
type accountsPage struct {
	a       *App
	root    fyne.CanvasObject
	oa, mp  *widget.Entry
	oaErr   *textBlock
	mpErr   *textBlock
	badges  map[string]*badge
	message *textBlock
}

func newAccountsPage(a *App) *accountsPage {
	p := &accountsPage{a: a, badges: map[string]*badge{}}
	st := a.wiz.State()
	p.oa, p.mp = widget.NewEntry(), widget.NewEntry()
	p.oa.SetPlaceHolder("wx0123456789abcdef")
	p.mp.SetPlaceHolder("wx0123456789abcdef")
	p.oa.SetText(st.OAAppID)
	if len(st.MPAppIDs) > 0 {
		p.mp.SetText(strings.Join(st.MPAppIDs, ", "))
	}
	p.oaErr, p.mpErr = hint(), hint()
	p.oa.Validator = nil
	check := newMainButton(T("accounts.check"), theme.ViewRefreshIcon(), func() { p.save() })
	// Enter in either AppID field checks them, as the button beside does.
	p.oa.OnSubmitted = func(string) { p.save() }
	p.mp.OnSubmitted = func(string) { p.save() }
	where := hint()
	setHint(where, T("accounts.where"))
	where.Importance = widget.MediumImportance
	whereImg := widget.NewButtonWithIcon(T("sketch.show"), theme.MediaPhotoIcon(), func() { showSketch(a.win, "appid") })
	whereImg.Importance = widget.LowImportance
	form := container.NewGridWithColumns(2,
		container.NewVBox(widget.NewLabel(T("accounts.oa")), p.oa, p.oaErr),
		container.NewVBox(widget.NewLabel(T("accounts.mp")), p.mp, p.mpErr))
	grid := container.NewGridWithColumns(2)
	for _, id := range flow.AccountChecks {
		b := newBadge(id, a.selfReport, a.copyText, a.win)
		p.badges[id] = b
		grid.Add(b.root)
	}
	p.message = hint()
	head := container.NewVBox(title(T("accounts.title")), form, container.NewBorder(nil, nil, nil, container.NewHBox(whereImg, check), where), p.message)
	p.root = container.NewBorder(head, nil, nil, nil, container.NewVScroll(grid))
	return p
}

func (p *accountsPage) view() fyne.CanvasObject { return p.root }
func (p *accountsPage) leave()                  {}

func (p *accountsPage) shown() {
	if p.a.wiz.State().OAAppID != "" {
		p.recheck(p.a.wiz.State().Progress.Authorized)
	}
}

// save validates both AppIDs, saying where to find them when wrong.
func (p *accountsPage) save() {
	if p.store() {
		p.recheck(false)
	}
}

// store saves the AppIDs as typed; when one is wrong it says so beside the
// field, and the summary of the last check, which spoke of other AppIDs,
// goes.
func (p *accountsPage) store() bool {
	mps := strings.FieldsFunc(p.mp.Text, appIDSeparator)
	err := p.a.wiz.SetAccounts(p.a.ctx, p.oa.Text, mps)
	setHint(p.oaErr, "")
	setHint(p.mpErr, "")
	if err != nil {
		setHint(p.message, "")
		var ae *flow.AppIDError
		if errors.As(err, &ae) && ae.Field == "mp" {
			setHint(p.mpErr, appIDMessage(ae))
		} else if errors.As(err, &ae) {
			setHint(p.oaErr, appIDMessage(ae))
		} else {
			setHint(p.oaErr, errorText(err))
		}
		return false
	}
	return true
}

func appIDSeparator(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' }

// typedChanged reports whether the fields differ from the AppIDs saved.
func (p *accountsPage) typedChanged() bool {
	st := p.a.wiz.State()
	var mps []string
	for _, m := range strings.FieldsFunc(p.mp.Text, appIDSeparator) {
		if m = flow.NormalizeAppID(m); m != "" {
			mps = append(mps, m)
		}
	}
	return flow.NormalizeAppID(p.oa.Text) != st.OAAppID || strings.Join(mps, ",") != strings.Join(st.MPAppIDs, ",")
}

// recheck asks flow for the page in the background; each badge shows
// "checking" meanwhile and the window stays usable.
func (p *accountsPage) recheck(refresh bool) {
	for _, b := range p.badges {
		b.checking()
	}
	go func() {
		v, err := p.a.wiz.AccountsView(p.a.ctx, refresh)
		do(func() {
			if p.a.current != p {
				// The admin has moved on; laying the whole window out
				// again for a page no one sees kept the next page's first
				// frame waiting. Coming back checks again (shown).
				return
			}
			if err != nil {
				p.message.Importance = widget.DangerImportance
				setHint(p.message, errorText(err))
				return
			}
			p.render(v)
		})
	}()
}

// render shows flow's view of step 1: the badges, and the summary only
// when the AppIDs were taken.
func (p *accountsPage) render(v flow.AccountsView) {
	for _, c := range v.Checks {
		if b, ok := p.badges[c.ID]; ok {
			b.set(c)
		}
	}
	msg := text(v.Summary)
	if v.AccountErr != nil {
		msg = sentences(T("accounts.connector_problem"), errorText(v.AccountErr))
	}
	if len(v.SelfProvedWrong) > 0 {
		var names []string
		for _, id := range v.SelfProvedWrong {
			names = append(names, T("check."+id+".title"))
		}
		msg = sentences(msg, Tf("accounts.self_wrong", map[string]any{"Checks": strings.Join(names, "、")}))
	}
	switch v.Tone {
	case flow.StatusFail:
		p.message.Importance = widget.DangerImportance
	case flow.StatusWarning:
		p.message.Importance = widget.WarningImportance
	default:
		p.message.Importance = widget.MediumImportance
	}
	setHint(p.message, msg)
	p.a.relayout()
}

func appIDMessage(e *flow.AppIDError) string {
	return T("appid.error." + e.Reason())
}

func hint() *textBlock {
	l := newTextBlock("")
	l.SizeName = theme.SizeNameCaptionText
	l.Importance = widget.DangerImportance
	l.Hide()
	return l
}

// setHint shows a hint, or hides it when empty so it takes no room.
func setHint(l *textBlock, s string) {
	l.Text, l.Hidden = s, s == ""
	l.Refresh()
}

func title(s string) *textBlock {
	l := newTextBlockWithStyle(s, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}
