# The portier proxy image. Build from the repository root:
#
#   docker build -f docker/proxy.Dockerfile -t portier/proxy:latest .
#
# Default: Maven builds the jar inside Docker (stage `build`), the runtime is $JRE_IMAGE.
# Without registry access (CI here): build the jar on the host (`mvn -pl proxy -am package`),
# build local bases (docker/build-local-bases.sh) and pick the stage that copies that jar:
#
#   docker build -f docker/proxy.Dockerfile --target prebuilt \
#     --build-arg JRE_IMAGE=portier-local/jre:17 -t portier/proxy:latest .
#
# Stage choice by --target, not by a build argument, because the classic builder (Docker without
# buildx) builds every stage before the target: `prebuilt` comes before `build` so that it never
# needs the Maven image, and the default (last) stage is the Maven one. docker/build-images.sh
# does either.
#
# Port 80 as non-root: java gets the file capability cap_net_bind_service (below), so the
# proxy binds port 80 with host networking too, where --sysctl is not allowed. Do not run it with
# --security-opt no-new-privileges or --cap-drop NET_BIND_SERVICE; with those, choose a port
# above 1023 (PORT=8080) and publish it as 80.
ARG JRE_IMAGE=eclipse-temurin:17-jre
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17

FROM ${JRE_IMAGE} AS runtime
# setcap comes with the local base; the public (Ubuntu) JRE image installs it
RUN set -eu; \
    if ! command -v setcap >/dev/null 2>&1; then \
      apt-get update && apt-get install -y --no-install-recommends libcap2-bin && rm -rf /var/lib/apt/lists/*; \
    fi; \
    java="$(readlink -f "$JAVA_HOME/bin/java")"; \
    setcap cap_net_bind_service=+ep "$java"; \
    # a binary with file capabilities runs in secure mode: the loader ignores java's $ORIGIN rpath,
    # so the JRE's library directory must be in the loader's cache
    echo "$JAVA_HOME/lib" > /etc/ld.so.conf.d/portier-java.conf; \
    ldconfig; \
    # uid 10001 in every portier image: chown the host's /logs/<service> directories to it
    echo 'portier:x:10001:10001:portier:/opt/portier:/bin/sh' >> /etc/passwd; \
    echo 'portier:x:10001:' >> /etc/group; \
    mkdir -p /opt/portier /logs; \
    chown 10001:10001 /logs
COPY docker/bin/proxy-healthcheck /opt/portier/
USER 10001:10001
WORKDIR /opt/portier
ENV PORT=80 LOG_DIR=/logs
EXPOSE 80
VOLUME /logs
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/opt/portier/proxy-healthcheck"]
# JVM flags: JAVA_TOOL_OPTIONS; proxy flags: arguments of `docker run IMAGE ...`.
# No daylog here: the proxy writes $LOG_DIR/<day>.access.log and <day>.proxy.log itself (Logback).
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseParallelGC", "-jar", "/opt/portier/portier-proxy-all.jar"]
LABEL org.opencontainers.image.title="portier proxy" dev.portier.role=proxy

# The jar built on the host. The bracket makes it a pattern that may match nothing (copying the
# healthcheck again keeps the COPY from being empty), so the classic builder passes this stage on
# its way to `build` when the jar was not built; docker/build-images.sh checks the jar before using it.
FROM runtime AS prebuilt
COPY docker/bin/proxy-healthcheck proxy/target/portier-proxy-all.ja[r] /opt/portier/

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY pom.xml ./
COPY common/pom.xml common/
COPY proxy/pom.xml proxy/
COPY deployer/pom.xml deployer/
COPY e2e/pom.xml e2e/
# dependencies first: a source change does not download them again
RUN mvn -B -q -pl proxy -am dependency:go-offline -DexcludeReactor=true || true
COPY common/src common/src
COPY proxy/src proxy/src
RUN mvn -B -q -pl proxy -am package -DskipTests

FROM runtime AS image
COPY --from=build /src/proxy/target/portier-proxy-all.jar /opt/portier/
