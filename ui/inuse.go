package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
)

// RunInUse says, in a small window of its own, that the wizard is already
// open on the data folder, until the admin closes it. It reads and writes
// nothing of the folder: the window that holds it keeps its state whole.
func RunInUse(folder string) {
	fa := app.NewWithID("com.oawizard.setup")
	fa.Settings().SetTheme(appTheme{})
	win := fa.NewWindow(T("app.title"))
	win.SetContent(inUseView(folder, win.Close))
	win.Resize(fyne.NewSize(520, 220))
	win.ShowAndRun()
}

// inUseView is the message and its one button.
func inUseView(folder string, done func()) fyne.CanvasObject {
	head := newTextBlockWithStyle(T("inuse.title"), fyne.TextStyle{Bold: true})
	head.SizeName = theme.SizeNameSubHeadingText
	body := newTextBlock(Tf("inuse.body", map[string]any{"Folder": folder}))
	ok := newMainButton(T("inuse.close"), nil, done)
	return container.NewPadded(container.NewVBox(head, body, container.NewHBox(layout.NewSpacer(), ok)))
}
