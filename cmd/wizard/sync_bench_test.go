package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"oawizard/demostack/loopback"
	"oawizard/flow"
	"oawizard/flow/connclient"
	"oawizard/flow/store"
)

// Sync benchmarks, each against its goal (b.Errorf when short). Run one per
// process, as scripts/bench.sh does, so the peak RSS is the benchmark's own:
//
//	go test -run '^$' -bench 'SyncMillion$' -benchtime 1x ./cmd/wizard
//
// BenchmarkSyncMillion: 1,000,000 followers through simulator, connector
// relay, sync engine and SQLite in one process, against the best plain
// insert of the same rows into the same schema measured in the same run
// [sync ≥ 0.6 × plain, stretch 0.8 ×; peak RSS ≤ 150 MB].
// BenchmarkSyncMillionLatency: the same with 20 ms per WeChat call
// [total ≤ 1.25 × calls ÷ workers × 20 ms].

func BenchmarkSyncMillion(b *testing.B)        { benchSync(b, 0) }
func BenchmarkSyncMillionLatency(b *testing.B) { benchSync(b, 20*time.Millisecond) }

const (
	benchFollowers  = 1_000_000
	goalSyncRatio   = 0.6
	goalPeakRSSMB   = 150
	goalLatencyOver = 1.25
)

func benchSync(b *testing.B, latency time.Duration) {
	ctx := context.Background()
	workers := 8
	if v, _ := strconv.Atoi(os.Getenv("BENCH_WORKERS")); v > 0 {
		workers = v
	}
	var syncSecs, syncCPU float64
	var calls int
	b.StopTimer()
	for range b.N {
		dir := b.TempDir()
		d, err := loopback.Start(ctx, loopback.Options{Scenario: "ok", Followers: benchFollowers, Latency: latency,
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
		start, cpu := time.Now(), cpuSeconds()
		res, err := w.Sync(ctx, flow.SyncOptions{Workers: workers, GrowthDays: -1})
		syncSecs, syncCPU = time.Since(start).Seconds(), cpuSeconds()-cpu
		b.StopTimer()
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
		bound := goalLatencyOver * float64(calls) / float64(workers) * latency.Seconds()
		b.ReportMetric(bound, "bound-s")
		b.ReportMetric(syncSecs, "sync-s")
		b.Logf("sync %.1f s with %v per call, %d calls, %d workers: goal ≤ %.1f s", syncSecs, latency, calls, workers, bound)
		if syncSecs > bound {
			b.Errorf("sync took %.1f s, goal ≤ %.1f s (%.2f × calls ÷ workers × %v)", syncSecs, bound, goalLatencyOver, latency)
		}
		return
	}
	rss := peakRSSMB()
	cpu := cpuSeconds()
	plain := bestPlainInsertRate(b, benchFollowers)
	plainCPU := cpuSeconds() - cpu
	ratio := benchFollowers / syncSecs / plain
	b.ReportMetric(plain, "plain-rows/s")
	b.ReportMetric(ratio, "sync/plain")
	b.ReportMetric(rss, "peak-rss-MB")
	b.ReportMetric(syncCPU, "sync-cpu-s")
	b.ReportMetric(plainCPU, "plain-cpu-s")
	b.Logf("CPU time: sync %.1f s over %.1f s wall (simulator and connector included), plain insert %.1f s; load average %s",
		syncCPU, syncSecs, plainCPU, loadAvg())
	b.Logf("sync %.0f followers/s, best plain insert %.0f rows/s: %.2f × (goal ≥ %.2f ×); peak RSS %.0f MB (goal ≤ %d MB)",
		benchFollowers/syncSecs, plain, ratio, goalSyncRatio, rss, goalPeakRSSMB)
	if ratio < goalSyncRatio {
		b.Errorf("sync at %.2f × the best plain insert, goal ≥ %.2f ×", ratio, goalSyncRatio)
	}
	if rss > goalPeakRSSMB {
		b.Errorf("peak RSS %.0f MB, goal ≤ %d MB", rss, goalPeakRSSMB)
	}
}
