package demostack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/secret"
	"oawizard/flow/secret/secrettest"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
)

// noKeychain is a machine without a Secret Service.
type noKeychain struct{}

func (noKeychain) Get(string) (string, error) { return "", flow.ErrKeychainUnavailable }
func (noKeychain) Set(string, string) error   { return flow.ErrKeychainUnavailable }
func (noKeychain) Delete(string) error        { return flow.ErrKeychainUnavailable }

// run is one start of the wizard's logic on the demo in dir: the stack and
// a wizard on the results database beside it, both closed when it ends.
type run struct {
	t  *testing.T
	st *Stack
	w  *flow.Wizard
}

func startRun(t *testing.T, dir, scenario string, opt Options) *run {
	t.Helper()
	opt.Dir = dir
	st, err := Start(context.Background(), scenario, opt)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(dir, "wizard.db"))
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	r := &run{t: t, st: st}
	t.Cleanup(r.close)
	conn, err := connclient.New(st.URL(), st.Token(), nil)
	if err == nil {
		r.w, err = flow.NewWizard(context.Background(), db, conn, nil)
	}
	if err == nil {
		sc := st.Scenario()
		err = r.w.SetAccounts(context.Background(), sc.OAAppID, []string{sc.MPAppID})
	}
	t.Cleanup(func() { db.Close() })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (r *run) close() {
	if r.st != nil {
		if err := r.st.Close(); err != nil {
			r.t.Error(err)
		}
		r.st = nil
	}
}

// authorize scans the QR code with the simulated phone, as the window's
// 模拟手机扫码 button does.
func (r *run) authorize() {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var once sync.Once
	scanned := make(chan error, 1)
	_, err := r.w.Authorize(ctx, flow.AuthorizeOptions{}, func(ev flow.AuthEvent) {
		if ev.State == flow.AuthWaiting && ev.Session.QRURL != "" {
			once.Do(func() { go func() { scanned <- r.st.ScanAndConfirm(ev.Session.QRURL) }() })
		}
	})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := <-scanned; err != nil {
		r.t.Fatal(err)
	}
}

