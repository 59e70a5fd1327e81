#!/usr/bin/env bash
# Build-cache benchmark (issue 7): two Dockerfiles on a busybox base, each built four ways, jbuild
# next to `buildah bud --layers` in the same run, both rootless as the same unprivileged user:
#
#   cold         fresh store, exporting the cache to a local registry
#                (jbuild --cache-to type=registry,…,mode=max; buildah --cache-to REPO)
#   warm         the same build again on the same store, nothing changed
#   incremental  one source file changed (the steps from its COPY on re-run), same store
#   remote       the file changed back, a fresh store importing the registry cache
#                (jbuild --cache-from type=registry,…; buildah --cache-from REPO)
#
# Cases: "steps" is a 20-step Dockerfile (5 COPY, 6 RUN, 5 ENV, 2 LABEL, WORKDIR, CMD) — the
# warm-rebuild target of the issue is under 0.5 s plus JVM start for it; "stages" is a multi-stage
# build (two independent stages with RUNs, a third reading both, a final image copying from them).
# Builds stay in each tool's store (no export), so the times are build and cache work only.
#
# Reports wall seconds per phase, the jbuild/buildah ratio, and `jbuild --version` as the JVM-start
# reference. Usage: [CASES="steps stages"] [TOOLS="jbuild buildah"] bench/cache.sh [workdir]. Needs target/jbuild.jar (mvn package),
# buildah (apt-get install buildah; only for this comparison), docker-registry, /usr/bin/time, the
# user jbuildtest with a subordinate id range when run as root (scripts/test.sh creates it).
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
results="$repo/bench/results"
mkdir -p "$results"
report="$results/cache-$(date +%Y%m%d-%H%M%S).md"
jar="$repo/target/jbuild.jar"
[ -f "$jar" ] || { echo "cache.sh: $jar is missing: mvn -B -o package" >&2; exit 2; }
command -v buildah >/dev/null || { echo "cache.sh: buildah is not installed (apt-get install buildah)" >&2; exit 2; }

bench_user
# Lower case only: buildah reads "oci:PATH:tag" as an image name, which must be lower case.
work=${1:-/var/tmp/jbuild-bench-cache-$(date +%s)-$$}
mkdir -p "$work"
[ "$(id -u)" -eq 0 ] && chown "$user:" "$work"
chmod 700 "$work"
cleanup() { bench_registry_stop; [ -n "${KEEP:-}" ] || bench_remove_work; }
trap cleanup EXIT

as_user cp "$jar" "$work/jbuild.jar"
java=$(readlink -f "$(command -v java)")
bench_busybox_layout "$work/jbuild.jar" "$work/base"
bench_registry_start cache

# The contexts: a few "source files" that COPY steps read and RUN steps digest.
make_context() { # make_context DIR CASE
  bench_sources "$1"
  bench_dockerfile "$2" | as_user tee "$1/Dockerfile" >/dev/null
}

declare -A seconds
phase() { # phase CASE TOOL PHASE COMMAND...: measures the command, records and prints the row
  local case=$1 tool=$2 name=$3 timing s r cached
  shift 3
  timing=$(bench_measure "$work/$tool-$case-$name.log" "$@")
  read -r s r <<<"$timing"
  seconds["$case/$tool/$name"]=$s
  # Steps taken from the cache, from the progress output: "#N CACHED" (jbuild), "--> Using cache" (buildah).
  cached=$(grep -cE '^#[0-9]+ CACHED|^--> Using cache' "$work/$tool-$case-$name.log" || true)
  printf '| %s | %s | %s | %.2f | %d | %d |\n' "$case" "$tool" "$name" "$s" $((r / 1024)) "$cached" | tee -a "$report"
}

change_file() { echo "int changed(void) { return 0; }" | as_user tee -a "$1/src/file7.c" >/dev/null; }
restore_file() { as_user sed -i '$d' "$1/src/file7.c"; }

