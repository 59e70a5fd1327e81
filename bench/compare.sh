#!/usr/bin/env bash
# Every benchmark case of issue 14 in one run: jbuild (through ./jbuild, with the launcher's CDS
# archive) next to buildah (`bud --layers --isolation chroot`, overlay; `push` for pushes), skopeo
# (pushes), and BuildKit when `buildkitd` and `buildctl` are on the PATH. All builders run rootless
# as the same user (jbuildtest when started as root, see lib.sh); buildkitd runs as root with its own
# temporary root directory, started before and stopped after the measurements.
#
# Cases (-c, comma-separated; default all):
#   runheavy  one RUN writes 2,000 small files (bench/run.sh "files"), cold
#   trivial   10 trivial RUN steps (`RUN echo N > /fN`), cold and warm
#   copy      COPY-only FROM scratch, 50 MB in 5,000 files, cold and warm
#   multi     multi-stage build (bench/run.sh "multi"), cold
#   big       one RUN writes a 500 MB layer (bench/run.sh "big"), cold
#   push      a small image (2 blobs: config, 5.5 MB layer) to an empty registry
#   repush    a 200 MB image pushed again, every blob already in the registry
#   warm      warm rebuild of the 20-step Dockerfile of bench/cache.sh ("steps")
# cold: a fresh store for every repetition; warm: the same build again on that store, all cached.
# Builds stay in each tool's store (no export). Every repetition runs the tools one after another,
# so a change of load hits them alike; each push gets a fresh registry per tool and repetition.
#
# Reported per case and tool: median wall seconds of N repetitions, and peak RSS: the largest single
# process of the command over all repetitions (GNU time), for BuildKit the larger of buildctl and
# buildkitd (its VmHWM, reset before each command; runc's children are not counted).
#
# Usage: bench/compare.sh [-n N] [-o FILE] [-c CASE,...] [-k] [workdir]
#   -n N     repetitions per case (default 3)   -o FILE  also write the Markdown table to FILE
#   -k       keep the work directory            workdir  default /var/tmp/jbuild-bench-compare-*
# Run it as root. Needs target/jbuild.jar or Maven (./jbuild builds it), buildah, skopeo,
# docker-registry, /usr/bin/time, the user jbuildtest with a subordinate id range (scripts/test.sh).
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
all_cases="runheavy trivial copy multi big push repush warm"
reps=3 out="" cases=$all_cases keep=""
while getopts 'n:o:c:kh' opt; do
  case $opt in
    n) reps=$OPTARG ;;
    o) out=$OPTARG ;;
    c) cases=${OPTARG//,/ } ;;
    k) keep=1 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
for c in $cases; do
  [[ " $all_cases " == *" $c "* ]] || { echo "compare.sh: unknown case $c (cases: $all_cases)" >&2; exit 2; }
done
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: -n wants a positive number" >&2; exit 2; }
for tool in buildah skopeo docker-registry /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing (apt-get install buildah skopeo docker-registry time)" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "compare.sh: run it as root (the builds run as jbuildtest)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
bench_user
# Lower case only: buildah reads "oci:PATH:tag" as an image name, which must be lower case.
work=${1:-/var/tmp/jbuild-bench-compare-$(date +%s)-$$}
mkdir -p "$work"
chown "$user:" "$work"
chmod 700 "$work"

buildkit=""
if command -v buildkitd >/dev/null && command -v buildctl >/dev/null; then buildkit=1; fi
bk_pid="" base_registry_pid=""
cleanup() {
  bench_registry_stop
  if [ -n "$bk_pid" ]; then kill "$bk_pid" 2>/dev/null || true; wait "$bk_pid" 2>/dev/null || true; fi
  if [ -n "$base_registry_pid" ]; then kill "$base_registry_pid" 2>/dev/null || true; wait "$base_registry_pid" 2>/dev/null || true; fi
  # buildkitd may leave overlay mounts behind when it is stopped in the middle of a build.
  findmnt -rn -o TARGET | grep -F "$work/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  [ -n "$keep" ] || bench_remove_work
}
trap cleanup EXIT

