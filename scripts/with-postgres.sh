#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on loopback, for the
# connector's PostgreSQL store and multi-instance tests. The cluster lives in
# a temporary folder, listens on 127.0.0.1 on a free port with a random
# password, and is stopped and removed when the command ends. The command
# sees its address in OAWIZARD_TEST_POSTGRES (already set: that database is
# used and no cluster is started; tests create a schema each in it), and the
# binaries' folder in OAWIZARD_TEST_PGBIN, for the tests that restart a
# cluster of their own (never this shared one).
#
# Without PostgreSQL's binaries the command runs without the variable, and
# the tests that need it skip (or fail under OAWIZARD_REQUIRE_POSTGRES=1).
# PostgreSQL refuses to run as root, so under root (CI) the cluster belongs
# to the `postgres` user.
set -euo pipefail
if [ $# -eq 0 ]; then
	echo "usage: $0 command [args...]" >&2
	exit 2
fi

# A database given by the caller (a developer's own server) is used as is.
if [ -n "${OAWIZARD_TEST_POSTGRES:-}" ]; then
	exec "$@"
fi

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/pg_ctl" ]; then
	bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ]; then bindir=$d; break; fi
	done
fi
if [ -z "$bindir" ]; then
	echo "with-postgres: no PostgreSQL binaries found (Debian: apt-get install postgresql); running without a cluster" >&2
	exec "$@"
fi

as_owner=()
tmp=$(mktemp -d)
if [ "$(id -u)" -eq 0 ]; then
	if ! id postgres >/dev/null 2>&1; then
		echo "with-postgres: running as root needs the 'postgres' user (created by Debian's postgresql package)" >&2
		exit 1
	fi
	chown postgres: "$tmp"
	as_owner=(runuser -u postgres --)
fi

cleanup() {
	if [ -f "$tmp/data/postmaster.pid" ]; then
		"${as_owner[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$password" >"$tmp/pw"
chmod 0600 "$tmp/pw"
[ ${#as_owner[@]} -eq 0 ] || chown postgres: "$tmp/pw"
"${as_owner[@]}" "$bindir/initdb" -D "$tmp/data" -U postgres --auth=scram-sha-256 --pwfile="$tmp/pw" \
	-E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }

# A port is free if nothing answers on it; pg_ctl fails if another process
# takes it meanwhile, so a few tries cover the race.
started=""
for _ in 1 2 3 4 5 6 7 8; do
	port=$((20000 + RANDOM % 40000))
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then continue; fi
	if "${as_owner[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null 2>>"$tmp/pg_ctl.log"; then
		started=1
		break
	fi
done
if [ -z "$started" ]; then
	echo "with-postgres: the cluster did not start:" >&2
	cat "$tmp/pg_ctl.log" "$tmp/server.log" >&2 || true
	exit 1
fi

export OAWIZARD_TEST_PGBIN="$bindir"
export PGPASSWORD="$password"
"$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres oawizard_test
unset PGPASSWORD
export OAWIZARD_TEST_POSTGRES="postgres://postgres:$password@127.0.0.1:$port/oawizard_test?sslmode=disable"
set +e
"$@"
rc=$?
set -e
exit $rc
