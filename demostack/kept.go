package demostack

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"oawizard/flow"
	"oawizard/flow/secret"
)

// What a demo in the wizard's data folder carries from one run to the next:
// the connector's database and the simulated WeChat's state beside it, and
// the key that seals the database's tokens in the system keychain (never in
// a file). The demo project's token is derived from that key, so the same
// token reaches the same authorizations after a restart.

// The files a demo keeps in the data folder.
const (
	StoreFile = "demo-connector.db"      // the connector's database
	StateFile = "demo-wechat-state.json" // the simulated WeChat's state
)

const (
	// keychainWait bounds a keychain that shows a prompt nobody answers:
	// the demo then starts without keeping anything, rather than never.
	keychainWait = time.Minute
)

type kept struct {
	store, state string // paths in the data folder
	key          string // "" = nothing can carry over (no keychain)
	fresh        string // why an earlier run's state is not continued from
}

// openKept finds what the last run kept and removes it when this run cannot
// continue from it: no keychain to hold the key, a key that is new (the old
// one, needed to open the store, is gone) or one of the two files missing.
// A scenario the state does not match is found later, by the simulator.
func openKept(ctx context.Context, opt Options) (kept, error) {
	k := kept{store: filepath.Join(opt.Dir, StoreFile), state: filepath.Join(opt.Dir, StateFile)}
	hasStore, hasState := exists(k.store), exists(k.state)
	had, both := hasStore || hasState, hasStore && hasState
	key, created, err := storeKey(ctx, opt.Keychain, opt.Dir)
	switch {
	case err != nil:
		logger(opt).Warn("the demo cannot keep its state without the system keychain; each start is a fresh one", "err", err.Error())
		k.fresh = flow.DemoFreshNoKeychain
	case created || !both:
		k.fresh = flow.DemoFreshStateLost
	}
	k.key = key
	if k.fresh == "" {
		return k, nil
	}
	if !had {
		k.fresh = "" // a first run has lost nothing
	}
	return k, k.remove()
}

// remove deletes the kept database and simulator state.
func (k kept) remove() error { return RemoveKept(k.store, k.state) }

// RemoveKept deletes a kept demo database and simulator state, with the
// SQLite journal files and any temporary file a crashed save left behind.
func RemoveKept(store, state string) error {
	files := []string{store, store + "-wal", store + "-shm", state}
	tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(state), "."+filepath.Base(state)+".*"))
	for _, f := range append(files, tmp...) {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func logger(opt Options) *slog.Logger {
	if opt.Logger != nil {
		return opt.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// keyName is the store key's keychain entry: one per data folder, as each
// folder has its own database.
func keyName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return "demo-store-key:" + dir
}

// storeKey reads the data folder's store key from the keychain, or makes
// and saves one (created) when there is none yet.
func storeKey(ctx context.Context, kc secret.Store, dir string) (key string, created bool, err error) {
	if kc == nil {
		return "", false, flow.ErrKeychainUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, keychainWait)
	defer cancel()
	r := <-secret.GetAsync(ctx, kc, keyName(dir))
	switch {
	case r.Err == nil && len(r.Value) == 64:
		return r.Value, false, nil
	case r.Err != nil && !errors.Is(r.Err, flow.ErrKeychainNotFound):
		return "", false, r.Err
	}
	b := make([]byte, 32)
	rand.Read(b)
	key = hex.EncodeToString(b)
	if err := kc.Set(keyName(dir), key); err != nil {
		return "", false, err
	}
	return key, true, nil
}

// ProjectToken is the demo project's token, derived from the store key so
// that one keychain entry carries both across a restart.
func ProjectToken(key string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte("oawizard demo project token"))
	return "oaw_" + hex.EncodeToString(m.Sum(nil))[:48]
}
