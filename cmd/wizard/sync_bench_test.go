package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"oawizard/demostack/loopback"
	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/store"
	"oawizard/wechat/wechatsim"
)

// Sync benchmarks, each against its goal (b.Errorf when short). Run one per
// process, as scripts/bench.sh does, so the peak RSS is the benchmark's own:
//
//	go test -run '^$' -bench 'SyncMillion$' -benchtime 1x ./cmd/wizard
//
// BenchmarkSyncMillion, BenchmarkSyncFiveMillion: 1,000,000 and 5,000,000
// followers through simulator, connector relay, sync engine and SQLite in
// one process, against the best plain insert of the same rows (the
// simulator's followers, page by page as user/get lists them) into the same
// schema measured in the same run [sync ≥ 0.6 × plain, stretch 0.8 ×; peak
// RSS ≤ 150 MB; a follower takes at most store.BytesPerFollower on disk].
// With BENCH_RECORD naming a folder, each records its time per follower
// there, and the 5,000,000 run holds its own to the 1,000,000 run's
// [within 15 %: the cost is linear]. The simulator allows user/get the
// day's flat 500 calls, which 5,000,000 followers take exactly.
// BenchmarkSyncMillionLatency, BenchmarkSyncFiveMillionLatency: the same
// with 20 ms per WeChat call [total ≤ 1.15 × calls ÷ workers × 20 ms].
//
// With BENCH_RUNS=N the sync runs N times from an empty database and the
// plain insert N times beside it, and each side's fastest run is the
// figure: on a shared two-core machine one run of either swung by a third
// from one minute to the next (a neighbour's load, not our code), and the
// fastest of a few is the run least disturbed.

func BenchmarkSyncMillion(b *testing.B)            { benchSync(b, 1_000_000, 0) }
func BenchmarkSyncFiveMillion(b *testing.B)        { benchSync(b, 5_000_000, 0) }
func BenchmarkSyncMillionLatency(b *testing.B)     { benchSync(b, 1_000_000, 20*time.Millisecond) }
func BenchmarkSyncFiveMillionLatency(b *testing.B) { benchSync(b, 5_000_000, 20*time.Millisecond) }

const (
	goalSyncRatio   = 0.6
	goalPeakRSSMB   = 150
	goalLatencyOver = 1.15
	goalLinear      = 0.15
)

