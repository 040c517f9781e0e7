package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"oawizard/flow"
)

// exportReport saves the HTML report of where the setup stands now, from
// any step, where the admin chooses. The report is made off the UI
// goroutine: it asks the connector for the accounts' facts.
func (a *App) exportReport() {
	wiz := a.wiz
	if wiz == nil {
		dialog.ShowInformation(T("menu.export"), T("report.not_ready"), a.win)
		return
	}
	src := a.reportSource()
	diag := a.diagInput()
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		go a.writeReport(wiz, w, src, diag)
	}, a.win)
	d.SetFileName(reportFileName(src))
	d.Show()
}

// writeReport writes the report into w off the UI goroutine, with the
// diagnostics asked afresh, and says where it went.
func (a *App) writeReport(wiz *flow.Wizard, w fyne.URIWriteCloser, src flow.ReportSource, diag flow.DiagInput) {
	ctx, cancel := context.WithTimeout(a.ctx, time.Minute)
	defer cancel()
	askHealth(ctx, wiz, &diag)
	src.Diag = &diag
	err := wiz.ExportReport(ctx, w, src, Tf)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	do(func() {
		if err != nil {
			dialog.ShowError(errors.New(T("report.export_failed")+" "+errorText(err)), a.win)
			return
		}
		a.showSaved(T("result.exported"), w.URI())
	})
}

// reportSource is where the report comes from: this version and, in demo
// mode, the scenario by its title in the chosen language.
func (a *App) reportSource() flow.ReportSource {
	src := flow.ReportSource{Version: a.opts.Version}
	if a.demo != nil {
		sc := a.demo.Scenario()
		src.Demo, src.Scenario = true, sc.Title
		if Lang() == LangEN {
			src.Scenario = sc.TitleEN
		}
	}
	return src
}

// reportFileName says "demo" in a demo report's name, so the file is not
// taken for a customer's when it is passed on.
func reportFileName(src flow.ReportSource) string {
	if src.Demo {
		return "unionid-report-DEMO.html"
	}
	return "unionid-report.html"
}
