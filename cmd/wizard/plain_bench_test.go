package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"oawizard/flow/store"
	"oawizard/wechat/wechatsim"
)

// bestPlainInsertRate is the yardstick the import is held to, and the
// sync's second one: n follower rows with made-up sequential ids written
// the fastest plain way into the followers table of the wizard's own schema
// (prepared INSERTs of 100 rows each, 10,000 rows per transaction, WAL,
// synchronous NORMAL). Ids in order append at the tree's end, which no sync
// of real openids can do. Only the database work is timed, not making up
// the rows.
func bestPlainInsertRate(b *testing.B, n int) float64 {
	return plainInsertRate(b, n, func(first int, rows [][]any) {
		for r := range rows {
			i := first + r
			rows[r] = append(rows[r][:0], "wxplain", fmt.Sprintf("o%027d", i), fmt.Sprintf("u%027d", i), int64(min(i%5, 1)), int64(1700000000),
				"ADD_SCENE_QR_CODE", int64(1764000000))
		}
	})
}

// sameRowsPlainInsertRate is the sync's yardstick: the very rows the sync
// stores (the simulator's followers of oaAppID, with their openids,
// unionids, follow times and scenes), in the pages user/get lists them,
// each page sorted by openid (the cheapest order a plain insert of a page
// can choose), written the same fastest plain way as bestPlainInsertRate.
func sameRowsPlainInsertRate(b *testing.B, sim *wechatsim.Server, oaAppID string, n int) float64 {
	return plainInsertRate(b, n, func(first int, rows [][]any) {
		for r := range rows {
			u, ok := sim.FollowerInfo(oaAppID, first+r)
			if !ok {
				b.Fatalf("the simulator has no follower %d", first+r)
			}
			rows[r] = append(rows[r][:0], oaAppID, u.OpenID, u.UnionID, int64(u.Subscribe), u.SubscribeTime, u.SubscribeScene, int64(1764000000))
		}
		slices.SortFunc(rows, func(x, y []any) int { return strings.Compare(x[1].(string), y[1].(string)) })
	})
}

// plainInsertRate writes n rows into a new database of the wizard's schema,
// page(first, rows) filling the 10,000 rows of each transaction, 100 to a
// prepared INSERT, and returns the rows written per second of database work.
func plainInsertRate(b *testing.B, n int, page func(first int, rows [][]any)) float64 {
	b.Helper()
	const perStmt, perTx = 100, 10_000
	if n%perTx != 0 {
		b.Fatalf("%d rows: the plain insert writes whole transactions of %d", n, perTx)
	}
	dir := b.TempDir()
	defer removeAll(b, dir) // as the sync's runs do
	path := filepath.Join(dir, "plain.db")
	d, err := store.Open(path) // the same schema
	if err != nil {
		b.Fatal(err)
	}
	d.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var q strings.Builder
	q.WriteString(`INSERT INTO followers (appid, openid, unionid, subscribe, subscribe_time, subscribe_scene, synced_at) VALUES `)
	for i := range perStmt {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?,?,?,?,?,?,?)")
	}
	ctx := context.Background()
	stmt, err := db.PrepareContext(ctx, q.String())
	if err != nil {
		b.Fatal(err)
	}
	defer stmt.Close()
	rows := make([][]any, perTx)
	args := make([][]any, perTx/perStmt)
	var spent time.Duration
	for first := 0; first < n; first += perTx {
		page(first, rows)
		for s := range args {
			args[s] = args[s][:0]
			for _, r := range rows[s*perStmt : (s+1)*perStmt] {
				args[s] = append(args[s], r...)
			}
		}
		start := time.Now()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		ts := tx.StmtContext(ctx, stmt)
		for _, a := range args {
			if _, err := ts.ExecContext(ctx, a...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		spent += time.Since(start)
	}
	return float64(n) / spent.Seconds()
}

// removeAll removes a run's folder as soon as the run is over.
func removeAll(b *testing.B, dir string) {
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
}

// peakRSSMB is the process's high-water resident memory (Linux).
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuSeconds is the process's CPU time so far (user + system): on a shared,
// loaded machine it shows what a run cost apart from what it waited for.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// stolenSeconds is the CPU time the virtual machine's host has given to
// others so far (the "steal" column of /proc/stat), on every core: a run
// that lost much of it measured the neighbours as much as the code.
func stolenSeconds() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	ticks, _ := strconv.ParseFloat(f[8], 64)
	return ticks / 100 // USER_HZ
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
