package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/skip2/go-qrcode"

	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/sdkimport"
	"oawizard/flow/secret"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
)

// Headless real mode: the same walk as the demo, against a connector given
// by address, with a real admin scanning the QR code shown in the terminal.
// Customer-success staff run it on a server; the end-to-end test runs it as
// a second process against `connector serve --simulate`.

// EnvToken carries the project token for headless real mode; without it the
// token comes from the keychain entry the window's Settings saved.
const EnvToken = "OAWIZARD_TOKEN"

// realOptions are the flags of `wizard -headless -connector URL`.
type realOptions struct {
	Connector string
	AppID     string   // the Official Account
	MPAppIDs  []string // mini-programs; the first is authorized by a second scan
	DataDir   string
	Workers   int
	SDKExport string // analytics export to verify in step 2 (optional)
	Sheet     string // its workbook sheet, when two qualify
	// AuthTimeout bounds the wait for each scan; the QR code renews itself
	// meanwhile.
	AuthTimeout time.Duration
	Token       func() (string, error) // nil = environment, then keychain
	// Outage bounds how long the sync waits for an unreachable connector
	// before giving up (zero: connclient's defaults, ten minutes).
	Outage connclient.Backoff
}

// realToken is OAWIZARD_TOKEN, else the keychain entry Settings saved for
// the connector.
func realToken(keychain secret.Store, connectorURL string) (string, error) {
	if t := strings.TrimSpace(os.Getenv(EnvToken)); t != "" {
		return t, nil
	}
	t, err := keychain.Get(secret.TokenKey(connectorURL))
	if err != nil {
		return "", fmt.Errorf("no project token: set %s, or save one for %s in the wizard's Settings (%w)", EnvToken, connectorURL, err)
	}
	return t, nil
}

// lineWriter writes one JSON object per line; several goroutines use it.
type lineWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
	tty io.Writer // the same stream when a person watches it, else nil
}

func newLineWriter(w io.Writer) *lineWriter {
	l := &lineWriter{enc: json.NewEncoder(w)}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			l.tty = w
		}
	}
	return l
}

// showQR emits the QR line and, in a terminal, draws the code below it
// so the admin can scan it there.
func (l *lineWriter) showQR(ev qrEvent) {
	l.emit(ev)
	if l.tty != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		fmt.Fprintf(l.tty, "%s请用公众号管理员的微信扫码 / Scan with the admin's WeChat: %s\n", ev.QR, ev.URL)
	}
}

func (l *lineWriter) emit(v any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.enc.Encode(v)
}

// qrEvent is the line a person (or a test) reads to scan: the URL, the
// PC link for a desktop browser, and the code drawn with text blocks.
type qrEvent struct {
	Event     string `json:"event"` // "qr"
	Stage     string `json:"stage"` // authorization | mp_authorization
	URL       string `json:"url"`
	PCURL     string `json:"pc_url,omitempty"`
	Code      string `json:"code"`
	Refreshed bool   `json:"refreshed,omitempty"`
	QR        string `json:"qr"`
}

// textQR draws url with half-block characters, two modules a character
// row, so it scans from a terminal.
func textQR(url string) string {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return ""
	}
	return q.ToSmallString(false)
}

