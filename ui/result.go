package ui

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// resultPage shows what is now linked: followers, unionid coverage, the
// overlap with the SDK users, the growth chart and the final badges.
type resultPage struct {
	a      *App
	root   *fyne.Container
	report flow.Report
}

func newResultPage(a *App) *resultPage { return &resultPage{a: a, root: container.NewStack()} }

func (p *resultPage) view() fyne.CanvasObject { return p.root }
func (p *resultPage) leave()                  {}

func (p *resultPage) shown() {
	p.root.Objects = []fyne.CanvasObject{widget.NewActivity()}
	wiz := p.a.wiz
	go func() {
		v, err := wiz.ResultView(p.a.ctx)
		do(func() {
			if p.a.wiz != wiz {
				return
			}
			if err != nil {
				p.root.Objects = []fyne.CanvasObject{newTextBlock(errorText(err))}
				p.root.Refresh()
				return
			}
			p.report = v.Report
			p.root.Objects = []fyne.CanvasObject{p.build(v)}
			p.root.Refresh()
		})
	}()
}

func pct(a, b int64) string {
	if b == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.1f%%", float64(a)*100/float64(b))
}

func (p *resultPage) build(v flow.ResultView) fyne.CanvasObject {
	r := v.Report
	stat := func(value, label string) fyne.CanvasObject {
		v := canvas.NewText(value, theme.Color(theme.ColorNamePrimary))
		v.TextSize = 26
		v.TextStyle.Bold = true
		l := newTextBlock(label)
		l.SizeName = theme.SizeNameCaptionText
		return container.NewVBox(v, l)
	}
	followers := flow.Count(r.Sync.Followers)
	if !v.Sync.Complete && v.Sync.Total > 0 {
		// A partial count never stands alone as the account's followers.
		followers = flow.Count(r.Sync.Followers) + " / " + flow.Count(v.Sync.Total)
	}
	sdkUnion := int64(r.SDK.WithUnionID)
	stats := container.NewGridWithColumns(4,
		stat(followers, T("result.followers")),
		stat(pct(r.Sync.WithUnionID, r.Sync.Followers), T("result.with_unionid")),
		stat(flow.Count(r.Overlap.Matched), Tf("result.matched", map[string]any{"OfSDK": pct(r.Overlap.Matched, sdkUnion), "OfFollowers": fmt.Sprintf("%.1f%%", r.Overlap.ShareOfFollowers*100)})),
		stat(flow.Count(r.Overlap.OpenIDOnly), T("result.openid_only")))
	grid := container.NewGridWithColumns(2)
	for _, c := range r.Checks {
		grid.Add(miniBadge(c))
	}
	export := newMainButton(T("result.export"), theme.DocumentSaveIcon(), p.a.exportReport)
	chartTitle := widget.NewLabelWithStyle(T("result.chart"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	note := widget.NewLabel(T("result.chart_note"))
	note.SizeName = theme.SizeNameCaptionText
	box := container.NewVBox(container.NewBorder(nil, nil, nil, export, title(T("result.title"))))
	box.Add(summaryLine(v))
	if v.Sync.NoUnionID {
		box.Add(problem(T("result.no_unionid")))
	}
	box.Add(stats)
	box.Add(widget.NewSeparator())
	box.Add(grid)
	// Every ✗, ! and ? says why and what to do next, right under the summary.
	for _, c := range v.Problems {
		l := problem(checkExplained(c))
		switch c.Status {
		case flow.StatusWarning:
			l.Importance = widget.WarningImportance
		case flow.StatusUnknown:
			l.Importance = widget.MediumImportance
		}
		box.Add(l)
	}
	box.Objects = append(box.Objects, widget.NewSeparator(), chartTitle, growthChart(r), note)
	return container.NewVScroll(box)
}

// summaryLine is the page's verdict (or why there is none yet), in the
// colour of its tone.
func summaryLine(v flow.ResultView) *textBlock {
	l := newTextBlockWithStyle(text(v.Summary), fyne.TextStyle{Bold: true})
	switch v.Tone {
	case flow.StatusPass:
		l.Importance = widget.SuccessImportance
	case flow.StatusWarning:
		l.Importance = widget.WarningImportance
	case flow.StatusFail:
		l.Importance = widget.DangerImportance
	}
	return l
}

// problem is a wrapped warning line.
func problem(text string) *textBlock {
	l := newTextBlock(text)
	l.Importance = widget.DangerImportance
	return l
}

// checkExplained is a check that did not pass, in words: what it is, why
// (with the wizard's note: how the data showed it, a caveat), and what to
// do; for an unknown, how to make it known.
func checkExplained(c flow.Check) string {
	s := Tf("check.explained", map[string]any{"Status": statusWord(c.Status), "Title": T("check." + c.ID + ".title"), "Reason": T(c.Reason)})
	s = sentences(s, T(c.Note))
	if c.Status == flow.StatusUnknown {
		return sentences(s, T("result.unknown_howto"))
	}
	return sentences(s, T(c.Remedy))
}

// miniBadge is a compact badge for the summary.
func miniBadge(c flow.Check) fyne.CanvasObject {
	col, word := colUnknown, T("status.unknown")
	switch c.Status {
	case flow.StatusPass:
		col, word = colPass, T("status.pass")
	case flow.StatusWarning:
		col, word = colWarn, T("status.warning")
	case flow.StatusFail:
		col, word = colFail, T("status.fail")
	}
	chip := canvas.NewRectangle(col)
	chip.CornerRadius = 4
	t := canvas.NewText(word, color.White)
	t.TextStyle.Bold = true
	name := newTextBlock(T("check." + c.ID + ".title"))
	return container.NewBorder(nil, nil, container.NewStack(chip, container.NewPadded(t)), nil, name)
}

// growthChart draws the cumulative followers as bars with Fyne's own
// canvas: no plotting dependency and it scales with the window.
func growthChart(r flow.Report) fyne.CanvasObject {
	days := r.Growth
	if len(days) == 0 {
		return widget.NewLabel(T("result.no_growth"))
	}
	var hi int
	for _, d := range days {
		hi = max(hi, d.Cumulate)
	}
	// The axis starts at zero: a chart cut off above zero makes 1.5 %
	// growth look like fourfold.
	bars := container.NewGridWithColumns(len(days))
	for _, d := range days {
		h := float32(d.Cumulate) / float32(max(1, hi))
		c := &barCell{bar: canvas.NewRectangle(green), frac: h}
		c.ExtendBaseWidget(c)
		bars.Add(c)
	}
	axis := widget.NewLabel(fmt.Sprintf("%s  %s  →  %s  %s", days[0].Date, flow.Count(days[0].Cumulate), days[len(days)-1].Date, flow.Count(days[len(days)-1].Cumulate)))
	axis.SizeName = theme.SizeNameCaptionText
	tall := canvas.NewRectangle(color.Transparent)
	tall.SetMinSize(fyne.NewSize(0, 140))
	top, zero := widget.NewLabel(flow.Count(hi)), widget.NewLabel("0")
	top.SizeName, zero.SizeName = theme.SizeNameCaptionText, theme.SizeNameCaptionText
	yAxis := container.NewBorder(top, zero, nil, nil)
	box := container.NewBorder(nil, nil, yAxis, nil, container.NewStack(tall, bars))
	return container.NewVBox(box, axis)
}

// barCell is one bar of the chart, drawn from the bottom.
type barCell struct {
	widget.BaseWidget
	bar  *canvas.Rectangle
	frac float32
}

func (b *barCell) CreateRenderer() fyne.WidgetRenderer { return &barRenderer{b: b} }

type barRenderer struct{ b *barCell }

func (r *barRenderer) Layout(s fyne.Size) {
	h := s.Height * r.b.frac
	r.b.bar.Resize(fyne.NewSize(s.Width*0.7, h))
	r.b.bar.Move(fyne.NewPos(s.Width*0.15, s.Height-h))
}
func (r *barRenderer) MinSize() fyne.Size           { return fyne.NewSize(4, 40) }
func (r *barRenderer) Refresh()                     { r.b.bar.Refresh() }
func (r *barRenderer) Objects() []fyne.CanvasObject { return []fyne.CanvasObject{r.b.bar} }
func (r *barRenderer) Destroy()                     {}
