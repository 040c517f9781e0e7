#!/usr/bin/env bash
# Runs the speed benchmarks, each in a process of its own so its peak memory
# is its own, prints every figure beside its goal and exits non-zero when one
# falls short. Not part of scripts/test.sh: it takes minutes and its figures
# depend on how busy the machine is.
#
# With benchmark names as arguments, runs only those.
#
#   sync   1M followers (simulator + connector relay + engine + SQLite)
#          ≥ 0.6 × the best plain insert measured in the same run; peak RSS ≤ 150 MB
#   import 1.5M-row export ≥ 0.5 × the best plain insert; peak RSS ≤ 150 MB
#   latency 1M followers with 20 ms per WeChat call ≤ 1.25 × calls ÷ workers × 20 ms
#   cell bomb  a workbook under 1 MB whose cells unzip to 500 MB and 150 MB:
#              those rows skipped as too long; peak RSS ≤ 150 MB
#   sheet bomb a workbook whose sheet unzips to about 560 MB (2M rows);
#              peak RSS ≤ 150 MB
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

bin=$(mktemp -d)/wizard.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./cmd/wizard || exit 2

failed=0
# Only the benchmarks named as arguments (e.g. BenchmarkImportCellBomb),
# else all of them.
only=" $* "
run() { # name, benchmark
	if [ "$only" != "  " ] && [[ "$only" != *" $2 "* ]]; then
		return
	fi
	echo "== $1"
	out=$("$bin" -test.run '^$' -test.bench "^$2\$" -test.benchtime 1x 2>&1)
	rc=$?
	# The benchmark logs its figures beside their goals; b.Errorf marks a
	# figure short of its goal and fails the run.
	echo "$out" | grep -E '_test\.go:[0-9]+:|^Benchmark' | sed 's/^ *//'
	if [ $rc -ne 0 ]; then
		echo "   -> SHORT OF GOAL"
		failed=1
	else
		echo "   -> ok"
	fi
}
run "sync, no latency" BenchmarkSyncMillion
run "import of a 1.5M-row export" BenchmarkImportExport
run "sync, 20 ms per WeChat call" BenchmarkSyncMillionLatency
run "workbook with a 500 MB cell" BenchmarkImportCellBomb
run "workbook with a 560 MB sheet" BenchmarkImportSheetBomb
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
exit $failed