func runHeadlessReal(ctx context.Context, opt realOptions, stdout, stderr io.Writer) int {
	out := newLineWriter(stderr)
	var rep headlessReport
	rep.Scenario = "real"
	fail := func(stage string, err error) int {
		out.emit(map[string]string{"event": "error", "stage": stage, "error": err.Error()})
		return rep.abort(ctx, stage, err, stdout)
	}
	if opt.AppID == "" {
		return fail("flags", errors.New("-connector needs -appid, the Official Account's AppID"))
	}
	tokenOf := opt.Token
	if tokenOf == nil {
		tokenOf = func() (string, error) { return realToken(secret.Keyring(secret.Service), opt.Connector) }
	}
	token, err := tokenOf()
	if err != nil {
		return fail("token", err)
	}
	conn, err := connclient.New(opt.Connector, token, nil)
	if err != nil {
		return fail("connector", err)
	}
	defer conn.Watch(func(s connclient.ConnState) {
		out.emit(map[string]any{"event": "connection", "reconnecting": s.Reconnecting, "last_ok": s.LastOK})
	})()
	if _, err := conn.Ready(ctx); err != nil {
		return fail("connector", err)
	}
	dir := opt.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "oawizard-headless-")
		if err != nil {
			return fail("data", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	if err := privateDir(dir); err != nil {
		return fail("data", err)
	}
	db, err := store.Open(filepath.Join(dir, "wizard.db"))
	if err != nil {
		return fail("store", err)
	}
	defer db.Close()
	w, err := flow.NewWizard(ctx, db, conn, nil)
	if err != nil {
		return fail("state", err)
	}
	if err := w.SetAccounts(ctx, opt.AppID, opt.MPAppIDs); err != nil {
		return fail("accounts", err)
	}
	if _, err := w.Check(ctx, false); err != nil {
		return fail("checks", err)
	}
	if opt.SDKExport != "" {
		stats, err := importReal(ctx, w, opt.SDKExport, opt.Sheet, out)
		if err != nil {
			return fail("sdk", err)
		}
		rep.SDKImport = &stats
	}
	authorizeReal(ctx, w, opt, out, &rep)
	if rep.Authorization.Status == "authorized" {
		syncReal(ctx, w, opt, out, &rep)
	}
	return finishReport(ctx, w, &rep, stdout, fail)
}

// importReal reads the analytics export of step 2.
func importReal(ctx context.Context, w *flow.Wizard, path, sheet string, out *lineWriter) (sdkimport.Stats, error) {
	f, err := os.Open(path)
	if err != nil {
		return sdkimport.Stats{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return sdkimport.Stats{}, err
	}
	stats, err := w.ImportSDK(ctx, f, filepath.Base(path), fi.Size(), sdkimport.Options{Sheet: sheet})
	if err == nil {
		out.emit(map[string]any{"event": "sdk", "rows": stats.Rows, "with_openid": stats.WithOpenID, "with_unionid": stats.WithUnionID,
			"skipped": stats.Skipped})
	}
	return stats, err
}

// authorizeReal runs step 3: a QR code for the Official Account, then one
// for the first mini-program, each waited for up to AuthTimeout.
func authorizeReal(ctx context.Context, w *flow.Wizard, opt realOptions, out *lineWriter, rep *headlessReport) {
	if opt.AuthTimeout <= 0 {
		opt.AuthTimeout = 15 * time.Minute
	}
	show := func(stage string) func(flow.AuthEvent) {
		shown := ""
		return func(ev flow.AuthEvent) {
			s := ev.Session
			if ev.State == flow.AuthWaiting && s.QRURL != "" && s.QRURL != shown {
				shown = s.QRURL
				out.showQR(qrEvent{Event: "qr", Stage: stage, URL: s.QRURL, PCURL: s.PCURL, Code: s.Code, Refreshed: ev.Refreshed, QR: textQR(s.QRURL)})
				return
			}
			ev2 := map[string]any{"event": stage, "state": ev.State, "code": s.Code, "cancelled": ev.Cancelled}
			if ev.Err != nil {
				ev2["error"] = ev.Err.Error()
			}
			out.emit(ev2)
		}
	}
	actx, cancel := context.WithTimeout(ctx, opt.AuthTimeout)
	session, err := w.Authorize(actx, flow.AuthorizeOptions{}, show("authorization"))
	cancel()
	rep.recordAuthorization(session, err)
	if err != nil {
		return
	}
	if len(opt.MPAppIDs) > 0 {
		mctx, cancel := context.WithTimeout(ctx, opt.AuthTimeout)
		if _, err := w.AuthorizeMiniProgram(mctx, flow.AuthorizeOptions{}, show("mp_authorization")); err != nil {
			out.emit(map[string]any{"event": "mp_authorization", "error": err.Error()})
		}
		cancel()
	}
}

// syncReal copies the followers, reporting progress as JSON lines; the
// sync itself rides out an outage of the connector (flow.SyncOptions.Outage).
func syncReal(ctx context.Context, w *flow.Wizard, opt realOptions, out *lineWriter, rep *headlessReport) {
	if _, err := w.Check(ctx, true); err != nil {
		out.emit(map[string]any{"event": "checks", "error": err.Error()})
	}
	start := time.Now()
	_, err := w.Sync(ctx, flow.SyncOptions{Workers: opt.Workers, Outage: opt.Outage, Progress: func(p syncer.Progress) {
		out.emit(map[string]any{"event": "sync", "progress": p})
	}})
	rep.Sync.Seconds, rep.Sync.Status = time.Since(start).Seconds(), "done"
	if err != nil {
		rep.Sync.Status, rep.Sync.Message = syncStatus(err), err.Error()
	}
}
