package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/assets"
	"oawizard/flow"
)

// badge shows one check: a status chip with a symbol and a word (never
// colour alone), the evidence, and when it did not pass, the remedy with a
// copyable help link and the self-check buttons.
type badge struct {
	id       string
	root     *fyne.Container
	chipBg   *canvas.Rectangle
	chip     *canvas.Text
	title    *textBlock
	reason   *textBlock
	evidence *textBlock
	raw      *widget.Label // the evidence's field and value, for staff
	rawBox   *widget.Accordion
	remedy   *textBlock
	note     *textBlock
	actions  *fyne.Container
	// self is the admin's own finding, yes or no; choosing it again takes
	// it back.
	self    *widget.RadioGroup
	selfBox *fyne.Container
	help    string
}

// remedyImages names the sketch of the back office that goes with a check.
var remedyImages = map[string]string{
	"oa_verified": "verify", "mp_verified": "principal", "same_principal": "principal",
	"oa_bound": "bind", "mp_bound": "bind", "same_open_account": "bind",
}

// sketch is a back-office picture from assets in the wizard's language
// (name.en.png; the Chinese one is name.png), or nil.
func sketch(name string) fyne.Resource {
	file := name + ".png"
	if Lang() == LangEN {
		file = name + ".en.png"
	}
	b, err := assets.Images.ReadFile("images/" + file)
	if err != nil {
		return nil
	}
	return fyne.NewStaticResource(file, b)
}

// showSketch opens the picture in a dialog.
func showSketch(win fyne.Window, name string) {
	res := sketch(name)
	if res == nil || win == nil {
		return
	}
	img := canvas.NewImageFromResource(res)
	img.FillMode = canvas.ImageFillOriginal
	dialog.ShowCustom(T("sketch.title"), T("sketch.close"), img, win)
}

// newBadge builds a badge; onSelf records a self-check, copy puts text on
// the clipboard, win hosts the sketch dialog.
func newBadge(id string, onSelf func(id, claim string), copyText func(string), win fyne.Window) *badge {
	b := &badge{id: id}
	b.chipBg = canvas.NewRectangle(colUnknown)
	b.chipBg.CornerRadius = 4
	b.chip = canvas.NewText("", color.White)
	b.chip.TextStyle.Bold = true
	b.chip.TextSize = 13
	chip := container.NewStack(b.chipBg, container.NewPadded(b.chip))
	b.title = newTextBlockWithStyle(T("check."+id+".title"), fyne.TextStyle{Bold: true})
	small := func() *textBlock {
		l := newTextBlock("")
		l.SizeName = theme.SizeNameCaptionText
		return l
	}
	b.reason = newTextBlock("")
	b.evidence, b.remedy, b.note = small(), small(), small()
	b.remedy.Importance = widget.WarningImportance
	yes, no := T("self.yes"), T("self.no")
	b.self = widget.NewRadioGroup([]string{yes, no}, nil)
	b.self.Horizontal = true
	b.self.OnChanged = func(s string) {
		claim := map[string]string{yes: flow.StatusPass, no: flow.StatusFail}[s] // "" removes it
		onSelf(id, claim)
	}
	b.selfBox = container.NewHBox(widget.NewLabel(T("self.label")), b.self)
	helpBtn := widget.NewButtonWithIcon(T("help.copy"), theme.ContentCopyIcon(), func() { copyText(b.help) })
	helpBtn.Importance = widget.LowImportance
	b.actions = wrapRow(helpBtn, b.selfBox)
	if name, ok := remedyImages[id]; ok {
		show := widget.NewButtonWithIcon(T("sketch.show"), theme.MediaPhotoIcon(), func() { showSketch(win, name) })
		show.Importance = widget.LowImportance
		b.actions.Objects = append([]fyne.CanvasObject{show}, b.actions.Objects...)
	}
	head := container.NewBorder(nil, nil, nil, container.NewCenter(chip), b.title)
	// Raw evidence is one technical line for staff, not a sentence.
	b.raw = selectable("")
	b.raw.SizeName = theme.SizeNameCaptionText
	// A closed accordion still asks its detail's width: a scroll keeps a
	// long raw value from widening the window.
	b.rawBox = widget.NewAccordion(widget.NewAccordionItem(T("details.staff"), container.NewHScroll(b.raw)))
	b.rawBox.Hide()
	body := container.NewVBox(head, b.reason, b.evidence, b.note, b.remedy, b.actions, b.rawBox)
	bg := canvas.NewRectangle(color.NRGBA{R: 0xf6, G: 0xf7, B: 0xf9, A: 0xff})
	bg.CornerRadius = 6
	b.root = container.NewStack(bg, container.NewPadded(body))
	b.checking()
	return b
}

func (b *badge) setChip(text string, c color.Color) {
	b.chip.Text = text
	b.chipBg.FillColor = c
	b.chip.Refresh()
	b.chipBg.Refresh()
}

// checking shows the badge while its facts are being read.
func (b *badge) checking() {
	b.setChip(T("status.checking"), colBusy)
	b.reason.SetText(T("check.checking"))
	b.evidence.Hide()
	b.rawBox.Hide()
	b.note.Hide()
	b.remedy.Hide()
	b.actions.Hide()
}

// set shows a verdict.
func (b *badge) set(c flow.Check) {
	switch c.Status {
	case flow.StatusPass:
		b.setChip(T("status.pass"), colPass)
	case flow.StatusWarning:
		b.setChip(T("status.warning"), colWarn)
	case flow.StatusFail:
		b.setChip(T("status.fail"), colFail)
	default:
		b.setChip(T("status.unknown"), colUnknown)
	}
	if c.Evidence.Source == flow.SourceSelf {
		b.setChip(b.chip.Text+" · "+T("status.self"), colSelf)
	}
	b.reason.SetText(T(c.Reason))
	b.evidence.SetText(flow.EvidenceText(c, Tf))
	// With no evidence the reason line already says what is missing.
	b.evidence.Hidden = c.Evidence.Source == flow.SourceNone
	// The admin reads where the answer came from in words; the raw field
	// and value (verify_type_info.id = -1) are for staff behind a toggle.
	b.raw.SetText(flow.EvidenceRaw(c.Evidence))
	b.rawBox.Hidden = b.raw.Text == ""
	note := T(c.Note)
	if c.Contradicts {
		note = sentences(T("check.contradicts"), note)
	}
	b.note.SetText(note)
	b.note.Hidden = note == ""
	b.remedy.SetText(T(c.Remedy))
	// The remedy is for what failed; an unknown offers the self-check
	// and the help link instead, to keep six badges on one screen.
	b.remedy.Hidden = c.Status != flow.StatusFail
	b.help = c.Help
	// Self-checks make sense only for what WeChat cannot tell us yet.
	canSelf := c.Status == flow.StatusUnknown || c.Evidence.Source == flow.SourceSelf
	selfable := c.ID != flow.SDKOpenID && c.ID != flow.SDKUnionID
	b.selfBox.Hidden = !(canSelf && selfable)
	b.showSelf(c)
	b.actions.Hidden = c.Status == flow.StatusPass
	b.root.Refresh()
}

// showSelf marks the admin's recorded answer without recording it again.
func (b *badge) showSelf(c flow.Check) {
	sel := ""
	if c.Evidence.Source == flow.SourceSelf {
		sel = map[string]string{flow.StatusPass: T("self.yes"), flow.StatusFail: T("self.no")}[c.Status]
	}
	if b.self.Selected != sel {
		on := b.self.OnChanged
		b.self.OnChanged = nil
		b.self.SetSelected(sel)
		b.self.OnChanged = on
	}
}
