# Redis for portier: the public Redis image with per-day log files under /logs (daylog), a
# non-root user (uid 10001, as every portier image) and a HEALTHCHECK. Build from the repository root:
#
#   docker build -f docker/redis.Dockerfile -t portier/redis:latest .
#   docker build -f docker/redis.Dockerfile --build-arg REDIS_IMAGE=portier-local/redis:7 -t portier/redis:latest .
#
# `--protected-mode no` because Redis is reached through Docker's port publishing (connections
# come from the bridge gateway, not loopback); bootstrap and compose.yaml publish it on
# 127.0.0.1 only. Routes are saved to /data every minute when changed (a restart keeps them).
ARG REDIS_IMAGE=redis:7
FROM ${REDIS_IMAGE}
RUN set -eu; \
    echo 'portier:x:10001:10001:portier:/data:/bin/sh' >> /etc/passwd; \
    echo 'portier:x:10001:' >> /etc/group; \
    mkdir -p /data /logs /opt/portier; \
    chown 10001:10001 /data /logs
COPY docker/bin/daylog /opt/portier/
USER 10001:10001
WORKDIR /data
ENV LOG_DIR=/logs
EXPOSE 6379
VOLUME /logs
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD ["redis-cli", "-p", "6379", "ping"]
ENTRYPOINT ["/opt/portier/daylog", "redis", "redis-server"]
CMD ["--protected-mode", "no", "--dir", "/data", "--save", "60", "1", "--appendonly", "no"]
LABEL org.opencontainers.image.title="portier redis" dev.portier.role=redis
