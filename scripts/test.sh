#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine: installs what the tests need (when root),
# prepares the unprivileged test user, runs `mvn -B verify`, and exits non-zero on any failure.
# Idempotent: when everything is present it only checks (well under 2 s) and runs Maven.
# The tests start (and stop) their own registries on free ports; this script starts no service.
set -euo pipefail

cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."
# Guard: this script chmods the tree below; make sure it is this checkout, never `/` or elsewhere.
if [ ! -f pom.xml ] || [ ! -f scripts/test.sh ] || [ "$(pwd -P)" = / ]; then
  echo "test.sh: run it from the jbuild checkout (scripts/test.sh), not from a copy: $(pwd -P)" >&2
  exit 2
fi

# Debian packages the suite needs. Keep in step with docs/development.md.
packages=(
  maven openjdk-17-jdk-headless git
  docker-registry              # CNCF distribution: the registry the integration tests push to
  skopeo umoci                 # independent readers of what jbuild writes (OCI layouts, registries)
  podman crun                  # a real container engine to load/run built images
  uidmap                       # newuidmap/newgidmap: rootless id mapping for podman and RUN
  busybox-static               # the base image the tests build offline
  apache2-utils                # htpasswd, for the registry's Basic-auth variant
  openssl                      # CA + server certificate for the registry's TLS variant
  util-linux                   # unshare
  openssh-client               # ssh-agent, ssh-add, ssh-keygen: RUN --mount=type=ssh against a real agent
  jq python3 python3-yaml      # python3-yaml: ExamplesTest parses the YAML recipes
  tar gzip zstd xz-utils bzip2 # reference (de)compressors to cross-check layers
)

# The rootless RUN suite runs as this user (see docs/development.md).
test_user=jbuildtest
subid_range="200000:65536"

is_root() { [ "$(id -u)" -eq 0 ]; }

missing_packages() {
  # One dpkg-query call for all packages (fast path); a package dpkg never heard of prints nothing.
  local installed
  installed=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null \
    | awk '$NF == "installed" && $(NF-1) == "ok" {print $1}') || true
  local p
  for p in "${packages[@]}"; do
    grep -qxF "$p" <<<"$installed" || echo "$p"
  done
}

# Debian's docker-registry ships a service listening on :5000. The tests never use it: keep apt
# from starting any service (policy-rc.d, honoured by invoke-rc.d and deb-systemd-invoke), and
# afterwards disable the packaged one, with or without systemd running.
install_packages() {
  local temporary_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    temporary_policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# test.sh: no service starts during the install\nexit 101\n' >"$temporary_policy"
    chmod 755 "$temporary_policy"
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  if [ -n "$temporary_policy" ]; then
    rm -f "$temporary_policy"
    trap - EXIT
  fi
  if printf '%s\n' "$@" | grep -qxF docker-registry; then
    disable_packaged_registry
  fi
}

disable_packaged_registry() {
  if [ -d /run/systemd/system ]; then
    systemctl disable --now docker-registry.service >/dev/null 2>&1 || true
  else
    if [ -x /etc/init.d/docker-registry ]; then
      /etc/init.d/docker-registry stop >/dev/null 2>&1 || true
    fi
    update-rc.d docker-registry disable >/dev/null 2>&1 || true
  fi
}

# A normal (non-system) user without a password, with subordinate ids for user namespaces.
ensure_test_user() {
  if ! id -u "$test_user" >/dev/null 2>&1; then
    echo "test.sh: creating user $test_user" >&2
    useradd --create-home --shell /bin/bash --comment "jbuild rootless test user" "$test_user"
  fi
  local f
  for f in /etc/subuid /etc/subgid; do
    # useradd may already have allocated a range; add ours only when the user has none.
    if ! grep -q "^$test_user:" "$f" 2>/dev/null; then
      echo "$test_user:$subid_range" >>"$f"
    fi
  done
}

# The test user must read the checkout (the shaded jar, fixtures), never write to it. Grant
# read/traverse to "others" on the tree, and traverse-only (x, not r) on the directories above it
# (e.g. a `mktemp -d` clone is 0700). The repository keeps its owner.
ensure_tree_readable() {
  local dir
  dir=$(pwd -P)
  while [ "$dir" != "/" ]; do
    dir=$(dirname "$dir")
    if [ -n "$(find "$dir" -maxdepth 0 ! -perm -o+x)" ]; then
      echo "test.sh: allowing others to traverse $dir (for $test_user)" >&2
      chmod o+x "$dir"
    fi
  done
  # Only touch what lacks the bits: cheap on a tree that is already readable.
  find . -xdev -path ./.git -prune -o \( -type d ! -perm -o+rx -o -type f ! -perm -o+r \) -print0 \
    | xargs -0r chmod o+rX
}

mapfile -t missing < <(missing_packages)
if [ ${#missing[@]} -gt 0 ]; then
  if is_root; then
    echo "test.sh: installing ${missing[*]}" >&2
    install_packages "${missing[@]}"
  else
    echo "test.sh: missing packages (run as root to install them): ${missing[*]}" >&2
    exit 1
  fi
fi

if is_root; then
  ensure_test_user
  ensure_tree_readable
fi

mvn -B verify "$@"

# The launcher users run: it must find the jar verify just built and start it.
./jbuild --version >/dev/null
