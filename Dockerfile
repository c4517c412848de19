# syntax=docker/dockerfile:1
# Tandem: a multi-stage build. The builder compiles the release binary (migrations, page and
# mail templates and the shipped survey templates are embedded in it, and SQLite, libpq and
# OpenSSL are compiled in from source); the runtime image holds only the binary, CA
# certificates and curl for the health check, and runs as an unprivileged user.

FROM rust:1.95-slim-bookworm AS builder
WORKDIR /src
# OpenSSL's build (openssl-sys `vendored`) needs make and perl's full module set.
# Debian stable's packages are not pinned: its point releases carry only security fixes.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends make perl \
 && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cargo build --release --locked --bin tandem \
 && strip target/release/tandem

FROM debian:bookworm-slim AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/tandem --create-home tandem
COPY --from=builder /src/target/release/tandem /usr/local/bin/tandem
USER 10001
WORKDIR /var/lib/tandem
ENV TANDEM_BIND=0.0.0.0:8080 \
    TANDEM_DATA_DIR=/var/lib/tandem/data
VOLUME ["/var/lib/tandem/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["curl", "-fsS", "http://127.0.0.1:8080/readyz"]
ENTRYPOINT ["tandem"]
CMD ["serve"]
