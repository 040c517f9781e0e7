package flow

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"oawizard/flow/connclient"
	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
)

// Publishing for support: the wizard sends what its admin sees (each
// check's verdict with its words and evidence, the step, the sync's
// progress; ids masked as in the report; never follower data) to the
// connector, which answers with a support code the admin reads out to
// customer-success staff. The admin can turn it off; staff are then told
// it is off, and nothing else is sent.

const (
	publishingKey  = "support_publishing"
	supportCodeKey = "support_code"
)

// Catalogue translates in every language staff may read, keyed by locale
// ("zh-Hans", "en").
type Catalogue map[string]Texts

type savedPublishing struct{ Off bool }

// Publishing tells whether the admin shares progress with support (on
// unless turned off).
func (w *Wizard) Publishing(ctx context.Context) (bool, error) {
	var p savedPublishing
	_, err := w.db.Get(ctx, publishingKey, &p)
	return !p.Off, err
}

// SetPublishing turns sharing with support on or off.
func (w *Wizard) SetPublishing(ctx context.Context, on bool) error {
	if err := w.db.Put(ctx, publishingKey, savedPublishing{Off: !on}); err != nil {
		return err
	}
	w.tell()
	return nil
}

// hear calls f, from the goroutine that made it, after every change
// support sees that is no change of the state: a round of checks, a
// sync's progress and end, sharing turned on or off. The returned function
// stops the calls.
func (w *Wizard) hear(f func()) (stop func()) {
	w.watchMu.Lock()
	defer w.watchMu.Unlock()
	if w.hearers == nil {
		w.hearers = map[int]func(){}
	}
	id := w.nextID
	w.nextID++
	w.hearers[id] = f
	return func() {
		w.watchMu.Lock()
		defer w.watchMu.Unlock()
		delete(w.hearers, id)
	}
}

// tell calls the hearers; see hear.
func (w *Wizard) tell() {
	w.watchMu.Lock()
	fs := make([]func(), 0, len(w.hearers))
	for _, f := range w.hearers {
		fs = append(fs, f)
	}
	w.watchMu.Unlock()
	for _, f := range fs {
		f()
	}
}

// SupportCode is the code the connector last gave, "" before any.
func (w *Wizard) SupportCode(ctx context.Context) (connclient.SupportCode, error) {
	var c connclient.SupportCode
	_, err := w.db.Get(ctx, supportCodeKey, &c)
	return c, err
}

// SupportSnapshot is what would be published now.
func (w *Wizard) SupportSnapshot(ctx context.Context, cat Catalogue) (connclient.Snapshot, error) {
	on, err := w.Publishing(ctx)
	if err != nil || !on {
		return connclient.Snapshot{}, err
	}
	return w.snapshot(ctx, cat)
}

// SetAppVersion names the wizard's version (as Help → About says it) in
// what is published: staff match a customer's behaviour to a release.
func (w *Wizard) SetAppVersion(v string) {
	w.mu.Lock()
	w.appVersion = v
	w.mu.Unlock()
	w.tell()
}

func (w *Wizard) version() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.appVersion
}

// snapshot is what the admin sees now, shared or not: the console's view
// and the diagnostics are both made from it.
func (w *Wizard) snapshot(ctx context.Context, cat Catalogue) (connclient.Snapshot, error) {
	st := w.State()
	s := connclient.Snapshot{Publishing: true, Version: w.version(), OAAppID: st.OAAppID, OAName: st.AccountName,
		Step: cat.words("step."+st.Progress.Step.String(), nil)}
	rows, err := w.db.LatestChecks(ctx)
	if err != nil {
		return s, err
	}
	for _, r := range rows {
		c := verdict.Check{ID: r.CheckID, Status: r.Status}
		if err := json.Unmarshal(r.Evidence, &c.Evidence); err != nil {
			return s, err
		}
		item := connclient.SupportItem{ID: c.ID, Status: c.Status, Title: cat.words("check."+c.ID+".title", nil),
			Reason: cat.words("check."+c.ID+"."+c.Status, nil), Raw: maskEvidence(c.Evidence), Evidence: connclient.Words{}}
		for loc, tf := range cat {
			item.Evidence[loc] = EvidenceText(c, tf)
		}
		s.Checks = append(s.Checks, item)
	}
	end, ok, err := w.LastSync(ctx)
	if err != nil {
		return s, err
	}
	if ok {
		s.Sync = &connclient.SupportSync{State: "done", Stored: end.Progress.Stored, Total: int64(end.Progress.Total),
			WithUnionID: end.Progress.WithUnionID}
		running, err := w.syncRunning(ctx, st.OAAppID)
		switch {
		case err != nil:
			return s, err
		case running:
			s.Sync.State = "running"
		case end.Err != nil:
			s.Sync.State, s.Sync.Stopped = "stopped", cat.words("sync.state."+syncer.EndOf(end.Err), nil)
		}
	}
	return s, nil
}

