package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"oawizard/flow"
)

// qrSide is the QR's size on screen: large enough to scan from a shared
// screen across a video call, small enough that step 3 fits the 546 px a
// 1366×768 laptop at 125 % leaves (where it is 300 screen pixels).
const qrSide = 240

// authorizePage is step 3: the QR code, its code and countdown, and one
// status line per state of the authorization.
type authorizePage struct {
	a         *App
	root      fyne.CanvasObject
	qr        *canvas.Image
	qrBox     *fyne.Container
	left      *fyne.Container
	code      *canvas.Text
	countdown *widget.Label
	state     *textBlock
	detail    *textBlock
	copyBtn   *widget.Button
	openBtn   *widget.Button
	phoneBtn  *widget.Button
	retry     *widget.Button
	settings  *widget.Button // when the connector refuses the project token
	mpBtn     *widget.Button
	mpNote    *textBlock
	title     *textBlock
	howto     *textBlock
	after     *textBlock // what WeChat's answer changed, and what happens next
	auto      context.CancelFunc
	forMP     bool // the current QR authorizes the mini-program
	// onScreen is the latest event with a session: its code is on screen.
	onScreen flow.AuthEvent
	cancel   context.CancelFunc
}

func newAuthorizePage(a *App) *authorizePage {
	p := &authorizePage{a: a}
	p.qr = canvas.NewImageFromImage(nil)
	p.qr.FillMode = canvas.ImageFillContain
	p.qr.ScaleMode = canvas.ImageScalePixels
	p.qr.SetMinSize(fyne.NewSize(qrSide, qrSide))
	white := canvas.NewRectangle(color.White)
	white.SetMinSize(fyne.NewSize(qrSide+24, qrSide+24))
	p.qrBox = container.NewStack(white, container.NewCenter(p.qr))
	p.code = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	p.code.TextSize = 28
	p.code.TextStyle = fyne.TextStyle{Bold: true, Monospace: true}
	p.code.Alignment = fyne.TextAlignCenter
	p.countdown = widget.NewLabel("")
	p.countdown.Alignment = fyne.TextAlignCenter
	p.state = newTextBlockWithStyle("", fyne.TextStyle{Bold: true})
	p.state.SizeName = theme.SizeNameSubHeadingText
	p.detail = newTextBlock("")
	// Both buttons stay disabled while there is no code: copying nothing
	// and saying "copied" would be untrue.
	p.copyBtn = widget.NewButtonWithIcon(T("auth.copy"), theme.ContentCopyIcon(), func() {
		if p.onScreen.Session.QRURL != "" {
			a.copyText(p.onScreen.Session.QRURL)
		}
	})
	p.openBtn = widget.NewButtonWithIcon(T("auth.open"), theme.ComputerIcon(), func() {
		if p.onScreen.Session.PCURL != "" {
			a.openURL(p.onScreen.Session.PCURL)
		}
	})
	p.settings = widget.NewButtonWithIcon(T("auth.open_settings"), theme.SettingsIcon(), a.showSettings)
	p.settings.Hide()
	p.linkButtons()
	p.phoneBtn = widget.NewButtonWithIcon(T("auth.simulate"), theme.MailSendIcon(), p.simulate)
	p.phoneBtn.Importance = widget.WarningImportance
	p.retry = widget.NewButtonWithIcon(T("auth.restart"), theme.ViewRefreshIcon(), func() { p.start() })
	p.retry.Hide()
	p.mpBtn = widget.NewButtonWithIcon(T("auth.mp"), theme.ContentAddIcon(), func() { p.stopAuto(); p.forMP = true; p.start() })
	p.mpBtn.Hide()
	buttons := container.NewHBox(p.copyBtn, p.openBtn)
	if a.demo != nil {
		buttons.Add(p.phoneBtn)
	}
	p.left = container.NewVBox(p.qrBox, p.code, p.countdown, container.NewCenter(buttons))
	p.howto = newTextBlock(T("auth.howto"))
	p.after = newTextBlock("")
	p.after.Hide()
	p.mpNote = newTextBlock(T("auth.mp_note"))
	p.mpNote.Hide()
	p.title = title(T("auth.title"))
	right := container.NewVBox(p.title, p.state, p.detail, p.retry, p.settings, p.after, widget.NewSeparator(), p.howto, p.mpNote, p.mpBtn)
	p.root = container.NewBorder(nil, nil, container.NewPadded(p.left), nil, container.NewVScroll(container.NewPadded(right)))
	return p
}

