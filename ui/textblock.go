package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// textBlock is a wrapped text that breaks its lines as a Chinese reader
// expects (see linebreak.go). It stands in for a widget.Label with
// TextWrapWord, whose breaks only at spaces cut Chinese sentences at odd
// places, and reads like one: Text, SetText, TextStyle, Importance and
// SizeName mean what they mean on a Label, and it is drawn with the same
// padding. Its lines start at the leading edge, as every caller wants.
type textBlock struct {
	widget.BaseWidget
	Text       string
	TextStyle  fyne.TextStyle
	Importance widget.Importance
	SizeName   fyne.ThemeSizeName // theme.SizeNameText when empty

	// The last wrap and widest word, kept: layouts ask for the minimum
	// size often. The wrap is the lines at the last layout: a change in
	// their number needs the parent to lay out again.
	cacheKey  wrapKey
	cache     []string
	widestKey wrapKey
	widest    float32

	sel textSelection // see textselect.go
}

type wrapKey struct {
	text   string
	spaced bool
	width  float32
	size   float32
	style  fyne.TextStyle
}

func newTextBlock(text string) *textBlock {
	t := &textBlock{Text: text}
	t.ExtendBaseWidget(t)
	return t
}

// newTextBlockWithStyle is widget.NewLabelWithStyle for a textBlock.
func newTextBlockWithStyle(text string, style fyne.TextStyle) *textBlock {
	t := newTextBlock(text)
	t.TextStyle = style
	return t
}

// TappedSecondary offers to copy the text, and the part selected when
// there is one: staff on a call read ids, codes and verdicts from these
// lines, and a sentence copied whole is what a ticket or a chat needs.
func (t *textBlock) TappedSecondary(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(t)
	if t.Text == "" || c == nil {
		return
	}
	text := t.Text
	copyIt := fyne.NewMenuItem(T("text.copy"), func() { fyne.CurrentApp().Clipboard().SetContent(text) })
	copyIt.Icon = theme.ContentCopyIcon()
	items := []*fyne.MenuItem{copyIt}
	if part := t.selectedText(); part != "" {
		// What was selected is what was meant: it comes first.
		copyPart := fyne.NewMenuItem(T("select.copy"), func() { fyne.CurrentApp().Clipboard().SetContent(part) })
		copyPart.Icon = theme.ContentCopyIcon()
		items = []*fyne.MenuItem{copyPart, copyIt}
	}
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", items...), c, ev.AbsolutePosition)
}

// SetText shows s, dropping a selection of another text; call it on
// Fyne's goroutine.
func (t *textBlock) SetText(s string) {
	if s != t.Text {
		t.dropSelection()
	}
	t.Text = s
	t.Refresh()
}

func (t *textBlock) CreateRenderer() fyne.WidgetRenderer {
	t.ExtendBaseWidget(t)
	return &textBlockRenderer{t: t}
}

// Resize lays the lines out again, and refreshes when their number changed
// so the parent makes room for them, as Fyne's RichText does. The kept wrap
// holds the last layout's lines; at an unchanged size Fyne lays nothing
// out, so their number changes only with the text.
func (t *textBlock) Resize(s fyne.Size) {
	before := len(t.cache)
	t.BaseWidget.Resize(s)
	if len(t.lines(s.Width)) != before {
		t.Refresh()
	}
}

// spacedWords tells whether the wizard speaks a language that puts spaces
// between words, to break lines as its readers expect.
func spacedWords() bool { return Lang() == LangEN }

func (t *textBlock) textSize() float32 {
	name := t.SizeName
	if name == "" {
		name = theme.SizeNameText
	}
	return theme.SizeForWidget(name, t)
}

func (t *textBlock) padding() float32 {
	return theme.SizeForWidget(theme.SizeNameInnerPadding, t)
}

func (t *textBlock) measure(s string) fyne.Size {
	return fyne.MeasureText(s, t.textSize(), t.TextStyle)
}

