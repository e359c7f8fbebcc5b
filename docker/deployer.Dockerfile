# The portier deployer image (the CLI: deploy, rollback, status, bootstrap, watch, prune).
# Build from the repository root, like docker/proxy.Dockerfile (same stages, same arguments):
#
#   docker build -f docker/deployer.Dockerfile -t portier/deployer:latest .
#   docker build -f docker/deployer.Dockerfile --target prebuilt --build-arg JRE_IMAGE=portier-local/jre:17 -t portier/deployer:latest .
#
# It drives the host's Docker engine, so run it with the socket, the host network (Redis on
# 127.0.0.1, health checks of published ports) and /logs at the same path as on the host
# (bootstrap creates /logs/<service> there, and the paths it mounts are the host's):
#
#   docker run --rm --network host -v /var/run/docker.sock:/var/run/docker.sock \
#     --group-add "$(stat -c %g /var/run/docker.sock)" -v /logs:/logs portier/deployer:latest status
#
# Runs as uid 10001; the socket's group gives it Docker. No HEALTHCHECK: a CLI, not a service.
# It starts through deployer/bin/portier-deployer with a class-data sharing archive made here by a
# training run on the image's own JVM (figures: deployer/README.md, "Start time").
ARG JRE_IMAGE=eclipse-temurin:17-jre
ARG MAVEN_IMAGE=maven:3.9-eclipse-temurin-17

FROM ${JRE_IMAGE} AS runtime
RUN set -eu; \
    echo 'portier:x:10001:10001:portier:/opt/portier:/bin/sh' >> /etc/passwd; \
    echo 'portier:x:10001:' >> /etc/group; \
    mkdir -p /opt/portier /logs; \
    chown 10001:10001 /logs
COPY docker/bin/daylog docker/bin/deployer-cds deployer/bin/portier-deployer /opt/portier/
USER 10001:10001
WORKDIR /opt/portier
# its own output goes to docker logs only; LOG_DIR=/logs/deployer (mounted) writes day files too
ENV LOG_DIR=
HEALTHCHECK NONE
ENTRYPOINT ["/opt/portier/daylog", "deployer", "/opt/portier/portier-deployer"]
CMD ["--help"]
LABEL org.opencontainers.image.title="portier deployer"

# The jar built on the host; see docker/proxy.Dockerfile for why the pattern and the extra file.
FROM runtime AS prebuilt
COPY docker/bin/daylog deployer/target/portier-deployer-all.ja[r] /opt/portier/
# the class-data sharing archive of this jar on this JVM (root: the JRE may need its base archive)
USER root
RUN /opt/portier/deployer-cds /opt/portier/portier-deployer-all.jar /opt/portier/portier-deployer.jsa
USER 10001:10001

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY pom.xml ./
COPY common/pom.xml common/
COPY proxy/pom.xml proxy/
COPY deployer/pom.xml deployer/
COPY e2e/pom.xml e2e/
RUN mvn -B -q -pl deployer -am dependency:go-offline -DexcludeReactor=true || true
COPY common/src common/src
COPY proxy/src proxy/src
COPY deployer/src deployer/src
RUN mvn -B -q -pl deployer -am package -DskipTests -Dportier.cds.skip

FROM runtime AS image
COPY --from=build /src/deployer/target/portier-deployer-all.jar /opt/portier/
# the class-data sharing archive of this jar on this JVM (root: the JRE may need its base archive)
USER root
RUN /opt/portier/deployer-cds /opt/portier/portier-deployer-all.jar /opt/portier/portier-deployer.jsa
USER 10001:10001
