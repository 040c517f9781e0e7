package ui

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
)

// Selecting part of a text block: staff on a call read out an id or a
// code from a status or evidence line, and copy just that. A press and a
// drag select the characters between them, across lines; a double-click
// selects the word (an id, a code, a run of Chinese). The selection shows
// as a tint behind the selected characters, and Ctrl+C (Cmd+C on macOS)
// or the right-click menu copies it.
//
// A text block does not take the keyboard: Tab would otherwise stop at
// every line of the window. So the window has one selection at a time,
// held by selectedBlock, and the window's own copy shortcut (bindCopy)
// copies it.

// textPos is a place between characters: a line of the block as drawn
// and a count of runes from that line's start.
type textPos struct{ line, col int }

func (p textPos) before(q textPos) bool {
	return p.line < q.line || p.line == q.line && p.col < q.col
}

// textSelection is the part of a block selected, on the lines it was
// selected on: when the text or the wrap changes, it is dropped.
type textSelection struct {
	lines          []string
	anchor, cursor textPos
	dragging       bool

	pressed bool          // the primary button is down on the block
	press   fyne.Position // where it went down
}

// empty tells whether nothing is selected.
func (s *textSelection) empty() bool {
	return s.lines == nil || s.anchor == s.cursor
}

// span is the selection from its first to its last character.
func (s *textSelection) span() (from, to textPos) {
	if s.cursor.before(s.anchor) {
		return s.cursor, s.anchor
	}
	return s.anchor, s.cursor
}

// selectedBlock is the block holding the window's selection, or nil.
// Only Fyne's goroutine reads or writes it.
var selectedBlock *textBlock

// Cursor is the text cursor, as over a selectable label.
func (t *textBlock) Cursor() desktop.Cursor { return desktop.TextCursor }

// MouseDown starts afresh: a click drops any selection in the window.
func (t *textBlock) MouseDown(ev *desktop.MouseEvent) {
	if ev.Button != desktop.MouseButtonPrimary {
		return // a right-click keeps the selection to copy it
	}
	clearSelection()
	t.sel.pressed, t.sel.press = true, ev.Position
}

func (t *textBlock) MouseUp(ev *desktop.MouseEvent) {
	if ev.Button == desktop.MouseButtonPrimary {
		t.sel.pressed = false
	}
}

// Dragged selects from where the drag started to where the mouse is.
func (t *textBlock) Dragged(ev *fyne.DragEvent) {
	if !t.sel.dragging {
		start := ev.Position.Subtract(ev.Dragged)
		if t.sel.pressed {
			start = t.sel.press
		}
		t.startSelection()
		t.sel.dragging = true
		t.sel.anchor = t.posAt(start)
		t.sel.cursor = t.sel.anchor
	}
	if to := t.posAt(ev.Position); to != t.sel.cursor {
		t.sel.cursor = to
		t.Refresh()
	}
}

// DragEnd keeps what was selected; a drag that selected nothing leaves
// no selection.
func (t *textBlock) DragEnd() {
	t.sel.dragging, t.sel.pressed = false, false
	if t.sel.empty() {
		t.clearSelection()
	}
}

// DoubleTapped selects the word under the mouse.
func (t *textBlock) DoubleTapped(ev *fyne.PointEvent) {
	at := t.posAt(ev.Position)
	lines := t.lines(t.Size().Width)
	if at.line >= len(lines) {
		return
	}
	from, to := wordAround([]rune(lines[at.line]), at.col)
	if from == to {
		return
	}
	t.startSelection()
	t.sel.anchor, t.sel.cursor = textPos{at.line, from}, textPos{at.line, to}
	t.Refresh()
}

// startSelection makes this block hold the window's selection, on the
// lines drawn now.
func (t *textBlock) startSelection() {
	if selectedBlock != t {
		clearSelection()
	}
	selectedBlock = t
	t.sel = textSelection{lines: t.lines(t.Size().Width), pressed: t.sel.pressed, press: t.sel.press}
}

// clearSelection drops the window's selection, wherever it is.
func clearSelection() {
	if b := selectedBlock; b != nil {
		b.clearSelection()
	}
}

// clearSelection drops this block's selection and redraws it if one was
// shown.
func (t *textBlock) clearSelection() {
	shown := !t.sel.empty()
	t.dropSelection()
	if shown {
		t.Refresh()
	}
}

// dropSelection forgets the selection without redrawing.
func (t *textBlock) dropSelection() {
	t.sel = textSelection{}
	if selectedBlock == t {
		selectedBlock = nil
	}
}

// selectedText is the text selected, lines joined by "\n"; empty when
// nothing is.
func (t *textBlock) selectedText() string {
	if t.sel.empty() {
		return ""
	}
	from, to := t.sel.span()
	var parts []string
	for i := from.line; i <= to.line && i < len(t.sel.lines); i++ {
		r := []rune(t.sel.lines[i])
		a, b := 0, len(r)
		if i == from.line {
			a = min(from.col, len(r))
		}
		if i == to.line {
			b = min(to.col, len(r))
		}
		parts = append(parts, string(r[a:max(a, b)]))
	}
	return strings.Join(parts, "\n")
}

