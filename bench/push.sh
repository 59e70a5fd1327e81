#!/usr/bin/env bash
# Push benchmark (issue 5): a 500 MB single-layer image and a 2,000-file image pushed to an empty
# local CNCF registry, then pushed again (every blob already there), jbuild next to
# `skopeo copy` and `buildah push` on the same images in the same run. Each tool gets its own
# fresh registry so nobody benefits from another's uploads. Usage: bench/push.sh [workdir]
# Needs: docker-registry, skopeo, buildah (apt-get install ...; buildah only for this comparison).
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
work=${1:-$(mktemp -d /var/tmp/jbuild-push-bench.XXXXXX)}
results="$repo/bench/results"
mkdir -p "$results" "$work"
report="$results/push-$(date +%Y%m%d-%H%M%S).md"
"$repo/jbuild" --version >/dev/null

# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
start_registry() { bench_registry_start "$1"; }
stop_registry() { bench_registry_stop; }
trap stop_registry EXIT

measure() {   # measure NAME MB COMMAND...
  local name=$1 mb=$2; shift 2
  local timing="$work/$name.time"
  /usr/bin/time -f '%e %M' -o "$timing" "$@" >"$work/$name.log" 2>&1 || { echo "FAILED: $name" >&2; tail -5 "$work/$name.log" >&2; return 1; }
  read -r seconds rss_kb <"$timing"
  python3 -c "import sys; n,mb,s,r=sys.argv[1],float(sys.argv[2]),float(sys.argv[3]),int(sys.argv[4]); print(f'| {n} | {s:.2f} | {mb/s:.1f} | {r/1024:.0f} |')" \
    "$name" "$mb" "$seconds" "$rss_kb" | tee -a "$report"
}

# The images: built once by jbuild into its store, exported for the other tools.
store="$work/jbuild-store"
mkdir -p "$work/big" "$work/files/tree"
[ -f "$work/big/big.bin" ] || head -c 500000000 /dev/urandom >"$work/big/big.bin"
printf 'FROM scratch\nCOPY big.bin /big.bin\n' >"$work/big/Dockerfile"
if [ ! -f "$work/files/Dockerfile" ]; then
  for i in $(seq 2000); do head -c 2048 /dev/urandom | base64 >"$work/files/tree/f$i.txt"; done
  printf 'FROM scratch\nCOPY tree /tree\n' >"$work/files/Dockerfile"
fi
"$repo/jbuild" --root "$store" -q -t bench/big:1 -o "type=oci,dest=$work/big.tar" "$work/big" >/dev/null
"$repo/jbuild" --root "$store" -q -t bench/files:1 -o "type=oci,dest=$work/files.tar" "$work/files" >/dev/null
buildah_storage=(--root "$work/buildah-root" --runroot "$work/buildah-run" --storage-driver vfs)
for image in big files; do buildah "${buildah_storage[@]}" pull -q "oci-archive:$work/$image.tar" >/dev/null; done

{
  echo "# Push benchmark $(date -u +%FT%TZ) on $(nproc) cores"
  echo
  echo "Images: bench/big (one 500 MB layer, random bytes), bench/files (2,000 files of 2.7 kB). Each tool pushes to its own fresh registry; 'again' pushes the same image a second time."
  echo
  echo "| case | seconds | MB/s | peak RSS MiB |"
  echo "|---|---|---|---|"
} | tee "$report"
for image in big files; do
  mb=$([ "$image" = big ] && echo 500 || echo 5.5)
  start_registry "jbuild-$image"
  measure "jbuild push $image" "$mb" "$repo/jbuild" --root "$store" push "bench/$image:1" "$registry/bench/$image:1"
  measure "jbuild push $image again" "$mb" "$repo/jbuild" --root "$store" push "bench/$image:1" "$registry/bench/$image:1"
  stop_registry
  start_registry "skopeo-$image"
  measure "skopeo copy $image" "$mb" skopeo copy -q --dest-tls-verify=false "oci-archive:$work/$image.tar" "docker://$registry/bench/$image:1"
  measure "skopeo copy $image again" "$mb" skopeo copy -q --dest-tls-verify=false "oci-archive:$work/$image.tar" "docker://$registry/bench/$image:1"
  stop_registry
  start_registry "buildah-$image"
  id=$(buildah "${buildah_storage[@]}" images -q | head -1)
  ref=$(buildah "${buildah_storage[@]}" images --format '{{.Name}}:{{.Tag}}' | grep -m1 "$image" || true)
  measure "buildah push $image" "$mb" buildah "${buildah_storage[@]}" push -q --tls-verify=false "${ref:-$id}" "docker://$registry/bench/$image:1"
  measure "buildah push $image again" "$mb" buildah "${buildah_storage[@]}" push -q --tls-verify=false "${ref:-$id}" "docker://$registry/bench/$image:1"
  stop_registry
done
echo "report: $report"
