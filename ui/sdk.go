package ui

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/assets"
	"oawizard/flow"
)

// sdkPage is step 2: the snippets for the engineer, then the proof from
// data: the analytics export of identified users.
type sdkPage struct {
	a        *App
	root     fyne.CanvasObject
	badges   map[string]*badge
	counts   *textBlock
	samples  *textBlock
	progress *widget.ProgressBarInfinite
	message  *textBlock
	// checkFailed: the message is a check's error, which the next check
	// that succeeds takes back.
	checkFailed bool
	file        *textBlock
	// sheet is the workbook sheet the admin chose when two qualified; ""
	// lets the reader choose.
	sheet string
	// reopen reads the last chosen file again, for a retry with a manual
	// column mapping.
	reopen func() (io.ReadCloser, string, int64, error)
	// imports counts the imports begun: a check begun before the latest
	// speaks of a file no longer on the page, and its answer is dropped.
	imports int
}

func snippet(name string) string {
	b, _ := assets.Snippets.ReadFile("snippets/" + name)
	return string(b)
}

func newSDKPage(a *App) *sdkPage {
	p := &sdkPage{a: a, badges: map[string]*badge{}}
	code := p.codeSection()
	save := widget.NewButtonWithIcon(T("sdk.save_brief"), theme.DocumentSaveIcon(), p.saveBrief)
	pick := newMainButton(T("sdk.pick"), theme.FolderOpenIcon(), p.pick)
	row := wrapRow(pick, save)
	if a.demo != nil {
		row.Add(widget.NewButton(T("sdk.demo_export"), p.importDemo))
	}
	intro := newTextBlock(T("sdk.intro"))
	p.progress = widget.NewProgressBarInfinite()
	p.progress.Hide()
	p.file, p.counts, p.samples, p.message = hint(), newTextBlock(""), hint(), hint()
	p.file.Importance = widget.MediumImportance
	p.samples.Importance = widget.MediumImportance
	grid := container.NewGridWithColumns(2)
	for _, id := range flow.SDKChecks {
		b := newBadge(id, a.selfReport, a.copyText, a.win)
		p.badges[id] = b
		grid.Add(b.root)
	}
	drop := newTextBlock(T("sdk.drop"))
	drop.SizeName = theme.SizeNameCaptionText
	rule := newTextBlock(Tf("sdk.rule", map[string]any{"Percent": fmt.Sprintf("%.0f%%", flow.SDKPassShare*100)}))
	rule.SizeName = theme.SizeNameCaptionText
	left := container.NewBorder(title(T("sdk.title")), nil, nil, nil, container.NewVBox(intro, code))
	right := container.NewVBox(title(T("sdk.verify")), row, drop, p.progress, p.file, p.message, grid, rule, p.counts, p.samples)
	p.root = container.NewGridWithColumns(2, left, container.NewVScroll(right))
	a.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) {
		if a.current == page(p) && len(uris) > 0 {
			p.importPath(uris[0].Path())
		}
	})
	return p
}

// codeSection is the snippets for the engineer behind a button that shows
// them: each line of code is a text the window shapes and rasterises when
// first drawn, which made the page's first frame the slowest of the walk,
// and the admin who opens step 2 to check an export does not need them
// drawn. The tabs are made on the first press.
func (p *sdkPage) codeSection() fyne.CanvasObject {
	box := container.NewVBox()
	var tabs *container.AppTabs
	var toggle *widget.Button
	toggle = widget.NewButtonWithIcon(T("sdk.code.show"), theme.MenuExpandIcon(), func() {
		switch {
		case tabs == nil:
			code := func(name string) fyne.CanvasObject { return newSnippet(snippet(name), p.a.copyText) }
			tabs = container.NewAppTabs(
				container.NewTabItem(T("sdk.tab.mp"), code("miniprogram.js")),
				container.NewTabItem(T("sdk.tab.h5"), code("h5.js")))
			box.Add(tabs)
		case tabs.Visible():
			tabs.Hide()
		default:
			tabs.Show()
		}
		if tabs.Visible() {
			toggle.SetText(T("sdk.code.hide"))
			toggle.SetIcon(theme.MenuDropUpIcon())
		} else {
			toggle.SetText(T("sdk.code.show"))
			toggle.SetIcon(theme.MenuExpandIcon())
		}
		p.a.relayout()
	})
	toggle.Alignment = widget.ButtonAlignLeading
	return container.NewVBox(container.NewHBox(toggle), box)
}

func (p *sdkPage) view() fyne.CanvasObject { return p.root }
func (p *sdkPage) leave()                  {}

func (p *sdkPage) shown() {
	for _, b := range p.badges {
		b.checking()
	}
	go p.refreshChecks(p.imports)
}

