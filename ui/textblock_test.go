package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// shownLines is the text block's lines as drawn.
func shownLines(b *textBlock) []*canvas.Text {
	var out []*canvas.Text
	for _, o := range test.WidgetRenderer(b).Objects() {
		out = append(out, o.(*canvas.Text))
	}
	return out
}

// A text block wraps at its width as a Chinese reader expects, grows as
// high as its lines, never asks for more width than its widest word, and
// keeps a label's colour.
func TestTextBlockWrapsAtItsWidth(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(appTheme{})
	// Chinese line breaking: an earlier test may have left English on.
	onUIDo(func() { SetupLanguage(LangZH) })
	onUIDo(func() {
		text := "没有一个粉丝带 unionid：公众号的粉丝无法和小程序、网页用户打通。"
		b := newTextBlock(text)
		b.Importance = widget.DangerImportance
		oneLine := b.MinSize()
		b.Resize(fyne.NewSize(200, oneLine.Height))
		if got := b.MinSize(); got.Height <= oneLine.Height || got.Width > 200 {
			t.Fatalf("at 200 wide it asks for %v (one line: %v)", got, oneLine)
		}
		pad := theme.InnerPadding()
		var joined string
		for i, l := range shownLines(b) {
			if l.Position().X+l.Size().Width > 200-pad || l.Position().Y+l.Size().Height > b.MinSize().Height {
				t.Errorf("line %q at %v, %v leaves the block", l.Text, l.Position(), l.Size())
			}
			if first, _ := utf8.DecodeRuneInString(l.Text); i > 0 && strings.ContainsRune(noLineStart, first) {
				t.Errorf("line %q starts with a closing mark", l.Text)
			}
			if l.Color != theme.Color(theme.ColorNameError) {
				t.Errorf("line %q is not in the danger colour", l.Text)
			}
			joined += l.Text
		}
		if strings.ReplaceAll(joined, " ", "") != strings.ReplaceAll(text, " ", "") {
			t.Fatalf("shown %q, want %q", joined, text)
		}
		b.SetText("短句")
		if n := len(shownLines(b)); n != 1 {
			t.Fatalf("a short text shows on %d lines", n)
		}
		if got := b.MinSize().Height; got != oneLine.Height {
			t.Fatalf("one line is %v high, want %v", got, oneLine.Height)
		}
	})
}