// syncQuiet is how long a running sync may store nothing: it waits out a
// minute's call limit at most. A run marked running and quiet for longer
// was left so by a wizard closed mid-way, and has stopped.
const syncQuiet = 3 * time.Minute

// syncRunning tells whether appid's sync is storing followers now.
func (w *Wizard) syncRunning(ctx context.Context, appid string) (bool, error) {
	run, ok, err := w.db.LastRun(ctx, appid)
	if err != nil || !ok {
		return false, err
	}
	// The store stamps runs with the wall clock.
	return run.Status == "running" && time.Since(run.UpdatedAt) < syncQuiet, nil
}

func (cat Catalogue) words(key string, data map[string]any) connclient.Words {
	out := connclient.Words{}
	for loc, tf := range cat {
		out[loc] = tf(key, data)
	}
	return out
}

// PublishSupport sends the current snapshot (or, with sharing off, only
// that it is off) and keeps the support code the connector answers.
func (w *Wizard) PublishSupport(ctx context.Context, cat Catalogue) (connclient.SupportCode, error) {
	s, err := w.SupportSnapshot(ctx, cat)
	if err != nil {
		return connclient.SupportCode{}, err
	}
	return w.publish(ctx, s)
}

func (w *Wizard) publish(ctx context.Context, s connclient.Snapshot) (connclient.SupportCode, error) {
	prev, err := w.SupportCode(ctx)
	if err != nil {
		return prev, err
	}
	s.Code = prev.Code
	code, err := w.conn.PublishSnapshot(ctx, s)
	if err != nil {
		return prev, err
	}
	if code != prev {
		if err := w.db.Put(ctx, supportCodeKey, code); err != nil {
			return code, err
		}
	}
	return code, nil
}

// Publisher publishes on every change of the wizard's state, round of
// checks and step of a sync, so staff watching the console see it live.
// Changes that come faster than publishGap (a sync's progress) go out
// together, one publish a gap.
type Publisher struct {
	w     *Wizard
	cat   Catalogue
	poke  chan struct{}
	stop  func()
	done  chan struct{}
	mu    sync.Mutex
	last  []byte
	code  connclient.SupportCode
	onErr func(error)
}

// publishGap is the least time between two publishes: a sync reports its
// progress several times a second, staff need it no faster.
const publishGap = 500 * time.Millisecond

// StartPublisher starts publishing; onErr (may be nil) hears failures,
// which never stop it: the next change tries again.
func (w *Wizard) StartPublisher(ctx context.Context, cat Catalogue, onErr func(error)) *Publisher {
	ctx, cancel := context.WithCancel(ctx)
	p := &Publisher{w: w, cat: cat, poke: make(chan struct{}, 1), done: make(chan struct{}), onErr: onErr}
	unwatch := w.Watch(func(State) { p.Poke() })
	unhear := w.hear(p.Poke)
	p.stop = func() { unwatch(); unhear(); cancel() }
	go p.run(ctx)
	p.Poke()
	return p
}

// Poke asks for a publish soon; the wizard's own changes poke it.
func (p *Publisher) Poke() {
	select {
	case p.poke <- struct{}{}:
	default:
	}
}

// Stop ends publishing and waits for a publish under way.
func (p *Publisher) Stop() {
	p.stop()
	<-p.done
}

// Code is the support code last received.
func (p *Publisher) Code() connclient.SupportCode {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.code
}

// refreshEvery re-sends an unchanged snapshot now and then, so the console
// can tell a wizard still open from one long closed.
const refreshEvery = 5 * time.Minute

func (p *Publisher) run(ctx context.Context) {
	defer close(p.done)
	t := time.NewTicker(refreshEvery)
	defer t.Stop()
	var sentAt time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.poke:
		case <-t.C:
		}
		s, err := p.w.SupportSnapshot(ctx, p.cat)
		var body []byte
		if err == nil {
			body, err = json.Marshal(s)
		}
		if err == nil {
			p.mu.Lock()
			same := string(body) == string(p.last)
			p.mu.Unlock()
			if same && time.Since(sentAt) < refreshEvery {
				continue
			}
			var code connclient.SupportCode
			if code, err = p.w.publish(ctx, s); err == nil {
				sentAt = time.Now()
				p.mu.Lock()
				p.last, p.code = body, code
				p.mu.Unlock()
			}
		}
		if err != nil && ctx.Err() == nil && p.onErr != nil {
			p.onErr(err)
		}
		// A poke meanwhile waits in its channel for the next round.
		select {
		case <-ctx.Done():
			return
		case <-time.After(publishGap):
		}
	}
}
