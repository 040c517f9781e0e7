package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
)

// wrapLayout puts objects in a row and starts a new row when the width runs
// out. Unlike Fyne's RowWrapLayout its minimum width stays that of the
// widest object, so a window once wide can shrink again.
type wrapLayout struct{ width float32 }

// wrapRow is a row of buttons that wraps instead of widening the window.
func wrapRow(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&wrapLayout{}, objs...)
}

func (l *wrapLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		if o.Visible() {
			w = max(w, o.MinSize().Width)
		}
	}
	if l.width < w {
		// Not laid out yet, or narrower than one object: one per row.
		return fyne.NewSize(w, l.place(objs, w, false))
	}
	return fyne.NewSize(w, l.place(objs, l.width, false))
}

func (l *wrapLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	l.place(objs, size.Width, true)
}

// place lays the objects out in rows of at most width and returns the
// height used; move=false only measures.
func (l *wrapLayout) place(objs []fyne.CanvasObject, width float32, move bool) float32 {
	pad := theme.Padding()
	var x, y, rowH float32
	first := true
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		s := o.MinSize()
		if !first && x+s.Width > width {
			x, y, rowH = 0, y+rowH+pad, 0
		}
		first = false
		if move {
			o.Resize(s)
			o.Move(fyne.NewPos(x, y))
		}
		x += s.Width + pad
		rowH = max(rowH, s.Height)
	}
	return y + rowH
}
