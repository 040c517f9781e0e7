package ui

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// running says whether an activity indicator's animation is on.
func running(act *widget.Activity) bool {
	return reflect.ValueOf(act).Elem().FieldByName("started").Bool()
}

// The indicator shown while the demo starts stops once step 1 takes its
// place: left on, its animation would draw the whole window again sixty
// times a second for a minute, while the sync needs the processor.
func TestBusyIndicatorStopsWhenAPageReplacesIt(t *testing.T) {
	fa, db := testApp(t, LangZH)
	var act *widget.Activity
	var ranAtStart bool
	a := onUI(func() *App {
		a := New(fa, Options{Home: flow.NewHome(db, nil, walkClock{}), StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "ok"})
		a.win.Resize(fitSize)
		// Read in the same turn as New: a fast demo start may put step 1
		// in its place by the next turn of the window's goroutine.
		act = a.busy
		ranAtStart = act != nil && running(act)
		return a
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	if !ranAtStart {
		t.Fatal("no indicator runs while the demo starts")
	}
	waitFor(t, "step 1", func() bool { return a.current != nil })
	if onUI(func() bool { return running(act) }) {
		t.Error("the indicator still runs on step 1")
	}
}

// refreshCounter counts its refreshes.
type refreshCounter struct {
	widget.Label
	n int
}

func (c *refreshCounter) Refresh() { c.n++; c.Label.Refresh() }

type countedPage struct{ c *refreshCounter }

func (p countedPage) view() fyne.CanvasObject { return p.c }
func (countedPage) shown()                    {}
func (countedPage) leave()                    {}

// Opening a page refreshes its widgets once, with the whole window: each
// refresh restyles them all and draws their icons again.
func TestOpeningAPageRefreshesItOnce(t *testing.T) {
	a, _ := openDemo(t, LangZH, "ok")
	c := &refreshCounter{}
	c.ExtendBaseWidget(c)
	onUIDo(func() {
		a.pages[flow.StepResult] = countedPage{c}
		a.show(flow.StepResult)
	})
	if got := onUI(func() int { return c.n }); got != 1 {
		t.Errorf("opening the page refreshed it %d times", got)
	}
}
