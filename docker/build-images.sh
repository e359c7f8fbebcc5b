#!/usr/bin/env bash
# Builds the portier images from docker/*.Dockerfile:
#
#   portier/proxy:latest  portier/redis:latest  portier/deployer:latest
#   portier/example-web:v1  portier/example-web:v2  portier/example-web:v3 (never healthy)
#
# usage: docker/build-images.sh [--local] [--no-examples]
#   (default)  public base images and Maven inside Docker: needs a registry
#   --local    no registry: local bases from docker/build-local-bases.sh (built when missing)
#              and the jars built here by Maven on the host (the Dockerfiles' `prebuilt` stage)
# env: IMAGE_PREFIX (default "portier/"), TAG (default "latest"), EXTRA_BUILD_ARGS (e.g. a --label
#      the tests use to find what they built).
set -euo pipefail
cd "$(dirname "$0")/.."

local=false
examples=true
for a in "$@"; do
  case "$a" in
    --local) local=true ;;
    --no-examples) examples=false ;;
    *) echo "usage: $0 [--local] [--no-examples]" >&2; exit 2 ;;
  esac
done
prefix="${IMAGE_PREFIX:-portier/}"
tag="${TAG:-latest}"
# word splitting wanted: several extra arguments in one variable
# shellcheck disable=SC2206
extra=(${EXTRA_BUILD_ARGS:-})

# the classic builder (Docker without buildx) warns it is deprecated on every build; it works
build() {
  docker build -q "${extra[@]}" "$@" . >/dev/null
}

if $local; then
  docker/build-local-bases.sh
  for jar in proxy/target/portier-proxy-all.jar deployer/target/portier-deployer-all.jar; do
    if [ ! -f "$jar" ]; then
      echo "building the jars on the host (mvn package), $jar is missing"
      mvn -B -q -ntp -pl proxy,deployer -am package -DskipTests
      break
    fi
  done
  java_base=(--target prebuilt --build-arg JRE_IMAGE=portier-local/jre:17)
  redis_base=(--build-arg REDIS_IMAGE=portier-local/redis:7)
  busybox_base=(--build-arg BUSYBOX_IMAGE=portier-local/busybox:1)
else
  java_base=()
  redis_base=()
  busybox_base=()
fi

build -f docker/proxy.Dockerfile "${java_base[@]}" -t "${prefix}proxy:$tag"
echo "built ${prefix}proxy:$tag"
build -f docker/redis.Dockerfile "${redis_base[@]}" -t "${prefix}redis:$tag"
echo "built ${prefix}redis:$tag"
build -f docker/deployer.Dockerfile "${java_base[@]}" -t "${prefix}deployer:$tag"
echo "built ${prefix}deployer:$tag"
if $examples; then
  build -f docker/web.Dockerfile "${busybox_base[@]}" --build-arg VERSION=v1 -t "${prefix}example-web:v1"
  build -f docker/web.Dockerfile "${busybox_base[@]}" --build-arg VERSION=v2 -t "${prefix}example-web:v2"
  build -f docker/web.Dockerfile "${busybox_base[@]}" --build-arg VERSION=v3 --build-arg HEALTHY=false -t "${prefix}example-web:v3"
  echo "built ${prefix}example-web:v1, v2, v3 (v3 never healthy)"
fi
