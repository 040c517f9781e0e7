package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"oawizard/flow/syncer"
)

// recount is what the kept figures must equal: the followers and the
// import counted row by row.
func recount(t *testing.T, d *DB, appid string, importID int64) (FollowerStats, Overlap) {
	t.Helper()
	var fs FollowerStats
	if err := d.db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(subscribe), 0), COALESCE(SUM(unionid <> ''), 0) FROM followers WHERE appid = ?`, appid).
		Scan(&fs.Total, &fs.Subscribed, &fs.WithUnionID); err != nil {
		t.Fatal(err)
	}
	o := Overlap{Followers: fs.Total, FollowersUnion: fs.WithUnionID, SampleFollowerUnionIDs: fs.WithUnionID}
	if err := d.db.QueryRow(`SELECT COUNT(*), COALESCE(SUM(unionid <> ''), 0) FROM sdk_users WHERE import_id = ?`, importID).
		Scan(&o.SDKUsers, &o.SDKWithUnionID); err != nil {
		t.Fatal(err)
	}
	if err := d.db.QueryRow(`SELECT COUNT(DISTINCT unionid) FROM sdk_users WHERE import_id = ? AND unionid <> ''
	  AND unionid IN (SELECT unionid FROM followers WHERE appid = ? AND unionid <> '')`, importID, appid).Scan(&o.Matched); err != nil {
		t.Fatal(err)
	}
	return fs, o
}

// checkKept fails when a kept figure differs from the recount; want, when
// not negative, is the followers there must be.
func checkKept(t *testing.T, d *DB, when, appid string, importID, want int64) {
	t.Helper()
	ctx := context.Background()
	wantFS, wantO := recount(t, d, appid, importID)
	fs, err := d.FollowerStats(ctx, appid)
	if err != nil || fs != wantFS {
		t.Fatalf("%s: kept follower counts %+v (%v), recounted %+v", when, fs, err, wantFS)
	}
	o, err := d.Overlap(ctx, appid, importID)
	if err != nil || o != wantO {
		t.Fatalf("%s: kept overlap %+v (%v), recounted %+v", when, o, err, wantO)
	}
	if want >= 0 && fs.Total != want {
		t.Fatalf("%s: %d followers, want %d", when, fs.Total, want)
	}
}

// importUsers imports users m0… whose unionids are those of every third
// follower, and some without a unionid.
func importUsers(t *testing.T, d *DB, n int, finish bool) int64 {
	t.Helper()
	ctx := context.Background()
	id, err := d.BeginImport(ctx, SDKImport{FileName: "users.csv"})
	if err != nil {
		t.Fatal(err)
	}
	users := make([]SDKUser, n)
	for i := range users {
		users[i] = SDKUser{OpenID: fmt.Sprintf("m%027d", i)}
		if i%10 != 9 {
			users[i].UnionID = fmt.Sprintf("u%027d", i*3)
		}
	}
	if err := d.AddSDKUsers(ctx, id, users); err != nil {
		t.Fatal(err)
	}
	if finish {
		if err := d.FinishImport(ctx, id, map[string]int{"rows": n}, "x"); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

// pattern makes a generation of followers: which have a unionid and which
// still follow change from one generation to the next.
func pattern(gen int) func(i int) (string, int) {
	return func(i int) (string, int) {
		u, sub := fmt.Sprintf("u%027d", i), 1
		if (i+gen)%7 == 0 {
			u = ""
		}
		if (i+gen*2)%5 == 0 {
			sub = 0
		}
		return u, sub
	}
}

func syncAll(t *testing.T, d *DB, api *listAPI) {
	t.Helper()
	if _, err := syncer.Run(context.Background(), api, d, "wxa", syncer.Options{Workers: 4}); err != nil {
		t.Fatal(err)
	}
}

// The kept counts equal a full recount through every way followers are
// written and removed: syncs, re-syncs that update existing followers, a
// run stopped part-way and resumed, imports before, during and after a
// sync, a failed import, and a reset.
func TestKeptCountsEqualARecount(t *testing.T) {
	d := open(t)
	ctx := context.Background()
	first := importUsers(t, d, 4000, true)
	syncAll(t, d, &listAPI{n: 8000, user: pattern(0)})
	checkKept(t, d, "first sync", "wxa", first, 8000)

	// A re-sync rewrites every follower with other values, and adds some.
	syncAll(t, d, &listAPI{n: 11000, user: pattern(1)})
	checkKept(t, d, "re-sync", "wxa", first, 11000)

	// A run stopped after its first page, then resumed.
	stopCtx, stop := context.WithCancel(ctx)
	stopping := &listAPI{n: 20000, user: pattern(2), onBatch: func(call int64) {
		if call == 150 {
			stop()
		}
	}}
	if _, err := syncer.Run(stopCtx, stopping, d, "wxa", syncer.Options{Workers: 2}); err == nil {
		t.Fatal("the stopped run reports no error")
	}
	checkKept(t, d, "stopped run", "wxa", first, -1)
	syncAll(t, d, &listAPI{n: 20000, user: pattern(2)})
	checkKept(t, d, "resumed run", "wxa", first, 20000)

	// A newer import counts from its end; a sync while it runs is counted
	// for it too.
	second := importUsers(t, d, 5000, false)
	syncAll(t, d, &listAPI{n: 20000, user: pattern(3)})
	if err := d.FinishImport(ctx, second, map[string]int{"rows": 5000}, "y"); err != nil {
		t.Fatal(err)
	}
	checkKept(t, d, "import during a sync", "wxa", second, 20000)
	checkKept(t, d, "the older import", "wxa", first, 20000)

	failed := importUsers(t, d, 100, false)
	syncAll(t, d, &listAPI{n: 20000, user: pattern(4)})
	if err := d.DropImport(ctx, failed); err != nil {
		t.Fatal(err)
	}
	checkKept(t, d, "after a failed import", "wxa", second, 20000)
	if err := d.InsertFollowers(ctx, "wxb", rows(0, 3000)); err != nil {
		t.Fatal(err)
	}
	checkKept(t, d, "a second account", "wxb", second, 3000)
	checkKept(t, d, "the first account beside it", "wxa", second, 20000)

	if err := d.ResetSetup(ctx); err != nil {
		t.Fatal(err)
	}
	checkKept(t, d, "reset", "wxa", second, 0)
	third := importUsers(t, d, 500, true)
	syncAll(t, d, &listAPI{n: 5000, user: pattern(5)})
	checkKept(t, d, "sync after a reset", "wxa", third, 5000)
}

// A database written before the counts were kept gets them built when it is
// opened by this version.
func TestMigrationBuildsTheKeptCounts(t *testing.T) {
	// An import and followers as that version wrote them, with no counts.
	const id = 7
	d := migratedFrom(t, 2, func(d *DB) error {
		_, err := d.db.Exec(`INSERT INTO sdk_imports (id, file_name, size, sha256, columns, status, imported_at) VALUES (?, 'u.csv', 1, 'x', '{}', 'done', 0);
		  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 3999)
		  INSERT INTO sdk_users SELECT ?, printf('m%027d', i), CASE WHEN i % 10 = 9 THEN '' ELSE printf('u%027d', i * 3) END FROM n`, id, id)
		if err == nil {
			_, err = d.db.Exec(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 14999)
			  INSERT INTO followers SELECT 'wxa', printf('o%027d', i), CASE WHEN i % 7 = 0 THEN '' ELSE printf('u%027d', i) END, i % 5 <> 0, 0, '', 0 FROM n`)
		}
		return err
	})
	var n int64
	if err := d.db.QueryRow(`SELECT matched FROM overlap_counts WHERE appid = 'wxa' AND import_id = ?`, id).Scan(&n); err != nil || n == 0 {
		t.Fatalf("the migration kept no overlap (%d, %v)", n, err)
	}
	checkKept(t, d, "migrated", "wxa", id, 15000)
}

