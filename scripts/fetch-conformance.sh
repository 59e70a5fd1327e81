#!/usr/bin/env bash
# Fetches the conformance data the test suite reads (BuildKit's Dockerfile parser and shell
# expansion test files, Apache-2.0) into ../shared/conformance beside the checkout, or into $1.
# Needs git and the network; run it once per machine. CI runs the same.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
dest=${1:-../shared/conformance}
ref=${BUILDKIT_REF:-master}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone --quiet --depth 1 --branch "$ref" https://github.com/moby/buildkit "$tmp/buildkit"
mkdir -p "$dest/buildkit/parser" "$dest/buildkit/shell"
rm -rf "$dest/buildkit/parser/testfiles" "$dest/buildkit/parser/testfiles-negative"
cp -r "$tmp/buildkit/frontend/dockerfile/parser/testfiles" "$tmp/buildkit/frontend/dockerfile/parser/testfiles-negative" \
  "$dest/buildkit/parser/"
cp "$tmp/buildkit/frontend/dockerfile/shell/envVarTest" "$tmp/buildkit/frontend/dockerfile/shell/wordsTest" "$dest/buildkit/shell/"
cp "$tmp/buildkit/LICENSE" "$dest/buildkit/LICENSE"
echo "fetch-conformance.sh: BuildKit's test data is in $(cd "$dest" && pwd -P)" >&2
