package ui

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// syncPage shows the follower sync: a progress bar with counts, rate and
// ETA, and a cancel that keeps what was stored.
type syncPage struct {
	a       *App
	root    fyne.CanvasObject
	bar     *widget.ProgressBar
	barBox  *container.ThemeOverride
	counts  *textBlock
	state   *textBlock
	detail  *textBlock
	startB  *mainButton
	cancelB *widget.Button
	rescanB *mainButton
	raw     *fyne.Container // the failure's technical text, for staff
	cancel  context.CancelFunc
	// reconnecting: the detail line says the server is being reached again.
	reconnecting bool
	live         liveReports
}

// liveEvery is how often at most a running sync's report is drawn: a few
// times a second reads as live, and each drawing rasterises new numbers.
const liveEvery = 150 * time.Millisecond

// liveReports hands a running sync's reports to the window at most once
// every liveEvery, the latest one each time: the sync reports far more
// often than anyone can read, and every report drawn costs the window a
// frame's work.
type liveReports struct {
	mu      sync.Mutex
	latest  flow.SyncLive
	pending bool      // a hand-over is scheduled and will take latest
	shown   time.Time // when the last hand-over was made
}

// report keeps v and makes sure show gets it, or a later report, soon;
// call it from any goroutine.
func (l *liveReports) report(v flow.SyncLive, show func(flow.SyncLive)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latest = v
	if l.pending {
		return
	}
	l.pending = true
	time.AfterFunc(max(0, liveEvery-time.Since(l.shown)), func() {
		l.mu.Lock()
		v := l.latest
		l.pending = false
		l.shown = time.Now()
		l.mu.Unlock()
		show(v)
	})
}

func newSyncPage(a *App) *syncPage {
	p := &syncPage{a: a}
	p.bar = widget.NewProgressBar()
	p.barBox = container.NewThemeOverride(p.bar, appTheme{})
	p.counts = newTextBlock("")
	p.state = newTextBlockWithStyle("", fyne.TextStyle{Bold: true})
	p.detail = newTextBlock("")
	p.startB = newMainButton(T("sync.start"), theme.MediaPlayIcon(), p.start)
	p.cancelB = widget.NewButtonWithIcon(T("sync.cancel"), theme.CancelIcon(), func() {
		if p.cancel != nil {
			p.cancel()
		}
	})
	p.cancelB.Hide()
	// When the authorization is gone a resume cannot work: offer the scan.
	p.rescanB = newMainButton(T("sync.rescan"), theme.ViewRefreshIcon(), func() {
		if a.wiz.GoTo(a.ctx, flow.StepAuthorize) == nil {
			a.show(flow.StepAuthorize)
		}
	})
	p.rescanB.Hide()
	p.raw = container.NewStack()
	p.root = container.NewVBox(title(T("sync.title")), p.barBox, p.state, p.counts, p.detail, container.NewHBox(p.startB, p.cancelB, p.rescanB), p.raw)
	return p
}

func (p *syncPage) view() fyne.CanvasObject { return p.root }

// shown draws the page from flow's view of the stored sync, and starts a
// run where that view says the page starts one (step 3 promised it).
func (p *syncPage) shown() {
	if p.cancel != nil {
		return // a run is going on: its progress is on the page
	}
	wiz := p.a.wiz
	go func() {
		v, err := wiz.SyncView(p.a.ctx)
		do(func() {
			if p.cancel != nil || p.a.wiz != wiz {
				return
			}
			if err != nil {
				p.detail.SetText(errorText(err)) // what is stored cannot be read
				return
			}
			p.render(v)
			if v.AutoStart && p.a.current == page(p) {
				p.start()
			}
		})
	}()
}

func (p *syncPage) leave() {}

// render shows a sync that is not running in this window: the counts,
// how it ended and the buttons flow offers for that end.
func (p *syncPage) render(v flow.SyncView) {
	p.bar.SetValue(max(0, v.Fraction()))
	p.state.Importance = widget.MediumImportance
	if v.Danger {
		p.state.Importance = widget.DangerImportance
	}
	p.state.SetText(text(v.Headline))
	p.detail.SetText(text(v.Detail))
	p.counts.SetText(text(v.Counts))
	p.raw.Objects = nil
	if v.Unexplained {
		p.raw.Objects = []fyne.CanvasObject{staffDetails(v.Err)}
	}
	p.barBox.Theme = appTheme{}
	if v.Danger {
		p.barBox.Theme = failTheme{}
	}
	p.barBox.Refresh()
	p.startB.Hide()
	p.cancelB.Hide()
	p.rescanB.Hide()
	for _, act := range v.Actions {
		switch act {
		case flow.ActionCancel:
			p.cancelB.Show()
		case flow.ActionRescan:
			p.rescanB.Show()
		default:
			p.startB.SetText(T(string(act)))
			p.startB.Show()
		}
	}
	p.a.relayout()
}