// A database whose followers were keyed (appid, openid) keeps every
// follower, its counts and the recount on a re-sync when this version keys
// them (openid, appid).
func TestFollowersRekeyedKeepTheirRowsAndCounts(t *testing.T) {
	d := migratedFrom(t, 3, func(d *DB) error {
		err := d.InsertFollowers(context.Background(), "wxa", rows(0, 5000))
		if err == nil {
			err = d.InsertFollowers(context.Background(), "wxb", rows(2500, 5000))
		}
		return err
	})
	var key string
	if err := d.db.QueryRow(`SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('followers') WHERE pk > 0 ORDER BY pk)`).
		Scan(&key); err != nil || key != "openid,appid" {
		t.Fatalf("followers keyed by %q (%v), want openid,appid", key, err)
	}
	checkKept(t, d, "rekeyed", "wxa", 0, 5000)
	checkKept(t, d, "rekeyed, the second account", "wxb", 0, 5000)
	syncAll(t, d, &listAPI{n: 8000, user: pattern(1)})
	checkKept(t, d, "a re-sync after rekeying", "wxa", 0, 8000)
}

// migratedFrom opens a new database at schema version v, lets write fill it
// as that version would, and opens it again with every migration.
func migratedFrom(t *testing.T, v int, write func(*DB) error) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "wizard.db")
	all := migrations
	migrations = all[:v]
	d, err := Open(path)
	if err == nil {
		err = write(d)
		d.Close()
	}
	migrations = all
	if err != nil {
		t.Fatal(err)
	}
	if d, err = Open(path); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}