// refreshChecks shows step 2's view, unless another import began since
// import number n.
func (p *sdkPage) refreshChecks(n int) {
	v, err := p.a.wiz.SDKView(p.a.ctx)
	do(func() {
		if n != p.imports {
			return
		}
		if err != nil {
			setHint(p.message, errorText(err))
			p.checkFailed = true
			return
		}
		if p.checkFailed {
			// A check that failed (the data file busy with the import,
			// say) and then worked must not leave its error on screen.
			setHint(p.message, "")
			p.checkFailed = false
		}
		if v.Imported {
			p.showStats(v.Stats, v.FileName)
		}
		for _, c := range v.Checks {
			if b, ok := p.badges[c.ID]; ok {
				b.set(c)
			}
		}
		p.a.relayout()
	})
}

func (p *sdkPage) pick() {
	if hasNativeOpen {
		go func() {
			path, err := nativeOpen()
			do(func() {
				switch {
				case err != nil:
					p.pickInWindow() // the system's dialog failed: ours still works
				case path != "":
					p.importPath(path)
				}
			})
		}()
		return
	}
	p.pickInWindow()
}

// pickInWindow is Fyne's file dialog, made roomy: Linux's, and the fallback.
func (p *sdkPage) pickInWindow() {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		r.Close()
		p.importPath(path)
	}, p.a.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".txt", ".xlsx"}))
	// Fyne's default is a cramped 510×370; this still fits 1024×640.
	d.Resize(fyne.NewSize(900, 560))
	d.Show()
}

func (p *sdkPage) importPath(path string) {
	p.reopen = func() (io.ReadCloser, string, int64, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, filepath.Base(path), 0, err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, filepath.Base(path), 0, err
		}
		return f, fi.Name(), fi.Size(), nil
	}
	p.sheet = ""
	p.start(nil)
}

// importDemo imports the scenario's sample export (demo mode only).
func (p *sdkPage) importDemo() {
	p.reopen = func() (io.ReadCloser, string, int64, error) {
		var buf bytes.Buffer
		if err := p.a.demo.WriteSDKExport(&buf); err != nil {
			return nil, "", 0, err
		}
		return io.NopCloser(&buf), demoExportName, int64(buf.Len()), nil
	}
	p.sheet = ""
	p.start(nil)
}

// demoExportName is the file name the demo's sample export goes by.
const demoExportName = "demo-export.csv"

func (p *sdkPage) start(m *flow.ImportMapping) {
	r, name, size, err := p.reopen()
	if err != nil {
		// Nothing of the new file was read, so the verdicts on the page
		// are still the previous file's: say whose they are.
		msg := Tf("sdk.open_failed", map[string]any{"Name": name, "Reason": errorText(err)})
		if p.counts.Text != "" {
			msg = sentences(msg, T("sdk.open_failed.previous"))
		}
		setHint(p.message, msg)
		return
	}
	p.run(r, name, size, m)
}

// run imports off the UI thread with a progress bar; a file without a
// recognisable header gets the manual column mapping.
func (p *sdkPage) run(r io.ReadCloser, name string, size int64, m *flow.ImportMapping) {
	p.progress.Show()
	p.progress.Start()
	setHint(p.message, "")
	p.checkFailed = false
	setHint(p.file, Tf("sdk.importing", map[string]any{"Name": name}))
	// The badges and counts on screen are the previous file's: from now
	// on they are being worked out again, for this one.
	p.forgetShown()
	go func() {
		defer r.Close()
		stats, err := p.a.wiz.ImportExport(p.a.ctx, r, name, size, flow.ImportOptions{Mapping: m, Sheet: p.sheet, Progress: importProgress(name, size, p.file)})
		do(func() {
			p.progress.Stop()
			p.progress.Hide()
			var ie *flow.ImportError
			if err != nil {
				setHint(p.file, name)
				setHint(p.message, importErrorText(err))
				switch {
				case errors.As(err, &ie) && ie.Kind == flow.ImportNoHeader && len(ie.Preview) > 0:
					p.askMapping(ie.Preview)
				case errors.As(err, &ie) && ie.Kind == flow.ImportSheetChoice && len(ie.Sheets) > 0:
					p.askSheet(ie.Sheets, m)
				}
				p.a.relayout()
				go p.refreshChecks(p.imports) // flow forgot the export before: unknown now
				return
			}
			p.showStats(stats, name)
			p.a.relayout()
			go p.refreshChecks(p.imports)
		})
	}()
}

// forgetShown takes the previous file's verdicts and counts off the page,
// and any check still under way for it.
func (p *sdkPage) forgetShown() {
	p.imports++
	for _, b := range p.badges {
		b.checking()
	}
	p.counts.SetText("")
	setHint(p.samples, "")
}

