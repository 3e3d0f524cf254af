# shellcheck shell=bash
# Headless Chromium for the browser tests of reports/statements (sourced by
# scripts/test.sh).
#
# start_chromium starts no server: it makes sure Debian's chromium package
# is installed (apt-get install -y chromium, which needs root, as CI and
# the development container have) and exports
#   ALLOT_TEST_CHROMIUM=/usr/bin/chromium
# which internal/testenv.NeedChromium reads. The tests start the browser
# themselves, headless, with a throw-away profile. A Chromium elsewhere can
# be used by exporting ALLOT_TEST_CHROMIUM before running the script.

# chromium_bin prints the path of an installed Chromium, or nothing.
chromium_bin() {
	if [ -n "${ALLOT_TEST_CHROMIUM:-}" ] && [ -x "$ALLOT_TEST_CHROMIUM" ]; then
		echo "$ALLOT_TEST_CHROMIUM"
		return 0
	fi
	local c
	for c in /usr/bin/chromium chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then
			command -v "$c"
			return 0
		fi
	done
}

start_chromium() {
	local bin
	bin=$(chromium_bin)
	if [ -z "$bin" ]; then
		echo "scripts/test.sh: installing Chromium (apt-get install -y chromium)" >&2
		if [ "$(id -u)" -ne 0 ]; then
			echo "scripts/test.sh: Chromium is not installed and this user cannot apt-get; install Debian's chromium package or export ALLOT_TEST_CHROMIUM" >&2
			return 1
		fi
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null ||
			{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
		bin=$(chromium_bin)
		if [ -z "$bin" ]; then
			echo "scripts/test.sh: no chromium binary after installing the chromium package" >&2
			return 1
		fi
	fi
	export ALLOT_TEST_CHROMIUM="$bin"
}
