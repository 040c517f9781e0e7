package ui

import (
	"context"
	"errors"
	"fmt"

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
	startB  *widget.Button
	cancelB *widget.Button
	rescanB *widget.Button
	raw     *fyne.Container // the failure's technical text, for staff
	cancel  context.CancelFunc
	last    flow.SyncProgress
	// reconnecting: the detail line says the server is being reached again.
	reconnecting bool
}

func newSyncPage(a *App) *syncPage {
	p := &syncPage{a: a}
	p.bar = widget.NewProgressBar()
	p.barBox = container.NewThemeOverride(p.bar, appTheme{})
	p.counts = newTextBlock("")
	p.state = newTextBlockWithStyle("", fyne.TextStyle{Bold: true})
	p.detail = newTextBlock("")
	p.startB = widget.NewButtonWithIcon(T("sync.start"), theme.MediaPlayIcon(), p.start)
	p.startB.Importance = widget.HighImportance
	p.cancelB = widget.NewButtonWithIcon(T("sync.cancel"), theme.CancelIcon(), func() {
		if p.cancel != nil {
			p.cancel()
		}
	})
	p.cancelB.Hide()
	// When the authorization is gone a resume cannot work: offer the scan.
	p.rescanB = widget.NewButtonWithIcon(T("sync.rescan"), theme.ViewRefreshIcon(), func() {
		if a.wiz.GoTo(a.ctx, flow.StepAuthorize) == nil {
			a.show(flow.StepAuthorize)
		}
	})
	p.rescanB.Importance = widget.HighImportance
	p.rescanB.Hide()
	p.raw = container.NewStack()
	intro := newTextBlock(T("sync.intro"))
	p.root = container.NewVBox(title(T("sync.title")), intro, p.barBox, p.state, p.counts, p.detail, container.NewHBox(p.startB, p.cancelB, p.rescanB), p.raw)
	return p
}

func (p *syncPage) view() fyne.CanvasObject { return p.root }

func (p *syncPage) shown() {
	if p.cancel != nil {
		return // a run is going on: its progress is on the page
	}
	if !p.a.wiz.State().Progress.SyncEnded {
		p.start()
		return
	}
	// Coming back after a run: say how the latest one ended, as the page
	// said when it did (a sync without unionids is no plain "finished").
	go func() {
		end, ok, err := p.a.wiz.LastSync(p.a.ctx)
		do(func() {
			if p.cancel != nil {
				return
			}
			if err != nil {
				p.detail.SetText(errorText(err)) // how it ended cannot be read
				return
			}
			if !ok {
				p.finished(nil)
				return
			}
			p.last = end.Progress
			if end.Progress.Total > 0 {
				p.bar.SetValue(float64(end.Progress.Stored) / float64(end.Progress.Total))
			}
			p.startB.SetText(T("sync.resume"))
			p.finished(end.Err)
		})
	}()
}

func (p *syncPage) leave() {}

func (p *syncPage) start() {
	if p.cancel != nil {
		return
	}
	ctx, cancel := context.WithCancel(p.a.ctx)
	p.cancel = cancel
	p.startB.Hide()
	p.rescanB.Hide()
	p.cancelB.Show()
	p.state.SetText(T("sync.state.checking_quota"))
	p.detail.SetText("")
	go func() {
		res, err := p.a.wiz.Sync(ctx, flow.SyncOptions{Progress: func(pr flow.SyncProgress) { do(func() { p.progress(pr) }) },
			Connection: func(cs flow.ConnState) { do(func() { p.connection(cs) }) },
			Quota: func(q flow.QuotaReport) bool {
				do(func() {
					if q.Known {
						p.detail.SetText(Tf("sync.quota", map[string]any{"Needed": q.Needed, "Remain": q.Remain}))
					}
				})
				return true
			}})
		do(func() {
			cancel()
			p.cancel = nil
			p.cancelB.Hide()
			p.startB.SetText(T("sync.resume"))
			p.startB.Show()
			if res != nil {
				p.progress(res.Progress)
			}
			p.finished(err)
			p.a.refreshNav()
			p.a.refreshSteps(flow.StepSync)
		})
	}()
}

func (p *syncPage) progress(pr flow.SyncProgress) {
	if pr.Total > 0 {
		p.bar.SetValue(float64(pr.Stored) / float64(pr.Total))
	}
	p.state.SetText(T("sync.phase." + pr.Phase))
	eta := "—"
	if pr.ETA > 0 {
		eta = flow.About(pr.ETA, Tf)
	}
	p.last = pr
	if p.cancel == nil {
		eta = "—" // nothing is running: no time left to estimate
	}
	p.counts.SetText(Tf("sync.counts", map[string]any{"Stored": flow.Count(pr.Stored), "Total": flow.Count(pr.Total), "Union": flow.Count(pr.WithUnionID),
		"Unsub": flow.Count(pr.Unsubscribed), "Rate": fmt.Sprintf("%.0f", pr.Rate), "ETA": eta, "Retries": pr.Retries}))
	if pr.Waiting != "" {
		p.detail.SetText(T("sync.waiting_minute"))
	}
}

// connection says while the vendor's server does not answer that the sync
// waits for it, and since when it last answered; the line goes as soon as
// the server answers again.
func (p *syncPage) connection(cs flow.ConnState) {
	if !cs.Reconnecting {
		if p.reconnecting {
			p.detail.SetText("")
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

// finished says how the run ended and what to do next.
func (p *syncPage) finished(err error) {
	var qe *flow.QuotaError
	p.state.Importance = widget.MediumImportance
	p.barBox.Theme = appTheme{}
	p.raw.Objects = nil
	defer func() {
		if p.state.Importance == widget.DangerImportance {
			p.barBox.Theme = failTheme{}
		}
		p.barBox.Refresh()
	}()
	switch {
	case err == nil && p.last.Stored > 0 && p.last.WithUnionID == 0:
		// Not one follower with a unionid is the very failure this
		// wizard exists to find: never shown as a plain success.
		p.state.Importance = widget.DangerImportance
		p.state.SetText(T("sync.state.no_unionid"))
		p.detail.SetText(T("sync.no_unionid_detail"))
		p.startB.SetText(T("sync.again"))
	case err == nil:
		// The quota line from before the run no longer holds: say what is next.
		p.state.SetText(T("sync.state.done"))
		p.detail.SetText(T("sync.done_detail"))
		p.startB.SetText(T("sync.again"))
	case errors.As(err, &qe):
		p.state.SetText(T("sync.state.quota"))
		p.detail.SetText(Tf("sync.quota_detail", map[string]any{"When": qe.ResumeAt.Local().Format("2006-01-02 15:04")}))
	case errors.Is(err, flow.ErrRevoked):
		p.state.Importance = widget.DangerImportance
		p.state.SetText(T("sync.state.revoked"))
		p.detail.SetText(T("sync.revoked_detail"))
		p.startB.Hide()
		p.rescanB.Show()
	case errors.Is(err, flow.ErrNotPermitted):
		p.state.Importance = widget.DangerImportance
		p.state.SetText(T("sync.state.not_permitted"))
		p.detail.SetText(T("sync.not_permitted_detail"))
	case errors.Is(err, context.Canceled):
		p.state.SetText(T("sync.state.stopped"))
		p.detail.SetText(T("sync.stopped_detail"))
	default:
		p.state.Importance = widget.DangerImportance
		p.state.SetText(T("sync.state.failed"))
		p.detail.SetText(errorText(err))
		p.raw.Objects = []fyne.CanvasObject{staffDetails(err)}
	}
}
