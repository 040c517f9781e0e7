package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"oawizard/cmd/wizard/internal/instance"
	"oawizard/flow/store"
	"oawizard/ui"
)

// holdOrRefuse holds the data folder dir ("" = the default one) for a run
// with a window or a headless run given -data (one without works in a
// folder of its own). When it cannot, it says why and returns no lock and
// the exit code.
func holdOrRefuse(dir, language string, headless bool) (*instance.Lock, int) {
	if dir == "" {
		path, err := store.DefaultPath()
		if err != nil {
			return nil, usageError(os.Stderr, headless, err)
		}
		dir = filepath.Dir(path)
	}
	lock, err := holdDataDir(dir)
	if errors.Is(err, instance.ErrInUse) {
		return nil, refuseInUse(dir, language, headless, os.Stderr)
	}
	if err != nil {
		return nil, usageError(os.Stderr, headless, err)
	}
	return lock, 0
}

// holdDataDir takes the data folder for this process's whole life, before
// anything in it is opened: a second wizard on it would drop the first's
// unfinished import and overwrite its state.
func holdDataDir(dir string) (*instance.Lock, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return instance.Acquire(dir)
}

// serveForward lets a later launch on the folder bring this window to the
// front. Should it fail, a later launch says the folder is in use, as it
// would without it, and this window works on.
func serveForward(lock *instance.Lock, stderr io.Writer) <-chan struct{} {
	forward := make(chan struct{}, 1)
	err := lock.Serve(func() {
		select {
		case forward <- struct{}{}:
		default: // one request not yet taken brings the window forward as well as two
		}
	})
	if err != nil {
		fmt.Fprintln(stderr, "wizard: a later launch cannot bring this window forward:", err)
		return nil
	}
	return forward
}

// refuseInUse tells why this wizard does not start: on stderr (one JSON
// line in headless mode) and, with a window, in the admin's language. A
// window's launch first asks the window open on the folder to come
// forward and, when it does, ends there. It returns the exit code.
func refuseInUse(dir, language string, headless bool, stderr io.Writer) int {
	err := fmt.Errorf("%w: %s", instance.ErrInUse, dir)
	if headless {
		json.NewEncoder(stderr).Encode(map[string]string{"event": "error", "stage": "data", "error": err.Error()})
		return exitError
	}
	ferr := instance.Forward(dir)
	if ferr == nil {
		fmt.Fprintln(stderr, "wizard: the wizard already open on", dir, "was brought to the front")
		return 0
	}
	fmt.Fprintln(stderr, "wizard:", errors.Join(err, ferr))
	// The saved language is in the folder's database, which this process
	// must not open: the -lang flag or the system's language decides.
	if _, lerr := ui.SetupLanguage(language); lerr != nil {
		fmt.Fprintln(stderr, "wizard:", lerr)
		return exitError
	}
	ui.RunInUse(dir)
	return exitError
}
