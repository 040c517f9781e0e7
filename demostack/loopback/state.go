package loopback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"oawizard/connector"
	"oawizard/wechat/wechatsim"
)

// A demo that keeps its store and the simulator's state (Options
// StatePath and StoreKey) continues after a restart: the simulated WeChat
// still knows the authorization, and the store's sealed refresh token opens.

// ErrDemoState: the demo's kept state cannot be continued from (the
// simulator refused it, or the store beside it does not open). The caller
// removes both and starts afresh.
var ErrDemoState = errors.New("connector: the demo's saved state cannot be used")

// stateSaveEvery bounds what a crash can lose of the simulator's state; the
// state is small, and written only when it changed.
const stateSaveEvery = 500 * time.Millisecond

// restoreSim gives the simulator its saved state, if there is one.
func (d *Demo) restoreSim(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = d.Sim.RestoreState(data)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDemoState, err)
	}
	d.Restored = true
	return nil
}

// checkKept asks the simulated WeChat, through its own API, whether each
// authorization the kept store names still holds. An access token from the
// last run means nothing to a restarted WeChat, so it is dropped and a new
// one fetched with the kept refresh token. One WeChat refuses is marked for
// re-authorization by the token manager, so the wizard offers a new scan at
// once rather than when the sync fails.
func (d *Demo) checkKept(ctx context.Context, logger *slog.Logger) error {
	all, err := d.Store.Authorizers(ctx)
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Status != connector.AuthorizerActive {
			continue
		}
		err := d.Connector.RecheckAuthorizer(ctx, a.AppID)
		switch {
		case errors.Is(err, connector.ErrNeedsReauth):
			d.Refused = append(d.Refused, a.AppID)
		case err != nil:
			// WeChat busy or unreachable says nothing about the
			// authorization; the first real call asks again.
			logger.Warn("kept authorization not checked", "appid", a.AppID, "err", err.Error())
		}
	}
	return nil
}

// stateSaver writes the simulator's state beside the store whenever it
// changed, and once more at Close.
type stateSaver struct {
	sim  *wechatsim.Server
	path string
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}
	last []byte // what was last written; save runs on one goroutine at a time
}

func startSaver(sim *wechatsim.Server, path string, logger *slog.Logger) (*stateSaver, error) {
	s := &stateSaver{sim: sim, path: path, log: logger, stop: make(chan struct{}), done: make(chan struct{})}
	// At once, so even a run killed early leaves a state matching its store.
	if err := s.save(); err != nil {
		return nil, err
	}
	go s.loop()
	return s, nil
}

func (s *stateSaver) loop() {
	defer close(s.done)
	t := time.NewTicker(stateSaveEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if err := s.save(); err != nil {
				s.log.Warn("simulator state not saved", "err", err.Error())
			}
		}
	}
}

func (s *stateSaver) save() error {
	data, err := s.sim.MarshalState()
	if err != nil {
		return err
	}
	if bytes.Equal(data, s.last) {
		return nil
	}
	if err := writeFileAtomic(s.path, data); err != nil {
		return err
	}
	s.last = data
	return nil
}

// close stops the loop and writes the final state (the simulator has
// stopped by then, so nothing changes after it).
func (s *stateSaver) close() error {
	close(s.stop)
	<-s.done
	return s.save()
}

// writeFileAtomic replaces path with data through a temporary file in the
// same folder, readable by the owner only: a crash leaves the old state or
// the new one, never half of one.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name() // CreateTemp makes it 0600
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
