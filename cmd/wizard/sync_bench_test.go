package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"oawizard/connector"
	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/store"
	"oawizard/flow/syncer"
)

// Sync benchmarks (issue targets in brackets). Run with
//
//	go test -run '^$' -bench Sync -benchtime 1x ./cmd/wizard
//
// BenchmarkSyncMillion: 1,000,000 followers through simulator, connector
// relay, sync engine and SQLite, with raw inserts of the same rows into the
// same schema measured in the same run [sync ≥ 0.5 × raw], and the process's
// peak RSS [≤ 200 MB]. BenchmarkSyncMillionLatency: the same with 20 ms per
// WeChat call [total ≤ 1.25 × calls ÷ workers × 20 ms].

func BenchmarkSyncMillion(b *testing.B)        { benchSync(b, 0) }
func BenchmarkSyncMillionLatency(b *testing.B) { benchSync(b, 20*time.Millisecond) }

const benchFollowers = 1_000_000

func benchSync(b *testing.B, latency time.Duration) {
	tuneGC()
	ctx := context.Background()
	workers := 8
	if v, _ := strconv.Atoi(os.Getenv("BENCH_WORKERS")); v > 0 {
		workers = v
	}
	var syncSecs float64
	var calls int
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		d, err := connector.StartDemo(ctx, connector.DemoOptions{Scenario: "ok", Followers: benchFollowers, Latency: latency,
			StorePath: filepath.Join(dir, "connector.db")})
		if err != nil {
			b.Fatal(err)
		}
		db, err := store.Open(filepath.Join(dir, "wizard.db"))
		if err != nil {
			b.Fatal(err)
		}
		conn, _ := connclient.New(d.URL, d.ProjectToken, nil)
		w, _ := flow.NewWizard(ctx, db, conn, nil)
		w.SetAccounts(ctx, d.Scenario.OAAppID, nil)
		var once bool
		if _, err := w.Authorize(ctx, flow.AuthorizeOptions{}, func(ev flow.AuthEvent) {
			if ev.State == flow.AuthWaiting && !once {
				once = true
				go func() {
					p, err := d.Phone().Open(ev.Session.QRURL)
					if err == nil {
						p.Confirm()
					}
				}()
			}
		}); err != nil {
			b.Fatal(err)
		}
		d.Sim.ResetCalls()
		b.StartTimer()
		start := time.Now()
		res, err := w.Sync(ctx, flow.SyncOptions{Workers: workers, GrowthDays: -1})
		syncSecs = time.Since(start).Seconds()
		b.StopTimer()
		_ = i
		if err != nil {
			b.Fatal(err)
		}
		if res.Progress.Stored != benchFollowers {
			b.Fatalf("stored %d", res.Progress.Stored)
		}
		calls = d.Sim.Calls("/cgi-bin/user/get") + d.Sim.Calls("/cgi-bin/user/info/batchget")
		db.Close()
		d.Close()
	}
	b.ReportMetric(benchFollowers/syncSecs, "followers/s")
	b.ReportMetric(float64(calls), "wechat-calls")
	if latency > 0 {
		bound := 1.25 * float64(calls) / float64(workers) * latency.Seconds()
		b.ReportMetric(bound, "bound-s")
		b.ReportMetric(syncSecs, "sync-s")
		return
	}
	raw := rawInsertRate(b)
	b.ReportMetric(raw, "raw-rows/s")
	b.ReportMetric(benchFollowers/syncSecs/raw, "sync/raw")
	b.ReportMetric(peakRSSMB(), "peak-rss-MB")
}

// rawInsertRate writes the same number of follower rows straight into the
// same schema, 10,000 per transaction, as the yardstick.
func rawInsertRate(b *testing.B) float64 {
	ctx := context.Background()
	db, err := store.Open(filepath.Join(b.TempDir(), "raw.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	page := make([]syncer.Follower, 10000)
	start := time.Now()
	for i := 0; i < benchFollowers; i += len(page) {
		for j := range page {
			n := i + j
			page[j] = syncer.Follower{OpenID: fmt.Sprintf("o%027d", n), UnionID: fmt.Sprintf("u%027d", n), Subscribed: n%5 != 0,
				SubscribeTime: 1700000000, SubscribeScene: "ADD_SCENE_QR_CODE"}
		}
		if err := db.InsertFollowers(ctx, "wxraw", page); err != nil {
			b.Fatal(err)
		}
	}
	return benchFollowers / time.Since(start).Seconds()
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
