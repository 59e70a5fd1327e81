#!/usr/bin/env bash
# COPY benchmark (issue 4): a 40 MB tree of 10,000 files and one 500 MB file, FROM scratch into an
# OCI archive with gzip layers, cold (fresh store) and warm (second run, page cache warm), jbuild
# next to `buildah bud` + `buildah push oci-archive:` on the same inputs in the same run.
# Reports wall time, MB/s and peak RSS (GNU time). Usage: bench/copy.sh [workdir]
# Needs: /usr/bin/time, buildah (apt-get install buildah; only for this comparison).
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
work=${1:-$(mktemp -d /var/tmp/jbuild-bench.XXXXXX)}
results="$repo/bench/results"
mkdir -p "$results" "$work"
report="$results/copy-$(date +%Y%m%d-%H%M%S).md"

"$repo/jbuild" --version >/dev/null   # build the jar outside the measurements
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
as_user() { "$@"; }   # this benchmark runs as its caller

make_inputs() {
  local tree="$work/tree-ctx" big="$work/big-ctx"
  if [ ! -f "$tree/Dockerfile" ]; then
    # 10,000 files of 4 KiB of base64 text (compressible like source code), 100 directories.
    bench_tree "$tree/tree" 100 100 4096
    printf 'FROM scratch\nCOPY tree /tree\n' >"$tree/Dockerfile"
  fi
  if [ ! -f "$big/Dockerfile" ]; then
    mkdir -p "$big"
    # 500 MB: half random bytes, half base64 text, so gzip has real work and real savings.
    { head -c 250000000 /dev/urandom; head -c 187500000 /dev/urandom | base64 -w0; } | head -c 500000000 >"$big/big.bin"
    printf 'FROM scratch\nCOPY big.bin /big.bin\n' >"$big/Dockerfile"
  fi
}

# measure NAME MB COMMAND... → one table row; the command's output goes to a log.
measure() {
  local name=$1 megabytes=$2; shift 2
  local log="$work/$name.log" timing="$work/$name.time"
  /usr/bin/time -f '%e %M' -o "$timing" "$@" >"$log" 2>&1 || { echo "FAILED: $name (see $log)" >&2; tail -5 "$log" >&2; return 1; }
  read -r seconds rss_kb <"$timing"
  python3 - "$name" "$megabytes" "$seconds" "$rss_kb" <<'PY' | tee -a "$report"
import sys
name, mb, s, rss = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"| {name} | {s:.2f} | {mb / s:.1f} | {rss / 1024:.0f} |")
PY
}

jbuild_case() {
  local ctx=$1 label=$2 mb=$3
  rm -rf "$work/jbuild-root"
  measure "jbuild-$label-cold" "$mb" "$repo/jbuild" --root "$work/jbuild-root" -q -o "type=oci,dest=$work/jbuild-$label.tar" "$ctx"
  measure "jbuild-$label-warm" "$mb" "$repo/jbuild" --root "$work/jbuild-root" -q -o "type=oci,dest=$work/jbuild-$label.tar" "$ctx"
}

buildah_case() {
  local ctx=$1 label=$2 mb=$3
  local storage=(--root "$work/buildah-root" --runroot "$work/buildah-run" --storage-driver vfs)
  rm -rf "$work/buildah-root" "$work/buildah-run"
  for run in cold warm; do
    measure "buildah-$label-$run" "$mb" sh -c "buildah ${storage[*]} bud --layers=false -q -t bench-$label '$ctx' >/dev/null \
      && buildah ${storage[*]} push -q bench-$label oci-archive:$work/buildah-$label.tar"
  done
  buildah "${storage[@]}" rmi -a -f >/dev/null 2>&1 || true
}

make_inputs
{
  echo "# COPY benchmark $(date -u +%FT%TZ) on $(nproc) cores, $(uname -r)"
  echo
  echo "jbuild $("$repo/jbuild" --version | head -1); $(buildah --version 2>/dev/null || echo 'buildah missing')"
  echo
  echo "| case | seconds | MB/s | peak RSS MiB |"
  echo "|---|---|---|---|"
} | tee "$report"
jbuild_case "$work/tree-ctx" tree 40
buildah_case "$work/tree-ctx" tree 40
jbuild_case "$work/big-ctx" big 500
buildah_case "$work/big-ctx" big 500
echo "report: $report"
