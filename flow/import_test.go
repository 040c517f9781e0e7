package flow

import (
	"context"
	"strings"
	"testing"

	"oawizard/flow/sdkimport"
	"oawizard/flow/store"
	"oawizard/flow/verdict"
)

// A newly chosen export that cannot be read leaves step 2 without an
// export: its badges no longer speak of the file chosen before.
func TestAFailedImportForgetsTheExportBefore(t *testing.T) {
	ctx := context.Background()
	w, _, _ := newTestWizard(t)
	good := "openid,unionid\no1,u1\no2,u2\n"
	if _, err := w.ImportSDK(ctx, strings.NewReader(good), "good.csv", int64(len(good)), sdkimport.Options{}); err != nil {
		t.Fatal(err)
	}
	bad := "name,city\nA,B\n"
	if _, err := w.ImportSDK(ctx, strings.NewReader(bad), "bad.csv", int64(len(bad)), sdkimport.Options{}); err == nil {
		t.Fatal("an export without an openid column was imported")
	}
	res, err := w.Check(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Checks {
		if (c.ID == verdict.SDKOpenID || c.ID == verdict.SDKUnionID) && c.Status != verdict.Unknown {
			t.Errorf("%s is %s after the new file failed", c.ID, c.Status)
		}
	}
	if v, err := w.SDKView(ctx); err != nil || v.Imported {
		t.Errorf("step 2 still shows %s (%v)", v.FileName, err)
	}
}

// Statistics of a stored export that cannot be read are an error the page
// and the report say, never an export silently gone from step 2.
func TestUnreadableExportStatsAreSaid(t *testing.T) {
	ctx := context.Background()
	w, _, _ := newTestWizard(t)
	id, err := w.db.BeginImport(ctx, store.SDKImport{FileName: "x.csv"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.FinishImport(ctx, id, "not the statistics", ""); err != nil {
		t.Fatal(err)
	}
	if err := w.update(ctx, func(s *State) { s.ImportID = id }); err != nil {
		t.Fatal(err)
	}
	if v, err := w.SDKView(ctx); err == nil {
		t.Fatalf("step 2 reads unreadable statistics as %+v", v)
	}
	if r, err := w.Report(ctx, nil); err == nil {
		t.Fatalf("the report reads unreadable statistics as %+v", r.SDK)
	}
}