// posAt is the place between characters nearest p: above the first line,
// the text's start; below the last, its end.
func (t *textBlock) posAt(p fyne.Position) textPos {
	lines := t.lines(t.Size().Width)
	if len(lines) == 0 {
		return textPos{}
	}
	pad := t.padding()
	lineH := t.measure("M").Height
	if p.Y < pad {
		return textPos{}
	}
	line := int((p.Y - pad) / lineH)
	if line >= len(lines) {
		last := len(lines) - 1
		return textPos{last, len([]rune(lines[last]))}
	}
	return textPos{line, t.colAt(lines[line], p.X-pad)}
}

// colAt is the number of runes of line before x: a character counts once
// x passes its middle.
func (t *textBlock) colAt(line string, x float32) int {
	r := []rune(line)
	var prev float32
	for i := range r {
		next := t.width(string(r[:i+1]))
		if x < (prev+next)/2 {
			return i
		}
		prev = next
	}
	return len(r)
}

// wordAround is the run of runes of one kind around col: letters, digits
// and the marks an id or a host is written with; a run of Chinese; or one
// other character. A full stop or colon ending a run ends the sentence,
// not the id.
func wordAround(r []rune, col int) (from, to int) {
	if len(r) == 0 {
		return 0, 0
	}
	if col >= len(r) {
		col = len(r) - 1
	}
	kind := runeKind(r[col])
	if kind == 0 {
		return col, col + 1
	}
	from, to = col, col+1
	for from > 0 && runeKind(r[from-1]) == kind {
		from--
	}
	for to < len(r) && runeKind(r[to]) == kind {
		to++
	}
	for to > from+1 && strings.ContainsRune(".:", r[to-1]) {
		to--
	}
	return from, to
}

// runeKind sorts runes for wordAround: 1 a word or an id, 2 Chinese, 0
// anything else (a space or a mark, selected alone).
func runeKind(c rune) int {
	switch {
	case unicode.Is(unicode.Han, c):
		return 2
	case unicode.IsLetter(c) || unicode.IsDigit(c) || strings.ContainsRune("_-.@:/", c):
		return 1
	}
	return 0
}

// selectionMarks places one tinted rectangle behind the selected
// characters of each line, reusing marks; none when nothing is selected.
func (t *textBlock) selectionMarks(marks []fyne.CanvasObject, lines []string, pad, lineH float32) []fyne.CanvasObject {
	if !t.sel.empty() && !sameLines(t.sel.lines, lines) {
		t.dropSelection() // the text or the wrap changed under it
	}
	if t.sel.empty() {
		return marks[:0]
	}
	col := theme.ColorForWidget(theme.ColorNameSelection, t)
	from, to := t.sel.span()
	n := 0
	for i := from.line; i <= to.line; i++ {
		r := []rune(lines[i])
		a, b := 0, len(r)
		if i == from.line {
			a = min(from.col, len(r))
		}
		if i == to.line {
			b = min(to.col, len(r))
		}
		if a >= b {
			continue // a drag that ends at a line's start selects none of it
		}
		if n == len(marks) {
			marks = append(marks, canvas.NewRectangle(col))
		}
		rect := marks[n].(*canvas.Rectangle)
		if rect.FillColor != col {
			rect.FillColor = col
			rect.Refresh()
		}
		x1, x2 := t.width(string(r[:a])), t.width(string(r[:b]))
		rect.Move(fyne.NewPos(pad+x1, pad+float32(i)*lineH))
		rect.Resize(fyne.NewSize(x2-x1, lineH))
		n++
	}
	return marks[:n]
}

func sameLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// bindCopy lets the copy shortcut (Ctrl+C, Cmd+C on macOS) copy the text
// selected in a block on c. A focused control that copies (an entry, a
// selectable label) hears the shortcut itself.
func bindCopy(c fyne.Canvas) {
	c.AddShortcut(&fyne.ShortcutCopy{}, func(fyne.Shortcut) {
		b := selectedBlock
		if b == nil || !shownOn(c, b) {
			return
		}
		if s := b.selectedText(); s != "" {
			fyne.CurrentApp().Clipboard().SetContent(s)
		}
	})
}

// shownOn tells whether o is shown on c now: a block the page hid, or
// left for another page, keeps its selection, which is not the window's
// to copy. Fyne finds a position only for an object it shows; for one it
// does not, it says what it says for nowhere, which nothing shown is at
// (the window's corner is inside its padding).
func shownOn(c fyne.Canvas, o fyne.CanvasObject) bool {
	d := fyne.CurrentApp().Driver()
	if !o.Visible() || d.CanvasForObject(o) != c {
		return false
	}
	return d.AbsolutePositionForObject(o) != d.AbsolutePositionForObject(nowhere)
}

// nowhere is on no canvas.
var nowhere = &canvas.Rectangle{}
