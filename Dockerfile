# Alexis: one image for alexis-poller, alexis-classifier and
# alexis-action-handler (and alexis-report, alexis-sim for tooling).
#
# The build stage runs the same script as the README's commands
# (scripts/build.sh, with the "build" dependency profile), so CI's run of
# scripts/test.sh exercises the same install and build steps.

FROM debian:bookworm AS build
WORKDIR /src
COPY . .
RUN ALEXIS_DEPS=build BUILD_DIR=/build ./scripts/build.sh \
        -DCMAKE_BUILD_TYPE=Release \
 && mkdir -p /out \
 && for b in alexis-poller alexis-classifier alexis-action-handler \
             alexis-report alexis-sim alexis-migrate-store; do \
        cp "/build/bin/$b" /out/; \
    done

FROM debian:bookworm-slim
# Runtime libraries only (checked against the binaries' ldd by
# tests/integration/test_deploy.py, TestDockerfile); curl for the
# HEALTHCHECK.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcurl3-gnutls libyaml-0-2 libssh2-1 libcjson1 libpcre2-8-0 \
        libmicrohttpd12 libsqlite3-0 libpq5 zlib1g libssl3 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/alexis \
        --create-home --shell /usr/sbin/nologin alexis
COPY --from=build /out/ /usr/local/bin/
USER 10001:10001
WORKDIR /var/lib/alexis
# The HTTP daemons answer GET /v1/ping (without a token: alive or not, by
# the status code); the stack sets ALEXIS_PORT per service and overrides
# the check for the poller (a process check). With TLS on
# (docker-stack.tls.yml) ALEXIS_SCHEME=https and ALEXIS_CA name our CA;
# the certificates carry 127.0.0.1, so the check verifies them.
ENV ALEXIS_PORT=8083
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD curl -fsS ${ALEXIS_CA:+--cacert "$ALEXIS_CA"} \
        "${ALEXIS_SCHEME:-http}://127.0.0.1:${ALEXIS_PORT}/v1/ping" \
        >/dev/null || exit 1
# Files the daemons create (the job store, its WAL) are private to their
# user: the entrypoint sets umask 077, then runs the command (the stack's
# `command:` replaces CMD, never this). The job store also sets its mode
# itself.
ENTRYPOINT ["/bin/sh", "-c", "umask 077 && exec \"$@\"", "alexis"]
CMD ["alexis-classifier", "--config", "/etc/alexis/alexis.conf.yaml"]