# jbuild: the launcher and the jar in the work directory, readable by the user; the launcher makes
# its CDS archive there on the first (untimed) run, for the jar at that path.
"$repo/jbuild" --version >/dev/null   # (re)builds target/jbuild.jar outside the measurements
as_user mkdir -p "$work/jb/target"
as_user cp "$repo/jbuild" "$work/jb/jbuild"
as_user cp "$repo/target/jbuild.jar" "$work/jb/target/jbuild.jar"
jb="$work/jb/jbuild"
as_user "$jb" --version >/dev/null
[ -f "$work/jb/target/jbuild.jsa" ] || echo "compare.sh: the launcher made no CDS archive; jbuild runs without it" >&2

bench_busybox_layout "$work/jb/target/jbuild.jar" "$work/base"

# ---- inputs ----
ctx() { echo "$work/ctx-$1"; }
make_inputs() {
  local c dir
  for c in $cases; do
    dir=$(ctx "$c")
    as_user mkdir -p "$dir"
    case $c in
      runheavy) bench_dockerfile files ;;
      trivial|multi|big) bench_dockerfile "$c" ;;
      warm) bench_sources "$dir"; bench_dockerfile steps ;;
      copy) bench_tree "$dir/tree" 50 100 10000; printf 'FROM scratch\nCOPY tree /tree\n' ;;
      push|repush)
        if [ "$c" = push ]; then bench_tree "$dir/tree" 20 100 2750; printf 'FROM scratch\nCOPY tree /tree\n'
        else as_user sh -c "head -c 200000000 /dev/urandom >'$dir/big.bin'"; printf 'FROM scratch\nCOPY big.bin /big.bin\n'; fi ;;
    esac | as_user tee "$dir/Dockerfile" >/dev/null
  done
}

# ---- BuildKit: root daemon, temporary root, overlayfs; its base comes from a local registry ----
buildkit_start() {
  bench_registry_start base
  base_registry=$registry base_registry_pid=$registry_pid registry_pid=""
  as_user skopeo copy -q --dest-tls-verify=false "oci:$work/base:bench" "docker://$base_registry/bench/busybox:bench"
  mkdir -p "$work/buildkit"
  printf '[registry."%s"]\n  http = true\n  insecure = true\n' "$base_registry" >"$work/buildkit/buildkitd.toml"
  bk_addr="unix://$work/buildkit/buildkitd.sock"
  buildkitd --root "$work/buildkit/root" --addr "$bk_addr" --config "$work/buildkit/buildkitd.toml" \
    --oci-worker-snapshotter=overlayfs --containerd-worker=false >"$work/buildkit/log" 2>&1 &
  bk_pid=$!
  for _ in $(seq 100); do buildctl --addr "$bk_addr" debug workers >/dev/null 2>&1 && return; sleep 0.1; done
  echo "compare.sh: buildkitd did not start (see $work/buildkit/log)" >&2; exit 1
}

