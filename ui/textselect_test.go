package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// selectWindow shows text in a block of a window width wide, with the
// window's copy shortcut bound as the wizard binds it.
func selectWindow(t *testing.T, l, text string, width float32) (fyne.Window, *textBlock) {
	t.Helper()
	onUIDo(func() { SetupLanguage(l) })
	test.NewTempApp(t).Settings().SetTheme(appTheme{})
	selectedBlock = nil
	tb := newTextBlock(text)
	w := test.NewWindow(tb)
	bindCopy(w.Canvas())
	w.Resize(fyne.NewSize(width, 300))
	t.Cleanup(w.Close)
	return w, tb
}

// drawnLines is the block's lines as drawn, marks left out.
func drawnLines(tb *textBlock) []*canvas.Text {
	var out []*canvas.Text
	for _, o := range test.WidgetRenderer(tb).Objects() {
		if txt, ok := o.(*canvas.Text); ok {
			out = append(out, txt)
		}
	}
	return out
}

// marksOf is the selection's tint as drawn.
func marksOf(tb *textBlock) []*canvas.Rectangle {
	var out []*canvas.Rectangle
	for _, o := range test.WidgetRenderer(tb).Objects() {
		if r, ok := o.(*canvas.Rectangle); ok && r.Visible() {
			out = append(out, r)
		}
	}
	return out
}

// before is the point in the middle of line's height just before the
// character that follows prefix on it, measured on the drawn text.
func before(t *testing.T, tb *textBlock, line int, prefix string) fyne.Position {
	t.Helper()
	lines := drawnLines(tb)
	if line >= len(lines) || !strings.HasPrefix(lines[line].Text, prefix) {
		t.Fatalf("line %d does not start %q: %q", line, prefix, drawnTexts(tb))
	}
	txt := lines[line]
	x := fyne.MeasureText(prefix, txt.TextSize, txt.TextStyle).Width
	return txt.Position().Add(fyne.NewPos(x, txt.Size().Height/2))
}

func drawnTexts(tb *textBlock) []string {
	var out []string
	for _, l := range drawnLines(tb) {
		out = append(out, l.Text)
	}
	return out
}

// dragAcross presses, drags and lets go as the desktop driver reports it.
func dragAcross(tb *textBlock, from, to fyne.Position) {
	tb.MouseDown(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: from}, Button: desktop.MouseButtonPrimary})
	tb.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: to}, Dragged: fyne.NewDelta(to.X-from.X, to.Y-from.Y)})
	tb.DragEnd()
	tb.MouseUp(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: to}, Button: desktop.MouseButtonPrimary})
}

// click presses and lets go without moving.
func click(tb *textBlock, at fyne.Position) {
	tb.MouseDown(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: at}, Button: desktop.MouseButtonPrimary})
	tb.MouseUp(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: at}, Button: desktop.MouseButtonPrimary})
}

// copyShortcut presses Ctrl+C (Cmd+C on macOS) with no control focused.
func copyShortcut(w fyne.Window) string {
	fyne.CurrentApp().Clipboard().SetContent("")
	w.Canvas().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutCopy{})
	return fyne.CurrentApp().Clipboard().Content()
}

