package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// The step list has one width for the whole session: as wide as its
// longest label in the language in use. A split sized by percentage moved
// its divider whenever a page's minimum width changed.

func stepLabel(s flow.Step) string { return fmt.Sprintf("%d  %s", int(s), T("step."+s.String())) }

// stepsWidth is the widest step button, with the padding the sidebar puts
// around the list.
func stepsWidth() float32 {
	var w float32
	for s := flow.StepAccounts; s <= flow.StepResult; s++ {
		w = max(w, widget.NewButton(stepLabel(s), nil).MinSize().Width)
	}
	return w + 4*theme.Padding()
}

// fixedWidth lays its objects out at width, whatever room the window has.
type fixedWidth struct{ width float32 }

func (l fixedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var h float32
	for _, o := range objs {
		h = max(h, o.MinSize().Height)
	}
	return fyne.NewSize(l.width, h)
}

func (l fixedWidth) Layout(objs []fyne.CanvasObject, s fyne.Size) {
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(fyne.NewSize(l.width, s.Height))
	}
}

// sidebar holds the step list above the note on why the checks matter,
// at the fixed width, with a line between it and the page.
func (a *App) sidebar(why fyne.CanvasObject) fyne.CanvasObject {
	left := container.NewBorder(nil, why, nil, nil, container.NewPadded(a.steps))
	a.side = container.New(fixedWidth{stepsWidth()}, container.NewPadded(left))
	return container.NewHBox(a.side, widget.NewSeparator())
}
