package ui

// comeForward shows the window and asks for the focus each time forward
// delivers, until the window closes: a later launch on the same data
// folder asks for this through it rather than opening a second window.
func (a *App) comeForward(forward <-chan struct{}) {
	for {
		select {
		case <-a.ctx.Done():
			return
		case <-forward:
			do(func() {
				a.win.Show()
				a.win.RequestFocus()
			})
		}
	}
}
