package flow

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"oawizard/flow/store"
	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
)

// keys is a catalogue that shows which key each language was asked for.
var keys = Catalogue{
	"zh-Hans": func(k string, _ map[string]any) string { return "zh:" + k },
	"en":      func(k string, _ map[string]any) string { return "en:" + k },
}

func TestSupportSnapshotHasChecksInWordsWithIDsMasked(t *testing.T) {
	ctx := context.Background()
	w, db, _ := newTestWizard(t)
	if err := w.update(ctx, func(s *State) { s.OAAppID, s.AccountName, s.Progress.Step = "wx1234567890abcdef", "示例", StepSDK }); err != nil {
		t.Fatal(err)
	}
	openid := "oAbCdEfGhIjKlMnOpQrStUvWxYz1"
	ev := func(e verdict.Evidence) json.RawMessage {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if _, err := db.AppendChecks(ctx, []store.CheckResult{
		{CheckID: verdict.OAVerified, Status: verdict.Pass, Source: "api", Evidence: ev(verdict.Evidence{Source: "api", Field: "verify_type_info.id", Value: "0"})},
		{CheckID: verdict.SDKUnionID, Status: verdict.Fail, Source: "data", Evidence: ev(verdict.Evidence{Source: "data", Field: "sample", Value: openid})},
	}); err != nil {
		t.Fatal(err)
	}
	s, err := w.SupportSnapshot(ctx, keys)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Publishing || s.OAAppID != "wx1234567890abcdef" || s.Step["en"] != "en:step.sdk" || len(s.Checks) != 2 {
		t.Fatalf("snapshot %+v", s)
	}
	c := s.Checks[1]
	if c.ID != verdict.SDKUnionID || c.Status != verdict.Fail || c.Title["zh-Hans"] != "zh:check.sdk_unionid.title" ||
		c.Reason["en"] != "en:check.sdk_unionid.fail" || c.Evidence["zh-Hans"] != "zh:evidence.data" {
		t.Fatalf("check %+v", c)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), openid) || !strings.Contains(c.Raw, "oAbC…xYz1") {
		t.Fatalf("an openid is published unmasked: %s", b)
	}
	if s.Sync != nil {
		t.Fatalf("a sync that never ran is published: %+v", s.Sync)
	}
	if err := w.SetPublishing(ctx, false); err != nil {
		t.Fatal(err)
	}
	if s, err := w.SupportSnapshot(ctx, keys); err != nil || s.Publishing || len(s.Checks) != 0 || s.OAAppID != "" {
		t.Fatalf("with sharing off: %+v %v", s, err)
	}
}

// countingTransport counts the snapshots sent.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == "/v1/support/snapshot" {
		c.n.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestPublisherSendsEveryChangeAndKeepsItsCode(t *testing.T) {
	ctx := context.Background()
	ct := &countingTransport{}
	_, w, _ := demoWizard(t, "ok", &http.Client{Transport: ct})
	p := w.StartPublisher(ctx, keys, func(err error) { t.Error(err) })
	defer p.Stop()
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for i := 0; i < 200 && !ok(); i++ {
			time.Sleep(10 * time.Millisecond)
		}
		if !ok() {
			t.Fatalf("waited in vain for %s", what)
		}
	}
	waitFor("a code", func() bool { return p.Code().Code != "" })
	first := p.Code()
	if err := w.SetAccounts(ctx, "wx1234567890abcdef", nil); err != nil {
		t.Fatal(err)
	}
	waitFor("the change published", func() bool { return ct.n.Load() >= 2 })
	// Nothing changed: a poke sends nothing.
	sent := ct.n.Load()
	p.Poke()
	time.Sleep(50 * time.Millisecond)
	if ct.n.Load() != sent {
		t.Fatal("an unchanged snapshot was sent again at once")
	}
	if p.Code() != first {
		t.Fatalf("the support code changed from %v to %v", first, p.Code())
	}
	// The code survives a restart of the wizard.
	if saved, err := w.SupportCode(ctx); err != nil || saved.Code != first.Code {
		t.Fatalf("saved code %v %v", saved, err)
	}
	if err := w.SetPublishing(ctx, false); err != nil {
		t.Fatal(err)
	}
	p.Poke()
	waitFor("sharing off published", func() bool { return ct.n.Load() > sent })
}

// A sync storing followers now is running; one that ran out of quota says
// why it stopped, in the sync page's words.
func TestSupportSnapshotTellsARunningSyncFromAStoppedOne(t *testing.T) {
	ctx := context.Background()
	w, db, _ := newTestWizard(t)
	if err := w.update(ctx, func(s *State) { s.OAAppID = "wx1234567890abcdef" }); err != nil {
		t.Fatal(err)
	}
	cp, err := db.BeginRun(ctx, "wx1234567890abcdef")
	if err != nil {
		t.Fatal(err)
	}
	s, err := w.SupportSnapshot(ctx, keys)
	if err != nil || s.Sync == nil || s.Sync.State != "running" || len(s.Sync.Stopped) != 0 {
		t.Fatalf("during the sync: %+v %v", s.Sync, err)
	}
	if err := db.EndRun(ctx, cp.RunID, syncer.Outcome{Status: "quota", ErrCode: 45009, Message: "quota"}); err != nil {
		t.Fatal(err)
	}
	s, err = w.SupportSnapshot(ctx, keys)
	if err != nil || s.Sync == nil || s.Sync.State != "stopped" || s.Sync.Stopped["en"] != "en:sync.state.quota" {
		t.Fatalf("after the quota ran out: %+v %v", s.Sync, err)
	}
}
