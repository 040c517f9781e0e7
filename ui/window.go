package ui

import "fyne.io/fyne/v2"

// startSize is the window's first size: it fits a 1366×768 laptop at 125 %
// scaling with the taskbar and title bar, the smallest screen admins use.
var startSize = fyne.NewSize(1024, 640)

const (
	prefWidth  = "window.width"
	prefHeight = "window.height"
)

// restoreSize opens the window at the size the admin left it, or at
// startSize the first time.
func (a *App) restoreSize() {
	p := a.fa.Preferences()
	w, h := float32(p.Float(prefWidth)), float32(p.Float(prefHeight))
	if w < 400 || h < 300 {
		w, h = startSize.Width, startSize.Height
	}
	a.win.Resize(fyne.NewSize(w, h))
	a.win.SetCloseIntercept(func() {
		a.saveSize()
		a.win.Close()
	})
}

// saveSize remembers the window's size for the next start.
func (a *App) saveSize() {
	s := a.win.Canvas().Size()
	if s.Width < 400 || s.Height < 300 {
		return
	}
	p := a.fa.Preferences()
	p.SetFloat(prefWidth, float64(s.Width))
	p.SetFloat(prefHeight, float64(s.Height))
}
