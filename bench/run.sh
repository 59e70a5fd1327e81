#!/usr/bin/env bash
# RUN benchmark (issue 6): RUN-heavy builds on a busybox base, cold (fresh store) and warm (the same
# build again on the same store), jbuild next to `buildah bud --isolation chroot` with the overlay and
# the vfs storage drivers, all rootless as the same unprivileged user in the same run.
#
#   1. files: one RUN writes 2,000 small files
#   2. big:   one RUN writes a 500 MB file of random bytes
#   3. multi: a multi-stage build (two stages with RUNs, COPY --from both into a third, a RUN there)
#
# Reports wall time and peak RSS (GNU time: the largest single process of the build) per build, and
# buildah/jbuild time ratios. Builds go to each tool's own store (no export). buildah runs with
# --layers, so its warm runs use its layer cache; jbuild's warm runs reuse its unpacked-rootfs cache.
#
# Usage: bench/run.sh [workdir]   As root it runs everything as the test user jbuildtest (created by
# scripts/test.sh); as another user, as that user. Needs target/jbuild.jar (mvn package), buildah,
# /usr/bin/time, a subordinate id range for the user.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
results="$repo/bench/results"
mkdir -p "$results"
report="$results/run-$(date +%Y%m%d-%H%M%S).md"
jar="$repo/target/jbuild.jar"
[ -f "$jar" ] || { echo "run.sh: $jar is missing: mvn -B -o package" >&2; exit 2; }
command -v buildah >/dev/null || { echo "run.sh: buildah is not installed (apt-get install buildah)" >&2; exit 2; }

# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
bench_user
# Lower case only: buildah reads "oci:PATH:tag" as an image name, which must be lower case.
work=${1:-/var/tmp/jbuild-bench-run-$(date +%s)-$$}
mkdir -p "$work"
[ "$(id -u)" -eq 0 ] && chown "$user:" "$work"
chmod 700 "$work"
cleanup() { bench_remove_work; }
[ -n "${KEEP:-}" ] || trap cleanup EXIT

as_user cp "$jar" "$work/jbuild.jar"
java=$(readlink -f "$(command -v java)")
jbuild() { as_user "$java" -jar "$work/jbuild.jar" "$@"; }

# The base: Debian's static busybox with its applets, built FROM scratch by jbuild into an OCI layout.
make_inputs() {
  bench_busybox_layout "$work/jbuild.jar" "$work/base"

  local scenario
  for scenario in files big multi; do
    as_user mkdir -p "$work/$scenario"
    bench_dockerfile "$scenario" | as_user tee "$work/$scenario/Dockerfile" >/dev/null
  done
}

# measure LABEL COMMAND... → "seconds rss_kb" of the command run as the user.
measure() { local label=$1; shift; bench_measure "$work/$label.log" "$@"; }

row() { # scenario tool cold warm
  read -r cs cr <<<"$3"; read -r ws wr <<<"$4"
  printf '| %s | %s | %.2f | %.2f | %d | %d |\n' "$1" "$2" "$cs" "$ws" $((cr / 1024)) $((wr / 1024)) | tee -a "$report"
  times["$1/$2"]="$cs $ws"
}

jbuild_case() { # scenario snapshotter
  local root="$work/jbuild-$1-$2"
  local args=(--root "$root" build -q --snapshotter="$2" --build-context "busybox=oci-layout://$work/base:bench" "$work/$1")
  local cold warm
  cold=$(measure "jbuild-$1-$2-cold" "$java" -jar "$work/jbuild.jar" "${args[@]}")
  warm=$(measure "jbuild-$1-$2-warm" "$java" -jar "$work/jbuild.jar" "${args[@]}")
  row "$1" "jbuild ($2)" "$cold" "$warm"
}

buildah_case() { # scenario driver
  local storage=(--root "$work/buildah-$1-$2" --runroot "$work/buildah-run-$1-$2" --storage-driver "$2")
  local args=(bud --isolation chroot --layers -q --build-arg "BASE=oci:$work/base:bench" -t "bench-$1" "$work/$1")
  local cold warm
  cold=$(measure "buildah-$1-$2-cold" buildah "${storage[@]}" "${args[@]}")
  warm=$(measure "buildah-$1-$2-warm" buildah "${storage[@]}" "${args[@]}")
  row "$1" "buildah chroot ($2)" "$cold" "$warm"
}

declare -A times
make_inputs
{
  echo "# RUN benchmark $(date -u +%FT%TZ), $(nproc) cores, $(uname -r), as $user (rootless)"
  echo
  echo "jbuild $(jbuild --version | head -1); $(buildah --version)"
  echo
  echo "| build | tool | cold s | warm s | cold peak RSS MiB | warm peak RSS MiB |"
  echo "|---|---|---|---|---|---|"
} | tee "$report"
for scenario in files big multi; do
  jbuild_case "$scenario" overlay
  jbuild_case "$scenario" copy
  buildah_case "$scenario" overlay
  buildah_case "$scenario" vfs
done
{
  echo
  echo "| build | buildah overlay / jbuild overlay (cold, warm) | buildah vfs / jbuild copy (cold, warm) |"
  echo "|---|---|---|"
} | tee -a "$report"
for scenario in files big multi; do
  read -r jc jw <<<"${times[$scenario/jbuild (overlay)]}"
  read -r jcc jcw <<<"${times[$scenario/jbuild (copy)]}"
  read -r bc bw <<<"${times[$scenario/buildah chroot (overlay)]}"
  read -r vc vw <<<"${times[$scenario/buildah chroot (vfs)]}"
  python3 -c "import sys; a=[float(x) for x in sys.argv[2:]]; print(f'| {sys.argv[1]} | {a[2]/a[0]:.2f}, {a[3]/a[1]:.2f} | {a[6]/a[4]:.2f}, {a[7]/a[5]:.2f} |')" \
    "$scenario" "$jc" "$jw" "$bc" "$bw" "$jcc" "$jcw" "$vc" "$vw" | tee -a "$report"
done
echo "report: $report"