// A drag across part of a line selects exactly the characters between,
// in Chinese and in English, either way, and tints just them.
func TestSelectDragPartOfALine(t *testing.T) {
	for _, c := range []struct {
		lang, text, pre, want string
	}{
		{LangZH, "授权失败：错误码 40164，调用 IP 不在白名单", "授权失败：", "错误码"},
		{LangZH, "授权失败：错误码 40164，调用 IP 不在白名单", "授权失败：错误码 ", "40164"},
		{LangEN, "The AppID wx1234567890abcdef is not verified", "The AppID ", "wx1234567890abcdef"},
	} {
		w, tb := selectWindow(t, c.lang, c.text, 800)
		if n := len(drawnLines(tb)); n != 1 {
			t.Fatalf("%q shows on %d lines at 800 wide", c.text, n)
		}
		from, to := before(t, tb, 0, c.pre), before(t, tb, 0, c.pre+c.want)
		dragAcross(tb, from, to)
		if got := tb.selectedText(); got != c.want {
			t.Errorf("%s: a drag over %q selected %q", c.lang, c.want, got)
		}
		marks := marksOf(tb)
		if len(marks) != 1 {
			t.Fatalf("%s: %d marks for a selection in one line", c.lang, len(marks))
		}
		m := marks[0]
		if m.FillColor != theme.Color(theme.ColorNameSelection) {
			t.Errorf("%s: the selection is tinted %v", c.lang, m.FillColor)
		}
		if !near(m.Position().X, from.X) || !near(m.Position().X+m.Size().Width, to.X) {
			t.Errorf("%s: the tint spans %v–%v, the selection %v–%v", c.lang, m.Position().X, m.Position().X+m.Size().Width, from.X, to.X)
		}
		if objs := test.WidgetRenderer(tb).Objects(); objs[0] != fyne.CanvasObject(m) {
			t.Errorf("%s: the tint is not behind the text", c.lang)
		}

		// Right to left selects the same.
		dragAcross(tb, to, from)
		if got := tb.selectedText(); got != c.want {
			t.Errorf("%s: a drag back over %q selected %q", c.lang, c.want, got)
		}
		if got := copyShortcut(w); got != c.want {
			t.Errorf("%s: Ctrl+C copied %q, want %q", c.lang, got, c.want)
		}
	}
}

func near(a, b float32) bool { return a-b < 0.5 && b-a < 0.5 }

// A drag from one line into the next selects the end of the first and the
// start of the second, joined by a line break: at "\n" and where the
// block wraps a Chinese sentence.
func TestSelectAcrossTwoLines(t *testing.T) {
	_, tb := selectWindow(t, LangEN, "Ticket: verified\nAppID wx1234abcd, openid o-9xY", 800)
	dragAcross(tb, before(t, tb, 0, "Ticket: "), before(t, tb, 1, "AppID wx1234abcd"))
	if got, want := tb.selectedText(), "verified\nAppID wx1234abcd"; got != want {
		t.Errorf("selected %q, want %q", got, want)
	}
	if n := len(marksOf(tb)); n != 2 {
		t.Errorf("%d marks for a selection over two lines", n)
	}

	_, tb = selectWindow(t, LangZH, "没有一个粉丝带 unionid：公众号的粉丝无法和小程序、网页用户打通，请在开放平台绑定。", 200)
	lines := drawnTexts(tb)
	if len(lines) < 2 {
		t.Fatalf("the sentence is not wrapped at 200 wide: %q", lines)
	}
	first, second := []rune(lines[0]), []rune(lines[1])
	if len(first) < 3 || len(second) < 3 {
		t.Fatalf("lines too short to test: %q", lines)
	}
	dragAcross(tb, before(t, tb, 0, string(first[:2])), before(t, tb, 1, string(second[:2])))
	if got, want := tb.selectedText(), string(first[2:])+"\n"+string(second[:2]); got != want {
		t.Errorf("selected %q, want %q", got, want)
	}

	// Past the last line selects to the text's end; above the first, from
	// its start.
	end := fyne.NewPos(10, tb.Size().Height+50)
	dragAcross(tb, fyne.NewPos(10, -5), end)
	if got := tb.selectedText(); got != strings.Join(lines, "\n") {
		t.Errorf("a drag over the whole block selected %q, want %q", got, strings.Join(lines, "\n"))
	}
}

// The right-click menu offers the selection first, and the whole text
// still; with no selection it offers the whole text alone.
func TestCopySelectionByMenu(t *testing.T) {
	for _, l := range []string{LangZH, LangEN} {
		w, tb := selectWindow(t, l, "AppID wx1234abcd 未认证", 800)
		dragAcross(tb, before(t, tb, 0, "AppID "), before(t, tb, 0, "AppID wx1234abcd"))
		if got := copyByMenu(t, w, tb); got != "wx1234abcd" {
			t.Errorf("%s: the menu's first item copied %q, want the selection", l, got)
		}
		test.TapSecondary(tb)
		menu := popUpMenu(w)
		if menu == nil {
			t.Fatalf("%s: no menu", l)
		}
		var labels []string
		for _, it := range menu.Items {
			walkObjects(it, func(o fyne.CanvasObject) {
				if txt, ok := o.(*canvas.Text); ok && txt.Text != "" {
					labels = append(labels, txt.Text)
				}
			})
		}
		if want := []string{T("select.copy"), T("text.copy")}; strings.Join(labels, "|") != strings.Join(want, "|") {
			t.Errorf("%s: the menu offers %q, want %q", l, labels, want)
		}
		menu.Hide()
		if tb.selectedText() != "wx1234abcd" {
			t.Errorf("%s: a right-click dropped the selection", l)
		}

		click(tb, before(t, tb, 0, "AppID"))
		if got := copyByMenu(t, w, tb); got != tb.Text {
			t.Errorf("%s: after a click the menu copied %q, want the whole text", l, got)
		}
	}
	if T("select.copy") == "select.copy" {
		t.Error("the menu's words are missing")
	}
}

