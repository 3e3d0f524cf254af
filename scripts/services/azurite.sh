# shellcheck shell=bash
# Sourced by scripts/test.sh: defines start_azurite, which runs Azurite's
# blob service with its data under $ALLOT_TEST_TMP and exports the
# ALLOT_TEST_AZURITE_* variables internal/testenv reads. Tests create their
# own uniquely named containers.

ALLOT_AZURITE_VERSION="${ALLOT_AZURITE_VERSION:-3.37.0}"

# Azurite's fixed development account and key, published in its README.
ALLOT_AZURITE_ACCOUNT="devstoreaccount1"
ALLOT_AZURITE_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

start_azurite() {
	local dir="$ALLOT_TOOLS/azurite"
	local bin="$dir/node_modules/.bin/azurite-blob"
	local have=""
	if [ -f "$dir/node_modules/azurite/package.json" ]; then
		have="$(node -p 'require(process.argv[1]).version' "$dir/node_modules/azurite/package.json" 2>/dev/null || true)"
	fi
	if [ ! -x "$bin" ] || [ "$have" != "$ALLOT_AZURITE_VERSION" ]; then
		if ! command -v npm >/dev/null; then
			echo "scripts/test.sh: Azurite needs Node.js and npm; install them (for example: apt-get install nodejs npm)" >&2
			return 1
		fi
		echo "scripts/test.sh: installing azurite@$ALLOT_AZURITE_VERSION into $dir" >&2
		mkdir -p "$dir"
		npm install --prefix "$dir" --save-exact --no-audit --no-fund "azurite@$ALLOT_AZURITE_VERSION" >&2
	fi
	local root="$ALLOT_TEST_TMP/azurite"
	mkdir -p "$root"
	local port
	port="$(free_port)"
	# --skipApiVersionCheck and --loose: the Go SDK speaks a newer storage API
	# version than Azurite 3.37.0 knows, for calls that are otherwise the same.
	"$bin" --blobHost 127.0.0.1 --blobPort "$port" --location "$root" \
		--skipApiVersionCheck --loose --disableTelemetry --silent \
		>"$root/azurite.log" 2>&1 &
	ALLOT_SERVICE_PIDS+=("$!")
	if ! wait_for_port "$port" azurite; then
		cat "$root/azurite.log" >&2
		return 1
	fi
	export ALLOT_TEST_AZURITE_BLOB_ENDPOINT="http://127.0.0.1:$port/$ALLOT_AZURITE_ACCOUNT"
	export ALLOT_TEST_AZURITE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=$ALLOT_AZURITE_ACCOUNT;AccountKey=$ALLOT_AZURITE_KEY;BlobEndpoint=$ALLOT_TEST_AZURITE_BLOB_ENDPOINT;"
}
