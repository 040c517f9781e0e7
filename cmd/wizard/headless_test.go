package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"oawizard/demostack/loopback"
	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/store"
)

type parsedReport struct {
	Authorization struct{ Status, AppID, Reason string }
	Sync          struct {
		Status, Message string
		Followers       int64
		WithUnionID     int64 `json:"with_unionid"`
	}
	SDK struct {
		Rows        int
		WithUnionID int `json:"with_unionid"`
	}
	Overlap struct{ Matched int64 }
	Checks  []struct{ ID, Status string }
}

func (r parsedReport) status(id string) string {
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Status
		}
	}
	return "missing"
}

func headless(t *testing.T, scenario string, followers int, export bool) (parsedReport, int) {
	t.Helper()
	dir := t.TempDir()
	opt := headlessOptions{Scenario: scenario, DataDir: dir, Followers: followers}
	if export {
		opt.SDKExport = filepath.Join(dir, "export.csv")
		if err := writeDemoExport(scenario, followers, opt.SDKExport); err != nil {
			t.Fatal(err)
		}
	}
	var out, errb bytes.Buffer
	code := runHeadless(context.Background(), opt, &out, &errb)
	var r parsedReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%s: stdout is not one JSON report (%v): %s\nstderr: %s", scenario, err, out.String(), errb.String())
	}
	for _, line := range strings.Split(strings.TrimSpace(errb.String()), "\n") {
		if line != "" && !json.Valid([]byte(line)) {
			t.Fatalf("stderr line is not JSON: %q", line)
		}
	}
	return r, code
}

func TestHeadlessScenarios(t *testing.T) {
	cases := []struct {
		scenario string
		export   bool
		code     int
		check    func(t *testing.T, r parsedReport)
	}{
		{"ok", true, exitAllPass, func(t *testing.T, r parsedReport) {
			// 25,001 followers: the last page is the count:0 page.
			if r.Sync.Followers != 25001 || r.Sync.Status != "done" || r.Overlap.Matched == 0 || r.SDK.Rows != 5000 {
				t.Fatalf("%+v", r)
			}
		}},
		{"not-bound", false, exitFailed, func(t *testing.T, r parsedReport) {
			if r.status("oa_bound") != "fail" || r.Sync.WithUnionID != 0 || r.Sync.Followers != 25001 {
				t.Fatalf("%+v", r)
			}
		}},
		{"unverified", false, exitFailed, func(t *testing.T, r parsedReport) {
			if r.status("oa_verified") != "fail" || r.Sync.Status != "not_permitted" {
				t.Fatalf("%+v", r)
			}
		}},
		{"principal-mismatch", false, exitFailed, func(t *testing.T, r parsedReport) {
			// Both accounts are under one Open Platform account (WeChat
			// says so once the mini-program is authorized): a warning.
			if r.status("same_principal") != "warning" || r.status("same_open_account") != "pass" || r.status("oa_verified") != "pass" {
				t.Fatalf("%+v", r)
			}
		}},
		{"different-open-account", true, exitFailed, func(t *testing.T, r parsedReport) {
			if r.status("same_open_account") != "fail" || r.Overlap.Matched != 0 {
				t.Fatalf("%+v", r)
			}
		}},
		{"ip-not-whitelisted", false, exitFailed, func(t *testing.T, r parsedReport) {
			if r.Authorization.Reason != "wechat:61004" || r.Sync.Status != "skipped" {
				t.Fatalf("%+v", r)
			}
		}},
		{"quota-exceeded", false, exitFailed, func(t *testing.T, r parsedReport) {
			if r.Sync.Status != "quota" || r.Sync.Followers == 0 || r.Sync.Followers >= 25001 {
				t.Fatalf("%+v", r)
			}
		}},
		{"revoked-mid-sync", false, exitFailed, func(t *testing.T, r parsedReport) {
			if r.Sync.Status != "revoked" || r.Sync.Followers >= 25001 {
				t.Fatalf("%+v", r)
			}
		}},
		{"flaky", false, exitFailed, func(t *testing.T, r parsedReport) {
			// Transient errors are retried: every follower arrives.
			if r.Sync.Status != "done" || r.Sync.Followers != 25001 {
				t.Fatalf("%+v", r)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			r, code := headless(t, c.scenario, 25001, c.export)
			if code != c.code {
				t.Fatalf("exit %d, want %d: %+v", code, c.code, r)
			}
			c.check(t, r)
		})
	}
}

// A sync killed part-way resumes from its checkpoint: same totals, no
// duplicate openid, and the finished pages are not fetched again.
func TestInterruptedSyncResumesWithoutLossOrDuplicates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d, err := loopback.Start(ctx, loopback.Options{Scenario: "ok", Followers: 60000, StorePath: filepath.Join(dir, "c.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	db, _ := store.Open(filepath.Join(dir, "w.db"))
	defer db.Close()
	// The run is stopped after 200 of its 600 batchget calls have gone
	// out: counted at the wire, not by the progress reports, which a fast
	// machine can outrun.
	sctx, stop := context.WithCancel(ctx)
	var calls atomic.Int64
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if strings.HasSuffix(r.URL.Path, "/user/info/batchget") && calls.Add(1) == 200 {
			stop()
		}
		return http.DefaultTransport.RoundTrip(r)
	})}
	conn, _ := connclient.New(d.URL, d.ProjectToken, hc)
	w, _ := flow.NewWizard(ctx, db, conn, nil)
	w.SetAccounts(ctx, d.Scenario.OAAppID, nil)
	var scanned bool
	if _, err := w.Authorize(ctx, flow.AuthorizeOptions{}, func(ev flow.AuthEvent) {
		if ev.State == flow.AuthWaiting && !scanned {
			scanned = true
			go func() {
				if p, err := d.Phone().Open(ev.Session.QRURL); err == nil {
					p.Confirm()
				}
			}()
		}
	}); err != nil {
		t.Fatal(err)
	}
	_, err = w.Sync(sctx, flow.SyncOptions{Workers: 4})
	if err == nil {
		t.Fatal("the sync was not interrupted")
	}
	first, _ := db.FollowerStats(ctx, d.Scenario.OAAppID)
	if first.Total == 0 || first.Total >= 60000 {
		t.Fatalf("after the interruption %d rows", first.Total)
	}
	d.Sim.ResetCalls()
	res, err := w.Sync(ctx, flow.SyncOptions{Workers: 4, GrowthDays: -1})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Resumed {
		t.Fatal("the second run did not resume")
	}
	fs, _ := db.FollowerStats(ctx, d.Scenario.OAAppID)
	if fs.Total != 60000 || res.Progress.Stored+first.Total < 60000 {
		t.Fatalf("after resuming %d rows (first run %d)", fs.Total, first.Total)
	}
	// Pages stored before the stop are not fetched again.
	if n := d.Sim.Calls("/cgi-bin/user/info/batchget"); n >= 600 {
		t.Fatalf("the resumed run fetched %d batches of 600", n)
	}
	run, _, _ := db.LastRun(ctx, d.Scenario.OAAppID)
	if run.Rows != 60000 || run.Status != "done" {
		t.Fatalf("run %+v", run)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
