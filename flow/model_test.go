package flow_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"pgregory.net/rapid"

	"oawizard/demostack"
	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/secret"
	"oawizard/flow/secret/secrettest"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
)

// The model-based test drives the wizard's logic as an admin could, in any
// order: scans, syncs, stops, revokes, quotas, outages, restarts, scenario
// switches. It runs against the real store in a temporary folder and the
// real demo stack (simulated WeChat and connector on loopback), and after
// every step checks the invariants flow writes down beside the state
// (Wizard.Invariants). Run with -rapid.checks=N for more walks; failures
// found are kept below as plain tests.

// modelFollowers keeps a walk's syncs short: 23 batchget calls each.
const modelFollowers = 2300

// outageWait bounds a sync's wait for a connector that is down.
var outageWait = connclient.Backoff{Initial: 20 * time.Millisecond, Max: 50 * time.Millisecond, Within: 300 * time.Millisecond}

// tb is what a walk needs of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
	Error(...any)
}

type model struct {
	t        tb
	dir      string
	keychain secret.Store
	scenario string
	// followers is the Official Account's count (modelFollowers if 0).
	followers int
	stack     *demostack.Stack
	db        *store.DB
	w         *flow.Wizard
	// second: the demo runs the other of its two connectors, each with
	// its own kept state (Settings → another connector's address).
	second bool
}

func newModel(t tb, dir, scenario string, followers int) *model {
	m := &model{t: t, dir: dir, keychain: secrettest.NewMemory(), scenario: scenario, followers: followers}
	m.open()
	return m
}

// open starts the demo stack in the data folder and a wizard on the
// results database beside it, as the window does at a start.
func (m *model) open() {
	m.t.Helper()
	ctx := context.Background()
	dir := m.dir
	if m.second {
		dir = filepath.Join(m.dir, "second-connector")
	}
	st, err := demostack.Start(ctx, m.scenario, demostack.Options{Dir: dir, Keychain: m.keychain, Followers: cmp.Or(m.followers, modelFollowers)})
	if err != nil {
		m.t.Fatal(err)
	}
	m.stack = st
	m.reopenWizard()
}

// reopenWizard is the window closed and opened again on the same stack.
func (m *model) reopenWizard() {
	m.t.Helper()
	ctx := context.Background()
	if m.db != nil {
		m.db.Close()
	}
	db, err := store.Open(filepath.Join(m.dir, "wizard.db"))
	if err != nil {
		m.t.Fatal(err)
	}
	m.db = db
	if m.w, err = m.wizardOn(db); err != nil {
		m.t.Fatal(err)
	}
	if err := m.w.UseScenario(ctx, m.stack.Scenario()); err != nil {
		m.t.Fatal(err)
	}
	if _, err := m.w.Reconcile(ctx); err != nil {
		m.t.Fatal(err)
	}
}

// wizardOn builds a wizard on db and the running connector.
func (m *model) wizardOn(db *store.DB) (*flow.Wizard, error) {
	conn, err := connclient.New(m.stack.URL(), m.stack.Token(), nil)
	if err != nil {
		return nil, err
	}
	return flow.NewWizard(context.Background(), db, conn, nil)
}

// secondWindow opens the data folder a second time while this wizard
// holds it, as a second launch would before the instance lock refuses
// it: reading it must change nothing the first window shows.
func (m *model) secondWindow() {
	m.t.Helper()
	ctx := context.Background()
	before, sv := m.w.State(), m.syncView()
	db, err := store.Open(filepath.Join(m.dir, "wizard.db"))
	if err != nil {
		m.t.Fatal(err)
	}
	defer db.Close()
	w2, err := m.wizardOn(db)
	if err != nil {
		m.t.Fatal(err)
	}
	if s2 := w2.State(); !sameState(s2, before) {
		m.t.Fatalf("a second window reads %+v, the first holds %+v", s2, before)
	}
	if _, err := w2.SyncView(ctx); err != nil {
		m.t.Fatal(err)
	}
	if after, sv2 := m.w.State(), m.syncView(); !sameState(after, before) || sv2.Stored != sv.Stored || sv2.Ended != sv.Ended {
		m.t.Fatalf("a second window changed the first: %+v / %+v, now %+v / %+v", before, sv, after, sv2)
	}
}