func (p *sdkPage) showStats(s flow.ImportStats, name string) {
	file := Tf("sdk.file", map[string]any{"Name": name, "Format": formatName(s.Format)})
	if s.Sheet != "" {
		file += "\n" + Tf("sdk.sheet", map[string]any{"Name": s.Sheet})
	}
	setHint(p.file, file)
	lines := []string{Tf("sdk.counts", map[string]any{"Rows": flow.Count(s.Rows), "OpenID": flow.Count(s.WithOpenID), "UnionID": flow.Count(s.WithUnionID),
		"Share": fmt.Sprintf("%.0f%%", s.UnionIDShare*100), "Malformed": s.MalformedOpenID + s.MalformedUnionID,
		"Duplicates": s.DuplicateOpenID, "Blank": s.Blank})}
	lines = append(lines, problemLines(s)...)
	if s.UnclosedQuotes > 0 {
		lines = append(lines, Tf("sdk.unclosed", map[string]any{"Count": s.UnclosedQuotes, "Lines": lineList(s.UnclosedQuoteLines, s.UnclosedQuotes)}))
	}
	p.counts.SetText(strings.Join(lines, "\n"))
	var samples []string
	for _, u := range s.Samples {
		samples = append(samples, u.OpenID+"  "+u.UnionID)
	}
	setHint(p.samples, T("sdk.samples")+"\n"+strings.Join(samples, "\n"))
}

// askMapping lets the admin point at the openid and unionid columns.
func (p *sdkPage) askMapping(preview [][]string) {
	header := preview[0]
	var cols []string
	for i, h := range header {
		cols = append(cols, fmt.Sprintf("%d: %s", i+1, h))
	}
	none := T("sdk.map.none")
	openSel := widget.NewSelect(cols, nil)
	unionSel := widget.NewSelect(append([]string{none}, cols...), nil)
	unionSel.SetSelected(none)
	hasHeader := widget.NewCheck(T("sdk.map.header"), nil)
	hasHeader.SetChecked(true)
	form := []*widget.FormItem{
		widget.NewFormItem(T("sdk.map.openid"), openSel),
		widget.NewFormItem(T("sdk.map.unionid"), unionSel),
		widget.NewFormItem("", hasHeader),
	}
	dialog.ShowForm(T("sdk.map.title"), T("sdk.map.ok"), T("sdk.map.cancel"), form, func(ok bool) {
		if !ok || openSel.SelectedIndex() < 0 {
			return
		}
		m := &flow.ImportMapping{OpenID: openSel.SelectedIndex(), UnionID: unionSel.SelectedIndex() - 1, HeaderRow: 0}
		if !hasHeader.Checked {
			m.HeaderRow = -1
		}
		p.start(m)
	}, p.a.win)
}

// saveBrief writes what the engineer needs into a file of the admin's choice.
func (p *sdkPage) saveBrief() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		p.writeBrief(w)
	}, p.a.win)
	d.SetFileName("unionid-sdk-guide.md")
	d.Show()
}

// writeBrief writes the engineer's guide into w and says where it went.
func (p *sdkPage) writeBrief(w fyne.URIWriteCloser) {
	_, err := io.WriteString(w, engineerBrief())
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		dialog.ShowError(errors.New(errorText(err)), p.a.win)
		return
	}
	p.a.showSaved(T("sdk.saved"), w.URI())
}

func engineerBrief() string {
	return T("brief.intro") + "\n\n## " + T("sdk.tab.mp") + "\n\n```js\n" + snippet("miniprogram.js") + "```\n\n## " +
		T("sdk.tab.h5") + "\n\n```js\n" + snippet("h5.js") + "```\n\n" + T("brief.verify") + "\n"
}

// importProgress shows rows read, the share of the file and the row rate,
// at most four times a second.
func importProgress(name string, size int64, label *textBlock) func(int64, int) {
	start := time.Now()
	var last time.Time
	return func(read int64, rows int) {
		now := time.Now()
		if now.Sub(last) < 250*time.Millisecond {
			return
		}
		last = now
		pct := "…"
		if size > 0 {
			pct = fmt.Sprintf("%.0f%%", float64(read)*100/float64(size))
		}
		rate := int(float64(rows) / max(now.Sub(start).Seconds(), 0.001))
		text := Tf("sdk.importing_progress", map[string]any{"Name": name, "Rows": rows, "Percent": pct, "Rate": rate})
		do(func() { setHint(label, text) })
	}
}

// formatName says in words what kind of file was read; a kind without words
// (none today) is shown as the reader named it.
func formatName(f string) string {
	if w := T("sdk.format." + f); w != "sdk.format."+f {
		return w
	}
	return f
}
