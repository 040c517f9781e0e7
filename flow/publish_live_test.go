package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"oawizard/flow/connclient"
)

// snapshotTap keeps the last snapshot the connector accepted.
type snapshotTap struct {
	mu   sync.Mutex
	last connclient.Snapshot
	n    int
}

func (s *snapshotTap) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path != "/v1/support/snapshot" {
		return http.DefaultTransport.RoundTrip(r)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusOK {
		var snap connclient.Snapshot
		if jerr := json.Unmarshal(body, &snap); jerr == nil {
			s.mu.Lock()
			s.last, s.n = snap, s.n+1
			s.mu.Unlock()
		}
	}
	return resp, err
}

func (s *snapshotTap) sent() (connclient.Snapshot, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.n
}

// A round of checks changes no state, yet staff see it at once: the
// publisher hears of it, with no poke and no poll.
func TestPublisherSendsARoundOfChecksAtOnce(t *testing.T) {
	ctx := context.Background()
	tap := &snapshotTap{}
	_, w, _ := demoWizard(t, "ok", &http.Client{Transport: tap})
	p := w.StartPublisher(ctx, keys, func(err error) { t.Error(err) })
	defer p.Stop()
	within := func(what string, d time.Duration, ok func() bool) {
		t.Helper()
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			if ok() {
				return
			}
		}
		t.Fatalf("%s not published within %v", what, d)
	}
	within("the first snapshot", 5*time.Second, func() bool { _, n := tap.sent(); return n > 0 })
	if s, _ := tap.sent(); len(s.Checks) != 0 {
		t.Fatalf("checks published before any round: %+v", s.Checks)
	}
	res, err := w.Check(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	// Well under the two seconds a poll would take.
	within("the round of checks", time.Second, func() bool { s, _ := tap.sent(); return len(s.Checks) == len(res.Checks) })

	// Sharing turned off is published as such, again with no poke.
	if err := w.SetPublishing(ctx, false); err != nil {
		t.Fatal(err)
	}
	within("sharing off", time.Second, func() bool { s, _ := tap.sent(); return !s.Publishing })
}

// The published snapshot names the wizard's version, as Help → About.
func TestPublishedSnapshotNamesTheWizardVersion(t *testing.T) {
	ctx := context.Background()
	tap := &snapshotTap{}
	_, w, _ := demoWizard(t, "ok", &http.Client{Transport: tap})
	p := w.StartPublisher(ctx, keys, func(err error) { t.Error(err) })
	defer p.Stop()
	w.SetAppVersion("1.4.2 (abc1234)")
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if s, _ := tap.sent(); s.Version == "1.4.2 (abc1234)" {
			return
		}
	}
	s, _ := tap.sent()
	t.Fatalf("the connector got version %q", s.Version)
}