// sameState compares states as they are saved (a time read back from
// the store names its zone apart from the same instant in memory).
func sameState(a, b flow.State) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func (m *model) syncView() flow.SyncView {
	m.t.Helper()
	v, err := m.w.SyncView(context.Background())
	if err != nil {
		m.t.Fatal(err)
	}
	return v
}

func (m *model) close() {
	if m.stack != nil {
		if err := m.stack.Close(); err != nil {
			m.t.Error(err)
		}
		m.stack = nil
	}
	if m.db != nil {
		m.db.Close()
		m.db = nil
	}
}

// scan authorizes the Official Account with the simulated phone.
func (m *model) scan() {
	m.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := m.w.Authorize(ctx, flow.AuthorizeOptions{}, m.phone()); err != nil {
		m.t.Fatalf("scan: %v", err)
	}
	m.keepPromise()
}

// phone scans the first QR code shown with the simulated phone. When
// the phone's page says WeChat is busy and to scan again in a moment (the
// flaky scenario), the admin does just that.
func (m *model) phone() func(flow.AuthEvent) {
	var once sync.Once
	return func(ev flow.AuthEvent) {
		if ev.State == flow.AuthWaiting && ev.Session.QRURL != "" {
			once.Do(func() {
				go func() {
					var err error
					for range 10 {
						if err = m.stack.ScanAndConfirm(ev.Session.QRURL); err == nil {
							return
						}
						time.Sleep(200 * time.Millisecond)
					}
					m.t.Error(err)
				}()
			})
		}
	}
}

// keepPromise does what step 3 promised: the sync page, shown next,
// starts the sync by itself when its view says so, and the run begins
// within the time step 3 states (flow.AutoStartDelay): a promise that
// waits on something else (a stuck connector, a lock) is not kept.
func (m *model) keepPromise() {
	m.t.Helper()
	if !m.syncView().AutoStart {
		return
	}
	promised := time.Now()
	var began atomic.Int64 // nanoseconds after the promise; 0 = not yet
	mark := func() { began.CompareAndSwap(0, int64(max(time.Since(promised), 1))) }
	m.syncWith(context.Background(), func(syncer.Progress) { mark() })
	mark() // a run that ended before its first report began too
	if took := time.Duration(began.Load()); took > flow.AutoStartDelay {
		m.t.Fatalf("the sync step 3 promised began %v after the promise, not within %v", took, flow.AutoStartDelay)
	}
	if v := m.syncView(); v.Running || v.Ended == "" {
		m.t.Fatalf("the promised sync did not run: %+v", v)
	}
}

// sync runs one sync to its end. Every end (done, quota, revoked, an
// unreachable connector) is a state the invariants must hold in; only a
// store that cannot be written ends the walk.
func (m *model) sync(ctx context.Context) {
	m.t.Helper()
	m.syncWith(ctx, nil)
}

func (m *model) syncWith(ctx context.Context, progress func(syncer.Progress)) {
	m.t.Helper()
	opt := flow.SyncOptions{GrowthDays: -1, Outage: outageWait, Quota: goOn, Progress: progress}
	if progress != nil {
		opt.ProgressEvery = time.Millisecond
	}
	if _, err := m.w.Sync(ctx, opt); errors.Is(err, flow.ErrStoreDiskFull) || errors.Is(err, flow.ErrStoreCorrupt) {
		m.t.Fatal(err)
	}
}

// goOn starts a sync the day's quota cannot finish, as the window does:
// what is stored is kept and the rest follows the next day.
func goOn(flow.QuotaNeed) bool { return true }