func (p *authorizePage) view() fyne.CanvasObject { return p.root }

func (p *authorizePage) shown() {
	st := p.a.wiz.State()
	p.showMP(st.Progress.Authorized && !st.MPAuthorized && len(st.MPAppIDs) > 0)
	if st.Progress.Authorized {
		p.setState(Tf("auth.state.authorized", map[string]any{"Name": st.AccountName}), "")
		p.detail.SetText(p.missingText(st.Missing))
		p.left.Hide()
		p.howto.Hide()
		p.revisited()
		return
	}
	p.forMP = false
	p.start()
}

// showMP shows or hides the mini-program's scan and its note. Show and
// Hide, not the field: a note shown lays out its wrapped lines anew.
func (p *authorizePage) showMP(show bool) {
	for _, o := range []fyne.CanvasObject{p.mpBtn, p.mpNote} {
		if show {
			o.Show()
		} else {
			o.Hide()
		}
	}
}

func (p *authorizePage) leave() {
	// Cancelling ends both the authorization and the countdown's loop.
	p.stopAuto()
	if p.cancel != nil {
		p.cancel()
		p.cancel = nil
	}
}

// start follows the status before the QR is shown, so no scan is missed.
func (p *authorizePage) start() {
	p.leave()
	p.retry.Hide()
	p.settings.Hide()
	// No code is shown until the connector has made one.
	p.onScreen = flow.AuthEvent{}
	p.qr.Image = nil
	p.qr.Refresh()
	p.code.Text = ""
	p.code.Refresh()
	p.linkButtons()
	p.left.Show()
	p.howto.Show()
	// The last scan's answer goes with it: a second scan (the
	// mini-program's) must not show the first one's as its own.
	p.after.SetText("")
	p.after.Hide()
	p.setState(T("auth.state.preparing"), "")
	ctx, cancel := context.WithCancel(p.a.ctx)
	p.cancel = cancel
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				do(p.tick)
			}
		}
	}()
	// The mini-program's scan is worded for the mini-program.
	p.title.SetText(T("auth.title"))
	p.howto.SetText(T("auth.howto"))
	authorize := p.a.wiz.Authorize
	if p.forMP {
		p.title.SetText(T("auth.title_mp"))
		p.howto.SetText(T("auth.howto_mp"))
		authorize = p.a.wiz.AuthorizeMiniProgram
		p.mpBtn.Hide()
		p.mpNote.Hide()
	}
	go func() {
		s, err := authorize(ctx, flow.AuthorizeOptions{}, func(ev flow.AuthEvent) { do(func() { p.event(ev) }) })
		do(func() {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				p.stopped(s != nil, err)
				return
			}
			p.a.refreshNav()
			p.a.refreshSteps(flow.StepAuthorize)
			st := p.a.wiz.State()
			p.showMP(!st.MPAuthorized && len(st.MPAppIDs) > 0)
			// Authorization gives real facts: every badge is checked again
			// at once, and the page shows what changed (laying it out
			// again, with the buttons just shown or hidden).
			p.recheckAfterScan()
		})
	}()
}

// event shows one state of the authorization in one short line.
func (p *authorizePage) event(ev flow.AuthEvent) {
	if ev.Session.ID != "" {
		if ev.Session.QRURL != p.onScreen.Session.QRURL {
			p.drawQR(ev.Session.QRURL)
		}
		p.onScreen = ev
		p.code.Text = spaced(ev.Session.Code)
		p.code.Refresh()
		p.linkButtons()
	}
	switch ev.State {
	case flow.AuthWaiting:
		line := T("auth.state.waiting")
		detail := ""
		if ev.Refreshed {
			detail = T("auth.refreshed")
		}
		if ev.Cancelled {
			line, detail = T("auth.state.cancelled"), T("auth.cancelled_detail")
		}
		if detail == "" && p.a.wiz != nil && p.a.wiz.State().AuthLost {
			detail = p.a.lostText()
		}
		p.setState(line, detail)
	case flow.AuthScanned:
		detail := ""
		if ev.Stalled {
			detail = T("wechat.diagnosis.scan_stalled")
		}
		p.setState(T("auth.state.scanned"), detail)
	case flow.AuthAuthorized:
		p.left.Hide()
		p.howto.Hide()
		p.setState(Tf("auth.state.authorized", map[string]any{"Name": ev.Session.NickName}), strings.TrimSpace(p.missingText(ev.Session.Missing)+"\n"+T("auth.next")))
	case flow.AuthWrongAccount:
		p.setState(T("auth.state.wrong"), Tf("auth.wrong_detail", map[string]any{"Expected": ev.Session.ExpectedAppID, "Got": ev.Session.AppID}))
	case flow.AuthFailed:
		p.setState(T("auth.state.failed"), failureReason(ev.Session.Reason))
	case flow.AuthConnectionLost:
		last := T("auth.never")
		if !ev.LastOK.IsZero() {
			last = ev.LastOK.Local().Format("15:04:05")
		}
		key := "auth.lost_detail"
		if p.onScreen.Session.QRURL == "" {
			key = "auth.lost_detail_noqr"
		}
		p.setState(T("auth.state.lost"), Tf(key, map[string]any{"Last": last}))
	}
	p.a.relayout()
}

