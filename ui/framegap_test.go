package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"oawizard/flow/store"
)

// The frame-gap benchmark drives the real window (Fyne's GLFW driver, on
// an X display such as Xvfb) through a demo of millions of followers and
// records how long the window's goroutine was ever kept from its next
// frame: while the sync runs and while each page opens. It runs only when
// OAWIZARD_FRAMEGAP names the follower count, and alone in its process:
// the driver's event loop needs the main thread, which TestMain then
// gives it.

// frameGapGoal is the longest a frame may wait.
const frameGapGoal = 100 * time.Millisecond

// mainThread runs what only the process's main thread may run; nil unless
// OAWIZARD_FRAMEGAP is set.
var mainThread chan func()

func TestMain(m *testing.M) {
	if os.Getenv("OAWIZARD_FRAMEGAP") == "" {
		os.Exit(m.Run())
	}
	mainThread = make(chan func())
	go func() { os.Exit(m.Run()) }()
	for f := range mainThread {
		f()
	}
}

// gapProbe measures, again and again, how long a call handed to the
// window's goroutine waits before it runs: that goroutine also lays out
// and paints every frame, so the longest wait is the longest frame gap.
// Beside it, the longest of the window's own calls (what its pages hand to
// fyne.Do) says whether a gap was the pages' work or the drawing.
type gapProbe struct {
	mu    sync.Mutex
	phase string
	worst map[string]time.Duration
	calls map[string]time.Duration // the longest of the window's own calls
	sites map[string]string        // where each phase's longest own call was handed over
	order []string                 // the phases in the order they began
	stop  chan struct{}
	done  chan struct{}
}

func newProbe(phase string) *gapProbe {
	return &gapProbe{phase: phase, order: []string{phase}, worst: map[string]time.Duration{}, calls: map[string]time.Duration{},
		sites: map[string]string{}, stop: make(chan struct{}), done: make(chan struct{})}
}

// start probes until end.
func (p *gapProbe) start() {
	go func() {
		defer close(p.done)
		for {
			select {
			case <-p.stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			start := time.Now()
			fyne.DoAndWait(func() {})
			p.record(p.worst, time.Since(start))
		}
	}()
}

func (p *gapProbe) record(m map[string]time.Duration, d time.Duration) {
	p.mu.Lock()
	m[p.phase] = max(m[p.phase], d)
	p.mu.Unlock()
}

// timed is fyne.Do, timing each call it runs and naming the line of the
// window's code that handed it over.
func (p *gapProbe) timed(f func()) {
	site := "?"
	if _, file, line, ok := runtime.Caller(1); ok {
		site = fmt.Sprintf("%s:%d", filepath.Base(file), line)
	}
	fyne.Do(func() {
		start := time.Now()
		f()
		d := time.Since(start)
		p.mu.Lock()
		if d > p.calls[p.phase] {
			p.calls[p.phase] = d
			p.sites[p.phase] = site
		}
		p.mu.Unlock()
	})
}

// during names what the window is doing from now on.
func (p *gapProbe) during(phase string) {
	p.mu.Lock()
	p.phase = phase
	p.order = append(p.order, phase)
	p.mu.Unlock()
	// Marks the stage in an execution trace (-test.trace) of the run.
	trace.Log(context.Background(), "stage", phase)
}

// end stops probing.
func (p *gapProbe) end() {
	close(p.stop)
	<-p.done
}

func BenchmarkFrameGap(b *testing.B) {
	n := largeFollowers(b, "OAWIZARD_FRAMEGAP")
	if mainThread == nil || n == 0 {
		b.Skip("OAWIZARD_FRAMEGAP is not set")
	}
	if os.Getenv("DISPLAY") == "" {
		b.Fatal("the real window needs an X display (run under xvfb-run)")
	}
	if _, err := SetupLanguage(LangZH); err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(filepath.Join(b.TempDir(), "wizard.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	opts := largeOptions(db, n)
	probe := newProbe("the window's opening")
	// The real window's calls, not the test driver's stand-in.
	do = probe.timed
	opened := make(chan *App)
	var fa fyne.App
	mainThread <- func() {
		fa = app.NewWithID("com.oawizard.framegap")
		a := New(fa, opts)
		a.win.Resize(fitSize)
		opened <- a
		a.win.ShowAndRun()
	}
	a := <-opened
	on := onWindow(fyne.DoAndWait)
	// Probing starts once the window's loop runs: before, the driver is
	// still creating the window (about 100 ms of GLFW's), and no frame
	// has yet been drawn that a later one could be late after.
	on(func() {})
	probe.start()
	b.ResetTimer()
	start := time.Now()
	walkLarge(b, a, on, n, time.Hour, probe.during)
	openEachPage(b, a, on, probe.during)
	probe.end()
	b.StopTimer()
	on(func() { a.Close(); fa.Quit() })

	b.Logf("%d followers, walk and sync %.0f s", n, time.Since(start).Seconds())
	for _, phase := range probe.order {
		gap, probed := probe.worst[phase]
		if !probed {
			continue // over before a probe ran
		}
		b.Logf("longest frame gap during %s: %d ms (goal ≤ %d ms; the window's longest own call %d ms, from %s)",
			phase, gap.Milliseconds(), frameGapGoal.Milliseconds(), probe.calls[phase].Milliseconds(), probe.sites[phase])
		if gap > frameGapGoal {
			b.Errorf("a frame waited %d ms during %s, over %d ms", gap.Milliseconds(), phase, frameGapGoal.Milliseconds())
		}
	}
}
