#!/usr/bin/env bash
# The whole test suite, on a fresh Debian machine: installs what the tests need (when root),
# prepares the unprivileged test user, runs `mvn -B install` (verify, then into ~/.m2) and the Maven
# plugin's `mvn -B -f maven-plugin/pom.xml verify`, and exits non-zero on any failure.
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
  qemu-user-static             # foreign-CPU RUN (arm64) through binfmt_misc; its handlers are registered below
  curl gpgv debian-archive-keyring  # the arm64 busybox-static, verified through Debian's signed index
  apache2-utils                # htpasswd, for the registry's Basic-auth variant
  openssl                      # CA + server certificate for the registry's TLS variant
  util-linux                   # unshare
  attr libcap2-bin             # getfattr: RUN's file capabilities into layers; setcap sets them in the tests
  openssh-client               # ssh-agent, ssh-add, ssh-keygen: RUN --mount=type=ssh against a real agent
  openssh-server               # sshd: git over SSH against a real server (testing.SshGitServer)
  jq python3 python3-yaml      # python3-yaml: ExamplesTest parses the YAML recipes
  python3-nacl                 # libsodium's secretbox: an independent check of cosign's key encryption (SigningKeysTest)
  tar gzip zstd xz-utils bzip2 # reference (de)compressors to cross-check layers
  rpm                          # rpmbuild and an rpmdb.sqlite for the SBOM's RPM cataloger
  debootstrap                  # a real Debian rootfs (testing.DebootstrapRootfs) whose SBOM is checked against dpkg-query
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

# RUN for a foreign CPU (docs/rootless.md, "RUN for other platforms") runs through qemu-user-static
# and a binfmt_misc handler with the F flag. Debian's package registers its handlers only through
# binfmt-support's update-binfmts (a Recommends we do not install, and never inside a container), so
# this script registers the one handler the tests use itself, and removes on exit what it added.
binfmt_dir=/proc/sys/fs/binfmt_misc
binfmt_mounted_here=""
binfmt_registered_here=""

undo_emulation() {
  if [ -n "$binfmt_registered_here" ] && [ -e "$binfmt_dir/$binfmt_registered_here" ]; then
    echo -1 >"$binfmt_dir/$binfmt_registered_here" || true
  fi
  if [ -n "$binfmt_mounted_here" ]; then
    umount "$binfmt_dir" || true
  fi
}

# True when an enabled aarch64 handler with the F flag is registered (whoever registered it).
aarch64_handler_usable() {
  local entry="$binfmt_dir/qemu-aarch64"
  [ -r "$entry" ] && head -n1 "$entry" | grep -qx enabled && grep -q '^flags: .*F' "$entry"
}

# Sets JBUILD_TEST_EMULATION to 1 when arm64 RUN can be emulated, else 0 (the tests then expect the
# clear error instead). Never fails the script: without root or with a kernel that refuses, it only says so.
setup_emulation() {
  JBUILD_TEST_EMULATION=0
  if is_root; then
    if [ ! -e "$binfmt_dir/status" ]; then
      if mount -t binfmt_misc binfmt_misc "$binfmt_dir" 2>/dev/null; then
        binfmt_mounted_here=1
      else
        echo "test.sh: cannot mount binfmt_misc: RUN for arm64 is tested as the 'no emulation' error" >&2
        return 0
      fi
    fi
    if [ ! -e "$binfmt_dir/qemu-aarch64" ] && [ "$(cat "$binfmt_dir/status")" = enabled ]; then
      # The package's systemd-binfmt line: fix-binary (F), so the interpreter works inside chroots.
      local line
      line=$(cat /usr/lib/binfmt.d/qemu-aarch64.conf)
      if [[ "$line" =~ :[A-Z]*F[A-Z]*$ ]] && printf '%s' "$line" >"$binfmt_dir/register" 2>/dev/null; then
        binfmt_registered_here=qemu-aarch64
      else
        echo "test.sh: the kernel refused the qemu-aarch64 binfmt_misc handler" >&2
      fi
    fi
  fi
  if [ "$(cat "$binfmt_dir/status" 2>/dev/null)" = enabled ] && aarch64_handler_usable; then
    JBUILD_TEST_EMULATION=1
  else
    echo "test.sh: no usable qemu-aarch64 binfmt_misc handler (needs root to register one):" \
      "RUN for arm64 is tested as the 'no emulation' error" >&2
  fi
}

# Debian's static busybox for arm64, the base of the emulated RUN tests: fetched once into a cache,
# through the signed release file (gpgv, Debian's keyring), the Packages index's SHA256, dpkg-deb -x.
arm64_busybox_dir="${XDG_CACHE_HOME:-$HOME/.cache}/jbuild-test/busybox-static-arm64"
debian_mirror=http://deb.debian.org/debian
debian_suite=bookworm