// stopped says why the authorization cannot go on and offers the way on:
// Settings when the connector refuses the token (scanning again cannot
// help), else a fresh start.
func (p *authorizePage) stopped(hadSession bool, err error) {
	if errors.Is(err, flow.ErrTokenRevoked) {
		p.stopAuto()
		p.left.Hide()
		p.setState(T("auth.state.token_revoked"), T("auth.token_revoked_detail"))
		p.settings.Show()
		p.a.relayout()
		return
	}
	p.retry.Show()
	if !hadSession {
		p.setState(T("auth.state.failed"), errorText(err))
	}
}

// linkButtons lets the admin copy or open the link only once there is one.
func (p *authorizePage) linkButtons() {
	if p.onScreen.Session.QRURL == "" {
		p.copyBtn.Disable()
		p.openBtn.Disable()
		return
	}
	p.copyBtn.Enable()
	p.openBtn.Enable()
}

func (p *authorizePage) missingText(missing []int) string {
	var out []string
	for _, id := range missing {
		out = append(out, T(fmt.Sprintf("perm.%d.missing", id)))
		if flow.ExclusiveSet(id) {
			// WeChat withholds an exclusive set another provider holds
			// without telling the admin: say so, and how to free it.
			out = append(out, T(fmt.Sprintf("wechat.diagnosis.held_elsewhere.%d", id)))
		}
	}
	return strings.Join(out, "\n")
}

func (p *authorizePage) setState(line, detail string) {
	p.state.SetText(line)
	p.detail.SetText(detail)
}

// tick counts down to the code's expiry; the flow replaces it in time.
func (p *authorizePage) tick() {
	if p.onScreen.Session.ExpiresAt.IsZero() || !p.left.Visible() {
		p.countdown.SetText("")
		return
	}
	left := time.Until(p.onScreen.Session.ExpiresAt).Round(time.Second)
	if left < 0 {
		left = 0
	}
	p.countdown.SetText(Tf("auth.countdown", map[string]any{"Left": fmt.Sprintf("%d:%02d", int(left.Minutes()), int(left.Seconds())%60)}))
}

// drawQR renders the landing URL with crisp pixel scaling, dark on white.
func (p *authorizePage) drawQR(u string) {
	q, err := qrcode.New(u, qrcode.Medium)
	if err != nil {
		return
	}
	q.DisableBorder = true
	q.ForegroundColor = color.NRGBA{R: 0x10, G: 0x2a, B: 0x1c, A: 0xff}
	p.qr.Image = q.Image(qrSide)
	p.qr.Refresh()
}

// simulate is the demo's 模拟手机扫码: a simulated phone scans and confirms.
func (p *authorizePage) simulate() {
	// The demo is read here, on the UI goroutine: a scenario switch may
	// replace it while the phone is at work.
	u, demo := p.onScreen.Session.QRURL, p.a.demo
	if u == "" || demo == nil {
		return
	}
	p.phoneBtn.Disable()
	go func() {
		err := demo.ScanAndConfirm(u)
		do(func() {
			p.phoneBtn.Enable()
			// A refused authorization already says why; the phone's own
			// failure would only hide that.
			if err != nil && p.state.Text != T("auth.state.failed") {
				p.detail.SetText(sentences(T("auth.phone_failed"), errorText(err)))
			}
		})
	}()
}

func spaced(code string) string {
	if len(code) == 6 {
		return code[:3] + " " + code[3:]
	}
	return code
}
