# natsaudit in a container: a static binary on a distroless base, run as a
# non-root user. Build: docker build -t natsaudit .
# Run:   docker run --rm -v "$PWD:/src:ro" -w /src natsaudit scan .
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
ARG DATE=unknown
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/natsaudit/natsaudit/internal/cli.Version=${VERSION} -X github.com/natsaudit/natsaudit/internal/cli.Commit=${COMMIT} -X github.com/natsaudit/natsaudit/internal/cli.Date=${DATE}" \
      -o /out/natsaudit ./cmd/natsaudit

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG COMMIT=unknown
ARG DATE=unknown
LABEL org.opencontainers.image.title="natsaudit" \
      org.opencontainers.image.description="Audit NATS deployments (nats.conf, compose, Kubernetes, live servers) for security and reliability problems" \
      org.opencontainers.image.source="https://github.com/natsaudit/natsaudit" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${DATE}"
COPY --from=build /out/natsaudit /usr/local/bin/natsaudit
USER nonroot:nonroot
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/natsaudit"]
CMD ["--help"]
