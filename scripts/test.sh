#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine: installs what the tests need (when root),
# runs `mvn -B verify`, and exits non-zero on any failure.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

# Debian packages the suite needs. Keep in step with docs/development.md.
packages=(maven openjdk-17-jdk-headless git)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing packages (run as root to install them): ${missing[*]}" >&2
    exit 1
  fi
fi

mvn -B verify "$@"
