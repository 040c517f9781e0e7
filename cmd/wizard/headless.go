package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"oawizard/demostack"
	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/sdkimport"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
	"oawizard/flow/verdict"
)

// headlessOptions are the flags of `wizard -headless`.
type headlessOptions struct {
	Scenario  string
	SDKExport string
	Sheet     string // the workbook sheet to read when two qualify
	DataDir   string
	Followers int
	Workers   int
}

// Exit codes of the headless mode.
const (
	exitAllPass = 0
	exitFailed  = 1
	exitError   = 2
)

// headlessReport is the one JSON document printed on stdout.
type headlessReport struct {
	Scenario string `json:"scenario"`
	// Status is how the run ended: done, stopped (interrupted) or failed,
	// with Stage and Reason (a stable id, see failReason) when it did not
	// get to the end, and Message, the error as the program has it.
	Status  string `json:"status"`
	Stage   string `json:"stage,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
	// Sheets are the workbook's candidate sheets when the export's sheet
	// must be named (-sheet).
	Sheets []sdkimport.SheetInfo `json:"sheets,omitempty"`
	// HeldBy is what held the database when a lock stopped the run:
	// "wizard" (another copy), "sync" (this run's own sync) or "program"
	// (named in the message); absent when it cannot be known.
	HeldBy string `json:"held_by,omitempty"`
	flow.Report
	Authorization struct {
		Status string `json:"status"`
		AppID  string `json:"appid"`
		Reason string `json:"reason,omitempty"`
	} `json:"authorization"`
	Sync struct {
		Status      string  `json:"status"`
		Followers   int64   `json:"followers"`
		WithUnionID int64   `json:"with_unionid"`
		Seconds     float64 `json:"seconds"`
		Message     string  `json:"message,omitempty"`
	} `json:"sync"`
	Checks []headlessCheck `json:"checks"`
	// SDKImport is what step 2 read: rows read, rows skipped and why,
	// quotes that never closed.
	SDKImport *sdkimport.Stats `json:"sdk_import,omitempty"`
}

type headlessCheck struct {
	ID       string           `json:"id"`
	Status   string           `json:"status"`
	Evidence verdict.Evidence `json:"evidence"`
	// SharePercent is step 2's share behind an amber (or any) SDK badge.
	SharePercent *float64 `json:"share_percent,omitempty"`
}

// runHeadless walks the whole wizard against the demo stack with the
// simulated phone: progress goes to stderr as JSON lines, the report to stdout.
func runHeadless(ctx context.Context, opt headlessOptions, stdout, stderr io.Writer) int {
	progress := json.NewEncoder(stderr)
	var mu sync.Mutex
	emit := func(v any) {
		mu.Lock()
		defer mu.Unlock()
		progress.Encode(v)
	}
	var rep headlessReport
	fail := func(stage string, err error) int {
		emit(map[string]string{"event": "error", "stage": stage, "error": err.Error()})
		return rep.abort(ctx, stage, err, stdout)
	}
	dir := opt.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "oawizard-headless-")
		if err != nil {
			return fail("data", err)
		}
		defer func() {
			if err := removeTempDir(tmp); err != nil {
				emit(map[string]string{"event": "error", "stage": "cleanup", "error": err.Error()})
			}
		}()
		dir = tmp
	}
	if err := privateDir(dir); err != nil {
		return fail("data", err)
	}
	stack, err := demostack.Start(ctx, opt.Scenario, demostack.Options{Followers: opt.Followers, Dir: dir})
	if err != nil {
		return fail("demo", err)
	}
	defer stack.Close()
	demo := stack.Demo()
	db, err := store.Open(filepath.Join(dir, "wizard.db"))
	if err != nil {
		return fail("store", err)
	}
	defer db.Close()
	conn, err := connclient.New(demo.URL, demo.ProjectToken, nil)
	if err != nil {
		return fail("connector", err)
	}
	w, err := flow.NewWizard(ctx, db, conn, nil)
	if err != nil {
		return fail("state", err)
	}
	sc := demo.Scenario
	rep.Scenario = sc.Name
	if err := w.SetAccounts(ctx, sc.OAAppID, []string{sc.MPAppID}); err != nil {
		return fail("accounts", err)
	}
	if _, err := w.Check(ctx, false); err != nil {
		return fail("checks", err)
	}
	if opt.SDKExport != "" {
		stats, err := importExport(ctx, w, opt.SDKExport, opt.Sheet, emit)
		if err != nil {
			return fail("sdk", err)
		}
		rep.SDKImport = &stats
		emit(map[string]any{"event": "sdk", "rows": stats.Rows, "with_openid": stats.WithOpenID, "with_unionid": stats.WithUnionID,
			"skipped": stats.Skipped, "unclosed_quotes": stats.UnclosedQuotes})
	}

	// Step 3: the simulated phone scans the first QR code and confirms;
	// then the mini-program is authorized too, the optional second scan.
	// The phones run beside the flow; the report waits for them, so none
	// writes after runHeadless has returned.
	var phones sync.WaitGroup
	defer phones.Wait()
	phone := func(stage string) func(flow.AuthEvent) {
		var once sync.Once
		return func(ev flow.AuthEvent) {
			emit(map[string]any{"event": stage, "state": ev.State, "code": ev.Session.Code})
			if ev.State == flow.AuthWaiting && ev.Session.QRURL != "" {
				once.Do(func() {
					phones.Add(1)
					go func() {
						defer phones.Done()
						page, err := demo.Phone().Open(ev.Session.QRURL)
						if err == nil {
							_, err = page.Confirm()
						}
						if err != nil {
							emit(map[string]any{"event": "phone", "error": err.Error()})
						}
					}()
				})
			}
		}
	}
	actx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	session, err := w.Authorize(actx, flow.AuthorizeOptions{}, phone("authorization"))
	if err == nil {
		if _, merr := w.AuthorizeMiniProgram(actx, flow.AuthorizeOptions{}, phone("mp_authorization")); merr != nil {
			emit(map[string]any{"event": "mp_authorization", "error": merr.Error()})
		}
	}
	cancel()
	rep.recordAuthorization(session, err)
	if err == nil {
		if _, err := w.Check(ctx, true); err != nil {
			return fail("checks", err)
		}
		start := time.Now()
		res, serr := w.Sync(ctx, flow.SyncOptions{Workers: opt.Workers, Progress: func(p syncer.Progress) {
			emit(map[string]any{"event": "sync", "progress": p})
		}})
		rep.Sync.Seconds = time.Since(start).Seconds()
		rep.Sync.Status = "done"
		if serr != nil {
			rep.Sync.Status, rep.Sync.Message = syncStatus(serr), serr.Error()
		}
		_ = res
	}
	return finishReport(ctx, w, &rep, stdout, fail)
}

// finishReport, for both modes, checks once more, prints the report on
// stdout and says by the exit code whether everything passed.
func finishReport(ctx context.Context, w *flow.Wizard, rep *headlessReport, stdout io.Writer, fail func(string, error) int) int {
	if ctx.Err() != nil {
		// Interrupted: the report still says what is known.
		return fail("interrupted", ctx.Err())
	}
	checked, err := w.Check(ctx, false)
	if err != nil {
		return fail("checks", err)
	}
	base, err := w.Report(ctx, checked.Checks)
	if err != nil {
		return fail("report", err)
	}
	rep.Report = base
	rep.Sync.Followers, rep.Sync.WithUnionID = base.Sync.Followers, base.Sync.WithUnionID
	for _, c := range checked.Checks {
		rep.Checks = append(rep.Checks, headlessCheck{ID: c.ID, Status: c.Status, Evidence: c.Evidence, SharePercent: c.SharePercent})
	}
	rep.Status = "done"
	if err := rep.print(stdout); err != nil {
		return exitError
	}
	if verdict.AllPass(checked.Checks) && rep.Authorization.Status == "authorized" && rep.Sync.Status == "done" {
		return exitAllPass
	}
	return exitFailed
}

// recordAuthorization puts how the authorization ended into the report.
func (rep *headlessReport) recordAuthorization(session *connclient.Session, err error) {
	rep.Authorization.Status = "authorized"
	if session != nil {
		rep.Authorization.AppID = session.AppID
	}
	if err == nil {
		return
	}
	rep.Authorization.Status = "failed"
	if session != nil {
		rep.Authorization.Status, rep.Authorization.Reason = session.Status, session.Reason
	}
	if errors.Is(err, context.DeadlineExceeded) {
		rep.Authorization.Status = "timeout"
	}
	if rep.Authorization.Reason == "" {
		rep.Authorization.Reason = err.Error()
	}
}

func syncStatus(err error) string { return syncer.EndOf(err) }

// importExport runs step 2 on a file, reporting progress as JSON lines at
// most four times a second (and once at the end).
func importExport(ctx context.Context, w *flow.Wizard, path, sheet string, emit func(any)) (sdkimport.Stats, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return sdkimport.Stats{}, err
	}
	if fi.IsDir() {
		return sdkimport.Stats{}, &sdkimport.Error{Kind: sdkimport.KindFolder, Detail: path + " is a folder, not a file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return sdkimport.Stats{}, err
	}
	defer f.Close()
	start := time.Now()
	var last time.Time
	progress := func(read int64, rows int) {
		now := time.Now()
		if now.Sub(last) < 250*time.Millisecond && read < fi.Size() {
			return
		}
		last = now
		rate := 0.0
		if el := now.Sub(start).Seconds(); el > 0 {
			rate = float64(rows) / el
		}
		emit(map[string]any{"event": "sdk_progress", "rows": rows, "bytes": read, "size": fi.Size(), "rows_per_s": int(rate)})
	}
	return w.ImportSDK(ctx, f, filepath.Base(path), fi.Size(), sdkimport.Options{Sheet: sheet, Progress: progress})
}
