#!/usr/bin/env bash
# Builds the local stand-ins for the public base images our Dockerfiles start FROM, out of what
# this Debian machine already has, for hosts that cannot reach any registry (CI, air-gapped hosts):
#
#   portier-local/jre:17      for eclipse-temurin:17-jre  (a jlink'd runtime of the local JDK 17)
#   portier-local/redis:7     for redis:7                 (Debian's redis-server binary)
#   portier-local/busybox:1   for busybox                 (Debian's busybox-static)
#
# Each is one layer imported from a minimal root file system: the binaries, exactly the shared
# libraries `ldd` says they need, busybox as /bin/sh (our entry points and health checks are shell
# scripts), setcap + ldconfig (the proxy image gives java the right to bind port 80), and the
# same paths as the public images (JAVA_HOME=/opt/java/openjdk, redis-server on the PATH).
# An image already present is reused; --force rebuilds. Images are labelled dev.portier.local-base.
#
# Needs: root (the root file system keeps root ownership), docker, busybox-static, libcap2-bin,
# redis-server, and a JDK 17 with jmods (openjdk-17-jdk-headless).
set -euo pipefail

JDK="${JDK_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
JRE_IMAGE="${JRE_LOCAL_IMAGE:-portier-local/jre:17}"
REDIS_IMAGE="${REDIS_LOCAL_IMAGE:-portier-local/redis:7}"
BUSYBOX_IMAGE="${BUSYBOX_LOCAL_IMAGE:-portier-local/busybox:1}"
# the modules the public JRE image offers that a server app may load; not the compiler or tools
JRE_MODULES="java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.zipfs,jdk.naming.dns,jdk.management,jdk.management.agent,jdk.localedata,jdk.charsets,jdk.net,jdk.jfr,jdk.httpserver,jdk.sctp"

force=false
[ "${1:-}" = "--force" ] && force=true

present() {
  docker image inspect "$1" >/dev/null 2>&1
}

work="$(mktemp -d /tmp/portier-bases.XXXXXX)"
trap 'rm -rf "$work"' EXIT

# A root file system with busybox (and its applets as links), /etc basics and /tmp.
new_rootfs() {
  local root="$1"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc/ld.so.conf.d,tmp,root,lib64,lib/x86_64-linux-gnu}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  printf 'include /etc/ld.so.conf.d/*.conf\n' >"$root/etc/ld.so.conf"
}

# Copies each ELF file's shared libraries (as ldd resolves them on this host) to the same paths.
copy_libs() {
  local root="$1"; shift
  local f lib
  for f in "$@"; do
    # ldd prints "name => /path (addr)" or "/lib64/ld-linux... (addr)"; statically linked files print no path
    ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true
  done | sort -u | while read -r lib; do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# Imports the root file system as a one-layer image; extra arguments are `docker import --change`s.
import_rootfs() {
  local root="$1" image="$2"; shift 2
  # the linker cache makes libraries in ld.so.conf.d directories findable (used by the proxy image)
  ldconfig -r "$root" 2>/dev/null || true
  local changes=(--change 'LABEL dev.portier.local-base=true' --change 'CMD ["/bin/sh"]')
  local c
  for c in "$@"; do changes+=(--change "$c"); done
  # import under a temporary tag, then move the real tag: a concurrent run never sees a half image
  local tmp="$image-building-$$"
  tar -C "$root" --numeric-owner --xattrs -cf - . | docker import "${changes[@]}" - "$tmp" >/dev/null
  docker tag "$tmp" "$image"
  docker rmi "$tmp" >/dev/null
  echo "built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
}

if $force || ! present "$BUSYBOX_IMAGE"; then
  root="$work/busybox"
  new_rootfs "$root"
  import_rootfs "$root" "$BUSYBOX_IMAGE" 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
else
  echo "reusing $BUSYBOX_IMAGE"
fi

if $force || ! present "$JRE_IMAGE"; then
  [ -x "$JDK/bin/jlink" ] && [ -d "$JDK/jmods" ] || { echo "no JDK with jlink and jmods at $JDK (set JDK_HOME)" >&2; exit 1; }
  root="$work/jre"
  new_rootfs "$root"
  mkdir -p "$root/opt/java"
  "$JDK/bin/jlink" --add-modules "$JRE_MODULES" --strip-debug --no-man-pages --no-header-files \
    --compress=2 --output "$root/opt/java/openjdk"
  # setcap/getcap: the proxy's Dockerfile grants java cap_net_bind_service (port 80 as non-root);
  # ldconfig (static) lets it register the JRE's lib directory, which secure-mode loading needs
  cp "$(command -v setcap)" "$(command -v getcap)" "$root/usr/sbin/"
  cp /sbin/ldconfig "$root/sbin/ldconfig"
  copy_libs "$root" "$root"/opt/java/openjdk/bin/* $(find "$root/opt/java/openjdk/lib" -name '*.so') \
    "$root/usr/sbin/setcap" "$root/usr/sbin/getcap"
  "$root/opt/java/openjdk/bin/java" -version >/dev/null 2>&1 || { echo "the jlink'd runtime does not start" >&2; exit 1; }
  import_rootfs "$root" "$JRE_IMAGE" \
    'ENV JAVA_HOME=/opt/java/openjdk' \
    'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
else
  echo "reusing $JRE_IMAGE"
fi

if $force || ! present "$REDIS_IMAGE"; then
  server="$(readlink -f "$(command -v redis-server)")"
  [ -x "$server" ] || { echo "redis-server not installed (apt-get install redis-server)" >&2; exit 1; }
  root="$work/redis"
  new_rootfs "$root"
  # Debian's redis-server is a link to redis-check-rdb; the binary picks its role from its name
  cp "$server" "$root/usr/local/bin/redis-server"
  cp "$(command -v redis-cli)" "$root/usr/local/bin/redis-cli"
  copy_libs "$root" "$root/usr/local/bin/redis-server" "$root/usr/local/bin/redis-cli"
  # the public image's user and working directory
  echo 'redis:x:999:999::/data:/bin/false' >>"$root/etc/passwd"
  echo 'redis:x:999:' >>"$root/etc/group"
  mkdir -p "$root/data" && chown 999:999 "$root/data"
  import_rootfs "$root" "$REDIS_IMAGE" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    'WORKDIR /data' 'EXPOSE 6379' 'CMD ["redis-server"]'
else
  echo "reusing $REDIS_IMAGE"
fi