func benchSync(b *testing.B, followers int, latency time.Duration) {
	skipLarge(b, followers)
	ctx := context.Background()
	workers := 8
	if v, _ := strconv.Atoi(os.Getenv("BENCH_WORKERS")); v > 0 {
		workers = v
	}
	runs := 1
	if v, _ := strconv.Atoi(os.Getenv("BENCH_RUNS")); v > 0 {
		runs = v
	}
	syncSecs, syncCPU := math.Inf(1), 0.0
	var calls int
	var perFollower float64
	b.StopTimer()
	for i := range runs * b.N {
		dir := b.TempDir()
		d, err := loopback.Start(ctx, loopback.Options{Scenario: "ok", Followers: followers, Latency: latency,
			StorePath: filepath.Join(dir, "connector.db")})
		if err != nil {
			b.Fatal(err)
		}
		d.Sim.SetQuota(d.Scenario.OAAppID, "/cgi-bin/user/get", 500, 0)
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
		start, cpu, steal := time.Now(), cpuSeconds(), stolenSeconds()
		res, err := w.Sync(ctx, flow.SyncOptions{Workers: workers, GrowthDays: -1})
		secs, spent := time.Since(start).Seconds(), cpuSeconds()-cpu
		b.StopTimer()
		b.Logf("run %d: sync %.1f s, %.0f followers/s, CPU %.1f s, stolen by the host %.1f s", i+1, secs, float64(followers)/secs, spent, stolenSeconds()-steal)
		if secs < syncSecs {
			syncSecs, syncCPU = secs, spent
		}
		if err != nil {
			b.Fatal(err)
		}
		if res.Progress.Stored != int64(followers) {
			b.Fatalf("stored %d", res.Progress.Stored)
		}
		calls = d.Sim.Calls("/cgi-bin/user/get") + d.Sim.Calls("/cgi-bin/user/info/batchget")
		db.Close()
		d.Close()
		perFollower = float64(fileSize(filepath.Join(dir, "wizard.db"))) / float64(followers)
		// The next run starts from the same disk: 600 MB of a run's pages
		// still waiting to be written out made the system slow the next
		// run's writes (each 5M run took 10 % more CPU than the one before).
		removeAll(b, dir)
	}
	b.ReportMetric(float64(followers)/syncSecs, "followers/s")
	b.ReportMetric(float64(calls), "wechat-calls")
	if latency > 0 {
		bound := goalLatencyOver * float64(calls) / float64(workers) * latency.Seconds()
		b.ReportMetric(bound, "bound-s")
		b.ReportMetric(syncSecs, "sync-s")
		b.Logf("sync %.1f s with %v per call, %d calls, %d workers: goal ≤ %.1f s", syncSecs, latency, calls, workers, bound)
		if syncSecs > bound {
			b.Errorf("sync took %.1f s, goal ≤ %.1f s (%.2f × calls ÷ workers × %v)", syncSecs, bound, goalLatencyOver, latency)
		}
		return
	}
	b.ReportMetric(perFollower, "disk-B/follower")
	b.Logf("%.0f bytes per follower on disk (store.BytesPerFollower = %d)", perFollower, store.BytesPerFollower)
	if perFollower > store.BytesPerFollower {
		b.Errorf("a follower takes %.0f bytes on disk, more than store.BytesPerFollower = %d", perFollower, store.BytesPerFollower)
	}
	linear(b, followers, syncSecs/float64(followers))
	rss := peakRSSMB()
	cpu := cpuSeconds()
	sim := wechatsim.NewUnstarted(wechatsim.Options{Scenario: "ok", Followers: followers, PushInterval: -1})
	oa := sim.Scenario().OAAppID
	plain, synthetic := 0.0, 0.0
	for range runs * b.N {
		plain = max(plain, sameRowsPlainInsertRate(b, sim, oa, followers))
		synthetic = max(synthetic, bestPlainInsertRate(b, followers))
	}
	plainCPU := (cpuSeconds() - cpu) / float64(2*runs*b.N)
	ratio := float64(followers) / syncSecs / plain
	b.ReportMetric(plain, "plain-rows/s")
	b.ReportMetric(ratio, "sync/plain")
	b.ReportMetric(float64(followers)/syncSecs/synthetic, "sync/sequential")
	b.ReportMetric(rss, "peak-rss-MB")
	b.ReportMetric(syncCPU, "sync-cpu-s")
	b.ReportMetric(plainCPU, "plain-cpu-s")
	b.Logf("CPU time: sync %.1f s over %.1f s wall (simulator and connector included), plain insert %.1f s; load average %s",
		syncCPU, syncSecs, plainCPU, loadAvg())
	b.Logf("fastest of %d runs each: sync %.0f followers/s, best plain insert of the same rows %.0f rows/s: %.2f × (goal ≥ %.2f ×); peak RSS %.0f MB (goal ≤ %d MB)",
		runs*b.N, float64(followers)/syncSecs, plain, ratio, goalSyncRatio, rss, goalPeakRSSMB)
	b.Logf("beside made-up sequential ids, which append at the tree's end (no goal): plain insert %.0f rows/s, sync %.2f × that",
		synthetic, float64(followers)/syncSecs/synthetic)
	if ratio < goalSyncRatio {
		b.Errorf("sync at %.2f × the best plain insert, goal ≥ %.2f ×", ratio, goalSyncRatio)
	}
	if rss > goalPeakRSSMB {
		b.Errorf("peak RSS %.0f MB, goal ≤ %d MB", rss, goalPeakRSSMB)
	}
}

// linear records the time per follower in $BENCH_RECORD and holds a run
// larger than 1,000,000 followers to the recorded 1,000,000 run's.
func linear(b *testing.B, followers int, perFollower float64) {
	dir := os.Getenv("BENCH_RECORD")
	if dir == "" {
		return
	}
	name := func(n int) string { return filepath.Join(dir, "sync-"+strconv.Itoa(n)) }
	if err := os.WriteFile(name(followers), []byte(strconv.FormatFloat(perFollower, 'g', -1, 64)), 0o600); err != nil {
		b.Fatal(err)
	}
	if followers <= 1_000_000 {
		return
	}
	raw, err := os.ReadFile(name(1_000_000))
	if err != nil {
		b.Logf("no 1,000,000-follower run recorded to compare with (%v)", err)
		return
	}
	base, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || base <= 0 {
		b.Fatalf("the recorded 1,000,000-follower run reads %q", raw)
	}
	ratio := perFollower / base
	b.ReportMetric(ratio, "per-follower/1M")
	b.Logf("time per follower %.2f µs, %.2f × the 1,000,000-follower run's %.2f µs (goal within %.0f %%)",
		perFollower*1e6, ratio, base*1e6, goalLinear*100)
	if ratio > 1+goalLinear {
		b.Errorf("time per follower %.2f × the 1,000,000-follower run's, goal ≤ %.2f ×", ratio, 1+goalLinear)
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// skipLarge skips a run above 1,000,000 rows unless BENCH_LARGE is set
// (scripts/bench.sh sets it): such a run takes minutes and gigabytes, and
// "go test -bench ." should not start one by accident.
func skipLarge(b *testing.B, rows int) {
	if rows > 1_500_000 && os.Getenv("BENCH_LARGE") == "" {
		b.Skipf("%d rows: set BENCH_LARGE=1 to run it", rows)
	}
}