# ---- one measured command per tool; each prints "seconds rss_kb" ----
store() { echo "$work/store/$1-$2"; }   # store TOOL CASE
reset_store() { # reset_store TOOL CASE: an empty store (not timed)
  case $1 in
    jbuild) bench_remove "$(store jbuild "$2")" ;;
    buildah) bench_remove "$(store buildah "$2")" "$(store buildah-run "$2")" ;;
    buildkit) buildctl --addr "$bk_addr" prune --all >/dev/null ;;
  esac
}
build() { # build TOOL CASE LOG
  local dir
  dir=$(ctx "$2")
  case $1 in
    jbuild) bench_measure "$3" "$jb" --root "$(store jbuild "$2")" build -q --snapshotter=overlay \
      --build-context "busybox=oci-layout://$work/base:bench" "$dir" ;;
    buildah) bench_measure "$3" buildah --root "$(store buildah "$2")" --runroot "$(store buildah-run "$2")" \
      --storage-driver overlay bud --isolation chroot --layers -q --build-arg "BASE=oci:$work/base:bench" \
      -t "bench-$2" "$dir" ;;
    buildkit)
      local timing daemon_kb
      echo 5 >"/proc/$bk_pid/clear_refs"   # resets buildkitd's peak RSS (VmHWM)
      timing=$(bench_measure_here "$3" buildctl --addr "$bk_addr" build --frontend dockerfile.v0 \
        --local "context=$dir" --local "dockerfile=$dir" --opt "build-arg:BASE=$base_registry/bench/busybox:bench")
      daemon_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$bk_pid/status")
      read -r s kb <<<"$timing"
      echo "$s $((kb > daemon_kb ? kb : daemon_kb))" ;;
  esac
}
image() { echo "bench/$1:1"; }   # the image of a push case, in every tool's store
prepare_push() { # prepare_push CASE: the image in jbuild's store, as an OCI layout and in buildah's
  local c=$1 dir
  dir=$(ctx "$c")
  as_user "$jb" --root "$(store jbuild "$c")" build -q -t "$(image "$c")" -o "type=oci,dest=$work/$c.tar" "$dir" >/dev/null
  as_user mkdir -p "$work/layout-$c"
  as_user tar -xf "$work/$c.tar" -C "$work/layout-$c"
  as_user buildah --root "$(store buildah "$c")" --runroot "$(store buildah-run "$c")" --storage-driver overlay \
    pull -q "oci:$work/layout-$c:$(image "$c")" >/dev/null 2>&1 \
    || as_user buildah --root "$(store buildah "$c")" --runroot "$(store buildah-run "$c")" --storage-driver overlay \
      pull -q "oci:$work/layout-$c" >/dev/null
  buildah_ref["$c"]=$(as_user buildah --root "$(store buildah "$c")" --runroot "$(store buildah-run "$c")" \
    --storage-driver overlay images -q | head -1)
}
push() { # push TOOL CASE LOG: to $registry
  local dest="$registry/$(image "$2")"
  case $1 in
    jbuild) bench_measure "$3" "$jb" --root "$(store jbuild "$2")" push "$(image "$2")" "$dest" ;;
    buildah) bench_measure "$3" buildah --root "$(store buildah "$2")" --runroot "$(store buildah-run "$2")" \
      --storage-driver overlay push -q --tls-verify=false "${buildah_ref[$2]}" "docker://$dest" ;;
    skopeo) bench_measure "$3" skopeo copy -q --dest-tls-verify=false "oci:$work/layout-$2" "docker://$dest" ;;
  esac
}

