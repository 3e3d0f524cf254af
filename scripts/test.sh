#!/usr/bin/env bash
# Runs every test of allot against the real servers the tests use.
#
# Each scripts/services/NAME.sh defines a function start_NAME that installs
# its server if needed (cached under $ALLOT_TOOLS), starts it on a free
# loopback port, exports the ALLOT_TEST_* variables internal/testenv reads,
# and appends the server's pid to ALLOT_SERVICE_PIDS. All are stopped on exit.
#
# Extra arguments go to `go test` (for example: scripts/test.sh -run Journal ./reports/...).
set -euo pipefail
cd "$(dirname "$0")/.."

export ALLOT_TOOLS="${ALLOT_TOOLS:-$HOME/.cache/allot-tools}"
export ALLOT_TEST_REQUIRE_SERVICES=1
export ALLOT_TEST_TMP="$(mktemp -d -t allot-test-XXXXXX)"
ALLOT_SERVICE_PIDS=()

cleanup() {
	for p in "${ALLOT_SERVICE_PIDS[@]:-}"; do
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$ALLOT_TEST_TMP"
}
trap cleanup EXIT

# free_port prints a TCP port nobody listens on.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null ||
		echo $((20000 + RANDOM % 20000))
}

# wait_for_port PORT NAME: waits up to 60 s for a listener.
wait_for_port() {
	for _ in $(seq 1 600); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "scripts/test.sh: $2 did not listen on port $1 within 60 s" >&2
	return 1
}

for s in scripts/services/*.sh; do
	[ -e "$s" ] || continue
	# shellcheck source=/dev/null
	source "$s"
done
for f in $(declare -F | awk '{print $3}' | grep '^start_' | sort); do
	echo "scripts/test.sh: $f" >&2
	"$f"
done

if [ "$#" -eq 0 ]; then set -- ./...; fi
go vet ./...
go test -count=1 "$@"
