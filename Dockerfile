# syntax=docker/dockerfile:1.7
# allot: multi-stage, pinned, non-root. The build stage runs scripts/build.sh,
# the same command CI runs. Tests run in CI, not here.
#
#   docker build --build-arg VERSION=v0.1.0 -t allot .
#   docker run --rm -v "$PWD:/work" -w /work allot run --config allot.yaml --period 2026-10 --out out

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# Modules first, so the download layer is cached while code changes.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    OUT=/out/allot VERSION=${VERSION} scripts/build.sh

# distroless static: CA certificates, tzdata, a nonroot user (65532), no shell.
FROM gcr.io/distroless/static-debian12:nonroot AS runtime
COPY --from=build /out/allot /usr/local/bin/allot
USER nonroot:nonroot
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/allot"]
CMD ["--help"]
