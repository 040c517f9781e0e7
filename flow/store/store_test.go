package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"oawizard/flow/syncer"
)

func open(t testing.TB) *DB {
	t.Helper()
	d, err := Open(filepath.Join(t.TempDir(), "wizard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func rows(from, n int) []syncer.Follower {
	out := make([]syncer.Follower, n)
	for i := range out {
		out[i] = syncer.Follower{OpenID: fmt.Sprintf("o%027d", from+i), UnionID: fmt.Sprintf("u%027d", from+i), Subscribed: true, SubscribeTime: 1700000000}
	}
	return out
}

func TestResumedRunHasNoDuplicates(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	cp, err := d.BeginRun(ctx, "wxa")
	if err != nil {
		t.Fatal(err)
	}
	cp.Cursor, cp.Pages, cp.Rows = "o1", 1, 100
	if err := d.WritePage(ctx, "wxa", rows(0, 100), cp); err != nil {
		t.Fatal(err)
	}
	// The process dies; a new run resumes the same one.
	again, err := d.BeginRun(ctx, "wxa")
	if err != nil || again.RunID != cp.RunID || again.Cursor != "o1" || again.Rows != 100 {
		t.Fatalf("resume: %+v %v", again, err)
	}
	again.Rows = 150
	if err := d.WritePage(ctx, "wxa", rows(50, 100), again); err != nil {
		t.Fatal(err)
	}
	if err := d.EndRun(ctx, again.RunID, syncer.Outcome{Status: "done"}); err != nil {
		t.Fatal(err)
	}
	fs, _ := d.FollowerStats(ctx, "wxa")
	if fs.Total != 150 || fs.WithUnionID != 150 {
		t.Fatalf("stats %+v", fs)
	}
	if next, _ := d.BeginRun(ctx, "wxa"); next.RunID == cp.RunID {
		t.Fatal("a finished run was resumed")
	}
}

func TestFullDiskLeavesNothingHalfWritten(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	cp, _ := d.BeginRun(ctx, "wxa")
	if err := d.WritePage(ctx, "wxa", rows(0, 10), cp); err != nil {
		t.Fatal(err)
	}
	var pages int
	d.db.QueryRow(`PRAGMA page_count`).Scan(&pages)
	d.db.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2))
	cp.Rows = 5010
	err := d.WritePage(ctx, "wxa", rows(10, 5000), cp)
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("want ErrDiskFull, got %v", err)
	}
	fs, _ := d.FollowerStats(ctx, "wxa")
	var saved int64
	d.db.QueryRow(`SELECT rows FROM sync_runs WHERE id = ?`, cp.RunID).Scan(&saved)
	if fs.Total != 10 || saved != 0 {
		t.Fatalf("after a failed page: %d rows stored, checkpoint %d", fs.Total, saved)
	}
}

func TestReadOnlyDatabaseIsReported(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores file permissions; the read-only path is covered by the query_only check below")
	}
	dir := t.TempDir()
	d, _ := Open(filepath.Join(dir, "w.db"))
	d.Close()
	os.Chmod(dir, 0o500)
	defer os.Chmod(dir, 0o700)
	os.Chmod(filepath.Join(dir, "w.db"), 0o400)
	d2, err := Open(filepath.Join(dir, "w.db"))
	if err == nil {
		defer d2.Close()
		err = d2.SetAccount(context.Background(), "wxa", "oa", "")
	}
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("want ErrReadOnly, got %v", err)
	}
}

func TestQueryOnlyConnectionIsReadOnly(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	cp, _ := d.BeginRun(ctx, "wxa")
	d.db.SetMaxOpenConns(1)
	d.db.Exec(`PRAGMA query_only = 1`)
	err := d.WritePage(ctx, "wxa", rows(0, 10), cp)
	if !errors.Is(err, ErrReadOnly) {
		t.Fatalf("want ErrReadOnly, got %v", err)
	}
}

func TestLockedByAnotherWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	a, _ := Open(path)
	defer a.Close()
	b, _ := Open(path)
	defer b.Close()
	b.db.Exec(`PRAGMA busy_timeout = 50`)
	b.db.SetMaxOpenConns(1)
	b.db.Exec(`PRAGMA busy_timeout = 50`)
	tx, _ := a.db.Begin()
	tx.Exec(`INSERT INTO accounts VALUES ('wxa', 'oa', '', 0)`)
	defer tx.Rollback()
	err := b.SetAccount(context.Background(), "wxb", "oa", "")
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	d, _ := Open(path)
	d.db.Exec(`INSERT INTO schema_migrations VALUES (99, 0)`)
	d.Close()
	if _, err := Open(path); !errors.Is(err, ErrTooNew) {
		t.Fatalf("want ErrTooNew, got %v", err)
	}
}

func TestImportsChecksStateAndOverlap(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	id, _ := d.BeginImport(ctx, SDKImport{FileName: "users.csv", Size: 10, SHA256: "x"})
	d.AddSDKUsers(ctx, id, []SDKUser{{"m1", fmt.Sprintf("u%027d", 3)}, {"m2", fmt.Sprintf("u%027d", 7)}, {"m3", ""}})
	d.FinishImport(ctx, id, map[string]int{"rows": 4}, "abc")
	cp, _ := d.BeginRun(ctx, "wxa")
	d.WritePage(ctx, "wxa", rows(0, 5), cp)
	o, err := d.Overlap(ctx, "wxa", id)
	if err != nil || o.SDKUsers != 3 || o.SDKWithUnionID != 2 || o.Matched != 1 || o.Followers != 5 {
		t.Fatalf("overlap %+v %v", o, err)
	}
	failed, _ := d.BeginImport(ctx, SDKImport{FileName: "broken.csv"})
	d.AddSDKUsers(ctx, failed, []SDKUser{{"x", ""}})
	d.DropImport(ctx, failed)
	if im, ok, _ := d.LatestImport(ctx); !ok || im.ID != id {
		t.Fatalf("latest import %+v", im)
	}
	var n int
	d.db.QueryRow(`SELECT COUNT(*) FROM sdk_users WHERE import_id = ?`, failed).Scan(&n)
	if n != 0 {
		t.Fatal("a dropped import left users behind")
	}
	d.AppendChecks(ctx, []CheckResult{{CheckID: "oa_verified", Status: "unknown", Source: "none"}})
	d.AppendChecks(ctx, []CheckResult{{CheckID: "oa_verified", Status: "pass", Source: "api"}})
	latest, _ := d.LatestChecks(ctx)
	if len(latest) != 1 || latest[0].Status != "pass" {
		t.Fatalf("latest checks %+v", latest)
	}
	d.Put(ctx, "step", 2)
	var step int
	if ok, _ := d.Get(ctx, "step", &step); !ok || step != 2 {
		t.Fatal("state not kept")
	}
	if found, _ := d.ContainsString(ctx, "users.csv"); !found {
		t.Fatal("ContainsString misses a stored value")
	}
	if found, _ := d.ContainsString(ctx, "oaw_secret_token"); found {
		t.Fatal("ContainsString finds what is not there")
	}
}

