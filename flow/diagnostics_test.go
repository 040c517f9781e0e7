package flow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oawizard/demostack/loopback"
	"oawizard/flow/connclient"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
	"oawizard/wechat"
)

// echo renders a key with its values, so the test sees which words were
// asked for with what.
func echo(k string, d map[string]any) string {
	if len(d) == 0 {
		return "<" + k + ">"
	}
	return fmt.Sprintf("<%s %v>", k, d)
}

// demoWizard is a wizard on a demo connector (hc may be nil), all closed
// when the test ends.
func demoWizard(t *testing.T, scenario string, hc *http.Client) (*loopback.Demo, *Wizard, *store.DB) {
	t.Helper()
	ctx := context.Background()
	d, err := loopback.Start(ctx, loopback.Options{Scenario: scenario, StorePath: filepath.Join(t.TempDir(), "c.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	conn, err := connclient.New(d.LocalURL, d.ProjectToken, hc)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w, err := NewWizard(ctx, db, conn, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d, w, db
}

func TestDiagnosticsSayEverythingStaffNeedWithIDsMaskedAndNoToken(t *testing.T) {
	ctx := context.Background()
	d, w, db := demoWizard(t, "ip-not-whitelisted", nil)
	conn := w.conn
	oa := d.Scenario.OAAppID
	if err := w.update(ctx, func(s *State) { s.OAAppID, s.AccountName, s.Progress.Step = oa, "示例号", StepSync }); err != nil {
		t.Fatal(err)
	}
	openid := "oAbCdEfGhIjKlMnOpQrStUvWxYz1"
	ev, err := json.Marshal(verdict.Evidence{Source: "data", Field: "sample", Value: openid})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendChecks(ctx, []store.CheckResult{{CheckID: verdict.SDKUnionID, Status: verdict.Fail, Source: "data", Evidence: ev}}); err != nil {
		t.Fatal(err)
	}
	cp, err := db.BeginRun(ctx, oa)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EndRun(ctx, cp.RunID, syncer.Outcome{Status: "quota", ErrCode: 45009, Message: "quota"}); err != nil {
		t.Fatal(err)
	}
	h, err := conn.Health(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A token typed wrong: the connector refuses it.
	wrong, err := connclient.New(d.LocalURL, d.ProjectToken+"x", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, callErr := wrong.Health(ctx)
	if callErr == nil {
		t.Fatal("a wrong token was accepted")
	}
	when := time.Date(2026, 12, 3, 10, 4, 5, 0, time.Local)
	text, err := w.Diagnostics(ctx, DiagInput{Version: "v1.2.3", Demo: true, Health: healthView(h),
		Errors: []DiagError{{At: when, Words: "WORDS", Code: ErrorCode(callErr)}}}, echo)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"<diag.version map[Mode:<diag.mode.demo> Version:v1.2.3]>",
		"<diag.step map[Step:<step.sync>]>",
		"<diag.account map[AppID:" + oa + " Name:示例号]>",
		"- [<status.fail>] <check.sdk_unionid.title>: <check.sdk_unionid.fail>",
		"sample = oAbC…xYz1",
		"<diag.sync.stopped map[Stored:0 Total:0 Union:0]>",
		"<sync.state.quota>",
		"Code:ip_not_whitelisted wechat/61004 IP:127.0.0.1",
		"10:04:05 WORDS (connector/unauthorized)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the diagnostics lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, openid) || strings.Contains(text, d.ProjectToken) || strings.Contains(text, "oaw_") {
		t.Fatalf("an openid or the token is in the diagnostics:\n%s", text)
	}
}

func TestErrorCodeNamesAFailureWithoutItsText(t *testing.T) {
	for err, want := range map[error]string{
		&connclient.Error{Kind: connclient.KindUnreachable, Message: "dial tcp 10.0.0.1:443 token=oaw_secret"}: "connector/unreachable",
		&wechat.APIError{Code: 45009, Msg: "reach max api daily quota limit"}:                                  "wechat/45009",
		fmt.Errorf("saving: %w", store.ErrDiskFull):                                                            "store/disk_full",
		errors.New("oaw_secret leaked in a message"):                                                           "other",
		context.Canceled: "cancelled",
	} {
		if got := ErrorCode(err); got != want {
			t.Errorf("ErrorCode(%v) = %q, want %q", err, got, want)
		}
	}
}
