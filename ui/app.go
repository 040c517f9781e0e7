// Package ui is the wizard's window. Every Fyne import of the product lives
// here (and in cmd/); the logic it shows is package flow's.
package ui

import (
	"cmp"
	"context"
	"errors"
	"net/url"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/assets"
	"oawizard/flow"
)

// Options configure the window.
type Options struct {
	Home      *flow.Home // the data folder and the keychain
	StartDemo flow.DemoStarter
	Scenarios []flow.ScenarioInfo
	Scenario  string // demo scenario at start; "" = the one the stored setup belongs to
	Version   string
	// Forward delivers when a later launch on the same data folder asks
	// this window to come to the front; nil = never.
	Forward <-chan struct{}
}

// App is the running wizard window.
type App struct {
	opts    Options
	fa      fyne.App
	win     fyne.Window
	ctx     context.Context
	cancel  context.CancelFunc
	wiz     *flow.Wizard
	demo    flow.DemoStack
	body    *fyne.Container
	busy    *widget.Activity // the indicator in body, if one is
	steps   *fyne.Container
	side    *fyne.Container // the step list at its fixed width
	banner  *fyne.Container
	nav     *fyne.Container
	status  *widget.Label
	pages   map[flow.Step]page
	current page
	shownAt flow.Step // the step whose page is shown
	unwatch func()    // stops the wizard's change notices
	pub     *flow.Publisher
}

// page is one screen of the wizard.
type page interface {
	view() fyne.CanvasObject
	// shown is called each time the page becomes current.
	shown()
	// leave is called when another page is shown; long work stops.
	leave()
}

// Run shows the window until it is closed.
func Run(opts Options) error {
	a := New(app.NewWithID("com.oawizard.setup"), opts)
	a.win.ShowAndRun()
	a.Close()
	return nil
}

// New builds the window on a Fyne app (tests pass fyne's test app).
func New(fa fyne.App, opts Options) *App {
	fa.Settings().SetTheme(appTheme{})
	fa.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	a := &App{opts: opts, fa: fa, pages: map[flow.Step]page{}}
	a.ctx, a.cancel = context.WithCancel(context.Background())
	a.win = fa.NewWindow(T("app.title"))
	a.restoreSize()
	a.status = selectable("") // it names saved files: staff ask for the path
	a.body = container.NewStack()
	a.steps = container.NewVBox()
	a.banner = container.NewStack()
	a.nav = container.NewHBox()
	a.win.SetContent(a.layout())
	a.win.SetMainMenu(a.menu())
	a.bindKeys()
	a.startup()
	if opts.Forward != nil {
		go a.comeForward(opts.Forward)
	}
	return a
}

// Window is the main window (tests drive it).
func (a *App) Window() fyne.Window { return a.win }

// Close stops background work and the demo stack.
func (a *App) Close() {
	a.cancel()
	a.stopPublisher()
	if a.unwatch != nil {
		a.unwatch()
	}
	if a.demo != nil {
		a.demo.Close()
	}
}

func (a *App) layout() fyne.CanvasObject {
	title := canvas.NewText(T("app.title"), theme.Color(theme.ColorNameForeground))
	title.TextSize = 20
	title.TextStyle.Bold = true
	langSel := widget.NewSelect([]string{"简体中文", "English"}, nil)
	if Lang() == LangEN {
		langSel.SetSelected("English")
	} else {
		langSel.SetSelected("简体中文")
	}
	langSel.OnChanged = func(s string) {
		l := LangZH
		if s == "English" {
			l = LangEN
		}
		if l == Lang() {
			return
		}
		if err := a.opts.Home.SaveLanguage(a.ctx, l); err != nil {
			dialog.ShowError(errors.New(errorText(err)), a.win)
			return
		}
		a.langChanged(l)
	}
	settings := widget.NewButtonWithIcon(T("settings.button"), theme.SettingsIcon(), a.showSettings)
	header := container.NewBorder(nil, nil, container.NewPadded(title), container.NewHBox(langSel, settings))
	why := newTextBlock(T("app.why"))
	why.SizeName = theme.SizeNameCaptionText
	footer := container.NewBorder(nil, nil, a.status, a.nav)
	// The demo banner has a row of its own so the scenario's name is never
	// cut short to make room for the header's buttons.
	return container.NewBorder(container.NewVBox(header, a.banner, widget.NewSeparator()), container.NewVBox(widget.NewSeparator(), footer), a.sidebar(why), nil, container.NewPadded(a.body))
}

