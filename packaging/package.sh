#!/usr/bin/env bash
# Builds what users install: target/dist/jbuild_<version>_<arch>.deb and
# target/dist/jbuild-<version>-linux-<arch>.tar.gz. Each has its own minimal Java runtime (jlink, with
# the JDK's class-data-sharing archive generated into it), the jar, and the launcher
# packaging/jbuild-launcher as bin/jbuild. Needs a JDK 17 (jlink, jdeps) and dpkg-deb; no network.
# Builds the jar first when target/jbuild.jar is missing.
#
#   packaging/package.sh [OUT_DIR]
#
# The jar's own class-data-sharing archive (the classes jbuild loads, trained by cli.TrainingRun) cannot
# be made here: Java 17 accepts it only for the exact jar path it was made with, which is known at
# install time. The .deb's postinst makes it for /usr/lib/jbuild; an unpacked tarball's launcher makes
# it on its first run in the user's cache (docs/install.md).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$here/target/dist}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
jar=$here/target/jbuild.jar
if [ ! -f "$jar" ]; then
  (cd "$here" && mvn -q -B -DskipTests package)
fi
version=$("$java_home/bin/java" -jar "$jar" --version | sed -n '1s/^jbuild //p')
version=${version:-0.0.0}
case $(uname -m) in
  x86_64) deb_arch=amd64 tar_arch=x64 ;;
  aarch64) deb_arch=arm64 tar_arch=aarch64 ;;
  *) deb_arch=$(uname -m) tar_arch=$(uname -m) ;;
esac
# A hyphen in a Debian version starts the revision; '~' sorts a pre-release first (0.1.0~SNAPSHOT < 0.1.0).
deb_version=$(printf '%s' "$version" | sed 's/-/~/g')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lib=$work/root/usr/lib/jbuild

# The modules the jar uses, and those jdeps cannot see because they are found as services: the elliptic
# curves TLS needs for ECDHE with registries (jdk.crypto.ec) and the zip file system provider (jdk.zipfs).
modules=$("$java_home/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps "$jar")
modules="$modules,jdk.crypto.ec,jdk.zipfs"
mkdir -p "$lib"
# Not --compress: the .deb and the tarball are compressed anyway, and classes the CDS archives do not
# hold load faster from an uncompressed modules file.
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --generate-cds-archive --output "$lib/runtime" >/dev/null
install -m 0644 "$jar" "$lib/jbuild.jar"
install -m 0755 "$here/packaging/jbuild-launcher" "$lib/jbuild"
printf '%s\n' "$version" > "$lib/VERSION"
install -d "$work/root/usr/bin" "$work/root/usr/share/doc/jbuild"
ln -s ../lib/jbuild/jbuild "$work/root/usr/bin/jbuild"
install -m 0644 "$here/LICENSE" "$work/root/usr/share/doc/jbuild/copyright"
install -m 0644 "$here/README.md" "$work/root/usr/share/doc/jbuild/README.md"

mkdir -p "$out"

# The tarball: jbuild-<version>/ holding bin/jbuild and lib/ (the same tree, relocatable).
tar_root=$work/tar/jbuild-$version
install -d "$tar_root/bin"
cp -a "$lib" "$tar_root/lib"
ln -s ../lib/jbuild "$tar_root/bin/jbuild"
cp "$here/LICENSE" "$here/README.md" "$tar_root/"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@"${SOURCE_DATE_EPOCH:-0}" \
  -C "$work/tar" -czf "$out/jbuild-$version-linux-$tar_arch.tar.gz" "jbuild-$version"

# The .deb: the runtime is private to jbuild, so the only dependencies are what RUN needs on the host.
install -d "$work/root/DEBIAN"
size=$(du -sk "$work/root/usr" | cut -f1)
cat > "$work/root/DEBIAN/control" <<CONTROL
Package: jbuild
Version: $deb_version
Architecture: $deb_arch
Maintainer: jbuild developers <maintainers@jbuild.invalid>
Installed-Size: $size
Depends: libc6, uidmap, util-linux, mount
Recommends: attr, git, skopeo
Section: devel
Priority: optional
Description: daemonless, rootless OCI image builder for Dockerfiles
 jbuild builds Dockerfiles into OCI images as the user who runs it, with no
 daemon: RUN steps run in user namespaces, images are pushed to registries.
 This package brings its own minimal Java runtime.
CONTROL
install -m 0755 "$here/packaging/postinst" "$work/root/DEBIAN/postinst"
install -m 0755 "$here/packaging/prerm" "$work/root/DEBIAN/prerm"
dpkg-deb --build -Zxz --root-owner-group "$work/root" "$out/jbuild_${deb_version}_$deb_arch.deb" >/dev/null
echo "$out/jbuild_${deb_version}_$deb_arch.deb"
echo "$out/jbuild-$version-linux-$tar_arch.tar.gz"