fetch_arm64_busybox() {
  if [ -x "$arm64_busybox_dir/bin/busybox" ]; then
    return 0 # only a verified extraction is ever renamed to this directory
  fi
  local tmp index_sum deb_path deb_sum
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $tmp is local
  trap "rm -rf '$tmp'; undo_emulation" EXIT
  echo "test.sh: fetching busybox-static for arm64 from $debian_mirror" >&2
  curl -fsS "$debian_mirror/dists/$debian_suite/InRelease" -o "$tmp/InRelease"
  gpgv --quiet --keyring /usr/share/keyrings/debian-archive-keyring.gpg --output "$tmp/Release" \
    "$tmp/InRelease" 2>/dev/null
  index_sum=$(awk '/^[A-Za-z0-9]+:/ {section = $1} section == "SHA256:" && $3 == "main/binary-arm64/Packages.xz" {print $1}' \
    "$tmp/Release")
  curl -fsS "$debian_mirror/dists/$debian_suite/main/binary-arm64/Packages.xz" -o "$tmp/Packages.xz"
  echo "$index_sum  $tmp/Packages.xz" | sha256sum --check --quiet
  read -r deb_path deb_sum < <(xz -dc "$tmp/Packages.xz" | awk '
    /^Package: / {package = $2} /^Filename: / {file = $2} /^SHA256: / {sum = $2}
    /^$/ {if (package == "busybox-static") {print file, sum; exit} package = ""}')
  [ -n "$deb_path" ] || { echo "test.sh: busybox-static not in the arm64 index" >&2; return 1; }
  curl -fsS "$debian_mirror/$deb_path" -o "$tmp/busybox.deb"
  echo "$deb_sum  $tmp/busybox.deb" | sha256sum --check --quiet
  dpkg-deb -x "$tmp/busybox.deb" "$tmp/root"
  mkdir -p "$(dirname "$arm64_busybox_dir")"
  local partial="$arm64_busybox_dir.partial.$$"
  rm -rf "$partial"
  mkdir "$partial"
  cp -a "$tmp/root/bin" "$partial/"
  echo "$deb_path $deb_sum" >"$partial/SOURCE"
  # -T: never move into an existing directory. It fails when another test.sh put a complete one
  # there first; that one is used.
  if ! mv -T "$partial" "$arm64_busybox_dir" 2>/dev/null; then
    [ -x "$arm64_busybox_dir/bin/busybox" ] || { echo "test.sh: cannot rename $partial to $arm64_busybox_dir" >&2; return 1; }
    rm -rf "$partial"
  fi
  rm -rf "$tmp"
  trap undo_emulation EXIT
}

# --maven-plugin (first argument): only the Maven plugin's project (maven-plugin/), with this project
# installed without running its tests; the other arguments go to the plugin's Maven run.
plugin_only=false
if [ "${1:-}" = "--maven-plugin" ]; then
  plugin_only=true
  shift
fi

# The parser and expansion conformance tests read BuildKit's test data in place (pom.xml's
# jbuild.conformance.dir). A fresh clone lacks it: say how to get it before anything is installed.
conformance_dir=../shared/conformance
for arg in "$@"; do
  case "$arg" in -Djbuild.conformance.dir=*) conformance_dir=${arg#-Djbuild.conformance.dir=} ;; esac
done
if [ ! -d "$conformance_dir/buildkit/parser/testfiles" ] || [ ! -f "$conformance_dir/buildkit/shell/envVarTest" ]; then
  echo "test.sh: BuildKit's conformance data is missing from $conformance_dir;" \
    "fetch it once with ./scripts/fetch-conformance.sh (or pass -Djbuild.conformance.dir=DIR)" >&2
  exit 2
fi

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

# From here on, whatever happens, undo what setup_emulation registered or mounted.
trap undo_emulation EXIT
trap 'exit 130' INT TERM
setup_emulation
fetch_arm64_busybox
export JBUILD_TEST_EMULATION
export JBUILD_TEST_ARM64_BUSYBOX="$arm64_busybox_dir/bin/busybox"

# `install` is verify plus copying the plain jar, its test helpers (the tests jar) and its POM into the local
# repository, where the Maven plugin's project resolves dev.jbuild:jbuild.
if $plugin_only; then
  maven_flags=()
  for arg in "$@"; do
    case "$arg" in -o|--offline|-q|--quiet) maven_flags+=("$arg") ;; esac
  done
  mvn -B install -DskipTests -Dspotless.check.skip=true "${maven_flags[@]}"
else
  mvn -B install "$@"
fi

# The launcher users run: it must find the jar verify just built and start it.
./jbuild --version >/dev/null

# The Maven plugin (maven-plugin/, docs/maven-plugin.md), a second Maven project: its verify runs its unit
# tests and the integration test, a real `mvn -o` of examples/maven-plugin. A run that picks this project's
# tests (-Dtest=, -Dit.test=) leaves it out; --maven-plugin runs only it.
run_plugin=true
if ! $plugin_only; then
  for arg in "$@"; do
    case "$arg" in -Dtest=*|-Dit.test=*) run_plugin=false ;; esac
  done
fi
if $run_plugin; then
  mvn -B -f maven-plugin/pom.xml verify "$@"
fi