// langChanged says, in the new language l, that it applies at the next
// start: Fyne reads its translations once.
func (a *App) langChanged(l string) {
	dialog.ShowInformation(textIn(l, "lang.changed.title"), textIn(l, "lang.changed.body"), a.win)
}

func (a *App) menu() *fyne.MainMenu {
	// The report can be exported from every step: a setup stuck before
	// the result (an IP not whitelisted) is what CS most needs to see.
	file := fyne.NewMenu(T("menu.file"), fyne.NewMenuItem(T("menu.export"), a.exportReport))
	return fyne.NewMainMenu(file, fyne.NewMenu(T("menu.help"), append(a.helpItems(),
		fyne.NewMenuItem(T("menu.about"), func() {
			dialog.ShowInformation(T("app.title"), Tf("menu.about.body", map[string]any{"Version": a.opts.Version}), a.win)
		}))...))
}

// startup decides between real mode (a saved connector and a token in the
// keychain) and demo mode, without blocking the window.
func (a *App) startup() {
	a.showBusy(T("startup.busy"))
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, time.Minute)
		defer cancel()
		st, err := a.opts.Home.Start(ctx)
		do(func() {
			switch {
			case err != nil:
				a.showFatal(T("store.failed"), err)
			case st.Real() && st.TokenErr != nil:
				a.showSettingsPage(st.Connector, st.TokenErr)
			case st.Real():
				a.connect(st.Connector, st.Token, nil)
			default:
				// No scenario asked for: continue in the one the data belongs to.
				a.opts.Scenario = cmp.Or(a.opts.Scenario, st.Scenario)
				if a.opts.Scenario == "" && len(a.opts.Scenarios) > 0 {
					a.opts.Scenario = a.opts.Scenarios[0].Name
				}
				a.startDemo(a.opts.Scenario)
			}
		})
	}()
}

// startDemo (re)starts the simulated WeChat and connector for a scenario.
func (a *App) startDemo(scenario string) {
	if a.opts.StartDemo == nil {
		a.showSettingsPage("", nil)
		return
	}
	a.showBusy(T("startup.demo"))
	old := a.demo
	go func() {
		if old != nil {
			old.Close()
		}
		d, err := a.opts.StartDemo(a.ctx, scenario)
		do(func() {
			if err != nil {
				a.showFatal(T("startup.demo_failed"), err)
				return
			}
			a.demo = d
			a.connect(d.URL(), d.Token(), d)
		})
	}()
}

// connect builds the wizard on a connector and shows where it stood.
func (a *App) connect(base, token string, demo flow.DemoStack) {
	wiz, err := a.opts.Home.Open(a.ctx, base, token)
	if _, _, ok := flow.ConnectorProblem(err); ok {
		// The address cannot be a connector's: Settings says why.
		a.showSettingsPage(base, err)
		return
	}
	if err != nil {
		a.showFatal(T("store.failed"), err)
		return
	}
	a.wiz = wiz
	a.startPublisher(wiz)
	a.win.SetMainMenu(a.menu()) // demo mode adds the staff console
	if a.unwatch != nil {
		a.unwatch()
	}
	// The wizard says when its state changed (a sync ended, an authorization
	// was lost); the step list and buttons follow on the UI goroutine.
	a.unwatch = wiz.Watch(func(flow.State) {
		do(func() {
			if a.wiz == wiz && a.current != nil {
				a.refreshSteps(a.shownAt)
				a.refreshNav()
			}
		})
	})
	if demo != nil {
		// The stored setup belongs to the scenario now running, or goes.
		if err := wiz.UseScenario(a.ctx, demo.Scenario()); err != nil {
			a.showFatal(T("store.failed"), err)
			return
		}
	}
	a.buildBanner()
	a.pages = map[flow.Step]page{
		flow.StepAccounts:  newAccountsPage(a),
		flow.StepSDK:       newSDKPage(a),
		flow.StepAuthorize: newAuthorizePage(a),
		flow.StepSync:      newSyncPage(a),
		flow.StepResult:    newResultPage(a),
	}
	// A remembered authorization may be gone (a restarted demo, a revoked
	// account): check before showing where the wizard stood.
	go func() {
		ctx, cancel := context.WithTimeout(a.ctx, 20*time.Second)
		defer cancel()
		wiz.Reconcile(ctx) // unreachable now: the pages say so when they ask
		do(func() {
			if a.wiz == wiz {
				a.show(wiz.State().Progress.Step)
			}
		})
	}()
}

