package flow

import (
	"context"
	"strings"
	"testing"

	"oawizard/flow/sdkimport"
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
	if _, name, ok := w.SDKImportStats(ctx); ok {
		t.Errorf("step 2 still shows %s", name)
	}
}
