#!/usr/bin/env bash
# Compression micro-benchmark for dev.jbuild.layer: single-threaded GZIPOutputStream vs the parallel gzip
# writer vs zstd, on semi-compressible data held in memory. Usage: bench/layer-compression.sh [MiB] [threads...]
# The sha256 column shows that the parallel gzip (and zstd with >= 1 worker) output does not depend on the
# thread count.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
mvn -q -B -o test-compile
cp_file=target/bench-classpath.txt
mvn -q -B -o dependency:build-classpath -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >/dev/null
mkdir -p bench/results
java -Xmx1g -cp "target/classes:target/test-classes:$(cat "$cp_file")" dev.jbuild.layer.GzipBenchmark "$@" \
  | tee "bench/results/layer-compression-$(date +%Y%m%d-%H%M%S).txt"