// cancelMidway stops a sync after its first stored page.
func (m *model) cancelMidway() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Heard every millisecond, the run is stopped soon after its first
	// page is stored, however fast the machine writes the rest.
	m.w.Sync(ctx, flow.SyncOptions{GrowthDays: -1, Outage: outageWait, Quota: goOn, ProgressEvery: time.Millisecond, Progress: func(p syncer.Progress) {
		if p.Stored > 0 {
			cancel()
		}
	}})
}

func (m *model) oa() string { return m.stack.Scenario().OAAppID }

func (m *model) check() {
	m.t.Helper()
	if err := m.w.Invariants(context.Background()); err != nil {
		m.t.Fatal(err)
	}
}

func (m *model) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"scan": func(*rapid.T) { m.scan() },
		"sync": func(t *rapid.T) {
			if !m.w.State().Progress.Authorized {
				t.Skip("nothing to sync without an authorization")
			}
			m.sync(context.Background())
		},
		"cancel": func(t *rapid.T) {
			if !m.w.State().Progress.Authorized {
				t.Skip("nothing to stop")
			}
			m.cancelMidway()
		},
		"revoke": func(t *rapid.T) {
			if !m.w.State().Progress.Authorized {
				t.Skip("nothing to revoke")
			}
			m.stack.Demo().Sim.RevokeAfterBatchGets(m.oa(), rapid.IntRange(1, 10).Draw(t, "after"))
			m.sync(context.Background())
		},
		"quota": func(t *rapid.T) {
			sim := m.stack.Demo().Sim
			sim.SetQuota(m.oa(), syncer.PathBatchGet, sim.Calls("/cgi-bin/user/info/batchget")+rapid.IntRange(1, 15).Draw(t, "calls"), 0)
		},
		"new day": func(*rapid.T) { m.stack.Demo().Sim.SetQuota(m.oa(), syncer.PathBatchGet, 1_000_000, 0) },
		"outage": func(t *rapid.T) {
			if err := m.stack.Close(); err != nil {
				t.Fatal(err)
			}
			m.stack = nil
			if m.w.State().Progress.Authorized {
				// The sync waits for the connector; the admin stops it.
				ctx, cancel := context.WithCancel(context.Background())
				time.AfterFunc(300*time.Millisecond, cancel)
				m.sync(ctx)
				m.check()
			}
			m.open()
		},
		"close and reopen": func(*rapid.T) {
			m.close()
			m.open()
			m.keepPromise()
		},
		"reopen the window": func(*rapid.T) { m.reopenWizard(); m.keepPromise() },
		"second window":     func(*rapid.T) { m.secondWindow() },
		"switch connector": func(*rapid.T) {
			// Settings → the other connector's address: the wizard is
			// built again on it, the stored setup stays.
			m.close()
			m.second = !m.second
			m.open()
			m.keepPromise()
		},
		"switch scenario": func(t *rapid.T) {
			next := rapid.SampledFrom([]string{"ok", "quota-exceeded", "revoked-mid-sync", "flaky", "not-bound", "principal-mismatch"}).Draw(t, "scenario")
			m.close()
			m.scenario = next
			m.open()
		},
		"": func(*rapid.T) { m.check() },
	}
}

// TestModelWalks takes a few walks by default, to stay well under a minute
// with -race; -rapid.checks and -rapid.steps take more.
func TestModelWalks(t *testing.T) {
	defaultFlag(t, "rapid.checks", "10")
	defaultFlag(t, "rapid.steps", "14")
	rapid.Check(t, func(rt *rapid.T) {
		dir, err := os.MkdirTemp(t.TempDir(), "walk")
		if err != nil {
			rt.Fatal(err)
		}
		m := newModel(rt, dir, rapid.SampledFrom([]string{"ok", "quota-exceeded", "revoked-mid-sync"}).Draw(rt, "first scenario"), 0)
		defer m.close()
		rt.Repeat(m.actions())
	})
}

// defaultFlag sets a flag the command line did not set.
func defaultFlag(t *testing.T, name, value string) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if !set {
		if err := flag.Set(name, value); err != nil {
			t.Fatal(err)
		}
	}
}
