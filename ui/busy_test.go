package ui

import (
	"reflect"
	"testing"

	"fyne.io/fyne/v2/widget"
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
	a := onUI(func() *App {
		a := New(fa, Options{DB: db, StartDemo: testStarter, Scenarios: testScenarios(), Scenario: "ok", Clock: walkClock{}})
		a.win.Resize(fitSize)
		act = a.busy
		return a
	})
	t.Cleanup(func() { onUIDo(a.Close) })
	if act == nil || !onUI(func() bool { return running(act) }) {
		t.Fatal("no indicator runs while the demo starts")
	}
	waitFor(t, "step 1", func() bool { return a.current != nil })
	if onUI(func() bool { return running(act) }) {
		t.Error("the indicator still runs on step 1")
	}
}
