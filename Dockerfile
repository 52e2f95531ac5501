# syntax=docker/dockerfile:1
# Build: a static, CGO-free binary (the embedded SQLite is pure Go).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w -X github.com/tanggap-id/tanggap/internal/cli.version=${VERSION}" \
      -o /out/tanggap ./cmd/tanggap

# Run: small image, non-root, data directory as a volume.
FROM alpine:3.20
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S -g 10001 tanggap \
 && adduser -S -D -H -u 10001 -G tanggap tanggap \
 && mkdir -p /var/lib/tanggap \
 && chown tanggap:tanggap /var/lib/tanggap
COPY --from=build /out/tanggap /usr/local/bin/tanggap
ENV TANGGAP_DATA_DIR=/var/lib/tanggap \
    TANGGAP_LISTEN_ADDR=:8080 \
    TANGGAP_LOG_FORMAT=json
VOLUME ["/var/lib/tanggap"]
EXPOSE 8080
USER tanggap:tanggap
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["/usr/local/bin/tanggap"]
CMD ["serve", "--migrate"]
