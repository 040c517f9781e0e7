package ui

import "fyne.io/fyne/v2"

// laptopContent is the room a window's content has on the smallest screen
// admins use: a 1366×768 laptop at 125 % scaling gives 1093×614 logical
// pixels, less the taskbar and the title bar.
var laptopContent = fyne.NewSize(1093, 546)

// startSize is the window's first size. Fyne does not tell the screen's
// work area (GLFW's monitor is not reachable through its API), so the
// window opens at a size that fits laptopContent on every screen, a little
// above the content's minimum (689×538), and the admin may enlarge it.
var startSize = fyne.NewSize(1024, 540)

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
