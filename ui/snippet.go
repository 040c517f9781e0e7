package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// snippetRows is how many lines of a snippet show before it scrolls.
const snippetRows = 7

// newSnippet shows code the engineer copies: read-only, so typing cannot
// garble it and Tab moves on to the next control (an entry would take
// both), selectable for a part, with a button that copies it whole.
func newSnippet(code string, copyText func(string)) fyne.CanvasObject {
	text := widget.NewLabelWithStyle(code, fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	text.Selectable = true
	scroll := container.NewScroll(text)
	lineH := fyne.MeasureText("M", theme.TextSize(), text.TextStyle).Height
	scroll.SetMinSize(fyne.NewSize(0, snippetRows*lineH+2*theme.InnerPadding()))
	copyBtn := widget.NewButtonWithIcon(T("sdk.copy"), theme.ContentCopyIcon(), func() { copyText(code) })
	return container.NewBorder(nil, container.NewHBox(copyBtn), nil, nil, scroll)
}