# ---- samples and the table ----
declare -A secs rss buildah_ref
record() { # record ROW TOOL "seconds rss_kb"
  local s kb
  read -r s kb <<<"$3"
  secs["$1/$2"]+="$s "
  [ "${rss[$1/$2]:-0}" -ge "$kb" ] || rss["$1/$2"]=$kb
}
sample() { # sample ROW TOOL COMMAND...: runs a measuring command and records it (a failure ends the run)
  local timing
  timing=$("${@:3}")
  record "$1" "$2" "$timing"
}
build_tools="jbuild buildah${buildkit:+ buildkit}"
run_case() {
  local c=$1 rep tool
  case $c in
    push|repush)
      prepare_push "$c"
      for rep in $(seq "$reps"); do
        for tool in jbuild buildah skopeo; do
          bench_registry_start "$tool-$c"
          [ "$c" = repush ] && push "$tool" "$c" "$work/log/$c-$tool-$rep-prime" >/dev/null
          sample "$c" "$tool" push "$tool" "$c" "$work/log/$c-$tool-$rep"
          bench_registry_stop
        done
      done ;;
    *)
      for rep in $(seq "$reps"); do
        for tool in $build_tools; do
          reset_store "$tool" "$c"
          if [ "$c" = warm ]; then
            build "$tool" "$c" "$work/log/$c-$tool-$rep-cold" >/dev/null
          else
            sample "$c-cold" "$tool" build "$tool" "$c" "$work/log/$c-$tool-$rep-cold"
          fi
          case $c in trivial|copy|warm)
            sample "$c-warm" "$tool" build "$tool" "$c" "$work/log/$c-$tool-$rep-warm" ;;
          esac
        done
      done ;;
  esac
}
declare -A title=(
  [runheavy-cold]="RUN-heavy (2,000 files in one RUN), cold"
  [trivial-cold]="10 trivial RUN steps, cold" [trivial-warm]="10 trivial RUN steps, warm"
  [copy-cold]="COPY-only 50 MB / 5,000 files, cold" [copy-warm]="COPY-only 50 MB / 5,000 files, warm"
  [multi-cold]="multi-stage, cold" [big-cold]="500 MB layer (RUN), cold"
  [push]="push small image (2 blobs) to an empty registry" [repush]="re-push 200 MB image, all blobs there"
  [warm-warm]="warm rebuild, 20 steps (bench/cache.sh)"
)
rows_of() { case $1 in trivial|copy) echo "$1-cold $1-warm" ;; warm) echo warm-warm ;; push|repush) echo "$1" ;; *) echo "$1-cold" ;; esac; }
table() {
  python3 - "$buildkit" "$@" <<'PY'
import statistics, sys
buildkit, rows = sys.argv[1] == "1", sys.argv[2:]
tools = ["jbuild", "buildah", "skopeo"] + (["buildkit"] if buildkit else [])
names = {"jbuild": "jbuild", "buildah": "buildah", "skopeo": "skopeo", "buildkit": "BuildKit"}
head = ["case"] + [f"{names[t]} s" for t in tools] + [f"jbuild / {names[t]}" for t in tools[1:]] \
     + [f"peak RSS MiB {names[t]}" for t in tools]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for row in rows:
    title, *cells = row.split("\t")
    data = dict(zip(tools, [c.split(";") for c in cells]))
    med = {t: statistics.median(float(x) for x in data[t][0].split()) if data[t][0].strip() else None for t in tools}
    out = [title] + [f"{med[t]:.2f}" if med[t] is not None else "—" for t in tools]
    out += [f"{med['jbuild'] / med[t]:.2f}" if med[t] and med["jbuild"] is not None else "—" for t in tools[1:]]
    out += [f"{int(data[t][1]) / 1024:.0f}" if data[t][1] else "—" for t in tools]
    print("| " + " | ".join(out) + " |")
PY
}

mkdir -p "$work/log"; chown "$user:" "$work/log"
make_inputs
[ -n "$buildkit" ] && buildkit_start
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for c in $cases; do echo "compare.sh: $c" >&2; run_case "$c"; done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

report=$(mktemp)
{
  echo "Benchmark \`bench/compare.sh -n $reps -c ${cases// /,}\`, $(date -u +%FT%TZ), $(nproc) cores, $(uname -r), builds rootless as $user."
  echo "jbuild $(as_user "$jb" --version | head -1) (\`./jbuild\`, CDS $([ -f "$work/jb/target/jbuild.jsa" ] && echo on || echo off)); $(buildah --version); $(skopeo --version)${buildkit:+; $(buildkitd --version)}."
  echo "Load average before / after: $load_before / $load_after. Median of $reps; peak RSS is the largest process, max over the repetitions."
  [ -n "$buildkit" ] || echo "BuildKit columns are skipped: buildkitd and buildctl are not on the PATH."
  echo
  rows=()
  for c in $cases; do
    for r in $(rows_of "$c"); do
      line=${title[$r]}
      for tool in jbuild buildah skopeo${buildkit:+ buildkit}; do line+=$'\t'"${secs[$r/$tool]:-};${rss[$r/$tool]:-}"; done
      rows+=("$line")
    done
  done
  table "${rows[@]}"
} >"$report"
cat "$report"
[ -z "$out" ] || cp "$report" "$out"
rm -f "$report"
