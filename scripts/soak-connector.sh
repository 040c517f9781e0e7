#!/bin/sh
# Soak the connector on loopback: session creators and long-polls against
# the WeChat simulator for N minutes (default 3), printing the database and
# WAL sizes, open file handles and RSS every 15 s. Not part of the tests.
#
#   scripts/soak-connector.sh [MINUTES] [extra go test flags, e.g. -soak-pollers 1000]
set -eu
minutes=${1:-3}
[ $# -gt 0 ] && shift
cd "$(dirname "$0")/.."
exec go test -run '^$' -bench '^BenchmarkSoak$' -benchtime 1x -timeout "$((minutes * 60 + 600))s" \
	./connector/ -soak "${minutes}m" "$@"