// show makes step s the current page.
func (a *App) show(s flow.Step) {
	if a.current != nil {
		a.current.leave()
	}
	p := a.pages[s]
	if p != a.current {
		// A note such as 已保存 or 已复制 belongs to the page it was said on.
		a.status.SetText("")
	}
	a.current, a.shownAt = p, s
	a.placeBody(p.view()) // refreshNav lays it out with the window
	a.refreshSteps(s)
	a.refreshNav()
	p.shown()
}

func (a *App) refreshSteps(cur flow.Step) {
	a.steps.Objects = nil
	prog := a.wiz.State().Progress
	for s := flow.StepAccounts; s <= flow.StepResult; s++ {
		s := s
		b := widget.NewButton(stepLabel(s), func() {
			if err := a.wiz.GoTo(a.ctx, s); err == nil {
				a.show(s)
			}
		})
		b.Alignment = widget.ButtonAlignLeading
		switch {
		case s == cur:
			b.Importance = widget.HighImportance
		case !prog.CanGoTo(s):
			b.Disable()
		default:
			b.Importance = widget.LowImportance
		}
		a.steps.Add(b)
	}
	a.steps.Refresh()
}

// refreshNav rebuilds Back / Continue anyway / Next for the current step.
func (a *App) refreshNav() {
	st := a.wiz.State().Progress
	a.nav.Objects = nil
	if st.Step > flow.StepAccounts {
		a.nav.Add(widget.NewButtonWithIcon(T("nav.back"), theme.NavigateBackIcon(), func() {
			if a.wiz.Back(a.ctx) == nil {
				a.show(a.wiz.State().Progress.Step)
			}
		}))
	}
	if st.Step < flow.StepResult {
		a.nav.Add(newMainButton(T("nav.next"), theme.NavigateNextIcon(), a.next))
	}
	a.relayout()
}

// relayout lays the whole window out again after a part changed size:
// Fyne re-lays out only the container that was refreshed.
func (a *App) relayout() {
	if c := a.win.Content(); c != nil {
		c.Refresh()
	}
}

// next moves on, or explains what blocks and offers "continue anyway" with
// its consequence when checks failed.
func (a *App) next() {
	// Step 1 moves on with the AppIDs as typed, never past a wrong one
	// with the last ones saved.
	if p, ok := a.current.(*accountsPage); ok && p.typedChanged() {
		if !p.store() {
			return
		}
		p.recheck(false)
		return
	}
	err := a.wiz.Next(a.ctx)
	var be *flow.BlockedError
	if errors.As(err, &be) {
		step := a.wiz.State().Progress.Step
		if (step == flow.StepAccounts || step == flow.StepSDK) && !flow.IsAppIDBlock(err) {
			key := "nav.consequence." + step.String()
			dialog.ShowConfirm(T("nav.blocked.title"), T("nav.blocked.checks")+"\n\n"+T(key), func(ok bool) {
				if ok && a.wiz.ContinueAnyway(a.ctx, key) == nil {
					a.show(a.wiz.State().Progress.Step)
				}
			}, a.win)
			return
		}
		dialog.ShowInformation(T("nav.blocked.title"), text(a.wiz.BlockedText(step)), a.win)
		return
	}
	if err == nil {
		a.show(a.wiz.State().Progress.Step)
	}
}

func (a *App) showFatal(title string, err error) {
	msg := newTextBlock(title + "\n" + errorText(err))
	a.setBody(container.NewVBox(msg, staffDetails(err)))
}

// copyText puts s on the clipboard and says so.
func (a *App) copyText(s string) {
	a.fa.Clipboard().SetContent(s)
	a.status.SetText(T("copied"))
}

// openURL opens a link in the system browser.
func (a *App) openURL(s string) {
	if u, err := url.Parse(s); err == nil {
		a.fa.OpenURL(u)
	}
}

// selfReport records a self-check and re-evaluates the badges.
func (a *App) selfReport(id, claim string) {
	if err := a.wiz.SelfReport(a.ctx, id, claim, ""); err != nil {
		dialog.ShowError(errors.New(errorText(err)), a.win)
		return
	}
	if p, ok := a.current.(*accountsPage); ok {
		p.recheck(false)
	}
}

// do runs f on Fyne's goroutine later and returns at once. It is a
// variable because Fyne's test driver runs such calls on the caller's
// goroutine; tests swap in one that queues them for a goroutine of its own,
// as the real driver does.
var do = fyne.Do