jbuild_case() { # jbuild_case CASE
  local case=$1 ctx="$work/ctx-jbuild-$1" ref="$registry/bench/jbuild-cache:$1"
  make_context "$ctx" "$case"
  local build=("$java" -jar "$work/jbuild.jar" build --progress=plain --build-context "busybox=oci-layout://$work/base:bench")
  phase "$case" jbuild cold "${build[@]}" --root "$work/jbuild-root-$case" \
    --cache-to "type=registry,ref=$ref,mode=max" "$ctx"
  phase "$case" jbuild warm "${build[@]}" --root "$work/jbuild-root-$case" "$ctx"
  change_file "$ctx"
  phase "$case" jbuild incremental "${build[@]}" --root "$work/jbuild-root-$case" "$ctx"
  restore_file "$ctx"
  phase "$case" jbuild remote "${build[@]}" --root "$work/jbuild-remote-$case" \
    --cache-from "type=registry,ref=$ref" "$ctx"
}

buildah_case() { # buildah_case CASE
  local case=$1 ctx="$work/ctx-buildah-$1" repo_ref="$registry/bench/buildah-cache-$1"
  make_context "$ctx" "$case"
  storage() { echo --root "$work/buildah-$1" --runroot "$work/buildah-run-$1" --storage-driver overlay; }
  local bud=(bud --isolation chroot --layers --tls-verify=false --build-arg "BASE=oci:$work/base:bench" -t "bench-$case")
  # shellcheck disable=SC2046
  phase "$case" buildah cold buildah $(storage "$case") "${bud[@]}" --cache-to "$repo_ref" "$ctx"
  # shellcheck disable=SC2046
  phase "$case" buildah warm buildah $(storage "$case") "${bud[@]}" "$ctx"
  change_file "$ctx"
  # shellcheck disable=SC2046
  phase "$case" buildah incremental buildah $(storage "$case") "${bud[@]}" "$ctx"
  restore_file "$ctx"
  # shellcheck disable=SC2046
  phase "$case" buildah remote buildah $(storage "remote-$case") "${bud[@]}" --cache-from "$repo_ref" "$ctx"
}

{
  echo "# Build-cache benchmark $(date -u +%FT%TZ), $(nproc) cores, $(uname -r), as $user (rootless)"
  echo
  echo "jbuild $(as_user "$java" -jar "$work/jbuild.jar" --version | head -1); $(buildah --version)"
  echo
  echo "| case | tool | phase | wall s | peak RSS MiB | steps from cache |"
  echo "|---|---|---|---|---|---|"
} | tee "$report"
cases=${CASES:-steps stages}
for case in $cases; do
  [[ " ${TOOLS:-jbuild buildah} " == *" jbuild "* ]] && jbuild_case "$case"
  [[ " ${TOOLS:-jbuild buildah} " == *" buildah "* ]] && buildah_case "$case"
done
jvm=$(bench_measure "$work/jvm.log" "$java" -jar "$work/jbuild.jar" --version)
{
  echo
  echo "JVM start reference (\`java -jar jbuild.jar --version\`): $(cut -d' ' -f1 <<<"$jvm") s"
  echo
  echo "| case | phase | jbuild s | buildah s | jbuild / buildah |"
  echo "|---|---|---|---|---|"
} | tee -a "$report"
for case in $cases; do
  [ -n "${seconds[$case/jbuild/cold]:-}" ] && [ -n "${seconds[$case/buildah/cold]:-}" ] || continue
  for phase in cold warm incremental remote; do
    python3 -c "import sys; j,b=float(sys.argv[3]),float(sys.argv[4]); print(f'| {sys.argv[1]} | {sys.argv[2]} | {j:.2f} | {b:.2f} | {j/b:.2f} |')" \
      "$case" "$phase" "${seconds[$case/jbuild/$phase]}" "${seconds[$case/buildah/$phase]}" | tee -a "$report"
  done
done
echo "report: $report"