// Ctrl+C copies only a selection shown in the window: a click drops it,
// and a selection in one block ends one in another.
func TestCopySelectionByShortcut(t *testing.T) {
	w, tb := selectWindow(t, LangZH, "错误码 40164", 800)
	other := newTextBlock("第二行 wxabc")
	w.SetContent(container.NewVBox(tb, other))
	w.Resize(fyne.NewSize(800, 300))

	fyne.CurrentApp().Clipboard().SetContent("before")
	w.Canvas().(fyne.Shortcutable).TypedShortcut(&fyne.ShortcutCopy{})
	if got := fyne.CurrentApp().Clipboard().Content(); got != "before" {
		t.Errorf("Ctrl+C with nothing selected set the clipboard to %q", got)
	}

	dragAcross(tb, before(t, tb, 0, "错误码 "), before(t, tb, 0, "错误码 40164"))
	if got := copyShortcut(w); got != "40164" {
		t.Errorf("Ctrl+C copied %q", got)
	}
	dragAcross(other, before(t, other, 0, "第二行 "), before(t, other, 0, "第二行 wxabc"))
	if tb.selectedText() != "" || len(marksOf(tb)) != 0 {
		t.Error("a selection in another line left the first one selected")
	}
	if got := copyShortcut(w); got != "wxabc" {
		t.Errorf("Ctrl+C copied %q, want the second line's selection", got)
	}
	click(tb, before(t, tb, 0, "错误"))
	if other.selectedText() != "" || len(marksOf(other)) != 0 {
		t.Error("a click left the selection")
	}
	if got := copyShortcut(w); got != "" {
		t.Errorf("Ctrl+C after a click copied %q", got)
	}

	// A line hidden, in a part hidden, or left for another page is not
	// copied from.
	box := container.NewVBox(other)
	w.SetContent(container.NewVBox(tb, box))
	for _, c := range []struct {
		what       string
		hide, show func()
	}{
		{"a hidden line", other.Hide, other.Show},
		{"a line in a hidden part", box.Hide, box.Show},
		{"a line of another page", func() { w.SetContent(newTextBlock("另一页")) }, func() { w.SetContent(container.NewVBox(tb, box)) }},
	} {
		dragAcross(other, before(t, other, 0, "第二行 "), before(t, other, 0, "第二行 wxabc"))
		if got := copyShortcut(w); got != "wxabc" {
			t.Fatalf("Ctrl+C copied %q before %s", got, c.what)
		}
		c.hide()
		if got := copyShortcut(w); got != "" {
			t.Errorf("Ctrl+C copied %q from %s", got, c.what)
		}
		c.show()
	}
}

// The wizard's window binds the copy shortcut: a line of its first page
// selected by dragging is what Ctrl+C copies.
func TestCopySelectionInTheWizard(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	selected := onUI(func() string {
		var tb *textBlock
		walkObjects(a.win.Canvas().Content(), func(o fyne.CanvasObject) {
			if b, ok := o.(*textBlock); ok && tb == nil && b.Visible() && len([]rune(b.Text)) > 4 && !strings.Contains(b.Text, "\n") {
				tb = b
			}
		})
		if tb == nil {
			return ""
		}
		line := drawnTexts(tb)[0]
		r := []rune(line)
		dragAcross(tb, before(t, tb, 0, string(r[:1])), before(t, tb, 0, string(r[:4])))
		return tb.selectedText()
	})
	if len([]rune(selected)) != 3 {
		t.Fatalf("dragging over three characters of a line selected %q", selected)
	}
	if got := onUI(func() string { return copyShortcut(a.win) }); got != selected {
		t.Errorf("Ctrl+C in the wizard copied %q, want %q", got, selected)
	}
}

