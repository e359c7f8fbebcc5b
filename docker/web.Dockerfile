# An example web app for trying the deployer: busybox httpd answering its version on / and on
# /health (the deployer's default health path), port 8080, request log per day under /logs.
#
#   docker build -f docker/web.Dockerfile --build-arg VERSION=v1 -t portier/example-web:v1 .
#   docker build -f docker/web.Dockerfile --build-arg VERSION=v3 --build-arg HEALTHY=false -t portier/example-web:v3 .
#
# HEALTHY=false makes a version whose /health is 404 forever: the deploy of it must be refused.
ARG BUSYBOX_IMAGE=busybox:1.36
FROM ${BUSYBOX_IMAGE}
ARG VERSION=v1
ARG HEALTHY=true
RUN set -eu; \
    echo 'portier:x:10001:10001:portier:/www:/bin/sh' >> /etc/passwd; \
    echo 'portier:x:10001:' >> /etc/group; \
    mkdir -p /www /logs /opt/portier; \
    echo "$VERSION" > /www/index.html; \
    if [ "$HEALTHY" = true ]; then echo "$VERSION" > /www/health; fi; \
    chown 10001:10001 /logs
COPY docker/bin/daylog /opt/portier/
USER 10001:10001
ENV LOG_DIR=/logs
EXPOSE 8080
LABEL org.opencontainers.image.title="portier example web app" org.opencontainers.image.version=$VERSION
# -vv: one line per request on stderr, which daylog files as <day>.request.log
ENTRYPOINT ["/opt/portier/daylog", "request", "httpd", "-f", "-vv", "-p", "8080", "-h", "/www"]
