package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Keyboard use: an admin on a call may drive the wizard without the mouse.
// Tab walks the controls (Fyne's own focus order), Enter presses the
// page's main button, and the green main buttons show their focus with a
// ring: Fyne marks a focused button by blending the focus colour into its
// background, which on a green button is all but invisible.

// mainButton is a green (HighImportance) button whose focus is a ring
// round it, and which Enter presses as well as Space.
type mainButton struct {
	widget.Button
	focused bool
	ring    *canvas.Rectangle // set by the renderer
}

// newMainButton is widget.NewButtonWithIcon made a page's main button.
func newMainButton(label string, icon fyne.Resource, tapped func()) *mainButton {
	b := &mainButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.Importance = widget.HighImportance
	b.ExtendBaseWidget(b)
	return b
}

func (b *mainButton) FocusGained() {
	b.focused = true
	b.Button.FocusGained()
}

func (b *mainButton) FocusLost() {
	b.focused = false
	b.Button.FocusLost()
}

// TypedKey presses the button on Enter too: it is what a keyboard user
// presses to go on.
func (b *mainButton) TypedKey(ev *fyne.KeyEvent) {
	if isEnter(ev) && !b.Disabled() {
		b.Tapped(nil)
		return
	}
	b.Button.TypedKey(ev)
}

// focusRingColor is dark enough to stand out from the green button and
// from the light window behind it.
var focusRingColor = color.NRGBA{R: 0x1f, G: 0x2d, B: 0x3d, A: 0xff}

// focusRingWidth is the ring's stroke.
const focusRingWidth = 2.5

func (b *mainButton) CreateRenderer() fyne.WidgetRenderer {
	b.ExtendBaseWidget(b)
	ring := canvas.NewRectangle(color.Transparent)
	ring.StrokeColor = focusRingColor
	ring.StrokeWidth = focusRingWidth
	ring.CornerRadius = theme.SizeForWidget(theme.SizeNameInputRadius, b)
	b.ring = ring
	r := &mainButtonRenderer{WidgetRenderer: b.Button.CreateRenderer(), b: b, ring: ring}
	r.showRing()
	return r
}

// hasRing tells whether the ring is drawn now (tests read it).
func (b *mainButton) hasRing() bool {
	return b.ring != nil && b.ring.Visible()
}

type mainButtonRenderer struct {
	fyne.WidgetRenderer
	b    *mainButton
	ring *canvas.Rectangle
}

func (r *mainButtonRenderer) Objects() []fyne.CanvasObject {
	return append(r.WidgetRenderer.Objects(), r.ring)
}

func (r *mainButtonRenderer) Layout(s fyne.Size) {
	r.WidgetRenderer.Layout(s)
	// Inside the button's own bounds: a container clips nothing, but a
	// neighbour drawn later would cover a ring drawn outside.
	r.ring.Move(fyne.NewPos(focusRingWidth/2, focusRingWidth/2))
	r.ring.Resize(s.SubtractWidthHeight(focusRingWidth, focusRingWidth))
}

func (r *mainButtonRenderer) Refresh() {
	r.WidgetRenderer.Refresh()
	r.showRing()
}

func (r *mainButtonRenderer) showRing() {
	r.ring.Hidden = !r.b.focused || r.b.Disabled()
	r.ring.Refresh()
}

func isEnter(ev *fyne.KeyEvent) bool {
	return ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter
}

// bindKeys lets Enter press the page's main button when no control has
// the keyboard (a focused control hears its keys itself).
func (a *App) bindKeys() {
	bindCopy(a.win.Canvas()) // Ctrl+C copies the text selected in a line
	a.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if isEnter(ev) {
			a.pressMain()
		}
	})
}

// pressMain presses the page's main button: Next where the step has one,
// else the page's own green button (the result's export).
func (a *App) pressMain() {
	if b := mainIn(a.nav); b != nil {
		b.Tapped(nil)
		return
	}
	if b := mainIn(a.body); b != nil {
		b.Tapped(nil)
	}
}

// mainIn is the first visible, enabled green button in o, or nil.
func mainIn(o fyne.CanvasObject) fyne.Tappable {
	var found fyne.Tappable
	eachVisible(o, func(c fyne.CanvasObject) {
		if found != nil {
			return
		}
		switch b := c.(type) {
		case *mainButton:
			if !b.Disabled() {
				found = b
			}
		case *widget.Button:
			if b.Importance == widget.HighImportance && !b.Disabled() {
				found = b
			}
		}
	})
	return found
}

// eachVisible calls f on o and on everything visible inside it, in order.
func eachVisible(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, child := range c.Objects {
			eachVisible(child, f)
		}
	case *container.Scroll:
		eachVisible(c.Content, f)
	case *container.Split:
		eachVisible(c.Leading, f)
		eachVisible(c.Trailing, f)
	}
}