// SetText with another text drops the selection and its tint; the same
// text again keeps it.
func TestSelectClearedBySetText(t *testing.T) {
	w, tb := selectWindow(t, LangEN, "Checking wx1234abcd", 800)
	dragAcross(tb, before(t, tb, 0, "Checking "), before(t, tb, 0, "Checking wx1234abcd"))
	tb.SetText("Checking wx1234abcd")
	if tb.selectedText() != "wx1234abcd" {
		t.Errorf("setting the same text dropped the selection")
	}
	tb.SetText("Verified wx1234abcd")
	if got := tb.selectedText(); got != "" {
		t.Errorf("a new text kept the selection %q", got)
	}
	if n := len(marksOf(tb)); n != 0 {
		t.Errorf("a new text still shows %d marks", n)
	}
	if got := copyShortcut(w); got != "" {
		t.Errorf("Ctrl+C after a new text copied %q", got)
	}

	// A wrap that moves the characters drops it too.
	dragAcross(tb, before(t, tb, 0, "Verified "), before(t, tb, 0, "Verified wx1234abcd"))
	w.Resize(fyne.NewSize(90, 300))
	if got := tb.selectedText(); got != "" && len(drawnLines(tb)) > 1 {
		t.Errorf("a new wrap kept the selection %q", got)
	}
}

// Without a selection a block draws its lines and nothing else, before
// any selection and after one ends; a click or a drag that goes nowhere
// selects nothing.
func TestSelectNothingDrawnWithoutSelection(t *testing.T) {
	_, tb := selectWindow(t, LangZH, "没有一个粉丝带 unionid：公众号的粉丝无法和小程序、网页用户打通。", 200)
	onlyLines := func(when string) {
		t.Helper()
		objs := test.WidgetRenderer(tb).Objects()
		for _, o := range objs {
			if _, ok := o.(*canvas.Text); !ok {
				t.Errorf("%s: the block draws a %T", when, o)
			}
		}
		if len(objs) != len(drawnTexts(tb)) || len(objs) < 2 {
			t.Errorf("%s: %d objects for %d lines", when, len(objs), len(drawnTexts(tb)))
		}
	}
	onlyLines("at first")
	at := before(t, tb, 0, "没有")
	click(tb, at)
	onlyLines("after a click")
	dragAcross(tb, at, at.Add(fyne.NewPos(1, 0)))
	if got := tb.selectedText(); got != "" {
		t.Errorf("a drag within one character selected %q", got)
	}
	onlyLines("after a drag that selects nothing")
	dragAcross(tb, at, before(t, tb, 1, ""))
	if len(marksOf(tb)) == 0 {
		t.Fatal("a selection is not drawn")
	}
	click(tb, at)
	onlyLines("after a selection ends")
}

// A double-click selects the id or the code under the mouse, without a
// sentence's full stop; in Chinese, the run of Chinese.
func TestSelectWordByDoubleClick(t *testing.T) {
	_, tb := selectWindow(t, LangEN, "Open the AppID wx1234abcd.", 800)
	at := before(t, tb, 0, "Open the AppID wx12")
	tb.DoubleTapped(&fyne.PointEvent{Position: at})
	if got := tb.selectedText(); got != "wx1234abcd" {
		t.Errorf("a double-click on the id selected %q", got)
	}
	_, tb = selectWindow(t, LangZH, "错误码 40164，请检查", 800)
	tb.DoubleTapped(&fyne.PointEvent{Position: before(t, tb, 0, "错误码 401")})
	if got := tb.selectedText(); got != "40164" {
		t.Errorf("a double-click on the code selected %q", got)
	}
	tb.DoubleTapped(&fyne.PointEvent{Position: before(t, tb, 0, "错误码 40164，请")})
	if got := tb.selectedText(); got != "请检查" {
		t.Errorf("a double-click on Chinese selected %q", got)
	}
}