// text translates one of flow's sentences.
// text says a flow text; its counts are written with thousands separators
// (flow keeps them as numbers, so what is shown can be checked against
// what is stored).
func text(t flow.Text) string {
	if t.Key == "" {
		return ""
	}
	data := make(map[string]any, len(t.Data))
	for k, v := range t.Data {
		switch n := v.(type) {
		case int64:
			v = flow.Count(n)
		case int:
			v = flow.Count(n)
		}
		data[k] = v
	}
	return Tf(t.Key, data)
}

func (p *syncPage) start() {
	if p.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(p.a.ctx)
	p.cancel = cancel
	p.startB.Hide()
	p.rescanB.Hide()
	p.cancelB.Show()
	p.raw.Objects = nil
	p.state.Importance = widget.MediumImportance
	p.state.SetText(T("sync.state.checking_quota"))
	p.detail.SetText(T("state.sync.live_detail"))
	wiz := p.a.wiz
	go func() {
		// A report handed over after the run ended (its end cancels ctx)
		// is not drawn: the page shows the end.
		show := func(v flow.SyncLive) {
			do(func() {
				if ctx.Err() == nil {
					p.progress(v)
				}
			})
		}
		_, err := wiz.Sync(ctx, flow.SyncOptions{Live: func(v flow.SyncLive) { p.live.report(v, show) },
			Connection: func(r flow.Reach) { do(func() { p.connection(r) }) },
			Quota: func(q flow.QuotaNeed) bool {
				do(func() {
					if q.Known {
						p.detail.SetText(Tf("sync.quota", map[string]any{"Needed": q.Needed, "Remain": q.Remain}))
					}
				})
				return true
			}})
		// How the run ended is said from what it stored, as after a restart.
		v, verr := wiz.SyncView(p.a.ctx)
		do(func() {
			cancel()
			p.cancel = nil
			p.reconnecting = false
			if verr != nil {
				p.detail.SetText(errorText(errors.Join(err, verr)))
			} else {
				p.render(v)
			}
			p.a.refreshNav()
			p.a.refreshSteps(flow.StepSync)
		})
	}()
}

// progress draws a running sync's report, refreshing only what changed.
func (p *syncPage) progress(pr flow.SyncLive) {
	if p.cancel == nil {
		return // a late report of a run that ended: the page shows its end
	}
	if f := pr.Fraction(); f >= 0 && f != p.bar.Value {
		p.bar.SetValue(f)
	}
	setChanged(p.state, T("sync.phase."+pr.Phase))
	counts := text(pr.Counts())
	if pr.ETA > 0 {
		counts = sentences(counts, Tf("state.sync.eta", map[string]any{"ETA": flow.About(pr.ETA, Tf), "Rate": fmt.Sprintf("%.0f", pr.Rate)}))
	}
	setChanged(p.counts, counts)
	if pr.WaitingMinute {
		setChanged(p.detail, T("sync.waiting_minute"))
	}
}

// setChanged sets t's text only when it differs: a refresh of the same
// text is work for the window and nothing for the reader.
func setChanged(t *textBlock, s string) {
	if t.Text != s {
		t.SetText(s)
	}
}

// connection says while the vendor's server does not answer that the sync
// waits for it, and since when it last answered; the line goes as soon as
// the server answers again.
func (p *syncPage) connection(cs flow.Reach) {
	if !cs.Reconnecting {
		if p.reconnecting {
			p.detail.SetText(T("state.sync.live_detail"))
		}
		p.reconnecting = false
		return
	}
	p.reconnecting = true
	last := T("sync.reconnecting.never")
	if !cs.LastOK.IsZero() {
		last = cs.LastOK.Local().Format("15:04:05")
	}
	p.detail.SetText(Tf("sync.reconnecting", map[string]any{"Last": last}))
}
