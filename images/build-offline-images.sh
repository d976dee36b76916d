#!/usr/bin/env bash
# Builds, without any image registry, what an offline build and docker-compose need instead of upstream images.
#
#   build-offline-images.sh base    stream-template/jre:17, the base of the project's images: a jlink'd JRE of this
#                                   machine's JDK 17, every shared library it links, curl (health checks) and /tmp,
#                                   FROM scratch, also saved as images/target/jre-17.tar for Jib; and
#                                   stream-template/prometheus:local, a stand-in for prom/prometheus from Debian's
#                                   prometheus binary (apt-get install prometheus)
#   build-offline-images.sh kafka   stream-template/kafka:local, a stand-in for apache/kafka configured by the same
#                                   KAFKA_* variables (dev.streamtemplate.harness.ContainerBroker), from the broker
#                                   jars process-harness resolves; needs mvn install first, and the base
#   build-offline-images.sh         both
#
# The project's images then build on that base: mvn package -Poffline-images (README, Deploy).
# The container engine is the one images/engine picks: docker when a Docker engine answers, else podman.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repository="$(dirname "$here")"
target="${1:-all}"
case "$target" in base|kafka|all) ;; *) echo "usage: $0 [base|kafka]" >&2; exit 2 ;; esac

jre_image="${JRE_IMAGE:-stream-template/jre:17}"
prometheus_image="${PROMETHEUS_OFFLINE_IMAGE:-stream-template/prometheus:local}"
kafka_image="${KAFKA_OFFLINE_IMAGE:-stream-template/kafka:local}"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
# Modules the services, the generator and the Kafka broker use (jdeps over their jars), plus TLS (jdk.crypto.ec),
# DNS lookups through JNDI (jdk.naming.dns), Flight Recorder (jdk.jfr) and the platform MXBeans (jdk.management).
modules="java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,\
java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,\
jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs"

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "error: $1 not found; install it with: $2" >&2; exit 1; }
}

engine="$here/engine"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$here/target"

# Copies into a root filesystem, at the same paths, every shared library the given files link (ldd); the files are
# host paths of binaries or libraries, or paths already inside the root filesystem.
copy_libraries() {
  local rootfs="$1" file lib
  shift
  for file in "$@"; do
    for lib in $(ldd "$file" 2>/dev/null | grep -oE '/[^ ]+'); do
      if [ -f "$lib" ] && [ ! -e "$rootfs$lib" ]; then
        mkdir -p "$rootfs$(dirname "$lib")"
        cp -L "$lib" "$rootfs$lib"
      fi
    done
  done
}

# Copies host binaries or libraries into a root filesystem at the same paths, with the shared libraries they link.
copy_with_libraries() {
  local rootfs="$1" file
  shift
  for file in "$@"; do
    [ -f "$file" ] || { echo "error: $file not found" >&2; exit 1; }
    mkdir -p "$rootfs$(dirname "$file")"
    cp -L "$file" "$rootfs$file"
    copy_libraries "$rootfs" "$file"
  done
}

# What every image FROM scratch here needs: /tmp, /etc/passwd naming the uids the images run as, the loader.
minimal_rootfs() {
  local rootfs="$1"
  mkdir -p "$rootfs/tmp" "$rootfs/etc" "$rootfs/lib64"
  chmod 1777 "$rootfs/tmp"
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'appuser:x:1000:1000:appuser:/tmp:/sbin/nologin' \
    'app:x:10001:0:app:/tmp:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' > "$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'appuser:x:1000:' 'nogroup:x:65534:' > "$rootfs/etc/group"
  printf 'hosts: files dns\n' > "$rootfs/etc/nsswitch.conf"
  cp -L /lib64/ld-linux-x86-64.so.2 "$rootfs/lib64/"
}

