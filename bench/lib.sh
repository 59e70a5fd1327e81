# Shared parts of the benchmark scripts; sourced, not run. Expects $work (a scratch directory) to be
# set before the functions are called.

# bench_user: as root, benchmarks run rootless as the test user jbuildtest (scripts/test.sh creates
# it with a subordinate id range); as anyone else, as that user. Sets $user and as_user().
bench_user() {
  if [ "$(id -u)" -eq 0 ]; then
    user=jbuildtest
    id -u "$user" >/dev/null 2>&1 || { echo "bench: user $user is missing: run scripts/test.sh as root" >&2; exit 2; }
    as_user() { runuser -u "$user" -- env HOME="$(getent passwd "$user" | cut -d: -f6)" PATH="$PATH" "$@"; }
  else
    user=$(id -un)
    as_user() { "$@"; }
  fi
}

# bench_remove_work: files of subordinate ids are removed by root directly, by a user through its
# user namespace.
bench_remove_work() {
  if [ "$(id -u)" -eq 0 ]; then rm -rf "$work"; else unshare --user --map-auto --map-root-user rm -rf "$work"; fi
}

# bench_registry_start NAME: a fresh CNCF registry (Debian's docker-registry) on a free loopback
# port, its data under $work/registry-NAME. Sets $registry (host:port) and $registry_pid.
registry_pid=""
bench_registry_start() {
  local dir="$work/registry-$1" port
  rm -rf "$dir"; mkdir -p "$dir/data"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$dir/config.yml" <<YAML
version: 0.1
log: {level: error}
storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}
http: {addr: 127.0.0.1:$port}
YAML
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  registry_pid=$!
  registry="127.0.0.1:$port"
  for _ in $(seq 50); do curl -fs "http://$registry/v2/" >/dev/null && return; sleep 0.1; done
  echo "bench: the registry did not start (see $dir/log)" >&2; exit 1
}

bench_registry_stop() {
  [ -n "$registry_pid" ] || return 0
  kill "$registry_pid" 2>/dev/null || true
  wait "$registry_pid" 2>/dev/null || true
  registry_pid=""
}

# bench_busybox_layout JAR DIR: a busybox base image (Debian's static busybox with every applet
# linked, root in passwd/group) built FROM scratch by jbuild, unpacked as an OCI layout at DIR with
# the tag "bench", readable by both jbuild (oci-layout://DIR:bench) and buildah (oci:DIR:bench).
bench_busybox_layout() {
  local jar=$1 layout=$2 ctx="$work/base-ctx" java
  java=$(readlink -f "$(command -v java)")
  as_user mkdir -p "$ctx/rootfs/bin" "$ctx/rootfs/etc" "$ctx/rootfs/tmp" "$ctx/rootfs/root"
  as_user cp /bin/busybox "$ctx/rootfs/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || as_user ln -sf busybox "$ctx/rootfs/bin/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' | as_user tee "$ctx/rootfs/etc/passwd" >/dev/null
  printf 'root:x:0:\n' | as_user tee "$ctx/rootfs/etc/group" >/dev/null
  printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/bin\n' | as_user tee "$ctx/Dockerfile" >/dev/null
  as_user "$java" -jar "$jar" --root "$work/base-store" build -q -t busybox:bench -o "type=oci,dest=$work/base.tar" "$ctx" >/dev/null
  as_user mkdir -p "$layout"
  as_user tar -xf "$work/base.tar" -C "$layout"
}

# bench_measure LOG COMMAND... → "seconds peak_rss_kb" of the command run as the user (GNU time;
# the largest single process). The command's output goes to LOG; a failure ends the benchmark.
bench_measure() {
  local log=$1; shift
  if ! as_user /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log" 2>&1; then
    echo "FAILED: $* (see $log)" >&2; tail -15 "$log" >&2; exit 1
  fi
  cat "$log.time"
}