// stillAuthorized asks, as the window does after a start, whether the
// remembered authorization holds.
func (r *run) stillAuthorized() bool {
	r.t.Helper()
	lost, err := r.w.Reconcile(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return !lost && r.w.State().Progress.Authorized
}

// A restart in the same folder and scenario continues: no new scan, the
// same project token, and a sync stopped part way resumes from its cursor.
func TestRestartContinuesTheSyncFromItsCursor(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Followers: 25000, Keychain: secrettest.System(t)}
	first := startRun(t, dir, "ok", opt)
	first.authorize()
	// The day's quota runs out after the first page and a bit: a stop at
	// a known point, where a cancel would race a sync this small.
	first.st.Demo().Sim.SetQuota(first.w.State().OAAppID, syncer.PathBatchGet, 120, 0)
	_, err := first.w.Sync(context.Background(), flow.SyncOptions{GrowthDays: -1})
	var qe *syncer.QuotaError
	if !errors.As(err, &qe) {
		t.Fatalf("the first run's sync: %v, want it stopped by the quota", err)
	}
	token := first.st.Token()
	first.close()

	second := startRun(t, dir, "ok", opt)
	if why := second.st.FreshStart(); why != "" || second.st.Token() != token || !second.stillAuthorized() {
		t.Fatalf("after the restart: fresh start %q, same token %v", why, second.st.Token() == token)
	}
	res, err := second.w.Sync(context.Background(), flow.SyncOptions{GrowthDays: -1})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := second.w.Report(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	fetched := second.st.Demo().Sim.Calls("/cgi-bin/user/info/batchget")
	if !res.Resumed || rep.Sync.Followers != 25000 || fetched > 150 {
		t.Fatalf("resumed %v, %d followers stored, %d batchget calls after the restart (at most 150 left)", res.Resumed, rep.Sync.Followers, fetched)
	}
}

// The day's quota stays spent across a restart, as WeChat's does: the
// quota-exceeded scenario stops the resumed sync again instead of handing
// out a new day's worth.
func TestRestartKeepsTheDaysQuotaSpent(t *testing.T) {
	dir := t.TempDir()
	opt := Options{Followers: 2000, Keychain: secrettest.System(t)}
	first := startRun(t, dir, "quota-exceeded", opt)
	first.authorize()
	var qe *syncer.QuotaError
	if _, err := first.w.Sync(context.Background(), flow.SyncOptions{GrowthDays: -1}); !errors.As(err, &qe) {
		t.Fatalf("first run: %v, want the quota's stop", err)
	}
	first.close()
	second := startRun(t, dir, "quota-exceeded", opt)
	if !second.stillAuthorized() {
		t.Fatal("the restart lost the authorization")
	}
	if _, err := second.w.Sync(context.Background(), flow.SyncOptions{GrowthDays: -1}); !errors.As(err, &qe) {
		t.Fatalf("after the restart: %v, want the quota still spent", err)
	}
}

// Whatever keeps a restart from continuing, the demo starts afresh and says
// why, and the wizard sees its authorization gone (and offers a new scan).
func TestKeptStateThatCannotBeUsedGivesAFreshStart(t *testing.T) {
	for _, c := range []struct {
		name     string
		scenario string
		spoil    func(t *testing.T, dir string, kc secret.Store, before []byte)
		want     string
	}{
		{"another scenario", "not-bound", func(*testing.T, string, secret.Store, []byte) {}, flow.DemoFreshStateLost},
		{"damaged state", "ok", func(t *testing.T, dir string, _ secret.Store, _ []byte) {
			write(t, filepath.Join(dir, StateFile), []byte("{\"version\":1,"))
		}, flow.DemoFreshStateLost},
		{"damaged database", "ok", func(t *testing.T, dir string, _ secret.Store, _ []byte) {
			write(t, filepath.Join(dir, StoreFile), []byte("not a database, whatever it once was"))
		}, flow.DemoFreshStateLost},
		{"state removed", "ok", func(t *testing.T, dir string, _ secret.Store, _ []byte) {
			os.Remove(filepath.Join(dir, StateFile))
		}, flow.DemoFreshStateLost},
		{"key gone from the keychain", "ok", func(t *testing.T, dir string, kc secret.Store, _ []byte) {
			if err := kc.Delete(keyName(dir)); err != nil {
				t.Fatal(err)
			}
		}, flow.DemoFreshStateLost},
		{"a simulator state older than the store", "ok", func(t *testing.T, dir string, _ secret.Store, before []byte) {
			write(t, filepath.Join(dir, StateFile), before)
		}, flow.DemoFreshRefused},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			opt := Options{Followers: 300, Keychain: secrettest.System(t)}
			first := startRun(t, dir, "ok", opt)
			before, err := os.ReadFile(filepath.Join(dir, StateFile))
			if err != nil {
				t.Fatal(err)
			}
			first.authorize()
			first.close()
			c.spoil(t, dir, opt.Keychain, before)
			second := startRun(t, dir, c.scenario, opt)
			if why := second.st.FreshStart(); why != c.want || second.stillAuthorized() {
				t.Fatalf("fresh start %q (want %q); still authorized %v", why, c.want, second.w.State().Progress.Authorized)
			}
			if st := second.w.State(); !st.AuthLost {
				t.Fatalf("the wizard does not know its authorization is lost: %+v", st)
			}
			// A new scan works and is kept in turn.
			second.authorize()
			second.close()
			if third := startRun(t, dir, c.scenario, opt); third.st.FreshStart() != "" || !third.stillAuthorized() {
				t.Fatalf("the new scan did not carry over: %q", third.st.FreshStart())
			}
		})
	}
}

// Without a keychain the key cannot be kept out of files, so nothing is
// kept: each start in the data folder is a fresh one, says so, and leaves
// nothing in the system's temp folder.
func TestWithoutAKeychainEachStartIsFresh(t *testing.T) {
	tmp, dir := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for i, kc := range []secret.Store{nil, noKeychain{}} {
		r := startRun(t, dir, "ok", Options{Followers: 10, Keychain: kc})
		if _, err := os.Stat(filepath.Join(dir, StoreFile)); err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
		if i == 0 {
			r.authorize()
		} else {
			if why := r.st.FreshStart(); why != flow.DemoFreshNoKeychain || r.stillAuthorized() {
				t.Fatalf("start %d: fresh start %q", i, why)
			}
			if tokens, err := r.st.Demo().Store.ProjectTokens(context.Background()); err != nil || len(tokens) != 1 {
				t.Fatalf("a restarted demo kept %d project tokens (%v); want a fresh database", len(tokens), err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, StateFile)); err == nil {
			t.Fatalf("start %d kept the simulator's state without a key to go with it", i)
		}
		r.close()
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("left in the temp folder: %v", left)
	}
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