// BenchmarkInsertFollowers is the yardstick for the sync: raw inserts of
// follower rows into the same schema, 10,000 per transaction.
func BenchmarkInsertFollowers(b *testing.B) {
	const n = 1_000_000
	pages := make([][]syncer.Follower, 0, n/10000)
	for i := 0; i < n; i += 10000 {
		pages = append(pages, rows(i, 10000))
	}
	for b.Loop() {
		b.StopTimer()
		d := open(b)
		ctx := context.Background()
		b.StartTimer()
		for _, p := range pages {
			if err := d.InsertFollowers(ctx, "wxa", p); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func TestCrashedImportIsRemovedAtNextOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wizard.db")
	d, _ := Open(path)
	ctx := context.Background()
	done, _ := d.BeginImport(ctx, SDKImport{FileName: "ok.csv"})
	d.AddSDKUsers(ctx, done, []SDKUser{{"m1", ""}})
	d.FinishImport(ctx, done, map[string]int{"rows": 1}, "x")
	half, _ := d.BeginImport(ctx, SDKImport{FileName: "big.csv"})
	d.AddSDKUsers(ctx, half, []SDKUser{{"m1", ""}, {"m2", ""}})
	d.Close() // the process dies mid-import
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var imports, users int
	d.db.QueryRow(`SELECT COUNT(*) FROM sdk_imports WHERE status = 'importing'`).Scan(&imports)
	d.db.QueryRow(`SELECT COUNT(*) FROM sdk_users WHERE import_id = ?`, half).Scan(&users)
	if imports != 0 || users != 0 {
		t.Fatalf("%d half imports with %d users left after reopening", imports, users)
	}
	if im, ok, _ := d.LatestImport(ctx); !ok || im.ID != done {
		t.Fatalf("the finished import is gone: %+v", im)
	}
}

func TestDatabaseIsPrivateToTheUser(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	path, err := DefaultPath()
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(path), 0o755) // as an older version left it
	os.WriteFile(path, nil, 0o644)
	if path, err = DefaultPath(); err != nil {
		t.Fatal(err)
	}
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	d.SetAccount(context.Background(), "wxa", "oa", "")
	d.Close()
	for p, want := range map[string]os.FileMode{filepath.Dir(path): 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", p, fi.Mode().Perm(), err, want)
		}
	}
}

func TestEveryUnfinishedRunResumes(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	for _, status := range []string{"failed", "revoked", "stopped", "quota"} {
		cp, _ := d.BeginRun(ctx, "wxa")
		cp.Cursor, cp.Pages, cp.Rows = "o9", 1, 10
		d.WritePage(ctx, "wxa", rows(0, 10), cp)
		d.EndRun(ctx, cp.RunID, syncer.Outcome{Status: status})
		again, err := d.BeginRun(ctx, "wxa")
		if err != nil || again.RunID != cp.RunID || again.Cursor != "o9" || again.Rows != 10 {
			t.Fatalf("after %q: %+v %v, want run %d resumed at its cursor", status, again, err, cp.RunID)
		}
		d.EndRun(ctx, cp.RunID, syncer.Outcome{Status: "done"})
	}
}

func TestWritePageStoresOddSizedPages(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	cp, _ := d.BeginRun(ctx, "wxa")
	for _, n := range []int{1, 99, 100, 101, 250} {
		if err := d.WritePage(ctx, "wxa", rows(0, n), cp); err != nil {
			t.Fatal(err)
		}
	}
	if fs, _ := d.FollowerStats(ctx, "wxa"); fs.Total != 250 {
		t.Fatalf("stored %d, want 250", fs.Total)
	}
}

// Overlap stays fast at the sizes of a real account: it once walked every
// follower for each user of the import.
func TestOverlapAtScale(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	cp, _ := d.BeginRun(ctx, "wxa")
	for i := 0; i < 50000; i += 10000 {
		d.WritePage(ctx, "wxa", rows(i, 10000), cp)
	}
	id, _ := d.BeginImport(ctx, SDKImport{FileName: "users.csv"})
	users := make([]SDKUser, 20000)
	for i := range users {
		users[i] = SDKUser{fmt.Sprintf("m%027d", i), fmt.Sprintf("u%027d", i*3)}
	}
	d.AddSDKUsers(ctx, id, users)
	d.FinishImport(ctx, id, map[string]int{"rows": len(users)}, "x")
	done := make(chan error, 1)
	var o Overlap
	go func() {
		var err error
		o, err = d.Overlap(ctx, "wxa", id)
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil || o.Matched != 16667 {
			t.Fatalf("overlap %+v %v", o, err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the overlap of 20,000 users with 50,000 followers takes longer than 20 s")
	}
}
