package flow

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oawizard/flow/connclient"
	"oawizard/flow/store"
	"oawizard/flow/verdict"
)

func TestWizardReopensWhereItWas(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	db, _ := store.Open(path)
	conn, _ := connclient.New("http://127.0.0.1:1", "oaw_x", nil)
	w, err := NewWizard(ctx, db, conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.SetAccounts(ctx, " AppID：WX5A3C9E1F7B2D4806 ", []string{"wx8d4e2b6a1c9f3705"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Next(ctx); err != nil {
		t.Fatal(err)
	}
	w.checks = []verdict.Check{{ID: verdict.SDKUnionID, Status: verdict.Fail, Blocking: true}}
	if err := w.Next(ctx); err == nil {
		t.Fatal("a failed blocking check let the wizard move on")
	}
	if err := w.ContinueAnyway(ctx, "nav.consequence.sdk"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	db2, _ := store.Open(path)
	defer db2.Close()
	w2, _ := NewWizard(ctx, db2, conn, nil)
	st := w2.State()
	if st.Progress.Step != StepAuthorize || st.OAAppID != "wx5a3c9e1f7b2d4806" || len(st.Progress.Overrides) != 1 ||
		st.Progress.Overrides[0].Consequence != "nav.consequence.sdk" {
		t.Fatalf("reopened at %+v", st)
	}
	if found, _ := db2.ContainsString(ctx, "oaw_x"); found {
		t.Fatal("the connector token reached the database")
	}
}

func TestHTMLReportIsSelfContainedAndMasked(t *testing.T) {
	r := Report{GeneratedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		Checks: []verdict.Check{
			{ID: verdict.OABound, Status: verdict.Pass, Evidence: verdict.Evidence{Source: "api", Field: "open_appid", Value: "wx1f6b3d8e5a2c7094"}},
			{ID: verdict.SDKUnionID, Status: verdict.Fail, Remedy: "remedy.sdk_unionid", Evidence: verdict.Evidence{Source: "data", Field: "sample", Value: "oAbCdEfGhIjKlMnOpQrStUvWxYz1"}},
		},
		Growth: []GrowthDay{{Date: "2026-11-23", Cumulate: 100}, {Date: "2026-11-24", Cumulate: 120}}}
	r.Sync.Followers, r.Sync.WithUnionID = 120, 90
	var b bytes.Buffer
	if err := WriteHTML(&b, ReportDoc{Report: r}, func(k string, _ map[string]any) string { return "[" + k + "]" }); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, bad := range []string{"<script", "src=", "href=", "oAbCdEfGhIjKlMnOpQrStUvWxYz1"} {
		if strings.Contains(out, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	for _, want := range []string{"<svg", "[remedy.sdk_unionid]", "[check.oa_bound.title]", "75.0%", "oAbC…xYz1"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

// The report names the accounts and when they were synced, and says why
// each unknown check is unknown and how to make it known.
func TestHTMLReportNamesAccountsSyncTimeAndUnknowns(t *testing.T) {
	r := Report{GeneratedAt: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		Checks: []verdict.Check{{ID: verdict.SamePrincipal, Status: verdict.Unknown, Reason: "check.same_principal.unknown", Remedy: "remedy.same_principal"}}}
	r.Accounts.OAAppID, r.Accounts.OAName, r.Accounts.MPAppIDs = "wx5a3c9e1f7b2d4806", "青禾生活馆", []string{"wx8d4e2b6a1c9f3705"}
	r.Sync.At = time.Date(2026, 11, 25, 9, 30, 0, 0, time.Local)
	var b bytes.Buffer
	if err := WriteHTML(&b, ReportDoc{Report: r}, func(k string, _ map[string]any) string { return "[" + k + "]" }); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"青禾生活馆", "wx5a3c9e1f7b2d4806", "wx8d4e2b6a1c9f3705", "2026-11-25 09:30",
		"[check.same_principal.unknown]", "[result.unknown_howto]"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
