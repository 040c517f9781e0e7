package ui

import (
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"

	"oawizard/flow"
)

// focusSpy is the window, counting the calls that bring it forward.
type focusSpy struct {
	fyne.Window
	shown, focused atomic.Int32
}

func (w *focusSpy) Show()         { w.shown.Add(1); w.Window.Show() }
func (w *focusSpy) RequestFocus() { w.focused.Add(1); w.Window.RequestFocus() }

// Each request a later launch delivers shows the window and asks for the
// focus, on the window's goroutine.
func TestALaterLaunchBringsTheWindowForward(t *testing.T) {
	fa, db := testApp(t, LangZH)
	forward := make(chan struct{})
	spy := &focusSpy{}
	a := onUI(func() *App {
		a := New(fa, Options{Home: flow.NewHome(db, nil, nil), Forward: forward})
		spy.Window = a.win
		a.win = spy
		return a
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	for i := int32(1); i <= 2; i++ {
		forward <- struct{}{}
		waitFor(t, "the window to come forward", func() bool { return spy.shown.Load() == i && spy.focused.Load() == i })
	}
}
