package ui

import (
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"oawizard/flow"
)

// The walks keep what the admin reads at each point as a markup master in
// testdata/walk_<language>_<scenario>_<point>.xml (review changes to them
// like code). A master holds only the part of the page where the point is
// said: what changes run to run (the QR, its code and countdown, rates,
// percentages that depend on timing, the growth chart's days) stays out.

// chinaTime is the zone the admins read times in.
var chinaTime = time.FixedZone("CST", 8*60*60)

func init() {
	// A master shows times as an admin in China reads them, whatever the
	// zone of the machine that runs the tests.
	time.Local = chinaTime
}

// walkClock keeps the wall clock's pace from a fixed morning, so a time the
// wizard works out (when a used-up quota renews) is the same every run,
// while waits and retries still take real time.
type walkClock struct{}

var (
	walkDay   = time.Date(2025, 6, 2, 10, 0, 0, 0, chinaTime)
	walkStart = time.Now()
)

func (walkClock) Now() time.Time                         { return walkDay.Add(time.Since(walkStart)) }
func (walkClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// master names the markup master of a point in a walk.
func master(scenario, point string) string {
	return fmt.Sprintf("walk_%s_%s_%s.xml", Lang(), scenario, point)
}

// assertShows checks the part of the window that region picks against its
// master. The window is laid out afresh at 1024×640 first (Fyne's test
// driver lays out only what is resized), then the parts are drawn one under
// the other as the page stacks them, each at its size on screen so text
// wraps as the admin sees it; they go back to their places afterwards.
func assertShows(t *testing.T, a *App, name string, region func() []fyne.CanvasObject) {
	t.Helper()
	onUIDo(func() {
		a.win.Resize(fyne.NewSize(1366, 768))
		a.win.Resize(fitSize)
		layOutFrames(a) // the frames after a resize
		objs := region()
		at := make([]fyne.Position, len(objs))
		var w, y float32
		for i, o := range objs {
			at[i] = o.Position()
			if !o.Visible() {
				continue
			}
			o.Move(fyne.NewPos(0, y))
			y += o.Size().Height + theme.Padding()
			w = max(w, o.Size().Width)
		}
		// A copy: the page's own list of objects must stay as it is.
		box := container.NewWithoutLayout(append([]fyne.CanvasObject(nil), objs...)...)
		box.Resize(fyne.NewSize(w, max(0, y-theme.Padding())))
		test.AssertObjectRendersToMarkup(t, name, box)
		for i, o := range objs {
			o.Move(at[i])
		}
	})
}

// parentOf is the container in root that holds o itself.
func parentOf(root, o fyne.CanvasObject) *fyne.Container {
	var found *fyne.Container
	eachObject(root, func(c fyne.CanvasObject) {
		if box, ok := c.(*fyne.Container); ok && found == nil {
			for _, child := range box.Objects {
				if child == o {
					found = box
				}
			}
		}
	})
	return found
}

// authorizeRegion is the QR page's right side: the state, what WeChat's
// answer changed and what happens next. The QR, its code and its countdown
// on the left change every run.
func authorizeRegion(p *authorizePage) func() []fyne.CanvasObject {
	return func() []fyne.CanvasObject {
		return []fyne.CanvasObject{p.title, p.state, p.detail, p.retry, p.settings, p.after, p.howto, p.mpNote, p.mpBtn}
	}
}

// syncRegion is how the sync ended and what the page offers next. Where
// the run stopped early the share stored depends on how many calls were in
// flight: the bar and the counts are kept only for a run that reached the end.
func syncRegion(p *syncPage) func() []fyne.CanvasObject {
	return func() []fyne.CanvasObject {
		objs := []fyne.CanvasObject{p.state, p.detail, parentOf(p.root, p.startB), p.raw}
		if p.bar.Value >= 1 {
			objs = append([]fyne.CanvasObject{p.barBox, p.counts}, objs...)
		}
		return objs
	}
}

// resultRegion is the result page down to the growth chart: the figures,
// every badge, and each problem with its explanation and next step. The
// chart's days follow the calendar.
func resultRegion(p *resultPage) func() []fyne.CanvasObject {
	return func() []fyne.CanvasObject {
		box := p.root.Objects[0].(*container.Scroll).Content.(*fyne.Container)
		for i, o := range box.Objects {
			if l, ok := o.(*widget.Label); ok && l.Text == T("result.chart") {
				return box.Objects[:i-1] // and the separator above the chart
			}
		}
		return box.Objects
	}
}

// accountsRegion is step 1 whole: the AppIDs, the message and the badges.
func accountsRegion(p *accountsPage) func() []fyne.CanvasObject {
	return func() []fyne.CanvasObject { return []fyne.CanvasObject{p.root} }
}

// sdkRegion is step 2's proof from data: the file, the two badges and the
// counts. The snippets beside it are fixed texts.
func sdkRegion(p *sdkPage) func() []fyne.CanvasObject {
	return func() []fyne.CanvasObject {
		grid := parentOf(p.root, p.badges[flow.SDKOpenID].root)
		return []fyne.CanvasObject{p.file, p.message, grid, p.counts, p.samples}
	}
}
