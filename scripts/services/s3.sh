# shellcheck shell=bash
# Sourced by scripts/test.sh: defines start_s3, which runs versitygw (an
# S3-compatible gateway) over a POSIX folder under $ALLOT_TEST_TMP and exports
# the ALLOT_TEST_S3_* variables internal/testenv reads. Tests create their own
# uniquely named buckets.

ALLOT_VERSITYGW_VERSION="${ALLOT_VERSITYGW_VERSION:-v1.8.0}"

start_s3() {
	local bin="$ALLOT_TOOLS/bin/versitygw"
	if [ ! -x "$bin" ]; then
		echo "scripts/test.sh: installing versitygw $ALLOT_VERSITYGW_VERSION into $ALLOT_TOOLS/bin (about two minutes)" >&2
		mkdir -p "$ALLOT_TOOLS/bin"
		GOBIN="$ALLOT_TOOLS/bin" go install "github.com/versity/versitygw/cmd/versitygw@$ALLOT_VERSITYGW_VERSION"
	fi
	local root="$ALLOT_TEST_TMP/s3"
	mkdir -p "$root/data"
	local port
	port="$(free_port)"
	# Test-only root keys: this server listens on loopback and lives as long
	# as the test run.
	export ALLOT_TEST_S3_ACCESS_KEY="allot-test-access"
	export ALLOT_TEST_S3_SECRET_KEY="allot-test-secret-$RANDOM$RANDOM"
	export ALLOT_TEST_S3_REGION="us-east-1"
	ROOT_ACCESS_KEY="$ALLOT_TEST_S3_ACCESS_KEY" ROOT_SECRET_KEY="$ALLOT_TEST_S3_SECRET_KEY" \
		"$bin" --port "127.0.0.1:$port" --region "$ALLOT_TEST_S3_REGION" --quiet \
		posix "$root/data" >"$root/versitygw.log" 2>&1 &
	ALLOT_SERVICE_PIDS+=("$!")
	if ! wait_for_port "$port" versitygw; then
		cat "$root/versitygw.log" >&2
		return 1
	fi
	export ALLOT_TEST_S3_ENDPOINT="http://127.0.0.1:$port"
}
