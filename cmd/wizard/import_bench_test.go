package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"oawizard/flow"
	"oawizard/flow/sdkimport"
	"oawizard/flow/store"
	"oawizard/wechat/wechatsim"
)

// BenchmarkImportExport, BenchmarkImportTenMillion: step 2 reads an
// analytics export of 1,500,000 rows (about 130 MB of CSV) and of
// 10,000,000 rows (about 0.9 GB) into the wizard's database, against the
// best plain insert of as many rows measured in the same run [import ≥ 0.5
// × plain rows/s; peak RSS ≤ 150 MB]. Run each in a process of its own
// (scripts/bench.sh does).
func BenchmarkImportExport(b *testing.B)     { benchImport(b, 1_500_000) }
func BenchmarkImportTenMillion(b *testing.B) { benchImport(b, 10_000_000) }

func benchImport(b *testing.B, rows int) {
	const goalRatio = 0.5
	skipLarge(b, rows)
	ctx := context.Background()
	dir := b.TempDir()
	path := filepath.Join(dir, "export.csv")
	sim := wechatsim.New(wechatsim.Options{Scenario: "ok", PushInterval: -1})
	f, err := os.Create(path)
	if err == nil {
		err = sim.WriteSDKExport(f, 0, rows)
		f.Close()
	}
	sim.Close()
	if err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	var secs float64
	b.StopTimer()
	for i := range b.N {
		db, err := store.Open(filepath.Join(dir, "wizard.db"))
		if err != nil {
			b.Fatal(err)
		}
		w, _ := flow.NewWizard(ctx, db, nil, nil)
		in, _ := os.Open(path)
		b.StartTimer()
		start := time.Now()
		st, err := w.ImportSDK(ctx, in, "export.csv", fi.Size(), sdkimport.Options{})
		secs = time.Since(start).Seconds()
		b.StopTimer()
		in.Close()
		db.Close()
		if err != nil {
			b.Fatal(err)
		}
		if st.Rows != rows || st.WithOpenID != rows {
			b.Fatalf("run %d: %d rows, %d with openid", i, st.Rows, st.WithOpenID)
		}
	}
	rss := peakRSSMB()
	plain := bestPlainInsertRate(b, rows)
	ratio := float64(rows) / secs / plain
	b.ReportMetric(float64(rows)/secs, "rows/s")
	b.ReportMetric(float64(fi.Size())/secs/1e6, "MB/s")
	b.ReportMetric(plain, "plain-rows/s")
	b.ReportMetric(ratio, "import/plain")
	b.ReportMetric(rss, "peak-rss-MB")
	b.Logf("import %.0f rows/s (%.1f s for %d MB), best plain insert %.0f rows/s: %.2f × (goal ≥ %.2f ×); peak RSS %.0f MB (goal ≤ %d MB)",
		float64(rows)/secs, secs, fi.Size()>>20, plain, ratio, goalRatio, rss, goalPeakRSSMB)
	if ratio < goalRatio {
		b.Errorf("import at %.2f × the best plain insert, goal ≥ %.2f ×", ratio, goalRatio)
	}
	if rss > goalPeakRSSMB {
		b.Errorf("peak RSS %.0f MB, goal ≤ %d MB", rss, goalPeakRSSMB)
	}
}
