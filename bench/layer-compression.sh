#!/usr/bin/env bash
# Compression micro-benchmark for dev.jbuild.layer: single-threaded GZIPOutputStream vs the parallel gzip
# writer vs zstd, held in memory, and `pigz -6 -p N` on the same bytes when pigz is installed.
# Usage: bench/layer-compression.sh [MiB|file=PATH] [threads...]
#   MiB        semi-compressible generated data (default 200; pigz is not run: the bytes live in the JVM)
#   file=PATH  that file's bytes (e.g. a tar of /usr/lib/jvm): jbuild and pigz compress the same input
# The sha256 column shows that the parallel gzip (and zstd with >= 1 worker) output does not depend on the
# thread count.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
mvn -q -B -o test-compile
cp_file=target/bench-classpath.txt
mvn -q -B dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
mkdir -p bench/results
result="bench/results/layer-compression-$(date +%Y%m%d-%H%M%S).txt"
java -Xmx2g -cp "target/classes:target/test-classes:$(cat "$cp_file")" dev.jbuild.layer.GzipBenchmark "$@" | tee "$result"
if [[ ${1:-} == file=* ]] && command -v pigz >/dev/null; then
  file=${1#file=}
  shift
  threads=("$@")
  [ ${#threads[@]} -gt 0 ] || threads=(1 2 "$(nproc)")
  cat "$file" >/dev/null   # in the page cache, as the JVM had it in memory
  size=$(stat -c %s "$file")
  for t in "${threads[@]}"; do
    start=$(date +%s.%N)
    pigz -6 -p "$t" -c "$file" >/dev/null
    end=$(date +%s.%N)
    awk -v n="pigz -6 -p $t" -v s="$start" -v e="$end" -v b="$size" \
      'BEGIN { printf "%-55s %6.2f s %7.1f MiB/s\n", n, e - s, b / 1048576 / (e - s) }' | tee -a "$result"
  done
fi
