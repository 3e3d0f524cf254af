#!/usr/bin/env bash
# Builds the allot binary. CI (.ci/run) and the Dockerfile both run this
# script, so the binary they ship is built the same way.
#
#   OUT=bin/allot VERSION=v0.1.0 scripts/build.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-bin/allot}"
VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o "$OUT" ./cmd/allot
echo "built $OUT ($VERSION)" >&2
