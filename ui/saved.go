package ui

import (
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// showSaved says where a file was saved, by its full path (staff ask for
// it on calls), and offers to open the folder that holds it: a note that
// only says "saved" leaves the admin searching for the file.
func (a *App) showSaved(what string, u fyne.URI) {
	a.status.SetText(what)
	path := newTextBlock(u.Path())
	path.TextStyle.Monospace = true
	body := container.NewVBox(newTextBlock(Tf("saved.where", map[string]any{"What": what})), path)
	if dir, err := storage.Parent(u); err == nil {
		open := widget.NewButtonWithIcon(T("saved.show_folder"), theme.FolderOpenIcon(), func() { a.openFolder(dir) })
		body.Add(container.NewHBox(open))
	}
	dialog.ShowCustom(what, T("saved.close"), body, a.win)
}

// openFolder shows dir in the system's file manager.
func (a *App) openFolder(dir fyne.URI) {
	u, err := url.Parse(dir.String())
	if err != nil {
		noteError(err)
		return
	}
	if err := a.fa.OpenURL(u); err != nil {
		noteError(err)
	}
}
