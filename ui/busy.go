package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// showBusy puts an activity indicator with text in the body.
func (a *App) showBusy(text string) {
	act := widget.NewActivity()
	act.Start()
	a.setBody(container.NewCenter(container.NewVBox(act, widget.NewLabel(text))))
	a.busy = act
}

// setBody shows o in the body, stopping the activity indicator it may
// replace: Fyne keeps an indicator's animation running after it leaves the
// window, until its renderer expires a minute later, and each of the
// animation's 60 ticks a second draws the whole window again, which the
// sync and the pages then wait for on a busy machine.
func (a *App) setBody(o fyne.CanvasObject) {
	a.placeBody(o)
	a.body.Refresh()
}

// placeBody is setBody for a caller that lays the whole window out next:
// each refresh of a page restyles all its widgets and draws every icon
// again from its SVG, on the window's goroutine.
func (a *App) placeBody(o fyne.CanvasObject) {
	if a.busy != nil {
		a.busy.Stop()
		a.busy = nil
	}
	a.body.Objects = []fyne.CanvasObject{o}
}