func (t *textBlock) width(s string) float32 { return t.measure(s).Width }

// lines is the text broken into lines for a widget width.
func (t *textBlock) lines(width float32) []string {
	key := wrapKey{t.Text, spacedWords(), width - 2*t.padding(), t.textSize(), t.TextStyle}
	if t.cache == nil || key != t.cacheKey {
		t.cacheKey, t.cache = key, wrapText(key.text, key.width, key.spaced, t.width)
	}
	return t.cache
}

// widestWord is the width of the widest run no line may break in.
func (t *textBlock) widestWord() float32 {
	key := wrapKey{text: t.Text, spaced: spacedWords(), size: t.textSize(), style: t.TextStyle}
	if key != t.widestKey {
		t.widestKey, t.widest = key, widestUnit(key.text, key.spaced, t.width)
	}
	return t.widest
}

func (t *textBlock) color() fyne.ThemeColorName {
	switch t.Importance {
	case widget.LowImportance:
		return theme.ColorNameDisabled
	case widget.HighImportance:
		return theme.ColorNamePrimary
	case widget.DangerImportance:
		return theme.ColorNameError
	case widget.WarningImportance:
		return theme.ColorNameWarning
	case widget.SuccessImportance:
		return theme.ColorNameSuccess
	}
	return theme.ColorNameForeground
}

// textBlockRenderer draws one canvas.Text a line, and behind the lines a
// tint for the selection when there is one.
type textBlockRenderer struct {
	t       *textBlock
	texts   []fyne.CanvasObject
	marks   []fyne.CanvasObject // the selection's, one a line
	objects []fyne.CanvasObject // marks then texts
}

func (r *textBlockRenderer) Destroy() {}

func (r *textBlockRenderer) Objects() []fyne.CanvasObject {
	if len(r.marks) == 0 {
		return r.texts
	}
	return r.objects
}

// MinSize is as wide as the widest run no line may break in, so the window
// can still shrink, and as high as the lines at the current width, stacked
// as a Label stacks them whether a line ends at a break or at "\n".
func (r *textBlockRenderer) MinSize() fyne.Size {
	t := r.t
	pad := t.padding()
	height := float32(len(t.lines(t.Size().Width))) * t.measure("M").Height
	return fyne.NewSize(t.widestWord()+2*pad, height+2*pad)
}

func (r *textBlockRenderer) Layout(size fyne.Size) {
	t := r.t
	lines := t.lines(size.Width)
	r.sync(lines)
	pad := t.padding()
	lineH := t.measure("M").Height
	y := pad
	for i, line := range lines {
		txt := r.texts[i].(*canvas.Text)
		txt.Resize(fyne.NewSize(t.width(line), lineH))
		txt.Move(fyne.NewPos(pad, y))
		y += lineH
	}
	r.marks = t.selectionMarks(r.marks, lines, pad, lineH)
	if len(r.marks) > 0 {
		r.objects = append(append(r.objects[:0], r.marks...), r.texts...)
	}
}

// sync makes one canvas.Text a line, styled as the widget says.
func (r *textBlockRenderer) sync(lines []string) {
	t := r.t
	col := theme.ColorForWidget(t.color(), t)
	size := t.textSize()
	for i, line := range lines {
		if i == len(r.texts) {
			r.texts = append(r.texts, canvas.NewText("", col))
		}
		txt := r.texts[i].(*canvas.Text)
		if txt.Text != line || txt.Color != col || txt.TextSize != size || txt.TextStyle != t.TextStyle {
			txt.Text, txt.Color, txt.TextSize, txt.TextStyle = line, col, size, t.TextStyle
			txt.Refresh()
		}
	}
	r.texts = r.texts[:len(lines)]
}

func (r *textBlockRenderer) Refresh() {
	r.Layout(r.t.Size())
	canvas.Refresh(r.t)
}