build_base() {
  need jlink "a JDK 17: sudo apt-get install -y openjdk-17-jdk-headless"
  need ldd "sudo apt-get install -y libc-bin"
  need curl "sudo apt-get install -y curl"
  [ -x /sbin/ldconfig ] || { echo "error: /sbin/ldconfig not found; install it with: sudo apt-get install -y libc-bin" >&2; exit 1; }
  [ "$(uname -m)" = x86_64 ] || { echo "error: the offline base is built for x86-64 hosts only" >&2; exit 1; }
  [ -d "$java_home/jmods" ] || { echo "error: $java_home has no jmods; install a full JDK 17 (sudo apt-get install -y openjdk-17-jdk-headless) or set JAVA_HOME" >&2; exit 1; }
  "$java_home/bin/java" -version 2>&1 | grep -q '"17\.' || { echo "error: $java_home is not a JDK 17 (set JAVA_HOME)" >&2; exit 1; }

  echo "== $jre_image: jlink'd JRE of $java_home"
  local rootfs="$work/jre/rootfs" file
  minimal_rootfs "$rootfs"
  "$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --output "$rootfs/opt/java/openjdk"
  # The JDK's cacerts may be a link into /etc (Debian): the JRE carries a copy of the trust store.
  cp -L "$java_home/lib/security/cacerts" "$rootfs/opt/java/openjdk/lib/security/cacerts"
  # A class data sharing archive of the JDK's classes: a jlink'd JRE has none and starts slower without it.
  "$rootfs/opt/java/openjdk/bin/java" -Xshare:dump >/dev/null
  # the JRE's binaries and libraries, but the ones for a display (the services are headless: java.awt.headless)
  while read -r file; do copy_libraries "$rootfs" "$file"; done \
    < <(find "$rootfs/opt/java/openjdk" -type f \( -name '*.so' -o -path '*/bin/*' \) \
        ! -name libawt_xawt.so ! -name libsplashscreen.so ! -name libjawt.so)
  copy_with_libraries "$rootfs" "$(readlink -f "$(command -v curl)")"
  # What native code in the applications' jars links (RocksDB, snappy, zstd extract their own .so to /tmp):
  # the C++ runtime and the rest of glibc, as a distribution's base image has them.
  for file in libstdc++.so.6 libgcc_s.so.1 libpthread.so.0 libdl.so.2 libm.so.6 librt.so.1 libz.so.1; do
    copy_with_libraries "$rootfs" "$(/sbin/ldconfig -p | awk -v lib="$file" '$1 == lib && /x86-64/ { print $NF; exit }')"
  done
  cat > "$work/jre/Containerfile" <<'CONTAINERFILE'
FROM scratch
LABEL dev.streamtemplate.offline-image=true
COPY rootfs/ /
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:/usr/bin:/bin LANG=C.UTF-8
USER 10001
CONTAINERFILE
  "$engine" build --quiet -t "$jre_image" -f "$work/jre/Containerfile" "$work/jre" >/dev/null
  rm -f "$here/target/jre-17.tar"
  "$engine" save -o "$here/target/jre-17.tar" "$jre_image" >/dev/null 2>&1 \
    || { echo "error: could not save $jre_image to images/target/jre-17.tar" >&2; exit 1; }
  echo "   built $jre_image, saved as images/target/jre-17.tar"

  if ! command -v prometheus >/dev/null 2>&1; then
    echo "== $prometheus_image skipped: no prometheus binary (sudo apt-get install -y prometheus)"
    return
  fi
  echo "== $prometheus_image: Debian's $(prometheus --version 2>&1 | head -n 1)"
  rootfs="$work/prometheus/rootfs"
  minimal_rootfs "$rootfs"
  local binary
  binary="$(readlink -f "$(command -v prometheus)")"
  copy_with_libraries "$rootfs" "$binary"
  mkdir -p "$rootfs/bin" "$rootfs/prometheus" "$rootfs/etc/prometheus"
  [ "$binary" = /bin/prometheus ] || mv "$rootfs$binary" "$rootfs/bin/prometheus"
  chmod 1777 "$rootfs/prometheus"
  cat > "$work/prometheus/Containerfile" <<'CONTAINERFILE'
FROM scratch
LABEL dev.streamtemplate.offline-image=true
COPY rootfs/ /
USER 65534
EXPOSE 9090
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
CONTAINERFILE
  "$engine" build --quiet -t "$prometheus_image" -f "$work/prometheus/Containerfile" "$work/prometheus" >/dev/null
  echo "   built $prometheus_image"
}

build_kafka() {
  local classpath="$repository/process-harness/target/broker-classpath.txt"
  local harness="$repository/process-harness/target/process-harness.jar"
  [ -f "$classpath" ] && [ -f "$harness" ] || {
    echo "error: $classpath or $harness is missing; build them first: mvn -B install -DskipTests" >&2; exit 1; }
  "$engine" image inspect "$jre_image" >/dev/null 2>&1 || {
    echo "error: $jre_image is missing; build it first: $0 base" >&2; exit 1; }
  local dir="$work/kafka" jar
  echo "== $kafka_image: $(tr ':' '\n' < "$classpath" | grep -o 'kafka_2\.13-[^/]*\.jar' | head -n 1) and its dependencies"
  mkdir -p "$dir/libs" "$dir/data"
  for jar in $(tr ':' ' ' < "$classpath"); do cp "$jar" "$dir/libs/"; done
  cp "$harness" "$dir/libs/"
  # uid 1000 and /var/lib/kafka/data as in apache/kafka; broker-log4j2.xml (in process-harness.jar) logs to stdout here
  cat > "$dir/Containerfile" <<CONTAINERFILE
FROM $jre_image
LABEL dev.streamtemplate.offline-image=true
COPY libs/ /opt/kafka/libs/
COPY --chown=1000:1000 data/ /var/lib/kafka/data/
USER 1000
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=50", "-XX:+ExitOnOutOfMemoryError", \
  "-Dlog4j2.configurationFile=broker-log4j2.xml", "-Dlocal.stack.broker.log=/dev/stdout", \
  "-cp", "/opt/kafka/libs/*", "dev.streamtemplate.harness.ContainerBroker"]
CONTAINERFILE
  "$engine" build --quiet -t "$kafka_image" -f "$dir/Containerfile" "$dir" >/dev/null
  echo "   built $kafka_image"
}

case "$target" in
  base) build_base ;;
  kafka) build_kafka ;;
  all) build_base; build_kafka ;;
esac
# This script's images of an earlier run, dangling now that new ones have their names.
"$engine" image prune --force --filter label=dev.streamtemplate.offline-image=true >/dev/null 2>&1 || true
