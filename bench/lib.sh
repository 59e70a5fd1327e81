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

# bench_remove PATH...: files of subordinate ids (a rootless store) are removed by root directly, by
# a user through its user namespace. bench_remove_work removes $work.
bench_remove() {
  if [ "$(id -u)" -eq 0 ]; then rm -rf "$@"; else unshare --user --map-auto --map-root-user rm -rf "$@"; fi
}
bench_remove_work() { bench_remove "$work"; }

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
# bench_measure_here does the same as the caller (for a client of a root daemon).
bench_measure() { bench_measure_as as_user "$@"; }
bench_measure_here() { bench_measure_as env "$@"; }
bench_measure_as() {
  local runner=$1 log=$2; shift 2
  if ! "$runner" /usr/bin/time -f '%e %M' -o "$log.time" "$@" >"$log" 2>&1; then
    echo "FAILED: $* (see $log)" >&2; tail -15 "$log" >&2; exit 1
  fi
  cat "$log.time"
}

# bench_tree DIR DIRS FILES BYTES: DIRS directories of FILES files each, every file BYTES of base64
# text of random bytes (compressible like source code, no two alike), written as the user.
bench_tree() {
  as_user python3 - "$@" <<'PY'
import os, sys, base64
root, dirs, files, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for d in range(dirs):
    os.makedirs(f"{root}/d{d:03}", exist_ok=True)
    for f in range(files):
        with open(f"{root}/d{d:03}/f{f:03}.txt", "wb") as out:
            out.write(base64.b64encode(os.urandom(size * 3 // 4 + 3))[:size])
PY
}

# bench_dockerfile NAME: the Dockerfile of a benchmark case on stdout. The ones with a base start
# FROM ${BASE} (default "busybox": jbuild maps it with --build-context, buildah gets --build-arg
# BASE=oci:…, BuildKit a registry reference).
#   files   one RUN writes 2,000 small files (the RUN-heavy case)
#   big     one RUN writes a 500 MB file of random bytes
#   multi   two stages with RUNs, COPY --from both into a third, a RUN there
#   trivial ten trivial RUN steps
#   steps   20 steps (5 COPY, 6 RUN, 5 ENV, 2 LABEL, WORKDIR, CMD) over bench_sources
#   stages  a multi-stage build over bench_sources
bench_dockerfile() {
  echo 'ARG BASE=busybox'
  case $1 in
    files) cat <<'EOF'
FROM ${BASE}
RUN mkdir /many && cd /many && seq 1 2000 | xargs -n 200 sh -c 'for i; do echo "file $i" > f$i; done' sh
EOF
    ;;
    big) cat <<'EOF'
FROM ${BASE}
RUN head -c 500000000 /dev/urandom > /big
EOF
    ;;
    multi) cat <<'EOF'
FROM ${BASE} AS build
RUN mkdir /out && seq 1 500 | xargs -n 100 sh -c 'for i; do echo "out $i" > /out/f$i; done' sh
RUN tar -cf /out.tar /out && rm -r /out
FROM ${BASE} AS assets
RUN mkdir /assets && head -c 20000000 /dev/urandom > /assets/blob
FROM ${BASE}
COPY --from=build /out.tar /app/out.tar
COPY --from=assets /assets /app/assets
RUN cd /app && tar -xf out.tar && rm out.tar && ls out | wc -l > /app/count
EOF
    ;;
    trivial)
      echo 'FROM ${BASE}'
      local i
      for i in $(seq 1 10); do echo "RUN echo $i > /f$i"; done
    ;;
    steps) cat <<'EOF'
FROM ${BASE}
ENV APP=/app
WORKDIR /app
COPY a.txt /app/a.txt
RUN seq 1 20000 > /app/seq && wc -l /app/seq
ENV STAGE=one
COPY b.txt /app/b.txt
RUN mkdir /app/gen && cd /app/gen && seq 1 500 | xargs -n 100 sh -c 'for i; do echo "$i" > f$i; done' sh
LABEL step=eight
COPY src/ /app/src/
RUN cat /app/src/*.c | sha256sum > /app/src.sum
ENV STAGE=two
RUN tar -cf /app/src.tar -C /app src
LABEL step=fourteen
COPY c.txt /app/c.txt
RUN head -c 5000000 /dev/urandom > /app/blob
ENV STAGE=three
RUN ls -R /app | wc -l > /app/count
COPY d.txt /app/d.txt
ENV DONE=yes
CMD ["sh"]
EOF
    ;;
    stages) cat <<'EOF'
FROM ${BASE} AS deps
RUN mkdir /deps && seq 1 1000 | xargs -n 100 sh -c 'for i; do echo "dep $i" > /deps/d$i; done' sh
FROM ${BASE} AS assets
RUN mkdir /assets && head -c 20000000 /dev/urandom > /assets/blob
FROM ${BASE} AS build
COPY --from=deps /deps /deps
COPY src/ /src/
RUN mkdir /out && cat /src/*.c /deps/* | sha256sum > /out/app.sum && tar -cf /out/src.tar /src
FROM ${BASE}
COPY --from=build /out /app
COPY --from=assets /assets /app/assets
RUN ls -l /app > /app/listing
CMD ["sh"]
EOF
    ;;
    *) echo "bench_dockerfile: unknown case $1" >&2; return 1 ;;
  esac
}

# bench_sources DIR: the "source files" that the steps and stages Dockerfiles COPY and digest.
bench_sources() {
  local dir=$1 name i
  as_user mkdir -p "$dir/src"
  for name in a b c d; do echo "config $name" | as_user tee "$dir/$name.txt" >/dev/null; done
  for i in $(seq 1 40); do
    printf 'int f%d(void) { return %d; }\n' "$i" "$i" | as_user tee "$dir/src/file$i.c" >/dev/null
  done
}
