# shellcheck shell=bash
# PostgreSQL for the ledger tests (sourced by scripts/test.sh).
#
# start_postgres creates a throw-away cluster under $ALLOT_TEST_TMP/postgres,
# starts it on a free loopback port with trust authentication for 127.0.0.1,
# creates the database allot_test and exports
#   ALLOT_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:PORT/allot_test?sslmode=disable
# Tests that need a clean database create their own schema in it.
#
# PostgreSQL refuses to run as root: when the script runs as root, the
# cluster belongs to the unprivileged user $ALLOT_PG_USER (default postgres,
# created by Debian's package) and every server command runs through runuser.
# The postmaster's pid is appended to ALLOT_SERVICE_PIDS; scripts/test.sh
# sends it SIGTERM on exit (a smart shutdown: every test client is gone by then).

# pg_bindir prints the directory of initdb, pg_ctl and postgres, or nothing.
pg_bindir() {
	local c
	if c=$(command -v pg_ctl 2>/dev/null) && command -v initdb >/dev/null 2>&1; then
		# Debian links /usr/bin/pg_ctl to a wrapper and /usr/local/bin to the real
		# binary; resolve links so pg_ctl finds the postgres binary beside it.
		c=$(readlink -f "$c")
		if [ -x "$(dirname "$c")/postgres" ]; then
			dirname "$c"
			return 0
		fi
	fi
	# Debian and Ubuntu install the server under /usr/lib/postgresql/MAJOR/bin.
	# shellcheck disable=SC2012
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start_postgres() {
	local bindir
	bindir=$(pg_bindir)
	if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
		echo "scripts/test.sh: installing PostgreSQL (apt-get install -y postgresql)" >&2
		if [ "$(id -u)" -ne 0 ]; then
			echo "scripts/test.sh: PostgreSQL is not installed and this user cannot apt-get; install the postgresql package" >&2
			return 1
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null ||
			{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
		bindir=$(pg_bindir)
		if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
			echo "scripts/test.sh: initdb not found after installing postgresql" >&2
			return 1
		fi
	fi

	local dir="$ALLOT_TEST_TMP/postgres"
	local as=()
	mkdir -p "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		local pguser="${ALLOT_PG_USER:-postgres}"
		if ! id "$pguser" >/dev/null 2>&1; then
			useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
		fi
		# The unprivileged server user must be able to reach its directory.
		chmod o+x "$ALLOT_TEST_TMP"
		chown "$pguser" "$dir"
		as=(runuser -u "$pguser" --)
	fi

	local port
	port=$(free_port)
	"${as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
		>"$dir/initdb.log" 2>&1 ||
		"${as[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --no-locale \
			>"$dir/initdb.log" 2>&1 || {
		echo "scripts/test.sh: initdb failed:" >&2
		cat "$dir/initdb.log" >&2
		return 1
	}
	# Durability is pointless for a throw-away test cluster; speed is not.
	"${as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
		-o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >/dev/null || {
		echo "scripts/test.sh: PostgreSQL did not start:" >&2
		cat "$dir/server.log" >&2
		return 1
	}
	ALLOT_SERVICE_PIDS+=("$(head -n 1 "$dir/data/postmaster.pid")")
	wait_for_port "$port" PostgreSQL
	"${as[@]}" "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
		-c "CREATE DATABASE allot_test" >/dev/null
	export ALLOT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/allot_test?sslmode=disable"
}
